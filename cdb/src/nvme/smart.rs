//! The SMART / Health Information log page (NVMe Base 2.0 5.16.1.3, LID 02h).

use super::le::Le;
use crate::error::DecodeError;
use serde::Serialize;

/// Bytes needed: through Total Time For Thermal Management Temperature 2 (byte 231).
pub const SMART_DECODED_LEN: usize = 232;

/// Critical Warning, byte 0 (Base 2.0 5.16.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct CriticalWarning {
    /// The raw byte.
    pub raw: u8,
    /// Bit 0: available spare capacity has fallen below the threshold.
    pub available_spare: bool,
    /// Bit 1: a temperature is at or beyond a threshold.
    pub temperature: bool,
    /// Bit 2: NVM subsystem reliability has been degraded.
    pub reliability_degraded: bool,
    /// Bit 3: all media has been placed in read only mode.
    pub read_only: bool,
    /// Bit 4: the volatile memory backup device has failed.
    pub volatile_memory_backup_failed: bool,
    /// Bit 5: the Persistent Memory Region has become read-only or unreliable.
    pub persistent_memory_region_read_only: bool,
}

/// The SMART / Health Information log (Base 2.0 5.16.1.3, Figure "SMART / Health
/// Information Log Page").
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SmartHealthLog {
    /// Critical Warning, byte 0.
    pub critical_warning: CriticalWarning,
    /// Composite Temperature, bytes 2:1, kelvins.
    pub composite_temperature: u16,
    /// Available Spare, byte 3, percent.
    pub available_spare: u8,
    /// Available Spare Threshold, byte 4, percent.
    pub available_spare_threshold: u8,
    /// Percentage Used, byte 5 (may exceed 100).
    pub percentage_used: u8,
    /// Endurance Group Critical Warning Summary, byte 6.
    pub endurance_group_critical_warning_summary: u8,
    /// Data Units Read, bytes 47:32, thousands of 512-byte units.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub data_units_read: u128,
    /// Data Units Written, bytes 63:48, thousands of 512-byte units.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub data_units_written: u128,
    /// Host Read Commands, bytes 79:64.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub host_read_commands: u128,
    /// Host Write Commands, bytes 95:80.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub host_write_commands: u128,
    /// Controller Busy Time, bytes 111:96, minutes.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub controller_busy_time: u128,
    /// Power Cycles, bytes 127:112.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub power_cycles: u128,
    /// Power On Hours, bytes 143:128.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub power_on_hours: u128,
    /// Unsafe Shutdowns, bytes 159:144.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub unsafe_shutdowns: u128,
    /// Media and Data Integrity Errors, bytes 175:160.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub media_and_data_integrity_errors: u128,
    /// Number of Error Information Log Entries, bytes 191:176.
    #[serde(serialize_with = "crate::json::decimal")]
    #[schemars(with = "String")]
    pub number_of_error_information_log_entries: u128,
    /// Warning Composite Temperature Time, bytes 195:192, minutes.
    pub warning_composite_temperature_time: u32,
    /// Critical Composite Temperature Time, bytes 199:196, minutes.
    pub critical_composite_temperature_time: u32,
    /// Temperature Sensors 1–8, bytes 215:200, kelvins; `None` = not implemented (0).
    pub temperature_sensors: Vec<Option<u16>>,
    /// Thermal Management Temperature 1 Transition Count, bytes 219:216.
    pub thermal_management_temperature_1_transition_count: u32,
    /// Thermal Management Temperature 2 Transition Count, bytes 223:220.
    pub thermal_management_temperature_2_transition_count: u32,
    /// Total Time For Thermal Management Temperature 1, bytes 227:224, seconds.
    pub total_time_for_thermal_management_temperature_1: u32,
    /// Total Time For Thermal Management Temperature 2, bytes 231:228, seconds.
    pub total_time_for_thermal_management_temperature_2: u32,
    /// Bytes of the decoded fields (0–231) the transfer did not return (a Get Log Page
    /// with NUMD smaller than the page, Base 2.0 5.16); those fields read as zero (a
    /// temperature sensor as `None`). 0 when every field is present.
    pub missing_bytes: usize,
}

/// Kelvins to degrees Celsius (Base 2.0 5.16.1.3 reports kelvins; 273 K = 0 °C as the
/// specification's conversion uses).
pub fn kelvin_to_celsius(kelvin: u16) -> i32 {
    i32::from(kelvin) - 273
}

impl SmartHealthLog {
    /// Decodes the log's defined fields (bytes 0–231 of the 512-byte page) from what
    /// was returned: a short transfer decodes the fields present and counts the rest in
    /// [`Self::missing_bytes`]. Never fails; the `Result` is the decoder contract.
    pub fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        let b = Le(data);
        let cw = b.u8(0);
        let bit = |n: u8| cw & (1 << n) != 0;
        Ok(SmartHealthLog {
            critical_warning: CriticalWarning {
                raw: cw,
                available_spare: bit(0),
                temperature: bit(1),
                reliability_degraded: bit(2),
                read_only: bit(3),
                volatile_memory_backup_failed: bit(4),
                persistent_memory_region_read_only: bit(5),
            },
            composite_temperature: b.u16(1),
            available_spare: b.u8(3),
            available_spare_threshold: b.u8(4),
            percentage_used: b.u8(5),
            endurance_group_critical_warning_summary: b.u8(6),
            data_units_read: b.u128(32),
            data_units_written: b.u128(48),
            host_read_commands: b.u128(64),
            host_write_commands: b.u128(80),
            controller_busy_time: b.u128(96),
            power_cycles: b.u128(112),
            power_on_hours: b.u128(128),
            unsafe_shutdowns: b.u128(144),
            media_and_data_integrity_errors: b.u128(160),
            number_of_error_information_log_entries: b.u128(176),
            warning_composite_temperature_time: b.u32(192),
            critical_composite_temperature_time: b.u32(196),
            temperature_sensors: (0..8)
                .map(|i| Some(b.u16(200 + 2 * i)).filter(|&t| t != 0))
                .collect(),
            thermal_management_temperature_1_transition_count: b.u32(216),
            thermal_management_temperature_2_transition_count: b.u32(220),
            total_time_for_thermal_management_temperature_1: b.u32(224),
            total_time_for_thermal_management_temperature_2: b.u32(228),
            missing_bytes: SMART_DECODED_LEN.saturating_sub(data.len()),
        })
    }

    /// Composite Temperature in degrees Celsius.
    pub fn composite_temperature_celsius(&self) -> i32 {
        kelvin_to_celsius(self.composite_temperature)
    }

    /// Data Units Read in bytes (× 1000 × 512), saturating.
    pub fn data_units_read_bytes(&self) -> u128 {
        self.data_units_read.saturating_mul(512_000)
    }

    /// Data Units Written in bytes (× 1000 × 512), saturating.
    pub fn data_units_written_bytes(&self) -> u128 {
        self.data_units_written.saturating_mul(512_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_fields() {
        // Fields placed by their Base 2.0 5.16.1.3 offsets; 323 K is QEMU 7.2's
        // NVME_TEMPERATURE (hw/nvme/nvme.h), 50 °C.
        let mut d = vec![0u8; 512];
        d[0] = 0x0a;
        d[1..3].copy_from_slice(&323u16.to_le_bytes());
        d[3] = 100;
        d[4] = 10;
        d[32] = 3;
        d[63] = 0x01;
        d[128..130].copy_from_slice(&0x1234u16.to_le_bytes());
        d[202..204].copy_from_slice(&300u16.to_le_bytes());
        let s = SmartHealthLog::decode(&d).unwrap();
        assert!(s.critical_warning.temperature && s.critical_warning.read_only);
        assert!(!s.critical_warning.available_spare);
        assert_eq!(s.composite_temperature_celsius(), 50);
        assert_eq!((s.available_spare, s.available_spare_threshold), (100, 10));
        assert_eq!(s.data_units_read_bytes(), 3 * 512_000);
        assert_eq!(s.data_units_written, 1u128 << 120);
        assert_eq!(s.power_on_hours, 0x1234);
        assert_eq!(s.temperature_sensors[0], None);
        assert_eq!(s.temperature_sensors[1], Some(300));
        assert_eq!(s.missing_bytes, 0);
    }

    #[test]
    fn short_transfer_decodes_what_is_present() {
        // NUMD 31 (128 bytes): Critical Warning through Power Cycles' predecessor.
        let mut d = vec![0u8; 128];
        d[1..3].copy_from_slice(&323u16.to_le_bytes());
        d[96] = 9;
        let s = SmartHealthLog::decode(&d).unwrap();
        assert_eq!(s.composite_temperature, 323);
        assert_eq!(s.controller_busy_time, 9);
        assert_eq!(s.power_cycles, 0);
        assert_eq!(s.missing_bytes, SMART_DECODED_LEN - 128);
        // A field cut in the middle reads its present bytes only.
        let s = SmartHealthLog::decode(&[0, 0x43]).unwrap();
        assert_eq!((s.composite_temperature, s.missing_bytes), (0x43, 230));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes(d in proptest::collection::vec(any::<u8>(), 0..600)) {
            let s = SmartHealthLog::decode(&d).unwrap();
            prop_assert_eq!(s.temperature_sensors.len(), 8);
            prop_assert_eq!(s.missing_bytes + d.len().min(SMART_DECODED_LEN), SMART_DECODED_LEN);
            prop_assert_eq!(s.critical_warning.raw, d.first().copied().unwrap_or(0));
            let _ = (s.data_units_read_bytes(), s.composite_temperature_celsius());
        }
    }
}
