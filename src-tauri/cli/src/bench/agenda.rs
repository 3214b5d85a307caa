//! `mixite bench agenda`: how long the agenda takes to appear over a filled folder. It times
//! `Register::agenda(today)` (every bucket's count and first rows, as the first screen asks) after a
//! warm-up, prints p50/p95/p99/max and each bucket's count as a table and as one JSON line. It must not
//! write to the folder.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use mixite_core::Clock;

use super::percentiles;
use crate::Result;

const WARM_UP: usize = 5;

pub fn run(dir: &Path, runs: usize, today: Option<NaiveDate>) -> Result<()> {
    let (register, _) = crate::sign_in::open(dir)?;
    let cases = register.case_count()?;
    if cases == 0 {
        return Err(format!("{} holds no cases: run `mixite seed` first", dir.display()).into());
    }
    let today = today.unwrap_or_else(|| Clock::system().today);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for i in 0..runs + WARM_UP {
        let started = Instant::now();
        let agenda = register.agenda(today)?;
        let took = started.elapsed();
        if i >= WARM_UP {
            times.push(took);
        }
        last = Some(agenda);
    }
    let agenda = last.expect("at least one run");
    let [p50, p95, p99, max] = percentiles(&mut times);
    println!("agenda of {today} over {cases} cases, {runs} runs after {WARM_UP} warm-up");
    println!("p50 {p50:.2} ms  p95 {p95:.2} ms  p99 {p99:.2} ms  max {max:.2} ms");
    let mut counts = serde_json::Map::new();
    for b in &agenda.buckets {
        let remind = b.rows.iter().filter(|r| r.remind).count();
        println!(
            "{:<20} {:>8} rows (listed {}, {} with consent)",
            b.id,
            b.count,
            b.rows.len(),
            remind
        );
        counts.insert(b.id.clone(), b.count.into());
    }
    let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
    println!(
        "{}",
        serde_json::json!({"bench": "agenda", "cases": cases, "today": today.to_string(), "runs": runs,
            "p50": r3(p50), "p95": r3(p95), "p99": r3(p99), "max": r3(max), "buckets": counts})
    );
    Ok(())
}
