//! Strict enums for what we send, tolerant wrappers for what we receive.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An enum whose values travel as short codes (`"V"`, `"A4"`, `"FC"`, `"España"`).
pub trait WireCode: Sized + Copy + 'static {
    /// Every value, in the guide's order.
    const ALL: &'static [Self];
    /// The JSON property this enum is the value of, for error messages.
    const FIELD: &'static str;
    /// The allowed codes, for error messages.
    const EXPECTED: &'static str;
    /// The code sent on the wire.
    fn code(self) -> &'static str;
    /// The value for a code; exact, case-sensitive match.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// A value read from the service: a known code, or an unknown one kept as received.
///
/// The service evolves (the guide says so), so a reply with a value the crate does not know
/// still parses; the value is kept verbatim and re-serialises unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Received<T> {
    /// A value this crate knows.
    Known(T),
    /// A value this crate does not know, as received.
    Unknown(String),
}

impl<T: WireCode> Received<T> {
    /// Classifies a received code.
    pub fn from_code(code: &str) -> Self {
        T::from_code(code).map_or_else(|| Self::Unknown(code.to_owned()), Self::Known)
    }

    /// The known value, if any.
    pub fn known(&self) -> Option<T> {
        match self {
            Self::Known(v) => Some(*v),
            Self::Unknown(_) => None,
        }
    }

    /// The code as received.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(v) => v.code(),
            Self::Unknown(s) => s,
        }
    }
}

impl<T: WireCode> fmt::Display for Received<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<T: WireCode> Serialize for Received<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de, T: WireCode> Deserialize<'de> for Received<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Self::from_code(&code))
    }
}

impl<T> From<T> for Received<T> {
    fn from(value: T) -> Self {
        Self::Known(value)
    }
}

/// Declares a strict wire enum: exact codes in, exact codes out, an error naming the property
/// and the allowed codes otherwise.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal, expected = $expected:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::received::WireCode for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            const FIELD: &'static str = $field;
            const EXPECTED: &'static str = $expected;
            fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }
        }

        impl $name {
            /// The code sent on the wire.
            pub fn code(self) -> &'static str {
                <Self as $crate::received::WireCode>::code(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::ModelError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::received::WireCode>::from_code(s).ok_or_else(|| {
                    $crate::error::ModelError::UnknownValue {
                        field: $field,
                        value: s.to_owned(),
                        expected: $expected,
                    }
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                code.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use wire_enum;
