//! Every example body of the guide parses and re-serialises to equal JSON.

use firmadoc_model::{
    AttachmentUpload, Country, DeviceInfo, Orientation, PageFormat, PlacementKind, Position,
    Received, RecipientResponse, Sending, SendingKind, SignatureKind, Template, UsageSummary,
    WebhookDelivery,
};

use crate::json::{assert_key_order, fixture, json_eq, round_trip};

#[test]
fn template_single_signature() {
    let t: Template = round_trip(&fixture("template-single.json"));
    assert_eq!(t.name(), "Plantilla 1");
    assert_eq!(t.orientation(), Orientation::Vertical);
    assert_eq!(t.page_format(), PageFormat::A4);
    assert!(t.seal().is_none());
    assert!(!t.is_multi_signature());
    assert_eq!(t.user(), Some("ejemplo@mail.com"));
    let pages: Vec<i16> = t
        .placements()
        .iter()
        .map(|p| match p.position() {
            Position::At { page, .. } => page.get(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(pages, [1, 3]);
}

#[test]
fn template_multi_signature() {
    let t: Template = round_trip(&fixture("template-multi.json"));
    assert!(t.is_multi_signature());
    assert_eq!(t.recipient_count(), 3);
    assert_eq!(t.signature_size().1.get(), 5.0);
    let recipients: Vec<u8> = t.placements().iter().map(|p| p.recipient()).collect();
    assert_eq!(recipients, [1, 2, 3]);
    assert!(
        t.placements()
            .iter()
            .all(|p| p.kind() == PlacementKind::Signature)
    );
    match t.placements()[2].position() {
        Position::At { x, y, .. } => assert_eq!((x.get(), y.get()), (3.0, 4.0)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn template_from_the_curl_example_has_no_user() {
    let t: Template = round_trip(&fixture("template-multi-curl.json"));
    assert_eq!(t.user(), None);
    let written = serde_json::to_string(&t).unwrap();
    assert!(!written.contains("Usuario"));
}

#[test]
fn sending_two_independent_by_email_with_certificate() {
    let s: Sending = round_trip(&fixture("sending-independent.json"));
    assert_eq!(
        s.recipients(),
        ["destinatario1@gmail.com", "destinatario2@gmail.com"]
    );
    assert_eq!(s.sending_kind(), SendingKind::Email);
    assert_eq!(s.signature_kind(), Some(SignatureKind::Certificate));
    assert_eq!(s.expiry_days().get(), 25);
    assert_eq!(s.country(), Country::Spain);
    assert_eq!(s.attachments(), ["DNI"]);
    assert_eq!(s.customer_id(), Some("env.1234"));
    // The guide prints only the first 205 base64 characters of the PDF.
    assert_eq!(s.document().as_str().len(), 205);
    assert!(s.document().decode().is_err());
}

#[test]
fn sending_multi_signature_by_sms() {
    let s: Sending = round_trip(&fixture("sending-multi.json"));
    assert_eq!(s.recipients(), ["666666666", "666777888", "666111222"]);
    assert_eq!(s.sending_kind(), SendingKind::Sms);
    assert_eq!(s.signature_kind(), Some(SignatureKind::Handwritten));
    assert!(s.is_multi_signature());
    assert!(!s.has_priority());
    assert_eq!(s.template(), "Multifirma");
    assert!(s.attachments().is_empty());
    // "España" leaves as UTF-8, with its ñ, not as an escape.
    let written = serde_json::to_string(&s).unwrap();
    assert!(written.contains("\"Pais\":\"Espa\u{f1}a\""), "{written}");
}

#[test]
fn sending_keys_are_the_guides_in_its_order() {
    let s: Sending = serde_json::from_str(&fixture("sending-independent.json")).unwrap();
    let written = serde_json::to_string(&s).unwrap();
    assert_key_order(
        &written,
        &[
            "Asunto",
            "Emisor",
            "Id",
            "Receptores",
            "TipoEnvio",
            "TipoFirma",
            "DiasCaducidad",
            "Multifirma",
            "ConPrioridad",
            "Pais",
            "Plantilla",
            "Documento",
            "Adjuntos",
            "Usuario",
        ],
    );
}

#[test]
fn template_keys_are_the_guides_in_its_order() {
    let t: Template = serde_json::from_str(&fixture("template-single.json")).unwrap();
    let written = serde_json::to_string(&t).unwrap();
    assert_key_order(
        &written,
        &[
            "NomPlantilla",
            "Orientacion",
            "CodFormato",
            "Sello",
            "AltoFirma",
            "AnchoFirma",
            "AltoSello",
            "AnchoSello",
            "Multifirma",
            "NumeroDestinatarios",
            "PlantillaPorDefecto",
            "UbicacionFirmas",
            "IdDestinatario",
            "NumPagina",
            "TipoFirma",
            "X",
            "Y",
            "Texto",
            "Usuario",
        ],
    );
}

#[test]
fn device_info_schema() {
    let d: DeviceInfo = round_trip(&fixture("schema-device-info.json"));
    let written = serde_json::to_string(&d).unwrap();
    // The bodies spell OSVersion; the tables' OsVersion is read but never written.
    assert!(written.contains("\"OSVersion\":"));
    assert!(!written.contains("OsVersion"));
    assert_key_order(
        &written,
        &["OsName", "OSVersion", "Model", "Username", "DeviceID"],
    );
    let from_table: DeviceInfo = serde_json::from_str(
        r#"{"OsName":"iphone","OsVersion":"13.4.1","Model":"","Username":"","DeviceID":""}"#,
    )
    .unwrap();
    assert_eq!(from_table.os_version, "13.4.1");
}

#[test]
fn the_curl_sending_detail_body_is_device_info_with_two_stray_fields() {
    let text = fixture("device-info-curl-with-operation.json");
    let d: DeviceInfo = serde_json::from_str(&text).unwrap();
    assert_eq!(d.model, "samsung SM-JF342");
    let mut expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    let map = expected.as_object_mut().unwrap();
    assert_eq!(map.remove("Operacion"), Some("L".into()));
    assert_eq!(map.remove("DatoAuxiliar"), Some("".into()));
    assert!(json_eq(&expected, &serde_json::to_value(&d).unwrap()));
    // "L" is no operation of /AddresseeResponse (F, R, FC, FS).
    let err = serde_json::from_str::<RecipientResponse>(&text).unwrap_err();
    assert!(
        err.to_string().contains("`Operacion` cannot be `L`"),
        "{err}"
    );
}

#[test]
fn attachment_schema() {
    let a: AttachmentUpload = round_trip(&fixture("schema-attachment.json"));
    assert_eq!(a.image.as_str(), "string");
    assert_eq!(a.file_name, "string");
}

#[test]
fn summary_schema() {
    let s: UsageSummary = round_trip(&fixture("schema-summary.json"));
    assert_eq!(s, UsageSummary::default());
}

#[test]
fn webhook_schema() {
    let d: WebhookDelivery = round_trip(&fixture("schema-webhook.json"));
    assert_eq!(d.id, "string");
    assert_eq!(d.notifications.len(), 1);
    let n = &d.notifications[0];
    assert_eq!(n.action, Some(Received::Unknown("string".to_owned())));
    assert_eq!(n.id2, Some(0));
    assert_eq!(n.date.as_ref().map(|d| d.raw()), Some("string"));
    assert!(n.date.as_ref().is_some_and(|d| d.parsed().is_none()));
    assert!(n.extra.is_empty(), "{:?}", n.extra);
}
