//! File-type checks by magic bytes (JPEG, PNG, GIF, TIFF, PDF).

/// How many leading bytes [`detect`] needs.
pub(crate) const MAGIC_LEN: usize = 8;

/// The format a file name's extension promises, if it is one we check.
pub(crate) fn expected_for(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jpe" => "JPEG",
        "png" => "PNG",
        "gif" => "GIF",
        "tif" | "tiff" => "TIFF",
        "pdf" => "PDF",
        _ => return None,
    })
}

/// Whether an extension names an already-compressed format, stored rather than deflated.
pub(crate) fn is_precompressed(name: &str) -> bool {
    matches!(expected_for(name), Some("JPEG" | "PNG" | "GIF" | "PDF"))
}

/// Recognises the format from the first bytes of the content.
///
/// JPEG `FF D8 FF`; PNG `89 50 4E 47 0D 0A 1A 0A`; GIF `GIF87a`/`GIF89a`; TIFF `II*\0` or
/// `MM\0*`; PDF `%PDF-` at offset 0 (the PDF specification tolerates leading junk; this
/// check is deliberately strict).
pub(crate) fn detect(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("JPEG")
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("PNG")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("GIF")
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        Some("TIFF")
    } else if head.starts_with(b"%PDF-") {
        Some("PDF")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("JPEG"));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n"), Some("PNG"));
        assert_eq!(detect(b"GIF89a.."), Some("GIF"));
        assert_eq!(detect(b"MM\0*...."), Some("TIFF"));
        assert_eq!(detect(b"%PDF-1.7"), Some("PDF"));
        assert_eq!(detect(b"<?xml"), None);
        assert_eq!(expected_for("a/B.JPEG"), Some("JPEG"));
        assert_eq!(expected_for("a.xml"), None);
        assert!(is_precompressed("x.pdf") && !is_precompressed("x.tif"));
    }
}
