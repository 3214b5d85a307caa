//! age passphrase encryption (scrypt) for case archives and backups: sealing a stream at a fixed work
//! factor, opening one with a cap on the work factor and on the plain text it yields. It must not choose
//! passphrases or hold them longer than a call, and it uses age only: no cryptography of its own.

use std::io::{Read, Write};

use crate::error::{ArchiveCode, Error, FieldCode, FieldError, Result};
use crate::exchange::archive::{DEFAULT_SCRYPT_LOG_N, MAX_SCRYPT_LOG_N};

/// The fewest characters (not bytes) a new archive's or backup's passphrase may have: scrypt slows a
/// guess down, it does not make a short passphrase safe on a lost stick. The UI promises the same.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Refuses a passphrase shorter than `MIN_PASSPHRASE_CHARS` characters, on field `passphrase`.
pub(crate) fn check_passphrase_length(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::Invalid(vec![FieldError::new(
            "passphrase",
            FieldCode::PassphraseShort,
        )
        .with("min", MIN_PASSPHRASE_CHARS)]));
    }
    Ok(())
}

fn archive_err(code: ArchiveCode) -> Error {
    Error::Archive(code)
}

pub(crate) fn encrypt(plain: &[u8], passphrase: &str, log_n: Option<u8>) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(plain.len() + 4096);
    encrypt_to(plain, &mut out, passphrase, log_n)?;
    Ok(out)
}

/// Encrypts everything `plain` yields into `out` as an age file (scrypt at `log_n`, or the default),
/// streaming: memory stays the same whatever the size (a backup of a large register).
pub(crate) fn encrypt_to(
    mut plain: impl Read,
    out: impl Write,
    passphrase: &str,
    log_n: Option<u8>,
) -> Result<()> {
    if passphrase.is_empty() {
        return Err(archive_err(ArchiveCode::PassphraseRequired));
    }
    let mut recipient =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    let log_n = log_n.unwrap_or(DEFAULT_SCRYPT_LOG_N);
    if log_n == 0 || log_n > MAX_SCRYPT_LOG_N {
        return Err(archive_err(ArchiveCode::UnsupportedEncryption));
    }
    recipient.set_work_factor(log_n);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|_| archive_err(ArchiveCode::WriteFailed))?;
    let mut writer = encryptor.wrap_output(out)?;
    std::io::copy(&mut plain, &mut writer)?;
    writer.finish()?.flush()?;
    Ok(())
}

/// The bytes age adds to `plain` bytes: a header well under 1 KiB and 16 bytes per 64 KiB chunk.
pub(crate) const fn encrypted_size_bound(plain: u64) -> u64 {
    plain + (plain / 65_536 + 1) * 16 + 1024
}

/// Decrypts an age file with a passphrase, reading at most `cap` bytes of plain text (`too_large`
/// beyond). Used for archives and for backups.
pub(crate) fn decrypt(bytes: &[u8], passphrase: &str, cap: u64) -> Result<Vec<u8>> {
    let mut reader = decrypt_reader(bytes, passphrase)?;
    let mut plain = Vec::new();
    (&mut reader)
        .take(cap + 1)
        .read_to_end(&mut plain)
        .map_err(|_| archive_err(ArchiveCode::Corrupt))?;
    if plain.len() as u64 > cap {
        return Err(archive_err(ArchiveCode::TooLarge));
    }
    Ok(plain)
}

/// The plain text of an age file with a passphrase (scrypt only, at most `MAX_SCRYPT_LOG_N`), as a
/// stream: each chunk is authenticated as it is read, and a read error means a damaged file.
pub(crate) fn decrypt_reader<R: std::io::BufRead>(
    input: R,
    passphrase: &str,
) -> Result<age::stream::StreamReader<R>> {
    use age::DecryptError as D;
    let decryptor =
        age::Decryptor::new_buffered(input).map_err(|_| archive_err(ArchiveCode::Corrupt))?;
    if !decryptor.is_scrypt() {
        return Err(archive_err(ArchiveCode::UnsupportedEncryption));
    }
    let mut identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_SCRYPT_LOG_N);
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            // A flipped bit in the wrapped key looks the same as a wrong passphrase; the message
            // says both.
            D::DecryptionFailed | D::KeyDecryptionFailed | D::NoMatchingKeys => {
                archive_err(ArchiveCode::WrongPassphrase)
            }
            D::ExcessiveWork { .. } => archive_err(ArchiveCode::UnsupportedEncryption),
            _ => archive_err(ArchiveCode::Corrupt),
        })
}
