//! Reading office-to-IB documents written by offices (fixtures hand-written from the public
//! element names).

use st96_model::{
    DocumentKind, Error, FileDetail, St96Version, TransactionKind, read_office_document,
};

use crate::common::fixture;

#[test]
fn application_file_references_and_kinds() {
    let doc = read_office_document(&fixture("office/indirect_application.xml")).unwrap();
    assert_eq!(doc.kind, TransactionKind::Application);
    assert_eq!(doc.st96_version, St96Version::V4_0);
    assert_eq!(doc.office_reference.as_deref(), Some("US-IND-0001"));
    assert_eq!(doc.registration_number, None);
    let paths: Vec<_> = doc
        .file_references
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "designs/1/1.1.jpg",
            "designs/1/1.2.jpg",
            "designs/2/2.1.jpeg",
            "docs/DM1.pdf",
            "docs/power of attorney.pdf",
            "docs/misc.PDF"
        ]
    );
    let first = &doc.file_references[0];
    assert_eq!(first.element, "View");
    assert_eq!(
        first.element_path,
        "HagueApplication/HagueDesignBag/HagueDesign/ViewBag/View"
    );
    assert_eq!(
        first.detail,
        FileDetail::View {
            design: Some("1".into()),
            identifier: Some("1.1".into()),
            view_type: Some("Front".into()),
        }
    );
    assert_eq!(
        doc.file_references[2].detail,
        FileDetail::View {
            design: Some("2".into()),
            identifier: Some("2.1".into()),
            view_type: Some("Perspective".into()),
        }
    );
    assert_eq!(doc.file_references[3].element, "Document");
    assert_eq!(
        doc.file_references[4].detail,
        FileDetail::Document {
            kind: Some(DocumentKind::PowerOfAttorney)
        }
    );
    assert!(
        doc.unknown_elements.is_empty(),
        "{:?}",
        doc.unknown_elements
    );
    // The offset points at the FileName element.
    let off = first.offset as usize;
    assert!(doc.raw[off..].starts_with("<com:FileName>designs/1/1.1.jpg"));
}

#[test]
fn office_own_xml_keeps_unknown_elements_and_every_file() {
    let bytes = fixture("office/office_own_application.xml");
    let doc = read_office_document(&bytes).unwrap();
    assert_eq!(doc.st96_version, St96Version::V7_0);
    assert_eq!(doc.raw.as_bytes(), &bytes[..]);
    // The file inside the office's own element is still a file reference.
    let paths: Vec<_> = doc
        .file_references
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "internal/notes.pdf",
            "img/1.1.jpg",
            "DM1.pdf",
            "untyped.pdf"
        ]
    );
    assert_eq!(doc.file_references[0].element, "Attachment");
    // A document without DocumentKindCategory is reported with kind None.
    assert_eq!(
        doc.file_references[3].detail,
        FileDetail::Document { kind: None }
    );
    // Unknown elements: the office's namespace block and an unknown dgn element, exact text.
    let unknown: Vec<_> = doc
        .unknown_elements
        .iter()
        .map(|u| (u.path.as_str(), u.namespace.as_str()))
        .collect();
    assert_eq!(
        unknown,
        [
            (
                "HagueApplication/OfficeInternalData",
                "urn:example:kipo:extension"
            ),
            (
                "HagueApplication/HagueDesignBag/HagueDesign/DesignSpecialColourIndicator",
                st96_model::DGN
            ),
        ]
    );
    assert!(
        doc.unknown_elements[0]
            .xml
            .starts_with("<kr:OfficeInternalData>")
    );
    assert!(doc.unknown_elements[0].xml.contains("이서연"));
    assert!(
        doc.unknown_elements[0]
            .xml
            .ends_with("</kr:OfficeInternalData>")
    );
    assert_eq!(
        doc.unknown_elements[1].xml,
        "<dgn:DesignSpecialColourIndicator>true</dgn:DesignSpecialColourIndicator>"
    );
}

#[test]
fn every_transaction_kind_is_recognised() {
    let cases = [
        (
            "office/refusal_all_designs.xml",
            TransactionKind::RefusalRequest,
        ),
        (
            "office/grant_after_refusal.xml",
            TransactionKind::GrantProtectionRequest {
                prior_refusal: true,
            },
        ),
        (
            "office/grant_no_prior_refusal.xml",
            TransactionKind::GrantProtectionRequest {
                prior_refusal: false,
            },
        ),
        (
            "office/refusal_withdrawal.xml",
            TransactionKind::RefusalWithdrawalRequest,
        ),
        (
            "office/generic_communication.xml",
            TransactionKind::GenericOfficeCommunication {
                category: Some("Refusal owner change".into()),
            },
        ),
    ];
    for (file, kind) in cases {
        let doc = read_office_document(&fixture(file)).unwrap();
        assert_eq!(doc.kind, kind, "{file}");
        assert!(doc.registration_number.is_some(), "{file}");
        assert_eq!(doc.file_references.len(), 1, "{file}");
    }
    let wrap = |inner: &str| {
        format!(
            r#"<dgn:HagueOfficeToIBTransaction com:st96Version="V4_0" xmlns:com="{}" xmlns:dgn="{}">{inner}</dgn:HagueOfficeToIBTransaction>"#,
            st96_model::COM,
            st96_model::DGN
        )
    };
    for (el, kind) in [
        (
            "HagueInvalidationRequest",
            TransactionKind::InvalidationRequest,
        ),
        ("HagueDivision", TransactionKind::Division),
        (
            "HagueSecondPartFeePayable",
            TransactionKind::SecondPartFeePayable,
        ),
        ("HagueSecondPartFeePaid", TransactionKind::SecondPartFeePaid),
        (
            "HagueCancellationNonPaymentRequest",
            TransactionKind::CancellationNonPaymentRequest,
        ),
        (
            "HagueSomethingNew",
            TransactionKind::Other {
                element: "HagueSomethingNew".into(),
            },
        ),
    ] {
        let xml = wrap(&format!(
            "<dgn:{el}><com:InternationalRegistrationNumber>DM/1</com:InternationalRegistrationNumber></dgn:{el}>"
        ));
        let doc = read_office_document(xml.as_bytes()).unwrap();
        assert_eq!(doc.kind, kind);
        assert_eq!(doc.registration_number.as_deref(), Some("DM/1"));
    }
}

#[test]
fn wrong_documents_are_refused_with_reasons() {
    let ns = format!(
        r#"xmlns:com="{}" xmlns:dgn="{}""#,
        st96_model::COM,
        st96_model::DGN
    );
    // Not the wrapper.
    let e = read_office_document(format!("<dgn:HagueApplication {ns}/>").as_bytes()).unwrap_err();
    assert!(matches!(e, Error::Unexpected { .. }), "{e}");
    // Wrong namespace.
    let e = read_office_document(
        br#"<HagueOfficeToIBTransaction st96Version="V4_0"><HagueApplication/></HagueOfficeToIBTransaction>"#,
    )
    .unwrap_err();
    assert!(matches!(e, Error::WrongNamespace { offset: 0, .. }), "{e}");
    // Two transactions.
    let e = read_office_document(
        format!(r#"<dgn:HagueOfficeToIBTransaction com:st96Version="V4_0" {ns}><dgn:HagueApplication/><dgn:HagueApplication/></dgn:HagueOfficeToIBTransaction>"#).as_bytes(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("exactly one transaction"), "{e}");
    // No version.
    let e = read_office_document(
        format!(r#"<dgn:HagueOfficeToIBTransaction {ns}><dgn:HagueApplication/></dgn:HagueOfficeToIBTransaction>"#).as_bytes(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("st96Version"), "{e}");
}

#[test]
fn hostile_office_documents() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<dgn:HagueOfficeToIBTransaction>&lol2;</dgn:HagueOfficeToIBTransaction>"#;
    let e = read_office_document(laughs).unwrap_err();
    assert!(matches!(e, Error::DoctypeRefused { offset: 22 }), "{e:?}");

    let deep = format!(
        r#"<dgn:HagueOfficeToIBTransaction xmlns:dgn="{}">{}{}</dgn:HagueOfficeToIBTransaction>"#,
        st96_model::DGN,
        "<a>".repeat(200),
        "</a>".repeat(200)
    );
    let e = read_office_document(deep.as_bytes()).unwrap_err();
    assert!(matches!(e, Error::TooDeep { limit: 64, .. }), "{e:?}");

    let mut bad_utf8 = fixture("office/refusal_all_designs.xml");
    let at = bad_utf8.len() - 40;
    bad_utf8[at] = 0xFF;
    let e = read_office_document(&bad_utf8).unwrap_err();
    assert!(
        matches!(e, Error::InvalidUtf8 { offset } if offset == at as u64),
        "{e:?}"
    );

    let latin1 = br#"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#;
    assert!(matches!(
        read_office_document(latin1).unwrap_err(),
        Error::UnsupportedEncoding { .. }
    ));

    let undefined = format!(
        r#"<dgn:HagueOfficeToIBTransaction xmlns:dgn="{}">&xxe;</dgn:HagueOfficeToIBTransaction>"#,
        st96_model::DGN
    );
    assert!(matches!(
        read_office_document(undefined.as_bytes()).unwrap_err(),
        Error::Malformed { .. }
    ));
}

#[test]
fn document_kind_on_an_enclosing_element_and_several_file_names() {
    let xml = format!(
        r#"<dgn:HagueOfficeToIBTransaction com:st96Version="V4_0" xmlns:com="{}" xmlns:dgn="{}">
  <dgn:HagueDivision>
    <com:InternationalRegistrationNumber>DM/5</com:InternationalRegistrationNumber>
    <com:Document>
      <com:DocumentKindCategory>DIVISION</com:DocumentKindCategory>
      <com:DocumentFile><com:FileName>div/a.pdf</com:FileName><com:FileName>div/b.pdf</com:FileName></com:DocumentFile>
    </com:Document>
  </dgn:HagueDivision>
</dgn:HagueOfficeToIBTransaction>"#,
        st96_model::COM,
        st96_model::DGN
    );
    let doc = read_office_document(xml.as_bytes()).unwrap();
    assert_eq!(doc.kind, TransactionKind::Division);
    let refs: Vec<_> = doc
        .file_references
        .iter()
        .map(|f| (f.path.as_str(), f.element.as_str(), f.detail.clone()))
        .collect();
    let division = FileDetail::Document {
        kind: Some(DocumentKind::Division),
    };
    assert_eq!(
        refs,
        [
            ("div/a.pdf", "DocumentFile", division.clone()),
            ("div/b.pdf", "DocumentFile", division)
        ]
    );
    // DocumentFile is not in the vocabulary: it is kept as unknown, with its file names.
    assert_eq!(doc.unknown_elements.len(), 1);
    assert!(doc.unknown_elements[0].xml.contains("div/b.pdf"));
}

#[test]
fn default_namespace_and_other_prefixes_read_the_same() {
    // The same refusal as the golden file, written with a default namespace for Design and
    // `c:` for Common, attributes in another order and no indentation.
    let xml = format!(
        r#"<?xml version='1.0' encoding='utf-8'?><HagueOfficeToIBTransaction xmlns:c="{}" c:st96Version="V4_0" xmlns="{}"><HagueRefusalRequest><c:OfficeReferenceIdentifier>ES-REF-2024-001</c:OfficeReferenceIdentifier><c:InternationalRegistrationNumber>DM/081234</c:InternationalRegistrationNumber><c:RecordNotifyingOfficeCode>ES</c:RecordNotifyingOfficeCode><c:DecisionDate>2024-03-01</c:DecisionDate><AffectedDesign><AllDesignsIndicator>true</AllDesignsIndicator></AffectedDesign><c:DocumentBag><c:Document><c:FileName>refusal.pdf</c:FileName><c:DocumentKindCategory>REFUSAL_DECISION</c:DocumentKindCategory></c:Document></c:DocumentBag></HagueRefusalRequest></HagueOfficeToIBTransaction>"#,
        st96_model::COM,
        st96_model::DGN
    );
    let doc = read_office_document(xml.as_bytes()).unwrap();
    assert_eq!(doc.kind, TransactionKind::RefusalRequest);
    assert!(doc.unknown_elements.is_empty());
    let golden =
        st96_model::Decision::from_xml(&fixture("office/refusal_all_designs.xml")).unwrap();
    assert_eq!(
        st96_model::Decision::from_xml(xml.as_bytes()).unwrap(),
        golden
    );
}
