//! Deterministic building, checked with independent readers (Python `zipfile`, `unzip`).

use crate::support::{jpeg, noise, run_python, sha256};
use hague_package::{FileSource, Limits, PackageBuilder, extract, validate_archive};
use std::fs;
use std::io::Cursor;
use std::process::Command;

fn sample() -> Vec<(&'static str, Vec<u8>)> {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend(noise(3000, 9));
    let mut tif = b"II*\0".to_vec();
    tif.extend(vec![0u8; 5000]);
    vec![
        ("views/1.1.jpg", jpeg(20_000, 1)),
        ("docs/refusal.pdf", pdf),
        ("views/1.2.tif", tif),
        ("views/1.0.png", {
            let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
            p.extend(noise(100, 3));
            p
        }),
    ]
}

fn build(xml: &[u8], files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = PackageBuilder::new("transaction.xml", FileSource::Bytes(xml.to_vec())).unwrap();
    // Added in a scrambled order on purpose: the output order must not depend on it.
    for (path, bytes) in files.iter().rev() {
        b = b.file(*path, FileSource::Bytes(bytes.clone())).unwrap();
    }
    b.write_to(Cursor::new(Vec::new())).unwrap().0.into_inner()
}

const LISTING: &str = r#"
import sys, zipfile, hashlib
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        print(i.filename, i.compress_type, i.date_time, i.external_attr >> 16, hashlib.sha256(z.read(i)).hexdigest())
    print("testzip", z.testzip())
"#;

#[test]
fn build_is_deterministic_and_python_reads_every_file_back() {
    let xml = b"<?xml version=\"1.0\"?><x>long enough text to deflate</x>".repeat(20);
    let files = sample();
    let a = build(&xml, &files);
    let mut reordered = files.clone();
    reordered.rotate_left(2);
    let b = build(&xml, &reordered);
    assert_eq!(sha256(&a), sha256(&b), "same input, same bytes");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    fs::write(&path, &a).unwrap();
    let listing = run_python(LISTING, [path.as_os_str()]);
    // 33188 = 0o100644: a regular file, rw-r--r--.
    let mut expected = vec![format!(
        "transaction.xml 8 (1980, 1, 1, 0, 0, 0) 33188 {}",
        sha256(&xml)
    )];
    let mut sorted = files.clone();
    sorted.sort_by(|x, y| x.0.cmp(y.0));
    for (path, bytes) in &sorted {
        let method = if path.ends_with(".tif") { 8 } else { 0 };
        expected.push(format!(
            "{path} {method} (1980, 1, 1, 0, 0, 0) 33188 {}",
            sha256(bytes)
        ));
    }
    expected.push("testzip None".into());
    assert_eq!(listing.lines().collect::<Vec<_>>(), expected);

    let status = Command::new("unzip")
        .arg("-tqq")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success(), "unzip -t refused the package");

    let v = validate_archive(&mut Cursor::new(&a), &Limits::default()).unwrap();
    assert!(v.report.is_valid(), "{}", v.report);
    assert_eq!(v.entries.len(), 5);
}

#[test]
fn build_streams_from_disk_and_extraction_gives_back_the_exact_files() {
    let src = tempfile::tempdir().unwrap();
    let files = sample();
    for (path, bytes) in &files {
        let p = src.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    let xml = b"<x/>".to_vec();
    let mut b = PackageBuilder::new("a.xml", FileSource::Bytes(xml.clone())).unwrap();
    for (path, _) in &files {
        b = b
            .file(*path, FileSource::Path(src.path().join(path)))
            .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let zip_path = out.path().join("pkg.zip");
    let built = b.build_to_path(&zip_path).unwrap();
    assert_eq!(built.len(), 5);
    // No temporary file is left next to the package.
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1);

    let dest = out.path().join("x");
    let extracted = extract(
        &mut fs::File::open(&zip_path).unwrap(),
        &dest,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(extracted.files, 5);
    assert_eq!(fs::read(dest.join("a.xml")).unwrap(), xml);
    for (path, bytes) in &files {
        assert_eq!(&fs::read(dest.join(path)).unwrap(), bytes, "{path}");
    }
}

#[test]
fn builder_refuses_unsafe_paths_duplicates_and_a_second_xml() {
    let b = PackageBuilder::new("a.xml", FileSource::Bytes(Vec::new())).unwrap();
    for bad in ["../x.jpg", "/x.jpg", "a\\b.jpg", "C:/x.jpg", "a//b.jpg"] {
        let err = b
            .clone()
            .file(bad, FileSource::Bytes(Vec::new()))
            .unwrap_err();
        assert!(
            err.to_string().contains("cannot be a package path"),
            "{bad}: {err}"
        );
    }
    let err = b
        .clone()
        .file("b.XML", FileSource::Bytes(Vec::new()))
        .unwrap_err();
    assert!(err.to_string().contains("exactly one XML"), "{err}");
    let err = b
        .clone()
        .file("caf\u{e9}.jpg", FileSource::Bytes(Vec::new()))
        .unwrap()
        .file("cafe\u{301}.jpg", FileSource::Bytes(Vec::new()))
        .unwrap_err();
    assert!(err.to_string().contains("given twice"), "{err}");
    assert!(PackageBuilder::new("a.txt", FileSource::Bytes(Vec::new())).is_err());
    let missing = b
        .file("m.jpg", FileSource::Path("/nonexistent/m.jpg".into()))
        .unwrap()
        .write_to(Cursor::new(Vec::new()))
        .unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/m.jpg"),
        "{missing}"
    );
}
