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
