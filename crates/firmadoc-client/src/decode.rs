//! Decoding replies, and writing documents atomically.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use crate::error::Error;
use crate::reply::Download;

/// The guide says the document and trace calls return "the document as a
/// base64 string" with content type `string`. **Inferred:** the body is either
/// a JSON string (`"JVBERi0..."`, what ASP.NET Web API writes for a `string`)
/// or the bare base64 text; both are decoded, surrounding white space and line
/// breaks are ignored. Anything else (raw PDF bytes, an HTML page, an empty
/// body) is never an error after the 2xx: the body is returned unchanged with
/// [`Download::base64`] `false`, and a warning is logged.
pub(crate) fn decode_base64_reply(operation: &'static str, body: Bytes) -> Download {
    let decoded = std::str::from_utf8(&body).ok().and_then(|utf8| {
        // firmadoc-model reads the JSON-string-or-bare-text form.
        let text = firmadoc_model::Base64Text::from_text_reply(utf8);
        let compact: String = text
            .as_str()
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if compact.is_empty() {
            return None;
        }
        STANDARD.decode(compact.as_bytes()).ok()
    });
    match decoded {
        Some(bytes) => Download {
            bytes,
            base64: true,
        },
        None => {
            tracing::warn!(
                operation,
                len = body.len(),
                "the reply is not base64; the raw body is returned unchanged"
            );
            Download {
                bytes: body.to_vec(),
                base64: false,
            }
        }
    }
}

/// Checks `document` against `CodHash`, "Código hash MD5 generado a partir
/// del contenido del archivo pdf y que sirve en todo momento para verificar la
/// integridad del documento". The guide does not say how the hash is
/// written: hex (either case) and base64 are both accepted (**inferred**);
/// surrounding white space is ignored.
///
/// # Errors
/// A description of the mismatch, or of a hash that is missing or in no
/// known encoding.
pub(crate) fn check_md5(document: &[u8], cod_hash: Option<&str>) -> Result<(), String> {
    use md5::Digest as _;
    let digest = md5::Md5::digest(document);
    let actual = hex::encode(digest);
    let Some(expected) = cod_hash.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err(format!(
            "the sending detail has no CodHash to check against (the document's MD5 is {actual})"
        ));
    };
    let expected_bytes = hex::decode(expected)
        .ok()
        .filter(|b| b.len() == 16)
        .or_else(|| STANDARD.decode(expected).ok().filter(|b| b.len() == 16));
    match expected_bytes {
        Some(bytes) if bytes.as_slice() == digest.as_slice() => Ok(()),
        Some(_) => Err(format!("its MD5 is {actual}, and CodHash says {expected}")),
        None => Err(format!(
            "CodHash `{expected}` is not an MD5 in hex or base64 (the document's MD5 is {actual})"
        )),
    }
}

/// The text of a 418 reply: a JSON string is unquoted, anything else is taken
/// as text (lossy UTF-8), trimmed.
pub(crate) fn service_message(body: &[u8]) -> String {
    if let Ok(s) = serde_json::from_slice::<String>(body) {
        return s;
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(serde_json::Value::String(m)) =
            map.get("Message").or_else(|| map.get("message"))
    {
        return m.clone();
    }
    String::from_utf8_lossy(body).trim().to_owned()
}

/// Writes `bytes` to a temporary file next to `target`, syncs it, and renames
/// it over `target`: a reader never sees a partial file.
pub(crate) async fn write_atomically(target: &Path, bytes: &[u8]) -> Result<u64, Error> {
    let io = |source| Error::Io {
        path: target.to_path_buf(),
        source,
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let bytes = bytes.to_vec();
    let target = target.to_path_buf();
    let len = bytes.len() as u64;
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write as _;
        let mut tmp = tempfile::Builder::new()
            .prefix(".firmadoc-")
            .suffix(".part")
            .tempfile_in(&dir)?;
        tmp.write_all(&bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&target).map_err(|e| e.error)?;
        Ok(())
    })
    .await
    .map_err(|e| io(std::io::Error::other(e.to_string())))?
    .map_err(io)?;
    Ok(len)
}
