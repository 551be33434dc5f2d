//! The file target: positioned reads and writes land at `lba × block size`, ranges are
//! checked, the geometry follows the file size and chosen block size, and the cache and
//! power controls a file cannot offer are refused.

use super::*;
use crate::test_support::{random_file, Rng, Scratch};

const BS: usize = 512;
const BLOCKS: usize = 64;

fn open(path: &Path, block_size: Option<u32>) -> Result<FileTarget, TargetError> {
    FileTarget::open(
        path,
        FileOptions {
            block_size,
            direct: false,
        },
    )
}

#[test]
fn writes_land_at_their_lba_and_read_back() {
    let scratch = Scratch::new("file-rt");
    let mut rng = Rng::new(1);
    let mut expected = random_file(scratch.path(), BS * BLOCKS, &mut rng);
    let mut target = open(scratch.path(), None).expect("open");
    assert_eq!(
        target.geometry(),
        Geometry {
            block_size: 512,
            blocks: BLOCKS as u64,
            max_transfer: MAX_TRANSFER,
        }
    );

    let data = rng.bytes(2 * BS);
    target.write(3, &data, true).expect("FUA write");
    expected[3 * BS..5 * BS].copy_from_slice(&data);
    target.write(63, &data[..BS], false).expect("last block");
    expected[63 * BS..].copy_from_slice(&data[..BS]);
    target.flush().expect("fdatasync");

    let mut back = vec![0u8; 2 * BS];
    target.read(3, &mut back).expect("read");
    assert_eq!(back, data);
    assert_eq!(std::fs::read(scratch.path()).expect("file"), expected);
    assert!(target.describe().contains("pread/pwrite on"));
}

#[test]
fn transfers_larger_than_the_limit_are_split_in_order() {
    let scratch = Scratch::new("file-big");
    let mut rng = Rng::new(2);
    let len = 3 * MAX_TRANSFER as usize + 4 * 4096;
    random_file(scratch.path(), len, &mut rng);
    let mut target = open(scratch.path(), Some(4096)).expect("open");
    assert_eq!(target.geometry().blocks, (len / 4096) as u64);
    let data = rng.bytes(len - 4096);
    target.write(1, &data, false).expect("write");
    let mut back = vec![0u8; len - 4096];
    target.read(1, &mut back).expect("read");
    assert!(back == data, "the split transfer reads back in order");
    let file = std::fs::read(scratch.path()).expect("file");
    assert!(file[4096..] == data[..], "each piece at its offset");
}

#[test]
fn ranges_outside_the_target_or_partial_blocks_are_refused() {
    let scratch = Scratch::new("file-range");
    let original = random_file(scratch.path(), BS * BLOCKS, &mut Rng::new(3));
    let mut target = open(scratch.path(), None).expect("open");
    let block = [0u8; BS];
    assert!(matches!(
        target.write(64, &block, false),
        Err(TargetError::Device(_))
    ));
    assert!(matches!(
        target.write(63, &[0u8; 2 * BS], false),
        Err(TargetError::Device(_))
    ));
    assert!(matches!(
        target.write(u64::MAX, &block, false),
        Err(TargetError::Device(_))
    ));
    assert!(matches!(
        target.read(0, &mut [0u8; 100]),
        Err(TargetError::Device(_))
    ));
    assert_eq!(std::fs::read(scratch.path()).expect("file"), original);
}

#[test]
fn geometry_follows_file_size_and_block_size() {
    let scratch = Scratch::new("file-geom");
    random_file(scratch.path(), BS * BLOCKS + 100, &mut Rng::new(4));
    assert_eq!(
        open(scratch.path(), None).expect("open").geometry().blocks,
        64,
        "a trailing partial block is not part of the target"
    );
    assert_eq!(
        open(scratch.path(), Some(4096))
            .expect("open")
            .geometry()
            .blocks,
        8
    );
    for refused in [0, 1000, 520] {
        let error = open(scratch.path(), Some(refused)).expect_err("bad block size");
        assert!(matches!(error, TargetError::Unsupported(_)), "{error}");
    }
    std::fs::write(scratch.path(), [0u8; 100]).expect("shrink");
    let error = open(scratch.path(), None).expect_err("smaller than a block");
    assert!(error.to_string().contains("truncate -s"), "{error}");
    let missing = Scratch::new("file-missing");
    assert!(matches!(
        open(missing.path(), None),
        Err(TargetError::Io(_))
    ));
}

#[test]
fn cache_and_power_controls_are_not_offered() {
    let scratch = Scratch::new("file-cache");
    random_file(scratch.path(), BS * BLOCKS, &mut Rng::new(5));
    let mut target = open(scratch.path(), None).expect("open");
    assert_eq!(target.write_cache().expect("query"), None);
    assert!(matches!(
        target.set_write_cache(false),
        Err(TargetError::Unsupported(_))
    ));
    assert!(matches!(
        target.power_cycle(),
        Err(TargetError::Unsupported(_))
    ));
}

/// `O_DIRECT` either works (aligned bounce buffer, round trip) or the filesystem of the
/// temporary directory refuses it, and the error says so.
#[cfg(target_os = "linux")]
#[test]
fn direct_io_round_trips_or_names_the_refusal() {
    let scratch = Scratch::new("file-direct");
    let mut rng = Rng::new(6);
    let mut expected = random_file(scratch.path(), 4096 * 16, &mut rng);
    let options = FileOptions {
        block_size: Some(4096),
        direct: true,
    };
    let mut target = match FileTarget::open(scratch.path(), options) {
        Ok(target) => target,
        Err(error) => {
            assert!(
                matches!(error, TargetError::Unsupported(_))
                    && error.to_string().contains("O_DIRECT"),
                "{error}"
            );
            return;
        }
    };
    assert!(target.describe().contains("O_DIRECT"));
    let data = rng.bytes(3 * 4096);
    // An odd offset into a vector: the caller's buffer need not be aligned.
    let mut unaligned = vec![0u8; data.len() + 1];
    unaligned[1..].copy_from_slice(&data);
    match target.write(5, &unaligned[1..], true) {
        Ok(()) => {}
        Err(error) => {
            assert!(error.to_string().contains("O_DIRECT"), "{error}");
            return;
        }
    }
    expected[5 * 4096..8 * 4096].copy_from_slice(&data);
    let mut back = vec![0u8; data.len() + 1];
    target.read(5, &mut back[1..]).expect("direct read");
    assert_eq!(back[1..], data[..]);
    assert_eq!(std::fs::read(scratch.path()).expect("file"), expected);
}

/// On a real block device node (e.g. a loop device; its data is destroyed): the geometry
/// comes from the node's size and `BLKSSZGET`, and direct I/O round trips.
#[test]
#[ignore = "needs a scratch block device node in SCSITOOL_TEST_BLOCK_DEVICE (data destroyed)"]
fn a_block_device_node_reports_its_geometry() {
    let node = std::env::var_os("SCSITOOL_TEST_BLOCK_DEVICE").expect("SCSITOOL_TEST_BLOCK_DEVICE");
    let node = Path::new(&node);
    let mut handle = File::open(node).expect("open node");
    let bytes = handle.seek(SeekFrom::End(0)).expect("size");
    let options = FileOptions {
        block_size: None,
        direct: true,
    };
    let mut target = FileTarget::open(node, options).expect("open target");
    let geometry = target.geometry();
    assert!(geometry.block_size >= 512);
    assert_eq!(geometry.blocks * u64::from(geometry.block_size), bytes);
    let data = Rng::new(7).bytes(geometry.block_size as usize * 2);
    target.write(1, &data, true).expect("write");
    let mut back = vec![0u8; data.len()];
    target.read(1, &mut back).expect("read");
    assert_eq!(back, data);
}
