//! Changing WCE (write cache enable) safely: the MODE SELECT that `scsitool wce set` sends
//! (SPC-5 6.11/6.12 and 7.5.4; caching page SBC-4 6.5.5).
//!
//! The parameter list is built from the device's own current values (MODE SENSE PC=0) so
//! that only WCE changes: MODE DATA LENGTH is zeroed (reserved in MODE SELECT), the block
//! descriptors are kept, the DEVICE-SPECIFIC PARAMETER is zeroed (SBC-4 6.5.1: its WP and
//! DPOFUA bits are reserved in MODE SELECT), only the caching page is sent, with
//! PS cleared (reserved in MODE SELECT). The changeable values (PC=1) must show WCE as
//! changeable. The command has PF=1 and SP=0: QEMU's scsi-hd rejects any other
//! combination with 24/00, and SP=1 would make the change persistent.

use super::caching::{WCE_BIT, WCE_BYTE};
use super::form::ModeForm;
use super::parameters::ModeParameters;
use super::select::ModeSelect;
use crate::error::BuildError;

/// Caching mode page code (SBC-4 6.5.5).
pub const CACHING_PAGE: u8 = 0x08;

/// Builds the MODE SELECT (form `F`, PF=1, SP=0) that sets WCE to `wce` (SBC-4 6.5.5),
/// from the decoded current values and changeable values of the caching page.
///
/// Refuses when either list lacks the caching page, when the current values were
/// truncated, or when the changeable mask does not show WCE as changeable.
pub fn set_wce<F: ModeForm>(
    current: &ModeParameters,
    changeable: &ModeParameters,
    wce: bool,
) -> Result<ModeSelect<F>, BuildError> {
    let invalid = |reason| BuildError::Invalid {
        command: F::SELECT_NAME,
        reason,
    };
    if current.truncated {
        return Err(invalid("current mode values were truncated"));
    }
    let page = current
        .page(CACHING_PAGE, 0)
        .ok_or_else(|| invalid("current values lack the caching mode page"))?;
    let mask = changeable
        .page(CACHING_PAGE, 0)
        .ok_or_else(|| invalid("changeable values lack the caching mode page"))?;
    if mask.data.get(WCE_BYTE).is_none_or(|b| b & WCE_BIT == 0) {
        return Err(invalid("WCE is not changeable"));
    }
    let mut page = page.clone();
    let byte = page
        .data
        .get_mut(WCE_BYTE)
        .ok_or_else(|| invalid("caching mode page is empty"))?;
    *byte = if wce {
        *byte | WCE_BIT
    } else {
        *byte & !WCE_BIT
    };
    page.ps = false;
    let mut list = current.clone();
    list.header.device_specific_parameter = 0;
    list.pages = vec![page];
    ModeSelect::new(true, false, list.to_parameter_list::<F>()?)
}

#[cfg(test)]
mod tests {
    use super::super::form::{Six, Ten};
    use super::super::parameters::tests::{QEMU_CACHING_6, QEMU_CACHING_6_CHANGEABLE};
    use super::*;
    use crate::command::{CdbLayout, ScsiCommand};
    use proptest::prelude::*;

    fn decode6(bytes: &[u8]) -> ModeParameters {
        ModeParameters::decode::<Six>(bytes).unwrap()
    }

    #[test]
    fn qemu_disable_write_cache() {
        let current = decode6(&QEMU_CACHING_6);
        let changeable = decode6(&QEMU_CACHING_6_CHANGEABLE);
        let cmd = set_wce::<Six>(&current, &changeable, false).unwrap();
        let layout = cmd.cdb_layout();
        assert!(layout.pf && !layout.sp);
        assert_eq!(cmd.cdb().as_bytes(), &[0x15, 0x10, 0, 0, 32, 0]);
        // Expected list: QEMU's answer with MODE DATA LENGTH 0 and WCE (byte 14 bit 2)
        // cleared; nothing else differs.
        let mut expected = QEMU_CACHING_6;
        expected[0] = 0;
        expected[14] = 0x00;
        assert_eq!(cmd.parameter_list(), &expected);
        assert_eq!(
            super::super::select::ModeSelectCdb::<Six>::parse_cdb(cmd.cdb().as_bytes())
                .unwrap()
                .parameter_list_length(),
            32
        );
    }

    #[test]
    fn unchangeable_wce_is_refused() {
        let current = decode6(&QEMU_CACHING_6);
        let mut mask = QEMU_CACHING_6_CHANGEABLE;
        mask[14] = 0; // WCE not changeable
        let err = set_wce::<Six>(&current, &decode6(&mask), true).unwrap_err();
        assert_eq!(
            err,
            BuildError::Invalid {
                command: "MODE SELECT (6)",
                reason: "WCE is not changeable"
            }
        );
        let truncated = decode6(&QEMU_CACHING_6[..20]);
        assert!(set_wce::<Six>(&truncated, &decode6(&QEMU_CACHING_6), true).is_err());
    }

    proptest! {
        /// Whatever the caching page holds, the list differs from the current values only
        /// in MODE DATA LENGTH, the device-specific parameter, PS and WCE.
        #[test]
        fn only_wce_changes(
            body in proptest::collection::vec(any::<u8>(), 18),
            ps: bool,
            dsp: u8,
            wce: bool,
            ten: bool,
        ) {
            let mut page = vec![u8::from(ps) << 7 | CACHING_PAGE, 0x12];
            page.extend_from_slice(&body);
            let (header, at): (Vec<u8>, usize) = if ten {
                (vec![0, 34, 0, dsp, 0, 0, 0, 8], 8)
            } else {
                (vec![31, 0, dsp, 8], 4)
            };
            let mut sense = header;
            sense.extend_from_slice(&[0, 0, 1, 0, 0, 0, 2, 0]);
            sense.extend_from_slice(&page);
            let mut mask = sense.clone();
            mask[at + 8 + 2] = WCE_BIT;
            let list = if ten {
                let d = |b: &[u8]| ModeParameters::decode::<Ten>(b).unwrap();
                set_wce::<Ten>(&d(&sense), &d(&mask), wce).unwrap().parameter_list().to_vec()
            } else {
                set_wce::<Six>(&decode6(&sense), &decode6(&mask), wce).unwrap().parameter_list().to_vec()
            };
            prop_assert_eq!(list.len(), sense.len());
            // MODE DATA LENGTH and DEVICE-SPECIFIC PARAMETER bytes of each header form.
            let zeroed: &[usize] = if ten { &[0, 1, 3] } else { &[0, 2] };
            for (i, (&got, &was)) in list.iter().zip(&sense).enumerate() {
                let expected = match i {
                    _ if zeroed.contains(&i) => 0,
                    _ if i == at + 8 => was & 0x7f,
                    _ if i == at + 10 => if wce { was | WCE_BIT } else { was & !WCE_BIT },
                    _ => was,
                };
                prop_assert_eq!(got, expected, "byte {}", i);
            }
        }
    }
}
