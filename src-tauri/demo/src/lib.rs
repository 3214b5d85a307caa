//! Synthetic demo data: realistic but invented cases of a Lucca immigration desk (names as printed in
//! passports, weighted like the province's non-EU residents, permits mixed as at a real counter, step
//! histories over about three years), deterministic from a seed, for demos and benchmarks. It owns the
//! generator and the bulk `fill`, which writes through the real `validate`, `cases` and `steps` code so
//! that a generator bug fails loudly instead of storing data the app would refuse. It must not be used
//! for real applicants' data, and the only storage shortcut it takes (relaxed durability while filling a
//! demo folder) is undone before `fill` returns.
//!
//! Every name, document number and code here is invented: any resemblance to a real person is chance.

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use std::sync::OnceLock;

use mixite_core::clock::Clock;
use mixite_core::error::Result;
use mixite_core::model::{
    Address, Applicant, CaseData, HouseholdMember, IdDocument, Permit, Request, StepDetails,
    StepInput,
};
use mixite_core::reference::codice_fiscale;
use mixite_core::reference::Reference;
use mixite_core::register::{agenda, cases, steps, validate, Register};
use serde::Deserialize;

/// Cases written per transaction by `fill`.
pub const BATCH: usize = 5_000;
/// How far back the generated cases start, in days.
pub const SPAN_DAYS: i64 = 3 * 365;

/// A name pool and the traits of one community (a nationality, or a language group within it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    iso3: String,
    /// Relative share among applicants.
    weight: u32,
    /// Language for the papers.
    language: String,
    surnames: Vec<String>,
    /// Surnames only women carry (Kaur, Akter, Begum…); empty when women draw from `surnames`.
    female_surnames: Vec<String>,
    /// Two surnames, as in Peru (paternal + maternal).
    double_surname: bool,
    male: Vec<String>,
    female: Vec<String>,
    /// Percent of people with a second given name.
    second_given: u32,
    /// A wife usually carries her husband's surname in the passport.
    wife_takes_surname: bool,
    cities: Vec<String>,
    /// Passport number: `@` a letter, `#` a digit, anything else literal.
    passport: String,
    passport_years: i64,
    authority: String,
}

/// A comune of the province where applicants live, with its streets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Comune {
    name: String,
    cap: String,
    weight: u32,
    streets: Vec<String>,
}

/// A request motivo (a code of `assets/reference/motivi.toml`) and its share of cases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MotivoShare {
    code: String,
    weight: u32,
}

/// `data/people.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tables {
    operators: Vec<String>,
    notes: Vec<String>,
    referrals: Vec<String>,
    correction_reasons: Vec<String>,
    mail_domains: Vec<String>,
    motivo: Vec<MotivoShare>,
    group: Vec<Group>,
    comune: Vec<Comune>,
}

/// The demo tables, parsed once (a test parses them, so a broken file fails there, not in a seed).
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        toml::from_str(include_str!("../data/people.toml"))
            .expect("data/people.toml parses (tested)")
    })
}

/// Belfiore code of the Comune di Lucca, for the children born there.
const LUCCA_BELFIORE: &str = "E715";

/// A step of a generated history, to be written through `steps::append` (or `steps::correct`).
/// Short-lived (one case's history at a time), so the unequal variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Record `step` with the clock at `recorded` (the step's own date may be earlier).
    Step {
        recorded: NaiveDate,
        step: StepInput,
    },
    /// Void the step just recorded.
    Correction { recorded: NaiveDate, reason: String },
}

/// One generated case: its data, the day it was opened, what happened afterwards and who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub created: NaiveDate,
    pub data: CaseData,
    pub history: Vec<Planned>,
    pub operator: &'static str,
}

/// The generator: a seeded random source over the reference tables.
pub struct Generator<'a> {
    rng: SmallRng,
    reference: &'a Reference,
    group_total: u32,
    motivo_total: u32,
    comune_total: u32,
}

impl<'a> Generator<'a> {
    pub fn new(reference: &'a Reference, seed: u64) -> Self {
        Generator {
            rng: SmallRng::seed_from_u64(seed),
            reference,
            group_total: tables().group.iter().map(|g| g.weight).sum(),
            motivo_total: tables().motivo.iter().map(|m| m.weight).sum(),
            comune_total: tables().comune.iter().map(|c| c.weight).sum(),
        }
    }

    fn pct(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn days(&mut self, range: std::ops::RangeInclusive<i64>) -> TimeDelta {
        TimeDelta::days(self.rng.random_range(range))
    }

    fn group(&mut self) -> &'static Group {
        let mut n = self.rng.random_range(0..self.group_total);
        for g in &tables().group {
            if n < g.weight {
                return g;
            }
            n -= g.weight;
        }
        unreachable!("weights sum to the total")
    }

    fn pattern(&mut self, pattern: &str) -> String {
        pattern
            .chars()
            .map(|c| match c {
                '@' => (b'A' + self.rng.random_range(0..26u8)) as char,
                '#' => (b'0' + self.rng.random_range(0..10u8)) as char,
                other => other,
            })
            .collect()
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| (b'0' + self.rng.random_range(0..10u8)) as char)
            .collect()
    }

    fn surname(&mut self, g: &Group, female: bool) -> String {
        if female && !g.female_surnames.is_empty() {
            return self.pick(&g.female_surnames).to_string();
        }
        let first = self.pick(&g.surnames);
        if g.double_surname && self.pct(90) {
            let second = self.pick(&g.surnames);
            if second != first {
                return format!("{first} {second}");
            }
        }
        first.to_string()
    }

    fn given(&mut self, g: &Group, female: bool) -> String {
        let pool = if female { &g.female } else { &g.male };
        let first = self.pick(pool);
        if self.pct(g.second_given) {
            let second = self.pick(pool);
            if second != first && !first.contains(' ') {
                return format!("{first} {second}");
            }
        }
        first.to_string()
    }

    /// Birth date for someone `age` years old on `on` (any day of that year of age).
    fn born(&mut self, on: NaiveDate, age: i64) -> NaiveDate {
        let base = on
            .with_year(on.year() - age as i32)
            .unwrap_or_else(|| on - TimeDelta::days(age * 365));
        base - self.days(1..=364)
    }

    fn adult_age(&mut self) -> i64 {
        match self.rng.random_range(0..100) {
            0..25 => self.rng.random_range(18..30),
            25..70 => self.rng.random_range(30..45),
            70..93 => self.rng.random_range(45..60),
            _ => self.rng.random_range(60..71),
        }
    }

    fn permit_number(&mut self) -> String {
        format!("I{}", self.digits(8))
    }

    /// A whole case opened on `created`, with what happened up to `today`.
    pub fn case(&mut self, created: NaiveDate, today: NaiveDate) -> Generated {
        let data = self.data(created);
        let operator = self.pick(&tables().operators);
        let history = self.history(&data, created, today);
        Generated {
            created,
            data,
            history,
            operator,
        }
    }

    /// The case's data as the operator would type it on `created`.
    pub fn data(&mut self, created: NaiveDate) -> CaseData {
        let g = self.group();
        let female = self.pct(44);
        let sex = if self.rng.random_range(0..5000) == 0 {
            "X"
        } else if female {
            "F"
        } else {
            "M"
        };
        let age = self.adult_age();
        let birth = self.born(created, age);
        let surname = self.surname(g, female);
        let given_names = self.given(g, female);

        let (motivo_code, procedure) = self.request(created);
        let protection = motivo_code == "07" || motivo_code.starts_with("Q-PROT");

        // Household: about 40 % come with a spouse and/or children.
        let mut household = Vec::new();
        if self.pct(40) {
            let married = self.pct(85);
            let mut spouse_surname = None;
            if married {
                let sg = if self.pct(92) { g } else { self.group() };
                let spouse_female = !female;
                let s_surname = if g.wife_takes_surname && std::ptr::eq(sg, g) {
                    if female {
                        // The applicant already carries the husband's surname.
                        surname.clone()
                    } else if self.pct(85) && sg.female_surnames.is_empty() {
                        surname.clone()
                    } else {
                        self.surname(sg, true)
                    }
                } else {
                    self.surname(sg, spouse_female)
                };
                let spouse_age = (age + self.rng.random_range(-6..=8)).clamp(18, 80);
                let citizenship = if self.pct(4) { "ROU" } else { &sg.iso3 };
                let sb = self.born(created, spouse_age);
                let s_given = self.given(sg, spouse_female);
                let s_sex = if spouse_female { "F" } else { "M" };
                let cf = if self.pct(70) {
                    let z = self.z_code(citizenship);
                    codice_fiscale::compute(&s_surname, &s_given, spouse_female, sb, &z)
                } else {
                    String::new()
                };
                household.push(HouseholdMember {
                    relation: "spouse".into(),
                    surname: s_surname.clone(),
                    given_names: s_given,
                    sex: s_sex.into(),
                    birth_date: iso(sb),
                    citizenship: citizenship.into(),
                    codice_fiscale: cf,
                });
                spouse_surname = Some(s_surname);
            }
            let children = match (married, self.rng.random_range(0..100)) {
                (true, 0..15) => 0,
                (true, 15..50) | (false, 0..60) => 1,
                (true, 50..85) | (false, _) => 2,
                _ => 3,
            };
            // The father's surname goes to the children.
            let father_surname = if female {
                spouse_surname.clone().unwrap_or_else(|| surname.clone())
            } else {
                surname.clone()
            };
            let max_child_age = (age - 19).clamp(0, 24);
            for _ in 0..children {
                let child_female = self.pct(50);
                let child_age = self.rng.random_range(0..=max_child_age);
                let cb = self.born(created, child_age);
                let c_surname = if child_female && !g.female_surnames.is_empty() {
                    self.pick(&g.female_surnames).to_string()
                } else if !child_female && g.female_surnames == ["Kaur"] {
                    "Singh".to_string()
                } else if g.double_surname {
                    // Peru: the father's first surname, then the mother's first surname.
                    let mother = if female {
                        &surname
                    } else {
                        spouse_surname.as_ref().unwrap_or(&surname)
                    };
                    let first = father_surname.split(' ').next().unwrap_or("");
                    let second = mother.split(' ').next().unwrap_or("");
                    if first == second {
                        first.to_string()
                    } else {
                        format!("{first} {second}")
                    }
                } else {
                    father_surname.clone()
                };
                let c_given = self.given(g, child_female);
                // Young children are often born in Lucca (codice fiscale with the comune's code).
                let cf = if self.pct(65) {
                    let place = if child_age < 10 && self.pct(60) {
                        LUCCA_BELFIORE.to_string()
                    } else {
                        self.z_code(&g.iso3)
                    };
                    codice_fiscale::compute(&c_surname, &c_given, child_female, cb, &place)
                } else {
                    String::new()
                };
                household.push(HouseholdMember {
                    relation: "child".into(),
                    surname: c_surname,
                    given_names: c_given,
                    sex: if child_female { "F" } else { "M" }.into(),
                    birth_date: iso(cb),
                    citizenship: g.iso3.clone(),
                    codice_fiscale: cf,
                });
            }
            if self.pct(4) {
                let parent_female = self.pct(60);
                let parent_age = (age + self.rng.random_range(20..32)).min(95);
                let pb = self.born(created, parent_age);
                let p_surname = if parent_female {
                    self.surname(g, true)
                } else {
                    surname.clone()
                };
                let p_given = self.given(g, parent_female);
                household.push(HouseholdMember {
                    relation: "parent".into(),
                    surname: p_surname,
                    given_names: p_given,
                    sex: if parent_female { "F" } else { "M" }.into(),
                    birth_date: iso(pb),
                    citizenship: g.iso3.clone(),
                    codice_fiscale: String::new(),
                });
            }
        }

        let codice_fiscale = if sex != "X" && self.pct(70) {
            let z = self.z_code(&g.iso3);
            codice_fiscale::compute(&surname, &given_names, female, birth, &z)
        } else {
            String::new()
        };

        // Passport, issued within its validity so it is still valid on the day of the case.
        let validity = g.passport_years * 365;
        let mut issued = created - self.days(20..=validity - 40);
        let adult = birth
            .with_year(birth.year() + 16)
            .unwrap_or(birth + TimeDelta::days(16 * 365));
        if issued < adult {
            issued = created - self.days(20..=300);
        }
        let expires = issued
            .with_year(issued.year() + g.passport_years as i32)
            .unwrap_or(issued + TimeDelta::days(validity))
            - TimeDelta::days(1);
        let travel_document = protection && self.pct(60);
        let document = IdDocument {
            kind: if travel_document {
                "travel_document"
            } else {
                "passport"
            }
            .into(),
            number: if travel_document {
                format!("LU{}", self.digits(6))
            } else {
                self.pattern(&g.passport)
            },
            authority: if travel_document {
                "Questura di Lucca".into()
            } else {
                g.authority.clone()
            },
            issue_date: iso(issued),
            expiry_date: iso(expires),
        };

        let phone = if self.pct(97) {
            if self.pct(80) {
                format!(
                    "+39 3{}{} {}",
                    self.rng.random_range(2..=9),
                    self.digits(1),
                    self.digits(7)
                )
            } else {
                format!(
                    "3{}{} {} {}",
                    self.rng.random_range(2..=9),
                    self.digits(1),
                    self.digits(3),
                    self.digits(4)
                )
            }
        } else {
            String::new()
        };
        let email = if self.pct(35) {
            let local = |s: &str| {
                mixite_core::reference::text::fold(s)
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            let n = self.rng.random_range(1..100);
            let domain = self.pick(&tables().mail_domains);
            format!("{}.{}{n}@{domain}", local(&given_names), local(&surname))
        } else {
            String::new()
        };
        let address = if self.pct(95) {
            let mut n = self.rng.random_range(0..self.comune_total);
            let comuni = &tables().comune;
            let mut chosen = &comuni[0];
            for c in comuni {
                if n < c.weight {
                    chosen = c;
                    break;
                }
                n -= c.weight;
            }
            let house = self.rng.random_range(1..220);
            let house_number = match self.rng.random_range(0..20) {
                0 => format!("{house}/A"),
                1 => format!("{house}B"),
                2 => format!("{house}/2"),
                _ => house.to_string(),
            };
            Address {
                street: self.pick(&chosen.streets).clone(),
                house_number,
                postcode: chosen.cap.clone(),
                comune: chosen.name.clone(),
                province: "LU".into(),
            }
        } else {
            Address::default()
        };
        let language = match self.rng.random_range(0..100) {
            0..8 => "it",
            8..11 => "en",
            _ => &g.language,
        };

        let current_permit = self.current_permit(&motivo_code, &procedure, created);
        let notes = if self.pct(15) {
            self.pick(&tables().notes).to_string()
        } else {
            String::new()
        };
        CaseData {
            applicant: Applicant {
                surname,
                given_names,
                sex: sex.into(),
                birth_date: iso(birth),
                birth_place: self.pick(&g.cities).into(),
                birth_country: g.iso3.clone(),
                citizenships: vec![g.iso3.clone()],
                codice_fiscale,
                document,
                phone,
                email,
                address,
                language: language.into(),
            },
            household,
            current_permit,
            request: Request {
                procedure,
                motivo_code,
            },
            notes,
        }
    }

    fn z_code(&self, iso3: &str) -> String {
        self.reference
            .country(iso3)
            .and_then(|c| c.z_code.clone())
            .expect("generated countries have a Z code")
    }

    /// `(motivo, procedure)` of the request, in force on `created`.
    fn request(&mut self, created: NaiveDate) -> (String, String) {
        let mut n = self.rng.random_range(0..self.motivo_total);
        let mut code = "16";
        for m in &tables().motivo {
            if n < m.weight {
                code = &m.code;
                break;
            }
            n -= m.weight;
        }
        let r = self.rng.random_range(0..100);
        let procedure = match code {
            "04" => "aggiornamento",
            "07" => "rinnovo",
            "10" => "conversione",
            "12" => "duplicato",
            "16" if r < 90 => "rinnovo",
            "13" if r < 70 => "rinnovo",
            "09" if r < 20 => "rinnovo",
            "15" if r < 85 => "rinnovo",
            "24" | "31" if r < 80 => "rinnovo",
            "05" => "rinnovo",
            "17" if r < 70 => "rinnovo",
            "18" if r < 50 => "rinnovo",
            c if c.starts_with("Q-") && r < 65 => "rinnovo",
            _ => "rilascio",
        };
        let ok = self
            .reference
            .motivo(code)
            .is_some_and(|m| m.valid_on(created) && m.allows(procedure));
        if ok {
            (code.into(), procedure.into())
        } else {
            ("16".into(), "rinnovo".into())
        }
    }

    /// The permit held when the case is opened (empty for most first issues).
    fn current_permit(&mut self, motivo: &str, procedure: &str, created: NaiveDate) -> Permit {
        let (code, expiry) = match procedure {
            "rinnovo" => {
                let held = match motivo {
                    "05" => "16",
                    "31" => "24",
                    other => other,
                };
                (held, created + self.days(-60..=75))
            }
            "conversione" => {
                let held = *self.pick(&["24", "24", "24", "13", "14", "18"]);
                (held, created + self.days(-30..=120))
            }
            "duplicato" | "aggiornamento" => {
                let held = *self.pick(&["16", "16", "13", "09", "15", "24"]);
                (held, created + self.days(30..=700))
            }
            _ if motivo == "09" && self.pct(90) => {
                let held = *self.pick(&["16", "16", "16", "13", "13", "15"]);
                (held, created + self.days(-30..=300))
            }
            _ => return Permit::default(),
        };
        let number = if self.pct(85) {
            self.permit_number()
        } else {
            String::new()
        };
        Permit {
            motivo_code: code.into(),
            number,
            expiry_date: iso(expiry),
        }
    }

    /// What happened to the case from `created` up to `today`, in order.
    pub fn history(
        &mut self,
        data: &CaseData,
        created: NaiveDate,
        today: NaiveDate,
    ) -> Vec<Planned> {
        let mut out = Vec::new();
        let motivo = &data.request.motivo_code;
        let questura = self
            .reference
            .motivo(motivo)
            .is_some_and(|m| m.channel == "questura");
        // A few cases stall (papers never brought back) and stay open.
        let stall_at = if self.pct(4) {
            Some(self.rng.random_range(1..4usize))
        } else {
            None
        };
        let mut last = created;
        let mut appointment: Option<NaiveDate> = None;
        let mut course: Vec<&'static str> = Vec::with_capacity(6);
        if self.pct(70) {
            course.push("documents_pending");
        }
        course.push("ready_to_send");
        if !questura {
            course.push("kit_sent");
        }
        course.extend(["questura_appointment", "permit_ready", "collected"]);
        for (i, kind) in course.into_iter().enumerate() {
            if stall_at == Some(i + 1) {
                break;
            }
            // Now and then a case ends another way.
            let end = match self.rng.random_range(0..1000) {
                0..6 => Some("withdrawn"),
                6..11 => Some("referred"),
                11..14 => Some("closed"),
                _ => None,
            };
            if let Some(end) = end {
                let date = last + self.days(0..=20);
                if date <= today {
                    let mut step = StepInput {
                        kind: end.into(),
                        date: iso(date),
                        ..StepInput::default()
                    };
                    if end == "referred" {
                        step.details.referred_to = self.pick(&tables().referrals).into();
                    }
                    out.push(Planned::Step {
                        recorded: date,
                        step,
                    });
                }
                return out;
            }
            let mut details = StepDetails::default();
            let date = match kind {
                "documents_pending" => last + self.days(0..=3),
                "ready_to_send" => last + self.days(2..=25),
                "kit_sent" => {
                    details.assicurata = self.digits(12);
                    last + self.days(0..=7)
                }
                "questura_appointment" => {
                    let d = last + self.days(7..=45);
                    let day = d + self.days(20..=120);
                    appointment = Some(day);
                    details.appointment_date = iso(day);
                    details.appointment_time = format!(
                        "{:02}:{:02}",
                        self.rng.random_range(8..13),
                        self.pick(&[0, 10, 20, 30, 40, 50])
                    );
                    d
                }
                "permit_ready" => appointment.unwrap_or(last) + self.days(15..=90),
                _ => {
                    let d = last + self.days(1..=30);
                    details.issued_permit = self.issued(data, d);
                    d
                }
            };
            if date > today {
                break;
            }
            let note = if self.pct(3) {
                "Telefonato al richiedente.".into()
            } else {
                String::new()
            };
            let step = StepInput {
                kind: kind.into(),
                date: iso(date),
                details,
                note,
            };
            out.push(Planned::Step {
                recorded: date,
                step: step.clone(),
            });
            // About one step in 250 is recorded by mistake (wrong day, wrong number) and corrected:
            // roughly 2 % of cases carry a correction.
            if self.rng.random_range(0..1000) < 4 {
                let fixed = date + self.days(0..=3);
                if fixed <= today {
                    out.push(Planned::Correction {
                        recorded: fixed,
                        reason: self.pick(&tables().correction_reasons).into(),
                    });
                    let mut again = step;
                    if kind == "kit_sent" {
                        again.details.assicurata = self.digits(12);
                    }
                    out.push(Planned::Step {
                        recorded: fixed,
                        step: again,
                    });
                }
            }
            last = date;
        }
        out
    }

    /// The permit handed over at collection on `on`.
    fn issued(&mut self, data: &CaseData, on: NaiveDate) -> Permit {
        let requested = data.request.motivo_code.as_str();
        let held = data.current_permit.motivo_code.as_str();
        let code = match (data.request.procedure.as_str(), requested) {
            ("duplicato" | "aggiornamento", _) if !held.is_empty() => held.to_string(),
            ("conversione", _) => self.pick(&["16", "16", "16", "15", "13"]).to_string(),
            _ => requested.to_string(),
        };
        let expiry = if matches!(
            data.request.procedure.as_str(),
            "duplicato" | "aggiornamento"
        ) && !data.current_permit.expiry_date.is_empty()
        {
            data.current_permit.expiry_date.clone()
        } else {
            let years = match code.as_str() {
                "09" => 10,
                "07" | "Q-PROT-SUSS" => 5,
                "24" | "31" | "05" | "18" | "Q-CURE" => 1,
                _ => 2,
            };
            iso(on
                .with_year(on.year() + years)
                .unwrap_or(on + TimeDelta::days(365 * years as i64)))
        };
        Permit {
            motivo_code: code,
            number: self.permit_number(),
            expiry_date: expiry,
        }
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Consonants and vowels of a name, upper-case ASCII, in order (accents dropped: `Çela` → `CL`, `EA`).
/// Writes `count` generated cases into `register`, opened over the past `SPAN_DAYS` days up to
/// `today` in date order, each validated with the real validators and written through `cases::insert`
/// and `steps::append`/`steps::correct`, `BATCH` cases per transaction. `progress` is called after
/// each batch with the number of cases written so far.
///
/// Demo-data shortcut: while filling, the connection runs with `synchronous = OFF` and a 256 MiB page
/// cache (a power cut mid-fill may lose the demo folder, which is simply seeded again); both are
/// restored to the values found before returning, so the app's own writes keep `synchronous = FULL`.
pub fn fill(
    register: &mut Register,
    count: usize,
    seed: u64,
    today: NaiveDate,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let reference = register.reference().clone();
    // The shares name motivi of the reference table; one it does not have would be refused case by case.
    if let Some(m) = tables()
        .motivo
        .iter()
        .find(|m| reference.motivo(&m.code).is_none())
    {
        return Err(mixite_core::Error::Data {
            file: "src-tauri/demo/data/people.toml".into(),
            line: 0,
            message: format!("motivo {} is not in assets/reference/motivi.toml", m.code),
        });
    }
    let operators: Vec<String> = tables()
        .operators
        .iter()
        .map(|o| validate::operator(o, &reference, today))
        .collect::<Result<_>>()?;
    let conn = register.store().conn();
    let synchronous: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -262_144)?;
    let result = fill_batches(
        register,
        &reference,
        &operators,
        count,
        seed,
        today,
        &mut progress,
    );
    let conn = register.store().conn();
    conn.pragma_update(None, "cache_size", cache_size)?;
    conn.pragma_update(None, "synchronous", synchronous)?;
    result
}

fn fill_batches(
    register: &mut Register,
    reference: &Reference,
    operators: &[String],
    count: usize,
    seed: u64,
    today: NaiveDate,
    progress: &mut impl FnMut(usize),
) -> Result<()> {
    let mut generator = Generator::new(reference, seed);
    let start = today - TimeDelta::days(SPAN_DAYS);
    let mut done = 0;
    while done < count {
        let end = (done + BATCH).min(count);
        register.store_mut().write(|tx| {
            for i in done..end {
                let created = opening_day(start, today, i, count);
                let g = generator.case(created, today);
                let operator = operators
                    .iter()
                    .find(|o| o.as_str() == g.operator)
                    .expect("operator list");
                let data = validate::case(&g.data, reference, created)?;
                let id = cases::insert(tx, &data, None, None, &Clock::at(created), operator)?;
                // Three applicants in five consent to reminders at intake (from the case's index, so the
                // generator's random sequence, and every case it makes, stays as it was).
                if i % 5 < 3 {
                    let consent = agenda::Consent {
                        sms: true,
                        phone: i % 2 == 0,
                        given_on: iso(created),
                        ..agenda::Consent::default()
                    };
                    let consent = validate::consent(&consent, reference, created)?;
                    agenda::put_consent(tx, id, &consent, &Clock::at(created))?;
                }
                for planned in &g.history {
                    match planned {
                        Planned::Step { recorded, step } => {
                            let step = validate::step(step, reference, *recorded)?;
                            steps::append(tx, id, &step, &Clock::at(*recorded), operator)?;
                        }
                        Planned::Correction { recorded, reason } => {
                            let reason = validate::correction_reason(reason, reference, *recorded)?;
                            let step_id: i64 = tx.query_row(
                                "SELECT max(id) FROM steps WHERE case_id = ?1",
                                [id],
                                |r| r.get(0),
                            )?;
                            steps::correct(
                                tx,
                                id,
                                step_id,
                                &reason,
                                &Clock::at(*recorded),
                                operator,
                            )?;
                        }
                    }
                }
            }
            Ok(())
        })?;
        done = end;
        progress(done);
    }
    Ok(())
}

/// The day case `i` of `count` is opened: spread evenly from `start` to `today`, weekends moved to
/// the nearest working day (never past `today`).
fn opening_day(start: NaiveDate, today: NaiveDate, i: usize, count: usize) -> NaiveDate {
    let span = (today - start).num_days();
    let offset = (i as i128 * span as i128 / count.max(1) as i128) as i64;
    let day = start + TimeDelta::days(offset);
    let day = match day.weekday() {
        chrono::Weekday::Sat => day - TimeDelta::days(1),
        chrono::Weekday::Sun => day + TimeDelta::days(1),
        _ => day,
    };
    day.min(today)
}

/// Desk contacts written per transaction by `fill_contacts`.
pub const CONTACT_BATCH: usize = 50_000;

/// Writes `count` invented desk contacts over the year up to `today`, in date order: three in ten are
/// anonymous walk-ins (citizenship from the name pools' weights, sex and age band drawn), the others are
/// visits or calls about the folder's cases, copying their applicant's main citizenship, sex and age
/// band on the day, one to three services, 5 to 60 minutes, by the demo operators. Demo-data shortcut:
/// written with `activity::insert_generated` (person tokens derived from the case, no look-up of the
/// chain), with the same relaxed durability as `fill`, restored before returning. `progress` is called
/// after each batch with the contacts written so far.
pub fn fill_contacts(
    register: &mut Register,
    count: usize,
    seed: u64,
    today: NaiveDate,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    use mixite_core::register::activity::{insert_generated, WalkIn};
    let table = register.activity().clone();
    let cases = register.case_count()?;
    let bands: Vec<String> = table.age_bands.iter().map(|b| b.code.clone()).collect();
    let bits: Vec<u8> = table.services.iter().map(|s| s.bit).collect();
    let kinds: Vec<String> = table.kinds.iter().map(|k| k.code.clone()).collect();
    let groups = &tables().group;
    let total_weight: u32 = groups.iter().map(|g| g.weight).sum();
    let conn = register.store().conn();
    let synchronous: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let mut rng = SmallRng::seed_from_u64(seed);
    let start = today - TimeDelta::days(364);
    let mut first: std::collections::HashMap<i64, NaiveDate> = std::collections::HashMap::new();
    let mut done = 0;
    let result = (|| -> Result<()> {
        while done < count {
            let end = (done + CONTACT_BATCH).min(count);
            register.store_mut().write(|tx| {
                let mut applicant = tx.prepare_cached(
                    "SELECT p.citizenships, p.sex, p.birth_date, c.motivo_code FROM cases c
                     JOIN persons p ON p.case_id = c.id AND p.ord = 0 WHERE c.id = ?1",
                )?;
                for i in done..end {
                    let day = start + TimeDelta::days((i as i64 * 365) / count.max(1) as i64);
                    let mut services = 0i64;
                    for _ in 0..rng.random_range(1..=3) {
                        services |= 1 << bits[rng.random_range(0..bits.len())];
                    }
                    let minutes = rng.random_range(5..=60);
                    let kind = &kinds[usize::from(rng.random_range(0..10) >= 8)];
                    let operator = format!("demo-operator-{}", rng.random_range(1..=6));
                    if cases == 0 || rng.random_range(0..10) < 3 {
                        let mut pick = rng.random_range(0..total_weight);
                        let group = groups
                            .iter()
                            .find(|g| {
                                if pick < g.weight {
                                    true
                                } else {
                                    pick -= g.weight;
                                    false
                                }
                            })
                            .expect("weights add up");
                        let who = WalkIn {
                            citizenship: group.iso3.clone(),
                            sex: if rng.random_bool(0.5) { "F" } else { "M" }.into(),
                            age_band: bands[rng.random_range(0..bands.len())].clone(),
                        };
                        let person = (1i64 << 48) + i as i64;
                        insert_generated(
                            tx, day, kind, None, person, day, &who, "", services, minutes,
                            &operator,
                        )?;
                    } else {
                        let case_id = rng.random_range(1..=cases);
                        let (citizenships, sex, birth, motivo): (String, String, String, String) =
                            applicant.query_row([case_id], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                            })?;
                        let who = WalkIn {
                            citizenship: citizenships
                                .split_whitespace()
                                .next()
                                .unwrap_or_default()
                                .to_string(),
                            sex,
                            age_band: table.age_band(&birth, day),
                        };
                        let first_day = *first.entry(case_id).or_insert(day);
                        insert_generated(
                            tx,
                            day,
                            kind,
                            Some(case_id),
                            case_id,
                            first_day,
                            &who,
                            &motivo,
                            services,
                            minutes,
                            &operator,
                        )?;
                    }
                }
                Ok(())
            })?;
            done = end;
            progress(done);
        }
        Ok(())
    })();
    register
        .store()
        .conn()
        .pragma_update(None, "synchronous", synchronous)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixite_core::model::Filing;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn same_seed_same_cases_other_seed_other_cases() {
        let reference = Reference::bundled().unwrap();
        let run = |seed| {
            let mut g = Generator::new(&reference, seed);
            (0..200)
                .map(|i| {
                    g.case(
                        opening_day(today() - TimeDelta::days(SPAN_DAYS), today(), i, 200),
                        today(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7), "a seed must always give the same demo data");
        assert_ne!(run(7), run(8), "another seed must give other data");
    }

    /// The upgrade the issue asks to test on a file made with demo data: a plain register as the version
    /// before encryption kept it (the same schema code, unencrypted), converted at the first start.
    #[test]
    fn a_plain_demo_register_is_converted_at_the_first_start_with_every_case() {
        let dir = tempfile::tempdir().unwrap();
        let surname: String;
        {
            let mut plain = Register::open_plain(dir.path()).unwrap();
            fill(&mut plain, 300, 11, today(), |_| {}).unwrap();
            surname = plain
                .store()
                .conn()
                .query_row("SELECT surname FROM persons ORDER BY id LIMIT 1", [], |r| {
                    r.get(0)
                })
                .unwrap();
        }
        let db = dir.path().join(mixite_core::register::store::DB_FILE);
        let before = std::fs::read(&db).unwrap();
        assert!(before.starts_with(b"SQLite format 3\0"));
        let (register, _, _) = Register::set_up(
            dir.path(),
            "Anna Responsabile",
            "una parola lunga 1",
            mixite_core::register::keys::Kdf::OWASP,
            &Clock::at(today()),
        )
        .unwrap();
        assert_eq!(
            register.case_count().unwrap(),
            300,
            "every case came across"
        );
        assert!(
            !register.search(&surname, 0, 5).unwrap().items.is_empty(),
            "and the search finds them"
        );
        drop(register);
        for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            assert!(
                !bytes
                    .windows(surname.len())
                    .any(|w| w == surname.as_bytes()),
                "{} still holds a surname in clear",
                entry.path().display()
            );
        }
    }

    #[test]
    fn every_generated_case_is_valid_and_stored() {
        let mut register = Register::in_memory().unwrap();
        let mut calls = Vec::new();
        fill(&mut register, 2_000, 42, today(), |n| calls.push(n)).unwrap();
        assert_eq!(calls, vec![2_000], "one batch, reported once");
        let conn = register.store().conn();
        let (cases, statuses): (i64, i64) = conn
            .query_row(
                "SELECT count(*), count(DISTINCT status) FROM cases",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(cases, 2_000);
        assert!(
            statuses >= 8,
            "histories reach most statuses, got {statuses}"
        );
        let corrections: i64 = conn
            .query_row(
                "SELECT count(*) FROM steps WHERE kind = 'correction'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(corrections > 0, "a few steps are corrected");
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "fill restores synchronous = FULL");
    }

    #[test]
    fn generated_codici_fiscali_pass_the_check() {
        assert_eq!(
            codice_fiscale::compute(
                "Hoxha",
                "Arben",
                false,
                NaiveDate::from_ymd_opt(1990, 4, 15).unwrap(),
                "Z100"
            ),
            "HXHRBN90D15Z100Z",
            "the brief's worked example"
        );
        let reference = Reference::bundled().unwrap();
        let mut g = Generator::new(&reference, 3);
        let mut seen = 0;
        for _ in 0..2_000 {
            let data = g.data(today());
            let codes = std::iter::once(&data.applicant.codice_fiscale)
                .chain(data.household.iter().map(|m| &m.codice_fiscale));
            for code in codes.filter(|c| !c.is_empty()) {
                assert_eq!(codice_fiscale::check(code), Ok(()), "{code}");
                seen += 1;
            }
        }
        assert!(seen > 1_000, "most applicants have a code ({seen})");
    }

    #[test]
    fn the_mix_holds_every_filing_class_and_accented_names() {
        let reference = Reference::bundled().unwrap();
        let mut g = Generator::new(&reference, 11);
        let mut filings = Vec::new();
        let mut accented = 0;
        let mut motivi = std::collections::HashSet::new();
        for _ in 0..3_000 {
            let data = g.data(today());
            for m in &data.household {
                filings.push(mixite_core::register::cases::filing(&m.birth_date, today()));
            }
            if !data.applicant.surname.is_ascii() || !data.applicant.given_names.is_ascii() {
                accented += 1;
            }
            motivi.insert(data.request.motivo_code.clone());
        }
        for f in [
            Filing::OnParentApplication,
            Filing::OwnMinorPermit,
            Filing::OwnApplication,
        ] {
            assert!(filings.contains(&f), "{f:?} missing");
        }
        assert!(
            accented > 30,
            "accent-insensitive search needs accented names ({accented})"
        );
        assert!(motivi.len() >= 12, "a realistic permit mix ({motivi:?})");
    }

    #[test]
    fn the_tables_parse_and_every_motivo_they_weigh_is_in_the_reference() {
        let reference = Reference::bundled().unwrap();
        let unknown: Vec<&str> = tables()
            .motivo
            .iter()
            .map(|m| m.code.as_str())
            .filter(|code| reference.motivo(code).is_none())
            .collect();
        assert!(unknown.is_empty(), "motivi not in motivi.toml: {unknown:?}");
        for g in &tables().group {
            assert!(
                g.weight > 0
                    && !g.surnames.is_empty()
                    && !g.male.is_empty()
                    && !g.female.is_empty()
                    && !g.cities.is_empty(),
                "{}: every pool the generator draws from has names",
                g.iso3
            );
            assert!(
                reference.country(&g.iso3).is_some() && reference.language(&g.language).is_some(),
                "{}: its country and language are in the reference tables",
                g.iso3
            );
        }
        assert!(
            tables()
                .comune
                .iter()
                .all(|c| c.weight > 0 && !c.streets.is_empty()),
            "every comune has streets"
        );
    }

    #[test]
    fn a_hundred_varied_demo_cases_travel_intact_through_an_archive() {
        use mixite_core::exchange::archive::{self, ExportCase, ExportOptions};
        let clock = Clock::at(today());
        let (_a, mut source) = register();
        fill(&mut source, 100, 7, today(), |_| {}).unwrap();
        let selection: Vec<ExportCase> = (1..=100)
            .map(|id| ExportCase { id, pdfs: vec![] })
            .collect();
        let built =
            archive::build(&source, &selection, &ExportOptions::unencrypted(), today()).unwrap();
        let (_b, mut target) = register();
        let opened = archive::open_bytes(&built.bytes, None, target.reference()).unwrap();
        let report = archive::import(
            &mut target,
            &opened,
            &std::collections::HashMap::new(),
            &clock,
        )
        .unwrap();
        assert_eq!(report.inserted.len(), 100, "every case is new there");
        for inserted in &report.inserted {
            let here = target.get(inserted.id, today()).unwrap();
            let there = source
                .get(
                    cases::by_uuid(source.store().conn(), &here.uuid)
                        .unwrap()
                        .unwrap(),
                    today(),
                )
                .unwrap();
            assert_eq!(
                (&there.data, there.steps.len(), &there.status, &there.number),
                (&here.data, here.steps.len(), &here.status, &inserted.number),
                "the case arrives as it left (data, history, status, number)"
            );
        }
    }

    fn register() -> (tempfile::TempDir, Register) {
        let dir = tempfile::tempdir().unwrap();
        let register =
            Register::open(dir.path(), &mixite_core::register::keys::DbKey::generate()).unwrap();
        (dir, register)
    }
}
