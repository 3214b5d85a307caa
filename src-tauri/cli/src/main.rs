//! `mixite`: the command-line companion of Sportello Mixitè. It owns argument parsing and dispatch to
//! `seed` (demo data), `bench` (search, write and size figures), `catalogue-report` (the catalogue's
//! check dates and source strength) and `pack` (content packs: keys, build, verify); every rule and
//! every write goes
//! through `mixite-core`, and every folder is opened as the app opens it, signed in (`sign_in`). It must not reach into the database behind the core's back except for the
//! read-only sampling and size queries of the benchmarks, and it must never be pointed at a folder
//! holding real applicants' data for `seed` or `bench write` (both add invented cases).

mod audit;
mod bench;
mod catalogue;
mod pack;
mod seed;
mod sign_in;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mixite",
    version,
    about = "Sportello Mixitè: demo data, benchmarks and content packs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill a data folder with synthetic cases (demo data).
    Seed {
        /// The data folder (created if missing).
        #[arg(long)]
        data_dir: PathBuf,
        /// How many cases to add.
        #[arg(long)]
        count: usize,
        /// Random seed: the same seed gives the same cases.
        #[arg(long)]
        seed: Option<u64>,
        /// The day the data ends on (YYYY-MM-DD); default: today.
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// Add to a folder that already holds cases.
        #[arg(long)]
        append: bool,
        /// Also add this many desk contacts over the year up to `--today` (walk-ins and contacts on
        /// the folder's cases), for the reports' benchmark.
        #[arg(long, default_value_t = 0)]
        contacts: usize,
    },
    /// Check a data folder's audit trail (signs in as a responsabile; the passphrase is read from
    /// MIXITE_PASSPHRASE or standard input). Exit code 2 when the trail is broken.
    AuditVerify {
        /// The data folder.
        #[arg(long)]
        data_dir: PathBuf,
        /// The responsabile's name, as in the sign-in list.
        #[arg(long)]
        operator: String,
    },
    /// The procedure catalogue for the responsabile: procedures by last check date, flagged lines
    /// (with the reason), lines resting only on unofficial pages. Reads no data folder.
    CatalogueReport {
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure the register.
    Bench {
        #[command(subcommand)]
        what: bench::What,
    },
    /// Content packs: a signing key, a signed pack from `assets/` and `locales/`, checking a pack.
    Pack {
        #[command(subcommand)]
        what: pack::What,
    },
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

pub type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// An error for the terminal, spelling out field problems when a core error carries them.
pub fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    match e.downcast_ref::<mixite_core::Error>() {
        Some(core) if !core.fields().is_empty() => {
            let fields: Vec<String> = core
                .fields()
                .iter()
                .map(|f| format!("{}: {}", f.field, f.code))
                .collect();
            format!("{core}: {}", fields.join(", "))
        }
        _ => e.to_string(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Seed {
            data_dir,
            count,
            seed,
            today,
            append,
            contacts,
        } => seed::run(&data_dir, count, seed, today, append, contacts),
        Command::Bench { what } => bench::run(what),
        Command::CatalogueReport { json } => catalogue::report(json),
        Command::Pack { what } => pack::run(what),
        Command::AuditVerify { data_dir, operator } => match audit::verify(&data_dir, &operator) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mixite: {}", describe(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}
