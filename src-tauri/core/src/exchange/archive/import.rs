//! Importing a verified archive: cases new here inserted with their UUID, history and (when free)
//! number, identical ones left alone, differing ones reported as conflicts until the operator chooses,
//! all in one transaction with the papers the archive brings. It must not overwrite a local case silently.

use super::*;

/// What to do with a case that exists here (same UUID) and differs from the archive's copy. On the
/// wire `keepLocal` / `takeArchive`; anything else is refused, never read as one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportChoice {
    /// Leave the local case as it is.
    KeepLocal,
    /// Take the archive's data; its history entries missing here are appended (the local history is
    /// append-only and stays), status follows the merged history.
    TakeArchive,
}

/// One case that exists here and differs from the archive's copy: both versions side by side, and
/// the parts that differ, so the operator can choose knowing what each choice keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportConflict {
    pub uuid: String,
    pub local: ConflictSide,
    pub archive: ConflictSide,
    /// Which parts differ: `applicant`, `household`, `current_permit`, `request`, `notes`, `history`,
    /// `status` (UI labels `ui.usb.part.<name>`).
    pub differences: Vec<&'static str>,
}

/// One version of a conflicting case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictSide {
    pub number: String,
    pub revision: i64,
    pub updated_at: String,
    pub status: String,
    /// Surname and given names, as the operator knows the applicant.
    pub name: String,
    /// Entries in the history.
    pub steps: usize,
}

impl ConflictSide {
    fn of(case: &ArchivedCase) -> ConflictSide {
        let applicant = &case.data.applicant;
        ConflictSide {
            number: case.number.clone(),
            revision: case.revision,
            updated_at: case.updated_at.clone(),
            status: case.status.clone(),
            name: format!("{} {}", applicant.surname, applicant.given_names)
                .trim()
                .to_string(),
            steps: case.steps.len(),
        }
    }
}

fn differences(local: &ArchivedCase, archived: &ArchivedCase) -> Vec<&'static str> {
    let (a, b) = (&local.data, &archived.data);
    [
        ("applicant", a.applicant != b.applicant),
        ("household", a.household != b.household),
        ("current_permit", a.current_permit != b.current_permit),
        ("request", a.request != b.request),
        ("notes", a.notes != b.notes),
        ("history", local.steps != archived.steps),
        (
            "status",
            local.status != archived.status || local.issued_permit != archived.issued_permit,
        ),
    ]
    .into_iter()
    .filter_map(|(part, differs)| differs.then_some(part))
    .collect()
}

/// A case created by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedCase {
    pub uuid: String,
    pub id: i64,
    /// The number it has here.
    pub number: String,
    /// The number it had in the archive (differs when that number was taken here).
    pub archive_number: String,
}

/// The outcome of `import`. When `conflicts` is not empty, nothing was written: the caller asks the
/// operator and calls `import` again with a choice for each listed UUID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub applied: bool,
    pub inserted: Vec<ImportedCase>,
    /// UUIDs identical here and in the archive.
    pub unchanged: Vec<String>,
    /// UUIDs replaced by the archive's copy (`TakeArchive`).
    pub replaced: Vec<String>,
    /// UUIDs left as they are here (`KeepLocal`).
    pub kept_local: Vec<String>,
    /// Papers the archive brought that the cases here did not have (filed in the print folder).
    pub papers: usize,
    pub conflicts: Vec<ImportConflict>,
}

enum Plan<'a> {
    Insert(&'a ArchivedCase),
    Replace(i64, Box<ArchivedCase>, &'a ArchivedCase),
}

/// Whether the local copy is the archive's copy: same revision, data and history. The number may
/// differ (renumbered on an earlier import) and so may `updated_at` (the clock of the other desk).
fn same_case(local: &ArchivedCase, archived: &ArchivedCase) -> bool {
    local.revision == archived.revision
        && local.created_at == archived.created_at
        && local.status == archived.status
        && local.renewed_from == archived.renewed_from
        && local.issued_permit == archived.issued_permit
        && local.data == archived.data
        && local.steps == archived.steps
}

/// An import worked out against the register without writing anything: what is new, identical,
/// kept, replaced, and the conflicts still waiting for the operator's choice.
pub struct Prepared<'a> {
    report: ImportReport,
    plans: Vec<Plan<'a>>,
}

/// Works out an import (see `import`); nothing is written.
pub fn prepare<'a>(
    register: &Register,
    archive: &'a Archive,
    choices: &HashMap<String, ImportChoice>,
    at: &Clock,
) -> Result<Prepared<'a>> {
    let mut report = ImportReport::default();
    let mut plans = Vec::new();
    for archived in &archive.cases {
        let local_id = cases::by_uuid(register.store().conn(), &archived.uuid)?;
        let Some(local_id) = local_id else {
            plans.push(Plan::Insert(archived));
            continue;
        };
        let view = register.get(local_id, at.today)?;
        let local = archived_of(register, &view)?;
        if same_case(&local, archived) {
            report.unchanged.push(archived.uuid.clone());
            continue;
        }
        match choices.get(&archived.uuid) {
            None => report.conflicts.push(ImportConflict {
                uuid: archived.uuid.clone(),
                local: ConflictSide::of(&local),
                archive: ConflictSide::of(archived),
                differences: differences(&local, archived),
            }),
            Some(ImportChoice::KeepLocal) => report.kept_local.push(archived.uuid.clone()),
            Some(ImportChoice::TakeArchive) => {
                plans.push(Plan::Replace(local_id, Box::new(local), archived))
            }
        }
    }
    Ok(Prepared { report, plans })
}

impl Prepared<'_> {
    /// A case differs here and the operator has not chosen: nothing may be written.
    pub fn waits_for_choices(&self) -> bool {
        !self.report.conflicts.is_empty()
    }

    /// The report as it stands (with the conflicts, when there are any).
    pub fn into_report(self) -> ImportReport {
        self.report
    }

    /// Writes the import in one transaction, running `also` inside it after the cases (what the
    /// caller records with them, such as the archive's papers). Refused while choices are missing.
    pub fn apply(
        self,
        register: &mut Register,
        at: &Clock,
        also: impl FnOnce(&rusqlite::Transaction) -> Result<()>,
    ) -> Result<ImportReport> {
        if self.waits_for_choices() {
            return Ok(self.report);
        }
        let mut report = self.report;
        let (inserted, replaced) = register.store_mut().write(|tx| {
            let written = write_plans(tx, &self.plans, at)?;
            also(tx)?;
            Ok(written)
        })?;
        report.inserted = inserted;
        report.replaced = replaced;
        report.applied = true;
        Ok(report)
    }
}

/// Imports a verified archive's cases into the register in one transaction. Cases new here are
/// inserted with their UUID, history and (when free) number; cases identical here are left alone
/// (importing a file twice changes nothing); a case that differs here is a conflict unless `choices`
/// says what to do with its UUID. Any conflict without a choice: nothing is written and the report
/// lists them all. The archive's papers are not filed here: `papers::folder::import_archive` files
/// them with the cases.
pub fn import(
    register: &mut Register,
    archive: &Archive,
    choices: &HashMap<String, ImportChoice>,
    at: &Clock,
) -> Result<ImportReport> {
    prepare(register, archive, choices, at)?.apply(register, at, |_| Ok(()))
}

fn write_plans(
    tx: &rusqlite::Transaction,
    plans: &[Plan],
    at: &Clock,
) -> Result<(Vec<ImportedCase>, Vec<String>)> {
    let mut inserted = Vec::new();
    let mut replaced = Vec::new();
    let mut links = Vec::new();
    // The activity codes the contacts' services are stored against (the register's own table).
    let contacts = activity::Table::bundled()?;
    for plan in plans {
        match plan {
            Plan::Insert(case) => {
                let (year, seq) =
                    parse_number(&case.number).ok_or(archive_err(ArchiveCode::InvalidCaseData))?;
                let (year, seq) = if cases::number_taken(tx, year, seq)? {
                    let year = i64::from(at.today.year());
                    (year, cases::next_number(tx, year)?)
                } else {
                    (year, seq)
                };
                let id = cases::insert_imported(
                    tx,
                    &cases::ImportedRow {
                        uuid: &case.uuid,
                        year,
                        seq,
                        created_at: &case.created_at,
                        updated_at: &case.updated_at,
                        renewed_from: None,
                        data: &case.data,
                    },
                )?;
                let mut ids: Vec<i64> = Vec::with_capacity(case.steps.len());
                for step in &case.steps {
                    let corrects = step.corrects.and_then(|j| ids.get(j).copied());
                    ids.push(steps::append_recorded(tx, id, &recorded(step, corrects))?);
                }
                steps::settle_imported(tx, id, case.revision, &case.updated_at)?;
                activity::insert_recorded(tx, &contacts, id, &case.desk_contacts)?;
                if let Some(from) = &case.renewed_from {
                    links.push((id, from.clone()));
                }
                inserted.push(ImportedCase {
                    uuid: case.uuid.clone(),
                    id,
                    number: format!("{year}/{seq:06}"),
                    archive_number: case.number.clone(),
                });
            }
            Plan::Replace(id, local, case) => {
                replace(tx, *id, local, case, at)?;
                // The archive's contacts the case does not have here are added.
                activity::insert_recorded(tx, &contacts, *id, &case.desk_contacts)?;
                replaced.push(case.uuid.clone());
            }
        }
    }
    // Links last: the renewed case may come later in the same archive. A target that is in neither
    // place stays unlinked (the case still says what it renews in its own data).
    for (id, from) in links {
        if let Some(target) = cases::by_uuid(tx, &from)? {
            cases::set_renewed_from(tx, id, target)?;
        }
    }
    Ok((inserted, replaced))
}

fn recorded(step: &ArchivedStep, corrects: Option<i64>) -> steps::RecordedStep<'_> {
    steps::RecordedStep {
        kind: &step.kind,
        date: &step.date,
        recorded_at: &step.recorded_at,
        operator: &step.operator,
        details: &step.details,
        note: &step.note,
        corrects,
    }
}

/// `TakeArchive`: the archive's data replaces the local data; archive entries not in the local
/// history are appended (an entry is the same when kind, dates, operator, details and note are), with
/// corrections pointed at the local entries they void. A correction whose target is already voided
/// here is skipped: the schema allows one correction per entry. Revision: the archive's when it is
/// ahead, else one past the local, so a form open on the old local revision gets a conflict.
fn replace(
    tx: &rusqlite::Transaction,
    id: i64,
    local: &ArchivedCase,
    case: &ArchivedCase,
    at: &Clock,
) -> Result<()> {
    cases::update(tx, id, &case.data, at)?;
    let view = cases::view(tx, id, at.today)?;
    let key = |s: &ArchivedStep| {
        (
            s.kind.clone(),
            s.date.clone(),
            s.recorded_at.clone(),
            s.operator.clone(),
            s.details.clone(),
            s.note.clone(),
        )
    };
    // Local entries still free to be matched, by key, with their ids and whether a correction voids
    // them.
    let mut free: Vec<(usize, i64)> = view
        .steps
        .iter()
        .take(local.steps.len())
        .enumerate()
        .map(|(i, s)| (i, s.id))
        .collect();
    let mut voided: HashSet<i64> = view.steps.iter().filter_map(|s| s.corrects).collect();
    let mut ids: Vec<Option<i64>> = Vec::with_capacity(case.steps.len());
    for step in &case.steps {
        let k = key(step);
        if let Some(pos) = free.iter().position(|(i, _)| key(&local.steps[*i]) == k) {
            ids.push(Some(free.remove(pos).1));
            continue;
        }
        let corrects = match step.corrects {
            Some(j) => match ids.get(j).copied().flatten() {
                Some(target) if !voided.contains(&target) => Some(target),
                _ => {
                    ids.push(None);
                    continue;
                }
            },
            None => None,
        };
        let new_id = steps::append_recorded(tx, id, &recorded(step, corrects))?;
        if let Some(target) = corrects {
            voided.insert(target);
        }
        ids.push(Some(new_id));
    }
    let local_only = !free.is_empty();
    let (revision, updated_at) = if case.revision > local.revision && !local_only {
        (case.revision, case.updated_at.clone())
    } else {
        (local.revision.max(case.revision) + 1, at.recorded_at())
    };
    steps::settle_imported(tx, id, revision, &updated_at)
}
