//! `mixite bench report`: how long a funder's report takes over a filled folder (`mixite seed
//! --contacts`). It times `Register::report` for a calendar year under a shipped definition (every
//! table it asks for, the single pass over the year's contacts included) after a warm-up, and prints
//! p50/p95/p99/max with the contacts counted, as a table and as one JSON line. It must not write to
//! the folder.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Datelike;
use mixite_core::register::report::Period;
use mixite_core::Clock;

use super::percentiles;
use crate::Result;

const WARM_UP: usize = 3;

pub fn run(dir: &Path, year: Option<i32>, definition: &str, runs: usize) -> Result<()> {
    let (register, _) = crate::sign_in::open(dir)?;
    let year = year.unwrap_or_else(|| Clock::system().today.year());
    let definitions = register.report_definitions()?;
    let Some(definition) = definitions.iter().find(|d| d.id == definition) else {
        return Err(format!("no report definition {definition}").into());
    };
    let contacts: i64 = register.store().conn().query_row(
        "SELECT count(*) FROM desk_contacts WHERE day BETWEEN ?1 AND ?2",
        [
            i64::from(year) * 10_000 + 101,
            i64::from(year) * 10_000 + 1231,
        ],
        |r| r.get(0),
    )?;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for i in 0..runs + WARM_UP {
        let started = Instant::now();
        let report = register.report(definition, Period::year(year), "it")?;
        let took = started.elapsed();
        if i >= WARM_UP {
            times.push(took);
        }
        last = Some(report);
    }
    let report = last.expect("at least one run");
    let [p50, p95, p99, max] = percentiles(&mut times);
    println!(
        "report {} of {year} over {contacts} desk contacts, {runs} runs after {WARM_UP} warm-up",
        definition.id
    );
    println!("p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms");
    let rows: usize = report.tables.iter().map(|t| t.rows.len()).sum();
    println!("{} tables, {rows} rows", report.tables.len());
    let r1 = |x: f64| (x * 10.0).round() / 10.0;
    println!(
        "{}",
        serde_json::json!({"bench": "report", "definition": definition.id, "year": year,
            "contacts": contacts, "runs": runs, "p50": r1(p50), "p95": r1(p95), "p99": r1(p99),
            "max": r1(max), "rows": rows})
    );
    Ok(())
}
