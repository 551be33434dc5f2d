//! The conventions every command shares: exit codes, help, completions and man pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn scsitool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scsitool"))
        .args(args)
        .output()
        .expect("running scsitool")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    for args in [
        &["no-such-command"][..],
        &["--no-such-flag"],
        &["completions", "tcsh"],
    ] {
        let output = scsitool(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}: no message");
    }
}

#[test]
fn help_and_version_succeed_and_document_exit_codes() {
    let help = scsitool(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    assert!(text.contains("Exit status:"), "{text}");
    assert!(text.contains("5  device rejected the command"), "{text}");
    let version = scsitool(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).starts_with("scsitool "));
}

#[test]
fn completions_cover_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = scsitool(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        for word in ["completions", "schema", "man", "json", "verbose"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
}

#[test]
fn man_pages_render_for_every_command() {
    let page = scsitool(&["man"]);
    assert_eq!(page.status.code(), Some(0));
    let text = stdout(&page);
    assert!(text.contains(".TH scsitool"), "not roff: {text:.200}");
    assert!(
        text.contains("Exit status"),
        "man page lacks the exit codes"
    );

    let dir = std::env::temp_dir().join(format!("scsitool-man-{}", std::process::id()));
    let written = scsitool(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0), "{:?}", written);
    for page in ["scsitool.1", "scsitool-schema.1", "scsitool-completions.1"] {
        let text = std::fs::read_to_string(dir.join(page)).expect(page);
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_schema_is_a_usage_error_naming_the_known_ones() {
    let output = scsitool(&["schema", "frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("no schema for 'frobnicate'"), "{message}");
}
