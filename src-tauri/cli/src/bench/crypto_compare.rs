//! `mixite bench crypto-compare`: what SQLCipher costs the desk, encrypted against plain in one run. It
//! keeps two folders of the same demo cases under a work folder: `plain-<count>` (opened with
//! `Register::open_plain`, as the version before encryption kept its register) and `encrypted-<count>`
//! (opened with `Register::open` and the fixed `BENCH_KEY`, without a key ring), seeding each through
//! `mixite_demo::fill` with the same seed and the same last day when it does not hold the cases yet.
//! Then it times the search box as `bench search` does (the same mix of kinds, the same queries on both,
//! which must find the same pages) and the write path as `bench write` does (`Register::create`, then
//! `Register::add_step`, synchronous, one transaction each) on copies of the two folders, so that the
//! seeded ones stay as they were; and, to explain the figures, the time to read every page of each
//! database once. It prints both figures and their ratio (encrypted / plain), as a table and as one
//! JSON line.
//!
//! Only one register is open at a time, as in the app: this build of SQLite (rusqlite's bundled
//! SQLCipher, `SQLITE_ENABLE_MEMORY_MANAGEMENT`) lets all the connections of a process share one page
//! cache, so two registers open side by side evict each other's pages, and an encrypted page evicted
//! costs a decryption to read again: interleaving queries between two open registers gave figures that
//! flipped from run to run. The work is cut into rounds instead, the flavour going first alternating, so
//! that a change in the machine's load (builds running beside) falls on both.
//!
//! It owns the two folders' layout and the bench key; it must not change how the core opens, searches or
//! writes (no pragma of its own, except the encrypted register's page cache when `--encrypted-cache-mib`
//! asks, to see what a larger cache would buy back: the run then says so), and the folders it makes hold
//! invented cases only. The encrypted one has no key ring: the app cannot open it, only this benchmark
//! can.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use mixite_core::model::StepInput;
use mixite_core::register::access;
use mixite_core::register::keys::DbKey;
use mixite_core::register::operators::{Actor, Role};
use mixite_core::register::store::DB_FILE;
use mixite_core::{Clock, NewCase, Register};
use mixite_demo::Generator;
use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::search::{sample, KINDS, PAGE, WARM_UP};
use super::{checkpoint, db_bytes, percentiles};
use crate::Result;

/// The key of every encrypted benchmark folder: fixed so a folder seeded once is reused by later runs.
/// Not a secret: these folders hold invented cases only.
const BENCH_KEY: [u8; 32] = *b"mixite bench key: not a secret!!";

/// The writer of the timed writes (the audit trail needs an operator; no sign-in is measured here).
const BENCH_OPERATOR: &str = "Operatore Banco";

/// A register as the previous version kept it, or as this one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Plain,
    Encrypted,
}

impl Flavour {
    pub const BOTH: [Flavour; 2] = [Flavour::Plain, Flavour::Encrypted];

    pub fn name(self) -> &'static str {
        match self {
            Flavour::Plain => "plain",
            Flavour::Encrypted => "encrypted",
        }
    }

    /// The folder of this flavour's `count` cases under `work`.
    pub fn folder(self, work: &Path, count: usize) -> PathBuf {
        work.join(format!("{}-{count}", self.name()))
    }

    /// Opens (creating when missing) the register of `dir` the way this flavour keeps it. An encrypted
    /// open of a plain register would convert it: that folder is refused instead.
    pub fn open(self, dir: &Path) -> Result<Register> {
        match self {
            Flavour::Plain => Ok(Register::open_plain(dir)?),
            Flavour::Encrypted => {
                if access::readiness(dir)?.plain_register {
                    return Err(format!(
                        "{} holds a plain register, not an encrypted benchmark folder",
                        dir.display()
                    )
                    .into());
                }
                Ok(Register::open(dir, &DbKey::from_bytes(BENCH_KEY))?)
            }
        }
    }
}

/// The last day of the seeded cases: fixed, so the two folders (and a later run's) hold the same cases
/// whatever the date.
fn seed_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("a real day")
}

/// The register of `dir` holding `count` demo cases (seed `seed`, up to `seed_day`), seeded now when the
/// folder is new or empty; with the seconds the seeding took (`None` when the folder was reused). A
/// folder holding another number of cases is refused (remove it, or choose another work folder).
pub fn seeded(
    flavour: Flavour,
    dir: &Path,
    count: usize,
    seed: u64,
) -> Result<(Register, Option<f64>)> {
    let mut register = flavour.open(dir)?;
    let have = register.case_count()? as usize;
    if have == count {
        return Ok((register, None));
    }
    if have != 0 {
        return Err(format!(
            "{} holds {have} cases, not {count}: remove it or choose another --work-dir",
            dir.display()
        )
        .into());
    }
    eprintln!(
        "seeding {count} cases into {} ({})",
        dir.display(),
        flavour.name()
    );
    let started = Instant::now();
    mixite_demo::fill(&mut register, count, seed, seed_day(), |done| {
        let secs = started.elapsed().as_secs_f64();
        eprint!(
            "\r{done:>9}/{count} cases  {:>8.0} cases/s  {secs:>7.1} s",
            done as f64 / secs.max(1e-9)
        );
    })?;
    eprintln!();
    checkpoint(register.store().conn())?;
    Ok((register, Some(started.elapsed().as_secs_f64())))
}

/// The page size, and for an encrypted register what SQLCipher says of its connection: its version,
/// its own page size and whether it wipes the memory it frees (a known slowdown when on). Both
/// flavours run on the same library (SQLCipher), the plain one without a key.
fn cipher_settings(flavour: Flavour, register: &Register) -> String {
    let conn = register.store().conn();
    let read = |pragma: &str| -> String {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap_or_else(|e| format!("({e})"))
    };
    match flavour {
        Flavour::Plain => format!("page {} B, no key", read("page_size")),
        Flavour::Encrypted => format!(
            "page {} B, SQLCipher {}, cipher_page_size {}, cipher_memory_security {}",
            read("page_size"),
            read("cipher_version"),
            read("cipher_page_size"),
            read("cipher_memory_security")
        ),
    }
}

/// One flavour's timings per kind, and the page each query found (case numbers, then `has_more`), by
/// kind and query index.
#[derive(Default)]
struct Searched {
    times: BTreeMap<&'static str, Vec<Duration>>,
    pages: BTreeMap<(&'static str, usize), Vec<String>>,
}

/// The flavour going first in round `round` (alternating).
fn order(round: usize) -> [Flavour; 2] {
    if round.is_multiple_of(2) {
        Flavour::BOTH
    } else {
        [Flavour::Encrypted, Flavour::Plain]
    }
}

/// Runs `WARM_UP` queries per kind untimed, then times the queries of `round` (every `rounds`-th one),
/// the kinds interleaved as in `bench search`.
fn search_round(
    register: &Register,
    queries: &BTreeMap<&'static str, Vec<String>>,
    round: usize,
    rounds: usize,
    into: &mut Searched,
) -> Result<()> {
    let count = queries.values().map(Vec::len).min().unwrap_or(0);
    let warm_up = (0..WARM_UP.min(count)).map(|i| (i, false));
    let timed = (WARM_UP..count)
        .filter(|i| (i - WARM_UP) % rounds == round)
        .map(|i| (i, true));
    for (i, timed) in warm_up.chain(timed) {
        for (kind, list) in queries {
            let started = Instant::now();
            let page = register.search(&list[i], 0, PAGE)?;
            let took = started.elapsed();
            if timed {
                into.times.entry(kind).or_default().push(took);
                let mut found: Vec<String> = page.items.into_iter().map(|c| c.number).collect();
                found.push(page.has_more.to_string());
                into.pages.insert((kind, i), found);
            }
        }
    }
    Ok(())
}

/// Reads every page of the register's database (through `dbstat`, which walks every b-tree) twice and
/// gives the page count and the second pass's time (the first brings the file into the system's
/// cache): the price of a page that is not in SQLite's own cache.
fn read_every_page(register: &Register) -> Result<(i64, Duration)> {
    let conn = register.store().conn();
    let pass = || -> Result<(i64, Duration)> {
        let started = Instant::now();
        let pages: i64 = conn.query_row("SELECT count(*) FROM dbstat", [], |r| r.get(0))?;
        Ok((pages, started.elapsed()))
    };
    pass()?;
    pass()
}

/// Per-operation latencies of the timed writes of one flavour.
#[derive(Default)]
struct Writes {
    creates: Vec<Duration>,
    steps: Vec<Duration>,
}

/// Opens the register of `flavour` for timing: as the app does, except the encrypted register's page
/// cache when `Options::encrypted_cache_mib` sets it.
fn open_timed(flavour: Flavour, o: &Options, dir: &Path) -> Result<Register> {
    let register = flavour.open(dir)?;
    if let (Flavour::Encrypted, Some(mib)) = (flavour, o.encrypted_cache_mib) {
        let kib = -(i64::from(mib) * 1024);
        register
            .store()
            .conn()
            .pragma_update(None, "cache_size", kib)?;
    }
    Ok(register)
}

/// Copies the (checkpointed, closed) register of `from` into a new folder `to`, for writes that must
/// not change the seeded folder.
fn copy_register(from: &Path, to: &Path) -> Result<()> {
    if from
        .join(format!("{DB_FILE}-wal"))
        .metadata()
        .is_ok_and(|m| m.len() > 0)
    {
        return Err(format!("{} still has a write-ahead log", from.display()).into());
    }
    private_dir(to)?;
    std::fs::copy(from.join(DB_FILE), to.join(DB_FILE))?;
    Ok(())
}

/// Creates a folder (and its parents) readable by its owner only, as the app creates a data folder.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates the cases of `drafts` in `register`, then records a step on each, timing each call.
fn write_round(
    register: &mut Register,
    drafts: &[mixite_core::model::CaseData],
    into: &mut Writes,
) -> Result<()> {
    let clock = Clock::system();
    let actor = Actor::unchecked("bench-operator", BENCH_OPERATOR, Role::Operatore);
    let step = StepInput {
        kind: "documents_pending".into(),
        date: clock.today.format("%Y-%m-%d").to_string(),
        ..StepInput::default()
    };
    let mut created = Vec::with_capacity(drafts.len());
    for data in drafts {
        let new = NewCase {
            data: data.clone(),
            ..NewCase::default()
        };
        let started = Instant::now();
        let view = register.create(&new, &clock, &actor)?;
        into.creates.push(started.elapsed());
        created.push((view.id, view.revision));
    }
    for (id, revision) in created {
        let started = Instant::now();
        register.add_step(id, revision, &step, &clock, &actor)?;
        into.steps.push(started.elapsed());
    }
    Ok(())
}

/// Times the writes in copies of the two folders made under `scratch` (which the caller removes):
/// `Options::writes` cases in `Options::rounds` rounds, each round the same cases in each copy, one copy
/// open at a time.
fn time_writes(o: &Options, scratch: &Path) -> Result<BTreeMap<&'static str, Writes>> {
    let mut copies = BTreeMap::new();
    for flavour in Flavour::BOTH {
        let copy = scratch.join(flavour.name());
        copy_register(&flavour.folder(&o.work, o.count), &copy)?;
        copies.insert(flavour.name(), copy);
    }
    let reference = mixite_core::reference::Reference::bundled()?;
    // Other cases than the seeded ones (another seed), the same in both copies.
    let mut generator = Generator::new(&reference, o.seed ^ 0x5752_4954);
    let today = Clock::system().today;
    let drafts: Vec<_> = (0..o.writes).map(|_| generator.data(today)).collect();
    let per_round = o.writes.div_ceil(o.rounds.max(1)).max(1);
    let mut writes: BTreeMap<&'static str, Writes> = BTreeMap::new();
    for (round, chunk) in drafts.chunks(per_round).enumerate() {
        for flavour in order(round) {
            let mut register = open_timed(flavour, o, &copies[flavour.name()])?;
            write_round(
                &mut register,
                chunk,
                writes.entry(flavour.name()).or_default(),
            )?;
        }
    }
    Ok(writes)
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Encrypted over plain, two decimals (0 when plain is 0).
fn ratio(encrypted: f64, plain: f64) -> f64 {
    if plain <= 0.0 {
        return 0.0;
    }
    (encrypted / plain * 100.0).round() / 100.0
}

pub struct Options {
    /// Where the two folders are kept.
    pub work: PathBuf,
    /// Cases in each folder.
    pub count: usize,
    /// Timed queries per kind, on each register.
    pub queries: usize,
    /// Cases created (and steps recorded) in a copy of each folder.
    pub writes: usize,
    /// Rounds the searches and the writes are cut into (the flavour going first alternating).
    pub rounds: usize,
    /// The demo-data seed of both folders.
    pub seed: u64,
    /// The seed the queries are drawn with.
    pub query_seed: u64,
    /// The encrypted register's page cache in MiB for the timed searches and writes (`PRAGMA
    /// cache_size`), instead of the app's; `None`: as the app opens it.
    pub encrypted_cache_mib: Option<u32>,
}

pub fn run(o: &Options) -> Result<()> {
    let rounds = o.rounds.max(1);
    let mut seeding = BTreeMap::new();
    let mut sizes = BTreeMap::new();
    let mut counts = Vec::new();
    for flavour in Flavour::BOTH {
        let dir = flavour.folder(&o.work, o.count);
        let (register, secs) = seeded(flavour, &dir, o.count, o.seed)?;
        checkpoint(register.store().conn())?;
        seeding.insert(flavour.name(), secs);
        sizes.insert(flavour.name(), db_bytes(&dir));
        counts.push(register.case_count()?);
        println!(
            "{:<9} {} cases, {:.1} MiB ({}){}",
            flavour.name(),
            register.case_count()?,
            db_bytes(&dir) as f64 / 1_048_576.0,
            cipher_settings(flavour, &register),
            secs.map_or_else(
                || ", reused".to_string(),
                |s| format!(", seeded in {s:.1} s")
            )
        );
    }
    if counts[0] != counts[1] {
        return Err("the two folders hold different numbers of cases".into());
    }
    if let Some(mib) = o.encrypted_cache_mib {
        println!(
            "NOT AS THE APP: the encrypted register's page cache is {mib} MiB for the timed \
             searches and writes"
        );
    }

    // The same queries on both: drawn from the plain folder, whose rows the encrypted one repeats.
    let total = o.queries + WARM_UP;
    let mut queries: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    {
        let register = Flavour::Plain.open(&Flavour::Plain.folder(&o.work, o.count))?;
        let mut rng = SmallRng::seed_from_u64(o.query_seed);
        for kind in KINDS {
            let list = (0..total)
                .map(|_| sample(register.store().conn(), &mut rng, kind))
                .collect::<Result<Vec<_>>>()?;
            queries.insert(kind, list);
        }
    }
    let mut searched: BTreeMap<&'static str, Searched> = BTreeMap::new();
    for round in 0..rounds {
        for flavour in order(round) {
            let register = open_timed(flavour, o, &flavour.folder(&o.work, o.count))?;
            let into = searched.entry(flavour.name()).or_default();
            search_round(&register, &queries, round, rounds, into)?;
        }
    }
    let differing = searched["plain"]
        .pages
        .iter()
        .filter(|(at, page)| searched["encrypted"].pages.get(at) != Some(page))
        .count();
    if differing > 0 {
        return Err(format!(
            "{differing} queries found different pages in the two folders: not the same cases"
        )
        .into());
    }

    let json_search = report_searches(&searched, o.queries, rounds);
    let json_pages = report_page_reads(o)?;

    // Writes go to copies: the seeded folders keep exactly `count` cases for the next run.
    let mut json_writes = serde_json::Value::Null;
    if o.writes > 0 {
        let scratch = o.work.join(format!("writes-{}", std::process::id()));
        let timed = time_writes(o, &scratch);
        let removed = std::fs::remove_dir_all(&scratch);
        let mut writes = timed?;
        removed?;
        json_writes = report_writes(&mut writes, o.writes, rounds);
    }

    println!(
        "{}",
        serde_json::json!({
            "bench": "crypto_compare", "cases": o.count, "queries": o.queries, "writes": o.writes,
            "rounds": rounds, "encryptedCacheMiB": o.encrypted_cache_mib, "seedSeconds": seeding,
            "dbBytes": sizes, "search": json_search, "everyPage": json_pages, "write": json_writes,
        })
    );
    Ok(())
}

/// Prints the search table (per kind and over the mix: p50, p95 of each flavour, their ratios, the
/// share of queries that found something) and returns it as JSON.
fn report_searches(
    searched: &BTreeMap<&'static str, Searched>,
    queries: usize,
    rounds: usize,
) -> serde_json::Value {
    println!(
        "\nsearch: {queries} queries per kind in {rounds} rounds (each after {WARM_UP} warm-up per \
         kind), page of {PAGE}, the same queries on both, one register open at a time, ms"
    );
    println!(
        "{:<16} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>6}",
        "kind", "plain p50", "p95", "encr p50", "p95", "×p50", "×p95", "hits%"
    );
    let hits = |kinds: &[&str]| -> f64 {
        let pages = &searched["plain"].pages;
        let hit = pages
            .iter()
            .filter(|((k, _), page)| kinds.contains(k) && page.len() > 1)
            .count();
        let all = pages.keys().filter(|(k, _)| kinds.contains(k)).count();
        100.0 * hit as f64 / all.max(1) as f64
    };
    let mut rows: Vec<(&str, [f64; 4], [f64; 4], f64)> = Vec::new();
    for kind in KINDS {
        let of = |flavour: &str| percentiles(&mut searched[flavour].times[kind].clone());
        rows.push((kind, of("plain"), of("encrypted"), hits(&[kind])));
    }
    let pooled = |flavour: &str| -> [f64; 4] {
        let mut all: Vec<Duration> = searched[flavour]
            .times
            .values()
            .flatten()
            .copied()
            .collect();
        percentiles(&mut all)
    };
    rows.push((
        "all (the mix)",
        pooled("plain"),
        pooled("encrypted"),
        hits(&KINDS),
    ));
    let mut json = serde_json::Map::new();
    for (kind, p, e, hit) in &rows {
        println!(
            "{kind:<16} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>7.2} {:>7.2} {hit:>5.0}%",
            p[0],
            p[1],
            e[0],
            e[1],
            ratio(e[0], p[0]),
            ratio(e[1], p[1]),
        );
        let figures = |x: &[f64; 4]| serde_json::json!({"p50": r3(x[0]), "p95": r3(x[1]), "p99": r3(x[2]), "max": r3(x[3])});
        json.insert(
            kind.to_string(),
            serde_json::json!({
                "plain": figures(p), "encrypted": figures(e),
                "ratioP50": ratio(e[0], p[0]), "ratioP95": ratio(e[1], p[1]), "hitPct": hit.round(),
            }),
        );
    }
    json.into()
}

/// Reads every page of each register (`read_every_page`), one register open at a time; prints and
/// returns the time a page costs each.
fn report_page_reads(o: &Options) -> Result<serde_json::Value> {
    let mut json = serde_json::Map::new();
    let mut per_page = Vec::new();
    println!("\nevery page read once (dbstat, the file in the system's cache):");
    for flavour in Flavour::BOTH {
        let register = flavour.open(&flavour.folder(&o.work, o.count))?;
        let (pages, took) = read_every_page(&register)?;
        let us = took.as_secs_f64() * 1e6 / pages.max(1) as f64;
        println!(
            "{:<10} {pages} pages in {:.0} ms, {us:.2} µs a page",
            flavour.name(),
            took.as_secs_f64() * 1e3
        );
        per_page.push(us);
        json.insert(
            flavour.name().to_string(),
            serde_json::json!({"pages": pages, "ms": r3(took.as_secs_f64() * 1e3), "usPerPage": r3(us)}),
        );
    }
    let times = ratio(per_page[1], per_page[0]);
    println!("{:<10} ×{times:.2}", "");
    json.insert("ratio".into(), times.into());
    Ok(json.into())
}

/// Prints the write table (cases and steps per second, p50 and p95 of each call, the ratios of the
/// rates) and returns it as JSON.
fn report_writes(
    writes: &mut BTreeMap<&'static str, Writes>,
    count: usize,
    rounds: usize,
) -> serde_json::Value {
    println!(
        "\nwrites: {count} cases created, then a step on each, in {rounds} rounds, into copies of the \
         folders (synchronous = FULL, one transaction each)"
    );
    println!(
        "{:<10} {:>9} {:>9} {:>11} {:>11} {:>9} {:>9}",
        "", "cases/s", "steps/s", "create p50", "create p95", "step p50", "step p95"
    );
    let mut json = serde_json::Map::new();
    let mut rates = Vec::new();
    for flavour in Flavour::BOTH {
        let w = writes.get_mut(flavour.name()).expect("written");
        let secs = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64();
        let cases_per_s = w.creates.len() as f64 / secs(&w.creates).max(1e-9);
        let steps_per_s = w.steps.len() as f64 / secs(&w.steps).max(1e-9);
        let create = percentiles(&mut w.creates);
        let step = percentiles(&mut w.steps);
        println!(
            "{:<10} {cases_per_s:>9.0} {steps_per_s:>9.0} {:>11.2} {:>11.2} {:>9.2} {:>9.2}",
            flavour.name(),
            create[0],
            create[1],
            step[0],
            step[1]
        );
        json.insert(
            flavour.name().to_string(),
            serde_json::json!({
                "casesPerSecond": cases_per_s.round(), "stepsPerSecond": steps_per_s.round(),
                "createP50": r3(create[0]), "createP95": r3(create[1]),
                "stepP50": r3(step[0]), "stepP95": r3(step[1]),
            }),
        );
        rates.push((cases_per_s, steps_per_s));
    }
    let (cases, steps) = (ratio(rates[1].0, rates[0].0), ratio(rates[1].1, rates[0].1));
    println!(
        "{:<10} {cases:>9.2} {steps:>9.2}  (encrypted rate / plain rate)",
        "×"
    );
    json.insert("ratioCases".into(), cases.into());
    json.insert("ratioSteps".into(), steps.into());
    json.into()
}
