//! `mixite audit verify`: checks a data folder's audit trail from the command line (the same check as
//! the responsabile's screen), for a data-protection officer or an auditor at the desk's PC with the app
//! closed. It signs in as a responsabile whose passphrase it reads from `MIXITE_PASSPHRASE` or, when
//! that is unset, from the first line of standard input (never from the command line, where it would
//! be left in the shell's history and the process list). It only reads: no entry is written, except
//! the sign-in itself, which the trail records like any other.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use mixite_core::error::AccessCode;
use mixite_core::register::access::readiness;
use mixite_core::register::audit;
use mixite_core::{Clock, Error, Register};
use secrecy::{ExposeSecret, SecretString};

use crate::Result;

/// The passphrase, from the environment or the first line of standard input.
fn passphrase() -> Result<SecretString> {
    if let Ok(p) = std::env::var("MIXITE_PASSPHRASE") {
        return Ok(SecretString::from(p));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(SecretString::from(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

/// Verifies the trail of `dir` signed in as `operator` (a name from the sign-in list). Prints the
/// number of entries and either "intact" or the first broken entry and why; the exit code is 0 only
/// for an intact trail.
pub fn verify(dir: &Path, operator: &str) -> Result<ExitCode> {
    let ready = readiness(dir)?;
    let id = ready
        .operators
        .iter()
        .find(|o| o.name == operator)
        .map(|o| o.id.clone())
        .unwrap_or_else(|| operator.to_string());
    let secret = passphrase()?;
    let (register, actor) = Register::sign_in(dir, &id, secret.expose_secret(), &Clock::system())?;
    if !actor.is_responsabile() {
        return Err(Error::Access(AccessCode::NotAllowed).into());
    }
    let verdict = audit::verify(register.store().conn())?;
    match (verdict.first_broken, verdict.reason) {
        (None, None) => {
            println!("entries={} intact", verdict.entries);
            Ok(ExitCode::SUCCESS)
        }
        (entry, reason) => {
            println!(
                "entries={} broken at={} reason={}",
                verdict.entries,
                entry.map_or_else(|| "-".to_string(), |e| e.to_string()),
                reason.map_or_else(|| "-".to_string(), |r| r.to_string())
            );
            Ok(ExitCode::from(2))
        }
    }
}
