//! What survives an interrupted download: the partial file beside the target and a small
//! record of the server's validator, so that the next download to the same target asks
//! only for the rest (`Range` + `If-Range`, RFC 9110 §14.2 and §13.1.5).
//!
//! Beside `dir/bulletin.zip` live `dir/.bulletin.zip.partial` (the bytes received, in
//! order) and `dir/.bulletin.zip.partial.meta` (text: a format line, the SHA-256 of the
//! URL, never the URL itself, whose query may hold a signature, and the validator).

use std::fmt;
use std::path::{Path, PathBuf};

use http::HeaderMap;
use http::header::{CONTENT_RANGE, ETAG, LAST_MODIFIED};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The first line of a meta file.
const FORMAT: &str = "http-transport partial download v1";

/// Why a download that had a partial file started again from the first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Restart {
    /// The server answered the ranged request with the whole body (`200`) and the same
    /// validator: it does not serve ranges.
    RangeIgnored,
    /// The server answered with the whole body (`200`) and another validator: the file
    /// changed since the partial download.
    ValidatorChanged,
    /// The server answered `416 Range Not Satisfiable` (the file is now shorter than the
    /// partial one): the partial file was dropped and the whole file asked for.
    RangeNotSatisfiable,
    /// The server answered `206` with a `Content-Range` that does not start where the
    /// partial file ends: the partial file was dropped and the whole file asked for.
    RangeMismatch,
}

impl fmt::Display for Restart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RangeIgnored => "the server ignored the range (200): restarted",
            Self::ValidatorChanged => {
                "the file changed on the server (new ETag or Last-Modified): restarted"
            }
            Self::RangeNotSatisfiable => {
                "the server refused the range (416): the partial file was dropped, restarted"
            }
            Self::RangeMismatch => {
                "the server sent another range than asked: the partial file was dropped, restarted"
            }
        })
    }
}

/// The validator a response carried: what `If-Range` sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Validator {
    /// A strong entity tag, quotes included.
    ETag(String),
    /// An HTTP-date.
    LastModified(String),
}

impl Validator {
    /// The response's strong `ETag`, or else its `Last-Modified`. A weak tag (`W/"..."`)
    /// cannot go in `If-Range` (RFC 9110 §13.1.5), so it does not count.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &http::HeaderValue| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && !v.contains(['\r', '\n']))
        };
        if let Some(tag) = text(ETAG).filter(|t| t.starts_with('"') && t.ends_with('"')) {
            return Some(Self::ETag(tag.to_owned()));
        }
        text(LAST_MODIFIED).map(|d| Self::LastModified(d.to_owned()))
    }

    /// The value for `If-Range`.
    pub(crate) fn value(&self) -> &str {
        match self {
            Self::ETag(v) | Self::LastModified(v) => v,
        }
    }
}

/// The partial file and meta file of a target.
#[derive(Debug, Clone)]
pub(crate) struct ResumePaths {
    pub(crate) partial: PathBuf,
    pub(crate) meta: PathBuf,
}

/// A partial download found beside the target, usable for a resume.
#[derive(Debug, Clone)]
pub(crate) struct Partial {
    pub(crate) len: u64,
    pub(crate) validator: Validator,
}

/// The directory and file name of a download target.
pub(crate) fn split_target(target: &Path) -> Result<(&Path, &std::ffi::OsStr), Error> {
    let name = target.file_name().ok_or_else(|| Error::InvalidRequest {
        reason: format!(
            "the download target {} has no file name; give a file path",
            target.display()
        ),
    })?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Ok((dir, name))
}

/// Refuses a target that exists and is not a regular file (a FIFO, a device, a
/// directory): only a regular file is ever replaced. Symbolic links are followed.
pub(crate) fn check_target(target: &Path) -> Result<(), Error> {
    match std::fs::metadata(target) {
        Ok(m) if !m.is_file() => Err(Error::InvalidRequest {
            reason: format!(
                "the download target {} exists and is not a regular file (a directory, FIFO or \
                 device is never replaced); give a file path, or stream with download_to_writer",
                target.display()
            ),
        }),
        _ => Ok(()),
    }
}

fn url_digest(uri: &http::Uri) -> String {
    hex(&Sha256::digest(uri.to_string().as_bytes()))
}

fn is_regular(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

impl ResumePaths {
    pub(crate) fn new(target: &Path) -> Result<Self, Error> {
        let (dir, name) = split_target(target)?;
        let mut partial = std::ffi::OsString::from(".");
        partial.push(name);
        partial.push(".partial");
        let mut meta = partial.clone();
        meta.push(".meta");
        Ok(Self {
            partial: dir.join(partial),
            meta: dir.join(meta),
        })
    }

    /// The partial download of `uri`, if a usable one is there (a regular, non-empty file
    /// and a meta file of this format for this URL).
    pub(crate) fn load(&self, uri: &http::Uri) -> Option<Partial> {
        if !is_regular(&self.partial) || !is_regular(&self.meta) {
            return None;
        }
        let meta = std::fs::read_to_string(&self.meta).ok()?;
        let mut lines = meta.lines();
        if lines.next()? != FORMAT {
            return None;
        }
        let (mut url, mut validator) = (None, None);
        for line in lines {
            match line.split_once(": ") {
                Some(("url-sha256", v)) => url = Some(v.to_owned()),
                Some(("etag", v)) => validator = Some(Validator::ETag(v.to_owned())),
                Some(("last-modified", v)) => {
                    validator = Some(Validator::LastModified(v.to_owned()));
                }
                _ => {}
            }
        }
        if url? != url_digest(uri) {
            return None;
        }
        let len = std::fs::metadata(&self.partial).ok()?.len();
        (len > 0).then_some(Partial {
            len,
            validator: validator?,
        })
    }

    /// Records the validator of a download that starts now.
    pub(crate) fn save(&self, uri: &http::Uri, validator: &Validator) -> Result<(), Error> {
        let (key, value) = match validator {
            Validator::ETag(v) => ("etag", v),
            Validator::LastModified(v) => ("last-modified", v),
        };
        let text = format!(
            "{FORMAT}\nurl-sha256: {}\n{key}: {value}\n",
            url_digest(uri)
        );
        std::fs::write(&self.meta, text).map_err(|source| Error::Io {
            context: "recording the download's validator",
            path: Some(self.meta.clone()),
            source,
        })
    }

    /// Removes the partial and meta files (only regular files; a missing one is fine).
    pub(crate) fn remove(&self) {
        for path in [&self.partial, &self.meta] {
            if is_regular(path) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// `Content-Range: bytes first-last/complete` (complete may be `*`): the first byte.
pub(crate) fn content_range_start(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?.trim();
    let range = value.strip_prefix("bytes ")?;
    let (span, _complete) = range.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    (first <= last).then_some(first)
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        let mut h = HeaderMap::new();
        for (value, start) in [
            ("bytes 100-199/200", Some(100)),
            ("bytes 0-0/*", Some(0)),
            ("bytes 5-4/10", None),
            ("bytes */200", None),
            ("items 0-1/2", None),
        ] {
            h.insert(CONTENT_RANGE, value.parse().unwrap());
            assert_eq!(content_range_start(&h), start, "{value}");
        }
    }

    #[test]
    fn validators() {
        let mut h = HeaderMap::new();
        assert_eq!(Validator::from_headers(&h), None);
        h.insert(
            LAST_MODIFIED,
            "Fri, 22 Nov 2024 18:00:00 GMT".parse().unwrap(),
        );
        h.insert(ETAG, "W/\"weak\"".parse().unwrap());
        assert_eq!(
            Validator::from_headers(&h),
            Some(Validator::LastModified(
                "Fri, 22 Nov 2024 18:00:00 GMT".into()
            ))
        );
        h.insert(ETAG, "\"strong\"".parse().unwrap());
        assert_eq!(
            Validator::from_headers(&h).map(|v| v.value().to_owned()),
            Some("\"strong\"".into())
        );
    }

    #[test]
    fn state_round_trip_and_url_binding() {
        let dir = tempfile::tempdir().unwrap();
        let paths = ResumePaths::new(&dir.path().join("b.zip")).unwrap();
        assert!(paths.partial.ends_with(".b.zip.partial"));
        let uri: http::Uri = "https://h.example/b/202447".parse().unwrap();
        let other: http::Uri = "https://h.example/b/202448".parse().unwrap();
        paths.save(&uri, &Validator::ETag("\"v1\"".into())).unwrap();
        assert!(paths.load(&uri).is_none(), "no partial bytes yet");
        std::fs::write(&paths.partial, b"12345").unwrap();
        let p = paths.load(&uri).unwrap();
        assert_eq!((p.len, p.validator), (5, Validator::ETag("\"v1\"".into())));
        assert!(paths.load(&other).is_none(), "another URL never resumes");
        assert!(
            !std::fs::read_to_string(&paths.meta)
                .unwrap()
                .contains("h.example")
        );
        paths.remove();
        assert!(!paths.partial.exists() && !paths.meta.exists());
    }
}
