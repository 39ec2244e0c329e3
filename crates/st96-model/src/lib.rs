#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bulletin;
mod error;
mod ns;
mod office;
mod path;
mod status;
#[cfg(feature = "synth")]
pub mod synth;
mod transaction;
mod tree;
mod values;
mod vocabulary;
mod write;

pub use bulletin::deadline::{
    RefusalPeriod, add_months, date_from_epoch, days_from_epoch, iso_week_friday, refusal_deadline,
};
pub use bulletin::{
    AffectedDesign, BulletinReader, DEFAULT_MAX_RECORD_BYTES, DesignSummary, DesignatedParty,
    HistoryEntry, LocarnoClass, Party, ProductText, Record, RecordKind, ViewSummary,
};
pub use error::{BuildError, Error};
pub use ns::{COM, DGN, MAX_DEPTH, St96Version, XSI};
pub use office::{
    FileDetail, FileReference, OfficeDocument, TransactionKind, UnknownElement,
    read_office_document,
};
pub use path::check_relative_path;
pub use status::{ImportStatus, ProcessingStatus, ServiceRequestStatus};
pub use transaction::{
    Address, AffectedDesigns, Applicant, Application, ApplicationBuilder, Decision,
    DecisionBuilder, DecisionKind, Design, DocumentKind, LocalizedText, PartyName,
    SupportingDocument, View,
};
pub use values::Date;
