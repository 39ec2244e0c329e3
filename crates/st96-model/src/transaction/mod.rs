//! Typed office-to-IB transactions and their builders.

mod application;
mod common;
mod decision;

pub use application::{
    Address, Applicant, Application, ApplicationBuilder, Design, LocalizedText, PartyName, View,
};
pub use common::{AffectedDesigns, DocumentKind, SupportingDocument};
pub use decision::{Decision, DecisionBuilder, DecisionKind};

pub(crate) use common::read_wrapper;
