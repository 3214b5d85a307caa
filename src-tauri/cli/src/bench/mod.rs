//! `mixite bench`: figures about a data folder: search latency (`search`), the agenda's (`agenda`), the real write path
//! (`write`), storage size (`size`), the full backup and its restore (`backup`), the search box's
//! latency while a backup runs (`search-during-backup`), and what encryption costs: search and writes
//! encrypted against plain in one run (`crypto-compare`), signing in (`sign-in`) and the conversion of a
//! plain register at the first start (`convert`). It owns the subcommand definitions and the shared
//! helpers (percentiles, file sizes); it must not change how the core searches or writes, only measure it.

mod agenda;
mod backup;
mod convert;
mod crypto_compare;
mod during_backup;
mod report;
mod search;
mod sign_in_time;
mod size;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Subcommand;
use mixite_core::register::store::DB_FILE;

use crate::Result;

#[derive(Subcommand)]
pub enum What {
    /// Latency of realistic searches against a filled folder (p50/p95/p99/max per kind).
    Search {
        #[arg(long)]
        data_dir: PathBuf,
        /// Timed queries per kind.
        #[arg(long, default_value_t = 500)]
        queries: usize,
        /// Seed for picking the queries.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Time to build the day's agenda (every bucket counted, its first rows listed): p50/p95/p99/max.
    Agenda {
        #[arg(long)]
        data_dir: PathBuf,
        /// Timed runs.
        #[arg(long, default_value_t = 50)]
        runs: usize,
        /// The agenda's day (`YYYY-MM-DD`); default: today. Demo data is dated up to its seeding day.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Time to build a report over a year of desk contacts (every table of the definition), p50/p95.
    Report {
        #[arg(long)]
        data_dir: PathBuf,
        /// The report's year; default: this year.
        #[arg(long)]
        year: Option<i32>,
        /// The definition's id (`assets/reports/<id>.toml`).
        #[arg(long, default_value = "amif-2021-2027-so2")]
        definition: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Cases created and steps recorded per second through the real, fully synchronous path.
    Write {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 99)]
        seed: u64,
    },
    /// Cases, database bytes and bytes per case of a folder.
    Size {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Full backup of a folder's register to `--stick`, then restore into a fresh folder and over data.
    Backup {
        #[arg(long)]
        data_dir: PathBuf,
        /// The folder the backup is written to (a mounted stick).
        #[arg(long)]
        stick: PathBuf,
        #[arg(long, default_value = "frase di prova lunga")]
        passphrase: String,
    },
    /// Search latency (p50/p95/p99/max) while a full backup runs in another thread, the register
    /// shared behind one lock as in the app; `--pattern whole` holds it for the whole backup (as the
    /// app did), `split` only for the copy and the record (as it does now).
    SearchDuringBackup {
        #[arg(long)]
        data_dir: PathBuf,
        /// The folder the backup is written to (a mounted stick).
        #[arg(long)]
        stick: PathBuf,
        #[arg(long, value_enum)]
        pattern: during_backup::Pattern,
        #[arg(long, default_value = "frase di prova lunga")]
        passphrase: String,
        /// A search is due every this many milliseconds (an operator typing in the search box).
        #[arg(long, default_value_t = 50)]
        every_ms: u64,
        /// Seed for picking the queries.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Search latency (p50/p95 per kind and over the mix) and writes per second, encrypted against
    /// plain, on two folders of the same demo cases under `--work-dir` (`plain-<count>`,
    /// `encrypted-<count>`, seeded when missing, reused after), with the ratios.
    CryptoCompare {
        /// Where the two folders are kept (invented cases only).
        #[arg(long)]
        work_dir: PathBuf,
        /// Cases in each folder.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Timed queries per kind, on each register.
        #[arg(long, default_value_t = 500)]
        queries: usize,
        /// Cases created (and steps recorded) in a copy of each folder; 0 for none.
        #[arg(long, default_value_t = 1000)]
        writes: usize,
        /// Demo-data seed of both folders.
        #[arg(long, default_value_t = crate::seed::DEFAULT_SEED)]
        seed: u64,
        /// Seed for picking the queries.
        #[arg(long, default_value_t = 7)]
        query_seed: u64,
        /// Rounds the searches and writes are cut into, the flavour going first alternating.
        #[arg(long, default_value_t = 4)]
        rounds: usize,
        /// Not as the app: the encrypted register's page cache in MiB for the timed work (what a
        /// larger cache would buy back); default: as the app opens it.
        #[arg(long)]
        encrypted_cache_mib: Option<u32>,
    },
    /// Sign-in time at the slots' Argon2id cost (min/p50/max of `--runs`), and the key derivation
    /// alone with the right passphrase, a wrong one and an unknown operator.
    SignIn {
        /// A demo folder (set up first when it has no operator); default: a scratch folder.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// The first start on a plain register: a copy of `plain-<count>` under `--work-dir` (seeded when
    /// missing) converted by `Register::set_up`; seconds, sizes before and after.
    Convert {
        #[arg(long)]
        work_dir: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Demo-data seed, should the plain folder be seeded.
        #[arg(long, default_value_t = crate::seed::DEFAULT_SEED)]
        seed: u64,
        /// Keep the converted folder (`converted-<count>`, a demo folder the CLI signs in to).
        #[arg(long)]
        keep: bool,
    },
}

pub fn run(what: What) -> Result<()> {
    match what {
        What::Search {
            data_dir,
            queries,
            seed,
        } => search::run(&data_dir, queries, seed),
        What::Write {
            data_dir,
            count,
            seed,
        } => write::run(&data_dir, count, seed),
        What::Agenda {
            data_dir,
            runs,
            today,
        } => agenda::run(&data_dir, runs, today),
        What::Size { data_dir } => size::run(&data_dir),
        What::Report {
            data_dir,
            year,
            definition,
            runs,
        } => report::run(&data_dir, year, &definition, runs),
        What::Backup {
            data_dir,
            stick,
            passphrase,
        } => backup::run(&data_dir, &stick, &passphrase),
        What::SearchDuringBackup {
            data_dir,
            stick,
            pattern,
            passphrase,
            every_ms,
            seed,
        } => during_backup::run(&data_dir, &stick, &passphrase, pattern, every_ms, seed),
        What::CryptoCompare {
            work_dir,
            count,
            queries,
            writes,
            seed,
            query_seed,
            rounds,
            encrypted_cache_mib,
        } => crypto_compare::run(&crypto_compare::Options {
            work: work_dir,
            encrypted_cache_mib,
            count,
            queries,
            writes,
            rounds,
            seed,
            query_seed,
        }),
        What::SignIn { data_dir, runs } => sign_in_time::run(data_dir.as_deref(), runs),
        What::Convert {
            work_dir,
            count,
            seed,
            keep,
        } => convert::run(&work_dir, count, seed, keep),
    }
}

/// Percentiles (nearest rank) of durations, in milliseconds: p50, p95, p99, max.
pub fn percentiles(samples: &mut [Duration]) -> [f64; 4] {
    samples.sort_unstable();
    let at = |p: f64| {
        if samples.is_empty() {
            return 0.0;
        }
        let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
        samples[rank - 1].as_secs_f64() * 1e3
    };
    [at(0.50), at(0.95), at(0.99), at(1.0)]
}

/// Bytes of the database file plus its write-ahead log.
pub fn db_bytes(dir: &Path) -> u64 {
    let size = |name: String| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    size(DB_FILE.to_string()) + size(format!("{DB_FILE}-wal"))
}

/// Folds the write-ahead log back into the database file so sizes are comparable.
pub fn checkpoint(conn: &rusqlite::Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
