//! The removable drives the export screen offers, from a mount table and a `/sys/block` tree shaped like
//! the kernel's, and from this machine's own.

use std::path::{Path, PathBuf};

use mixite_core::drives::{from_mounts, removable};

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
fn this_machine_s_drives_are_real_mount_points() {
    for drive in removable() {
        assert!(
            Path::new(&drive.path).is_dir(),
            "{:?} is listed but is not a folder",
            drive.path
        );
    }
}
