//! Writing a file to a stick safely: a temporary name in the same folder, synced, renamed to a name free
//! in any letter case (FAT32), the folder synced, then read back and verified before success; on any
//! failure nothing is left under either name, and the error says what the operator can do (stick full,
//! read-only, removed). It must not know what the file holds (the caller writes and verifies it).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{ArchiveCode, Error, Result};

/// The largest file FAT32 can hold (4 GiB − 1).
pub const FAT32_MAX_FILE: u64 = u32::MAX as u64;

fn archive_err(code: ArchiveCode) -> Error {
    Error::Archive(code)
}

/// An I/O failure on the stick, as an error the operator can act on. The raw error (paths, errno) is
/// developers' detail and carries no personal data, but the codes are what the UI translates.
pub(crate) fn stick_error(e: std::io::Error) -> Error {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull => archive_err(ArchiveCode::StickFull),
        ErrorKind::FileTooLarge => archive_err(ArchiveCode::TooLargeForStick),
        ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => {
            archive_err(ArchiveCode::StickReadOnly)
        }
        ErrorKind::NotFound | ErrorKind::NotADirectory => archive_err(ArchiveCode::StickRemoved),
        _ => match e.raw_os_error() {
            // EDQUOT: a quota counts as full.
            Some(122) => archive_err(ArchiveCode::StickFull),
            // EIO, ENXIO, ENODEV, ENOTCONN (FUSE gone), ESHUTDOWN: the device went away.
            Some(5 | 6 | 19 | 107 | 108) => archive_err(ArchiveCode::StickRemoved),
            _ => Error::Io(e),
        },
    }
}

/// Refuses a file FAT32 cannot hold, before a byte is written.
pub fn check_fat32_size(size: u64) -> Result<()> {
    if size > FAT32_MAX_FILE {
        return Err(archive_err(ArchiveCode::TooLargeForStick));
    }
    Ok(())
}

/// A name in `folder` that no entry holds in any letter case (FAT32 and exFAT compare names without
/// case, so `A.zip` and `a.zip` are the same file there): `name`, else `stem-2.ext` … `stem-99.ext`.
fn free_name(folder: &Path, name: &str) -> Result<String> {
    let mut taken = HashSet::new();
    for entry in std::fs::read_dir(folder).map_err(stick_error)? {
        let entry = entry.map_err(stick_error)?;
        taken.insert(entry.file_name().to_string_lossy().to_lowercase());
    }
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..100 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{stem}-{n}.{extension}")
        };
        if !taken.contains(&candidate.to_lowercase()) {
            return Ok(candidate);
        }
    }
    Err(archive_err(ArchiveCode::NoFreeName))
}

/// Writes `bytes` into `folder` under `name` (or the first free variant, see `free_name`) so that the
/// final name only ever holds a complete, verified file (see `write_with`): once on the device, the
/// file is read back, compared byte for byte and given to `verify` (decrypt, hashes).
pub fn write_to_folder(
    folder: &Path,
    name: &str,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<()>,
) -> Result<PathBuf> {
    write_with(
        folder,
        name,
        bytes.len() as u64,
        |file| Ok(file.write_all(bytes)?),
        |path| {
            let read = std::fs::read(path).map_err(stick_error)?;
            if read != bytes {
                return Err(archive_err(ArchiveCode::VerifyFailed));
            }
            verify(&read).map_err(|_| archive_err(ArchiveCode::VerifyFailed))
        },
    )
}

/// Writes a file into `folder` under `name` (or the first free variant) with `write`, which may
/// stream: `size` (at most what `write` will write) is checked against FAT32's limit first.
///
/// 1. write to a temporary name in the same folder and `sync_all` it (the data is on the device);
/// 2. rename it to the final name and sync the folder (the name is on the device);
/// 3. run `verify` on the final path (read it back: compare, decrypt, hashes).
///
/// On any failure (stick full, read-only, pulled out, verification failed) the temporary file and
/// any file under the final name are removed when the device still allows it, and the error says
/// what happened. Returns the final path.
pub fn write_with(
    folder: &Path,
    name: &str,
    size: u64,
    write: impl FnOnce(&mut File) -> Result<()>,
    verify: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    check_fat32_size(size)?;
    if !std::fs::metadata(folder).map_err(stick_error)?.is_dir() {
        return Err(archive_err(ArchiveCode::StickRemoved));
    }
    let final_name = free_name(folder, name)?;
    let temp = folder.join(format!("mixite-{:016x}.tmp", rand::random::<u64>()));
    let target = folder.join(&final_name);

    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(stick_error)?;
    let written = write(&mut file).and_then(|()| Ok(file.sync_all()?));
    if written.is_err() {
        // Give the clusters back now: a FUSE driver frees a deleted file only once it has processed
        // the release, which arrives after `close` returns.
        let _ = file.set_len(0);
    }
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(match e {
            // The folder took a new file a moment ago, so it is not read-only: a permission error in
            // the middle of writing is how FUSE FAT drivers (fusefat) report a volume with no free
            // cluster.
            Error::Io(io) if io.raw_os_error() == Some(1) => archive_err(ArchiveCode::StickFull),
            Error::Io(io) => stick_error(io),
            other => other,
        });
    }
    // Checked again just before the rename, which would replace a file that appeared meanwhile.
    if target.exists() {
        let _ = std::fs::remove_file(&temp);
        return Err(archive_err(ArchiveCode::NoFreeName));
    }
    if let Err(e) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_file(&temp);
        return Err(stick_error(e));
    }
    let checked = sync_folder(folder)
        .map_err(stick_error)
        .and_then(|()| verify(&target));
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&target);
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(target)
}

/// Makes the rename durable: on Unix the directory entry is only on the device once the folder itself
/// is synced. File systems that cannot sync a directory (they answer EINVAL or "unsupported") write
/// their directory entries synchronously or not at all; the read-back that follows still checks the
/// file is there.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        match File::open(folder)?.sync_all() {
            Err(e)
                if e.kind() == std::io::ErrorKind::Unsupported || e.raw_os_error() == Some(22) =>
            {
                Ok(())
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}
