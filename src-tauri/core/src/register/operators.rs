//! The `operators` table: who works at the desk, their role and whether they are active, and `Actor`,
//! the signed-in operator every use case of the register is run by. It owns the table's queries; it
//! must not decide who may manage whom (the register's access use cases do) nor touch the key ring.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::clock::Clock;
use crate::error::{Error, FieldCode, FieldError, Result};
use crate::reference::text;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    serde::Deserialize,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Keeps cases: intake, steps, papers, the stick.
    Operatore,
    /// Also manages operators, reads the audit trail, runs retention, holds the recovery key.
    Responsabile,
}

/// Who runs a use case: the operator the shell's session signed in. Steps, papers and the audit trail
/// record them; the UI never sends a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// An actor not signed in through a key slot: for tests, benchmarks and demo data, which write
    /// through the register directly. The app only ever gets its actors from a sign-in.
    pub fn unchecked(id: &str, name: &str, role: Role) -> Actor {
        Actor {
            id: id.to_string(),
            name: name.to_string(),
            role,
        }
    }

    pub fn is_responsabile(&self) -> bool {
        self.role == Role::Responsabile
    }
}

/// An operator as the management screen lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: String,
    pub changed_at: String,
}

impl Operator {
    pub fn actor(&self) -> Actor {
        Actor::unchecked(&self.id, &self.name, self.role)
    }
}

const COLUMNS: &str = "id, name, role, active, created_at, changed_at";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Operator> {
    let role: String = r.get(2)?;
    Ok(Operator {
        id: r.get(0)?,
        name: r.get(1)?,
        role: role.parse().unwrap_or(Role::Operatore),
        active: r.get(3)?,
        created_at: r.get(4)?,
        changed_at: r.get(5)?,
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Operator>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM operators WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

/// Every operator, active ones first, then by name.
pub fn list(conn: &Connection) -> Result<Vec<Operator>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM operators ORDER BY active DESC, name_key"
    ))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM operators", [], |r| r.get(0))?)
}

/// Active responsabili: there must always be one.
pub fn active_responsabili(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM operators WHERE active = 1 AND role = 'responsabile'",
        [],
        |r| r.get(0),
    )?)
}

/// Adds an operator; a name another operator has (folded) is `Duplicate` on `name`.
pub(crate) fn insert(tx: &Transaction, actor: &Actor, at: &Clock) -> Result<()> {
    let key = text::fold(&actor.name);
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM operators WHERE name_key = ?1)",
        [&key],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::Invalid(vec![FieldError::new(
            "operator",
            FieldCode::Duplicate,
        )]));
    }
    let role: &str = actor.role.into();
    tx.execute(
        "INSERT INTO operators (id, name, name_key, role, active, created_at, changed_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)",
        params![actor.id, actor.name, key, role, at.recorded_at()],
    )?;
    Ok(())
}

pub(crate) fn set_active(tx: &Transaction, id: &str, active: bool, at: &Clock) -> Result<()> {
    tx.execute(
        "UPDATE operators SET active = ?2, changed_at = ?3 WHERE id = ?1",
        params![id, active, at.recorded_at()],
    )?;
    Ok(())
}

pub(crate) fn set_role(tx: &Transaction, id: &str, role: Role, at: &Clock) -> Result<()> {
    let role: &str = role.into();
    tx.execute(
        "UPDATE operators SET role = ?2, changed_at = ?3 WHERE id = ?1",
        params![id, role, at.recorded_at()],
    )?;
    Ok(())
}
