//! Archives made by independent writers (Python `zipfile`, Info-ZIP `zip`): valid ones
//! validate clean; damage at known offsets is found.

use crate::support::{jpeg, run_python};
use hague_package::{Limits, Problem, validate_archive};
use std::io::Cursor;

const MAKE: &str = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(zipfile.ZipInfo("p.xml", (2024, 5, 6, 7, 8, 10)), b"<x>" + b"a" * 5000 + b"</x>", zipfile.ZIP_DEFLATED)
    z.writestr("img/1.jpg", bytes.fromhex(sys.argv[2]), zipfile.ZIP_STORED)
    z.writestr("img/", b"")
"#;

fn python_zip() -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("py.zip");
    let img = jpeg(3000, 42);
    run_python(MAKE, [path.as_os_str(), hex::encode(&img).as_ref()]);
    (std::fs::read(path).unwrap(), img)
}

#[test]
fn python_made_package_validates_clean() {
    let (zip, _) = python_zip();
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    assert!(v.report.is_valid(), "{}", v.report);
    assert!(v.report.findings.is_empty(), "{}", v.report);
    let names: Vec<&str> = v.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["p.xml", "img/1.jpg", "img/"]);
}

#[test]
fn info_zip_made_package_validates_clean() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/a.jpg"), jpeg(5000, 1)).unwrap();
    std::fs::write(dir.path().join("t.xml"), b"<x>".repeat(1000)).unwrap();
    let status = std::process::Command::new("zip")
        .current_dir(dir.path())
        .args(["-qrX", "out.zip", "t.xml", "img"])
        .status()
        .unwrap();
    assert!(status.success());
    let zip = std::fs::read(dir.path().join("out.zip")).unwrap();
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    assert!(v.report.findings.is_empty(), "{}", v.report);
}

#[test]
fn a_flipped_data_byte_is_a_crc_mismatch_on_that_entry() {
    let (mut zip, img) = python_zip();
    // Locate the stored image body independently of our reader: find its bytes.
    let at = zip
        .windows(img.len())
        .position(|w| w == img.as_slice())
        .unwrap();
    zip[at + 1000] ^= 0x55;
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    let errors: Vec<&Problem> = v.report.errors().collect();
    assert!(
        matches!(errors.as_slice(), [Problem::CrcMismatch { entry, declared, .. }]
            if entry == "img/1.jpg" && *declared == crc32fast_hash(&img)),
        "{}",
        v.report
    );
}

/// CRC-32 computed by Python's zlib (an independent implementation).
fn crc32fast_hash(bytes: &[u8]) -> u32 {
    run_python(
        "import sys, zlib; print(zlib.crc32(bytes.fromhex(sys.argv[1])))",
        [hex::encode(bytes)],
    )
    .trim()
    .parse()
    .unwrap()
}

const ZIP64_AND_DESCRIPTORS: &str = r#"
import io, sys, zipfile

class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile must use data descriptors (flag bit 3)."""
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()

mode = sys.argv[2]
with open(sys.argv[1], "wb") as out:
    target = Unseekable(out) if mode == "descriptors" else out
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        if mode == "descriptors":
            z.writestr("t.xml", b"<x>" + b"b" * 3000 + b"</x>")
            with z.open("img/a.jpg", "w") as f:
                f.write(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)
        elif mode == "force64":
            with z.open("img/a.jpg", "w", force_zip64=True) as f:
                f.write(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)
        else:
            for i in range(65536):
                z.writestr(zipfile.ZipInfo(f"e/{i}"), b"")
"#;

fn python_variant(mode: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.zip");
    run_python(ZIP64_AND_DESCRIPTORS, [path.as_os_str(), mode.as_ref()]);
    std::fs::read(path).unwrap()
}

#[test]
fn data_descriptors_and_zip64_local_headers_from_python_validate_clean() {
    for mode in ["descriptors", "force64"] {
        let zip = python_variant(mode);
        let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
        assert!(v.report.findings.is_empty(), "{mode}: {}", v.report);
        assert!(
            v.entries
                .iter()
                .any(|e| e.name == "img/a.jpg" && e.size == 5124)
        );
    }
}

#[test]
fn zip64_end_record_from_python_with_65536_entries() {
    let zip = python_variant("many");
    let limits = Limits::default().with_max_entries(70_000);
    let v = validate_archive(&mut Cursor::new(&zip), &limits).unwrap();
    assert!(v.report.findings.is_empty(), "{}", v.report);
    assert_eq!(v.entries.len(), 65_536);
    // With the default limit the same archive is refused before its directory is read.
    let v = validate_archive(&mut Cursor::new(&zip), &Limits::default()).unwrap();
    assert!(matches!(
        v.report.errors().collect::<Vec<_>>().as_slice(),
        [Problem::TooManyEntries {
            count: 65_536,
            limit: 10_000
        }]
    ));
}
