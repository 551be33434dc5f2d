//! The DEXT's C header (`transports/dext/driver/ScsitoolUserClientABI.h`) against the Rust
//! ABI (`transports::dext::abi`): a C program including the header prints every size,
//! offset and constant; the system C compiler (`cc`, or `$CC`) builds it with `-Wpadded
//! -Werror` (no implicit padding) and the header's own `_Static_assert`s; each value
//! printed must equal the Rust one. Without a C compiler the test fails, naming it.

use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;
use transports::dext::abi::{
    AbiVersionReply, DataDirection, DeliveryFailure, DextRequest, DextResponse, Selector,
    ServiceResponse, ABI_VERSION, INLINE_LIMIT, MAX_CDB_LEN, MAX_SENSE_LEN, MAX_TRANSFER,
    REQUEST_MAGIC, RESPONSE_MAGIC, SENSE_FIELD_LEN, VERSION_MAGIC,
};

/// `(C expression, Rust value)` for the size and every field offset of each structure.
macro_rules! layout {
    ($($rust:ident as $c:literal { $($field:ident),* $(,)? })*) => {
        vec![$(
            (format!("sizeof({})", $c), size_of::<$rust>() as u64),
            $((
                format!("offsetof({}, {})", $c, stringify!($field)),
                offset_of!($rust, $field) as u64,
            ),)*
        )*]
    };
}

fn expected() -> Vec<(String, u64)> {
    let mut values = layout! {
        DextRequest as "ScsitoolRequest" {
            magic, abi_version, cdb_len, direction, cdb, transfer_length, timeout_ms, lun,
            _reserved,
        }
        DextResponse as "ScsitoolResponse" {
            magic, abi_version, service_response, status, residual, data_length,
            sense_length, delivery_failure, _reserved, sense,
        }
        AbiVersionReply as "ScsitoolAbiVersionReply" {
            magic, abi_version, _reserved, max_transfer, _reserved2,
        }
    };
    let constants: [(&str, u64); 21] = [
        ("SCSITOOL_ABI_VERSION", ABI_VERSION.into()),
        ("SCSITOOL_REQUEST_MAGIC", REQUEST_MAGIC.into()),
        ("SCSITOOL_RESPONSE_MAGIC", RESPONSE_MAGIC.into()),
        ("SCSITOOL_VERSION_MAGIC", VERSION_MAGIC.into()),
        ("SCSITOOL_MAX_CDB_LEN", MAX_CDB_LEN as u64),
        ("SCSITOOL_SENSE_FIELD_LEN", SENSE_FIELD_LEN as u64),
        ("SCSITOOL_MAX_SENSE_LEN", MAX_SENSE_LEN as u64),
        ("SCSITOOL_MAX_TRANSFER", MAX_TRANSFER.into()),
        ("SCSITOOL_INLINE_LIMIT", INLINE_LIMIT as u64),
        (
            "kScsitoolSelectorGetAbiVersion",
            Selector::GetAbiVersion as u64,
        ),
        ("kScsitoolSelectorExecuteCdb", Selector::ExecuteCdb as u64),
        ("kScsitoolDirectionNone", DataDirection::None as u64),
        ("kScsitoolDirectionIn", DataDirection::In as u64),
        ("kScsitoolDirectionOut", DataDirection::Out as u64),
        (
            "kScsitoolServiceResponseCommandComplete",
            ServiceResponse::CommandComplete as u64,
        ),
        (
            "kScsitoolServiceResponseDeliveryOrTargetFailure",
            ServiceResponse::DeliveryOrTargetFailure as u64,
        ),
        ("kScsitoolDeliveryFailureNone", DeliveryFailure::None as u64),
        (
            "kScsitoolDeliveryFailureTimeout",
            DeliveryFailure::Timeout as u64,
        ),
        (
            "kScsitoolDeliveryFailureDeviceGone",
            DeliveryFailure::DeviceGone as u64,
        ),
        (
            "kScsitoolDeliveryFailureDelivery",
            DeliveryFailure::Delivery as u64,
        ),
        ("sizeof(((ScsitoolRequest *)0)->cdb)", MAX_CDB_LEN as u64),
    ];
    values.extend(constants.iter().map(|(c, v)| (c.to_string(), *v)));
    values
}

/// A C program printing `expression value` for each expression.
fn program(expressions: &[(String, u64)]) -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include \"ScsitoolUserClientABI.h\"\nint main(void) {\n",
    );
    for (expr, _) in expressions {
        c += &format!(
            "    printf(\"%s %llu\\n\", \"{}\", (unsigned long long)({expr}));\n",
            expr.replace('"', "\\\"")
        );
    }
    c + "    return 0;\n}\n"
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scsitool-dext-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn the_c_header_matches_the_rust_abi() {
    let header_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("dext/driver");
    let expressions = expected();
    let dir = scratch_dir();
    let source = dir.join("abi.c");
    let binary = dir.join("abi");
    std::fs::write(&source, program(&expressions)).expect("the C program written");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let built = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Wpadded", "-Werror", "-I"])
        .arg(&header_dir)
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .output()
        .unwrap_or_else(|e| {
            panic!("the C compiler '{cc}' could not be run ({e}): install one (gcc or clang) or set CC; this test checks the DEXT header against the Rust ABI and must not be skipped")
        });
    assert!(
        built.status.success(),
        "the header does not compile:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let ran = Command::new(&binary).output().expect("the C program runs");
    assert!(ran.status.success());
    let printed = String::from_utf8(ran.stdout).expect("text");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), expressions.len());
    for ((expr, rust), line) in expressions.iter().zip(lines) {
        let (name, c) = line.rsplit_once(' ').expect("name value");
        assert_eq!(name, expr);
        assert_eq!(
            c.parse::<u64>().ok(),
            Some(*rust),
            "{expr}: C {c}, Rust {rust}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
