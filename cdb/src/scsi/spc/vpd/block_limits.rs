//! Block Limits, page B0h (SBC-4 6.6.4).

use super::header::VpdHeader;
use super::BLOCK_LIMITS;
use crate::error::DecodeError;
use crate::scsi::spc::inquiry::coded::read_padded;
use serde::Serialize;
use zerocopy::byteorder::big_endian::{U16, U32, U64};
use zerocopy::{FromBytes, IntoBytes};

/// Bytes 4–63 of the page (SBC-4 6.6.4, table "Block Limits VPD page").
#[derive(FromBytes, IntoBytes)]
#[repr(C)]
struct RawBlockLimits {
    wsnz: u8,
    maximum_compare_and_write_length: u8,
    optimal_transfer_length_granularity: U16,
    maximum_transfer_length: U32,
    optimal_transfer_length: U32,
    maximum_prefetch_length: U32,
    maximum_unmap_lba_count: U32,
    maximum_unmap_block_descriptor_count: U32,
    optimal_unmap_granularity: U32,
    unmap_granularity_alignment: U32,
    maximum_write_same_length: U64,
    maximum_atomic_transfer_length: U32,
    atomic_alignment: U32,
    atomic_transfer_length_granularity: U32,
    maximum_atomic_transfer_length_with_atomic_boundary: U32,
    maximum_atomic_boundary_size: U32,
}

/// The Block Limits page (SBC-4 6.6.4). Lengths are in logical blocks.
///
/// SBC-4 uses zero for "no limit reported" in most fields; those are `None` here. Fields
/// past the returned data (an SBC-2 era page of 12 bytes, or a short allocation length)
/// are `None` as well; `header.page_length` and `header.missing_bytes` tell the two apart.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct BlockLimits {
    /// The page header.
    pub header: VpdHeader,
    /// WSNZ: WRITE SAME with NUMBER OF LOGICAL BLOCKS zero is rejected.
    pub wsnz: bool,
    /// MAXIMUM COMPARE AND WRITE LENGTH (`None`: COMPARE AND WRITE not supported).
    pub maximum_compare_and_write_length: Option<u8>,
    /// OPTIMAL TRANSFER LENGTH GRANULARITY.
    pub optimal_transfer_length_granularity: Option<u16>,
    /// MAXIMUM TRANSFER LENGTH for one command.
    pub maximum_transfer_length: Option<u32>,
    /// OPTIMAL TRANSFER LENGTH.
    pub optimal_transfer_length: Option<u32>,
    /// MAXIMUM PREFETCH LENGTH.
    pub maximum_prefetch_length: Option<u32>,
    /// MAXIMUM UNMAP LBA COUNT (`None`: UNMAP not supported; FFFF_FFFFh: no limit).
    pub maximum_unmap_lba_count: Option<u32>,
    /// MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT (`None`: UNMAP not supported; FFFF_FFFFh: no
    /// limit).
    pub maximum_unmap_block_descriptor_count: Option<u32>,
    /// OPTIMAL UNMAP GRANULARITY.
    pub optimal_unmap_granularity: Option<u32>,
    /// UNMAP GRANULARITY ALIGNMENT, present only when UGAVALID is set (byte 32 bit 7).
    pub unmap_granularity_alignment: Option<u32>,
    /// MAXIMUM WRITE SAME LENGTH.
    pub maximum_write_same_length: Option<u64>,
    /// MAXIMUM ATOMIC TRANSFER LENGTH (`None`: atomic writes not supported).
    pub maximum_atomic_transfer_length: Option<u32>,
    /// ATOMIC ALIGNMENT (`None`: no alignment requirement).
    pub atomic_alignment: Option<u32>,
    /// ATOMIC TRANSFER LENGTH GRANULARITY (`None`: no granularity requirement).
    pub atomic_transfer_length_granularity: Option<u32>,
    /// MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY.
    pub maximum_atomic_transfer_length_with_atomic_boundary: Option<u32>,
    /// MAXIMUM ATOMIC BOUNDARY SIZE.
    pub maximum_atomic_boundary_size: Option<u32>,
}

/// `None` for SBC-4's "zero: not reported".
fn reported<T: PartialEq + Default>(value: T) -> Option<T> {
    (value != T::default()).then_some(value)
}

impl BlockLimits {
    /// Decodes page B0h.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (header, body) =
            VpdHeader::split_expecting(buf, BLOCK_LIMITS, "Block Limits: PAGE CODE")?;
        let r: RawBlockLimits = read_padded(body);
        let alignment = r.unmap_granularity_alignment.get();
        Ok(BlockLimits {
            header,
            wsnz: r.wsnz & 0x01 != 0,
            maximum_compare_and_write_length: reported(r.maximum_compare_and_write_length),
            optimal_transfer_length_granularity: reported(
                r.optimal_transfer_length_granularity.get(),
            ),
            maximum_transfer_length: reported(r.maximum_transfer_length.get()),
            optimal_transfer_length: reported(r.optimal_transfer_length.get()),
            maximum_prefetch_length: reported(r.maximum_prefetch_length.get()),
            maximum_unmap_lba_count: reported(r.maximum_unmap_lba_count.get()),
            maximum_unmap_block_descriptor_count: reported(
                r.maximum_unmap_block_descriptor_count.get(),
            ),
            optimal_unmap_granularity: reported(r.optimal_unmap_granularity.get()),
            unmap_granularity_alignment: (alignment & 0x8000_0000 != 0)
                .then_some(alignment & 0x7fff_ffff),
            maximum_write_same_length: reported(r.maximum_write_same_length.get()),
            maximum_atomic_transfer_length: reported(r.maximum_atomic_transfer_length.get()),
            atomic_alignment: reported(r.atomic_alignment.get()),
            atomic_transfer_length_granularity: reported(
                r.atomic_transfer_length_granularity.get(),
            ),
            maximum_atomic_transfer_length_with_atomic_boundary: reported(
                r.maximum_atomic_transfer_length_with_atomic_boundary.get(),
            ),
            maximum_atomic_boundary_size: reported(r.maximum_atomic_boundary_size.get()),
        })
    }
}
