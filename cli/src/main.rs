//! The `scsitool` command-line tool.

fn main() {}
