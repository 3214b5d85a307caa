//! `mixite bench backup`: the full backup of a filled register to a folder (online backup into an
//! encrypted copy, packed with the key ring, age encryption at the app's scrypt cost, safe write and
//! read-back verification), then its restore into a fresh data folder and over that one (with the
//! safety copies), opened with the demo responsabile's passphrase from the backup, with the time, the
//! file size and the process's peak memory of each. It measures `mixite_core::exchange::backup` as the
//! app calls it, on a register signed in as the app's is (`crate::sign_in`); it must not write to the
//! measured folder except what the app also writes (the sign-in, the backup record).

use std::path::Path;
use std::time::Instant;

use mixite_core::exchange::backup::{self, Unlock};
use mixite_core::Clock;

use super::{checkpoint, db_bytes};
use crate::sign_in::{self, DEMO_PASSPHRASE};
use crate::Result;

/// The process's peak resident memory so far (VmHWM), in MiB; 0 where /proc is missing.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn cases_in(dir: &Path) -> Result<i64> {
    let (register, _) = sign_in::open(dir)?;
    Ok(register.case_count()?)
}

pub fn run(dir: &Path, stick: &Path, passphrase: &str) -> Result<()> {
    let clock = Clock::system();
    let (mut register, operator) = sign_in::open(dir)?;
    checkpoint(register.store().conn())?;
    let cases = register.case_count()?;
    let db = db_bytes(dir);

    let started = Instant::now();
    let written = backup::backup(&mut register, stick, passphrase, &clock)?;
    let backup_s = started.elapsed().as_secs_f64();
    let backup_peak = peak_mib();
    drop(register);

    let scratch = std::env::temp_dir().join(format!("mixite-bench-restore-{}", std::process::id()));
    let fresh = scratch.join("fresh");
    let unlock = Unlock::Operator {
        id: &operator.id,
        passphrase: DEMO_PASSPHRASE,
    };
    let started = Instant::now();
    backup::restore(&written.path, passphrase, &unlock, &fresh, &clock)?;
    let fresh_s = started.elapsed().as_secs_f64();
    let restored = cases_in(&fresh)?;

    // Over existing data: the fresh copy now holds a register, so this restore keeps a safety copy.
    let started = Instant::now();
    let over = backup::restore(&written.path, passphrase, &unlock, &fresh, &clock)?;
    let over_s = started.elapsed().as_secs_f64();
    let safety = over.safety_copy.is_some();
    let peak = peak_mib();
    std::fs::remove_dir_all(&scratch)?;
    if restored != cases {
        return Err(format!("restored {restored} cases of {cases}").into());
    }
    println!(
        "cases {cases}  db {:.1} MiB  backup {:.1} MiB in {backup_s:.2} s (peak {backup_peak:.0} MiB)  \
         restore fresh {fresh_s:.2} s  over data {over_s:.2} s (safety copy {safety})  peak {peak:.0} MiB",
        db as f64 / 1_048_576.0,
        written.bytes as f64 / 1_048_576.0,
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "backup", "cases": cases, "dbBytes": db, "backupBytes": written.bytes,
            "backupSeconds": backup_s, "restoreFreshSeconds": fresh_s, "restoreOverSeconds": over_s,
            "peakMiB": peak, "backupPeakMiB": backup_peak,
        })
    );
    Ok(())
}
