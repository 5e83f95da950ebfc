//! renkei's pure core: the values of the domain with their parsers and formats (months,
//! 年度, 和暦, 円, timestamps, facility-name keys, typed tables), the problems a person can
//! fix, the configuration, and the readers that first touch an input's bytes (encoding
//! detection and decoding, container detection, the spreadsheet guard and grid, header
//! finding, cell coercion, `[sources.*]` maps).
//!
//! No DuckDB, no I/O beyond reading what it is given: the `renkei` crate builds the rest on
//! it, and the fuzzers (`fuzz/`) build only this, in minutes.

pub mod config;
pub mod domain;
pub mod error;
pub mod ingest;
