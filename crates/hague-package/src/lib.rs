#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod archive;
mod build;
mod bulletin;
mod extract;
#[cfg(feature = "hostile-corpus")]
pub mod hostile;
mod limits;
mod magic;
mod names;
mod problem;
mod st96;
mod validate;
mod xml;

pub use archive::{Entry, EntryKind, EntryReader};
pub use build::{BuildError, BuiltEntry, FileSource, PackageBuilder};
pub use bulletin::{Bulletin, BulletinError};
pub use extract::{ExtractError, Extracted, extract};
pub use limits::Limits;
pub use names::check_entry_name;
pub use problem::{Finding, Problem, Report, Severity};
pub use st96::St96Inspector;
pub use validate::{EntryInfo, Validation, ValidationOptions, validate_archive, validate_package};
pub use xml::{XmlFileReference, XmlInspector, XmlSummary, XmlTransaction};
