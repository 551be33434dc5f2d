//! The file-backed medium: opening rules, and a real power cut — a child process writes
//! through a [`CachedDevice`] and is killed with SIGKILL; the file keeps exactly the
//! durable data (SBC-4 4.15).

use std::path::{Path, PathBuf};

use super::*;
use crate::block::BlockDevice;

const BS: usize = 512;
const BLOCKS: u64 = 64;
const LEN: u64 = BLOCKS * BS as u64;

/// A fresh path in the temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("scsitool-store-{tag}-{}-{nanos}.img", std::process::id());
        Scratch(std::env::temp_dir().join(name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn open_device(path: &Path) -> CachedDevice<FileMedium> {
    let medium = FileMedium::open(path, LEN).expect("open medium");
    CachedDevice::new(medium, BS as u32).expect("device")
}

/// First byte of every block as the device reads it.
fn firsts(dev: &mut CachedDevice<FileMedium>) -> Vec<u8> {
    let mut buf = vec![0u8; LEN as usize];
    dev.read(0, &mut buf).expect("read");
    buf.chunks(BS).map(|b| b[0]).collect()
}

#[test]
fn open_creates_extends_and_never_truncates() {
    let scratch = Scratch::new("open");
    std::fs::write(&scratch.0, [7u8; 1024]).expect("seed file");
    let mut dev = open_device(&scratch.0);
    let len = std::fs::metadata(&scratch.0).expect("stat").len();
    assert_eq!(len, LEN, "a shorter file is extended to the device size");
    assert_eq!(firsts(&mut dev)[..3], [7, 7, 0], "existing data is kept");
    drop(dev);

    let refused = FileMedium::open(&scratch.0, LEN / 2).expect_err("larger file");
    assert!(
        refused.to_string().contains("refusing to truncate"),
        "{refused}"
    );
    let len = std::fs::metadata(&scratch.0).expect("stat").len();
    assert_eq!(len, LEN, "the larger file is left alone");

    let missing = Scratch::new("missing");
    FileMedium::open(&missing.0, LEN).expect("created");
    assert_eq!(std::fs::metadata(&missing.0).expect("stat").len(), LEN);
}

#[test]
fn an_in_process_power_cut_leaves_the_durable_data_in_the_file() {
    let scratch = Scratch::new("cut");
    let mut dev = open_device(&scratch.0);
    dev.write(0, &[1u8; BS], true).expect("fua");
    dev.write(1, &[2u8; BS], false).expect("cached");
    dev.power_cut(PowerCut::LoseAll).expect("cut");
    drop(dev);
    let mut dev = open_device(&scratch.0);
    assert_eq!(firsts(&mut dev)[..3], [1, 0, 0]);
}

/// Names the file the child writes; its presence selects the child mode.
const CHILD_ENV: &str = "SCSITOOL_STORE_KILL_CHILD";
/// What the child prints once its writes completed.
const READY: &str = "STORE-CHILD-READY";

/// The child half of `a_killed_process_keeps_exactly_the_durable_data`: runs only when
/// that test re-executes this binary with [`CHILD_ENV`] set, and waits to be killed.
#[test]
#[ignore = "child process of a_killed_process_keeps_exactly_the_durable_data"]
fn child_writes_then_waits_for_sigkill() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut dev = open_device(Path::new(&path));
    let block = |byte: u8| [byte; BS];
    dev.write(0, &block(1), true).expect("FUA: durable");
    dev.write(1, &block(2), false).expect("cached");
    dev.flush().expect("flush: block 1 durable");
    dev.write(3, &block(4), false).expect("cached");
    dev.set_write_cache(false)
        .expect("disabling WCE: block 3 durable");
    dev.write(4, &block(5), false).expect("WCE off: durable");
    dev.set_write_cache(true).expect("enable");
    dev.write(2, &block(3), false).expect("cached: lost");
    dev.write(1, &block(6), false)
        .expect("cached over durable: lost");
    dev.write(10, &[7u8; 16 * BS], false)
        .expect("cached 16 blocks: lost");
    assert_eq!(
        firsts(&mut dev)[..5],
        [1, 6, 3, 4, 5],
        "reads see cached data"
    );
    println!("{READY}");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

#[cfg(unix)]
#[test]
fn a_killed_process_keeps_exactly_the_durable_data() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    let scratch = Scratch::new("kill");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "store::file_tests::child_writes_then_waits_for_sigkill",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &scratch.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(READY));
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(ready, "the child finished its writes");
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status}");

    let mut dev = open_device(&scratch.0);
    let mut expect = vec![0u8; BLOCKS as usize];
    expect[..5].copy_from_slice(&[1, 2, 0, 4, 5]);
    assert_eq!(
        firsts(&mut dev),
        expect,
        "exactly the durable data survives"
    );
}
