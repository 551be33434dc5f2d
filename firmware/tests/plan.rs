//! Planning from capability values alone: for any capabilities the plan's chunks cover
//! the image exactly and each chunk is legal (SPC-5 6.16 OFFSET BOUNDARY and 6.49 24-bit
//! fields; NVMe Base 2.0 5.14 dword units and FWUG, 5.17.2.1 MDTS), and the modes and
//! slots chosen are ones the device allows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cdb::nvme::firmware::CommitAction;
use cdb::nvme::id_ctrl::Frmw;
use cdb::scsi::spc::buffer::{BufferDescriptor, OffsetBoundary, MAX_24};
use firmware::plan::{plan, Method, ScsiMode};
use firmware::probe::{
    ActivationTiming, Capabilities, DownloadModes, NvmeCapabilities, ScsiCapabilities, Support,
};
use proptest::prelude::*;

fn support() -> impl Strategy<Value = Support> {
    prop_oneof![
        Just(Support::Yes),
        Just(Support::No),
        Just(Support::Unknown)
    ]
}

fn scsi_caps() -> impl Strategy<Value = ScsiCapabilities> {
    (
        (support(), support(), support(), support(), support()),
        prop_oneof![
            Just(ActivationTiming::BeforeCompletion),
            Just(ActivationTiming::AfterEvent),
            Just(ActivationTiming::NotIndicated)
        ],
        proptest::option::of((prop_oneof![0u8..=24, Just(0xffu8)], 0u32..=MAX_24)),
        proptest::option::of(1u64..=1 << 25),
    )
        .prop_map(|((m5, m7, md, me, mf), activation, buffer, max_transfer)| {
            ScsiCapabilities {
                modes: DownloadModes {
                    mode_05h: m5,
                    mode_07h: m7,
                    mode_0dh: md,
                    mode_0eh: me,
                    mode_0fh: mf,
                },
                activation,
                activation_events: (false, false, false),
                buffer: buffer.map(|(code, capacity)| BufferDescriptor {
                    offset_boundary: OffsetBoundary::from_code(code),
                    buffer_capacity: capacity,
                }),
                max_transfer,
                refusal: None,
                notes: Vec::new(),
            }
        })
}

fn nvme_caps() -> impl Strategy<Value = NvmeCapabilities> {
    (
        any::<bool>(),
        (any::<bool>(), 0u8..=7, any::<bool>()),
        any::<u8>(),
        proptest::option::of(1u64..=1 << 24),
        proptest::option::of(1u64..=1 << 24),
        proptest::option::of(1u8..=7),
        proptest::collection::vec(proptest::option::of(Just("1.0".to_string())), 0..=7),
    )
        .prop_map(
            |(oacs, (ro, slots, awr), fwug, mdts, transport, active, revs)| NvmeCapabilities {
                firmware_commands: oacs,
                frmw: Frmw {
                    raw: u8::from(ro) | slots << 1 | u8::from(awr) << 4,
                    first_slot_read_only: ro,
                    slots,
                    activation_without_reset: awr,
                    multiple_update_detection: false,
                },
                fwug,
                mdts_bytes: mdts,
                transport_max_transfer: transport,
                active_slot: active,
                slot_revisions: revs,
                tunnel: None,
                tunnel_carries_data_out: true,
                notes: Vec::new(),
            },
        )
}

/// The chunks are contiguous from 0 and end at the image's end.
fn assert_cover(plan: &firmware::Plan, len: u64) -> Result<(), TestCaseError> {
    let mut next = 0;
    for chunk in plan.chunks() {
        prop_assert_eq!(chunk.offset, next);
        prop_assert!(chunk.len > 0);
        next += chunk.len;
    }
    prop_assert_eq!(next, len);
    Ok(())
}

proptest! {
    #[test]
    fn scsi_plans_are_legal(caps in scsi_caps(), len in 0u64..=1 << 22) {
        let all = Capabilities::Scsi(caps.clone());
        let Ok(plan) = plan(&all, len) else { return Ok(()) };
        assert_cover(&plan, len)?;
        let Method::Scsi { mode } = plan.method else { panic!("SCSI plan for NVMe") };
        prop_assert_ne!(caps.modes.get(mode.mode()), Support::No);
        if mode.deferred() {
            prop_assert_ne!(caps.modes.mode_0fh, Support::No);
        }
        let max = caps.max_transfer.unwrap_or(u64::MAX).min(MAX_24.into());
        let chunks: Vec<_> = plan.chunks().collect();
        if mode == ScsiMode::Mode05h {
            prop_assert_eq!(chunks.len(), 1);
        }
        for chunk in &chunks {
            prop_assert!(chunk.len <= max);
            prop_assert!(chunk.offset <= MAX_24.into());
            if let Some(buffer) = caps.buffer {
                prop_assert!(buffer.offset_boundary.permits(chunk.offset as u32));
                prop_assert!(chunk.offset + chunk.len <= buffer.buffer_capacity.into());
            }
        }
        let extra = usize::from(mode.deferred());
        prop_assert_eq!(plan.commands().unwrap().len(), chunks.len() + extra);
    }

    #[test]
    fn nvme_plans_are_legal(caps in nvme_caps(), len in 0u64..=1 << 22) {
        let all = Capabilities::Nvme(caps.clone());
        let result = plan(&all, len);
        if !caps.firmware_commands || len % 4 != 0 || len == 0 {
            prop_assert!(result.is_err());
        }
        let Ok(plan) = result else { return Ok(()) };
        assert_cover(&plan, len)?;
        let Method::Nvme { slot, commit_action } = plan.method else { panic!("NVMe plan for SCSI") };
        prop_assert!(slot >= 1 && slot <= caps.frmw.slots.max(1));
        prop_assert!(!(slot == 1 && caps.frmw.first_slot_read_only));
        prop_assert_eq!(
            commit_action,
            if caps.frmw.activation_without_reset {
                CommitAction::ReplaceAndActivateImmediately
            } else {
                CommitAction::ReplaceAndActivate
            }
        );
        let limit = [caps.mdts_bytes, caps.transport_max_transfer].into_iter().flatten().min();
        let granularity = match caps.fwug {
            0x01..=0xfe => u64::from(caps.fwug) * 4096,
            _ => 4,
        };
        for chunk in plan.chunks() {
            prop_assert_eq!(chunk.offset % 4, 0);
            prop_assert_eq!(chunk.len % 4, 0);
            prop_assert_eq!(chunk.offset % granularity, 0);
            if let Some(limit) = limit {
                prop_assert!(chunk.len <= limit);
            }
        }
    }
}

fn qemu_nvme() -> NvmeCapabilities {
    NvmeCapabilities {
        firmware_commands: false,
        frmw: Frmw {
            raw: 0x03,
            first_slot_read_only: true,
            slots: 1,
            activation_without_reset: false,
            multiple_update_detection: false,
        },
        fwug: 0,
        mdts_bytes: Some(4096 << 7),
        transport_max_transfer: None,
        active_slot: Some(1),
        slot_revisions: vec![Some("7.2.0".into())],
        tunnel: None,
        tunnel_carries_data_out: true,
        notes: Vec::new(),
    }
}

#[test]
fn qemus_controller_is_refused_for_its_oacs_and_its_read_only_slot() {
    let caps = qemu_nvme();
    let why = plan(&Capabilities::Nvme(caps.clone()), 4096).unwrap_err().0;
    assert!(why.contains("OACS bit 2"), "{why}");
    // With the firmware commands but FRMW 03h (one slot, read only) nothing can commit.
    let caps = NvmeCapabilities {
        firmware_commands: true,
        ..caps
    };
    let why = plan(&Capabilities::Nvme(caps), 4096).unwrap_err().0;
    assert!(why.contains("read only"), "{why}");
}

#[test]
fn deferred_modes_are_preferred_and_unreported_modes_come_after_reported_ones() {
    let base = ScsiCapabilities::unknown(None);
    let mode_of = |modes: DownloadModes| {
        let caps = Capabilities::Scsi(ScsiCapabilities {
            modes,
            ..base.clone()
        });
        match plan(&caps, 100_000).map(|p| p.method) {
            Ok(Method::Scsi { mode }) => Some(mode),
            _ => None,
        }
    };
    assert_eq!(mode_of(DownloadModes::UNKNOWN), Some(ScsiMode::Mode0Eh));
    let only_07 = DownloadModes {
        mode_07h: Support::Yes,
        ..DownloadModes::UNKNOWN
    };
    assert_eq!(mode_of(only_07), Some(ScsiMode::Mode07h));
    let no_activate = DownloadModes {
        mode_0eh: Support::Yes,
        mode_0dh: Support::Yes,
        mode_0fh: Support::No,
        mode_07h: Support::No,
        mode_05h: Support::Yes,
    };
    assert_eq!(mode_of(no_activate), Some(ScsiMode::Mode05h));
    let d_only = DownloadModes {
        mode_0eh: Support::No,
        mode_0dh: Support::Yes,
        mode_0fh: Support::Yes,
        mode_07h: Support::No,
        mode_05h: Support::No,
    };
    assert_eq!(mode_of(d_only), Some(ScsiMode::Mode0Dh));
    // Without a reported boundary, chunks are multiples of 4 KiB.
    let caps = Capabilities::Scsi(ScsiCapabilities {
        max_transfer: Some(10_000),
        ..base
    });
    assert_eq!(plan(&caps, 100_000).unwrap().chunk_size, 8192);
}
