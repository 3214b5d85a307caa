//! Integration tests of `mixite-core` on real SQLite files in temporary folders: one binary, a module
//! per area. Every assertion says why it must hold.

mod cases;
mod catalogue;
mod checklist;
mod print;
mod reference;
mod search;
mod steps;
mod storage;
mod validation;

use chrono::NaiveDate;
use mixite_core::model::{
    Address, Applicant, CaseData, HouseholdMember, IdDocument, Permit, Request,
};
use mixite_core::{Clock, NewCase, Register};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The counter's "today" in these tests.
pub fn clock() -> Clock {
    Clock::at(day("2026-11-26"))
}

/// A complete, valid renewal for employment: what an operator types for a typical applicant.
pub fn worker() -> CaseData {
    CaseData {
        applicant: Applicant {
            surname: "Hoxha".into(),
            given_names: "Arben".into(),
            sex: "M".into(),
            birth_date: "1990-04-15".into(),
            birth_place: "Durrës".into(),
            birth_country: "ALB".into(),
            citizenships: vec!["ALB".into()],
            codice_fiscale: "HXHRBN90D15Z100Z".into(),
            document: IdDocument {
                kind: "passport".into(),
                number: "BA1234567".into(),
                authority: "Ministria e Brendshme".into(),
                issue_date: "2020-03-01".into(),
                expiry_date: "2030-02-28".into(),
            },
            phone: "+39 333 1234567".into(),
            email: "arben.hoxha@example.org".into(),
            address: Address {
                street: "Via del Moro".into(),
                house_number: "12".into(),
                postcode: "55100".into(),
                comune: "Lucca".into(),
                province: "LU".into(),
            },
            language: "sq".into(),
        },
        household: vec![HouseholdMember {
            relation: "child".into(),
            surname: "Hoxha".into(),
            given_names: "Elira".into(),
            sex: "F".into(),
            birth_date: "2019-06-01".into(),
            citizenship: "ALB".into(),
            codice_fiscale: String::new(),
        }],
        current_permit: Permit {
            motivo_code: "16".into(),
            number: "I12345678".into(),
            expiry_date: "2027-01-10".into(),
        },
        request: Request {
            procedure: "rinnovo".into(),
            motivo_code: "16".into(),
        },
        notes: "Datore di lavoro: ditta edile.\nPortare CUD.".into(),
    }
}

pub fn create(register: &mut Register, data: CaseData) -> mixite_core::model::CaseView {
    register
        .create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &clock(),
            "Operatore Uno",
        )
        .expect("a valid case is stored")
}

/// A register on a new temporary data folder (kept alive by the returned guard).
pub fn temp_register() -> (tempfile::TempDir, Register) {
    let dir = tempfile::tempdir().unwrap();
    let register = Register::open(dir.path()).unwrap();
    (dir, register)
}

/// The field codes of an `Invalid` error, as `field:code` strings.
pub fn problems(err: mixite_core::Error) -> Vec<String> {
    match err {
        mixite_core::Error::Invalid(fields) => fields
            .into_iter()
            .map(|f| format!("{}:{}", f.field, f.code))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}
