//! Replies read tolerantly: after a 2xx the service has acted, so a body the
//! guide leaves vague and the model cannot type is handed back raw, never
//! turned into an error.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The reply to a call the service accepted (2xx): typed when the body has a
/// shape the model reads, raw otherwise.
///
/// The guide leaves several reply shapes vague (the Summary and Budget
/// bodies, the sending reply, the detail). A body the model cannot type is
/// **not** an error: the service has already acted (a sending may exist, a
/// trace entry is written), so reporting failure would invite a retry that
/// repeats the action. The raw body is returned with the reason it did not
/// type; [`Reply::into_typed`] turns it into [`Error::Reply`] for a caller
/// that prefers to stop there.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Reply<T> {
    /// The body, typed.
    Typed(T),
    /// The body as received, and why it could not be typed.
    Raw {
        /// What did not parse.
        reason: String,
        /// The body as received.
        body: Bytes,
    },
}

impl<T> Reply<T> {
    /// The typed value, if the body typed.
    #[must_use]
    pub fn typed(&self) -> Option<&T> {
        match self {
            Self::Typed(t) => Some(t),
            Self::Raw { .. } => None,
        }
    }

    /// The raw body, if the body did not type.
    #[must_use]
    pub fn raw(&self) -> Option<&Bytes> {
        match self {
            Self::Typed(_) => None,
            Self::Raw { body, .. } => Some(body),
        }
    }

    /// The raw body as text (lossy UTF-8), if the body did not type.
    #[must_use]
    pub fn raw_text(&self) -> Option<String> {
        self.raw().map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// The typed value, or [`Error::Reply`] (with the raw body) for a caller
    /// that wants to stop on a shape it cannot read. Remember the service has
    /// acted: do not retry a call that creates something on this error.
    ///
    /// # Errors
    /// [`Error::Reply`] when the body did not type.
    pub fn into_typed(self, operation: &'static str) -> Result<T, Error> {
        match self {
            Self::Typed(t) => Ok(t),
            Self::Raw { reason, body } => Err(Error::Reply {
                operation,
                reason,
                raw: body,
            }),
        }
    }
}

/// Reads a JSON reply as `T`, or keeps it raw.
pub(crate) fn json_reply<T: DeserializeOwned>(operation: &'static str, body: Bytes) -> Reply<T> {
    match serde_json::from_slice(&body) {
        Ok(t) => Reply::Typed(t),
        Err(e) => {
            tracing::warn!(operation, error = %e, "the reply does not type; it is returned raw");
            Reply::Raw {
                reason: e.to_string(),
                body,
            }
        }
    }
}

/// A document or trace download (`/send/Document/{cod}`, `/send/Trace/{cod}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The document: decoded from base64 when [`Download::base64`] is true,
    /// otherwise the body exactly as received.
    pub bytes: Vec<u8>,
    /// Whether the body was base64 (a JSON string or bare text), as the guide
    /// says. `false` means the body was something else (raw PDF bytes, an
    /// HTML page, an empty body) and [`Download::bytes`] holds it unchanged.
    pub base64: bool,
}

/// What a `*_to_file` download wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The byte count written.
    pub bytes: u64,
    /// Whether the body was base64 as the guide says; `false` means the raw
    /// body was written unchanged (see [`Download::base64`]).
    pub base64: bool,
}
