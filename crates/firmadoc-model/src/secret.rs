//! Values that must not leak into logs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A secret text (a password). `Debug` prints `[redacted]`; read it with [`Secret::expose`].
///
/// Serialising it writes the real value: that is needed to send it, so do not serialise a body
/// that holds a secret into a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value.
    ///
    /// # Security
    /// Do not log or display what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}
