//! renkei (連携): tells a regional healthcare network council whether its network is worth
//! what it costs. Files in, DuckDB, SQL metrics, Japanese HTML reports out by mail.
//!
//! The modules follow the flow (DESIGN.md): `ingest` → `store` → `metrics` → `report` →
//! `deliver`, driven by `jobs` from the `cli` and, on a schedule, the `daemon`; `review` is
//! the privacy officer's monthly access-log review over the same store; `web` is the
//! secretariat's console in the browser, over the store's published copy. `domain`,
//! `config` and `error` (from the `renkei-core` crate, with the readers of input bytes)
//! serve all.

pub mod audit_log;
pub mod cli;
pub mod clock;
pub mod daemon;
pub mod deliver;
pub mod demo;
pub mod export;
pub mod ingest;
pub mod jobs;
pub mod metrics;
pub mod report;
pub mod review;
pub mod store;
pub mod web;

pub use renkei_core::{config, domain, error};
