//! `mixite bench convert`: the first start of a desk whose register is from before encryption. It copies
//! the plain benchmark folder of `count` cases (`plain-<count>` under the work folder, seeded first as
//! `bench crypto-compare` seeds it when missing) into `converted-<count>`, then times `Register::set_up`
//! on the copy as the app's first start calls it: the demo responsabile's slot and the recovery slot (two
//! Argon2id derivations at `Kdf::OWASP`), the key ring saved, then `store::encrypt_plain`
//! (`sqlcipher_export` into a new file, integrity check and row counts of every table, the swap, the
//! plain file overwritten and removed), the migrations' check and the first audit entries. It reports
//! the seconds and the sizes of the database before and after (each after a checkpoint).
//!
//! It writes only to the copy (removed at the end unless `--keep`, which leaves a demo folder that
//! `crate::sign_in` opens, e.g. for `bench sign-in`); the seeded plain folder is left as it was.

use std::path::Path;
use std::time::Instant;

use mixite_core::register::access;
use mixite_core::register::keys::{Kdf, KEYS_FILE};
use mixite_core::register::store::DB_FILE;
use mixite_core::{Clock, Register};

use super::crypto_compare::{private_dir, seeded, Flavour};
use super::{checkpoint, db_bytes};
use crate::sign_in::{DEMO_OPERATOR, DEMO_PASSPHRASE};
use crate::Result;

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

pub fn run(work: &Path, count: usize, seed: u64, keep: bool) -> Result<()> {
    let plain = Flavour::Plain.folder(work, count);
    let target = work.join(format!("converted-{count}"));
    if target.exists() {
        return Err(format!("{} exists already: remove it first", target.display()).into());
    }
    {
        let (register, _) = seeded(Flavour::Plain, &plain, count, seed)?;
        checkpoint(register.store().conn())?;
    }
    private_dir(&target)?;
    std::fs::copy(plain.join(DB_FILE), target.join(DB_FILE))?;
    let result = measure(&target, count);
    if !keep {
        std::fs::remove_dir_all(&target)?;
    }
    result
}

fn measure(dir: &Path, count: usize) -> Result<()> {
    if !access::readiness(dir)?.plain_register {
        return Err(format!("{} does not hold a plain register", dir.display()).into());
    }
    let before = db_bytes(dir);
    let clock = Clock::system();
    let started = Instant::now();
    let (register, _, _recovery) =
        Register::set_up(dir, DEMO_OPERATOR, DEMO_PASSPHRASE, Kdf::OWASP, &clock)?;
    let secs = started.elapsed().as_secs_f64();
    checkpoint(register.store().conn())?;
    let cases = register.case_count()?;
    let after = db_bytes(dir);
    drop(register);
    let ring = std::fs::metadata(dir.join(KEYS_FILE))?.len();
    let leftovers: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(DB_FILE) && n != DB_FILE)
        .collect();
    if cases as usize != count || access::readiness(dir)?.plain_register {
        return Err(
            format!("the conversion left {cases} cases of {count}, or a plain file").into(),
        );
    }
    println!(
        "converted a plain register of {cases} cases in {secs:.2} s (Register::set_up: two Argon2id \
         derivations, the export, its check, the swap, the plain file shredded)"
    );
    println!(
        "database before {:.1} MiB ({before} bytes), after {:.1} MiB ({after} bytes, ×{:.3}); key ring \
         {ring} bytes; left beside it: {}",
        mib(before),
        mib(after),
        after as f64 / before.max(1) as f64,
        if leftovers.is_empty() { "nothing".to_string() } else { leftovers.join(", ") }
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "convert", "cases": cases, "seconds": (secs * 100.0).round() / 100.0,
            "dbBytesBefore": before, "dbBytesAfter": after, "keyRingBytes": ring,
        })
    );
    Ok(())
}
