//! Date strings of replies: kept as received, with a best-effort parse beside them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// A date the service sent (`FechaEnvio`, `FechaFirma`, `Fecha`, webhook `date`).
///
/// The guide types these as "String" and never shows one, so their format is unknown. The
/// text is kept exactly as received (and re-serialised unchanged); [`ReceivedDate::parsed`]
/// holds a best-effort reading, `None` when no known format matches. Formats tried
/// (**inferred** from what a .NET service usually writes):
/// RFC 3339 with an offset (`2023-03-15T10:20:30+01:00`), ISO 8601 without an offset and with
/// up to 7 fraction digits (`2023-03-15T10:20:30.1234567`, Newtonsoft's default), and the
/// Spanish `dd/MM/yyyy HH:mm:ss` and `dd/MM/yyyy`, and the older ASP.NET
/// `/Date(<milliseconds since 1970>)/` (an offset suffix such as `+0100` is ignored: the
/// milliseconds are UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedDate {
    raw: String,
    parsed: Option<ParsedDate>,
}

/// A date read from a [`ReceivedDate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParsedDate {
    /// A date with a UTC offset.
    Offset(OffsetDateTime),
    /// A date and time without offset (the service's local time, presumably Spain's).
    Local(PrimitiveDateTime),
}

impl ReceivedDate {
    /// Keeps `raw` and tries to parse it.
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = parse(raw.trim());
        Self { raw, parsed }
    }

    /// The text as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The date, when the text is in a known format.
    pub fn parsed(&self) -> Option<ParsedDate> {
        self.parsed
    }
}

fn parse(text: &str) -> Option<ParsedDate> {
    if let Ok(d) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(ParsedDate::Offset(d));
    }
    if let Some(d) = parse_ms_ajax(text) {
        return Some(ParsedDate::Offset(d));
    }
    let iso = format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    let spanish = format_description!(
        version = 2,
        "[day]/[month]/[year] [hour padding:none]:[minute]:[second]"
    );
    let spanish_date = format_description!(version = 2, "[day]/[month]/[year]");
    PrimitiveDateTime::parse(text, iso)
        .or_else(|_| PrimitiveDateTime::parse(text, spanish))
        .ok()
        .or_else(|| {
            time::Date::parse(text, spanish_date)
                .ok()
                .map(|d| d.midnight())
        })
        .map(ParsedDate::Local)
}

/// `/Date(1588868100000)/` or `/Date(1588868100000+0100)/`.
fn parse_ms_ajax(text: &str) -> Option<OffsetDateTime> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(inner.len(), |(i, _)| i);
    let (millis, offset) = inner.split_at(digits_end);
    let offset_ok = offset.is_empty()
        || (offset.len() == 5
            && offset.starts_with(['+', '-'])
            && offset[1..].bytes().all(|b| b.is_ascii_digit()));
    if !offset_ok {
        return None;
    }
    let millis: i128 = millis.parse().ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(millis.checked_mul(1_000_000)?).ok()
}

impl Serialize for ReceivedDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ReceivedDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}
