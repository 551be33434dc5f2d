//! What a path names, read from `stat` and sysfs before anything is sent: a SCSI disk
//! (`sd`), a SCSI generic node (`sg`), an NVMe controller (`/dev/nvmeN`), namespace
//! (`/dev/nvmeNnM`) or generic namespace node (`/dev/ngNnM`), a partition, or something
//! else. sysfs names the driver behind every device number at
//! `/sys/dev/{block,char}/MAJOR:MINOR`.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The kind of node a path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A SCSI disk's block device (`sd`), e.g. `/dev/sda`.
    ScsiDisk,
    /// A SCSI generic character device (`sg`), e.g. `/dev/sg0`.
    ScsiGeneric,
    /// An NVMe controller's character device, e.g. `/dev/nvme0`.
    NvmeController,
    /// An NVMe namespace's block device, e.g. `/dev/nvme0n1`.
    NvmeNamespace,
    /// An NVMe namespace's generic character device, e.g. `/dev/ng0n1`.
    NvmeGeneric,
    /// A partition of the block device named here, e.g. `sda` for `/dev/sda1`.
    Partition(String),
    /// Another kind of device, described (e.g. `block device (loop0)`).
    Other(String),
}

/// A classified device node.
#[derive(Debug, Clone)]
pub struct Node {
    /// The path as given.
    pub path: PathBuf,
    /// What it is.
    pub kind: NodeKind,
    /// Its kernel name, e.g. `sda`, `sg0`, `nvme0n1`.
    pub name: String,
    /// Its sysfs directory (`/sys/dev/.../MAJ:MIN`, resolved).
    pub sysfs: PathBuf,
}

/// Why a path is not a device node scsitool can classify.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// `stat` failed.
    #[error("{path}: {reason}")]
    Stat {
        /// The path.
        path: String,
        /// The operating system's explanation.
        reason: String,
    },
    /// The path is a regular file, a directory, a socket...
    #[error("{path} is a {what}, not a device node")]
    NotADevice {
        /// The path.
        path: String,
        /// What it is instead.
        what: &'static str,
    },
    /// sysfs does not know the device number (no sysfs mounted, or a stale node).
    #[error("{path}: device {major}:{minor} is not in sysfs (stale node, or /sys not mounted)")]
    NotInSysfs {
        /// The path.
        path: String,
        /// Major device number.
        major: u32,
        /// Minor device number.
        minor: u32,
    },
}

/// The major and minor numbers of a `dev_t` as glibc encodes them.
pub fn split_dev(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major as u32, minor as u32)
}

/// Classifies `path`, reading sysfs under `/sys`.
pub fn classify(path: &Path) -> Result<Node, NodeError> {
    classify_in(Path::new("/sys"), path)
}

/// Classifies `path` with sysfs mounted at `sys` (tests use a fake tree).
pub fn classify_in(sys: &Path, path: &Path) -> Result<Node, NodeError> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| NodeError::Stat {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let file_type = meta.file_type();
    let class = if file_type.is_block_device() {
        "block"
    } else if file_type.is_char_device() {
        "char"
    } else {
        let what = if file_type.is_dir() {
            "directory"
        } else if file_type.is_file() {
            "regular file"
        } else {
            "special file"
        };
        return Err(NodeError::NotADevice { path: shown, what });
    };
    let (major, minor) = split_dev(meta.rdev());
    let link = sys.join("dev").join(class).join(format!("{major}:{minor}"));
    let sysfs = fs::canonicalize(&link).map_err(|_| NodeError::NotInSysfs {
        path: shown,
        major,
        minor,
    })?;
    let (kind, name) = kind_of(&sysfs, class == "block");
    Ok(Node {
        path: path.to_path_buf(),
        kind,
        name,
        sysfs,
    })
}

/// The kind and kernel name of the device whose sysfs directory is `dir`.
pub fn kind_of(dir: &Path, block: bool) -> (NodeKind, String) {
    let name = file_name(dir);
    let subsystem = fs::read_link(dir.join("subsystem"))
        .map(|link| file_name(&link))
        .unwrap_or_default();
    let kind = if block {
        if dir.join("partition").exists() {
            let parent = dir.parent().map(file_name).unwrap_or_default();
            NodeKind::Partition(parent)
        } else if dir.join("device").join("scsi_disk").exists() {
            NodeKind::ScsiDisk
        } else if name.starts_with("nvme") {
            NodeKind::NvmeNamespace
        } else {
            NodeKind::Other(format!("block device ({name})"))
        }
    } else {
        match subsystem.as_str() {
            "scsi_generic" => NodeKind::ScsiGeneric,
            "nvme" => NodeKind::NvmeController,
            "nvme-generic" => NodeKind::NvmeGeneric,
            "" => NodeKind::Other(format!("character device ({name})")),
            other => NodeKind::Other(format!("character device of class {other} ({name})")),
        }
    };
    (kind, name)
}

/// The last component of `path`, as text.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::scratch::Scratch;
    use std::os::unix::fs::symlink;

    /// A fake sysfs device directory `rel` with subsystem `class` and the marker files.
    fn device(root: &Path, rel: &str, class: &str, markers: &[&str]) -> PathBuf {
        let dir = root.join(rel);
        fs::create_dir_all(&dir).unwrap();
        let class_dir = root.join("class").join(class);
        fs::create_dir_all(&class_dir).unwrap();
        symlink(&class_dir, dir.join("subsystem")).unwrap();
        for marker in markers {
            let path = dir.join(marker);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        dir
    }

    #[test]
    fn sysfs_tells_disks_partitions_and_nvme_nodes_apart() {
        let sys = Scratch::new("node-kinds");
        let root = sys.path();
        let sda = device(
            root,
            "host0/block/sda",
            "block",
            &["device/scsi_disk/0:0:0:0/x"],
        );
        let sda1 = device(root, "host0/block/sda/sda1", "block", &["partition"]);
        let sg0 = device(root, "host0/scsi_generic/sg0", "scsi_generic", &[]);
        let nvme0 = device(root, "pci/nvme/nvme0", "nvme", &[]);
        let ns = device(root, "pci/nvme/nvme0/nvme0n1", "block", &[]);
        let ng = device(root, "pci/nvme-generic/ng0n1", "nvme-generic", &[]);
        let loop0 = device(root, "virtual/block/loop0", "block", &[]);
        let tty = device(root, "virtual/tty/tty0", "tty", &[]);
        assert_eq!(kind_of(&sda, true), (NodeKind::ScsiDisk, "sda".into()));
        assert_eq!(kind_of(&sda1, true).0, NodeKind::Partition("sda".into()));
        assert_eq!(kind_of(&sg0, false).0, NodeKind::ScsiGeneric);
        assert_eq!(kind_of(&nvme0, false).0, NodeKind::NvmeController);
        assert_eq!(kind_of(&ns, true).0, NodeKind::NvmeNamespace);
        assert_eq!(kind_of(&ng, false).0, NodeKind::NvmeGeneric);
        assert_eq!(
            kind_of(&loop0, true).0,
            NodeKind::Other("block device (loop0)".into())
        );
        assert!(matches!(kind_of(&tty, false).0, NodeKind::Other(d) if d.contains("tty")));
    }

    #[test]
    fn files_and_directories_are_not_device_nodes() {
        let scratch = Scratch::new("node-files");
        let file = scratch.path().join("disk.img");
        fs::write(&file, b"x").unwrap();
        let err = classify(&file).unwrap_err();
        assert!(
            err.to_string().contains("regular file, not a device node"),
            "{err}"
        );
        let err = classify(scratch.path()).unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
        let err = classify(&scratch.path().join("missing")).unwrap_err();
        assert!(matches!(err, NodeError::Stat { .. }), "{err}");
    }

    #[test]
    fn device_numbers_split_like_glibc() {
        // makedev(8, 1) and makedev(259, 0x12345).
        assert_eq!(split_dev(0x801), (8, 1));
        let big = (259u64 << 8) | (0x45) | (0x123u64 << 20);
        assert_eq!(split_dev(big), (259, 0x12345));
    }

    #[test]
    fn dev_null_is_another_kind_of_device() {
        // /dev/null is character device 1:3 in every Linux sysfs ("mem" class).
        let node = classify(Path::new("/dev/null")).unwrap();
        assert!(matches!(node.kind, NodeKind::Other(_)), "{node:?}");
        assert_eq!(node.name, "null");
    }
}
