#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod attachment;
mod base64_text;
mod codes;
mod contact;
mod date;
mod detail;
mod device;
mod enums;
mod error;
mod received;
mod response;
mod secret;
mod sending;
mod template;
mod text;
mod warning;
mod webhook;

pub use admin::{Budget, CreatedUser, NewUser, USER_FIELD_MAX, UsageSummary};
pub use attachment::AttachmentUpload;
pub use base64_text::Base64Text;
pub use codes::{EnvelopeCode, RecipientCode, RecipientId, SendingCode};
pub use contact::{is_plausible_email, is_plausible_phone};
pub use date::{ParsedDate, ReceivedDate};
pub use detail::{AttachmentDocument, RecipientStatus, SendingDetail};
pub use device::DeviceInfo;
pub use enums::{
    Country, OperationCode, Orientation, PageFormat, PlacementKind, RecipientState, SendingKind,
    SendingState, SignatureKind, WebhookEvent,
};
pub use error::{Base64Error, CodeError, ModelError};
pub use received::{Received, WireCode};
pub use response::{Certificate, RecipientAction, RecipientResponse, SignatureImage};
pub use secret::Secret;
pub use sending::{
    ExpiryDays, RECIPIENTS_MAX, SENDER_MAX, SUBJECT_MAX, Sending, SendingBuilder, SendingReceipt,
    SendingReply, TemplateRef,
};
pub use template::{
    Centimetres, PLACEMENT_TEXT_MAX, Page, PlacementParts, Position, SignaturePlacement,
    TEMPLATE_NAME_MAX, Template, TemplateBuilder,
};
pub use text::{LengthPolicy, service_len, truncate_to};
pub use warning::ModelWarning;
pub use webhook::{EventSet, Notification, UntypedBody, WebhookDelivery, WebhookSubscription};
