//! macOS disk device paths: `/dev/diskN` (buffered) and `/dev/rdiskN` (raw), with an
//! optional slice `sM`, name the disk whose BSD name (the IOMedia's `BSD Name`) is
//! `diskN` or `diskNsM`.

/// The BSD name of a disk device path: `/dev/disk5`, `/dev/rdisk5s1` → `disk5`,
/// `disk5s1`; `None` for anything else.
pub fn bsd_name(path: &str) -> Option<&str> {
    let name = path
        .strip_prefix("/dev/r")
        .or_else(|| path.strip_prefix("/dev/"))?;
    let rest = name.strip_prefix("disk")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let valid = match rest.split_once('s') {
        Some((disk, slice)) => digits(disk) && digits(slice),
        None => digits(rest),
    };
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::bsd_name;

    #[test]
    fn disk_paths_and_others() {
        for (path, name) in [
            ("/dev/disk5", Some("disk5")),
            ("/dev/rdisk5", Some("disk5")),
            ("/dev/rdisk12s3", Some("disk12s3")),
            ("/dev/disk", None),
            ("/dev/diskX", None),
            ("/dev/disk5s", None),
            ("/dev/disks1", None),
            ("/dev/sda", None),
            ("disk5", None),
            ("/dev/rrdisk5", None),
        ] {
            assert_eq!(bsd_name(path), name, "{path}");
        }
    }
}
