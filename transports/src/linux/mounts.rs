//! Whether a device holds a mounted filesystem or active swap, on itself, one of its
//! partitions, or a device stacked on it (device mapper, md): destructive commands refuse
//! such a device. Read from sysfs (`dev`, `partition`, `holders/`) and
//! `/proc/self/mountinfo` (`proc(5)`) and `/proc/swaps`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// How deep holders may stack (dm over md over a partition...) before the walk stops.
const MAX_DEPTH: usize = 8;

/// The block devices a node's data lives on: the block devices under its sysfs directory
/// `dev` (itself, an sg node's disk, an NVMe controller's namespaces), their partitions
/// and everything stacked on them, as (kernel name, `MAJOR:MINOR`).
pub fn block_devices(dev: &Path) -> Vec<(String, String)> {
    let mut roots = vec![dev.to_path_buf()];
    roots.extend(children(&dev.join("device").join("block")));
    roots.extend(
        children(dev)
            .into_iter()
            .filter(|c| c.join("dev").is_file() && c.join("queue").is_dir()),
    );
    let mut found = BTreeSet::new();
    for root in roots {
        collect(&root, 0, &mut found);
    }
    found.into_iter().collect()
}

/// Adds `dir` (if it is a block device), its partitions and its holders to `found`.
fn collect(dir: &Path, depth: usize, found: &mut BTreeSet<(String, String)>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(number) = fs::read_to_string(dir.join("dev")) else {
        return;
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !found.insert((name, number.trim().to_string())) {
        return;
    }
    for child in children(dir) {
        if child.join("partition").is_file() {
            collect(&child, depth + 1, found);
        }
    }
    for holder in children(&dir.join("holders")) {
        let resolved = fs::canonicalize(&holder).unwrap_or(holder);
        collect(&resolved, depth + 1, found);
    }
}

/// The entries of directory `dir` (none when it cannot be read).
fn children(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect()
}

/// What is in use on `devices`, as `mountinfo` and `swaps` (the texts of
/// `/proc/self/mountinfo` and `/proc/swaps`) show it: e.g. `sda1 mounted at /boot`.
pub fn in_use(devices: &[(String, String)], mountinfo: &str, swaps: &str) -> Vec<String> {
    let mut uses = Vec::new();
    for line in mountinfo.lines() {
        // Fields: mount ID, parent ID, MAJOR:MINOR, root, mount point, ...
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(number), Some(point)) = (fields.get(2), fields.get(4)) else {
            continue;
        };
        if let Some((name, _)) = devices.iter().find(|(_, n)| n == number) {
            uses.push(format!("{name} mounted at {}", unescape(point)));
        }
    }
    for line in swaps.lines().skip(1) {
        let Some(file) = line.split_whitespace().next() else {
            continue;
        };
        let base = file.rsplit('/').next().unwrap_or(file);
        if let Some((name, _)) = devices.iter().find(|(n, _)| n == base) {
            uses.push(format!("{name} in use as swap"));
        }
    }
    uses
}

/// A mountinfo path with its octal escapes (`\040` for a space) decoded.
fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 4)
            .and_then(|d| u8::from_str_radix(d, 8).ok());
        match code {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What is mounted or swapped on the node whose sysfs directory is `dev`, read from this
/// system's `/proc`.
pub fn mounted(dev: &Path) -> Vec<String> {
    let devices = block_devices(dev);
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let swaps = fs::read_to_string("/proc/swaps").unwrap_or_default();
    in_use(&devices, &mountinfo, &swaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:5 / /dev rw - devtmpfs udev rw
24 22 253:0 / /srv/my\\040data rw - xfs /dev/mapper/vg-data rw
";
    const SWAPS: &str = "\
Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
/dev/sda2                               partition\t1048572\t\t0\t\t-2
";

    #[test]
    fn mounts_swaps_and_stacked_devices_are_found() {
        let devices = vec![
            ("sda".to_string(), "8:0".to_string()),
            ("sda1".to_string(), "8:1".to_string()),
            ("sda2".to_string(), "8:2".to_string()),
            ("dm-0".to_string(), "253:0".to_string()),
        ];
        let uses = in_use(&devices, MOUNTINFO, SWAPS);
        assert_eq!(
            uses,
            vec![
                "sda1 mounted at /",
                "dm-0 mounted at /srv/my data",
                "sda2 in use as swap"
            ]
        );
        let other = vec![("sdb".to_string(), "8:16".to_string())];
        assert!(in_use(&other, MOUNTINFO, SWAPS).is_empty());
    }

    #[test]
    fn sysfs_walk_finds_partitions_and_holders() {
        let scratch = crate::linux::scratch::Scratch::new("mounts");
        let root = scratch.path();
        let sda = root.join("block/sda");
        let sda1 = sda.join("sda1");
        let dm = root.join("virtual/dm-0");
        for (dir, dev) in [(&sda, "8:0"), (&sda1, "8:1"), (&dm, "253:0")] {
            fs::create_dir_all(dir.join("holders")).unwrap();
            fs::write(dir.join("dev"), format!("{dev}\n")).unwrap();
        }
        fs::write(sda1.join("partition"), "1\n").unwrap();
        std::os::unix::fs::symlink(&dm, sda1.join("holders/dm-0")).unwrap();
        let found = block_devices(&sda);
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["dm-0", "sda", "sda1"]);
    }
}
