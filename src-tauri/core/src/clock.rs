//! The moment an operation happens, passed into every core function that stamps or dates something, so
//! tests and demo data choose their own time. It must not be read inside business logic any other way.

use chrono::{DateTime, NaiveDate, Utc};

/// The moment an operation happens: `now` stamps records, `today` (the counter's local date) drives
/// validation and case numbers. Passed in so tests and demo data choose their own time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

impl Clock {
    /// The machine's clock and local date.
    pub fn system() -> Clock {
        Clock {
            now: Utc::now(),
            today: chrono::Local::now().date_naive(),
        }
    }

    /// A fixed moment: noon UTC of `today`.
    pub fn at(today: NaiveDate) -> Clock {
        Clock {
            now: today.and_hms_opt(12, 0, 0).expect("noon exists").and_utc(),
            today,
        }
    }

    /// `now` as stored: RFC 3339 UTC with milliseconds (sorts as text).
    pub fn recorded_at(&self) -> String {
        self.now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}
