//! The signed-in operator's session at the desk: who it is, the short PIN that unlocks it (kept only as
//! an Argon2id hash in memory), the idle lock and the count of wrong PINs (after `PIN_TRIES` the
//! passphrase is needed). Time is passed in, so the rules are tested without waiting.
//!
//! It owns those rules only: it must not open the register nor check passphrases (`access` does), and
//! nothing of it is ever written to disk.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::{AccessCode, Error, FieldCode, FieldError, Result};
use crate::register::keys::Kdf;
use crate::register::operators::Actor;

/// Wrong PINs accepted before only the passphrase unlocks.
pub const PIN_TRIES: u32 = 5;
/// The idle time before the desk locks, unless the responsabile sets another.
pub const DEFAULT_IDLE_MINUTES: i64 = 5;
/// The idle times a responsabile may choose.
pub const IDLE_MINUTES: std::ops::RangeInclusive<i64> = 1..=60;
/// A PIN's cost: it guards an unlocked machine's memory for a few minutes, not a file, and is checked
/// at every unlock, so it is cheap; five tries is the real limit.
const PIN_KDF: Kdf = Kdf {
    memory_kib: 8 * 1024,
    iterations: 1,
    lanes: 1,
};

/// A PIN: 4 to 8 digits.
pub fn check_pin(pin: &str) -> Result<()> {
    let digits = pin.chars().count();
    if !(4..=8).contains(&digits) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::Invalid(vec![FieldError::new(
            "pin",
            FieldCode::PinFormat,
        )]));
    }
    Ok(())
}

pub struct Session {
    actor: Actor,
    salt: [u8; 16],
    pin_hash: Zeroizing<[u8; 32]>,
    locked: bool,
    wrong_pins: u32,
    last_activity: DateTime<Utc>,
    idle: Duration,
}

impl Session {
    /// A session for `actor`, signed in now with the PIN they chose for it.
    pub fn new(actor: Actor, pin: &str, now: DateTime<Utc>, idle_minutes: i64) -> Result<Session> {
        check_pin(pin)?;
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        Ok(Session {
            pin_hash: PIN_KDF.derive(pin.as_bytes(), &salt)?,
            salt,
            actor,
            locked: false,
            wrong_pins: 0,
            last_activity: now,
            idle: Duration::minutes(idle_minutes.clamp(*IDLE_MINUTES.start(), *IDLE_MINUTES.end())),
        })
    }

    /// The signed-in operator, if the session is open at `now`; an idle session locks itself here.
    pub fn actor(&mut self, now: DateTime<Utc>) -> Result<&Actor> {
        if !self.locked && now - self.last_activity >= self.idle {
            self.locked = true;
        }
        if self.locked {
            return Err(Error::Access(AccessCode::SessionLocked));
        }
        self.last_activity = now;
        Ok(&self.actor)
    }

    /// Who the session belongs to, locked or not (the lock screen shows the name).
    pub fn owner(&self) -> &Actor {
        &self.actor
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked || now - self.last_activity >= self.idle
    }

    /// The operator is still at the desk (typing, moving the mouse) though no command ran.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        if !self.is_locked(now) {
            self.last_activity = now;
        }
    }

    pub fn lock(&mut self) {
        self.locked = true;
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// The idle time in whole minutes (at least one), as the settings show it.
    pub fn idle_minutes(&self) -> i64 {
        self.idle.num_minutes().max(1)
    }

    /// The idle time before the session locks itself.
    pub fn set_idle(&mut self, idle: Duration) {
        self.idle = idle;
    }

    /// Unlocks with the PIN; after `PIN_TRIES` wrong ones only `unlock_confirmed` (the passphrase) does.
    pub fn unlock_pin(&mut self, pin: &str, now: DateTime<Utc>) -> Result<()> {
        if self.wrong_pins >= PIN_TRIES {
            return Err(Error::Access(AccessCode::PinExhausted));
        }
        let typed = PIN_KDF.derive(pin.as_bytes(), &self.salt)?;
        if typed[..] != self.pin_hash[..] {
            self.wrong_pins += 1;
            return Err(Error::Access(if self.wrong_pins >= PIN_TRIES {
                AccessCode::PinExhausted
            } else {
                AccessCode::PinRefused
            }));
        }
        self.unlocked(now);
        Ok(())
    }

    /// Unlocks after the owner's passphrase was confirmed (`Register::confirm`).
    pub fn unlock_confirmed(&mut self, now: DateTime<Utc>) {
        self.wrong_pins = 0;
        self.unlocked(now);
    }

    /// Wrong PINs left before the passphrase is needed.
    pub fn pin_tries_left(&self) -> u32 {
        PIN_TRIES.saturating_sub(self.wrong_pins)
    }

    fn unlocked(&mut self, now: DateTime<Utc>) {
        self.locked = false;
        self.last_activity = now;
    }
}
