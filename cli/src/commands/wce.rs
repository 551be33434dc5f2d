//! `scsitool wce get DEVICE` and `scsitool wce set on|off DEVICE`: the WCE (write cache
//! enable) bit of the Caching mode page (SBC-4 6.5.5), read with MODE SENSE (10) (SPC-5
//! 6.14) and changed with MODE SELECT (10) (SPC-5 6.12), like `sdparm --get/--set WCE`.

use crate::commands::device::{open_scsi, run};
use crate::exit::{ExitStatus, Failure};
use crate::output::{Output, Report};
use anyhow::Result;
use cdb::scsi::spc::mode::wce::CACHING_PAGE;
use cdb::scsi::spc::mode::{
    set_wce, CachingPage, DecodedModePage, ModeParameters, ModeSelect10, ModeSense10, PageControl,
};
use serde::Serialize;
use transports::open::Access;
use transports::scsi::ScsiTransport;

/// MODE SENSE (10) ALLOCATION LENGTH: the header, long block descriptors and the caching
/// page fit many times over.
const MODE_SENSE_LENGTH: u16 = 512;

/// The `--json` document of `scsitool wce get`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct WceState {
    /// The device as named on the command line.
    pub device: String,
    /// WCE in the current values: the write cache is enabled.
    pub wce: bool,
    /// WCE is set in the changeable values: MODE SELECT may change it.
    pub changeable: bool,
}

/// The `--json` document of `scsitool wce set`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct WceChange {
    /// The state read back after MODE SELECT.
    #[serde(flatten)]
    pub state: WceState,
    /// WCE before the change.
    pub previous: bool,
}

/// One line like sdparm's: the current value and whether it can be changed.
fn line(state: &WceState) -> String {
    format!(
        "WCE         {}  [cha: {}]",
        u8::from(state.wce),
        if state.changeable { "y" } else { "n" }
    )
}

impl Report for WceState {
    fn human(&self) -> String {
        format!("    {}\n{}\n", self.device, line(self))
    }
}

impl Report for WceChange {
    fn human(&self) -> String {
        format!(
            "    {}\n{}  (was {})\n",
            self.state.device,
            line(&self.state),
            u8::from(self.previous)
        )
    }
}

/// The caching page's current and changeable values as the device returned them.
struct Caching {
    current: ModeParameters,
    changeable: ModeParameters,
}

impl Caching {
    /// Reads both with MODE SENSE (10).
    fn read(out: Output, transport: &mut dyn ScsiTransport) -> Result<Self> {
        Ok(Caching {
            current: mode_sense(out, transport, PageControl::Current)?,
            changeable: mode_sense(out, transport, PageControl::Changeable)?,
        })
    }

    /// WCE in the current values, and in the changeable mask.
    fn state(&self, device: &str) -> Result<WceState> {
        Ok(WceState {
            device: device.to_string(),
            wce: caching_page(&self.current, "current")?.wce,
            changeable: caching_page(&self.changeable, "changeable")?.wce,
        })
    }

    /// The MODE SELECT (10) that sets WCE to `wce` and changes nothing else; refused with
    /// exit status 5 (as the device would refuse it) when WCE is not changeable.
    fn select(&self, device: &str, wce: bool) -> Result<ModeSelect10> {
        if !self.state(device)?.changeable {
            return Err(Failure::new(
                ExitStatus::DeviceIllegalRequest,
                format!(
                    "{device}: WCE is not changeable (the Caching mode page's changeable \
                     values do not include it); the write cache setting was left alone"
                ),
            )
            .into());
        }
        set_wce(&self.current, &self.changeable, wce)
            .map_err(|error| Failure::new(ExitStatus::Other, error.to_string()).into())
    }
}

/// Sends MODE SENSE (10) for the caching page with page control `pc`.
fn mode_sense(
    out: Output,
    transport: &mut dyn ScsiTransport,
    pc: PageControl,
) -> Result<ModeParameters> {
    let command = ModeSense10::new(pc, CACHING_PAGE, 0, MODE_SENSE_LENGTH)
        .map_err(|error| Failure::new(ExitStatus::Other, error.to_string()))?;
    Ok(run(out, transport, &command)?.response)
}

/// The decoded Caching mode page in `parameters` (`which` values, for the error).
fn caching_page<'a>(parameters: &'a ModeParameters, which: &str) -> Result<&'a CachingPage> {
    let page = parameters.page(CACHING_PAGE, 0).ok_or_else(|| {
        Failure::new(
            ExitStatus::Other,
            format!("the device's {which} mode values have no Caching mode page (08h)"),
        )
    })?;
    match &page.decoded {
        Some(DecodedModePage::Caching(caching)) => Ok(caching),
        _ => Err(Failure::new(
            ExitStatus::Other,
            format!(
                "the device's {which} Caching mode page is {} bytes, shorter than SBC-4's 18",
                page.data.len()
            ),
        )
        .into()),
    }
}

/// Reports WCE and whether it is changeable.
pub fn get(out: Output, device: &str) -> Result<()> {
    let mut transport = open_scsi(device, Access::Read)?;
    let caching = Caching::read(out, transport.as_mut())?;
    out.emit(&caching.state(device)?)
}

/// Sets WCE to `wce` with MODE SELECT (10) (PF=1, SP=0: not saved), reads it back and
/// fails with exit status 9 when the device did not take the new value.
pub fn set(out: Output, device: &str, wce: bool) -> Result<()> {
    let mut transport = open_scsi(device, Access::Write)?;
    let before = Caching::read(out, transport.as_mut())?;
    let previous = before.state(device)?.wce;
    run(out, transport.as_mut(), &before.select(device, wce)?)?;
    let after = Caching::read(out, transport.as_mut())?.state(device)?;
    if after.wce != wce {
        return Err(Failure::new(
            ExitStatus::Miscompare,
            format!(
                "{device} accepted MODE SELECT but WCE reads back as {}, not {}",
                u8::from(after.wce),
                u8::from(wce)
            ),
        )
        .into());
    }
    out.emit(&WceChange {
        state: after,
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::status_of;
    use cdb::scsi::spc::mode::Ten;

    /// MODE SENSE (10) data: 8-byte header, no block descriptors, a caching page (SBC-4
    /// 6.5.5) whose byte 2 is `flags`.
    fn caching_data(flags: u8) -> ModeParameters {
        let mut data = vec![0, 26, 0, 0, 0, 0, 0, 0, 0x08, 0x12, flags];
        data.resize(28, 0);
        ModeParameters::decode::<Ten>(&data).unwrap()
    }

    #[test]
    fn unchangeable_wce_is_refused_before_anything_is_sent() {
        let caching = Caching {
            current: caching_data(0x04),
            changeable: caching_data(0x01), // RCD changeable, WCE not
        };
        let state = caching.state("sim:").unwrap();
        assert!(state.wce && !state.changeable);
        let error = caching.select("sim:", false).unwrap_err();
        assert_eq!(status_of(&error), ExitStatus::DeviceIllegalRequest);
        assert!(error.to_string().contains("not changeable"), "{error}");
    }

    #[test]
    fn changeable_wce_builds_pf_mode_select_10() {
        let caching = Caching {
            current: caching_data(0x04),
            changeable: caching_data(0x04),
        };
        let select = caching.select("sim:", false).unwrap();
        // SPC-5 6.12: 55h, PF (byte 1 bit 4) set, SP (bit 0) clear.
        let layout = select.cdb_layout();
        assert!(layout.pf && !layout.sp);
        // The caching page's byte 2 (list offset 8 + 2) has WCE cleared.
        assert_eq!(select.parameter_list()[10] & 0x04, 0);
    }

    #[test]
    fn a_missing_or_short_caching_page_is_named() {
        let empty = ModeParameters::decode::<Ten>(&[0, 6, 0, 0, 0, 0, 0, 0]).unwrap();
        let error = caching_page(&empty, "current").unwrap_err();
        assert!(
            error.to_string().contains("no Caching mode page"),
            "{error}"
        );
        let short =
            ModeParameters::decode::<Ten>(&[0, 10, 0, 0, 0, 0, 0, 0, 0x08, 0x02, 0x04, 0]).unwrap();
        let error = caching_page(&short, "current").unwrap_err();
        assert!(error.to_string().contains("shorter"), "{error}");
    }
}
