//! The synthetic bulletin generator, read back by the typed reader and checked against the
//! generator's own counts and against an independent count by quick-xml.

use quick_xml::Reader;
use quick_xml::events::Event;
use st96_model::synth::write_bulletin;
use st96_model::{BulletinReader, RecordKind};

#[test]
fn generated_bulletin_reads_back() {
    let mut bytes = Vec::new();
    let stats = write_bulletin(&mut bytes, 2_000, 7).unwrap();
    assert_eq!(stats.records, 2_000);
    assert_eq!(stats.bytes, bytes.len() as u64);
    assert!(stats.per_kind.len() >= 6, "{:?}", stats.per_kind);

    let records: Vec<_> = BulletinReader::new(&bytes[..])
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(records.len() as u64, stats.records);
    let views: u64 = records
        .iter()
        .map(|r| r.image_file_names().count() as u64)
        .sum();
    assert_eq!(views, stats.views);
    assert!(records.iter().all(|r| r.registration_number().is_some()));
    assert!(
        records
            .iter()
            .any(|r| matches!(&r.kind, RecordKind::Other { element } if element == "HagueRepresentativeAppointment"))
    );
    assert!(records.iter().any(|r| r.kind == RecordKind::Express));
    // `&amp;` comes back as `&`, non-ASCII names survive.
    let holders: Vec<&str> = records
        .iter()
        .flat_map(|r| r.holders.iter().map(String::as_str))
        .collect();
    assert!(holders.iter().any(|h| h.contains(" & ")));
    assert!(holders.iter().any(|h| !h.is_ascii()));
    assert_eq!(records[0].bulletin_number.as_deref(), Some("08/2024"));

    // Independent check: quick-xml counts View and FileName elements in the whole file.
    let text = std::str::from_utf8(&bytes).unwrap();
    let mut r = Reader::from_str(text);
    let mut file_names = 0u64;
    loop {
        match r.read_event().unwrap() {
            Event::Start(s) if s.local_name().as_ref() == "FileName" => file_names += 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(file_names, views);
}

#[test]
fn same_seed_same_bytes() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut c = Vec::new();
    write_bulletin(&mut a, 300, 1).unwrap();
    write_bulletin(&mut b, 300, 1).unwrap();
    write_bulletin(&mut c, 300, 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn file_is_written_whole_or_not_at_all() {
    let dir = std::env::temp_dir().join(format!("st96-synth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("b.xml");
    let stats = st96_model::synth::write_bulletin_file(&path, 50, 3).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), stats.bytes);
    assert!(!dir.join(".b.xml.partial").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
