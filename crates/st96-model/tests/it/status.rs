//! HWS status replies (inferred shapes; see docs/st96.md).

use st96_model::{ImportStatus, ProcessingStatus, ServiceRequestStatus};

use crate::common::fixture;

#[test]
fn processing_status_labels_in_three_languages() {
    use ProcessingStatus::*;
    let cases = [
        // The six labels of the HWS guide (Spanish), verbatim.
        ("No definido", Undefined),
        ("En trámite", InProcess),
        ("Pendiente de regularización", PendingRegularization),
        ("Registrado", Registered),
        ("Abandonado", Abandoned),
        ("Anulado", Cancelled),
        // English, with case and spacing variants.
        ("UNDEFINED", Undefined),
        ("in process", InProcess),
        ("IN_PROCESS", InProcess),
        ("  Pending   Regularization ", PendingRegularization),
        ("pending-regularisation", PendingRegularization),
        ("Registered", Registered),
        ("abandoned", Abandoned),
        ("Cancelled", Cancelled),
        ("CANCELED", Cancelled),
        // French.
        ("Non défini", Undefined),
        ("En cours de traitement", InProcess),
        ("En attente de régularisation", PendingRegularization),
        ("Enregistré", Registered),
        ("Abandonné", Abandoned),
        ("Annulé", Cancelled),
        ("EN_TRÁMITE", InProcess),
    ];
    for (label, want) in cases {
        assert_eq!(ProcessingStatus::parse(label), want, "{label:?}");
    }
    assert_eq!(
        ProcessingStatus::parse(" Suspended "),
        Unknown("Suspended".into())
    );
    assert_eq!(
        "registrado".parse::<ProcessingStatus>().unwrap(),
        Registered
    );
    assert_eq!(PendingRegularization.to_string(), "Pending regularization");
}

#[test]
fn service_request_status_xml() {
    let body = fixture("status/sr_status.xml");
    let s = ServiceRequestStatus::parse(&body).unwrap();
    assert_eq!(s.request_identifier.as_deref(), Some("REQ-7781"));
    assert_eq!(
        s.processing_status,
        Some(ProcessingStatus::PendingRegularization)
    );
    assert_eq!(s.service_request_number.as_deref(), Some("SR-2024-000123"));
    assert_eq!(s.registration_number.as_deref(), Some("DM/081234"));
    assert_eq!(s.expected_publication_date.as_deref(), Some("2024-06-14"));
    assert!(s.fields.iter().any(|(k, v)| k == "Deeper" && v == "value"));
    assert_eq!(s.raw.as_bytes(), &body[..]);
}

#[test]
fn service_request_status_json() {
    let s = ServiceRequestStatus::parse(&fixture("status/sr_status.json")).unwrap();
    assert_eq!(s.request_identifier.as_deref(), Some("REQ-7782"));
    assert_eq!(s.processing_status, Some(ProcessingStatus::InProcess));
    assert_eq!(s.service_request_number.as_deref(), Some("SR-2024-000124"));
    assert_eq!(s.registration_number.as_deref(), Some("DM/204567"));
    assert_eq!(s.expected_publication_date, None);
    assert!(s.fields.iter().any(|(k, v)| k == "note" && v == "unknown"));
}

#[test]
fn import_status_json_and_xml() {
    let s = ImportStatus::parse(&fixture("status/import_status.json")).unwrap();
    assert_eq!(
        s.import_id.as_deref(),
        Some("6f1c2a90-1b7e-4c2e-9a55-0d4b8f3e2a11")
    );
    assert_eq!(s.status.as_deref(), Some("IMPORTED"));
    assert_eq!(s.service_request_number.as_deref(), Some("SR-2024-000125"));
    let s = ImportStatus::parse(&fixture("status/import_status.xml")).unwrap();
    assert_eq!(s.import_id.as_deref(), Some("IMP-99"));
    assert_eq!(s.status.as_deref(), Some("PENDING"));
    assert_eq!(s.service_request_number, None);
}

#[test]
fn status_replies_never_fail_on_unknown_content() {
    let s = ServiceRequestStatus::parse(b"<Anything><Whatever x='1'/></Anything>").unwrap();
    assert_eq!(s.processing_status, None);
    let s = ServiceRequestStatus::parse(b"<r><Status>Frozen</Status></r>").unwrap();
    assert_eq!(
        s.processing_status,
        Some(ProcessingStatus::Unknown("Frozen".into()))
    );
    let s = ImportStatus::parse(b"plain text id").unwrap();
    assert_eq!(s.fields, [("text".to_owned(), "plain text id".to_owned())]);
    // Broken input is still an error, with an offset.
    assert!(ServiceRequestStatus::parse(b"{\"a\": ").is_err());
    assert!(ServiceRequestStatus::parse(b"<!DOCTYPE x><x/>").is_err());
}

#[test]
fn import_id_found_in_every_plausible_reply_shape() {
    let id = |body: &str| ImportStatus::parse(body.as_bytes()).unwrap().import_id;
    let some = |s: &str| Some(s.to_owned());
    // JSON objects, any plausible key, any case, nested.
    assert_eq!(id(r#"{"importId":"IMP-1"}"#), some("IMP-1"));
    assert_eq!(id(r#"{"IMPORT_ID":"IMP-2"}"#), some("IMP-2"));
    assert_eq!(
        id(r#"{"data":{"import-package-id":"IMP-3"}}"#),
        some("IMP-3")
    );
    assert_eq!(id(r#"{"importReference":77}"#), some("77"));
    assert_eq!(id(r#"{"status":"RECEIVED","id":"IMP-4"}"#), some("IMP-4"));
    assert_eq!(id(r#"{"ImportIdentifier":"A","id":"B"}"#), some("A"));
    // A JSON string, a JSON number, bare text.
    assert_eq!(id(r#""IMP-5""#), some("IMP-5"));
    assert_eq!(id("123456"), some("123456"));
    assert_eq!(id("IMP-6\n"), some("IMP-6"));
    // An XML element.
    assert_eq!(
        id("<r><ns:ImportIdentifier xmlns:ns=\"urn:x\">IMP-7</ns:ImportIdentifier></r>"),
        some("IMP-7")
    );
    // Nothing that is plausibly an id.
    for body in [
        "OK",
        "Accepted",
        "",
        "true",
        "the package was received",
        r#"{"accepted":true}"#,
        "<html><body>Thanks</body></html>",
    ] {
        assert_eq!(id(body), None, "{body:?}");
    }
}

#[test]
fn lenient_parse_never_fails_and_keeps_the_raw_reply() {
    let s = ImportStatus::parse_lenient(b"<broken");
    assert_eq!((s.import_id, s.raw.as_str()), (None, "<broken"));
    let s = ImportStatus::parse_lenient(b"\xff\xfe");
    assert_eq!(s.raw, "\u{fffd}\u{fffd}");
    assert!(ImportStatus::parse(b"<broken").is_err());
}

#[test]
fn failed_imports_are_recognised_and_nothing_else() {
    let state = |status: &str| {
        ImportStatus::parse(format!(r#"{{"importId":"I","status":"{status}"}}"#).as_bytes())
            .unwrap()
    };
    for failed in [
        "FAILED",
        "Import failed",
        "REJECTED",
        "ERROR",
        "invalid",
        "KO",
        "Rechazado",
        "Échec",
        "import_error",
    ] {
        assert!(state(failed).is_failed(), "{failed}");
    }
    for fine in [
        "RECEIVED",
        "PENDING",
        "IMPORTED",
        "In progress",
        "Done",
        "token",
    ] {
        assert!(!state(fine).is_failed(), "{fine}");
    }
    // A service request number means the import went through.
    let s = ImportStatus::parse(br#"{"status":"ERROR","serviceRequestNumber":"SR-1"}"#).unwrap();
    assert!(!s.is_failed());
}

#[test]
fn final_statuses_and_known_labels() {
    use ProcessingStatus::*;
    let finals: Vec<_> = ProcessingStatus::ALL
        .iter()
        .filter(|s| s.is_final())
        .cloned()
        .collect();
    assert_eq!(finals, vec![Registered, Abandoned, Cancelled]);
    assert_eq!(ProcessingStatus::parse_known("Anulado"), Some(Cancelled));
    assert_eq!(ProcessingStatus::parse_known("annulé"), Some(Cancelled));
    assert_eq!(ProcessingStatus::parse_known("en trámite"), Some(InProcess));
    assert_eq!(ProcessingStatus::parse_known("Registred"), None);
    assert_eq!(ProcessingStatus::parse_known("done"), None);
    for s in ProcessingStatus::ALL {
        assert_eq!(
            ProcessingStatus::parse_known(s.spanish_label()),
            Some(s.clone())
        );
        assert_eq!(ProcessingStatus::parse_known(s.label()), Some(s.clone()));
    }
}

#[test]
fn expected_publication_date_is_read_under_its_plausible_names() {
    for body in [
        r#"{"expectedPublicationDate":"2025-01-10"}"#,
        r#"{"fechaPrevistaDePublicacion":"2025-01-10"}"#,
        r#"{"Fecha prevista de publicación":"2025-01-10"}"#,
        "<s><dgn:ExpectedPublicationDate xmlns:dgn=\"urn:d\">2025-01-10</dgn:ExpectedPublicationDate></s>",
        "<s><PublicationDate>2025-01-10</PublicationDate></s>",
    ] {
        let s = ServiceRequestStatus::parse(body.as_bytes()).unwrap();
        assert_eq!(
            s.expected_publication_date.as_deref(),
            Some("2025-01-10"),
            "{body}"
        );
    }
    let s = ServiceRequestStatus::parse(br#"{"processingStatus":"En tramite"}"#).unwrap();
    assert_eq!(s.expected_publication_date, None);
}
