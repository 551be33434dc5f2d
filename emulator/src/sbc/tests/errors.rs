//! Unsupported commands (SPC-5 4.2.5.1) and REPORT SUPPORTED OPERATION CODES (SPC-5 6.36).

use super::{assert_field, assert_sense, Harness};
use crate::target::ScsiTarget;
use cdb::scsi::spc::log_sense::LogSense;
use cdb::scsi::spc::report_opcodes::{
    ReportSupportedOperationCodes, ReportingOptions, SupportedOperationCodes,
};
use cdb::sense::{key, SenseFormat};

fn rsoc(options: ReportingOptions, rctd: bool) -> ReportSupportedOperationCodes {
    ReportSupportedOperationCodes {
        rctd,
        reporting_options: options,
        allocation_length: 4096,
    }
}

fn one(h: &mut Harness, options: ReportingOptions) -> cdb::scsi::spc::report_opcodes::OneCommand {
    match h.good(&rsoc(options, false)) {
        SupportedOperationCodes::OneCommand(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn unsupported_commands_are_invalid_operation_codes_in_fixed_format() {
    let mut h = Harness::ready();
    let senses = [
        h.check(&LogSense::new(0x00, 0, 64).unwrap()),
        h.check(&LogSense::new(0x01, 0, 64).unwrap()),
    ];
    for sense in senses {
        assert_sense(&sense, key::ILLEGAL_REQUEST, 0x20, 0x00);
        let SenseFormat::Fixed(fixed) = &sense.format else {
            panic!("fixed format expected: {sense:?}")
        };
        assert_eq!(sense.response_code.code, 0x70);
        assert_eq!(fixed.additional_sense_length, Some(10));
    }
}

#[test]
fn all_commands_lists_what_the_unit_supports_and_nothing_else() {
    let mut h = Harness::ready();
    let SupportedOperationCodes::AllCommands(all) =
        h.good(&rsoc(ReportingOptions::AllCommands, false))
    else {
        panic!("all-commands data")
    };
    assert!(!all.truncated);
    let listed: Vec<(u8, Option<u16>, u16)> = all
        .commands
        .iter()
        .map(|c| {
            (
                c.operation_code,
                c.servactv.then_some(c.service_action),
                c.cdb_length,
            )
        })
        .collect();
    for expected in [
        (0x00, None, 6),
        (0x03, None, 6),
        (0x12, None, 6),
        (0x28, None, 10),
        (0x2a, None, 10),
        (0x35, None, 10),
        (0x88, None, 16),
        (0x8a, None, 16),
        (0x91, None, 16),
        (0x9e, Some(0x10), 16),
        (0xa0, None, 12),
        (0xa3, Some(0x0c), 12),
    ] {
        assert!(
            listed.contains(&expected),
            "{expected:?} missing: {listed:?}"
        );
    }
    // Microcode download: WRITE BUFFER and READ BUFFER (10) (SPC-5 6.49, 6.16).
    assert!(listed.contains(&(0x3b, None, 10)) && listed.contains(&(0x3c, None, 10)));
    // Nothing the unit does not support, e.g. LOG SENSE.
    assert!(!listed.iter().any(|(op, _, _)| *op == 0x4d));
    // Each listed command, asked about alone, is supported with the same CDB size.
    for (op, sa, len) in listed {
        let options = match sa {
            Some(service_action) => ReportingOptions::OperationCodeAndServiceAction {
                operation_code: op,
                service_action,
            },
            None => ReportingOptions::OperationCode { operation_code: op },
        };
        let c = one(&mut h, options);
        assert!(c.support.is_supported(), "{op:02x}");
        assert_eq!(c.cdb_size, len);
        assert_eq!(c.cdb_usage_data.len(), usize::from(len));
        assert_eq!(c.cdb_usage_data[0], op);
        if let Some(sa) = sa {
            assert_eq!(u16::from(c.cdb_usage_data[1] & 0x1f), sa);
        }
    }
}

#[test]
fn rctd_adds_timeouts_descriptors() {
    let mut h = Harness::ready();
    let SupportedOperationCodes::AllCommands(all) =
        h.good(&rsoc(ReportingOptions::AllCommands, true))
    else {
        panic!("all-commands data")
    };
    assert!(!all.commands.is_empty());
    for c in &all.commands {
        assert!(c.ctdp);
        assert_eq!(c.timeouts.as_ref().unwrap().descriptor_length, 0x0a);
    }
}

#[test]
fn one_command_usage_data_and_unsupported_commands() {
    let mut h = Harness::ready();
    let read10 = one(
        &mut h,
        ReportingOptions::OperationCode {
            operation_code: 0x28,
        },
    );
    // FUA (byte 1 bit 3) and the LBA are evaluated (SBC-4 5.15).
    assert_eq!(read10.cdb_usage_data[1] & 0x08, 0x08);
    assert_eq!(read10.cdb_usage_data[2..6], [0xff; 4]);
    let log_sense = one(
        &mut h,
        ReportingOptions::OperationCode {
            operation_code: 0x4d,
        },
    );
    assert_eq!(log_sense.support.code, 1);
    assert_eq!(log_sense.cdb_size, 0);
    // WRITE BUFFER evaluates MODE SPECIFIC, MODE, BUFFER ID, BUFFER OFFSET and PARAMETER
    // LIST LENGTH (SPC-5 6.49).
    let write_buffer = one(
        &mut h,
        ReportingOptions::OperationCode {
            operation_code: 0x3b,
        },
    );
    assert!(write_buffer.support.is_supported());
    assert_eq!(
        write_buffer.cdb_usage_data[..9],
        [0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    );
    let if_any = one(
        &mut h,
        ReportingOptions::OperationCodeAndServiceActionIfAny {
            operation_code: 0x12,
            service_action: 0x55,
        },
    );
    assert!(if_any.support.is_supported());
    let unknown_sa = one(
        &mut h,
        ReportingOptions::OperationCodeAndServiceAction {
            operation_code: 0x9e,
            service_action: 0x11,
        },
    );
    assert_eq!(unknown_sa.support.code, 1);
}

#[test]
fn reporting_option_mismatches_are_invalid_fields() {
    let mut h = Harness::ready();
    let sense = h.check(&rsoc(
        ReportingOptions::OperationCode {
            operation_code: 0x9e,
        },
        false,
    ));
    assert_field(&sense, 0x24, true, 2, 2);
    let sense = h.check(&rsoc(
        ReportingOptions::OperationCodeAndServiceAction {
            operation_code: 0x28,
            service_action: 0,
        },
        false,
    ));
    assert_field(&sense, 0x24, true, 2, 2);
}

/// The bytes of a typed command's CDB, to be padded or altered the way transports and
/// broken initiators do.
fn cdb_of<C: cdb::command::ScsiCommand>(cmd: &C) -> Vec<u8> {
    cmd.cdb().as_bytes().to_vec()
}

#[test]
fn padded_short_and_naca_cdbs() {
    use cdb::scsi::sbc::read_write::{Read10, RwOptions};
    use cdb::scsi::spc::test_unit_ready::TestUnitReady;
    let mut h = Harness::ready();
    // A 10-byte CDB in a 16-byte CDB block (USB mass storage pads CBWCB): the padding is
    // not part of the command.
    let mut padded = cdb_of(&Read10::new(0, 1, 512, RwOptions::default()).unwrap());
    padded.resize(16, 0xee);
    let mut data_in = [0u8; 512];
    let completion = h.target.execute(0, &padded, &[], &mut data_in);
    assert_eq!(completion.status, cdb::scsi::status::Status::Good);
    assert_eq!(completion.data_in_len, 512);
    // A CDB shorter than its operation code's group requires cannot be that command.
    let completion = h.target.execute(0, &padded[..6], &[], &mut data_in);
    let sense = cdb::sense::decode(&completion.sense).unwrap();
    assert_sense(&sense, key::ILLEGAL_REQUEST, 0x20, 0x00);
    // NACA = 1 without NormACA support is INVALID FIELD IN CDB at the CONTROL byte
    // (SAM-5 5.2).
    let mut naca = cdb_of(&TestUnitReady);
    naca[5] |= 0x04;
    let completion = h.target.execute(0, &naca, &[], &mut []);
    let sense = cdb::sense::decode(&completion.sense).unwrap();
    assert_field(&sense, 0x24, true, 5, 2);
}
