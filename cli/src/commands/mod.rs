//! One module per command family; each turns parsed arguments into output.

pub mod cdb;
pub mod generate;
pub mod schema;
pub mod sense;
