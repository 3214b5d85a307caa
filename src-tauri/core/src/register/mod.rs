//! The case register of one data folder: the store (`store`), the cases and their people (`cases`), the
//! append-only step history (`steps`), search (`search`), the validation of what the operator types
//! (`validate`) and the audit trail of who did what (`audit`, a hash-chained append-only log), behind the
//! `Register` façade that runs each use case (create, update, add a step, correct one, renew) as one
//! validated transaction. It must not print, encrypt or write outside the data folder's database (papers
//! and exchange do), and no query lives outside its area modules.

pub mod audit;
pub mod cases;
pub mod choices;
pub mod search;
pub mod steps;
pub mod store;
pub mod validate;

use std::path::Path;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::error::{Error, Missing, Result};
use crate::model::{self, CaseData, CaseView, RenewalDraft, SearchPage, StepInput};
use crate::reference::Reference;
use crate::reference::{catalogue, fees};
use store::Store;

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
/// start-up with its file and line, not in the middle of a print.
pub struct Register {
    store: Store,
    reference: Reference,
    fees: fees::FeeTables,
    catalogue: catalogue::Catalogue,
}

/// The bundled tables, loaded once.
fn tables() -> Result<(Reference, fees::FeeTables, catalogue::Catalogue)> {
    let reference = Reference::bundled()?;
    let fees = fees::FeeTables::bundled()?;
    let catalogue = catalogue::Catalogue::bundled_with(&reference, &fees)?;
    Ok((reference, fees, catalogue))
}

impl Register {
    pub fn open(dir: &Path) -> Result<Register> {
        Register::with_store(Store::open(dir)?)
    }

    pub fn in_memory() -> Result<Register> {
        Register::with_store(Store::open_in_memory()?)
    }

    fn with_store(store: Store) -> Result<Register> {
        let (reference, fees, catalogue) = tables()?;
        Ok(Register {
            store,
            reference,
            fees,
            catalogue,
        })
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    pub fn fees(&self) -> &fees::FeeTables {
        &self.fees
    }

    pub fn catalogue(&self) -> &catalogue::Catalogue {
        &self.catalogue
    }

    /// The resolved checklist of a case's data for a procedure of the catalogue, on `today`.
    pub fn checklist(
        &self,
        case: &CaseData,
        selection: &catalogue::Selection,
        today: NaiveDate,
    ) -> Result<catalogue::ResolvedChecklist> {
        self.catalogue
            .checklist(selection, case, &self.reference, &self.fees, today)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Stores a new case with its intake step, recorded under `operator` (validated as a step's
    /// operator is: a case is never opened by nobody). The case's problems and the operator's come
    /// back together.
    pub fn create(&mut self, new: &NewCase, at: &Clock, operator: &str) -> Result<CaseView> {
        let (data, operator) = match (
            validate::case(&new.data, &self.reference, at.today),
            validate::operator(operator, &self.reference, at.today),
        ) {
            (Ok(data), Ok(operator)) => (data, operator),
            (data, operator) => {
                let mut fields = Vec::new();
                for refused in [data.err(), operator.err()].into_iter().flatten() {
                    match refused {
                        Error::Invalid(problems) => fields.extend(problems),
                        other => return Err(other),
                    }
                }
                return Err(Error::Invalid(fields));
            }
        };
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
            cases::insert(
                tx,
                &data,
                new.request_id.as_deref(),
                new.renewed_from,
                at,
                &operator,
            )
        })?;
        self.get(id, at.today)
    }

    pub fn update(
        &mut self,
        id: i64,
        revision: i64,
        data: &CaseData,
        at: &Clock,
    ) -> Result<CaseView> {
        let data = validate::case(data, &self.reference, at.today)?;
        self.store.write(|tx| {
            steps::expect_revision(tx, id, revision)?;
            cases::update(tx, id, &data, at)
        })?;
        self.get(id, at.today)
    }

    pub fn get(&self, id: i64, today: NaiveDate) -> Result<CaseView> {
        cases::view(self.store.conn(), id, today)
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
        let mut data = old.data.clone();
        if let Some(issued) = &old.issued_permit {
            data.current_permit = issued.clone();
        }
        data.request.procedure = "rinnovo".into();
        if !data.current_permit.motivo_code.is_empty()
            && self
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
        operator: &str,
    ) -> Result<CaseView> {
        let step = validate::step(input, &self.reference, at.today)?;
        let operator = validate::operator(operator, &self.reference, at.today)?;
        self.store.write(|tx| {
            steps::expect_revision(tx, case_id, revision)?;
            steps::append(tx, case_id, &step, at, &operator)
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
        operator: &str,
    ) -> Result<CaseView> {
        let reason = validate::correction_reason(reason, &self.reference, at.today)?;
        let operator = validate::operator(operator, &self.reference, at.today)?;
        self.store.write(|tx| {
            steps::expect_revision(tx, case_id, revision)?;
            steps::correct(tx, case_id, step_id, &reason, at, &operator)
        })?;
        self.get(case_id, at.today)
    }
}
