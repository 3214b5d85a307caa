//! The case's data as it travels between the UI and the core: plain serde structs, camelCase on the wire.
//! Input fields are strings (dates as `YYYY-MM-DD`, codes as in the reference tables) so that a bad value
//! becomes a field error from `validate`, never a deserialization failure the operator cannot place.
//! This module holds shapes only: no rules (see `validate`) and no SQL (see `cases`).

use serde::{Deserialize, Serialize};

/// Everything the operator types about one case. The same shape is sent to create/update and returned
/// by `cases_get`, so the form can round-trip it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CaseData {
    pub applicant: Applicant,
    /// Spouse, children and other family members linked to the case (brief §1.1: each adult files their own
    /// Modulo 1, children under 14 go on a parent's application).
    pub household: Vec<HouseholdMember>,
    /// The permit the applicant holds now (empty for a first issue).
    pub current_permit: Permit,
    pub request: Request,
    /// Free notes of the operator.
    pub notes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Applicant {
    /// Surname(s) as in the passport, Latin script.
    pub surname: String,
    pub given_names: String,
    /// `M`, `F` or `X` (as in the passport's MRZ).
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    /// ISO 3166-1 alpha-3 code of the country of birth (`ITA` allowed).
    pub birth_country: String,
    /// ISO 3166-1 alpha-3 codes; the first is the one printed on forms.
    pub citizenships: Vec<String>,
    /// Optional; 16 characters (or 11 digits for a provisional numeric code).
    pub codice_fiscale: String,
    pub document: IdDocument,
    pub phone: String,
    pub email: String,
    pub address: Address,
    /// Language code for the applicant's papers (one of `reference::languages`).
    pub language: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdDocument {
    /// `passport`, `travel_document`, `identity_card` or `other`.
    pub kind: String,
    pub number: String,
    pub authority: String,
    pub issue_date: String,
    pub expiry_date: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    /// Via / piazza and name.
    pub street: String,
    /// Numero civico (may carry a letter or "/2").
    pub house_number: String,
    /// CAP: five digits.
    pub postcode: String,
    pub comune: String,
    /// Sigla della provincia: two letters.
    pub province: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HouseholdMember {
    /// `spouse`, `child`, `parent` or `other`.
    pub relation: String,
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: String,
    /// ISO 3166-1 alpha-3.
    pub citizenship: String,
    pub codice_fiscale: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Permit {
    /// Motivo code of the permit (reference table `motivi`, e.g. `16` lavoro subordinato).
    pub motivo_code: String,
    pub number: String,
    pub expiry_date: String,
}

impl Permit {
    pub fn is_empty(&self) -> bool {
        self.motivo_code.is_empty() && self.number.is_empty() && self.expiry_date.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Request {
    /// `rilascio`, `rinnovo`, `aggiornamento`, `duplicato` or `conversione`.
    pub procedure: String,
    /// Motivo code from the dated reference table (brief §1.2).
    pub motivo_code: String,
}

/// One entry of a case's history, as shown in the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub id: i64,
    /// A step kind (`steps::StepKind`) or `correction`.
    pub kind: String,
    /// The day the event happened (may differ from when it was recorded).
    pub date: String,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
    pub operator: String,
    pub details: StepDetails,
    pub note: String,
    /// For a correction: the id of the entry it voids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects: Option<i64>,
    /// Set on an entry voided by a later correction (it stays in the history).
    pub voided: bool,
}

/// The extra data some steps carry. Unused fields stay empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StepDetails {
    /// kit_sent: the codice assicurata on the postal receipt (digits only).
    pub assicurata: String,
    /// questura_appointment: day and time (`HH:MM`).
    pub appointment_date: String,
    pub appointment_time: String,
    /// referred: to whom (office, patronato, lawyer).
    pub referred_to: String,
    /// collected: the permit that was issued, used to pre-fill the renewal.
    pub issued_permit: Permit,
}

/// What the operator sends to record a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StepInput {
    pub kind: String,
    pub date: String,
    pub details: StepDetails,
    pub note: String,
}

/// How a household member files, derived from age on the case's date (brief §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filing {
    /// Under 14: entered on the parent's application (own €30.46 bollettino).
    OnParentApplication,
    /// 14 to 17: own permit ("famiglia minore 14-18").
    OwnMinorPermit,
    /// Adult: own Modulo 1.
    OwnApplication,
}

/// A whole case as the detail screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    pub id: i64,
    pub uuid: String,
    /// Human case number, `YYYY/NNNNNN`.
    pub number: String,
    /// Incremented on every change; updates must quote the revision they read.
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    pub status: String,
    /// The steps that may be recorded next, in the order the UI offers them.
    pub next_steps: Vec<String>,
    pub data: CaseData,
    pub household_filing: Vec<Filing>,
    pub steps: Vec<StepView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewed_from: Option<CaseRef>,
    /// The permit recorded at collection, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_permit: Option<Permit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseRef {
    pub id: i64,
    pub number: String,
}

/// One row of the case list or of a duplicate warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    pub id: i64,
    pub number: String,
    pub surname: String,
    pub given_names: String,
    pub birth_date: String,
    pub citizenship: String,
    pub procedure: String,
    pub motivo_code: String,
    pub status: String,
    pub permit_expiry: String,
    pub updated_at: String,
    /// Why this row matched the query: `name`, `household`, `document`, `codice_fiscale`, `assicurata`,
    /// `number` (or `all` when listing without a query).
    pub matched: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    pub items: Vec<CaseSummary>,
    /// Whether another page follows. Counting every match of a short fragment over a million cases
    /// would cost more than the search itself, so the list pages forward instead of showing a total.
    pub has_more: bool,
}

/// A pre-filled draft for renewing a case: the UI opens the form with it and saves through `create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalDraft {
    pub data: CaseData,
    pub renewed_from: CaseRef,
    /// Field paths the operator must look at again (what usually changes between renewals).
    pub review_fields: Vec<String>,
}
