//! `mixite seed`: fills a data folder with synthetic demo cases through `mixite_core::synthetic::fill`
//! and reports progress and the time taken. It owns only the refusal to mix demo data into a folder
//! that already holds cases (unless `--append`) and the terminal output; it must not generate or write
//! cases itself, so demo data always passes the same validation and write path as the app's.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use mixite_core::Clock;
use mixite_demo as synthetic;

use crate::Result;

pub const DEFAULT_SEED: u64 = 20_260_101;

pub fn run(
    dir: &Path,
    count: usize,
    seed: Option<u64>,
    today: Option<NaiveDate>,
    append: bool,
    contacts: usize,
) -> Result<()> {
    let today = today.unwrap_or_else(|| Clock::system().today);
    let (mut register, _) = crate::sign_in::open(dir)?;
    let existing = register.case_count()?;
    if existing > 0 && !append && count > 0 {
        return Err(format!(
            "{} already holds {existing} cases; pass --append to add more",
            dir.display()
        )
        .into());
    }
    // Appending with the default seed would repeat the first cases: shift it by what is there.
    let seed = seed.unwrap_or(DEFAULT_SEED + existing as u64);
    eprintln!(
        "seeding {count} cases into {} (seed {seed}, up to {today})",
        dir.display()
    );
    let started = Instant::now();
    synthetic::fill(&mut register, count, seed, today, |done| {
        let secs = started.elapsed().as_secs_f64();
        eprint!(
            "\r{done:>9}/{count} cases  {:>8.0} cases/s  {secs:>7.1} s",
            done as f64 / secs.max(1e-9)
        );
        let _ = std::io::stderr().flush();
    })?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!();
    println!(
        "seeded {count} cases in {secs:.1} s ({:.0} cases/s); folder now holds {} cases",
        count as f64 / secs.max(1e-9),
        existing as usize + count
    );
    if contacts > 0 {
        let started = Instant::now();
        synthetic::fill_contacts(&mut register, contacts, seed, today, |done| {
            eprint!("\r{done:>9}/{contacts} desk contacts");
            let _ = std::io::stderr().flush();
        })?;
        eprintln!();
        println!(
            "seeded {contacts} desk contacts in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
