//! The readers that first touch an input's bytes; the rest of ingest (validation,
//! pseudonymization, the per-kind loaders, the pipeline) lives in `renkei::ingest`.

pub mod cells;
pub mod decode;
pub mod detect;
pub mod grid;
pub mod headers;
pub mod sheet_guard;
pub mod source_maps;
