//! Integration tests: the real `renkei` binary run in a temporary council folder on files
//! the tests write themselves. One test binary (each extra one links DuckDB again).

mod support;

mod browser;
mod cli;
mod console;
mod daemon;
mod definitions;
mod deliver;
mod faults;
mod forecast;
mod ingest;
mod machine;
mod metrics;
mod municipality;
mod privacy;
mod review;
mod screens;
mod smtp;
mod sources;
mod spark;
mod web;
