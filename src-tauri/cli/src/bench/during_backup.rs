//! `mixite bench search-during-backup`: how long the search box waits while the register is backed up,
//! with the register shared as the app shares it (one `Mutex<Register>`, each search taking the lock
//! for its call). One thread runs the backup under one of two lock patterns: `whole`, the backup from
//! start to end under the lock (how `backup_run` held it before the core was split), or `split`, the
//! lock held only for the copy and the record (`backup::snapshot` … `backup::record`, as `backup_run`
//! holds it now). Another thread types searches on a fixed schedule, as an operator at the keyboard
//! does, and each search's latency is counted from the moment it was due (a search that waits for the
//! lock delays the ones due after it, and they count that wait too). The same schedule with no backup
//! running gives the idle figures beside. It writes to the folder only what the app writes: the sign-in,
//! the backup record (and, for the duration, the backup's encrypted copy).

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use mixite_core::exchange::backup;
use mixite_core::{Clock, Register};
use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::search::sample;
use super::{checkpoint, percentiles};
use crate::Result;

/// How the backup thread holds the register's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Pattern {
    /// The whole backup (copy, scrypt, encryption, write, verification, record) under the lock.
    Whole,
    /// The copy under the lock, encryption, write and verification outside, the record under it again.
    Split,
}

/// The kinds of query the operator types (see `bench search`); the empty box is left out, it is not a
/// search typed during the day.
const KINDS: [&str; 6] = [
    "name_fragment",
    "short_prefix",
    "full_name",
    "passport",
    "case_number",
    "codice_fiscale",
];
const PAGE: usize = 25;

/// Searches `queries` in turn, one due every `every`, through the shared register, until `stop` says
/// when to stop (a search due after that moment is not made); returns each one's latency from the
/// moment it was due.
fn type_searches(
    register: &Mutex<Register>,
    queries: &[String],
    every: Duration,
    stop: &OnceLock<Instant>,
    at_most: Option<Duration>,
) -> mixite_core::Result<Vec<Duration>> {
    let start = Instant::now();
    let mut latencies = Vec::new();
    for k in 0.. {
        let due = start + every * k as u32;
        if stop.get().is_some_and(|end| due > *end) || at_most.is_some_and(|m| due - start > m) {
            break;
        }
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let query = &queries[k % queries.len()];
        {
            let register = register.lock().expect("register lock");
            register.search(query, 0, PAGE)?;
        }
        latencies.push(due.elapsed());
    }
    Ok(latencies)
}

/// Backs the register up to `stick` holding the lock as `pattern` says; returns how long the lock was
/// held, in total and at the longest stretch.
fn back_up(
    register: &Mutex<Register>,
    stick: &Path,
    passphrase: &str,
    pattern: Pattern,
) -> mixite_core::Result<(Duration, Duration)> {
    let clock = Clock::system();
    match pattern {
        Pattern::Whole => {
            let mut guard = register.lock().expect("register lock");
            let held = Instant::now();
            backup::backup(&mut guard, stick, passphrase, &clock)?;
            let held = held.elapsed();
            Ok((held, held))
        }
        Pattern::Split => {
            let (snapshot, copy) = {
                let guard = register.lock().expect("register lock");
                let held = Instant::now();
                let snapshot = backup::snapshot(&guard, passphrase, &clock)?;
                (snapshot, held.elapsed())
            };
            let written = snapshot.write(stick, passphrase)?;
            let mut guard = register.lock().expect("register lock");
            let held = Instant::now();
            backup::record(&mut guard, &written)?;
            let record = held.elapsed();
            Ok((copy + record, copy.max(record)))
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn summary(samples: &mut [Duration]) -> serde_json::Value {
    let count = samples.len();
    let [p50, p95, p99, max] = percentiles(samples);
    let r = |x: f64| (x * 100.0).round() / 100.0;
    serde_json::json!({"searches": count, "p50": r(p50), "p95": r(p95), "p99": r(p99), "max": r(max)})
}

pub fn run(
    dir: &Path,
    stick: &Path,
    passphrase: &str,
    pattern: Pattern,
    every_ms: u64,
    seed: u64,
) -> Result<()> {
    // Signed in as the app's is: a backup carries the key ring the sign-in opened.
    let (register, _) = crate::sign_in::open(dir)?;
    checkpoint(register.store().conn())?;
    let cases = register.case_count()?;
    if cases == 0 {
        return Err(format!("{} holds no cases: run `mixite seed` first", dir.display()).into());
    }
    let mut rng = SmallRng::seed_from_u64(seed);
    let queries = (0..200)
        .map(|i| sample(register.store().conn(), &mut rng, KINDS[i % KINDS.len()]))
        .collect::<Result<Vec<_>>>()?;
    let register = Arc::new(Mutex::new(register));
    let every = Duration::from_millis(every_ms);

    // Idle: the same schedule for three seconds, nothing else holding the lock (warms the cache too).
    let mut idle = type_searches(
        &register,
        &queries,
        every,
        &OnceLock::new(),
        Some(Duration::from_secs(3)),
    )?;

    let end = Arc::new(OnceLock::new());
    let backup_thread = {
        let (register, end) = (Arc::clone(&register), Arc::clone(&end));
        let (stick, passphrase) = (stick.to_path_buf(), passphrase.to_string());
        std::thread::spawn(move || {
            let started = Instant::now();
            let held = back_up(&register, &stick, &passphrase, pattern);
            let _ = end.set(Instant::now());
            held.map(|h| (h, started.elapsed()))
        })
    };
    let during = type_searches(&register, &queries, every, &end, None);
    let ((held_total, held_longest), backup_took) =
        backup_thread.join().expect("the backup thread")?;
    let mut during = during?;

    let pattern_name = format!("{pattern:?}").to_lowercase();
    println!(
        "{cases} cases, backup ({pattern_name}) {:.2} s, lock held {:.2} s (longest {:.2} s); a search due every {every_ms} ms",
        backup_took.as_secs_f64(),
        held_total.as_secs_f64(),
        held_longest.as_secs_f64(),
    );
    let idle = summary(&mut idle);
    let during = summary(&mut during);
    for (what, s) in [("idle", &idle), ("during backup", &during)] {
        let f = |k: &str| s[k].as_f64().unwrap_or_default();
        println!(
            "{what:<14} {:>5} searches  p50 {:>8.2} ms  p95 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
            s["searches"],
            f("p50"),
            f("p95"),
            f("p99"),
            f("max")
        );
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "search_during_backup", "cases": cases, "pattern": pattern_name,
            "everyMs": every_ms, "backupSeconds": backup_took.as_secs_f64(),
            "lockHeldMs": ms(held_total), "lockLongestMs": ms(held_longest),
            "idle": idle, "during": during,
        })
    );
    Ok(())
}
