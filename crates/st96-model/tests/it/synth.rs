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
        .flat_map(st96_model::Record::holder_names)
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

#[test]
fn generated_registrations_carry_the_worklist_fields() {
    let mut bytes = Vec::new();
    let options = st96_model::synth::SynthOptions::new(1_200, 5).for_week(2024, 47);
    let stats = st96_model::synth::write_bulletin_with(&mut bytes, &options).unwrap();
    let records: Vec<_> = BulletinReader::new(&bytes[..])
        .collect::<Result<_, _>>()
        .unwrap();
    let regs: Vec<_> = records
        .iter()
        .filter(|r| matches!(r.kind, RecordKind::Registration | RecordKind::Express))
        .collect();
    // The reader's designations per party equal the generator's own count.
    for (code, n) in &stats.designations {
        let ours = regs.iter().filter(|r| r.designates(code)).count() as u64;
        assert_eq!(ours, *n, "{code}");
    }
    assert!(regs.iter().any(|r| r.designated.len() >= 3));
    let acts: std::collections::BTreeSet<_> = regs
        .iter()
        .flat_map(|r| r.designated.iter().filter_map(|d| d.act.as_deref()))
        .collect();
    assert_eq!(acts.into_iter().collect::<Vec<_>>(), ["1960", "1999"]);
    let parties: std::collections::BTreeSet<_> = regs
        .iter()
        .flat_map(|r| {
            r.holders
                .iter()
                .filter_map(|h| h.contracting_party.as_deref())
        })
        .collect();
    assert!(parties.len() >= 5, "{parties:?}");
    assert!(regs.iter().all(|r| {
        r.design_total_quantity.as_deref() == Some(r.designs.len().to_string().as_str())
            && !r.locarno_classes().is_empty()
    }));
    assert_eq!(
        regs.iter()
            .map(|r| r.representatives.len() as u64)
            .sum::<u64>(),
        stats.representatives
    );
    // The week's header: issue 47/2024, published on Friday 22 November 2024.
    assert_eq!(records[0].bulletin_number.as_deref(), Some("47/2024"));
    assert_eq!(records[0].publication_date.as_deref(), Some("2024-11-22"));
    // History events with their notifying office and dates.
    let events: Vec<_> = records.iter().flat_map(|r| r.history.iter()).collect();
    assert_eq!(events.len() as u64, stats.history_entries);
    assert!(
        events
            .iter()
            .any(|e| e.event.as_deref() == Some("HagueRefusal")
                && e.notifying_office.is_some()
                && e.decision_date.is_some())
    );
    assert!(
        events
            .iter()
            .any(|e| e.event.as_deref() == Some("HagueGrantProtection")
                && e.effective_date.is_some())
    );
    assert!(
        events
            .iter()
            .any(|e| e.event.as_deref() == Some("HagueRenewal") && e.renewal_date.is_some())
    );
    let refusal = records
        .iter()
        .find(|r| r.kind == RecordKind::Refusal)
        .unwrap();
    assert!(refusal.notifying_office.is_some());
    assert_eq!(refusal.affected.as_ref().unwrap().designs, ["1"]);
}
