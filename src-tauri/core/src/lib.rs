//! `mixite-core`: the domain of Sportello Mixitè without any user interface, in four areas: the case
//! `register` (storage, cases, steps, search, validation), the `papers` the desk prints (catalogue,
//! fees, checklist, guides, receipt, declarations, the register's recovery sheet, the print engine and
//! the print folder), the `exchange` with a USB stick (case archives, backups, drives) and the
//! `reference` data (dated tables, codice fiscale, MRZ, text rules, the lists the forms offer). `clock`,
//! `error` and `model` are shared by all. The Tauri shell, the `mixite` CLI and the demo-data crate
//! `mixite-demo` are its consumers.
//!
//! It must not depend on Tauri, read the clock or the process locale inside business logic (`Clock` and
//! locales are parameters), or log applicants' data.

pub mod clock;
pub mod error;
pub mod exchange;
pub mod model;
pub mod papers;
pub mod reference;
pub mod register;

pub use clock::Clock;
pub use error::{Error, FieldError, Result};
pub use register::{NewCase, Register};
