//! `mixite pack`: the maintainers' side of content packs. `keygen` writes a new signing key (owner-only,
//! never over an existing file) and its public key file, which goes into `assets/keys/` of a release;
//! `build` checks the content of a source tree (`assets/`, `locales/`) with the same loaders the app
//! uses and writes the signed pack; `verify` opens a pack as the app would (signature against the keys
//! this build trusts, or the one public key file given, every table's checks) and prints its version. It must not apply a pack to a data
//! folder (the responsabile does that in the app, audited) nor ever print or copy a secret key.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use mixite_core::reference::content::{Stamp, Version};
use mixite_core::reference::pack;
use mixite_core::register::content;

use crate::Result;

#[derive(clap::Subcommand)]
pub enum What {
    /// Write a new ed25519 key pair: the secret key file (owner-only; keep it off the desk and out of
    /// the repository) and the public key file for `assets/keys/`.
    Keygen {
        #[arg(long)]
        secret: std::path::PathBuf,
        #[arg(long)]
        public: std::path::PathBuf,
    },
    /// Build a signed content pack from a source tree's `assets/` and `locales/`.
    Build {
        /// The secret key file.
        #[arg(long)]
        key: std::path::PathBuf,
        /// The pack's version: numbers and dots, newer than the content in force at the desks.
        #[arg(long)]
        version: String,
        /// The pack's date (YYYY-MM-DD): when its content was settled.
        #[arg(long, value_parser = crate::parse_day)]
        date: NaiveDate,
        /// The source tree (a checkout of the repository); default: the current folder.
        #[arg(long, default_value = ".")]
        root: std::path::PathBuf,
        /// The pack file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check a pack as the app would (trusted keys of this build, every table) and print its version.
    Verify {
        pack: std::path::PathBuf,
        /// Check the signature against this public key file instead of the keys this build trusts: a
        /// key not shipped yet, or a throwaway one for a trial. The app itself never accepts it.
        #[arg(long)]
        public: Option<std::path::PathBuf>,
    },
}

pub fn run(what: What) -> Result<()> {
    match what {
        What::Keygen { secret, public } => keygen(&secret, &public),
        What::Build {
            key,
            version,
            date,
            root,
            out,
        } => {
            let version = Version::parse(&version).ok_or("the version is numbers and dots")?;
            build(&key, Stamp { version, date }, &root, &out)
        }
        What::Verify { pack, public } => {
            let trusted = match public {
                Some(file) => vec![pack::parse_public_key(&std::fs::read_to_string(file)?)?],
                None => pack::trusted_keys(),
            };
            let (content, _) = content::checked(&std::fs::read(pack)?, &trusted)?;
            println!("{}", content.stamp.footer());
            Ok(())
        }
    }
}

/// Creates `path` owner-only, refusing to replace a file already there (a key lost is a key lost).
fn create_new_private(path: &Path, text: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(file.sync_all()?)
}

fn keygen(secret: &Path, public: &Path) -> Result<()> {
    let (secret_text, public_text) = pack::new_key_files();
    create_new_private(secret, &secret_text)?;
    std::fs::write(public, public_text)?;
    Ok(())
}

fn build(key: &Path, stamp: Stamp, root: &Path, out: &Path) -> Result<()> {
    let key = pack::parse_secret_key(&std::fs::read_to_string(key)?)?;
    let content = pack::read_tree(root, stamp)?;
    // A pack is only ever built from tables (and report definitions) that pass the app's own checks.
    content::check(&content)?;
    let bytes = pack::build(&content, &key)?;
    std::fs::write(out, &bytes)?;
    println!(
        "{}: {} files, {} bytes",
        content.stamp.footer(),
        content.files().count(),
        bytes.len()
    );
    Ok(())
}
