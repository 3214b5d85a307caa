//! `mixite bench sign-in`: how long an operator waits after typing their passphrase. On a demo folder
//! (the one given, set up as `crate::sign_in` sets folders up when it has no operator yet, or a new
//! scratch folder) it times `Register::sign_in` as the app calls it (the key ring read, Argon2id at the
//! slot's cost, the slot unwrapped, the register opened with its tables, the sign-in written to the
//! audit trail and the ring saved), after one untimed warm-up, and then the key derivation alone:
//! `KeyRing::open` with the right passphrase, with a wrong one and with an unknown operator's id (the
//! last two must cost the same, so a refusal tells nothing). It reports min/p50/max of each.
//!
//! It writes to the folder only what a sign-in writes (an audit entry, the ring); it never records a
//! failed sign-in (the wrong passphrases go to the ring in memory, not through `Register::sign_in`).

use std::path::Path;
use std::time::{Duration, Instant};

use mixite_core::register::access;
use mixite_core::register::keys::{Kdf, KeyRing};
use mixite_core::{Clock, Register};

use super::percentiles;
use crate::sign_in::{DEMO_OPERATOR, DEMO_PASSPHRASE};
use crate::Result;

/// min, p50, max in milliseconds.
fn spread(samples: &mut [Duration]) -> [f64; 3] {
    let [p50, _, _, max] = percentiles(samples);
    let min = samples.first().map_or(0.0, |d| d.as_secs_f64() * 1e3);
    [min, p50, max]
}

fn json(x: [f64; 3]) -> serde_json::Value {
    let r = |v: f64| (v * 10.0).round() / 10.0;
    serde_json::json!({"min": r(x[0]), "p50": r(x[1]), "max": r(x[2])})
}

/// Times `runs` sign-ins and `runs` derivations of each kind on `dir`, or on a scratch folder removed
/// afterwards when `dir` is `None`.
pub fn run(dir: Option<&Path>, runs: usize) -> Result<()> {
    match dir {
        Some(dir) => measure(dir, runs),
        None => {
            let scratch =
                std::env::temp_dir().join(format!("mixite-bench-sign-in-{}", std::process::id()));
            let result = measure(&scratch, runs);
            let _ = std::fs::remove_dir_all(&scratch);
            result
        }
    }
}

fn measure(dir: &Path, runs: usize) -> Result<()> {
    // Set up (or signed in once) as every command-line folder is: this is also the warm-up.
    let (register, _) = crate::sign_in::open(dir)?;
    let cases = register.case_count()?;
    drop(register);
    let id = access::readiness(dir)?
        .operators
        .into_iter()
        .find(|o| o.name == DEMO_OPERATOR)
        .ok_or("no demo responsabile")?
        .id;

    let clock = Clock::system();
    let mut sign_ins = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let (register, _) = Register::sign_in(dir, &id, DEMO_PASSPHRASE, &clock)?;
        sign_ins.push(started.elapsed());
        drop(register);
    }

    let ring = KeyRing::load(dir)?.ok_or("no key ring")?;
    let mut right = Vec::with_capacity(runs);
    let mut wrong = Vec::with_capacity(runs);
    let mut unknown = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        ring.open(&id, DEMO_PASSPHRASE)?;
        right.push(started.elapsed());
        let started = Instant::now();
        let refused = ring.open(&id, "not the passphrase").is_err();
        wrong.push(started.elapsed());
        let started = Instant::now();
        let unknown_refused = ring
            .open("00000000-0000-0000-0000-000000000000", DEMO_PASSPHRASE)
            .is_err();
        unknown.push(started.elapsed());
        if !refused || !unknown_refused {
            return Err("a wrong passphrase or an unknown operator opened the ring".into());
        }
    }

    let kdf = Kdf::OWASP;
    println!(
        "sign-in on a folder of {cases} cases, Argon2id {} MiB t={} p={}, {runs} runs after one warm-up, ms",
        kdf.memory_kib / 1024,
        kdf.iterations,
        kdf.lanes
    );
    let rows = [
        ("sign-in (Register::sign_in)", spread(&mut sign_ins)),
        ("derivation, right passphrase", spread(&mut right)),
        ("derivation, wrong passphrase", spread(&mut wrong)),
        ("derivation, unknown operator", spread(&mut unknown)),
    ];
    println!("{:<30} {:>8} {:>8} {:>8}", "", "min", "p50", "max");
    for (what, [min, p50, max]) in &rows {
        println!("{what:<30} {min:>8.1} {p50:>8.1} {max:>8.1}");
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "sign_in", "cases": cases, "runs": runs, "kdf": kdf,
            "signIn": json(rows[0].1), "deriveRight": json(rows[1].1),
            "deriveWrong": json(rows[2].1), "deriveUnknown": json(rows[3].1),
        })
    );
    Ok(())
}
