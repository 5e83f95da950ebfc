//! The config file with `RENKEI_*` overrides and its `[sources.*]` maps: never a panic; a
//! refusal always names a place or a reason.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use renkei_core::config::parse_config;
use renkei_core::ingest::source_maps;

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    env: Vec<(String, String)>,
}

fuzz_target!(|input: Input| {
    let env: Vec<(String, String)> = input.env.into_iter().map(|(k, v)| (format!("RENKEI_{k}"), v)).collect();
    match parse_config(&input.text, "fuzz.toml", &env) {
        Ok(config) => {
            let _ = source_maps::check(&config.sources, &input.text, "fuzz.toml");
        }
        Err(p) => assert!(!p.what.is_empty()),
    }
});
