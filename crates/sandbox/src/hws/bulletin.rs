//! Bulletins and confidential copies: `GET /publication/bulletin/{weekId}` and
//! `GET /publication/copy/confidential/{weekId}`.
//!
//! From the guide: the answer is a ZIP holding the ST.96 file and image folders; bulletins
//! come out weekly, "normalmente el viernes por la noche (hora central europea)"; `weekId`
//! is `aaaass`. Everything else here is **inferred** (see the crate README, "Bulletins"):
//!
//! * the content is `st96-model`'s synthetic bulletin for the week (bulletin number `ww/yyyy`
//!   and publication date the Friday of ISO week `ww`, from `st96_model::iso_week_friday`,
//!   the same ISO-week arithmetic the client's `WeekId` agrees with, see the tests), packed
//!   with one folder per international registration (`DM081234/`) holding a small real
//!   JPEG or PNG for every view file name the XML gives;
//! * a week is published on its Friday at 18:00 CET (17:00 UTC) on the sandbox clock;
//!   weeks after the latest published one, before [`crate::SandboxConfig::hws_first_bulletin`]
//!   and weeks that do not exist (`202153`, `202400`) answer 404; a `weekId` that is not six
//!   digits answers 400;
//! * the ZIP is served with a strong `ETag` (its SHA-256) and `Accept-Ranges: bytes`, and
//!   honours a single `Range` (`bytes=N-`, `bytes=N-M`, `bytes=-S`) with `If-Range`
//!   (RFC 9110 §14): a matching or absent `If-Range` gives `206`, another validator gives
//!   the whole file (`200`), a range past the end `416`.

use std::io::Cursor;

use http::StatusCode;
use http::header::{ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_RANGE, ETAG, HeaderValue};
use serde_json::json;

use super::{Hws, wipo_error};
use crate::server::{Req, Resp, respond};

/// A small real JPEG (16×16, ImageMagick), the bytes of every `.jpg` view.
const JPEG: &[u8] = include_bytes!("../../assets/view.jpg");
/// A small real PNG (16×16, ImageMagick), the bytes of every `.png` view.
const PNG: &[u8] = include_bytes!("../../assets/view.png");
/// Publication time on the Friday, seconds after midnight UTC: 18:00 CET (**inferred**).
const PUBLISHED_AT: i64 = 17 * 3600;

/// A week the sandbox knows: `(year, week)`.
pub(crate) type Week = (u16, u8);

/// The Unix time at which `week` is published, or `None` for a week that does not exist.
pub(crate) fn publication_time((year, week): Week) -> Option<i64> {
    let friday = st96_model::iso_week_friday(year, week)?;
    Some(st96_model::days_from_epoch(friday) * 86_400 + PUBLISHED_AT)
}

/// Six ASCII digits, split.
fn parse_week(text: &str) -> Option<Week> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((text[..4].parse().ok()?, text[4..].parse().ok()?))
}

/// Why a week has no publication, for the 404 message.
fn unpublished(week: Week, first: Week, now: i64) -> Option<String> {
    let (y, w) = week;
    let Some(at) = publication_time(week) else {
        return Some(format!(
            "week {w:02} does not exist in {y} (ISO 8601: {y} has {} weeks)",
            if publication_time((y, 53)).is_some() {
                53
            } else {
                52
            }
        ));
    };
    if week < first {
        return Some(format!(
            "the first bulletin is {:04}{:02}: week {y:04}{w:02} is older",
            first.0, first.1
        ));
    }
    (at > now).then(|| {
        format!(
            "the bulletin of week {y:04}{w:02} is not published yet (Friday {} 18:00 CET)",
            crate::civil::iso_date(u64::try_from(at).unwrap_or(0))
        )
    })
}

impl Hws {
    pub(super) fn bulletin(&self, req: &Req, week_text: &str, confidential: bool) -> Resp {
        let Some(week) = parse_week(week_text) else {
            return wipo_error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT_DATA",
                "the week id must be yyyyww (a 4-digit year and a 2-digit week, 01 to 53)",
                vec![json!({"code": "weekId", "message": format!("`{week_text}` is not yyyyww")})],
            );
        };
        let now = i64::try_from(self.clock.unix()).unwrap_or(i64::MAX);
        if let Some(why) = unpublished(week, self.config.first_bulletin, now) {
            return wipo_error(StatusCode::NOT_FOUND, "NOT_FOUND", &why, vec![]);
        }
        let seed = u64::from(week.0) * 200 + u64::from(week.1) * 2 + u64::from(confidential);
        match bulletin_zip(week, confidential, self.config.bulletin_records, seed) {
            Ok(zip) => {
                let name = format!(
                    "{}{week_text}_ST96.zip",
                    if confidential { "CC" } else { "HE" }
                );
                ranged(req, zip, &name)
            }
            Err(e) => wipo_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                &e,
                vec![],
            ),
        }
    }
}

/// The answer for `body` under the request's `Range` and `If-Range`.
fn ranged(req: &Req, body: Vec<u8>, file_name: &str) -> Resp {
    let len = body.len() as u64;
    let digest = ring::digest::digest(&ring::digest::SHA256, &body);
    let etag: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let etag = format!("\"{etag}\"");
    let range = req
        .header("range")
        .filter(|_| req.header("if-range").is_none_or(|v| v.trim() == etag));
    let mut r = match range.map(|r| byte_range(r, len)) {
        Some(Ok(Some((first, last)))) => {
            let mut r = respond(
                StatusCode::PARTIAL_CONTENT,
                "application/zip",
                body[first as usize..=last as usize].to_vec(),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            r
        }
        Some(Err(())) => {
            let mut r = respond(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "text/plain; charset=utf-8",
                format!("the range starts past the end of the {len}-byte file"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            return r;
        }
        // No range, an If-Range that does not match, or a range form not served (several
        // ranges, another unit): the whole file, as RFC 9110 allows.
        _ => respond(StatusCode::OK, "application/zip", body),
    };
    let h = r.headers_mut();
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    r
}

/// One `bytes=` range of a `len`-byte body: `Ok(Some((first, last)))`, `Ok(None)` for a
/// form not served (the whole body goes), `Err(())` when unsatisfiable (416).
fn byte_range(header: &str, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.is_empty(), b.is_empty()) {
        (true, false) => b.parse::<u64>().ok().map(|suffix| {
            if suffix == 0 || len == 0 {
                None
            } else {
                Some((len.saturating_sub(suffix), len - 1))
            }
        }),
        (false, _) => {
            let first = a.parse::<u64>().ok();
            let last = if b.is_empty() {
                Some(len.saturating_sub(1))
            } else {
                b.parse::<u64>().ok().map(|l| l.min(len.saturating_sub(1)))
            };
            match (first, last) {
                (Some(f), Some(l)) if f < len && f <= l => Some(Some((f, l))),
                (Some(f), Some(_)) if f >= len => Some(None),
                _ => return Ok(None),
            }
        }
        (true, true) => return Ok(None),
    };
    match parsed {
        Some(Some(r)) => Ok(Some(r)),
        Some(None) => Err(()),
        None => Ok(None),
    }
}

/// The bulletin (or confidential copy) of `week`, `records` records, zipped with one folder
/// per registration holding an image for every view the XML names.
fn bulletin_zip(
    (year, week): Week,
    confidential: bool,
    records: u64,
    seed: u64,
) -> Result<Vec<u8>, String> {
    let mut xml = Vec::new();
    let options = st96_model::synth::SynthOptions::new(records, seed).for_week(year, week);
    st96_model::synth::write_bulletin_with(&mut xml, &options)
        .map_err(|e| format!("generating the bulletin failed: {e}"))?;
    let mut images: Vec<String> = Vec::new();
    for record in st96_model::BulletinReader::new(xml.as_slice()) {
        let record = record.map_err(|e| format!("reading the generated bulletin failed: {e}"))?;
        let Some(irn) = record.registration_number() else {
            continue;
        };
        let folder: String = irn.chars().filter(char::is_ascii_alphanumeric).collect();
        for name in record.image_file_names() {
            let path = format!("{folder}/{name}");
            if !name.contains(['/', '\\']) && !images.contains(&path) {
                images.push(path);
            }
        }
    }
    let prefix = if confidential { "CC" } else { "HE" };
    let name = format!("{prefix}{year:04}{week:02}_ST96.xml");
    let mut builder =
        hague_package::PackageBuilder::new(name, hague_package::FileSource::Bytes(xml))
            .map_err(|e| format!("packing the bulletin failed: {e}"))?;
    for path in images {
        let bytes = if path.to_ascii_lowercase().ends_with(".png") {
            PNG
        } else {
            JPEG
        };
        builder = builder
            .file(path, hague_package::FileSource::Bytes(bytes.to_vec()))
            .map_err(|e| format!("packing the bulletin's images failed: {e}"))?;
    }
    let (zip, _) = builder
        .write_to(Cursor::new(Vec::new()))
        .map_err(|e| format!("packing the bulletin failed: {e}"))?;
    Ok(zip.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sandbox's week rule and the client's `WeekId` agree on every week of every
    /// year they accept: a week exists for one exactly when it does for the other.
    #[test]
    fn week_rules_agree_with_the_client() {
        for year in 1000..=9999u16 {
            for week in 0..=54u8 {
                let client = hague_client::WeekId::new(u32::from(year), u32::from(week)).is_ok();
                let sandbox = publication_time((year, week)).is_some();
                assert_eq!(client, sandbox, "{year}-W{week:02}");
            }
        }
    }

    #[test]
    fn publication_is_friday_evening_cet() {
        // Issue 46/2019 was published on Friday 15.11.2019 (st96.md §4); `date -u -d
        // '2019-11-15 17:00' +%s` = 1573837200.
        assert_eq!(publication_time((2019, 46)), Some(1_573_837_200));
        // 2020-W53 exists (Friday 1 January 2021); 2021-W53 does not.
        assert_eq!(publication_time((2020, 53)), Some(1_609_520_400));
        assert_eq!(publication_time((2021, 53)), None);
        assert_eq!(publication_time((2024, 0)), None);
        let first = (2014, 1);
        let at = 1_573_837_200;
        assert!(unpublished((2019, 46), first, at - 1).is_some());
        assert!(unpublished((2019, 46), first, at).is_none());
        assert!(unpublished((2019, 47), first, at).is_some());
        assert!(unpublished((2013, 52), first, at).is_some());
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(byte_range("bytes=0-", 10), Ok(Some((0, 9))));
        assert_eq!(byte_range("bytes=4-6", 10), Ok(Some((4, 6))));
        assert_eq!(byte_range("bytes=4-60", 10), Ok(Some((4, 9))));
        assert_eq!(byte_range("bytes=-3", 10), Ok(Some((7, 9))));
        assert_eq!(byte_range("bytes=10-", 10), Err(()));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), Ok(None));
        assert_eq!(byte_range("items=0-1", 10), Ok(None));
        assert_eq!(byte_range("bytes=6-4", 10), Ok(None));
    }
}
