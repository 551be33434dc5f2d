//! Image checks made before any byte is sent: non-empty, the alignment the protocol needs
//! (whole dwords for NVMe Firmware Image Download, NVMe Base 2.0 5.14; a single command
//! where the buffer takes only BUFFER OFFSET 0, SPC-5 6.16 OFFSET BOUNDARY FFh), and within
//! the device's buffer (BUFFER CAPACITY, SPC-5 6.16). Nothing is ever padded or cut: an
//! image that does not fit is refused. Checksums and manifests are the caller's.

use crate::probe::{Capabilities, ScsiCapabilities};
use cdb::scsi::spc::buffer::{OffsetBoundary, MAX_24};

/// Why an image is refused before download.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// The longest data one WRITE BUFFER may carry: the 24-bit PARAMETER LIST LENGTH and the
/// transport's limit.
pub fn scsi_max_command(caps: &ScsiCapabilities) -> u64 {
    caps.max_transfer
        .map_or(MAX_24.into(), |m| m.min(MAX_24.into()))
}

/// Checks an image of `len` bytes against the device's capabilities.
pub fn check(len: u64, caps: &Capabilities) -> Result<(), Invalid> {
    if len == 0 {
        return Err(Invalid("the image is empty".into()));
    }
    match caps {
        Capabilities::Nvme(_) => {
            if len % 4 != 0 {
                return Err(Invalid(format!(
                    "the image is {len} bytes, not a whole number of dwords: Firmware Image \
                     Download moves dwords (NVMe Base 2.0 5.14); a truncated or damaged file?"
                )));
            }
            // OFST is a 32-bit dword offset.
            if len > u64::from(u32::MAX) * 4 {
                return Err(Invalid(format!(
                    "the image is {len} bytes, beyond what OFST can address"
                )));
            }
        }
        Capabilities::Scsi(caps) => {
            if let Some(buffer) = caps.buffer {
                if len > u64::from(buffer.buffer_capacity) {
                    return Err(Invalid(format!(
                        "the image is {len} bytes; the device's download buffer holds {} \
                         (READ BUFFER descriptor, SPC-5 6.16)",
                        buffer.buffer_capacity
                    )));
                }
            }
            let max = scsi_max_command(caps);
            let one_command_only = caps
                .buffer
                .is_some_and(|b| b.offset_boundary == OffsetBoundary::ZeroOnly);
            if one_command_only && len > max {
                return Err(Invalid(format!(
                    "the image is {len} bytes; the device takes only BUFFER OFFSET 0 (OFFSET \
                     BOUNDARY FFh) and one command carries at most {max}"
                )));
            }
            // BUFFER OFFSET and BUFFER CAPACITY are 24-bit fields (SPC-5 6.16, 6.49).
            if len > u64::from(MAX_24) {
                return Err(Invalid(format!(
                    "the image is {len} bytes; WRITE BUFFER addresses at most {MAX_24} \
                     (24-bit BUFFER OFFSET and BUFFER CAPACITY)"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cdb::scsi::spc::buffer::BufferDescriptor;

    fn scsi(buffer: Option<(u8, u32)>, max_transfer: Option<u64>) -> Capabilities {
        Capabilities::Scsi(ScsiCapabilities {
            buffer: buffer.map(|(code, buffer_capacity)| BufferDescriptor {
                offset_boundary: OffsetBoundary::from_code(code),
                buffer_capacity,
            }),
            ..ScsiCapabilities::unknown(max_transfer)
        })
    }

    #[test]
    fn sizes_the_protocols_cannot_carry_are_refused() {
        let any = scsi(None, None);
        assert!(check(0, &any).is_err(), "empty");
        assert!(check(1, &any).is_ok(), "SCSI images need no alignment");
        assert!(check(u64::from(MAX_24), &any).is_ok());
        assert!(
            check(u64::from(MAX_24) + 1, &any).is_err(),
            "beyond 24 bits"
        );
        // Capacity 64 KiB (SPC-5 6.16 BUFFER CAPACITY).
        let small = scsi(Some((9, 0x10000)), None);
        assert!(check(0x10000, &small).is_ok());
        assert!(check(0x10001, &small).is_err());
        // OFFSET BOUNDARY FFh: one command must carry it all.
        let zero_only = scsi(Some((0xff, 0x10000)), Some(4096));
        assert!(check(4096, &zero_only).is_ok());
        let why = check(4097, &zero_only).unwrap_err().0;
        assert!(why.contains("FFh"), "{why}");
    }
}
