//! Cases and their people in SQLite: inserting, updating and reading a case with its applicant, household
//! and history. It owns the mapping between `model` shapes and table rows. It must not validate input
//! (callers pass data already through `validate`) and must not open transactions of its own.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use crate::clock::Clock;
use crate::error::{Error, Missing, Result};
use crate::model::{
    Applicant, CaseData, CaseRef, CaseSummary, CaseView, Filing, HouseholdMember, Permit, Request,
    StepDetails, StepView,
};
use crate::register::steps;
use crate::register::store::name_key;

/// Inserts a new case (already validated) and its intake step; returns its id.
pub fn insert(
    tx: &Transaction,
    data: &CaseData,
    request_id: Option<&str>,
    renewed_from: Option<i64>,
    at: &Clock,
    operator: &str,
) -> Result<i64> {
    use chrono::Datelike;
    let year = i64::from(at.today.year());
    let seq = next_number(tx, year)?;
    let now = at.recorded_at();
    let uuid = uuid::Uuid::new_v4().to_string();
    let row = ImportedRow {
        uuid: &uuid,
        year,
        seq,
        created_at: &now,
        updated_at: &now,
        renewed_from,
        data,
    };
    let id = insert_row(tx, &row, request_id)?;
    steps::record_intake(tx, id, at, operator)?;
    Ok(id)
}

/// A case as another desk stored it, for `insert_imported`: it keeps its UUID, its number (when the
/// caller found it free) and its timestamps; status and revision are settled by
/// `steps::settle_imported` once its history is written.
pub struct ImportedRow<'a> {
    pub uuid: &'a str,
    pub year: i64,
    pub seq: i64,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    pub renewed_from: Option<i64>,
    pub data: &'a CaseData,
}

/// Inserts an imported case (data already validated) without any step; returns its id. The per-year
/// counter is moved past the number so this desk never hands it out again (numbers are never reused).
pub fn insert_imported(tx: &Transaction, row: &ImportedRow) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO case_counter (year, last) VALUES (?1, ?2)
         ON CONFLICT (year) DO UPDATE SET last = max(last, excluded.last)",
    )?
    .execute(params![row.year, row.seq])?;
    insert_row(tx, row, None)
}

/// The case row and its people, status `intake` until steps say otherwise.
fn insert_row(tx: &Transaction, row: &ImportedRow, request_id: Option<&str>) -> Result<i64> {
    let data = row.data;
    let p = &data.current_permit;
    tx.prepare_cached("INSERT INTO cases (uuid, year, seq, number, created_at, updated_at, request_id, renewed_from,
                            procedure, motivo_code, permit_motivo, permit_number, permit_expiry, status, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'intake', ?14)")?.execute(params![
            row.uuid,
            row.year,
            row.seq,
            format!("{}/{:06}", row.year, row.seq),
            row.created_at,
            row.updated_at,
            request_id,
            row.renewed_from,
            data.request.procedure,
            data.request.motivo_code,
            p.motivo_code,
            p.number,
            p.expiry_date,
            data.notes,
        ],
    )?;
    let id = tx.last_insert_rowid();
    insert_people(tx, id, data)?;
    Ok(id)
}

/// Takes the next sequence number of `year` from the counter (what `insert` gives a new case), for an
/// imported case whose own number is taken here.
pub fn next_number(tx: &Transaction, year: i64) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO case_counter (year, last) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last = last + 1
             RETURNING last",
        )?
        .query_row([year], |r| r.get(0))?)
}

/// Whether a case already holds this number (or this year and sequence).
pub fn number_taken(conn: &Connection, year: i64, seq: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM cases WHERE (year = ?1 AND seq = ?2) OR number = ?3)",
        )?
        .query_row(params![year, seq, format!("{year}/{seq:06}")], |r| r.get(0))?)
}

/// The id of the case with this UUID, if any.
/// Whether case `id` exists.
pub fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

/// How many cases there are.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?)
}

pub fn by_uuid(conn: &Connection, uuid: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM cases WHERE uuid = ?1")?
        .query_row([uuid], |r| r.get(0))
        .optional()?)
}

/// The UUID of a case, if it exists.
pub fn uuid_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT uuid FROM cases WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Links a case to the case it renews (an import whose target arrived later in the same archive).
pub fn set_renewed_from(tx: &Transaction, id: i64, renewed_from: i64) -> Result<()> {
    tx.prepare_cached("UPDATE cases SET renewed_from = ?2 WHERE id = ?1")?
        .execute([id, renewed_from])?;
    Ok(())
}

/// Replaces a case's data (already validated), bumping its revision. An anonymised or restricted
/// case is refused (`retention::expect_writable`): neither the form nor an archive rewrites it.
pub fn update(tx: &Transaction, id: i64, data: &CaseData, at: &Clock) -> Result<()> {
    crate::register::retention::expect_writable(tx, id)?;
    let p = &data.current_permit;
    tx.prepare_cached(
        "UPDATE cases SET procedure = ?2, motivo_code = ?3, permit_motivo = ?4, permit_number = ?5,
             permit_expiry = ?6, notes = ?7, revision = revision + 1, updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        data.request.procedure,
        data.request.motivo_code,
        p.motivo_code,
        p.number,
        p.expiry_date,
        data.notes,
        at.recorded_at()
    ])?;
    tx.prepare_cached("DELETE FROM persons WHERE case_id = ?1")?
        .execute([id])?;
    insert_people(tx, id, data)
}

/// The case created with this idempotency key, if any.
pub fn by_request_id(conn: &Connection, request_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM cases WHERE request_id = ?1",
            [request_id],
            |r| r.get(0),
        )
        .optional()?)
}

fn insert_people(tx: &Transaction, case_id: i64, data: &CaseData) -> Result<()> {
    let a = &data.applicant;
    let (d, addr) = (&a.document, &a.address);
    tx.prepare_cached("INSERT INTO persons (case_id, ord, role, surname, given_names, sex, birth_date, birth_place,
             birth_country, citizenships, codice_fiscale, doc_kind, doc_number, doc_authority,
             doc_issue_date, doc_expiry_date, phone, email, street, house_number, postcode, comune,
             province, language, name_key)
         VALUES (?1, 0, 'applicant', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23)")?.execute(params![
            case_id,
            a.surname,
            a.given_names,
            a.sex,
            a.birth_date,
            a.birth_place,
            a.birth_country,
            a.citizenships.join(" "),
            a.codice_fiscale,
            d.kind,
            d.number,
            d.authority,
            d.issue_date,
            d.expiry_date,
            a.phone,
            a.email,
            addr.street,
            addr.house_number,
            addr.postcode,
            addr.comune,
            addr.province,
            a.language,
            name_key(&a.surname, &a.given_names),
        ],
    )?;
    let mut member = tx.prepare_cached(
        "INSERT INTO persons (case_id, ord, role, surname, given_names, sex, birth_date, citizenships,
             codice_fiscale, name_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (i, m) in data.household.iter().enumerate() {
        member.execute(params![
            case_id,
            i as i64 + 1,
            m.relation,
            m.surname,
            m.given_names,
            m.sex,
            m.birth_date,
            m.citizenship,
            m.codice_fiscale,
            name_key(&m.surname, &m.given_names),
        ])?;
    }
    Ok(())
}

/// How a household member files, from their age on `today` (brief §1.1).
pub fn filing(birth_date: &str, today: NaiveDate) -> Filing {
    let age = NaiveDate::parse_from_str(birth_date, "%Y-%m-%d")
        .ok()
        .and_then(|born| today.years_since(born))
        .unwrap_or(u32::MAX);
    match age {
        0..14 => Filing::OnParentApplication,
        14..18 => Filing::OwnMinorPermit,
        _ => Filing::OwnApplication,
    }
}

/// Reads a whole case for the detail screen.
pub fn view(conn: &Connection, id: i64, today: NaiveDate) -> Result<CaseView> {
    let head = conn
        .query_row(
            "SELECT c.uuid, c.number, c.revision, c.created_at, c.updated_at, c.status, c.procedure,
                    c.motivo_code, c.permit_motivo, c.permit_number, c.permit_expiry, c.notes,
                    c.issued_motivo, c.issued_number, c.issued_expiry, r.id, r.number
             FROM cases c LEFT JOIN cases r ON r.id = c.renewed_from WHERE c.id = ?1",
            [id],
            |r| {
                Ok((
                    [
                        r.get::<_, String>(0)?,
                        r.get(1)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ],
                    r.get::<_, i64>(2)?,
                    Request {
                        procedure: r.get(6)?,
                        motivo_code: r.get(7)?,
                    },
                    Permit {
                        motivo_code: r.get(8)?,
                        number: r.get(9)?,
                        expiry_date: r.get(10)?,
                    },
                    r.get::<_, String>(11)?,
                    Permit {
                        motivo_code: r.get(12)?,
                        number: r.get(13)?,
                        expiry_date: r.get(14)?,
                    },
                    match r.get::<_, Option<i64>>(15)? {
                        Some(id) => Some(CaseRef {
                            id,
                            number: r.get(16)?,
                        }),
                        None => None,
                    },
                ))
            },
        )
        .optional()?
        .ok_or(Error::NotFound(Missing::Case))?;
    let (
        [uuid, number, created_at, updated_at, status],
        revision,
        request,
        current_permit,
        notes,
        issued,
        renewed_from,
    ) = head;
    let (applicant, household) = people(conn, id)?;
    let household_filing = household
        .iter()
        .map(|m| filing(&m.birth_date, today))
        .collect();
    Ok(CaseView {
        id,
        uuid,
        number,
        revision,
        created_at,
        updated_at,
        next_steps: steps::next_steps(&status)
            .into_iter()
            .map(String::from)
            .collect(),
        status,
        data: CaseData {
            applicant,
            household,
            current_permit,
            request,
            notes,
        },
        household_filing,
        steps: history(conn, id)?,
        renewed_from,
        issued_permit: (!issued.is_empty()).then_some(issued),
    })
}

fn people(conn: &Connection, case_id: i64) -> Result<(Applicant, Vec<HouseholdMember>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT ord, role, surname, given_names, sex, birth_date, birth_place, birth_country,
                citizenships, codice_fiscale, doc_kind, doc_number, doc_authority, doc_issue_date,
                doc_expiry_date, phone, email, street, house_number, postcode, comune, province, language
         FROM persons WHERE case_id = ?1 ORDER BY ord",
    )?;
    let mut applicant = Applicant::default();
    let mut household = Vec::new();
    let mut rows = stmt.query([case_id])?;
    while let Some(r) = rows.next()? {
        if r.get::<_, i64>(0)? == 0 {
            applicant = applicant_row(r)?;
        } else {
            let citizenships: String = r.get(8)?;
            household.push(HouseholdMember {
                relation: r.get(1)?,
                surname: r.get(2)?,
                given_names: r.get(3)?,
                sex: r.get(4)?,
                birth_date: r.get(5)?,
                citizenship: citizenships,
                codice_fiscale: r.get(9)?,
            });
        }
    }
    Ok((applicant, household))
}

fn applicant_row(r: &Row) -> rusqlite::Result<Applicant> {
    let citizenships: String = r.get(8)?;
    Ok(Applicant {
        surname: r.get(2)?,
        given_names: r.get(3)?,
        sex: r.get(4)?,
        birth_date: r.get(5)?,
        birth_place: r.get(6)?,
        birth_country: r.get(7)?,
        citizenships: citizenships.split_whitespace().map(String::from).collect(),
        codice_fiscale: r.get(9)?,
        document: crate::model::IdDocument {
            kind: r.get(10)?,
            number: r.get(11)?,
            authority: r.get(12)?,
            issue_date: r.get(13)?,
            expiry_date: r.get(14)?,
        },
        phone: r.get(15)?,
        email: r.get(16)?,
        address: crate::model::Address {
            street: r.get(17)?,
            house_number: r.get(18)?,
            postcode: r.get(19)?,
            comune: r.get(20)?,
            province: r.get(21)?,
        },
        language: r.get(22)?,
    })
}

fn history(conn: &Connection, case_id: i64) -> Result<Vec<StepView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.kind, s.date, s.recorded_at, s.operator, s.details, s.note, s.corrects,
                EXISTS (SELECT 1 FROM steps c WHERE c.corrects = s.id)
         FROM steps s WHERE s.case_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([case_id], |r| {
        let details: String = r.get(5)?;
        Ok(StepView {
            id: r.get(0)?,
            kind: r.get(1)?,
            date: r.get(2)?,
            recorded_at: r.get(3)?,
            operator: r.get(4)?,
            // Details were written by this code from the same struct; a row that no longer parses
            // (hand-edited file) shows as empty details rather than hiding the whole case.
            details: serde_json::from_str::<StepDetails>(&details).unwrap_or_default(),
            note: r.get(6)?,
            corrects: r.get(7)?,
            voided: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// List rows for the given case ids, in the order given.
pub fn summaries(conn: &Connection, ids: &[(i64, &'static str)]) -> Result<Vec<CaseSummary>> {
    let json = serde_json::to_string(&ids.iter().map(|(id, _)| id).collect::<Vec<_>>())
        .expect("ids serialise");
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.number, p.surname, p.given_names, p.birth_date, p.citizenships, c.procedure,
                c.motivo_code, c.status, c.permit_expiry, c.updated_at
         FROM cases c JOIN persons p ON p.case_id = c.id AND p.ord = 0
         WHERE c.id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut found: std::collections::HashMap<i64, CaseSummary> = stmt
        .query_map([json], |r| {
            let citizenships: String = r.get(5)?;
            Ok(CaseSummary {
                id: r.get(0)?,
                number: r.get(1)?,
                surname: r.get(2)?,
                given_names: r.get(3)?,
                birth_date: r.get(4)?,
                citizenship: citizenships
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
                procedure: r.get(6)?,
                motivo_code: r.get(7)?,
                status: r.get(8)?,
                permit_expiry: r.get(9)?,
                updated_at: r.get(10)?,
                matched: String::new(),
            })
        })?
        .map(|row| row.map(|s| (s.id, s)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids
        .iter()
        .filter_map(|(id, matched)| {
            found.remove(id).map(|mut s| {
                s.matched = (*matched).to_string();
                s
            })
        })
        .collect())
}

/// The number of the case with `uuid`.
pub fn number_of_uuid(conn: &Connection, uuid: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT number FROM cases WHERE uuid = ?1", [uuid], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The UUID of the case numbered (or identified by UUID as) `query`.
pub fn uuid_of_number(conn: &Connection, query: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT uuid FROM cases WHERE number = ?1 OR uuid = ?1",
            [query],
            |r| r.get(0),
        )
        .optional()?)
}

/// The id of the case with `uuid`.
pub fn id_of_uuid(conn: &Connection, uuid: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM cases WHERE uuid = ?1", [uuid], |r| r.get(0))
        .optional()?)
}
