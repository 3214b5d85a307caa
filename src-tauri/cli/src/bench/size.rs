//! `mixite bench size`: how much disk a folder's register takes: cases, bytes of the database file and
//! its WAL (after a checkpoint), bytes per case. It must not write anything but the checkpoint, which
//! moves committed pages into the main file without changing data.

use std::path::Path;

use super::{checkpoint, db_bytes};
use crate::Result;

pub fn run(dir: &Path) -> Result<()> {
    if !dir.join(mixite_core::register::store::DB_FILE).exists() {
        return Err(format!("{} holds no register", dir.display()).into());
    }
    let (register, _) = crate::sign_in::open(dir)?;
    let conn = register.store().conn();
    checkpoint(conn)?;
    let cases = register.case_count()?;
    let persons: i64 = conn.query_row("SELECT count(*) FROM persons", [], |r| r.get(0))?;
    let steps: i64 = conn.query_row("SELECT count(*) FROM steps", [], |r| r.get(0))?;
    let bytes = db_bytes(dir);
    let per_case = bytes as f64 / cases.max(1) as f64;
    println!(
        "cases {cases}  persons {persons}  steps {steps}  db {:.1} MiB ({bytes} bytes)  {per_case:.0} bytes/case",
        bytes as f64 / 1_048_576.0
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "size", "cases": cases, "persons": persons, "steps": steps,
            "dbBytes": bytes, "bytesPerCase": per_case.round(),
        })
    );
    Ok(())
}
