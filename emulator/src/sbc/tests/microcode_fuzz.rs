//! Arbitrary WRITE BUFFER and READ BUFFER sequences — valid image pieces, damaged ones,
//! any mode, offset, length and data-out — never panic the disk; every answer is GOOD or
//! CHECK CONDITION with decodable sense (SPC-5 4.4), the microcode status always decodes,
//! and the revision INQUIRY reports is always one an accepted image carried — under the
//! microcode behaviour of every fault profile.

use super::double::Media;
use super::Harness;
use crate::fault::Profile;
use crate::image;
use crate::sbc::{Disk, Identity, Target};
use crate::target::ScsiTarget;
use cdb::command::ScsiCommand;
use cdb::scsi::spc::buffer::{ReadBuffer, ReadBufferData};
use cdb::scsi::spc::inquiry::{Inquiry, InquiryData};
use cdb::scsi::status::Status;
use proptest::collection::vec;
use proptest::prelude::*;

/// The images the sequences draw pieces from.
const REVISIONS: [&str; 3] = ["FZ01", "FZ02", "FZ03"];

/// One command: mode, MODE SPECIFIC, BUFFER ID, offset, and either a piece of image `i`
/// or arbitrary bytes; `declared` overrides PARAMETER LIST LENGTH.
#[derive(Debug, Clone)]
struct Op {
    opcode: u8,
    mode: u8,
    mode_specific: u8,
    buffer_id: u8,
    offset: u32,
    data: Data,
    declared: Option<u32>,
}

#[derive(Debug, Clone)]
enum Data {
    Piece { image: usize, len: usize },
    Bytes(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    let opcode = prop_oneof![4 => Just(0x3bu8), 1 => Just(0x3cu8)];
    let mode = prop_oneof![
        2 => proptest::sample::select(vec![0x02u8, 0x03, 0x05, 0x07, 0x0d, 0x0e, 0x0f]),
        1 => 0u8..0x20,
    ];
    let offset = prop_oneof![
        3 => (0u32..12).prop_map(|k| k * 512),
        1 => 0u32..0x100_0000,
    ];
    let data = prop_oneof![
        3 => (0..REVISIONS.len(), 0usize..2048).prop_map(|(image, len)| Data::Piece { image, len }),
        1 => vec(any::<u8>(), 0..600).prop_map(Data::Bytes),
    ];
    (
        opcode,
        mode,
        prop_oneof![8 => Just(0u8), 1 => 0u8..8],
        prop_oneof![8 => Just(0u8), 1 => any::<u8>()],
        offset,
        data,
        prop_oneof![8 => Just(None), 1 => (0u32..0x100_0000).prop_map(Some)],
    )
        .prop_map(
            |(opcode, mode, mode_specific, buffer_id, offset, data, declared)| Op {
                opcode,
                mode,
                mode_specific,
                buffer_id,
                offset,
                data,
                declared,
            },
        )
}

impl Op {
    /// The CDB and data-out bytes.
    fn encode(&self, images: &[Vec<u8>]) -> ([u8; 10], Vec<u8>) {
        let data = match &self.data {
            Data::Piece { image, len } => {
                let image = &images[*image];
                let start = (self.offset as usize).min(image.len());
                image[start..(start + len).min(image.len())].to_vec()
            }
            Data::Bytes(bytes) => bytes.clone(),
        };
        let length = self.declared.unwrap_or(data.len() as u32);
        let [_, o2, o1, o0] = self.offset.to_be_bytes();
        let [_, l2, l1, l0] = length.to_be_bytes();
        let cdb = [
            self.opcode,
            self.mode_specific << 5 | self.mode,
            self.buffer_id,
            o2,
            o1,
            o0,
            l2,
            l1,
            l0,
            0,
        ];
        (cdb, data)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_buffer_sequences_never_panic(
        ops in vec(op(), 1..24),
        resets in vec(any::<bool>(), 24),
        profile in proptest::sample::select(Profile::ALL.to_vec()),
    ) {
        let images: Vec<Vec<u8>> = REVISIONS
            .iter()
            .map(|rev| image::SCSI.build(rev, &vec![0x5a; 1500]))
            .collect();
        let (device, media) = Media::new(64, 512);
        let disk = Disk::new(Identity::default(), device).with_microcode(profile.microcode());
        let mut h = Harness { target: Target::new(vec![disk]), media };
        for (op, reset) in ops.iter().zip(resets) {
            let (cdb, data_out) = op.encode(&images);
            let mut data_in = vec![0u8; 700];
            let c = h.target.execute(0, &cdb, &data_out, &mut data_in);
            match c.status {
                Status::Good => prop_assert!(c.sense.is_empty()),
                Status::CheckCondition => {
                    let sense = cdb::sense::decode(&c.sense).unwrap();
                    prop_assert!(sense.problems.is_empty(), "{:?}", sense.problems);
                    prop_assert_eq!(c.data_in_len, 0);
                }
                other => prop_assert!(false, "status {other}"),
            }
            // Resets activate what modes 0Eh (and 05h, 07h awaiting a reset) saved.
            if reset && [0x05, 0x07, 0x0e].contains(&op.mode) {
                h.target.reset().unwrap();
            }
            let status = ReadBuffer::microcode_status();
            let (c, data) = h.send(&status);
            if c.status == Status::Good {
                let decoded = status.decode(&data).unwrap();
                prop_assert!(matches!(decoded, ReadBufferData::MicrocodeStatus(_)));
            }
            let InquiryData::Standard(s) = h.good(&Inquiry::standard()) else {
                panic!("standard data")
            };
            let revision = s.product_revision_level;
            prop_assert!(revision == "0001" || REVISIONS.contains(&revision.as_str()), "{}", revision);
        }
    }
}
