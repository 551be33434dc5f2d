//! The VM suite's first scenario: boots Debian's kernel under QEMU with the standard device
//! set (tests/vm/run), captures the devices' raw responses with sg3_utils and nvme-cli,
//! and checks them against the fixtures the `cdb` decoder tests use — so those fixtures
//! stay what a real kernel and QEMU's devices return, not what we remember them to be.
//!
//! Needs qemu-system-x86 and friends; `tests/vm/build` installs them with apt-get when run
//! as root (as CI is). It fails, never skips, when the VM cannot run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use scsitool_tests::{repo, run_vm};

/// Responses that do not change from boot to boot. Logs and counters (SMART host
/// command counts, the error log) are left out.
const STABLE: &[&str] = &[
    "inquiry.bin",
    "inquiry36.bin",
    "vpd-00.bin",
    "vpd-80.bin",
    "vpd-83.bin",
    "vpd-b0.bin",
    "vpd-b1.bin",
    "vpd-b2.bin",
    "readcap10.bin",
    "readcap16.bin",
    "mode10-08-current.bin",
    "mode10-08-changeable.bin",
    "mode6-08-current.bin",
    "mode10-3f-current.bin",
    "luns.bin",
];

#[test]
fn live_devices_match_the_committed_fixtures() {
    let out = run_vm("capture-fixtures.sh", false);
    let fixtures = repo().join("cdb/tests/fixtures/qemu-7.2");
    for label in ["bot", "uas-ss", "uas-hs", "virtio-4k"] {
        for what in STABLE {
            let name = format!("{label}.{what}");
            let live = std::fs::read(out.join(&name))
                .unwrap_or_else(|e| panic!("{name} not captured: {e}"));
            let committed = std::fs::read(fixtures.join(&name)).unwrap();
            assert_eq!(live, committed, "{name} differs from the committed fixture");
        }
    }
    for name in ["nvme.id-ctrl.bin", "nvme.id-ns.bin", "nvme.fw-log.bin"] {
        let mut live = std::fs::read(out.join(name)).unwrap();
        let mut committed = std::fs::read(fixtures.join(name)).unwrap();
        if name == "nvme.id-ctrl.bin" {
            // FR (bytes 71:64) is QEMU's version string, which changes with every Debian
            // point release of QEMU; everything else is the device's configuration.
            for data in [&mut live, &mut committed] {
                data.get_mut(64..72).unwrap().fill(0);
            }
        }
        assert_eq!(live, committed, "{name}");
    }
    let log = std::fs::read_to_string(out.join("scenario.log")).unwrap();
    assert!(
        log.contains("70 00 05 00 00 00 00 0a  00 00 00 00 20 00 00 00"),
        "QEMU's sense for WRITE BUFFER changed:\n{log}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}
