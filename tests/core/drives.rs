//! The removable drives the export screen offers, from a mount table and a `/sys/block` tree shaped like
//! the kernel's: given as text and a folder, and read from a root folder as `removable` reads `/`.

use std::path::{Path, PathBuf};

use mixite_core::exchange::drives::{from_mounts, removable_under};

#[test]
fn removable_disks_and_desktop_mounts_are_listed_with_their_filesystem() {
    let sys = tempfile::tempdir().unwrap();
    for (disk, flag) in [("sda", "0"), ("sdb", "1"), ("mmcblk0", "1")] {
        std::fs::create_dir_all(sys.path().join(disk)).unwrap();
        std::fs::write(sys.path().join(disk).join("removable"), format!("{flag}\n")).unwrap();
    }
    let mounts = "\
/dev/sda1 / ext4 rw,relatime 0 0
/dev/sdb1 /media/op/STICK vfat rw,nosuid 0 0
/dev/mmcblk0p1 /mnt/sd\\040card exfat rw 0 0
fusefat /run/media/op/KINGSTON fuse.fusefat rw 0 0
tmpfs /tmp tmpfs rw 0 0
/dev/sdb1 /media/op/STICK vfat rw,nosuid 0 0
";
    let drives = from_mounts(mounts, sys.path());
    let seen: Vec<(PathBuf, &str, bool)> = drives
        .iter()
        .map(|d| (d.path.clone(), d.filesystem.as_str(), d.fat))
        .collect();
    assert_eq!(
        seen,
        [
            (PathBuf::from("/media/op/STICK"), "vfat", true),
            (PathBuf::from("/mnt/sd card"), "exfat", false),
            (PathBuf::from("/run/media/op/KINGSTON"), "fuse.fusefat", true),
        ],
        "the fixed disk and tmpfs are left out, a stick mounted twice is listed once, octal escapes are read"
    );
    assert_eq!(drives[0].label, "STICK");
    assert_eq!(
        drives[1].free_bytes, None,
        "a mount point that is not there has no free space to report"
    );
}

#[test]
fn the_listing_reads_the_mount_table_and_sys_block_under_its_root() {
    // A machine shaped like the kernel shows it: a fixed disk with / and /home, a stick and an SD card in
    // a reader, their mount points real folders (so free space can be asked of them).
    let root = tempfile::tempdir().unwrap();
    let folder = |path: &str| {
        let dir = root.path().join(path);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    };
    let home = folder("home");
    let stick = folder("mnt/CHIAVETTA");
    let card = folder("mnt/sd card");
    for (disk, flag) in [("sda", "0"), ("sdb", "1"), ("mmcblk0", "1")] {
        std::fs::write(folder(&format!("sys/block/{disk}")).join("removable"), flag).unwrap();
    }
    let table = format!(
        "/dev/sda1 / ext4 rw 0 0\n/dev/sda2 {} ext4 rw 0 0\n/dev/sdb1 {} vfat rw 0 0\n\
         /dev/mmcblk0p1 {} exfat rw 0 0\n",
        home.display(),
        stick.display(),
        card.display().to_string().replace(' ', "\\040"),
    );
    std::fs::write(folder("proc").join("mounts"), table).unwrap();

    let drives = removable_under(root.path());
    let seen: Vec<(&Path, &str, bool)> = drives
        .iter()
        .map(|d| (d.path.as_path(), d.filesystem.as_str(), d.fat))
        .collect();
    assert_eq!(
        seen,
        [
            (stick.as_path(), "vfat", true),
            (card.as_path(), "exfat", false)
        ],
        "the stick and the card are listed from root/proc/mounts and root/sys/block, the fixed disk is not"
    );
    for drive in &drives {
        assert!(
            drive.path.is_dir() && drive.free_bytes.is_some(),
            "{:?}: a listed drive is a folder whose free space is known",
            drive.path
        );
    }
    assert!(
        removable_under(&root.path().join("nowhere")).is_empty(),
        "no mount table, no drives (and no panic)"
    );
}

#[test]
fn a_stick_s_case_files_and_backups_are_found_by_name_in_any_letter_case() {
    use mixite_core::exchange::drives::{found_files, FileKind};
    let stick = tempfile::tempdir().unwrap();
    let put = |name: &str| std::fs::write(stick.path().join(name), b"x").unwrap();
    put("pratica-2026-000001-20261203.mixite");
    put("PRATICA-2026-000002-20261204.ZIP");
    put("mixite-backup-20261204-1010.age");
    put("appunti.txt");
    put("foto.zip");
    // A folder with an archive's name is not a file to import.
    std::fs::create_dir(stick.path().join("vecchia.mixite")).unwrap();
    let found = found_files(&[(stick.path().to_path_buf(), "STICK".into())]);
    let listed: Vec<(&str, FileKind)> = found.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        listed,
        [
            ("pratica-2026-000001-20261203.mixite", FileKind::Cases),
            ("mixite-backup-20261204-1010.age", FileKind::Backup),
            ("PRATICA-2026-000002-20261204.ZIP", FileKind::Cases),
        ],
        "only this app's files, by name (newest name first, byte order), whatever FAT32 did to the case"
    );
    assert!(
        found.iter().all(|f| f.drive == "STICK" && f.bytes == 1),
        "each with its drive and size"
    );
}
