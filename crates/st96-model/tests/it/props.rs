//! Property tests: random builder inputs survive the round trip; the readers never panic.

use proptest::prelude::*;
use st96_model::{
    Address, Applicant, Application, BulletinReader, Date, Decision, Design, DocumentKind,
    LocalizedText, PartyName, St96Version, View, read_office_document,
};

use crate::common::{Trickle, fixture};

/// Text that is mostly valid, with XML-special and non-ASCII characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[A-Za-z0-9 .,'&<>\"éüßñÅ東京ø\t\n-]{1,24}",
        1 => any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
    ]
}

fn path(ext: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z0-9 _é-]{1,8}", 1..4)
        .prop_map(move |parts| format!("{}{ext}", parts.join("/")))
}

fn version() -> impl Strategy<Value = St96Version> {
    prop_oneof![Just(St96Version::V4_0), Just(St96Version::V7_0)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decisions_round_trip(
        kind in 0u8..4,
        irn in "(DM/)?[0-9]{1,7}",
        reference in prop::option::of(text()),
        office in prop::option::of("[A-Z]{2}"),
        date in prop::option::of((1900u16..2100, 1u8..13, 1u8..29)),
        designs in prop::option::of(prop::collection::vec(1u32..500, 1..6)),
        doc in path(".pdf"),
        v in version(),
    ) {
        let b = match kind {
            0 => Decision::refusal(),
            1 => Decision::grant_protection(true),
            2 => Decision::grant_protection(false),
            _ => Decision::refusal_withdrawal(),
        };
        let mut b = b.registration_number(irn.clone());
        if let Some(r) = reference { b = b.office_reference(r); }
        if let Some(o) = office { b = b.notifying_office(o); }
        if let Some((y, m, d)) = date { b = b.decision_date(Date::new(y, m, d).unwrap()); }
        b = match designs { Some(list) => b.designs(list), None => b.all_designs() };
        b = if kind == 3 {
            b.document_of_kind(doc.clone(), DocumentKind::RefusalWithdrawalChange)
        } else {
            b.document(doc.clone())
        };
        if let Ok(decision) = b.build() {
            let xml = decision.to_xml(&v);
            let back = Decision::from_xml(xml.as_bytes()).unwrap();
            prop_assert_eq!(&back, &decision);
            let read = read_office_document(xml.as_bytes()).unwrap();
            prop_assert_eq!(read.registration_number.as_deref(), Some(irn.as_str()));
            prop_assert_eq!(read.st96_version, v);
            prop_assert_eq!(read.file_references.len(), 1);
            prop_assert_eq!(&read.file_references[0].path, &doc);
            prop_assert!(read.unknown_elements.is_empty());
        }
    }

    #[test]
    fn applications_round_trip(
        org in prop::option::of(text()),
        first in prop::option::of(text()),
        last in text(),
        lines in prop::collection::vec(text(), 0..3),
        city in text(),
        postal in prop::option::of("[0-9A-Z -]{1,8}"),
        designated in prop::collection::vec("[A-Z]{2}", 1..4),
        designs in prop::collection::vec(
            (text(), prop::collection::vec((path(".jpg"), prop::option::of(text())), 0..4)),
            1..4,
        ),
        docs in prop::collection::vec((path(".pdf"), 0u8..3), 0..3),
        v in version(),
    ) {
        let name = match org {
            Some(o) => PartyName::Organization(o),
            None => PartyName::Person { first, last },
        };
        let mut b = Application::builder().applicant(Applicant {
            name,
            address: Address { lines, city, postal_code: postal, country: "FR".into() },
        });
        for c in designated { b = b.designate(c); }
        let mut n_views = 0;
        for (i, (product, views)) in designs.into_iter().enumerate() {
            let views: Vec<View> = views
                .into_iter()
                .enumerate()
                .map(|(j, (p, vt))| View {
                    identifier: format!("{}.{}", i + 1, j + 1),
                    path: format!("d{}/{p}", i + 1),
                    view_type: vt,
                })
                .collect();
            n_views += views.len();
            b = b.design(Design {
                identifier: i as u32 + 1,
                product: vec![LocalizedText { language: "en".into(), text: product }],
                views,
            });
        }
        for (p, k) in &docs {
            let kind = match k {
                0 => DocumentKind::InternationalDesignApplication,
                1 => DocumentKind::PowerOfAttorney,
                _ => DocumentKind::Miscellaneous,
            };
            b = b.document(format!("docs/{p}"), kind);
        }
        if let Ok(app) = b.build() {
            let xml = app.to_xml(&v);
            let back = Application::from_xml(xml.as_bytes()).unwrap();
            prop_assert_eq!(&back, &app);
            let read = read_office_document(xml.as_bytes()).unwrap();
            prop_assert_eq!(read.file_references.len(), n_views + docs.len());
            prop_assert!(read.unknown_elements.is_empty());
        }
    }

    #[test]
    fn bulletin_reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for item in BulletinReader::new(&bytes[..]) {
            let _ = item;
        }
    }

    #[test]
    fn bulletin_reader_never_panics_on_damaged_bulletins(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        limit in 64usize..100_000,
    ) {
        let mut bytes = fixture("bulletin/per_kind_bags.xml");
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let cut = cut.index(bytes.len() + 1);
        let count = BulletinReader::new(&bytes[..cut])
            .with_max_record_bytes(limit)
            .take(100)
            .count();
        prop_assert!(count <= 100);
    }

    #[test]
    fn chunk_boundaries_never_change_the_records(seed in any::<u64>(), n in 1usize..5000) {
        let mut bytes = Vec::new();
        st96_model::synth::write_bulletin(&mut bytes, 12, seed).unwrap();
        let whole: Vec<_> = BulletinReader::new(&bytes[..]).collect::<Result<_, _>>().unwrap();
        let cut: Vec<_> = BulletinReader::new(Trickle { data: &bytes, n })
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(whole.len(), 12);
        prop_assert_eq!(cut, whole);
    }

    #[test]
    fn office_reader_never_panics(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = fixture("office/office_own_application.xml");
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let cut = cut.index(bytes.len() + 1);
        let _ = read_office_document(&bytes[..cut]);
        let _ = st96_model::ServiceRequestStatus::parse(&bytes[..cut]);
    }
}
