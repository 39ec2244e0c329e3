//! The public codes of a sending (`cod`): the envelope code and the recipient code.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::num::NonZeroU8;
use std::str::FromStr;

use crate::error::CodeError;

/// The 5-character public code of a sending (`CodEnvio`), e.g. `XJH29`.
///
/// The guide shows only upper-case letters and digits (`XJH29`, `95SX6`) and says the code has
/// 5 characters; it does not give the alphabet. The crate accepts any 5 ASCII letters or
/// digits (**inferred**) and keeps them as given.
#[doc(alias = "CodEnvio")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnvelopeCode([u8; 5]);

impl EnvelopeCode {
    /// Parses an envelope code.
    ///
    /// # Errors
    /// [`CodeError::Length`] unless 5 characters, [`CodeError::Envelope`] unless ASCII letters
    /// and digits.
    pub fn parse(code: &str) -> Result<Self, CodeError> {
        let bytes: [u8; 5] = code.as_bytes().try_into().map_err(|_| CodeError::Length {
            value: code.to_owned(),
        })?;
        if bytes.iter().all(u8::is_ascii_alphanumeric) {
            Ok(Self(bytes))
        } else {
            Err(CodeError::Envelope {
                value: code.to_owned(),
            })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The code of one recipient of this (multi-signature) sending.
    pub fn recipient(self, recipient: RecipientId) -> RecipientCode {
        RecipientCode {
            envelope: self,
            recipient,
        }
    }
}

/// The id of a recipient in a multi-signature sending (`IdDestinatario`), 1 to 255.
///
/// Recipients are numbered from 1 in the order of `Receptores`; 0 is what the service uses
/// when there is no recipient (non-multi-signature sendings, seals), so it names no recipient.
#[doc(alias = "IdDestinatario")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecipientId(NonZeroU8);

impl RecipientId {
    /// A recipient id.
    ///
    /// # Errors
    /// [`CodeError::RecipientZero`] for 0.
    pub fn new(id: u8) -> Result<Self, CodeError> {
        NonZeroU8::new(id).map(Self).ok_or(CodeError::RecipientZero)
    }

    /// The id as a number.
    pub fn get(self) -> u8 {
        self.0.get()
    }
}

/// The code that addresses one recipient of a multi-signature sending: the envelope code plus
/// the recipient id in two upper-case hex digits. Recipient 12 of `XJH29` is `XJH290C`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecipientCode {
    envelope: EnvelopeCode,
    recipient: RecipientId,
}

impl RecipientCode {
    /// Builds the code of `recipient` in the sending `envelope`.
    pub fn new(envelope: EnvelopeCode, recipient: RecipientId) -> Self {
        Self {
            envelope,
            recipient,
        }
    }

    /// Parses a 7-character recipient code.
    ///
    /// # Errors
    /// [`CodeError`] when the code is not 7 characters, the envelope part is not 5 ASCII letters
    /// or digits, the recipient part is not two upper-case hex digits, or it is `00`.
    pub fn parse(code: &str) -> Result<Self, CodeError> {
        if code.len() != 7 || !code.is_ascii() {
            return Err(CodeError::Length {
                value: code.to_owned(),
            });
        }
        let (envelope, hex) = code.split_at(5);
        let envelope = EnvelopeCode::parse(envelope).map_err(|_| CodeError::Envelope {
            value: code.to_owned(),
        })?;
        let upper_hex = |b: &u8| b.is_ascii_digit() || (b'A'..=b'F').contains(b);
        if !hex.as_bytes().iter().all(upper_hex) {
            return Err(CodeError::RecipientHex {
                value: code.to_owned(),
            });
        }
        let id = u8::from_str_radix(hex, 16).map_err(|_| CodeError::RecipientHex {
            value: code.to_owned(),
        })?;
        Ok(Self {
            envelope,
            recipient: RecipientId::new(id)?,
        })
    }

    /// The sending's envelope code.
    pub fn envelope(self) -> EnvelopeCode {
        self.envelope
    }

    /// The recipient id.
    pub fn recipient(self) -> RecipientId {
        self.recipient
    }
}

/// The `cod` of a call: a whole sending, or one recipient of a multi-signature sending.
///
/// This is what the recipient-scoped calls (`/Sending/cod`, `/Document/cod`,
/// `/Attachment/cod`, `/AddresseeResponse/cod`, `/Trace/Cod`) take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SendingCode {
    /// The whole sending (5 characters).
    Envelope(EnvelopeCode),
    /// One recipient (7 characters).
    Recipient(RecipientCode),
}

impl SendingCode {
    /// Parses a 5-character envelope code or a 7-character recipient code.
    ///
    /// # Errors
    /// [`CodeError`] when it is neither.
    pub fn parse(code: &str) -> Result<Self, CodeError> {
        match code.len() {
            5 => EnvelopeCode::parse(code).map(Self::Envelope),
            7 => RecipientCode::parse(code).map(Self::Recipient),
            _ => Err(CodeError::Length {
                value: code.to_owned(),
            }),
        }
    }

    /// The sending's envelope code.
    pub fn envelope(self) -> EnvelopeCode {
        match self {
            Self::Envelope(e) => e,
            Self::Recipient(r) => r.envelope,
        }
    }
}

impl fmt::Display for EnvelopeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RecipientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

impl fmt::Display for RecipientCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:02X}", self.envelope, self.recipient.get())
    }
}

impl fmt::Display for SendingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Envelope(e) => e.fmt(f),
            Self::Recipient(r) => r.fmt(f),
        }
    }
}

impl From<EnvelopeCode> for SendingCode {
    fn from(value: EnvelopeCode) -> Self {
        Self::Envelope(value)
    }
}

impl From<RecipientCode> for SendingCode {
    fn from(value: RecipientCode) -> Self {
        Self::Recipient(value)
    }
}

macro_rules! text_impls {
    ($($t:ty),+) => {$(
        impl FromStr for $t {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    )+};
}

text_impls!(EnvelopeCode, RecipientCode, SendingCode);
