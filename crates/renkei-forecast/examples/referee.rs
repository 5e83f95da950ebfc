//! The benchmark's bridge to renkei's forecaster (`bench/forecast_accuracy.py`): reads one
//! series per line on stdin and writes renkei's answer per line on stdout, so the Python
//! referee scores renkei beside statsforecast in the same run.
//!
//! `referee forecast`: in `ID<TAB>H<TAB>v1,v2,...` (an empty value is a gap), out
//! `ID<TAB>STEP<TAB>point<TAB>lo80<TAB>hi80<TAB>lo95<TAB>hi95`, or `ID<TAB>ERROR<TAB>message`.
//! `referee collapse`: in `ID<TAB>OBSERVED<TAB>v1,v2,...`, out
//! `ID<TAB>expected<TAB>0|1`, or `ID<TAB>ERROR<TAB>message`.

use std::io::{BufRead, Write};

fn values(text: &str) -> Vec<Option<f64>> {
    text.split(',').map(|v| v.trim().parse().ok()).collect()
}

fn main() -> std::io::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let mut f = line.splitn(3, '\t');
        let (Some(id), Some(arg), Some(series)) = (f.next(), f.next(), f.next()) else { continue };
        let history = values(series);
        match mode.as_str() {
            "forecast" => {
                let h: usize = arg.parse().unwrap_or(18);
                match renkei_forecast::forecast(&history, h) {
                    Ok(fc) => {
                        for i in 0..h {
                            let (p, a, b) = (fc.point[i], &fc.b80, &fc.b95);
                            writeln!(
                                out,
                                "{id}\t{}\t{p}\t{}\t{}\t{}\t{}",
                                i + 1,
                                a.lower[i],
                                a.upper[i],
                                b.lower[i],
                                b.upper[i]
                            )?;
                        }
                    }
                    Err(e) => writeln!(out, "{id}\tERROR\t{e}")?,
                }
            }
            "collapse" => {
                let observed: f64 = arg.parse().unwrap_or(0.0);
                match renkei_forecast::collapse::check(&history, observed, 1.0) {
                    Ok(c) => writeln!(out, "{id}\t{}\t{}", c.expected, u8::from(c.collapsed))?,
                    Err(e) => writeln!(out, "{id}\tERROR\t{e}")?,
                }
            }
            _ => {
                eprintln!("usage: referee forecast|collapse < series.tsv");
                std::process::exit(2);
            }
        }
    }
    out.flush()
}
