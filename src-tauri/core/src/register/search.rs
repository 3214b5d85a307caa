//! Finding cases from one search box: by any fragment of a person's name (accent- and case-insensitive,
//! through the FTS5 trigram index over folded names), by document number, codice fiscale or assicurata
//! number (prefix, through B-tree indexes), and by case number; plus the duplicate-applicant check. It
//! owns only read queries; it must not write, and it must stay index-backed (the target is p95 ≤ 10 ms at
//! a million cases), so every query here is bounded by a LIMIT.
//!
//! Restricted cases (GDPR art. 18, `retention`) are found by nothing here: every query leaves out the
//! ids of `cases_restricted`'s small partial index (read once per query). Anonymised cases hold no name
//! or code to find; the recent list leaves them out too, and only their case number finds them (to print
//! the deletion receipt again).

use std::collections::HashMap;

use rusqlite::{params, Connection};

use crate::error::Result;
use crate::model::{CaseData, CaseSummary, SearchPage};
use crate::reference::text;
use crate::register::cases;
use crate::register::store::name_key;

/// Most rows a page may hold.
pub const MAX_PAGE: usize = 100;
/// Shortest code fragment searched as a prefix (shorter ones match too much to be useful).
const MIN_CODE_PREFIX: usize = 4;
/// Matches of a short name prefix above which walking people newest-first beats sorting the range.
const DENSE_PREFIX: i64 = 4_000;

/// One page of cases matching `query`; an empty query lists the most recently changed cases.
pub fn search(conn: &Connection, query: &str, offset: usize, limit: usize) -> Result<SearchPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let want = offset + limit + 1;
    let query = query.trim();
    let mut found: HashMap<i64, &'static str> = HashMap::new();
    if query.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM cases WHERE restricted_at IS NULL AND anonymised_at IS NULL
             ORDER BY updated_at DESC, id DESC LIMIT ?1 OFFSET ?2",
        )?;
        let ids: Vec<i64> = stmt
            .query_map(params![limit as i64 + 1, offset as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let has_more = ids.len() > limit;
        let rows: Vec<(i64, &'static str)> =
            ids.into_iter().take(limit).map(|id| (id, "all")).collect();
        return Ok(SearchPage {
            items: cases::summaries(conn, &rows)?,
            has_more,
        });
    }

    // Sources in increasing priority: a later source's label wins for a case found twice.
    let folded = text::fold(query);
    if !folded.is_empty() {
        for (id, ord) in by_name(conn, &folded, want)? {
            found.insert(id, if ord == 0 { "name" } else { "household" });
        }
    }
    let code = text::code_key(query);
    if code.len() >= MIN_CODE_PREFIX {
        let upper = prefix_end(&code);
        // Each query repeats its partial index's `<> ''` condition: without it SQLite may not use the
        // index and instead walks the whole table in `case_id` order to honour ORDER BY … LIMIT.
        // Measured by `mixite bench search`: a full scan (30 ms at 10k cases) before, < 0.1 ms after.
        for (sql, label) in [
            (
                "SELECT DISTINCT case_id FROM persons
                 WHERE doc_number >= ?1 AND doc_number < ?2 AND doc_number <> ''
                   AND case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
                 ORDER BY case_id DESC LIMIT ?3",
                "document",
            ),
            (
                "SELECT DISTINCT case_id FROM steps
                 WHERE assicurata >= ?1 AND assicurata < ?2 AND assicurata <> ''
                   AND case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
                 ORDER BY case_id DESC LIMIT ?3",
                "assicurata",
            ),
            (
                "SELECT DISTINCT case_id FROM persons
                 WHERE codice_fiscale >= ?1 AND codice_fiscale < ?2 AND codice_fiscale <> ''
                   AND case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
                 ORDER BY case_id DESC LIMIT ?3",
                "codice_fiscale",
            ),
        ] {
            let mut stmt = conn.prepare_cached(sql)?;
            let ids = stmt.query_map(params![code, upper, want as i64], |r| r.get::<_, i64>(0))?;
            for id in ids {
                found.insert(id?, label);
            }
        }
    }
    if let Some(number) = case_number(query) {
        let mut stmt = conn
            .prepare_cached("SELECT id FROM cases WHERE number = ?1 AND restricted_at IS NULL")?;
        for id in stmt.query_map([number], |r| r.get::<_, i64>(0))? {
            found.insert(id?, "number");
        }
    }

    let mut ids: Vec<(i64, &'static str)> = found.into_iter().collect();
    ids.sort_unstable_by_key(|&(id, _)| std::cmp::Reverse(id));
    let has_more = ids.len() > offset + limit;
    let page: Vec<_> = ids.into_iter().skip(offset).take(limit).collect();
    Ok(SearchPage {
        items: cases::summaries(conn, &page)?,
        has_more,
    })
}

/// `(case id, person ord)` of people whose folded name contains every word of `folded`.
/// Words of three letters or more go through the trigram index; shorter ones filter those rows, or,
/// when no word is that long, match the start of the name through the B-tree index.
fn by_name(conn: &Connection, folded: &str, want: usize) -> Result<Vec<(i64, i64)>> {
    let words: Vec<&str> = folded.split(' ').collect();
    let long: Vec<&str> = words.iter().copied().filter(|w| w.len() >= 3).collect();
    let rows = if long.is_empty() {
        // A one- or two-letter prefix can match a large share of everyone ("r": 100,000 people at a
        // million cases), and sorting all of them by id costs tens of ms. So first count the index
        // range up to DENSE_PREFIX rows: a sparse prefix reads its range and sorts it; a dense one
        // walks people from the newest (rowid order, no index) and stops at the `want`-th match,
        // which a dense prefix reaches within a few thousand rows.
        let end = prefix_end(folded);
        let dense: bool = conn
            .prepare_cached(
                "SELECT count(*) >= ?3 FROM
                   (SELECT 1 FROM persons WHERE name_key >= ?1 AND name_key < ?2 LIMIT ?3)",
            )?
            .query_row(params![folded, end, DENSE_PREFIX], |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(if dense {
            "SELECT case_id, ord FROM persons NOT INDEXED WHERE name_key >= ?1 AND name_key < ?2
               AND case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
             ORDER BY id DESC LIMIT ?3"
        } else {
            "SELECT case_id, ord FROM persons WHERE name_key >= ?1 AND name_key < ?2
               AND case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
             ORDER BY id DESC LIMIT ?3"
        })?;
        let rows = stmt
            .query_map(params![folded, end, want as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    } else {
        // The index keeps no positions (detail=none, a third of the size), so a word is asked for as
        // all of its trigrams; every word, short ones included, is then checked against the stored key.
        // Folded keys hold only [a-z0-9 ], so the quoted terms need no escaping.
        let mut fts: Vec<String> = long
            .iter()
            .flat_map(|w| (0..=w.len() - 3).map(move |i| format!("\"{}\"", &w[i..i + 3])))
            .collect();
        fts.sort_unstable();
        fts.dedup();
        let mut stmt = conn.prepare_cached(
            "SELECT p.case_id, p.ord, p.name_key FROM person_names f JOIN persons p ON p.id = f.rowid
             WHERE person_names MATCH ?1
               AND p.case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
             ORDER BY f.rowid DESC",
        )?;
        let mut out = Vec::new();
        let mut rows = stmt.query([fts.join(" AND ")])?;
        while let Some(r) = rows.next()? {
            let key: String = r.get(2)?;
            if words.iter().all(|w| key.contains(w)) {
                out.push((r.get(0)?, r.get(1)?));
                if out.len() >= want {
                    break;
                }
            }
        }
        out
    };
    Ok(rows)
}

/// The smallest string greater than every string starting with `prefix` (for index range scans).
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_string();
    end.push(char::MAX);
    end
}

/// `2026/123` or `2026/000123` → `2026/000123`.
fn case_number(query: &str) -> Option<String> {
    let (year, seq) = query.split_once('/')?;
    let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    let seq_ok = !seq.is_empty() && seq.len() <= 6 && seq.bytes().all(|b| b.is_ascii_digit());
    if !(year_ok && seq_ok) {
        return None;
    }
    Some(format!("{year}/{:06}", seq.parse::<u32>().ok()?))
}

/// Cases whose applicant or household holds the same person as `data`'s applicant: same folded name
/// and birth date, or the same document number. `except` leaves out the case being edited.
pub fn duplicates(
    conn: &Connection,
    data: &CaseData,
    except: Option<i64>,
) -> Result<Vec<CaseSummary>> {
    let a = &data.applicant;
    let key = name_key(&a.surname, &a.given_names);
    let doc = text::code_key(&a.document.number);
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT case_id FROM persons
         WHERE ((name_key = ?1 AND birth_date = ?2 AND ?2 <> '') OR (doc_number = ?3 AND ?3 <> ''))
           AND case_id IS NOT ?4
           AND case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
         ORDER BY case_id DESC LIMIT 20",
    )?;
    let ids: Vec<(i64, &'static str)> = stmt
        .query_map(params![key, a.birth_date.trim(), doc, except], |r| {
            r.get::<_, i64>(0)
        })?
        .map(|id| id.map(|id| (id, "duplicate")))
        .collect::<rusqlite::Result<_>>()?;
    cases::summaries(conn, &ids)
}

/// The other cases of the same family as case `id`: cases whose applicant is one of this case's
/// household, or whose household holds this case's applicant or one of its members (same folded name
/// and birth date). The applicant's own other cases (earlier renewals) are not family and are left
/// out. For copying "the whole household" to a stick in one file.
pub fn household(conn: &Connection, id: i64) -> Result<Vec<CaseSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT other.case_id FROM persons mine
         JOIN persons other ON other.name_key = mine.name_key AND other.birth_date = mine.birth_date
         WHERE mine.case_id = ?1 AND other.case_id <> ?1 AND mine.birth_date <> ''
           AND mine.name_key <> ''
           AND other.case_id NOT IN (SELECT id FROM cases WHERE restricted_at IS NOT NULL)
           AND other.case_id NOT IN (
             SELECT theirs.case_id FROM persons me
             JOIN persons theirs ON theirs.name_key = me.name_key AND theirs.birth_date = me.birth_date
             WHERE me.case_id = ?1 AND me.ord = 0 AND theirs.ord = 0)
         ORDER BY other.case_id DESC LIMIT 20",
    )?;
    let ids: Vec<(i64, &'static str)> = stmt
        .query_map([id], |r| r.get::<_, i64>(0))?
        .map(|id| id.map(|id| (id, "household")))
        .collect::<rusqlite::Result<_>>()?;
    cases::summaries(conn, &ids)
}
