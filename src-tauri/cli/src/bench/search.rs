//! `mixite bench search`: latency of the search box over a filled folder. It samples stored people,
//! documents, codici fiscali, assicurata and case numbers (read-only queries), turns them into what an
//! operator would type (first keystrokes, name fragments from anywhere in the name, accent-stripped or upper-cased, full
//! names, full and partial document numbers…), warms up, then times `Register::search(query, 0, 25)` per
//! kind and prints p50/p95/p99/max as a table and as one JSON line. It must not write to the folder.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use mixite_core::reference::text;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OptionalExtension};

use super::percentiles;
use crate::Result;

pub(super) const KINDS: [&str; 10] = [
    "name_fragment",
    "short_prefix",
    "full_name",
    "passport",
    "passport_prefix",
    "codice_fiscale",
    "assicurata",
    "case_number",
    "empty",
    "no_match",
];
pub(super) const WARM_UP: usize = 30;
pub(super) const PAGE: usize = 25;

pub fn run(dir: &Path, per_kind: usize, seed: u64) -> Result<()> {
    let (register, _) = crate::sign_in::open(dir)?;
    let conn = register.store().conn();
    let cases = register.case_count()?;
    if cases == 0 {
        return Err(format!("{} holds no cases: run `mixite seed` first", dir.display()).into());
    }
    let mut rng = SmallRng::seed_from_u64(seed);
    let total = per_kind + WARM_UP;
    let mut queries: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for kind in KINDS {
        let list = (0..total)
            .map(|_| sample(conn, &mut rng, kind))
            .collect::<Result<Vec<_>>>()?;
        queries.insert(kind, list);
    }

    // Interleave kinds so no kind profits from a cache warmed by its own previous queries only.
    let mut times: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut hits: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..total {
        for (kind, list) in &queries {
            let kind = *kind;
            let q = &list[i];
            let started = Instant::now();
            let page = register.search(q, 0, PAGE)?;
            let took = started.elapsed();
            if i >= WARM_UP {
                times.entry(kind).or_default().push(took);
                *hits.entry(kind).or_default() += usize::from(!page.items.is_empty());
            }
        }
    }

    println!("search over {cases} cases, {per_kind} queries per kind after {WARM_UP} warm-up, page of {PAGE}");
    println!(
        "{:<16} {:>6} {:>8} {:>8} {:>8} {:>8}  example",
        "kind", "hits%", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut json = serde_json::Map::new();
    for kind in KINDS {
        let samples = times.get_mut(kind).expect("timed");
        let [p50, p95, p99, max] = percentiles(samples);
        let hit = 100.0 * hits[kind] as f64 / per_kind as f64;
        println!(
            "{kind:<16} {hit:>5.0}% {p50:>8.2} {p95:>8.2} {p99:>8.2} {max:>8.2}  {:?}",
            queries[kind][WARM_UP]
        );
        json.insert(
            kind.to_string(),
            serde_json::json!({"p50": r3(p50), "p95": r3(p95), "p99": r3(p99), "max": r3(max), "hitPct": hit.round()}),
        );
    }
    println!(
        "{}",
        serde_json::json!({"bench": "search", "cases": cases, "queries": per_kind, "kinds": json})
    );
    Ok(())
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Something an operator would type for `kind`, taken from a random stored row.
pub(super) fn sample(conn: &Connection, rng: &mut SmallRng, kind: &str) -> Result<String> {
    let max_person: i64 = conn.query_row("SELECT max(id) FROM persons", [], |r| r.get(0))?;
    let max_case: i64 = conn.query_row("SELECT max(id) FROM cases", [], |r| r.get(0))?;
    let max_step: i64 = conn.query_row("SELECT max(id) FROM steps", [], |r| r.get(0))?;
    // A row at or after a random id that satisfies `filter` (wrapping round once).
    let row = |rng: &mut SmallRng, sql: &str, max: i64| -> Result<String> {
        let from = rng.random_range(1..=max);
        let found: Option<String> = conn.query_row(sql, [from], |r| r.get(0)).optional()?;
        match found {
            Some(v) => Ok(v),
            None => Ok(conn.query_row(sql, [0], |r| r.get(0))?),
        }
    };
    Ok(match kind {
        "name_fragment" => {
            let name = row(
                rng,
                "SELECT surname || ' ' || given_names FROM persons WHERE id >= ?1 ORDER BY id LIMIT 1",
                max_person,
            )?;
            let words: Vec<Vec<char>> = name
                .split(|c: char| !c.is_alphabetic())
                .map(|w| w.chars().collect::<Vec<_>>())
                .filter(|w| w.len() >= 3)
                .collect();
            let word = if words.is_empty() {
                name.chars().collect()
            } else {
                words[rng.random_range(0..words.len())].clone()
            };
            let len = rng.random_range(3..=word.len().clamp(3, 6)).min(word.len());
            let start = rng.random_range(0..=word.len() - len);
            let fragment: String = word[start..start + len].iter().collect();
            match rng.random_range(0..3) {
                0 => fragment,
                1 => text::fold(&fragment),
                _ => fragment.to_uppercase(),
            }
        }
        // The first one or two keystrokes of a surname (the list searches as the operator types).
        "short_prefix" => {
            let name = row(
                rng,
                "SELECT name_key FROM persons WHERE id >= ?1 ORDER BY id LIMIT 1",
                max_person,
            )?;
            let len = rng.random_range(1..=2usize).min(name.len());
            name[..len].to_string()
        }
        "full_name" => {
            let (surname, given) = {
                let from = rng.random_range(1..=max_person);
                conn.query_row(
                    "SELECT surname, given_names FROM persons WHERE id >= ?1 ORDER BY id LIMIT 1",
                    [from],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
                )?
            };
            let first = given.split(' ').next().unwrap_or("");
            format!("{surname} {first}").trim().to_string()
        }
        "passport" | "passport_prefix" => {
            let number = row(
                rng,
                "SELECT doc_number FROM persons WHERE id >= ?1 AND ord = 0 AND doc_number <> '' ORDER BY id LIMIT 1",
                max_person,
            )?;
            if kind == "passport" {
                number
            } else {
                number.chars().take(6).collect()
            }
        }
        "codice_fiscale" => row(
            rng,
            "SELECT codice_fiscale FROM persons WHERE id >= ?1 AND codice_fiscale <> '' ORDER BY id LIMIT 1",
            max_person,
        )?,
        "assicurata" => row(
            rng,
            "SELECT assicurata FROM steps WHERE id >= ?1 AND assicurata <> '' ORDER BY id LIMIT 1",
            max_step,
        )?,
        "case_number" => row(
            rng,
            "SELECT number FROM cases WHERE id >= ?1 ORDER BY id LIMIT 1",
            max_case,
        )?,
        "empty" => String::new(),
        // A surname-like word that matches nobody: the worst case of a trigram search.
        _ => {
            let letters: String = (0..7)
                .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
                .collect();
            format!("zq{letters}")
        }
    })
}
