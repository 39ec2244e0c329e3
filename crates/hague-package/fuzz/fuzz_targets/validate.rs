//! Fuzz target: validation, bulletin opening and extraction must never panic, hang or
//! write outside their directory, whatever the bytes.
//!
//! Input starting with `PK` is taken as a whole archive. Any other input picks one of the
//! hostile-corpus archives (or a valid package) by its first byte and overwrites bytes of
//! it with the rest, read as (offset: u16, value: u8) triples, so that the fuzzer works on
//! ZIP-shaped data from the first run.
#![no_main]

use hague_package::hostile::{RawEntry, RawZip, corpus};
use hague_package::{Bulletin, Limits, St96Inspector, ValidationOptions, validate_package};
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Read};
use std::sync::OnceLock;

fn bases() -> &'static Vec<Vec<u8>> {
    static BASES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    BASES.get_or_init(|| {
        let mut v: Vec<Vec<u8>> = corpus()
            .into_iter()
            .filter(|c| c.bytes.len() < 64 * 1024)
            .map(|c| c.bytes)
            .collect();
        let xml = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../fixtures/packages/refusal.xml"
        ))
        .unwrap_or_default();
        v.push(
            RawZip::new(vec![
                RawEntry::deflated("t.xml", &xml),
                RawEntry::stored("refusal/decision.pdf", b"%PDF-1.7 x"),
            ])
            .to_bytes(),
        );
        v
    })
}

fn input(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"PK") || data.is_empty() {
        return data.to_vec();
    }
    let bases = bases();
    let mut bytes = bases[data[0] as usize % bases.len()].clone();
    for m in data[1..].chunks_exact(3) {
        if bytes.is_empty() {
            break;
        }
        let at = u16::from_le_bytes([m[0], m[1]]) as usize % bytes.len();
        bytes[at] = m[2];
    }
    bytes
}

fuzz_target!(|data: &[u8]| {
    let bytes = input(data);
    let limits = Limits::default()
        .with_max_total_size(16 << 20)
        .with_max_entries(2_000)
        .with_max_xml_size(1 << 20);
    let options = ValidationOptions::default().with_limits(limits);
    let _ = validate_package(&mut Cursor::new(&bytes), &options, &St96Inspector);

    if let Ok(mut b) = Bulletin::open(Cursor::new(&bytes), &limits) {
        if let Ok(records) = b.records() {
            for _ in records.take(100) {}
        }
        let names: Vec<String> = b.entry_names().map(str::to_owned).collect();
        for name in names.iter().take(20) {
            if let Ok(mut r) = b.open_entry(name) {
                let _ = std::io::copy(&mut r.by_ref().take(1 << 20), &mut std::io::sink());
            }
        }
    }

    let sandbox = tempfile::tempdir().expect("temporary directory");
    let dest = sandbox.path().join("out");
    let _ = hague_package::extract(&mut Cursor::new(&bytes), &dest, &limits);
    // Nothing but `out` (or nothing) may exist in the sandbox.
    for entry in std::fs::read_dir(sandbox.path()).expect("sandbox") {
        let name = entry.expect("entry").file_name();
        assert_eq!(name, "out", "extraction wrote outside its destination");
    }
});
