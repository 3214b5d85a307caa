//! IPC commands, one module per area, named `<area>_<verb>`. Each command is a few lines: take the
//! state, call the core, map the error through `wire`. They must not hold domain rules or SQL.

pub mod access;
pub mod agenda;
pub mod app;
pub mod archive;
pub mod audit;
pub mod cases;
pub mod catalogue;
pub mod content;
pub mod output;
pub mod papers;
pub mod referrals;
pub mod reminders;
pub mod reports;
pub mod retention;
pub mod steps;
