//! `mixite bench`: figures about a data folder: search latency (`search`), the real write path
//! (`write`), storage size (`size`), the full backup and its restore (`backup`) and the search box's
//! latency while a backup runs (`search-during-backup`). It owns the subcommand definitions and the shared helpers
//! (percentiles, file sizes); it must not change how the core searches or writes, only measure it.

mod backup;
mod during_backup;
mod search;
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
        What::Size { data_dir } => size::run(&data_dir),
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
