//! Configurable size, ratio and count limits.

/// Limits applied before any data is decompressed. The defaults are this crate's choice
/// (WIPO publishes no package limits): generous for real Hague packages, small enough to
/// stop zip bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum sum of the declared uncompressed sizes. Default 4 GiB.
    pub max_total_size: u64,
    /// Maximum declared uncompressed/compressed ratio of one entry. Default 1000 (a
    /// 10,000:1 bomb is refused; real XML compresses well under 100:1).
    pub max_ratio: u64,
    /// Maximum number of entries. Default 10,000.
    pub max_entries: u64,
    /// Maximum size of the XML that is loaded in memory to be parsed. Default 256 MiB.
    pub max_xml_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_total_size: 4 << 30,
            max_ratio: 1000,
            max_entries: 10_000,
            max_xml_size: 256 << 20,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_total_size`].
    pub fn with_max_total_size(mut self, bytes: u64) -> Self {
        self.max_total_size = bytes;
        self
    }
    /// Sets [`Limits::max_ratio`].
    pub fn with_max_ratio(mut self, ratio: u64) -> Self {
        self.max_ratio = ratio;
        self
    }
    /// Sets [`Limits::max_entries`].
    pub fn with_max_entries(mut self, entries: u64) -> Self {
        self.max_entries = entries;
        self
    }
    /// Sets [`Limits::max_xml_size`].
    pub fn with_max_xml_size(mut self, bytes: u64) -> Self {
        self.max_xml_size = bytes;
        self
    }
}
