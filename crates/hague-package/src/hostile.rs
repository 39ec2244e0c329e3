//! Generator of the hostile-archive test corpus (feature `hostile-corpus`).
//!
//! The archives are written byte by byte by [`RawZip`], which — unlike the `zip` crate —
//! writes whatever it is told: lying sizes, wrong CRCs, `..` names, symlink attributes,
//! entries that share bytes. Nothing is downloaded. Each [`HostileCase`] names the
//! [`Problem`](crate::Problem) kind (its JSON `kind` tag) that validation must report.

use std::io::Write;

/// One entry for [`RawZip`]. Fields are written verbatim.
#[derive(Debug, Clone)]
pub struct RawEntry {
    /// Name in the central directory.
    pub name: Vec<u8>,
    /// Name in the local header (defaults to `name`).
    pub local_name: Option<Vec<u8>>,
    /// The bytes written after the local header (already compressed).
    pub data: Vec<u8>,
    /// Compression method.
    pub method: u16,
    /// General-purpose flags.
    pub flags: u16,
    /// Declared CRC-32.
    pub crc32: u32,
    /// Declared compressed size.
    pub compressed_size: u32,
    /// Declared uncompressed size.
    pub size: u32,
    /// "Version made by" (high byte: host system, 3 = Unix).
    pub made_by: u16,
    /// External attributes (Unix mode in the high 16 bits).
    pub external_attr: u32,
    /// When set, the central entry points at the local header of that earlier entry and
    /// writes no local header or data of its own.
    pub points_at: Option<usize>,
}

impl RawEntry {
    /// A correct stored entry.
    pub fn stored(name: impl Into<Vec<u8>>, data: &[u8]) -> Self {
        Self {
            name: name.into(),
            local_name: None,
            data: data.to_vec(),
            method: 0,
            flags: 0x0800,
            crc32: crc32fast::hash(data),
            compressed_size: data.len() as u32,
            size: data.len() as u32,
            made_by: 0x0314,
            external_attr: 0o100_644 << 16,
            points_at: None,
        }
    }

    /// A correct deflated entry.
    pub fn deflated(name: impl Into<Vec<u8>>, data: &[u8]) -> Self {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing into a Vec cannot fail.
        let _ = enc.write_all(data);
        let compressed = enc.finish().unwrap_or_default();
        Self {
            compressed_size: compressed.len() as u32,
            data: compressed,
            method: 8,
            ..Self::stored(name, data)
        }
    }
}

/// Writes ZIP archives from [`RawEntry`] values, without any consistency check.
#[derive(Debug, Clone, Default)]
pub struct RawZip {
    /// The entries, in order.
    pub entries: Vec<RawEntry>,
    /// Overrides the entry count written in the end record.
    pub declared_count: Option<u16>,
}

impl RawZip {
    /// An archive of these entries.
    pub fn new(entries: Vec<RawEntry>) -> Self {
        Self {
            entries,
            declared_count: None,
        }
    }

    /// The archive bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut offsets = Vec::new();
        for e in &self.entries {
            if let Some(k) = e.points_at {
                offsets.push(offsets.get(k).copied().unwrap_or(0));
                continue;
            }
            offsets.push(out.len() as u32);
            let local_name = e.local_name.as_ref().unwrap_or(&e.name);
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0x21, 0]); // 1980-01-01 00:00
            out.extend_from_slice(&e.crc32.to_le_bytes());
            out.extend_from_slice(&e.compressed_size.to_le_bytes());
            out.extend_from_slice(&e.size.to_le_bytes());
            out.extend_from_slice(&(local_name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(local_name);
            out.extend_from_slice(&e.data);
        }
        let cd_start = out.len() as u32;
        for (e, offset) in self.entries.iter().zip(&offsets) {
            out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            out.extend_from_slice(&e.made_by.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0x21, 0]);
            out.extend_from_slice(&e.crc32.to_le_bytes());
            out.extend_from_slice(&e.compressed_size.to_le_bytes());
            out.extend_from_slice(&e.size.to_le_bytes());
            out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0; 8]); // extra len, comment len, disk, internal attrs
            out.extend_from_slice(&e.external_attr.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(&e.name);
        }
        let cd_size = out.len() as u32 - cd_start;
        let count = self.declared_count.unwrap_or(self.entries.len() as u16);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&cd_size.to_le_bytes());
        out.extend_from_slice(&cd_start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }
}

/// Which validation a case needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// [`validate_archive`](crate::validate_archive) already reports it.
    Archive,
    /// Only [`validate_package`](crate::validate_package) reports it.
    Package,
}

/// One hostile archive and what validation must say about it.
#[derive(Debug, Clone)]
pub struct HostileCase {
    /// Short name of the trick.
    pub name: &'static str,
    /// The archive.
    pub bytes: Vec<u8>,
    /// The `kind` tag of the problem that must be reported.
    pub expected_kind: &'static str,
    /// The entry the problem must name, when it names one.
    pub expected_entry: Option<&'static str>,
    /// Which validation reports it.
    pub check: Check,
    /// Whether extraction must refuse it (the trick is unsafe, not just invalid).
    pub unsafe_to_extract: bool,
}

/// A 1x1 PNG signature and a JPEG start, enough for the magic-byte checks.
pub const PNG_HEAD: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
/// The start of a JPEG file.
pub const JPEG_HEAD: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0";

fn case(
    name: &'static str,
    zip: RawZip,
    expected_kind: &'static str,
    expected_entry: Option<&'static str>,
    unsafe_to_extract: bool,
) -> HostileCase {
    HostileCase {
        name,
        bytes: zip.to_bytes(),
        expected_kind,
        expected_entry,
        check: Check::Archive,
        unsafe_to_extract,
    }
}

fn ok_xml() -> RawEntry {
    RawEntry::deflated("package.xml", b"<x/>")
}

/// The whole corpus. Every case is built in memory; the largest is about 1 MB.
pub fn corpus() -> Vec<HostileCase> {
    let mut cases = Vec::new();
    let single = |e: RawEntry| RawZip::new(vec![ok_xml(), e]);

    cases.push(case(
        "zip-slip",
        single(RawEntry::stored("../evil.txt", b"pwned")),
        "parent_segment",
        Some("../evil.txt"),
        true,
    ));
    cases.push(case(
        "zip-slip-nested",
        single(RawEntry::stored("img/../../evil.txt", b"pwned")),
        "parent_segment",
        Some("img/../../evil.txt"),
        true,
    ));
    cases.push(case(
        "absolute-path",
        single(RawEntry::stored("/tmp/evil.txt", b"pwned")),
        "absolute_path",
        Some("/tmp/evil.txt"),
        true,
    ));
    cases.push(case(
        "drive-letter",
        single(RawEntry::stored("C:/evil.txt", b"pwned")),
        "drive_letter",
        Some("C:/evil.txt"),
        true,
    ));
    cases.push(case(
        "backslash",
        single(RawEntry::stored("..\\evil.txt", b"pwned")),
        "backslash",
        Some("..\\evil.txt"),
        true,
    ));
    let mut link = RawEntry::stored("img/link.jpg", b"/etc/passwd");
    link.external_attr = 0o120_777 << 16;
    cases.push(case(
        "symlink",
        single(link),
        "symlink",
        Some("img/link.jpg"),
        true,
    ));
    cases.push(case(
        "duplicate-after-nfc",
        RawZip::new(vec![
            ok_xml(),
            RawEntry::stored("caf\u{e9}.jpg", JPEG_HEAD),
            RawEntry::stored("cafe\u{301}.jpg", JPEG_HEAD),
        ]),
        "duplicate_after_normalization",
        Some("cafe\u{301}.jpg"),
        true,
    ));
    cases.push(case(
        "duplicate-exact",
        RawZip::new(vec![
            ok_xml(),
            RawEntry::stored("a.jpg", JPEG_HEAD),
            RawEntry::stored("a.jpg", JPEG_HEAD),
        ]),
        "duplicate_name",
        Some("a.jpg"),
        true,
    ));
    // A 10,000:1 bomb: zeros deflated, declared size 10,000 times the compressed size.
    let mut bomb = RawEntry::deflated("bomb.tif", &vec![0u8; 1 << 20]);
    bomb.size = bomb.compressed_size.saturating_mul(10_000);
    cases.push(case(
        "bomb-10000-to-1",
        single(bomb),
        "compression_ratio_exceeded",
        Some("bomb.tif"),
        true,
    ));
    // Overlap, shape 1: two central entries share one local header (quoted-overlap bomb).
    let mut twin = RawEntry::stored("b.jpg", JPEG_HEAD);
    twin.points_at = Some(1);
    cases.push(case(
        "overlap-shared-header",
        RawZip::new(vec![ok_xml(), RawEntry::stored("a.jpg", JPEG_HEAD), twin]),
        "overlapping_entries",
        None,
        true,
    ));
    // Overlap, shape 2: the first entry's declared data swallows the second entry.
    let second = RawEntry::stored("b.jpg", JPEG_HEAD);
    let second_len = 30 + 5 + JPEG_HEAD.len() as u32;
    let mut first = RawEntry::stored("a.jpg", JPEG_HEAD);
    first.compressed_size += second_len;
    first.size += second_len;
    // `first` declares more data than it wrote, so `second` lies inside its data.
    cases.push(case(
        "overlap-inside-data",
        RawZip::new(vec![ok_xml(), first, second]),
        "overlapping_entries",
        Some("b.jpg"),
        true,
    ));
    // Truncated: a correct archive cut in the middle.
    let whole = RawZip::new(vec![
        ok_xml(),
        RawEntry::stored("a.jpg", &[JPEG_HEAD, &[7u8; 4000]].concat()),
    ])
    .to_bytes();
    cases.push(HostileCase {
        name: "truncated",
        bytes: whole[..whole.len() / 2].to_vec(),
        expected_kind: "truncated",
        expected_entry: None,
        check: Check::Archive,
        unsafe_to_extract: true,
    });
    // Lying sizes.
    let mut liar = RawEntry::deflated("doc.tif", &[b'M', b'M', 0, b'*'].repeat(500));
    liar.size = 1000;
    cases.push(case(
        "lying-size-deflated",
        single(liar),
        "size_mismatch",
        Some("doc.tif"),
        true,
    ));
    let mut liar = RawEntry::stored("a.jpg", JPEG_HEAD);
    liar.size += 100;
    cases.push(case(
        "lying-size-stored",
        single(liar),
        "size_mismatch",
        Some("a.jpg"),
        true,
    ));
    let mut bad_crc = RawEntry::stored("a.jpg", JPEG_HEAD);
    bad_crc.crc32 ^= 1;
    cases.push(case(
        "crc-mismatch",
        single(bad_crc),
        "crc_mismatch",
        Some("a.jpg"),
        true,
    ));
    let mut enc = RawEntry::stored("a.jpg", JPEG_HEAD);
    enc.flags |= 1;
    cases.push(case(
        "encrypted",
        single(enc),
        "encrypted",
        Some("a.jpg"),
        true,
    ));
    let mut renamed = RawEntry::stored("a.jpg", JPEG_HEAD);
    renamed.local_name = Some(b"../a.jpg".to_vec());
    cases.push(case(
        "local-name-differs",
        single(renamed),
        "local_header_mismatch",
        Some("a.jpg"),
        true,
    ));
    let mut bzip = RawEntry::stored("a.jpg", JPEG_HEAD);
    bzip.method = 12;
    cases.push(case(
        "unsupported-method",
        single(bzip),
        "unsupported_compression",
        Some("a.jpg"),
        true,
    ));
    let mut lying_count = single(RawEntry::stored("a.jpg", JPEG_HEAD));
    lying_count.declared_count = Some(3);
    cases.push(case(
        "lying-entry-count",
        lying_count,
        "corrupt_central_directory",
        None,
        true,
    ));
    cases.push(case(
        "too-many-entries",
        RawZip::new(
            (0..10_001)
                .map(|i| RawEntry::stored(format!("f{i}.bin"), b""))
                .collect(),
        ),
        "too_many_entries",
        None,
        true,
    ));
    cases.push(HostileCase {
        name: "not-a-zip",
        bytes: b"%PDF-1.7 this is not a zip".to_vec(),
        expected_kind: "not_a_zip",
        expected_entry: None,
        check: Check::Archive,
        unsafe_to_extract: true,
    });
    cases.push(HostileCase {
        check: Check::Archive,
        ..case(
            "content-mismatch",
            single(RawEntry::stored("a.jpg", PNG_HEAD)),
            "content_mismatch",
            Some("a.jpg"),
            false,
        )
    });
    cases.push(HostileCase {
        check: Check::Package,
        ..case(
            "two-xml-files",
            RawZip::new(vec![ok_xml(), RawEntry::deflated("second.XML", b"<y/>")]),
            "multiple_xml",
            None,
            false,
        )
    });
    cases
}
