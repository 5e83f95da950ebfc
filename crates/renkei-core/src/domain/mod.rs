//! Values with parse and format and no I/O: months, fiscal years (年度), era dates (和暦),
//! money (円), timestamps, facility-name matching keys and typed query results.
//!
//! Everything here is pure and table-tested; ingest uses it to read cells, reports to
//! write labels.

pub mod era;
pub mod fiscal_year;
pub mod month;
pub mod names;
pub mod table;
pub mod timestamp;
pub mod yen;

pub use fiscal_year::FiscalYear;
pub use month::Month;
pub use yen::Yen;
