//! The case register of one data folder: the encrypted store (`store`) and its key ring (`keys`), the
//! operators (`operators`) and who may open and manage what (`access`), the signed-in session's PIN and
//! idle lock (`session`), the cases and their people (`cases`), the append-only step history (`steps`),
//! search (`search`), the validation of what the operator types (`validate`), the audit trail of
//! who did what (`audit`, a hash-chained append-only log) and how long what is kept, with the
//! applicant's rights to erasure and restriction (`retention`), behind the `Register`
//! façade that runs each use case (create, update, add a step, correct one, renew) as one validated
//! transaction by a signed-in `Actor`, and the content in force in the data folder (`content`: the
//! built-in tables or an installed content pack, applied and restored by a responsabile), and the
//! desk's agenda with the applicant's consent to reminders and the contact log (`agenda`), the desk's
//! own work (`activity`: contacts at the desk, staff time, satisfaction answers) and the funder's reports
//! over it (`report`). It must not print or write outside the data folder's database
//! and key ring (papers and exchange do), and no query lives outside its area modules.

pub mod access;
pub mod activity;
pub mod agenda;
pub mod audit;
pub mod cases;
pub mod choices;
pub mod content;
pub mod keys;
pub mod operators;
pub mod partners;
pub mod referrals;
pub mod report;
pub mod retention;
pub mod search;
pub mod session;
pub mod steps;
pub mod store;
pub mod validate;

use std::path::Path;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::error::PackCode;
use crate::error::{Error, Missing, Result};
use crate::model::{self, CaseData, CaseView, RenewalDraft, SearchPage, StepInput};
use crate::reference::content::{Texts, Version};
use crate::reference::Reference;
use crate::reference::{catalogue, fees, pack};
use audit::{Action, Detail, Entry};
use operators::Actor;
use store::Store;

/// An audit entry by `by`.
pub fn entry(by: &Actor, action: Action) -> Entry {
    Entry::new(Some(&by.id), &by.name, action)
}

/// Appends `entry` about case `id` inside `tx`.
fn on_case(tx: &rusqlite::Transaction, id: i64, entry: Entry, at: &Clock) -> Result<()> {
    let uuid = cases::uuid_of(tx, id)?.ok_or(Error::NotFound(Missing::Case))?;
    audit::append(tx, &entry.on_case(&uuid), at)?;
    Ok(())
}

/// The labelled field paths (`applicant.surname`, `household.1.birthDate`) whose values differ between
/// two versions of a case: what the audit trail says was changed, never the values.
fn changed_fields(before: &CaseData, after: &CaseData) -> Vec<String> {
    fn leaves(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(&path, v, out);
                }
            }
            serde_json::Value::Array(items) if prefix != "applicant.citizenships" => {
                for (i, v) in items.iter().enumerate() {
                    leaves(&format!("{prefix}.{i}"), v, out);
                }
            }
            other => out.push((prefix.to_string(), other.clone())),
        }
    }
    let flat = |data: &CaseData| {
        let mut out = Vec::new();
        leaves(
            "",
            &serde_json::to_value(data).unwrap_or_default(),
            &mut out,
        );
        out.into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (old, new) = (flat(before), flat(after));
    let mut paths: Vec<String> = old
        .keys()
        .chain(new.keys())
        .filter(|p| old.get(*p) != new.get(*p))
        .filter(|p| crate::error::FIELD_LABELS.contains(&crate::error::label_key(p).as_str()))
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Only a responsabile changes what the desk prints from.
fn expect_responsabile(by: &Actor) -> Result<()> {
    if by.is_responsabile() {
        Ok(())
    } else {
        Err(Error::Access(crate::error::AccessCode::NotAllowed))
    }
}

/// What `create` needs besides the data.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    pub data: CaseData,
    /// Idempotency key chosen by the form when it opens: the same key twice returns the first case.
    pub request_id: Option<String>,
    /// The case this one renews.
    pub renewed_from: Option<i64>,
}

/// The case register of one data folder: the store plus the tables it validates against and prints
/// from. Every table is loaded and checked when the register opens, so bad bundled data fails at
/// start-up with its file and line, not in the middle of a print; an installed content pack that fails
/// leaves the built-in tables in force (`content`).
pub struct Register {
    store: Store,
    /// The reference tables, fees, catalogue and checklist texts, all from one content.
    tables: crate::reference::content::Tables,
    /// The content the tables come from, and which one it is.
    content: crate::reference::content::Content,
    in_force: content::InForce,
    /// The retention purposes (`assets/reference/retention.toml`).
    retention: retention::Table,
    /// The desk's activity codes (`assets/reference/activity.toml`).
    activity: activity::Table,
    /// The referral needs and the follow-up bounds (`assets/reference/partners.toml`).
    directory: partners::Directory,
    /// The key ring and the database key, when opened by a sign-in (`access`); `None` when opened
    /// with a bare key (tests, benchmarks, the command line) or in memory.
    keys: Option<access::Keys>,
}

type Loaded = (
    content::Loaded,
    retention::Table,
    activity::Table,
    partners::Directory,
);

impl Register {
    /// Opens the register of `dir` with its database key, without the key ring: for tests, benchmarks
    /// and the command line. The app opens registers through `access` (a sign-in).
    pub fn open(dir: &Path, key: &keys::DbKey) -> Result<Register> {
        Ok(Register::assemble(
            Store::open(dir, key)?,
            Register::tables(Some(dir))?,
        ))
    }

    /// Opens the register of `dir` unencrypted, as versions before encryption kept it: only for tests
    /// and benchmarks that make such a register (to convert it, or to compare with an encrypted one).
    pub fn open_plain(dir: &Path) -> Result<Register> {
        Ok(Register::assemble(
            Store::open_plain(dir)?,
            Register::tables(Some(dir))?,
        ))
    }

    pub fn in_memory() -> Result<Register> {
        Ok(Register::assemble(
            Store::open_in_memory()?,
            Register::tables(None)?,
        ))
    }

    /// The tables of the content in force for the data folder `dir` (in memory: the built-in ones),
    /// loaded and checked; packs are verified against the keys this build trusts.
    fn tables(dir: Option<&Path>) -> Result<Loaded> {
        let loaded = content::load(dir, &pack::trusted_keys())?;
        Ok((
            loaded,
            retention::Table::bundled()?,
            activity::Table::bundled()?,
            partners::Directory::bundled()?,
        ))
    }

    fn assemble(store: Store, (loaded, retention, activity, directory): Loaded) -> Register {
        Register {
            store,
            tables: loaded.tables,
            content: loaded.content,
            in_force: loaded.in_force,
            retention,
            activity,
            directory,
            keys: None,
        }
    }

    /// Puts the content in force for this data folder in place again, installed packs verified against
    /// `trusted` (the app passes `pack::trusted_keys()`; tests their own keys).
    pub fn reload_content(&mut self, trusted: &[ed25519_dalek::VerifyingKey]) -> Result<()> {
        let loaded = content::load(self.store.dir(), trusted)?;
        self.tables = loaded.tables;
        self.content = loaded.content;
        self.in_force = loaded.in_force;
        Ok(())
    }

    /// Which content is in force: its version and date (printed at the foot of every paper).
    pub fn content(&self) -> &content::InForce {
        &self.in_force
    }

    /// The checklist texts of every language of the content in force.
    pub fn texts(&self) -> &Texts {
        &self.tables.texts
    }

    /// The papers' own texts (access report, deletion receipt, preface) of every language of the
    /// content in force, checked when it loaded.
    pub fn paper_texts(&self) -> &crate::reference::content::PaperTexts {
        &self.tables.papers
    }

    /// The kit forms' fields and the provinces of the content in force, checked when it loaded.
    pub fn forms(&self) -> &crate::reference::forms::Forms {
        &self.tables.forms
    }

    /// The newer pack `bytes`, opened and checked, or why it is refused: a bad signature, a table that
    /// fails (file and line), or a version not newer than the one in force.
    fn newer_pack(
        &self,
        bytes: &[u8],
        trusted: &[ed25519_dalek::VerifyingKey],
    ) -> Result<(
        crate::reference::content::Content,
        crate::reference::content::Tables,
    )> {
        let (content, tables) = content::checked(bytes, trusted)?;
        let in_force: &Version = &self.in_force.stamp.version;
        if content.stamp.version <= *in_force {
            return Err(Error::pack(PackCode::NotNewer, in_force.to_string()));
        }
        Ok((content, tables))
    }

    /// What applying the pack `bytes` would change, for the responsabile to read first. Nothing is
    /// written.
    pub fn inspect_pack(
        &self,
        bytes: &[u8],
        trusted: &[ed25519_dalek::VerifyingKey],
        by: &Actor,
    ) -> Result<pack::Diff> {
        expect_responsabile(by)?;
        let (content, tables) = self.newer_pack(bytes, trusted)?;
        Ok(pack::diff(
            (&self.content, &self.tables),
            (&content, &tables),
        ))
    }

    /// Installs the pack `bytes` in the data folder and puts it in force (a responsabile's): refused,
    /// with nothing changed, unless it verifies, passes every check and is newer. The pack it replaces
    /// is kept for `restore_pack`; the audit trail records who applied which version.
    pub fn apply_pack(
        &mut self,
        bytes: &[u8],
        trusted: &[ed25519_dalek::VerifyingKey],
        at: &Clock,
        by: &Actor,
    ) -> Result<content::InForce> {
        expect_responsabile(by)?;
        let dir = self.data_folder()?;
        let (incoming, _) = self.newer_pack(bytes, trusted)?;
        content::install(&dir, bytes)?;
        self.reload_content(trusted)?;
        self.record_content(Action::ContentApplied, &incoming.stamp.version, at, by)?;
        Ok(self.in_force.clone())
    }

    /// Puts the previous content back in force (a responsabile's; see `content::restore`), audited.
    pub fn restore_pack(
        &mut self,
        trusted: &[ed25519_dalek::VerifyingKey],
        at: &Clock,
        by: &Actor,
    ) -> Result<content::InForce> {
        expect_responsabile(by)?;
        let dir = self.data_folder()?;
        content::restore(&dir, trusted)?;
        self.reload_content(trusted)?;
        let version = self.in_force.stamp.version.clone();
        self.record_content(Action::ContentRestored, &version, at, by)?;
        Ok(self.in_force.clone())
    }

    fn data_folder(&self) -> Result<std::path::PathBuf> {
        self.store
            .dir()
            .map(Path::to_path_buf)
            .ok_or(Error::Archive(crate::error::ArchiveCode::NoDataFolder))
    }

    fn record_content(
        &mut self,
        action: Action,
        version: &Version,
        at: &Clock,
        by: &Actor,
    ) -> Result<()> {
        let detail = Detail {
            version: Some(version.to_string()),
            ..Detail::default()
        };
        self.record(entry(by, action).with(detail), None, at)
    }

    pub fn reference(&self) -> &Reference {
        &self.tables.reference
    }

    pub fn fees(&self) -> &fees::FeeTables {
        &self.tables.fees
    }

    pub fn catalogue(&self) -> &catalogue::Catalogue {
        &self.tables.catalogue
    }

    /// The resolved checklist of a case's data for a procedure of the catalogue, on `today`.
    pub fn checklist(
        &self,
        case: &CaseData,
        selection: &catalogue::Selection,
        today: NaiveDate,
    ) -> Result<catalogue::ResolvedChecklist> {
        self.tables.catalogue.checklist(
            selection,
            case,
            &self.tables.reference,
            &self.tables.fees,
            today,
        )
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Stores a new case with its intake step, recorded under the signed-in operator `by`.
    pub fn create(&mut self, new: &NewCase, at: &Clock, by: &Actor) -> Result<CaseView> {
        let data = validate::case(&new.data, &self.tables.reference, at.today)?;
        let operator = by.name.clone();
        let id = self.store.write(|tx| {
            if let Some(existing) = new
                .request_id
                .as_deref()
                .map(|key| cases::by_request_id(tx, key))
                .transpose()?
                .flatten()
            {
                return Ok(existing);
            }
            if let Some(from) = new.renewed_from {
                if !cases::exists(tx, from)? {
                    return Err(Error::NotFound(Missing::Case));
                }
            }
            let id = cases::insert(
                tx,
                &data,
                new.request_id.as_deref(),
                new.renewed_from,
                at,
                &operator,
            )?;
            if let Some(from) = new.renewed_from {
                agenda::copy_consent(tx, from, id)?;
            }
            on_case(tx, id, entry(by, Action::CaseCreated), at)?;
            Ok(id)
        })?;
        self.get(id, at.today)
    }

    pub fn update(
        &mut self,
        id: i64,
        revision: i64,
        data: &CaseData,
        at: &Clock,
        by: &Actor,
    ) -> Result<CaseView> {
        let data = validate::case(data, &self.tables.reference, at.today)?;
        let before = self.get(id, at.today)?.data;
        let fields = changed_fields(&before, &data);
        self.store.write(|tx| {
            steps::expect_revision(tx, id, revision)?;
            cases::update(tx, id, &data, at)?;
            let detail = Detail {
                fields,
                ..Detail::default()
            };
            on_case(tx, id, entry(by, Action::CaseChanged).with(detail), at)
        })?;
        self.get(id, at.today)
    }

    pub fn get(&self, id: i64, today: NaiveDate) -> Result<CaseView> {
        cases::view(self.store.conn(), id, today)
    }

    /// A case as an operator opens it on screen: read, and the reading recorded in the audit trail.
    pub fn view(&mut self, id: i64, at: &Clock, by: &Actor) -> Result<CaseView> {
        let case = self.get(id, at.today)?;
        self.store
            .write(|tx| on_case(tx, id, entry(by, Action::CaseViewed), at))?;
        Ok(case)
    }

    /// Records in the audit trail what the register itself does not see (a paper printed, an archive
    /// exported, a sign-out), about case `case_id` if any.
    pub fn record(&mut self, entry: Entry, case_id: Option<i64>, at: &Clock) -> Result<()> {
        self.store.write(|tx| match case_id {
            Some(id) => on_case(tx, id, entry, at),
            None => audit::append(tx, &entry, at).map(|_| ()),
        })
    }

    /// The number of the case with `uuid`, if it is here (the audit screen names cases by number).
    pub fn case_number_of(&self, uuid: &str) -> Result<Option<String>> {
        cases::number_of_uuid(self.store.conn(), uuid)
    }

    /// The id here of the case with `uuid`, if it is here.
    pub fn case_id_of_uuid(&self, uuid: &str) -> Result<Option<i64>> {
        cases::id_of_uuid(self.store.conn(), uuid)
    }

    /// The UUID of the case numbered `number` (or whose UUID is `number`), if it is here.
    pub fn case_uuid_of(&self, number: &str) -> Result<Option<String>> {
        cases::uuid_of_number(self.store.conn(), number)
    }

    /// `not_found` unless case `case_id` exists (the guard of every read and write on one case).
    fn expect_case(&self, case_id: i64) -> Result<()> {
        if !cases::exists(self.store.conn(), case_id)? {
            return Err(Error::NotFound(Missing::Case));
        }
        Ok(())
    }

    /// Refuses to use a case that is restricted or anonymised (`Conflict`): nothing is printed for it and
    /// it leaves the desk on no stick. Its screen and the right-of-access report still show it.
    pub fn expect_in_use(&self, case_id: i64) -> Result<()> {
        retention::expect_writable(self.store.conn(), case_id)
    }

    /// How many cases the register holds.
    pub fn case_count(&self) -> Result<i64> {
        cases::count(self.store.conn())
    }

    pub fn search(&self, query: &str, offset: usize, limit: usize) -> Result<SearchPage> {
        search::search(self.store.conn(), query, offset, limit)
    }

    /// Probable duplicates of `data`'s applicant among stored cases (other than `except`).
    pub fn duplicates(
        &self,
        data: &CaseData,
        except: Option<i64>,
    ) -> Result<Vec<model::CaseSummary>> {
        search::duplicates(self.store.conn(), data, except)
    }

    /// The other cases of case `id`'s family (see `search::household`).
    pub fn household(&self, id: i64) -> Result<Vec<model::CaseSummary>> {
        search::household(self.store.conn(), id)
    }

    /// A new case pre-filled from `id`: same people and request, the permit issued at collection (or,
    /// failing that, the one held before) as the current permit, procedure `rinnovo`.
    pub fn renewal_draft(&self, id: i64, today: NaiveDate) -> Result<RenewalDraft> {
        let old = self.get(id, today)?;
        self.expect_in_use(id)?;
        let mut data = old.data.clone();
        if let Some(issued) = &old.issued_permit {
            data.current_permit = issued.clone();
        }
        data.request.procedure = "rinnovo".into();
        if !data.current_permit.motivo_code.is_empty()
            && self
                .tables
                .reference
                .motivo(&data.current_permit.motivo_code)
                .is_some_and(|m| m.valid_on(today) && m.allows("rinnovo"))
        {
            data.request.motivo_code = data.current_permit.motivo_code.clone();
        }
        let review_fields = [
            "applicant.document.number",
            "applicant.document.expiryDate",
            "applicant.address.street",
            "applicant.phone",
            "currentPermit.expiryDate",
            "request.motivoCode",
        ]
        .map(String::from)
        .to_vec();
        Ok(RenewalDraft {
            data,
            renewed_from: model::CaseRef {
                id: old.id,
                number: old.number,
            },
            review_fields,
        })
    }

    pub fn add_step(
        &mut self,
        case_id: i64,
        revision: i64,
        input: &StepInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<CaseView> {
        let step = validate::step(input, &self.tables.reference, at.today)?;
        let operator = by.name.clone();
        self.store.write(|tx| {
            steps::expect_revision(tx, case_id, revision)?;
            retention::expect_writable(tx, case_id)?;
            steps::append(tx, case_id, &step, at, &operator)?;
            let detail = Detail {
                step: Some(step.kind.clone()),
                ..Detail::default()
            };
            on_case(tx, case_id, entry(by, Action::StepAdded).with(detail), at)
        })?;
        self.get(case_id, at.today)
    }

    pub fn correct_step(
        &mut self,
        case_id: i64,
        revision: i64,
        step_id: i64,
        reason: &str,
        at: &Clock,
        by: &Actor,
    ) -> Result<CaseView> {
        let reason = validate::correction_reason(reason, &self.tables.reference, at.today)?;
        let operator = by.name.clone();
        self.store.write(|tx| {
            steps::expect_revision(tx, case_id, revision)?;
            retention::expect_writable(tx, case_id)?;
            steps::correct(tx, case_id, step_id, &reason, at, &operator)?;
            on_case(tx, case_id, entry(by, Action::StepCorrected), at)
        })?;
        self.get(case_id, at.today)
    }

    /// The agenda's facts of the content in force.
    pub fn agenda_facts(&self) -> &crate::reference::agenda::AgendaFacts {
        &self.tables.agenda
    }

    /// The facts of the follow-up papers (receipt's appointment, reminders) of the content in force.
    pub fn desk_papers(&self) -> &crate::reference::desk::DeskPapers {
        &self.tables.desk
    }

    /// The agenda's day counts in force (the responsabile's settings, else the data's).
    pub fn agenda_settings(&self) -> Result<agenda::Settings> {
        agenda::settings(self.store.conn(), &self.tables.agenda)
    }

    /// The agenda of `today` (see `agenda`), with the referrals left open too long as its last bucket
    /// (`referrals::BUCKET`).
    pub fn agenda(&self, today: NaiveDate) -> Result<agenda::Agenda> {
        let settings = self.agenda_settings()?;
        let mut agenda = agenda::agenda(self.store.conn(), &self.tables.agenda, today, settings)?;
        let (days, _) = referrals::open_days(self.store.conn(), &self.directory.follow_up)?;
        agenda
            .buckets
            .push(referrals::agenda_bucket(self.store.conn(), today, days)?);
        Ok(agenda)
    }

    /// Sets the lead time or the kit wait in days (`None`: back to the data's default), within the
    /// data's bounds (else `invalid` on `agenda.leadDays` / `agenda.kitDays` with `min` and `max`). A
    /// responsabile's setting, audited.
    pub fn set_agenda_days(
        &mut self,
        which: agenda::Setting,
        days: Option<u32>,
        at: &Clock,
        by: &Actor,
    ) -> Result<agenda::Settings> {
        expect_responsabile(by)?;
        let facts = self.tables.agenda.clone();
        self.store.write(|tx| {
            agenda::put_setting(tx, &facts, which, days)?;
            let detail = Detail {
                purpose: Some(which.code().to_string()),
                count: days.map(u64::from),
                ..Detail::default()
            };
            audit::append(
                tx,
                &entry(by, Action::AgendaSettingsChanged).with(detail),
                at,
            )?;
            Ok(())
        })?;
        self.agenda_settings()
    }

    /// The consent to reminders recorded on case `case_id` (none: never asked).
    pub fn consent(&self, case_id: i64) -> Result<Option<agenda::Consent>> {
        self.expect_case(case_id)?;
        agenda::consent(self.store.conn(), case_id)
    }

    /// Records the applicant's consent to reminders (validated: every bad field at once), audited with
    /// the paths changed. Refused on a restricted or anonymised case.
    pub fn set_consent(
        &mut self,
        case_id: i64,
        input: &agenda::Consent,
        at: &Clock,
        by: &Actor,
    ) -> Result<agenda::Consent> {
        let consent = validate::consent(input, &self.tables.reference, at.today)?;
        let before = self.consent(case_id)?.unwrap_or_default();
        self.store.write(|tx| {
            retention::expect_writable(tx, case_id)?;
            agenda::put_consent(tx, case_id, &consent, at)?;
            let detail = Detail {
                fields: consent.changed_fields(&before),
                ..Detail::default()
            };
            on_case(
                tx,
                case_id,
                entry(by, Action::ConsentChanged).with(detail),
                at,
            )
        })?;
        Ok(consent)
    }

    /// The contact log of case `case_id`, newest first.
    pub fn contacts(&self, case_id: i64) -> Result<Vec<agenda::Contact>> {
        self.expect_case(case_id)?;
        agenda::contacts(self.store.conn(), case_id)
    }

    /// Logs a contact with the applicant of case `case_id` today (validated), audited with its channel,
    /// outcome and bucket; returns the log. Refused on a restricted or anonymised case.
    pub fn record_contact(
        &mut self,
        case_id: i64,
        input: &agenda::ContactInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<Vec<agenda::Contact>> {
        let contact = validate::contact(input, &self.tables.reference, at.today)?;
        self.expect_case(case_id)?;
        self.store.write(|tx| {
            retention::expect_writable(tx, case_id)?;
            agenda::insert_contact(tx, case_id, &contact, at, &by.id)?;
            let detail = Detail {
                channel: Some(contact.channel.clone()),
                outcome: Some(contact.outcome.clone()),
                purpose: (!contact.bucket.is_empty()).then(|| contact.bucket.clone()),
                ..Detail::default()
            };
            on_case(
                tx,
                case_id,
                entry(by, Action::ContactRecorded).with(detail),
                at,
            )
        })?;
        self.contacts(case_id)
    }

    /// The desk's activity codes: contact kinds, services, age bands, staff-time kinds, answers.
    pub fn activity(&self) -> &activity::Table {
        &self.activity
    }

    /// Records a contact at the desk by the signed-in operator, dated today (validated: every bad field
    /// at once), audited on its case (a walk-in's entry has none). Refused on a restricted or
    /// anonymised case.
    pub fn record_desk_contact(
        &mut self,
        input: &activity::DeskContactInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<activity::DeskContact> {
        let contact =
            validate::desk_contact(input, &self.activity, &self.tables.reference, at.today)?;
        if let Some(case_id) = contact.case_id {
            self.expect_case(case_id)?;
        }
        let table = self.activity.clone();
        let id = self.store.write(|tx| {
            if let Some(case_id) = contact.case_id {
                retention::expect_writable(tx, case_id)?;
            }
            let id = activity::insert_desk_contact(tx, &table, &contact, at, &by.id)?;
            let detail = Detail {
                channel: Some(contact.kind.clone()),
                count: Some(u64::from(contact.minutes)),
                ..Detail::default()
            };
            let e = entry(by, Action::DeskContactRecorded).with(detail);
            match contact.case_id {
                Some(case_id) => on_case(tx, case_id, e, at)?,
                None => {
                    audit::append(tx, &e, at)?;
                }
            }
            Ok(id)
        })?;
        activity::desk_contact(self.store.conn(), &self.activity, id)
    }

    /// The desk contacts of case `case_id`, newest first.
    pub fn desk_contacts(&self, case_id: i64) -> Result<Vec<activity::DeskContact>> {
        self.expect_case(case_id)?;
        activity::case_contacts(self.store.conn(), &self.activity, case_id)
    }

    /// Records staff time that is not a contact for the signed-in operator (validated), audited.
    pub fn record_staff_time(
        &mut self,
        input: &activity::StaffTimeInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<activity::StaffTime> {
        let time = validate::staff_time(input, &self.activity, &self.tables.reference, at.today)?;
        self.store.write(|tx| {
            let saved = activity::insert_staff_time(tx, &time, at, &by.id)?;
            let detail = Detail {
                purpose: Some(time.kind.clone()),
                count: Some(u64::from(time.minutes)),
                date: NaiveDate::parse_from_str(&time.day, "%Y-%m-%d").ok(),
                ..Detail::default()
            };
            audit::append(tx, &entry(by, Action::StaffTimeRecorded).with(detail), at)?;
            Ok(saved)
        })
    }

    /// Counts one satisfaction answer in this month (validated). The signed-in session is required but
    /// not recorded, and there is no audit entry: see `activity`'s doc on keeping answers unlinkable.
    pub fn record_satisfaction(&mut self, answer: &str, at: &Clock, _by: &Actor) -> Result<()> {
        let answer =
            validate::satisfaction(answer, &self.activity, &self.tables.reference, at.today)?;
        self.store
            .write(|tx| activity::count_answer(tx, &answer, at.today))
    }

    /// The operators' names by id (active or not), for the papers that say who did what.
    pub fn operator_names(&self) -> Result<std::collections::HashMap<String, String>> {
        Ok(operators::list(self.store.conn())?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    /// The satisfaction question (`satisfaction.*` of the checklist texts) in Italian and in the
    /// applicant's `language` (none when it is Italian, empty or not one of the applicant languages).
    pub fn satisfaction_question(&self, language: &str) -> activity::SatisfactionQuestion {
        let reference = self.reference();
        let dir = |code: &str| {
            reference
                .languages
                .iter()
                .find(|l| l.code == code)
                .map(|l| l.dir.clone())
        };
        let texts = self.texts();
        activity::SatisfactionQuestion {
            italian: activity::question(&self.activity, texts, "it", "ltr"),
            applicant: dir(language)
                .filter(|_| language != "it" && texts.has(language))
                .map(|d| activity::question(&self.activity, texts, language, &d)),
        }
    }

    /// The report definitions of the content in force (`assets/reports/` of the built-in content or
    /// of the installed pack), checked against the activity table (they were when the content loaded).
    pub fn report_definitions(&self) -> Result<Vec<report::Definition>> {
        report::Definition::from_content(&self.content, &self.activity)
    }

    /// The report of `period` under `definition` (see `report`), its texts in `locale`: only aggregates;
    /// the referrals' table (`referrals::report_table`) last, when the definition asks for it.
    pub fn report(
        &self,
        definition: &report::Definition,
        period: report::Period,
        locale: &str,
    ) -> Result<report::Report> {
        let mut report = report::build(
            self.store.conn(),
            &self.activity,
            definition,
            period,
            locale,
        )?;
        // The referrals made and their outcomes (issue 16), for a definition that asks for them: built
        // here, where the partner directory is, and last, as `report::TABLES` lists it.
        if definition.tables.iter().any(|t| t == "referrals") {
            report.tables.push(referrals::report_table(
                self.store.conn(),
                &self.directory,
                period,
                locale,
                definition.suppress_under,
            )?);
        }
        Ok(report)
    }

    /// Records that a report left the app (the shell or the command line wrote it).
    pub fn record_report_export(
        &mut self,
        definition: &str,
        format: &str,
        at: &Clock,
        by: &Actor,
    ) -> Result<()> {
        let detail = Detail {
            purpose: Some(definition.to_string()),
            file: Some(format.to_string()),
            ..Detail::default()
        };
        self.record(entry(by, Action::ReportExported).with(detail), None, at)
    }

    /// The referral needs, the follow-up bounds and the starter directory (`partners.toml`).
    pub fn directory(&self) -> &partners::Directory {
        &self.directory
    }

    /// The partners of the directory by name (retired ones too when `retired`): anyone signed in reads it.
    pub fn partners(&self, retired: bool) -> Result<Vec<partners::Partner>> {
        partners::list(self.store.conn(), retired)
    }

    /// Partner `id`, retired or not.
    pub fn partner(&self, id: i64) -> Result<partners::Partner> {
        partners::get(self.store.conn(), id)
    }

    /// The partners proposed for `need`, those speaking `language` first (retired ones never).
    pub fn partner_proposals(&self, need: &str, language: &str) -> Result<Vec<partners::Partner>> {
        partners::proposals(self.store.conn(), need, language)
    }

    fn partner_detail(uid: &str, fields: Vec<String>) -> Detail {
        Detail {
            subject: Some(uid.to_string()),
            fields,
            ..Detail::default()
        }
    }

    /// Adds a partner (a responsabile's; validated: every bad `partner.*` field at once), audited.
    pub fn add_partner(
        &mut self,
        input: &partners::PartnerInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<partners::Partner> {
        expect_responsabile(by)?;
        let needs = self.directory.need_codes();
        let p = validate::partner(input, &needs, "partner", &self.tables.reference, at.today)?;
        let id = self.store.write(|tx| {
            if !p.uid.is_empty() && partners::id_of_uid(tx, &p.uid)?.is_some() {
                return Err(Error::Invalid(vec![crate::error::FieldError::new(
                    "partner.uid",
                    crate::error::FieldCode::Duplicate,
                )]));
            }
            let id = partners::insert(tx, &p, at)?;
            let uid = partners::get(tx, id)?.data.uid;
            audit::append(
                tx,
                &entry(by, Action::PartnerAdded).with(Self::partner_detail(&uid, Vec::new())),
                at,
            )?;
            Ok(id)
        })?;
        self.partner(id)
    }

    /// Changes partner `id` (a responsabile's; validated), audited with the `partner.*` paths changed.
    pub fn update_partner(
        &mut self,
        id: i64,
        input: &partners::PartnerInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<partners::Partner> {
        expect_responsabile(by)?;
        let needs = self.directory.need_codes();
        let p = validate::partner(input, &needs, "partner", &self.tables.reference, at.today)?;
        let before = self.partner(id)?;
        let mut fields = Vec::new();
        let (old, new) = (
            serde_json::to_value(&before.data).unwrap_or_default(),
            serde_json::to_value(&p).unwrap_or_default(),
        );
        if let (Some(old), Some(new)) = (old.as_object(), new.as_object()) {
            for (k, v) in new {
                if k != "uid" && k != "verify" && old.get(k) != Some(v) {
                    fields.push(format!("partner.{k}"));
                }
            }
        }
        self.store.write(|tx| {
            if !p.uid.is_empty() && partners::id_of_uid(tx, &p.uid)?.is_some_and(|o| o != id) {
                return Err(Error::Invalid(vec![crate::error::FieldError::new(
                    "partner.uid",
                    crate::error::FieldCode::Duplicate,
                )]));
            }
            partners::update(tx, id, &p, at)?;
            audit::append(
                tx,
                &entry(by, Action::PartnerChanged)
                    .with(Self::partner_detail(&before.data.uid, fields)),
                at,
            )
            .map(|_| ())
        })?;
        self.partner(id)
    }

    /// Retires partner `id` from the directory (`retire` false: puts it back); a responsabile's,
    /// audited. Its referrals keep it.
    pub fn retire_partner(
        &mut self,
        id: i64,
        retire: bool,
        at: &Clock,
        by: &Actor,
    ) -> Result<partners::Partner> {
        expect_responsabile(by)?;
        let uid = self.partner(id)?.data.uid;
        self.store.write(|tx| {
            partners::set_retired(tx, id, retire, at)?;
            let action = if retire {
                Action::PartnerRetired
            } else {
                Action::PartnerReinstated
            };
            audit::append(
                tx,
                &entry(by, action).with(Self::partner_detail(&uid, Vec::new())),
                at,
            )
            .map(|_| ())
        })?;
        self.partner(id)
    }

    /// Records that the directory left the app as a partner file (the shell wrote it).
    pub fn record_partners_export(&mut self, count: usize, at: &Clock, by: &Actor) -> Result<()> {
        let detail = Detail {
            count: Some(count as u64),
            ..Detail::default()
        };
        self.record(entry(by, Action::PartnersExported).with(detail), None, at)
    }

    /// Applies the partners of a file already read and checked (`exchange::partners_file::read`) in one
    /// transaction with its audit entry; a responsabile's.
    pub fn import_partners(
        &mut self,
        shared: &[partners::Shared],
        at: &Clock,
        by: &Actor,
    ) -> Result<partners::Imported> {
        expect_responsabile(by)?;
        self.store.write(|tx| {
            let done = partners::import(tx, shared, at)?;
            let detail = Detail {
                count: Some((done.added + done.changed + done.retired) as u64),
                ..Detail::default()
            };
            audit::append(tx, &entry(by, Action::PartnersImported).with(detail), at)?;
            Ok(done)
        })
    }

    /// Refers a case's applicant or a walk-in to a partner, dated today by the signed-in operator
    /// (validated: every bad `referral.*` field at once), audited on its case. Refused on a restricted
    /// or anonymised case, and to a retired partner.
    pub fn refer(
        &mut self,
        input: &referrals::ReferralInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<referrals::Referral> {
        let needs = self.directory.need_codes();
        let r = validate::referral(input, &needs, &self.tables.reference, at.today)?;
        if let Some(case_id) = r.case_id {
            self.expect_case(case_id)?;
        }
        let id = self.store.write(|tx| {
            if let Some(case_id) = r.case_id {
                retention::expect_writable(tx, case_id)?;
            }
            let id = referrals::insert(tx, &r, at, &by.id)?;
            let detail = Detail {
                purpose: Some(r.need.clone()),
                subject: Some(partners::get(tx, r.partner_id)?.data.uid),
                ..Detail::default()
            };
            let e = entry(by, Action::ReferralMade).with(detail);
            match r.case_id {
                Some(case_id) => on_case(tx, case_id, e, at)?,
                None => {
                    audit::append(tx, &e, at)?;
                }
            }
            Ok(id)
        })?;
        referrals::get(self.store.conn(), id)
    }

    /// Referral `id`.
    pub fn referral(&self, id: i64) -> Result<referrals::Referral> {
        referrals::get(self.store.conn(), id)
    }

    /// The referrals of case `case_id`, newest first.
    pub fn case_referrals(&self, case_id: i64) -> Result<Vec<referrals::Referral>> {
        self.expect_case(case_id)?;
        referrals::of_case(self.store.conn(), case_id)
    }

    /// Records a follow-up step of referral `id` (the state machine of `referrals::State`; the day not in
    /// the future nor before the previous step's), audited on its case.
    pub fn follow_up_referral(
        &mut self,
        id: i64,
        input: &referrals::FollowUpInput,
        at: &Clock,
        by: &Actor,
    ) -> Result<referrals::Referral> {
        let date = validate::referral_date(&input.date, &self.tables.reference, at.today)?;
        let input = referrals::FollowUpInput {
            state: input.state,
            date,
        };
        self.store.write(|tx| {
            let before = referrals::follow_up(tx, id, &input)?;
            if let Some(case_id) = before.case_id {
                retention::expect_writable(tx, case_id)?;
            }
            let detail = Detail {
                outcome: Some(input.state.code().to_string()),
                ..Detail::default()
            };
            let e = entry(by, Action::ReferralFollowedUp).with(detail);
            match before.case_id {
                Some(case_id) => on_case(tx, case_id, e, at),
                None => audit::append(tx, &e, at).map(|_| ()),
            }
        })?;
        referrals::get(self.store.conn(), id)
    }

    /// The follow-up interval of open referrals in days, and whether it is the Comune's setting.
    pub fn referral_open_days(&self) -> Result<(u32, bool)> {
        referrals::open_days(self.store.conn(), &self.directory.follow_up)
    }

    /// Sets the follow-up interval (`None`: the data's default) within the data's bounds; a
    /// responsabile's, audited.
    pub fn set_referral_open_days(
        &mut self,
        days: Option<u32>,
        at: &Clock,
        by: &Actor,
    ) -> Result<(u32, bool)> {
        expect_responsabile(by)?;
        let bounds = self.directory.follow_up;
        self.store.write(|tx| {
            referrals::put_open_days(tx, &bounds, days)?;
            let detail = Detail {
                count: days.map(u64::from),
                ..Detail::default()
            };
            audit::append(
                tx,
                &entry(by, Action::ReferralSettingsChanged).with(detail),
                at,
            )
            .map(|_| ())
        })?;
        self.referral_open_days()
    }

    /// The referrals made from `from` to `to` by need, with where each stands (the reports' table).
    pub fn referral_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<referrals::NeedCount>> {
        referrals::counts(self.store.conn(), &self.directory.need_codes(), from, to)
    }
}
