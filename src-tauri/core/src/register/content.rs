//! The content in force in a data folder: the built-in content, or the pack the Comune installed in
//! `content/current.pack` with the one it replaced kept as `content/previous.pack`. It owns choosing
//! which is in force when a register opens (an installed pack is verified every time: signature,
//! manifest and every table's checks; one that fails, or that is not newer than the built-in content
//! of this build, leaves the built-in content in force and the reason is said, never half of each),
//! and swapping packs: applying a newer one and restoring the previous, each file replaced whole
//! (written under a temporary name, synced, renamed, the folder synced), so a power cut leaves the old
//! pack or the new one in force.
//!
//! It must not check a table itself (`reference::content::Tables::check` does, and
//! `register::report` the report definitions, which name the register's activity codes: `check` runs
//! both), know the pack format (`reference::pack`), or record the audit entry (the `Register` façade
//! does, with the operator).

use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use crate::error::{Error, PackCode, Result};
use crate::reference::content::{Content, Stamp, Tables};
use crate::reference::pack;
use crate::register::keys::sync_dir;
use crate::register::store::replace_file;

/// The folder of the installed packs, inside the data folder.
pub const FOLDER: &str = "content";
pub const CURRENT: &str = "current.pack";
pub const PREVIOUS: &str = "previous.pack";

/// Which content is in force, for the about screen and the papers' footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InForce {
    /// The version and date of the content in force.
    pub stamp: Stamp,
    /// `true` when it is an installed pack, `false` for the content built into the app.
    pub installed: bool,
    /// The built-in content's version and date.
    pub built_in: Stamp,
    /// The pack that `restore` would bring back, if one is kept.
    pub previous: Option<Stamp>,
    /// Why an installed pack is not in force: its refusal (`bad_signature`, `invalid_data` with the
    /// pack's file and line…), or `not_newer` when the built-in content is newer (`detail`: its version).
    pub problem: Option<Problem>,
}

/// Why an installed pack is not in force, as the refusal of the same pack would say it (translated as
/// `errors.pack.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: PackCode,
    pub detail: String,
}

impl Problem {
    fn of(err: Error) -> Problem {
        match err {
            Error::Pack { code, detail } => Problem { code, detail },
            // A file that cannot be read is, to the desk, no pack.
            other => Problem {
                code: PackCode::NotAPack,
                detail: other.to_string(),
            },
        }
    }
}

/// A content with its checked tables.
pub struct Loaded {
    pub content: Content,
    pub tables: Tables,
    pub in_force: InForce,
}

fn folder(dir: &Path) -> PathBuf {
    dir.join(FOLDER)
}

/// The content in force for the data folder `dir` (none: in memory, the built-in content), installed
/// packs verified against `trusted`. An error only when the built-in content itself fails its checks
/// (the app then refuses to start, naming file and line, as before packs existed).
pub fn load(dir: Option<&Path>, trusted: &[VerifyingKey]) -> Result<Loaded> {
    let built_in = Content::embedded()?;
    let mut in_force = InForce {
        stamp: built_in.stamp.clone(),
        installed: false,
        built_in: built_in.stamp.clone(),
        previous: None,
        problem: None,
    };
    let Some(dir) = dir else {
        return Ok(Loaded {
            tables: check(&built_in)?,
            content: built_in,
            in_force,
        });
    };
    in_force.previous = read(&folder(dir).join(PREVIOUS))
        .ok()
        .flatten()
        .and_then(|bytes| pack::open(&bytes, trusted).ok())
        .map(|c| c.stamp);
    let installed = match read(&folder(dir).join(CURRENT)) {
        Ok(None) => None,
        Ok(Some(bytes)) => match checked(&bytes, trusted) {
            Ok((content, _)) if content.stamp.version <= built_in.stamp.version => {
                in_force.problem = Some(Problem {
                    code: PackCode::NotNewer,
                    detail: built_in.stamp.version.to_string(),
                });
                None
            }
            Ok(loaded) => Some(loaded),
            Err(e) => {
                in_force.problem = Some(Problem::of(e));
                None
            }
        },
        Err(e) => {
            in_force.problem = Some(Problem::of(e));
            None
        }
    };
    Ok(match installed {
        Some((content, tables)) => Loaded {
            in_force: InForce {
                stamp: content.stamp.clone(),
                installed: true,
                ..in_force
            },
            content,
            tables,
        },
        // Checked only when it is the one in force: with a pack in force, the built-in tables are not
        // what the desk prints from (and a register opens at every sign-in).
        None => Loaded {
            tables: check(&built_in)?,
            content: built_in,
            in_force,
        },
    })
}

/// A pack opened and its tables checked: a table that fails is `InvalidData` with its file and line.
pub fn checked(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<(Content, Tables)> {
    let content = pack::open(bytes, trusted)?;
    let tables = check(&content).map_err(|e| match e {
        Error::Data {
            file,
            line,
            message,
        } => Error::pack(PackCode::InvalidData, format!("{file}:{line}: {message}")),
        other => other,
    })?;
    Ok((content, tables))
}

/// Every table of `content` (`Tables::check`) and its report definitions, checked against the
/// activity codes this build records: what a content must pass to be in force, and a pack to be built.
pub fn check(content: &Content) -> Result<Tables> {
    let tables = Tables::check(content)?;
    crate::register::report::Definition::from_content(
        content,
        &crate::register::activity::Table::bundled()?,
    )?;
    Ok(tables)
}

/// A file's bytes, `None` when there is none (larger than any pack: refused unread).
fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
        Ok(meta) if meta.len() > pack::MAX_PACK_BYTES => {
            Err(Error::pack(PackCode::NotAPack, "too large"))
        }
        Ok(_) => Ok(Some(std::fs::read(path)?)),
    }
}

fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    Ok(replace_file(path, bytes)?)
}

/// Puts `bytes` in force as `current.pack`, the pack it replaces (if any) kept as `previous.pack`
/// first: each step replaces one whole file, so whatever is cut short, `current.pack` is the old pack
/// or the new one.
pub fn install(dir: &Path, bytes: &[u8]) -> Result<()> {
    let folder = folder(dir);
    std::fs::create_dir_all(&folder)?;
    if let Some(current) = read(&folder.join(CURRENT))? {
        replace(&folder.join(PREVIOUS), &current)?;
    }
    replace(&folder.join(CURRENT), bytes)
}

/// Brings the previous pack back (the current one becomes the previous); with no previous pack but an
/// installed one, the installed one is set aside as the previous and the built-in content is in force
/// again. The previous pack must still verify (`trusted`) and pass its checks.
pub fn restore(dir: &Path, trusted: &[VerifyingKey]) -> Result<()> {
    let folder = folder(dir);
    let current = read(&folder.join(CURRENT))?;
    match (read(&folder.join(PREVIOUS))?, current) {
        (Some(previous), current) => {
            checked(&previous, trusted)?;
            if let Some(current) = current {
                replace(&folder.join(PREVIOUS), &current)?;
            }
            replace(&folder.join(CURRENT), &previous)
        }
        (None, Some(_)) => {
            std::fs::rename(folder.join(CURRENT), folder.join(PREVIOUS))?;
            Ok(sync_dir(&folder)?)
        }
        (None, None) => Err(Error::pack(PackCode::NoPrevious, "")),
    }
}
