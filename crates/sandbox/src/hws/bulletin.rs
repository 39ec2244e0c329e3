//! Bulletins and confidential copies: `GET /publication/bulletin/{weekId}` and
//! `GET /publication/copy/confidential/{weekId}`.
//!
//! **Inferred:** the guide says only that the answer is a ZIP holding the ST.96 file and
//! image folders; the content is `st96-model`'s synthetic bulletin packed by `hague-package`.

use std::io::Cursor;

use http::StatusCode;
use serde_json::json;

use super::{Hws, wipo_error};
use crate::server::{Resp, respond};

impl Hws {
    pub(super) fn bulletin(&self, week: &str, confidential: bool) -> Resp {
        let valid = week.len() == 6
            && week.bytes().all(|b| b.is_ascii_digit())
            && week[4..]
                .parse::<u32>()
                .is_ok_and(|w| (1..=53).contains(&w));
        if !valid {
            return wipo_error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT_DATA",
                "the week id must be yyyyww (a 4-digit year and a 2-digit week, 01 to 53)",
                vec![json!({"code": "weekId", "message": format!("`{week}` is not yyyyww")})],
            );
        }
        let seed: u64 = week.parse::<u64>().unwrap_or_default() * 2 + u64::from(confidential);
        match bulletin_zip(week, confidential, self.config.bulletin_records, seed) {
            Ok(zip) => {
                let name = if confidential {
                    format!("CC{week}_ST96.zip")
                } else {
                    format!("HE{week}_ST96.zip")
                };
                let mut r = respond(StatusCode::OK, "application/zip", zip);
                if let Ok(v) =
                    http::HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                {
                    r.headers_mut().insert(http::header::CONTENT_DISPOSITION, v);
                }
                r
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

/// A synthetic bulletin (or confidential copy) of `records` records, zipped.
fn bulletin_zip(
    week: &str,
    confidential: bool,
    records: u64,
    seed: u64,
) -> Result<Vec<u8>, String> {
    let mut xml = Vec::new();
    st96_model::synth::write_bulletin(&mut xml, records, seed)
        .map_err(|e| format!("generating the bulletin failed: {e}"))?;
    let name = if confidential {
        format!("CC{week}_ST96.xml")
    } else {
        format!("HE{week}_ST96.xml")
    };
    let (zip, _) = hague_package::PackageBuilder::new(name, hague_package::FileSource::Bytes(xml))
        .and_then(|b| b.write_to(Cursor::new(Vec::new())))
        .map_err(|e| format!("packing the bulletin failed: {e}"))?;
    Ok(zip.into_inner())
}
