//! Opening a bulletin: find the XML, stream records through st96-model, list each
//! registration's images and PDFs, extract safely.

use crate::support::jpeg;
use hague_package::hostile::{RawEntry, RawZip};
use hague_package::{Bulletin, BulletinError, Limits};
use std::io::{Cursor, Read};

const NS: &str = r#"xmlns:com="http://www.wipo.int/standards/XMLSchema/ST96/Common" xmlns:dgn="http://www.wipo.int/standards/XMLSchema/ST96/Design""#;

fn record(irn: &str, views: &[&str]) -> String {
    let views: String = views
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                "<dgn:View><com:FileName>{f}</com:FileName><dgn:ViewIdentifier>1.{}</dgn:ViewIdentifier></dgn:View>",
                i + 1
            )
        })
        .collect();
    format!(
        "<dgn:HagueExpressTransaction><dgn:HagueCurrent><dgn:HagueRegistration>\
         <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\
         <dgn:HagueDesignBag><dgn:HagueDesign><dgn:DesignIdentifier>1</dgn:DesignIdentifier>\
         <dgn:ViewBag>{views}</dgn:ViewBag></dgn:HagueDesign></dgn:HagueDesignBag>\
         </dgn:HagueRegistration></dgn:HagueCurrent></dgn:HagueExpressTransaction>"
    )
}

fn bulletin_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><dgn:Bulletin {NS}>{}{}</dgn:Bulletin>",
        record("DM/081234", &["1.1.jpg", "1.2.jpg"]),
        record("DM/081235", &["1.1.jpg"])
    )
}

fn bulletin_zip(xml: RawEntry) -> Vec<u8> {
    RawZip::new(vec![
        xml,
        RawEntry::stored("DM081234/1.1.jpg", &jpeg(500, 1)),
        RawEntry::stored("DM081234/1.2.jpg", &jpeg(500, 2)),
        RawEntry::stored("DM081234/refusal.pdf", b"%PDF-1.4 decision"),
        RawEntry::stored("DM081235/1.1.jpg", &jpeg(500, 3)),
        RawEntry::stored("DM081235/readme.txt", b"not an image"),
    ])
    .to_bytes()
}

#[test]
fn records_stream_and_each_registration_lists_its_files() {
    let zip = bulletin_zip(RawEntry::deflated(
        "HE202601_ST96.xml",
        bulletin_xml().as_bytes(),
    ));
    let mut b = Bulletin::open(Cursor::new(zip), &Limits::default()).unwrap();
    assert_eq!(b.xml_name(), "HE202601_ST96.xml");
    let records: Vec<_> = b.records().unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].registration_number(), Some("DM/081234"));
    assert_eq!(records[1].registration_number(), Some("DM/081235"));

    let files = b.files_of("DM/081234");
    assert_eq!(
        files,
        [
            "DM081234/1.1.jpg",
            "DM081234/1.2.jpg",
            "DM081234/refusal.pdf"
        ]
    );
    assert_eq!(b.files_of("DM/081235"), ["DM081235/1.1.jpg"]);
    assert!(b.files_of("DM/999999").is_empty());
    // Every image the XML names is in its registration's folder.
    for r in &records {
        let folder = b.files_of(r.registration_number().unwrap());
        for name in r.image_file_names() {
            assert!(
                folder.iter().any(|f| f.ends_with(&format!("/{name}"))),
                "{name}"
            );
        }
    }
    let mut img = Vec::new();
    b.open_entry("DM081235/1.1.jpg")
        .unwrap()
        .read_to_end(&mut img)
        .unwrap();
    assert_eq!(img, jpeg(500, 3));

    let dir = tempfile::tempdir().unwrap();
    let out = b.extract_to(&dir.path().join("bulletin")).unwrap();
    assert_eq!(out.files, 6);
    assert_eq!(
        std::fs::read(dir.path().join("bulletin/DM081234/refusal.pdf")).unwrap(),
        b"%PDF-1.4 decision"
    );
}

#[test]
fn a_damaged_xml_fails_the_record_stream() {
    let mut xml = RawEntry::stored("b.xml", bulletin_xml().as_bytes());
    xml.crc32 ^= 1;
    let mut b = Bulletin::open(Cursor::new(bulletin_zip(xml)), &Limits::default()).unwrap();
    let results: Vec<_> = b.records().unwrap().collect();
    let err = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("the CRC mismatch must surface");
    assert!(err.to_string().contains("CRC-32"), "{err}");
}

#[test]
fn unsafe_or_xml_less_bulletins_are_refused() {
    let zip = RawZip::new(vec![RawEntry::stored("../x.xml", b"<a/>")]).to_bytes();
    assert!(matches!(
        Bulletin::open(Cursor::new(zip), &Limits::default()),
        Err(BulletinError::Refused(r)) if r.to_json()["findings"][0]["kind"] == "parent_segment"
    ));
    let zip = RawZip::new(vec![RawEntry::stored("DM1/a.jpg", &jpeg(10, 1))]).to_bytes();
    assert!(matches!(
        Bulletin::open(Cursor::new(zip), &Limits::default()),
        Err(BulletinError::Refused(r)) if r.to_json()["findings"][0]["kind"] == "no_xml"
    ));
}
