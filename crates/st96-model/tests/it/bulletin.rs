//! The streaming bulletin reader: both shapes, and hostile input.

use st96_model::{BulletinReader, Error, MAX_DEPTH, RecordKind};

use crate::common::{Trickle, fixture};

fn read_all(bytes: &[u8]) -> Result<Vec<st96_model::Record>, Error> {
    BulletinReader::new(bytes).collect()
}

#[test]
fn express_records() {
    let bytes = fixture("bulletin/express_two_records.xml");
    let recs = read_all(&bytes).unwrap();
    assert_eq!(recs.len(), 2);
    let r = &recs[0];
    assert_eq!(r.kind, RecordKind::Express);
    assert_eq!(r.registration_number(), Some("DM/081234"));
    assert_eq!(r.registration_date.as_deref(), Some("2014-05-02"));
    assert_eq!(r.expiry_date.as_deref(), Some("2029-05-02"));
    // Holders come from HagueCurrent only; the history's old name is not repeated.
    assert_eq!(
        r.holder_names().collect::<Vec<_>>(),
        ["Société Générale d'Éclairage & Cie", "Åsa Lindström"]
    );
    assert_eq!(r.designs.len(), 1);
    assert_eq!(r.designs[0].identifier.as_deref(), Some("1"));
    assert_eq!(r.designs[0].products[0].language.as_deref(), Some("en"));
    assert_eq!(r.designs[0].products[1].text, "Lampes");
    assert_eq!(
        r.image_file_names().collect::<Vec<_>>(),
        ["D081234-0001-001.JPG", "D081234-0001-002.JPG"]
    );
    assert_eq!(r.designs[0].views[0].view_type.as_deref(), Some("Front"));
    assert_eq!(r.history.len(), 2);
    assert_eq!(r.history[0].sequence.as_deref(), Some("0"));
    assert_eq!(r.history[0].bulletin_number.as_deref(), Some("19/2014"));
    assert_eq!(r.history[0].event.as_deref(), Some("HagueRegistration"));
    assert_eq!(r.history[1].event.as_deref(), Some("HagueRenewal"));
    assert_eq!(r.history[1].publication_date.as_deref(), Some("2019-05-17"));
    assert_eq!(r.bulletin_number.as_deref(), Some("19/2014"));
    // The raw XML is the exact slice of the input.
    let start = r.offset as usize;
    assert_eq!(&bytes[start..start + r.raw.len()], r.raw.as_bytes());
    assert!(r.raw.starts_with("<dgn:HagueExpressTransaction>"));
    assert!(r.raw.ends_with("</dgn:HagueExpressTransaction>"));

    let r = &recs[1];
    assert_eq!(r.registration_number(), Some("DM/200001"));
    assert_eq!(
        r.holder_names().collect::<Vec<_>>(),
        ["東京デザイン株式会社"]
    );
    assert_eq!(r.decision_date.as_deref(), Some("2023-06-01"));
    assert_eq!(r.history[0].event.as_deref(), Some("HagueGrantProtection"));
}

#[test]
fn per_kind_bags_with_header_and_unknown_kind() {
    let bytes = fixture("bulletin/per_kind_bags.xml");
    let recs = read_all(&bytes).unwrap();
    let kinds: Vec<_> = recs.iter().map(|r| r.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            RecordKind::Registration,
            RecordKind::Refusal,
            RecordKind::HolderNameAddressChange,
            RecordKind::Other {
                element: "HagueRepresentativeAppointment".into()
            },
            RecordKind::Expiration,
        ]
    );
    let reg = &recs[0];
    assert_eq!(reg.registration_number(), Some("DM/300100"));
    assert_eq!(reg.holder_names().collect::<Vec<_>>(), ["Zoë O'Brien"]);
    assert_eq!(reg.designs[0].products[0].text, "Cups & saucers");
    assert_eq!(reg.designs[1].products[0].text, "Plates <round>");
    assert_eq!(
        reg.image_file_names().collect::<Vec<_>>(),
        ["D300100-0001-001.JPG", "D300100-0002-001.JPG"]
    );
    // Header values fill records without their own.
    assert_eq!(reg.bulletin_number.as_deref(), Some("14/2023"));
    assert_eq!(reg.publication_date.as_deref(), Some("2023-04-07"));
    let refusal = &recs[1];
    assert_eq!(refusal.decision_date.as_deref(), Some("2023-02-10"));
    assert_eq!(refusal.recording_date.as_deref(), Some("2023-03-20"));
    let change = &recs[2];
    assert_eq!(change.registration_numbers, ["DM/050001", "DM/050002"]);
    assert_eq!(change.holder_names().collect::<Vec<_>>(), ["New Holder AG"]);
    let other = &recs[3];
    assert_eq!(other.registration_number(), Some("DM/200000"));
    assert!(
        other
            .raw
            .contains("<com:RecordIdentifier>R-1</com:RecordIdentifier>")
    );
    assert_eq!(recs[4].registration_number(), Some("DM/040404"));
}

#[test]
fn chunking_does_not_change_the_records() {
    for file in [
        "bulletin/express_two_records.xml",
        "bulletin/per_kind_bags.xml",
    ] {
        let bytes = fixture(file);
        let whole = read_all(&bytes).unwrap();
        for n in [1, 2, 3, 7, 64, 4096] {
            let cut: Vec<_> = BulletinReader::new(Trickle { data: &bytes, n })
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(cut, whole, "{file} in pieces of {n}");
        }
    }
}

fn err_of(bytes: &[u8]) -> Error {
    match BulletinReader::new(bytes).find_map(Result::err) {
        Some(e) => e,
        None => panic!("no error for {:?}", String::from_utf8_lossy(bytes)),
    }
}

const HEAD: &str =
    r#"<dgn:Bulletin xmlns:dgn="http://www.wipo.int/standards/XMLSchema/ST96/Design">"#;

#[test]
fn doctype_and_entities_are_refused_not_expanded() {
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE b [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>{HEAD}</dgn:Bulletin>"
    );
    assert!(matches!(
        err_of(laughs.as_bytes()),
        Error::DoctypeRefused { offset: 22 }
    ));
    // Inside a record too.
    let inside = format!(
        "{HEAD}<dgn:HagueRenewalBag><dgn:HagueRenewal><!ENTITY x \"y\"></dgn:HagueRenewal></dgn:HagueRenewalBag></dgn:Bulletin>"
    );
    let at = inside.find("<!ENTITY").unwrap() as u64;
    assert!(matches!(err_of(inside.as_bytes()), Error::DoctypeRefused { offset } if offset == at));
    // An undefined entity reference inside a record.
    let undefined = format!(
        "{HEAD}<dgn:HagueRenewalBag><dgn:HagueRenewal>&xxe;</dgn:HagueRenewal></dgn:HagueRenewalBag></dgn:Bulletin>"
    );
    assert!(matches!(
        err_of(undefined.as_bytes()),
        Error::Malformed { .. }
    ));
}

#[test]
fn deep_nesting_is_refused() {
    let inside = format!(
        "{HEAD}<dgn:HagueRenewalBag><dgn:HagueRenewal>{}{}</dgn:HagueRenewal></dgn:HagueRenewalBag></dgn:Bulletin>",
        "<x>".repeat(100),
        "</x>".repeat(100)
    );
    assert!(matches!(
        err_of(inside.as_bytes()),
        Error::TooDeep { limit, .. } if limit == MAX_DEPTH
    ));
    let outside = format!("{HEAD}{}", "<dgn:W>".repeat(100));
    let e = err_of(outside.as_bytes());
    assert!(matches!(e, Error::TooDeep { .. }), "{e:?}");
}

#[test]
fn oversized_records_are_refused() {
    let big = format!(
        "{HEAD}<dgn:HagueRenewalBag><dgn:HagueRenewal>{}</dgn:HagueRenewal></dgn:HagueRenewalBag></dgn:Bulletin>",
        "<a>x</a>".repeat(10_000)
    );
    let at = big.find("<dgn:HagueRenewal>").unwrap() as u64;
    let e = BulletinReader::new(big.as_bytes())
        .with_max_record_bytes(4096)
        .find_map(Result::err)
        .unwrap();
    assert!(
        matches!(e, Error::RecordTooLarge { offset, limit: 4096 } if offset == at),
        "{e:?}"
    );
    // The same input passes with the default limit.
    assert_eq!(read_all(big.as_bytes()).unwrap().len(), 1);
}

#[test]
fn malformed_utf8_gives_its_offset() {
    let mut bytes = fixture("bulletin/per_kind_bags.xml");
    let at = bytes.windows(4).position(|w| w == b"Zo\xc3\xab").unwrap() + 2;
    bytes[at] = 0xC3;
    bytes[at + 1] = 0x28;
    match err_of(&bytes) {
        Error::InvalidUtf8 { offset } => assert_eq!(offset, at as u64),
        e => panic!("{e:?}"),
    }
}

#[test]
fn wrong_namespace_is_refused() {
    let tmk = r#"<tmk:Bulletin xmlns:tmk="http://www.wipo.int/standards/XMLSchema/ST96/Trademark"><tmk:X/></tmk:Bulletin>"#;
    assert!(matches!(
        err_of(tmk.as_bytes()),
        Error::WrongNamespace { offset: 0, .. }
    ));
    // A record with no namespace inside a Design root.
    let rec =
        format!("{HEAD}<dgn:HagueRenewalBag><HagueRenewal/></dgn:HagueRenewalBag></dgn:Bulletin>");
    let at = rec.find("<HagueRenewal/>").unwrap() as u64;
    match err_of(rec.as_bytes()) {
        Error::WrongNamespace {
            offset, element, ..
        } => {
            assert_eq!(offset, at);
            assert_eq!(element, "HagueRenewal");
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn truncated_and_broken_input() {
    let bytes = fixture("bulletin/per_kind_bags.xml");
    for cut in [10, 300, 800, bytes.len() - 5] {
        let r: Result<Vec<_>, _> = BulletinReader::new(&bytes[..cut]).collect();
        assert!(r.is_err(), "cut at {cut} should fail");
    }
    let mismatched = format!(
        "{HEAD}<dgn:HagueRenewalBag><dgn:HagueRenewal><a></b></dgn:HagueRenewal></dgn:HagueRenewalBag></dgn:Bulletin>"
    );
    assert!(matches!(
        err_of(mismatched.as_bytes()),
        Error::Malformed { .. }
    ));
    assert!(matches!(err_of(b""), Error::Malformed { .. }));
    assert!(matches!(
        err_of(b"\xff\xfe<\x00"),
        Error::UnsupportedEncoding { .. }
    ));
}

#[test]
fn a_lone_record_and_empty_records() {
    let lone = r#"<?xml version="1.0"?>
<dgn:HagueExpressTransaction xmlns:dgn="http://www.wipo.int/standards/XMLSchema/ST96/Design" xmlns:com="http://www.wipo.int/standards/XMLSchema/ST96/Common"><dgn:HagueCurrent><dgn:HagueRegistration><com:InternationalRegistrationNumber>DM/000001</com:InternationalRegistrationNumber></dgn:HagueRegistration></dgn:HagueCurrent></dgn:HagueExpressTransaction>
"#;
    let recs = read_all(lone.as_bytes()).unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].kind, RecordKind::Express);
    assert_eq!(recs[0].registration_number(), Some("DM/000001"));

    // A self-closing record, and a record that declares its own prefix.
    let bag = format!(
        "{HEAD}<dgn:HagueExpirationBag><dgn:HagueExpiration/><x:HagueExpiration xmlns:x=\"{}\"><x:InternationalRegistrationNumber>DM/2</x:InternationalRegistrationNumber></x:HagueExpiration></dgn:HagueExpirationBag></dgn:Bulletin>",
        st96_model::DGN
    );
    let recs = read_all(bag.as_bytes()).unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].raw, "<dgn:HagueExpiration/>");
    assert_eq!(recs[1].registration_number(), Some("DM/2"));
    assert!(recs.iter().all(|r| r.kind == RecordKind::Expiration));
}

#[test]
fn comments_and_cdata_may_hold_markup_characters() {
    let doc = format!(
        "{HEAD}<!-- a <fake> & comment --><dgn:HagueRenewalBag><dgn:HagueRenewal a='x>y' b=\"&amp;\"><!-- </dgn:HagueRenewal> & --><![CDATA[</dgn:HagueRenewal> & ]]><InternationalRegistrationNumber>DM/<![CDATA[7]]></InternationalRegistrationNumber></dgn:HagueRenewal></dgn:HagueRenewalBag></dgn:Bulletin>"
    );
    let recs = read_all(doc.as_bytes()).unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].registration_number(), Some("DM/7"));
    assert!(recs[0].raw.ends_with("</dgn:HagueRenewal>"));
}
