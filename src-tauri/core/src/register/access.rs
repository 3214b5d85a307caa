//! Who may open the register and manage its operators: the first start (the first responsabile, the
//! key ring, the conversion of a register from before encryption), signing in with a passphrase or the
//! recovery key, confirming another operator's passphrase (switching at the counter, unlocking), and
//! managing operators (only a responsabile; nobody deleted, the last responsabile never disabled).
//!
//! It owns those rules and the order of their writes: the key ring is saved before the database it
//! opens is written (a crash in between leaves a ring whose slot still opens the register), and an
//! operator's slot is removed only after the database says they are disabled. It must not keep a
//! session (the shell does, see `session`) and never writes a passphrase or a key anywhere.

use std::path::Path;

use crate::clock::Clock;
use crate::error::{AccessCode, Error, Result};
use crate::register::audit::{self, Action, Detail, Entry};
use crate::register::keys::Failure;
use crate::register::keys::{DbKey, Kdf, KeyRing, RecoveryKey, SignInName, RECOVERY_SLOT};
use crate::register::operators::{self, Actor, Operator, Role};
use crate::register::store::{is_plain, Store, DB_FILE};
use crate::register::{entry, validate, Register};

/// The register's keys while it is open: the ring, to add and rewrap slots, and the key itself.
pub(crate) struct Keys {
    pub(crate) ring: KeyRing,
    pub(crate) key: DbKey,
}

/// A register closed for a moment: its key, kept in memory only (see `Register::close`).
pub struct Closed {
    key: DbKey,
}

/// What a data folder is ready for, shown before anyone signs in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// No operator yet: the first responsabile is to be created.
    pub needs_setup: bool,
    /// The folder holds a register from before encryption, converted when the first responsabile is
    /// created.
    pub plain_register: bool,
    /// The database is there but its key ring is not: nothing can open it (restore a backup).
    pub keys_missing: bool,
    /// Who can sign in.
    pub operators: Vec<SignInName>,
}

/// An audit entry by `by` about operator `id`.
fn about(by: &Actor, action: Action, id: &str) -> Entry {
    entry(by, action).with(Detail {
        subject: Some(id.to_string()),
        ..Detail::default()
    })
}

fn refused() -> Error {
    Error::Access(AccessCode::Refused)
}

fn not_allowed() -> Error {
    Error::Access(AccessCode::NotAllowed)
}

/// What `dir` is ready for (see `Readiness`). Reads the ring and the database's first bytes only.
pub fn readiness(dir: &Path) -> Result<Readiness> {
    let ring = KeyRing::load(dir)?;
    let db = dir.join(DB_FILE);
    let plain = is_plain(&db)?;
    Ok(Readiness {
        needs_setup: ring.is_none() && (plain || !db.exists()),
        plain_register: plain,
        keys_missing: ring.is_none() && db.exists() && !plain,
        operators: ring.map(|r| r.names()).unwrap_or_default(),
    })
}

impl Register {
    /// The first start of a data folder: creates the first responsabile with their passphrase, a random
    /// database key, their key slot and the recovery slot, then opens the register (a register from
    /// before encryption is converted on the way). The recovery key is returned once, to be printed.
    pub fn set_up(
        dir: &Path,
        name: &str,
        passphrase: &str,
        kdf: Kdf,
        at: &Clock,
    ) -> Result<(Register, Actor, RecoveryKey)> {
        let state = readiness(dir)?;
        if state.keys_missing {
            return Err(Error::Access(AccessCode::KeysMissing));
        }
        if !state.needs_setup {
            return Err(Error::Access(AccessCode::AlreadySetUp));
        }
        let tables = Register::tables(Some(dir))?;
        let name = validate::operator(name, &tables.0.tables.reference, at.today)?;
        let actor = Actor::unchecked(&uuid::Uuid::new_v4().to_string(), &name, Role::Responsabile);
        let key = DbKey::generate();
        let mut ring = KeyRing::new(dir);
        ring.put_operator(&actor.id, &actor.name, passphrase, &key, kdf)?;
        let recovery = ring.new_recovery(&key, kdf)?;
        crate::register::store::create_private_dir(dir)?;
        ring.save()?;
        let mut register = Register::assemble(Store::open(dir, &key)?, tables);
        register.store.write(|tx| {
            operators::insert(tx, &actor, at)?;
            if state.plain_register {
                audit::append(tx, &entry(&actor, Action::RegisterEncrypted), at)?;
            }
            let added = Detail {
                subject: Some(actor.id.clone()),
                role: Some(Role::Responsabile.to_string()),
                ..Detail::default()
            };
            audit::append(tx, &entry(&actor, Action::OperatorAdded).with(added), at)?;
            audit::append(tx, &entry(&actor, Action::SignedIn), at)?;
            Ok(())
        })?;
        register.keys = Some(Keys { ring, key });
        Ok((register, actor, recovery))
    }

    /// Opens the register of `dir` for the operator `id` with their passphrase. An unknown operator, a
    /// wrong passphrase and a disabled operator are all `Refused`; after a few failures on one name the
    /// answer is `Wait` (the delay doubles each time, and survives a restart).
    pub fn sign_in(
        dir: &Path,
        id: &str,
        passphrase: &str,
        at: &Clock,
    ) -> Result<(Register, Actor)> {
        let mut ring = KeyRing::load(dir)?.ok_or(Error::Access(AccessCode::NotSetUp))?;
        if let Some(seconds) = ring.wait_for(id, at.now) {
            return Err(Error::Wait { seconds });
        }
        let key = match ring.open(id, passphrase) {
            Ok(key) => key,
            Err(e) => {
                ring.record_failure(id, &at.recorded_at());
                ring.save()?;
                return Err(e);
            }
        };
        let mut register =
            Register::assemble(Store::open(dir, &key)?, Register::tables(Some(dir))?);
        let actor = match register.active_operator(id, &ring)? {
            Some(actor) => actor,
            None => {
                ring.record_failure(id, &at.recorded_at());
                ring.save()?;
                return Err(refused());
            }
        };
        register.signed_in(&mut ring, &actor, None, at)?;
        register.keys = Some(Keys { ring, key });
        Ok((register, actor))
    }

    /// Records a sign-in (after `then`, if any) and the failed ones before it.
    fn signed_in(
        &mut self,
        ring: &mut KeyRing,
        actor: &Actor,
        then: Option<Action>,
        at: &Clock,
    ) -> Result<()> {
        let mut entries: Vec<Entry> = then
            .map(|action| {
                entry(actor, action).with(Detail {
                    subject: Some(actor.id.clone()),
                    ..Detail::default()
                })
            })
            .into_iter()
            .collect();
        entries.push(entry(actor, Action::SignedIn));
        self.log_failures(ring, entries, at)
    }

    /// Writes to the audit trail the failed sign-ins the ring kept (each at its own time), then
    /// `entries`, in one transaction, and clears the failures from the ring (which ends any wait).
    fn log_failures(&mut self, ring: &mut KeyRing, entries: Vec<Entry>, at: &Clock) -> Result<()> {
        let names = ring.names();
        let failures = ring.take_failures();
        self.store.write(|tx| {
            for Failure { at: when, slot } in &failures {
                let known = names.iter().find(|n| n.id == *slot);
                let name = match known {
                    Some(n) => n.name.as_str(),
                    None if slot == RECOVERY_SLOT => RECOVERY_SLOT,
                    None => "",
                };
                let moment = chrono::DateTime::parse_from_rfc3339(when)
                    .map(|t| Clock {
                        now: t.with_timezone(&chrono::Utc),
                        today: t.with_timezone(&chrono::Local).date_naive(),
                    })
                    .unwrap_or(*at);
                let failed = Entry::new(known.map(|n| n.id.as_str()), name, Action::SignInFailed);
                audit::append(tx, &failed, &moment)?;
            }
            for entry in &entries {
                audit::append(tx, entry, at)?;
            }
            Ok(())
        })?;
        ring.save()
    }

    /// Opens the register with the recovery key and gives responsabile `id` a new passphrase (every
    /// passphrase was forgotten, or the only responsabile left). The recovery key stays valid: the
    /// responsabile may reissue it afterwards.
    pub fn recover(
        dir: &Path,
        recovery: &str,
        id: &str,
        new_passphrase: &str,
        at: &Clock,
    ) -> Result<(Register, Actor)> {
        let mut ring = KeyRing::load(dir)?.ok_or(Error::Access(AccessCode::NotSetUp))?;
        if let Some(seconds) = ring.wait_for(RECOVERY_SLOT, at.now) {
            return Err(Error::Wait { seconds });
        }
        let key = match ring.open_with_recovery(recovery) {
            Ok(key) => key,
            Err(e) => {
                ring.record_failure(RECOVERY_SLOT, &at.recorded_at());
                ring.save()?;
                return Err(e);
            }
        };
        crate::register::keys::check_passphrase(new_passphrase, "newPassphrase")?;
        let mut register =
            Register::assemble(Store::open(dir, &key)?, Register::tables(Some(dir))?);
        let operator = operators::get(register.store.conn(), id)?
            .filter(|o| o.active && o.role == Role::Responsabile)
            .ok_or_else(not_allowed)?;
        ring.put_operator(
            &operator.id,
            &operator.name,
            new_passphrase,
            &key,
            Kdf::OWASP,
        )?;
        ring.take_failures();
        ring.save()?;
        register.keys = Some(Keys { ring, key });
        Ok((register, operator.actor()))
    }

    /// The active operator `id`, when their slot is in `ring`. A register without operator rows (a
    /// first start cut short after the ring was saved, or a backup of the version before operators
    /// restored under this ring) takes them from the ring: the one signing in becomes a responsabile,
    /// the others operatori, for the responsabile to review.
    fn active_operator(&mut self, id: &str, ring: &KeyRing) -> Result<Option<Actor>> {
        if let Some(operator) = operators::get(self.store.conn(), id)? {
            return Ok(operator.active.then(|| operator.actor()));
        }
        let names = ring.names();
        if operators::count(self.store.conn())? > 0 || !names.iter().any(|n| n.id == id) {
            return Ok(None);
        }
        let clock = Clock::system();
        let actors: Vec<Actor> = names
            .iter()
            .map(|n| {
                let role = if n.id == id {
                    Role::Responsabile
                } else {
                    Role::Operatore
                };
                Actor::unchecked(&n.id, &n.name, role)
            })
            .collect();
        self.store.write(|tx| {
            for actor in &actors {
                operators::insert(tx, actor, &clock)?;
            }
            Ok(())
        })?;
        Ok(actors.into_iter().find(|a| a.id == id))
    }

    /// Closes the register, keeping what opens it again without a passphrase (a restore that may fail
    /// and then leaves the operator where they were). `None` for a register opened without its ring.
    pub fn close(self) -> Option<Closed> {
        self.keys.map(|k| Closed { key: k.key })
    }

    /// Opens again a register `close`d a moment ago, with the key ring on disk now.
    pub fn reopen(dir: &Path, closed: Closed) -> Result<Register> {
        let ring = KeyRing::load(dir)?.ok_or(Error::Access(AccessCode::KeysMissing))?;
        let mut register =
            Register::assemble(Store::open(dir, &closed.key)?, Register::tables(Some(dir))?);
        register.keys = Some(Keys {
            ring,
            key: closed.key,
        });
        Ok(register)
    }

    fn keys(&self) -> Result<&Keys> {
        self.keys
            .as_ref()
            .ok_or(Error::Access(AccessCode::NoSession))
    }

    fn keys_mut(&mut self) -> Result<&mut Keys> {
        self.keys
            .as_mut()
            .ok_or(Error::Access(AccessCode::NoSession))
    }

    /// The register's id (printed on the recovery sheet), `None` for a register opened without its ring.
    pub fn register_id(&self) -> Option<&str> {
        self.keys.as_ref().map(|k| k.ring.register_id())
    }

    /// Checks operator `id`'s passphrase against the open register (switching operator at the counter,
    /// unlocking a session after too many wrong PINs). Failures count as sign-in failures do.
    pub fn confirm(&mut self, id: &str, passphrase: &str, at: &Clock) -> Result<Actor> {
        let keys = self.keys_mut()?;
        if let Some(seconds) = keys.ring.wait_for(id, at.now) {
            return Err(Error::Wait { seconds });
        }
        let opened = keys.ring.open(id, passphrase);
        let ok = matches!(&opened, Ok(key) if *key == keys.key);
        if !ok {
            keys.ring.record_failure(id, &at.recorded_at());
            keys.ring.save()?;
            return Err(refused());
        }
        let operator = operators::get(self.store.conn(), id)?
            .filter(|o| o.active)
            .ok_or_else(refused)?;
        let mut keys = self
            .keys
            .take()
            .ok_or(Error::Access(AccessCode::NoSession))?;
        let logged = self.log_failures(&mut keys.ring, Vec::new(), at);
        self.keys = Some(keys);
        logged?;
        Ok(operator.actor())
    }

    /// Every operator, for the management screen (a responsabile's).
    pub fn operators(&self, by: &Actor) -> Result<Vec<Operator>> {
        if !by.is_responsabile() {
            return Err(not_allowed());
        }
        operators::list(self.store.conn())
    }

    /// Adds an operator with the passphrase they chose (typed by them at the responsabile's desk).
    pub fn add_operator(
        &mut self,
        by: &Actor,
        name: &str,
        role: Role,
        passphrase: &str,
        at: &Clock,
    ) -> Result<Operator> {
        if !by.is_responsabile() {
            return Err(not_allowed());
        }
        let name = validate::operator(name, &self.tables.reference, at.today)?;
        crate::register::keys::check_passphrase(passphrase, "passphrase")?;
        let actor = Actor::unchecked(&uuid::Uuid::new_v4().to_string(), &name, role);
        self.store.write(|tx| {
            operators::insert(tx, &actor, at)?;
            let added = Detail {
                subject: Some(actor.id.clone()),
                role: Some(role.to_string()),
                ..Detail::default()
            };
            audit::append(tx, &entry(by, Action::OperatorAdded).with(added), at)?;
            Ok(())
        })?;
        let keys = self.keys_mut()?;
        let key = keys.key.clone();
        keys.ring
            .put_operator(&actor.id, &actor.name, passphrase, &key, Kdf::OWASP)?;
        keys.ring.save()?;
        operators::get(self.store.conn(), &actor.id)?.ok_or_else(refused)
    }

    /// Disables an operator: their past work keeps their name, their passphrase opens nothing.
    pub fn disable_operator(&mut self, by: &Actor, id: &str, at: &Clock) -> Result<()> {
        let target = self.managed(by, id)?;
        if target.id == by.id {
            return Err(Error::Access(AccessCode::SelfDisable));
        }
        self.store.write(|tx| {
            operators::set_active(tx, id, false, at)?;
            if operators::active_responsabili(tx)? == 0 {
                return Err(Error::Access(AccessCode::LastResponsabile));
            }
            audit::append(tx, &about(by, Action::OperatorDisabled, id), at)?;
            Ok(())
        })?;
        let keys = self.keys_mut()?;
        keys.ring.remove(id);
        keys.ring.save()
    }

    /// Enables a disabled operator again, with a new passphrase (their old slot was removed).
    pub fn enable_operator(
        &mut self,
        by: &Actor,
        id: &str,
        passphrase: &str,
        at: &Clock,
    ) -> Result<()> {
        let target = self.managed(by, id)?;
        crate::register::keys::check_passphrase(passphrase, "passphrase")?;
        self.store.write(|tx| {
            operators::set_active(tx, id, true, at)?;
            audit::append(tx, &about(by, Action::OperatorEnabled, id), at)?;
            Ok(())
        })?;
        let keys = self.keys_mut()?;
        let key = keys.key.clone();
        keys.ring
            .put_operator(id, &target.name, passphrase, &key, Kdf::OWASP)?;
        keys.ring.save()
    }

    /// Changes an operator's role; the last active responsabile keeps theirs.
    pub fn set_role(&mut self, by: &Actor, id: &str, role: Role, at: &Clock) -> Result<()> {
        self.managed(by, id)?;
        self.store.write(|tx| {
            operators::set_role(tx, id, role, at)?;
            if operators::active_responsabili(tx)? == 0 {
                return Err(Error::Access(AccessCode::LastResponsabile));
            }
            let mut changed = about(by, Action::OperatorRoleChanged, id);
            changed.detail.role = Some(role.to_string());
            audit::append(tx, &changed, at)?;
            Ok(())
        })
    }

    /// A new passphrase for operator `id`: their own (with the current one), or anyone's when `by` is a
    /// responsabile (a forgotten passphrase). Only that slot is rewrapped.
    pub fn change_passphrase(
        &mut self,
        by: &Actor,
        id: &str,
        current: Option<&str>,
        new: &str,
        at: &Clock,
    ) -> Result<()> {
        let own = by.id == id;
        if !own && !by.is_responsabile() {
            return Err(not_allowed());
        }
        let target = operators::get(self.store.conn(), id)?
            .filter(|o| o.active)
            .ok_or(Error::Access(AccessCode::OperatorDisabled))?;
        if own {
            self.confirm(id, current.unwrap_or_default(), at)?;
        }
        crate::register::keys::check_passphrase(new, "newPassphrase")?;
        let keys = self.keys_mut()?;
        let key = keys.key.clone();
        keys.ring
            .put_operator(id, &target.name, new, &key, Kdf::OWASP)?;
        keys.ring.save()?;
        self.store.write(|tx| {
            audit::append(tx, &about(by, Action::OperatorPassphraseChanged, id), at)?;
            Ok(())
        })
    }

    /// A new recovery key (the old sheet opens nothing any more), returned once to be printed.
    pub fn reissue_recovery(&mut self, by: &Actor, at: &Clock) -> Result<RecoveryKey> {
        if !by.is_responsabile() {
            return Err(not_allowed());
        }
        let keys = self.keys_mut()?;
        let key = keys.key.clone();
        let recovery = keys.ring.new_recovery(&key, Kdf::OWASP)?;
        keys.ring.save()?;
        self.store.write(|tx| {
            audit::append(tx, &entry(by, Action::RecoveryKeyReissued), at)?;
            Ok(())
        })?;
        Ok(recovery)
    }

    /// The key ring's bytes and the database key, for a backup.
    pub(crate) fn key_material(&self) -> Result<(Vec<u8>, DbKey)> {
        let keys = self.keys()?;
        Ok((keys.ring.to_bytes()?, keys.key.clone()))
    }

    /// Operator `id` when `by` may manage them.
    fn managed(&self, by: &Actor, id: &str) -> Result<Operator> {
        if !by.is_responsabile() {
            return Err(not_allowed());
        }
        operators::get(self.store.conn(), id)?
            .ok_or(Error::NotFound(crate::error::Missing::Operator))
    }
}
