//! How the command line opens a demo data folder: as the app does, through its key ring, signed in as
//! the folder's demo responsabile, whom it creates at the folder's first use (`Register::set_up`, which
//! also converts a register from before encryption). So a seeded folder opens in the app too (sign in as
//! `DEMO_OPERATOR` with `DEMO_PASSPHRASE`), and a backup taken by `mixite bench backup` carries a real
//! key ring. It must never be pointed at real applicants' data: the passphrase is written here.

use std::path::Path;

use mixite_core::register::access;
use mixite_core::register::keys::Kdf;
use mixite_core::register::operators::Actor;
use mixite_core::{Clock, Register};

use crate::Result;

/// The responsabile of every folder the command line sets up.
pub const DEMO_OPERATOR: &str = "Responsabile Demo";
/// Their passphrase (demo data only).
pub const DEMO_PASSPHRASE: &str = "frase di prova del banco";

/// The register of `dir`, signed in as its demo responsabile (set up first when the folder has no
/// operator yet).
pub fn open(dir: &Path) -> Result<(Register, Actor)> {
    let clock = Clock::system();
    let ready = access::readiness(dir)?;
    if ready.needs_setup {
        let (register, actor, _recovery) =
            Register::set_up(dir, DEMO_OPERATOR, DEMO_PASSPHRASE, Kdf::OWASP, &clock)?;
        return Ok((register, actor));
    }
    let demo = ready
        .operators
        .iter()
        .find(|o| o.name == DEMO_OPERATOR)
        .ok_or_else(|| {
            format!(
                "{} has no {DEMO_OPERATOR}: not a demo folder",
                dir.display()
            )
        })?;
    Ok(Register::sign_in(dir, &demo.id, DEMO_PASSPHRASE, &clock)?)
}
