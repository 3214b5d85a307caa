//! The content pack file: how the procedures, fees, reference tables, kit forms and printed texts travel to a
//! desk without a new build. A pack is one TAR holding `manifest.json` (format, version, date, and every
//! file's name, size and SHA-256), `manifest.sig` (the ed25519 signature of the manifest's exact bytes,
//! in hex) and the files themselves under their names in the source tree (`assets/procedures/…`,
//! `locales/checklist/…`). It owns building a pack from a `Content` with a signing key, opening one
//! (signature against the trusted keys the caller passes, then every file against the manifest),
//! the key files' format, and the difference between two contents the responsabile reads before
//! applying.
//!
//! It must not check what the tables mean (`content::Tables::check` does, with the loaders), decide
//! which content is in force or write anything into a data folder (`register::content`), or ever hold a
//! private key: the project's public keys are embedded from `assets/keys/`, the signing key is a file
//! the maintainers keep off the desk and the repository. There is no way to add a trusted key at run
//! time: tests pass their own keys to the functions that take them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer};
/// The key types, for callers that pass their own keys (the CLI's signing key, tests' trusted keys).
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, PackCode, Result};
use crate::reference::content::{Content, Stamp, Tables, Version};
use crate::reference::fees::Amount;

/// What a pack file is called: `contenuti-<version>.mixite-pack`.
pub const EXTENSION: &str = "mixite-pack";
/// A pack larger than this is refused unread: the whole content is a few megabytes of text.
pub const MAX_PACK_BYTES: u64 = 32 << 20;
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.sig";
const FORMAT: u32 = 1;
/// At most this many files in a pack (the content has a few dozen).
const MAX_FILES: usize = 1000;

/// The public keys whose packs this build accepts, embedded from `assets/keys/`. A key is replaced by
/// adding the new one here in a release before packs are signed with it.
const TRUSTED_KEY_FILES: [(&str, &str); 1] = [(
    "assets/keys/mixite-content-1.pub",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/keys/mixite-content-1.pub"
    )),
)];

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Manifest {
    format: u32,
    version: Version,
    date: NaiveDate,
    files: Vec<ManifestFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManifestFile {
    name: String,
    bytes: u64,
    sha256: String,
}

/// The keys this build trusts (`assets/keys/`). Panics only if a shipped key file is malformed, which
/// a test rules out.
pub fn trusted_keys() -> Vec<VerifyingKey> {
    TRUSTED_KEY_FILES
        .iter()
        .map(|(file, text)| parse_public_key(text).unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

/// The hex key of a key file: its one line that is not empty and not a `#` comment.
fn key_line(text: &str) -> Option<[u8; 32]> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let line = lines.next()?;
    if lines.next().is_some() {
        return None;
    }
    hex::decode(line).ok()?.try_into().ok()
}

/// A public key file: `#` comments and one line of 64 hex digits.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey> {
    key_line(text)
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or_else(|| Error::pack(PackCode::NotAPack, "malformed public key file"))
}

/// A secret key file: `#` comments and one line of 64 hex digits (the ed25519 seed).
pub fn parse_secret_key(text: &str) -> Result<SigningKey> {
    key_line(text)
        .map(|seed| SigningKey::from_bytes(&seed))
        .ok_or_else(|| Error::pack(PackCode::NotAPack, "malformed secret key file"))
}

/// A new key pair as the texts of its two files `(secret, public)`, from 32 random bytes of the
/// operating system's generator (through `rand`).
pub fn new_key_files() -> (String, String) {
    let seed: [u8; 32] = rand::random();
    let key = SigningKey::from_bytes(&seed);
    let public = public_key_file(&key.verifying_key());
    let secret = format!(
        "# Sportello Mixitè content-pack SIGNING key. Secret: keep it off the desk and out of the\n\
         # repository; whoever has it can change what every desk prints.\n{}\n",
        hex::encode(seed)
    );
    (secret, public)
}

/// The text of a public key file.
pub fn public_key_file(key: &VerifyingKey) -> String {
    format!(
        "# Sportello Mixitè content-pack public key (ed25519): packs signed with its secret key are accepted.\n{}\n",
        hex::encode(key.as_bytes())
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Builds the pack of `content` signed with `key`: the manifest, its signature, then the files in name
/// order. Deterministic (fixed times and modes), so the same content and key give the same bytes. The
/// caller checks the content first (`Tables::check`): a pack is only ever built from good tables.
pub fn build(content: &Content, key: &SigningKey) -> Result<Vec<u8>> {
    let manifest = Manifest {
        format: FORMAT,
        version: content.stamp.version.clone(),
        date: content.stamp.date,
        files: content
            .files()
            .map(|(name, text)| ManifestFile {
                name: name.to_string(),
                bytes: text.len() as u64,
                sha256: sha256_hex(text.as_bytes()),
            })
            .collect(),
    };
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::from)?;
    let signature = hex::encode(key.sign(&manifest).to_bytes());
    let mut tar = tar::Builder::new(Vec::new());
    let mut member = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, bytes)
    };
    member(MANIFEST, &manifest)?;
    member(SIGNATURE, signature.as_bytes())?;
    for (name, text) in content.files() {
        member(name, text.as_bytes())?;
    }
    Ok(tar.into_inner()?)
}

/// Reads the content a pack carries once its signature verifies with one of `trusted` and every file
/// is the one the signed manifest lists (nothing missing, nothing added, no other name than a pack
/// file's). It does not check the tables (`Tables::check`) nor compare versions.
pub fn open(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<Content> {
    let not_a_pack = |detail: &str| Error::pack(PackCode::NotAPack, detail);
    let tampered = |detail: String| Error::pack(PackCode::BadSignature, detail);
    if bytes.len() as u64 > MAX_PACK_BYTES {
        return Err(not_a_pack("too large"));
    }
    let mut members: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().map_err(|_| not_a_pack("not a TAR"))? {
        let mut entry = entry.map_err(|_| not_a_pack("damaged TAR"))?;
        if entry.header().entry_type() != tar::EntryType::Regular || members.len() >= MAX_FILES {
            return Err(not_a_pack("unexpected member"));
        }
        let name = entry
            .path()
            .ok()
            .and_then(|p| p.to_str().map(str::to_string))
            .ok_or_else(|| not_a_pack("member name"))?;
        let mut data = Vec::new();
        (&mut entry)
            .take(MAX_PACK_BYTES)
            .read_to_end(&mut data)
            .map_err(|_| not_a_pack("damaged TAR"))?;
        if members.insert(name, data).is_some() {
            return Err(not_a_pack("a member twice"));
        }
    }
    let manifest_bytes = members
        .remove(MANIFEST)
        .ok_or_else(|| not_a_pack("no manifest"))?;
    let signature = members
        .remove(SIGNATURE)
        .and_then(|s| hex::decode(s.trim_ascii()).ok())
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or_else(|| not_a_pack("no signature"))?;
    if !trusted
        .iter()
        .any(|key| key.verify_strict(&manifest_bytes, &signature).is_ok())
    {
        return Err(tampered("the manifest's signature".into()));
    }
    let manifest: Manifest =
        serde_json::from_slice(&manifest_bytes).map_err(|_| not_a_pack("manifest"))?;
    if manifest.format != FORMAT {
        return Err(not_a_pack("unknown format"));
    }
    let mut files = BTreeMap::new();
    for listed in &manifest.files {
        if !Content::belongs(&listed.name) {
            return Err(not_a_pack("a file that is not content"));
        }
        let data = members
            .remove(&listed.name)
            .ok_or_else(|| tampered(format!("{} is missing", listed.name)))?;
        if data.len() as u64 != listed.bytes || sha256_hex(&data) != listed.sha256 {
            return Err(tampered(format!(
                "{} differs from the manifest",
                listed.name
            )));
        }
        let text = String::from_utf8(data).map_err(|_| not_a_pack("a file that is not UTF-8"))?;
        files.insert(listed.name.clone(), text);
    }
    if let Some(extra) = members.keys().next() {
        return Err(tampered(format!("{extra} is not in the manifest")));
    }
    Ok(Content::new(
        Stamp {
            version: manifest.version,
            date: manifest.date,
        },
        files,
    ))
}

/// Reads a content from a source tree `root` (a checkout of the repository): the files of the pack's
/// lists as they are there, with the version and date the maintainer gives.
pub fn read_tree(root: &std::path::Path, stamp: Stamp) -> Result<Content> {
    let mut files = BTreeMap::new();
    for name in Content::reference_files() {
        files.insert(name.to_string(), std::fs::read_to_string(root.join(name))?);
    }
    for (folder, extension) in Content::areas() {
        for entry in std::fs::read_dir(root.join(folder))? {
            let file = entry?.file_name();
            let name = format!("{folder}/{}", file.to_string_lossy());
            if name.ends_with(&format!(".{extension}")) && Content::belongs(&name) {
                files.insert(name.clone(), std::fs::read_to_string(root.join(&name))?);
            }
        }
    }
    Ok(Content::new(stamp, files))
}

/// A procedure named in a difference: its id and Italian title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcedureRef {
    pub id: String,
    pub title: String,
}

/// One dated amount that is only in the old content (`removed`) or only in the new (`added`): a
/// changed amount is one of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeChange {
    /// A fee id of `fees.toml`, or `assegno_sociale`.
    pub fee: String,
    /// Its Italian label (the year, for the assegno sociale).
    pub label: String,
    /// The band, for a banded fee.
    pub band: Option<String>,
    pub change: Change,
    pub cents: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
}

/// What applying a pack changes, for the responsabile to read first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub from: Stamp,
    pub to: Stamp,
    pub procedures_added: Vec<ProcedureRef>,
    pub procedures_removed: Vec<ProcedureRef>,
    /// Procedures whose rows, fees, conditions or sources differ.
    pub procedures_changed: Vec<ProcedureRef>,
    pub fees: Vec<FeeChange>,
    /// Languages whose printed texts (the checklist's or the papers' own) were added, removed or
    /// changed.
    pub languages: Vec<String>,
    /// Every file that differs, by name (what the lists above do not say, such as a motivo's row).
    pub files: Vec<String>,
}

/// The difference between the content in force (`old`) and a pack's (`new`), both checked.
pub fn diff(old: (&Content, &Tables), new: (&Content, &Tables)) -> Diff {
    let procedures = |t: &Tables| -> BTreeMap<String, (ProcedureRef, serde_json::Value)> {
        t.catalogue
            .procedures()
            .iter()
            .map(|p| {
                let title = t.texts.text(&p.title, "it", &BTreeMap::new());
                let reference = ProcedureRef {
                    id: p.id.clone(),
                    title,
                };
                let mut value = serde_json::to_value(p).unwrap_or_default();
                // Moving a procedure to another file changes nothing the desk prints.
                if let Some(map) = value.as_object_mut() {
                    map.remove("file");
                }
                (p.id.clone(), (reference, value))
            })
            .collect()
    };
    let (before, after) = (procedures(old.1), procedures(new.1));
    let only = |a: &BTreeMap<String, (ProcedureRef, serde_json::Value)>,
                b: &BTreeMap<String, (ProcedureRef, serde_json::Value)>| {
        a.iter()
            .filter(|(id, _)| !b.contains_key(*id))
            .map(|(_, (r, _))| r.clone())
            .collect::<Vec<_>>()
    };
    let procedures_changed = after
        .iter()
        .filter(|(id, (_, value))| before.get(*id).is_some_and(|(_, v)| v != value))
        .map(|(_, (r, _))| r.clone())
        .collect();

    let files = |c: &Content| -> BTreeMap<String, String> {
        c.files()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    };
    let (old_files, new_files) = (files(old.0), files(new.0));
    let names: BTreeSet<&String> = old_files.keys().chain(new_files.keys()).collect();
    Diff {
        from: old.0.stamp.clone(),
        to: new.0.stamp.clone(),
        procedures_added: only(&after, &before),
        procedures_removed: only(&before, &after),
        procedures_changed,
        fees: fee_changes(old.1, new.1),
        languages: old
            .1
            .texts
            .changed_languages(&new.1.texts)
            .into_iter()
            .chain(old.1.papers.changed_languages(&new.1.papers))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        files: names
            .into_iter()
            .filter(|n| old_files.get(*n) != new_files.get(*n))
            .cloned()
            .collect(),
    }
}

/// Every dated amount (fees, their bands, the assegno sociale's years) only in one of the two tables.
fn fee_changes(old: &Tables, new: &Tables) -> Vec<FeeChange> {
    type Key = (String, Option<String>, i64, NaiveDate, Option<NaiveDate>);
    let rows = |t: &Tables| -> BTreeMap<Key, String> {
        let mut out = BTreeMap::new();
        let none = BTreeMap::new();
        let mut add = |fee: &str,
                       label: &str,
                       band: Option<&str>,
                       dated: (i64, NaiveDate, Option<NaiveDate>)| {
            let (cents, from, to) = dated;
            out.insert(
                (fee.to_string(), band.map(str::to_string), cents, from, to),
                label.to_string(),
            );
        };
        let dated = |a: &Amount| (a.cents, a.valid_from, a.valid_to);
        for fee in &t.fees.fees {
            let label = t.texts.text(&fee.label, "it", &none);
            for a in &fee.amounts {
                add(&fee.id, &label, None, dated(a));
            }
            for band in &fee.bands {
                for a in &band.amounts {
                    add(&fee.id, &label, Some(&band.id), dated(a));
                }
            }
        }
        for year in &t.fees.years {
            let from = NaiveDate::from_ymd_opt(year.year, 1, 1).unwrap_or_default();
            let to = NaiveDate::from_ymd_opt(year.year + 1, 1, 1);
            let label = format!("Assegno sociale {}", year.year);
            add(
                "assegno_sociale",
                &label,
                None,
                (year.annual_cents, from, to),
            );
        }
        out
    };
    let (before, after) = (rows(old), rows(new));
    let mut changes: Vec<FeeChange> = Vec::new();
    for (rows, other, change) in [
        (&before, &after, Change::Removed),
        (&after, &before, Change::Added),
    ] {
        for ((fee, band, cents, from, to), label) in rows {
            if !other.contains_key(&(fee.clone(), band.clone(), *cents, *from, *to)) {
                changes.push(FeeChange {
                    fee: fee.clone(),
                    label: label.clone(),
                    band: band.clone(),
                    change,
                    cents: *cents,
                    valid_from: *from,
                    valid_to: *to,
                });
            }
        }
    }
    // Each fee's rows together, by date, the removed row before the one replacing it.
    changes.sort_by(|a, b| {
        (&a.fee, &a.band, a.valid_from, a.change == Change::Added).cmp(&(
            &b.fee,
            &b.band,
            b.valid_from,
            b.change == Change::Added,
        ))
    });
    changes
}
