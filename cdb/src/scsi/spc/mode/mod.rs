//! Mode parameters and the commands that read and change them: MODE SENSE (6)/(10)
//! (SPC-5 6.13, 6.14), MODE SELECT (6)/(10) (SPC-5 6.11, 6.12), the mode parameter list
//! (SPC-5 7.5.4 to 7.5.7), the Caching (SBC-4 6.5.5) and Control (SPC-5 7.5.10) pages, and
//! the safe WCE change built on them.
//!
//! The 6- and 10-byte forms share one implementation, parameterised by [`form::ModeForm`]
//! ([`form::Six`], [`form::Ten`]).

pub mod caching;
pub mod control;
pub mod form;
pub mod page;
pub mod parameters;
pub mod select;
pub mod sense;
pub mod wce;

pub use caching::CachingPage;
pub use control::ControlPage;
pub use form::{ModeForm, Six, Ten};
pub use page::{DecodedModePage, ModePage};
pub use parameters::{BlockDescriptor, ModeParameterHeader, ModeParameters};
pub use select::{ModeSelect, ModeSelect10, ModeSelect6, ModeSelectCdb};
pub use sense::{ModeSense, ModeSense10, ModeSense6, PageControl};
pub use wce::set_wce;
