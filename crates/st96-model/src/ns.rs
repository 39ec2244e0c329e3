//! ST.96 namespaces and versions.

use serde::{Deserialize, Serialize};

/// The ST.96 Common namespace, prefix `com` (confirmed).
pub const COM: &str = "http://www.wipo.int/standards/XMLSchema/ST96/Common";
/// The ST.96 Design namespace, prefix `dgn`, which holds every Hague type (confirmed).
pub const DGN: &str = "http://www.wipo.int/standards/XMLSchema/ST96/Design";
/// The XML Schema instance namespace, prefix `xsi`.
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The deepest element nesting any reader in this crate accepts.
///
/// The deepest path in a real Hague Express record is about 20 levels; anything past this
/// limit is refused with [`Error::TooDeep`](crate::Error::TooDeep).
pub const MAX_DEPTH: usize = 64;

/// The ST.96 version written in `com:st96Version`.
///
/// The Hague System accepts 7.0, 4.0 and 3.2T1 in office-to-IB payloads; the HWS guide names
/// 4.0, which is the default here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum St96Version {
    /// `V3_2T1`.
    V3_2T1,
    /// `V4_0`, the version the HWS guide names.
    #[default]
    V4_0,
    /// `V7_0`, the version in force since 2023.
    V7_0,
    /// Any other value, kept as written.
    Other(String),
}

impl St96Version {
    /// Reads the attribute value (`V4_0`, ...); unknown values are kept in `Other`.
    pub fn parse(value: &str) -> Self {
        match value.trim() {
            "V3_2T1" | "V3_2_T1" => Self::V3_2T1,
            "V4_0" => Self::V4_0,
            "V7_0" => Self::V7_0,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The attribute value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::V3_2T1 => "V3_2T1",
            Self::V4_0 => "V4_0",
            Self::V7_0 => "V7_0",
            Self::Other(s) => s,
        }
    }

    /// The `xsi:schemaLocation` value for the office-to-IB wrapper.
    ///
    /// The 7.0 location is confirmed; the others follow the same pattern (inferred).
    pub fn schema_location(&self) -> String {
        format!(
            "{DGN} https://www.wipo.int/standards/XMLSchema/ST96/{v}/Design/Flatten/HagueOfficeToIBTransaction_{v}.xsd",
            v = self.as_str()
        )
    }
}

impl std::fmt::Display for St96Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
