//! Where a case file or a backup can be written: the removable drives that are mounted now. On Linux they
//! come from `/proc/mounts` (what is mounted where, with which filesystem) joined with
//! `/sys/block/<disk>/removable` (whether the kernel sees the disk as removable), plus anything mounted
//! under `/media` or `/run/media` (where desktops mount sticks, also through FUSE); on Windows from the
//! drive letters whose type is removable. The export screen also offers the platform's folder picker, so
//! a drive this misses can still be chosen.
//!
//! It also lists what this app can read at the top of a drive or folder: case files (`.mixite`, or a
//! plain `pratica….zip`) and backups (`mixite-backup-….age`), by name and size only.
//!
//! It must not write anything or open a file; it only lists mount points with their free space and
//! filesystem, so the writer can respect FAT32's limits, and names and sizes of the files it knows.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// A mounted removable drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drive {
    /// Where it is mounted (a folder on Linux, `E:\` on Windows).
    pub path: PathBuf,
    /// The last part of the mount point (the volume label on most desktops) or the drive letter.
    pub label: String,
    /// `vfat`, `exfat`, `ntfs`, `fuse.fusefat`…, as the system reports it.
    pub filesystem: String,
    /// Bytes free for this user; `None` when the system cannot say.
    pub free_bytes: Option<u64>,
    /// FAT filesystems cap a file at 4 GiB − 1 and refuse some characters in names.
    pub fat: bool,
}

/// `/proc/mounts` escapes spaces and a few other bytes as `\ooo` octal.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 4 <= bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let value = bytes[i + 1..i + 4]
                .iter()
                .fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
            out.push(value as u8);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The whole disk of a partition device: `/dev/sdb1` → `sdb`, `/dev/mmcblk0p1` → `mmcblk0`,
/// `/dev/nvme0n1p2` → `nvme0n1`.
fn disk_of(device: &str) -> Option<String> {
    let name = device.strip_prefix("/dev/")?;
    if name.starts_with("mmcblk") || name.starts_with("nvme") {
        return Some(match name.rfind('p') {
            Some(i) if name[i + 1..].bytes().all(|b| b.is_ascii_digit()) && i > 0 => {
                name[..i].to_string()
            }
            _ => name.to_string(),
        });
    }
    Some(
        name.trim_end_matches(|c: char| c.is_ascii_digit())
            .to_string(),
    )
}

fn is_fat(filesystem: &str) -> bool {
    matches!(filesystem, "vfat" | "msdos" | "fat" | "fuse.fusefat")
}

/// The removable drives listed in `mounts` (the text of `/proc/mounts`), with `/sys/block` at
/// `sys_block`: a mount counts when its disk is marked removable, or when it is mounted under `/media`
/// or `/run/media`. Free space is asked of the system for each mount point.
pub fn from_mounts(mounts: &str, sys_block: &Path) -> Vec<Drive> {
    let mut drives: Vec<Drive> = Vec::new();
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(device), Some(point), Some(filesystem)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let point = unescape(point);
        let removable_disk = disk_of(device).is_some_and(|disk| {
            std::fs::read_to_string(sys_block.join(&disk).join("removable"))
                .is_ok_and(|v| v.trim() == "1")
        });
        let desktop_mount = point.starts_with("/media/") || point.starts_with("/run/media/");
        if !(removable_disk || desktop_mount) || drives.iter().any(|d| d.path == Path::new(&point))
        {
            continue;
        }
        let path = PathBuf::from(&point);
        drives.push(Drive {
            label: path
                .file_name()
                .map_or_else(|| point.clone(), |n| n.to_string_lossy().into_owned()),
            free_bytes: fs4::available_space(&path).ok(),
            fat: is_fat(filesystem),
            filesystem: filesystem.to_string(),
            path,
        });
    }
    drives
}

/// The removable drives mounted now.
#[cfg(target_os = "linux")]
pub fn removable() -> Vec<Drive> {
    removable_under(Path::new("/"))
}

/// The removable drives the kernel files under `root` describe: `root/proc/mounts` and
/// `root/sys/block` (`/` on the machine itself; a folder shaped like it in tests). A file that cannot
/// be read lists nothing.
pub fn removable_under(root: &Path) -> Vec<Drive> {
    let mounts = std::fs::read_to_string(root.join("proc/mounts")).unwrap_or_default();
    from_mounts(&mounts, &root.join("sys/block"))
}

/// The removable drives mounted now: drive letters whose type is `DRIVE_REMOVABLE`.
#[cfg(windows)]
pub fn removable() -> Vec<Drive> {
    use windows_sys::Win32::Storage::FileSystem::{GetDriveTypeW, GetLogicalDrives};
    const DRIVE_REMOVABLE: u32 = 2;
    // SAFETY: GetLogicalDrives takes no arguments and returns a bit mask.
    let mask = unsafe { GetLogicalDrives() };
    (0..26u8)
        .filter(|i| mask & (1 << i) != 0)
        .filter_map(|i| {
            let letter = char::from(b'A' + i);
            let root: Vec<u16> = format!("{letter}:\\").encode_utf16().chain([0]).collect();
            // SAFETY: `root` is a NUL-terminated UTF-16 string that outlives the call.
            let kind = unsafe { GetDriveTypeW(root.as_ptr()) };
            (kind == DRIVE_REMOVABLE).then(|| {
                let path = PathBuf::from(format!("{letter}:\\"));
                Drive {
                    label: format!("{letter}:"),
                    free_bytes: fs4::available_space(&path).ok(),
                    // The filesystem name needs GetVolumeInformationW; FAT limits are assumed, the safe side.
                    filesystem: String::new(),
                    fat: true,
                    path,
                }
            })
        })
        .collect()
}

/// Other systems: none listed; the folder picker remains.
#[cfg(not(any(target_os = "linux", windows)))]
pub fn removable() -> Vec<Drive> {
    Vec::new()
}

/// What a file found on a drive is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A case archive (`.mixite`, or a plain `.zip` this app names `pratica…`).
    Cases,
    /// A backup of a register (`mixite-backup-….age`).
    Backup,
    /// A content pack (`….mixite-pack`, `reference::pack`).
    Pack,
}

impl FileKind {
    /// The kind of a file this app writes, by its name in any letter case (FAT32 may change it).
    pub fn of(name: &str) -> Option<FileKind> {
        let lower = name.to_lowercase();
        if lower.starts_with("mixite-backup-") && lower.ends_with(".age") {
            Some(FileKind::Backup)
        } else if lower.ends_with(&format!(".{}", crate::reference::pack::EXTENSION)) {
            Some(FileKind::Pack)
        } else if lower.ends_with(".mixite")
            || (lower.starts_with("pratic") && lower.ends_with(".zip"))
        {
            Some(FileKind::Cases)
        } else {
            None
        }
    }
}

/// A case file or backup found on a drive, for the import and restore lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundFile {
    pub path: String,
    pub name: String,
    pub kind: FileKind,
    pub bytes: u64,
    /// The label of the drive or folder it is on.
    pub drive: String,
}

/// The case files, backups and content packs at the top of each `(folder, label)`, newest name first (names carry
/// the date), each file once. Only names and sizes are read; a folder that cannot be read is skipped.
pub fn found_files(places: &[(PathBuf, String)]) -> Vec<FoundFile> {
    let mut found = Vec::new();
    for (place, label) in places {
        for entry in std::fs::read_dir(place).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(kind) = FileKind::of(&name) else {
                continue;
            };
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_file() {
                found.push(FoundFile {
                    path: entry.path().display().to_string(),
                    name,
                    kind,
                    bytes: meta.len(),
                    drive: label.clone(),
                });
            }
        }
    }
    found.sort_by(|a, b| b.name.cmp(&a.name).then(a.path.cmp(&b.path)));
    found.dedup_by(|a, b| a.path == b.path);
    found
}
