//! Each rule of the guide: broken on purpose, it gives its own error.

use firmadoc_model::{
    Country, ModelError, ModelWarning, Orientation, Page, PageFormat, PlacementKind,
    PlacementParts, Sending, SendingBuilder, SendingKind, SignatureKind, SignaturePlacement,
    Template, TemplateBuilder, TemplateRef, is_plausible_email, is_plausible_phone,
};
use proptest::prelude::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n";

fn single_email() -> SendingBuilder {
    Sending::builder()
        .subject("Contrato")
        .sender("ACME")
        .recipient("ana@example.com")
        .sending_kind(SendingKind::Email)
        .expiry_days(5)
        .country(Country::Spain)
        .template(TemplateRef::single("Plantilla 1"))
        .document_pdf(PDF)
}

fn multi_email() -> SendingBuilder {
    single_email()
        .recipient("luis@example.com")
        .multi_signature(true)
        .template(TemplateRef::multi_signature("Multifirma"))
}

fn template() -> TemplateBuilder {
    Template::builder("Plantilla 1")
        .orientation(Orientation::Vertical)
        .page_format(PageFormat::A4)
        .signature_size(2.0, 5.0)
}

#[test]
fn the_bases_are_valid() {
    single_email().build().unwrap();
    multi_email().build().unwrap();
    multi_email().priority(true).build().unwrap();
    single_email()
        .sending_kind(SendingKind::Link)
        .build()
        .unwrap();
    single_email()
        .signature_kind(SignatureKind::Otp)
        .build()
        .unwrap();
    multi_email()
        .signature_kind(SignatureKind::Either)
        .build()
        .unwrap();
}

#[test]
fn link_sending_cannot_be_multi_signature() {
    let err = multi_email()
        .sending_kind(SendingKind::Link)
        .build()
        .unwrap_err();
    assert_eq!(err, ModelError::LinkMultiSignature);
}

#[test]
fn certificate_signing_cannot_be_multi_signature() {
    let err = multi_email()
        .signature_kind(SignatureKind::Certificate)
        .build()
        .unwrap_err();
    assert_eq!(err, ModelError::CertificateMultiSignature);
}

#[test]
fn otp_signing_cannot_use_link_sending() {
    let err = single_email()
        .sending_kind(SendingKind::Link)
        .signature_kind(SignatureKind::Otp)
        .build()
        .unwrap_err();
    assert_eq!(err, ModelError::OtpWithLink);
}

#[test]
fn multi_signature_needs_a_multi_signature_template() {
    let err = multi_email()
        .template(TemplateRef::single("Plantilla 1"))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::MultiSignatureTemplateRequired {
            template: "Plantilla 1".into()
        }
    );
    // Known from the template itself.
    let t = template()
        .placement(SignaturePlacement::signature_at(0, Page::ALL, 1.0, 1.0).unwrap())
        .build()
        .unwrap();
    let err = multi_email().template(&t).build().unwrap_err();
    assert!(matches!(
        err,
        ModelError::MultiSignatureTemplateRequired { .. }
    ));
    // Unknown kind (as read from JSON): not checked.
    multi_email()
        .template(TemplateRef::named("Plantilla 1"))
        .build()
        .unwrap();
}

/// The guide states no minimum of recipients for a multi-signature sending: one is
/// built and sent, with a warning.
#[test]
fn multi_signature_with_one_recipient_is_a_warning() {
    let sending = single_email()
        .multi_signature(true)
        .template(TemplateRef::multi_signature("Multifirma"))
        .build()
        .unwrap();
    assert!(sending.is_multi_signature());
    assert_eq!(
        sending.warnings(),
        [ModelWarning::MultiSignatureWithOneRecipient]
    );
    let two = multi_email().build().unwrap();
    assert!(two.warnings().is_empty());
}

/// "Esta propiedad sólo se tiene en cuenta en los envíos multifirma": ignored, so a
/// warning, and the body still carries `ConPrioridad` as the caller set it.
#[test]
fn priority_without_multi_signature_is_ignored_with_a_warning() {
    let sending = single_email().priority(true).build().unwrap();
    assert!(sending.has_priority());
    assert_eq!(sending.warnings(), [ModelWarning::PriorityIgnored]);
    let json = serde_json::to_value(&sending).unwrap();
    assert_eq!(json["ConPrioridad"], true);
    assert!(json.get("warnings").is_none());
    assert!(
        ModelWarning::PriorityIgnored
            .to_string()
            .contains("sólo se tiene en cuenta")
    );
    // A body read from JSON gets the same treatment.
    let read: Sending = serde_json::from_value(json).unwrap();
    assert_eq!(read.warnings(), [ModelWarning::PriorityIgnored]);
}

#[test]
fn expiry_days_must_be_1_to_255() {
    for days in [0, 256, -1, 1000] {
        let err = single_email().expiry_days(days).build().unwrap_err();
        assert_eq!(err, ModelError::ExpiryDaysOutOfRange { days });
    }
    single_email().expiry_days(1).build().unwrap();
    single_email().expiry_days(255).build().unwrap();
    let json = r#"{"Asunto":"a","Emisor":"b","Receptores":"ana@example.com","TipoEnvio":"E",
        "DiasCaducidad":0,"Pais":"España","Plantilla":"P","Documento":""}"#;
    let err = serde_json::from_str::<Sending>(json).unwrap_err();
    assert!(
        err.to_string().contains("DiasCaducidad must be 1 to 255"),
        "{err}"
    );
}

#[test]
fn email_recipients_must_be_email_addresses() {
    let err = single_email().recipient("666777888").build().unwrap_err();
    assert_eq!(
        err,
        ModelError::InvalidEmail {
            index: 1,
            value: "666777888".into()
        }
    );
}

#[test]
fn sms_recipients_must_be_phone_numbers() {
    let err = Sending::builder()
        .subject("s")
        .sender("e")
        .recipients(["666666666", "ana@example.com"])
        .sending_kind(SendingKind::Sms)
        .expiry_days(5)
        .country(Country::Spain)
        .template(TemplateRef::single("P"))
        .document_pdf(PDF)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::InvalidPhone {
            index: 1,
            value: "ana@example.com".into()
        }
    );
}

#[test]
fn link_recipients_may_be_anything_but_commas() {
    single_email()
        .sending_kind(SendingKind::Link)
        .recipient("Luis García")
        .build()
        .unwrap();
}

#[test]
fn the_lenient_checks_are_documented_ones() {
    for ok in [
        "ana@example.com",
        "a.b+c@sub.example.es",
        "o'brien@example.ie",
        " ana@example.com ",
    ] {
        assert!(is_plausible_email(ok), "{ok}");
    }
    for bad in [
        "ana",
        "ana@",
        "@example.com",
        "ana@example",
        "ana@example..com",
        "a,b@x.com",
        "ana @x.com",
    ] {
        assert!(!is_plausible_email(bad), "{bad}");
    }
    for ok in [
        "666666666",
        "+34 666 77 88 99",
        "(91) 555-12-34",
        "0049.30.123456",
    ] {
        assert!(is_plausible_phone(ok), "{ok}");
    }
    for bad in [
        "12345",
        "+34 666 77 88 99 00 11 22 33",
        "666-ABC-123",
        "ana@example.com",
        "",
    ] {
        assert!(!is_plausible_phone(bad), "{bad}");
    }
}

#[test]
fn text_placement_needs_page_x_and_y_at_zero() {
    let err = template()
        .placement(PlacementParts::new(
            0,
            PlacementKind::Signature,
            1,
            0.0,
            0.0,
            "Fdo. Por el Cliente",
        ))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::TextPlacementNotAtZero {
            index: 0,
            page: 1,
            x: 0.0,
            y: 0.0
        }
    );
    let err = template()
        .placement(SignaturePlacement::signature_at(0, Page::ALL, 1.0, 1.0).unwrap())
        .placement(PlacementParts::new(
            0,
            PlacementKind::Signature,
            0,
            0.0,
            2.5,
            "Fdo.",
        ))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::TextPlacementNotAtZero {
            index: 1,
            page: 0,
            x: 0.0,
            y: 2.5
        }
    );
    template()
        .placement(SignaturePlacement::signature_below_text(
            0,
            "Fdo. Por el Cliente",
        ))
        .build()
        .unwrap();
    // Read from JSON, the same rule holds.
    let json = r#"{"NomPlantilla":"P","Orientacion":"V","CodFormato":"A4","Sello":"",
        "AltoFirma":2.0,"AnchoFirma":2.0,"AltoSello":0,"AnchoSello":0,"Multifirma":false,
        "NumeroDestinatarios":0,"PlantillaPorDefecto":false,"UbicacionFirmas":[
        {"IdDestinatario":0,"NumPagina":2,"TipoFirma":"F","X":0.0,"Y":0.0,"Texto":"Fdo."}]}"#;
    let err = serde_json::from_str::<Template>(json).unwrap_err();
    assert!(
        err.to_string().contains("NumPagina, X and Y must be 0"),
        "{err}"
    );
}

#[test]
fn a_text_placement_is_written_at_zero() {
    let t = template()
        .placement(SignaturePlacement::signature_below_text(
            0,
            "Fdo. Por el Cliente",
        ))
        .build()
        .unwrap();
    let v = serde_json::to_value(&t).unwrap();
    let p = &v["UbicacionFirmas"][0];
    assert_eq!(p["NumPagina"], 0);
    assert_eq!(p["X"], 0.0);
    assert_eq!(p["Y"], 0.0);
    assert_eq!(p["Texto"], "Fdo. Por el Cliente");
}

#[test]
fn placement_recipients_fit_the_template() {
    let err = template()
        .placement(SignaturePlacement::signature_at(1, Page::ALL, 1.0, 1.0).unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::PlacementRecipient {
            index: 0,
            recipient: 1,
            ..
        }
    ));
    let err = template()
        .multi_signature(2)
        .placement(SignaturePlacement::signature_at(3, Page::ALL, 1.0, 1.0).unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::PlacementRecipient { recipient: 3, .. }
    ));
    let err = template()
        .multi_signature(2)
        .placement(PlacementParts::new(1, PlacementKind::Seal, 1, 1.0, 1.0, ""))
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::PlacementRecipient { recipient: 1, .. }
    ));
    let err = template().build().unwrap_err();
    assert_eq!(err, ModelError::NoPlacements);
}

#[test]
fn measures_and_pages_are_checked() {
    assert!(SignaturePlacement::signature_at(0, Page::ALL, -1.0, 0.0).is_err());
    assert!(SignaturePlacement::signature_at(0, Page::ALL, f32::NAN, 0.0).is_err());
    assert_eq!(Page::new(-2), Err(ModelError::NegativePage { page: -2 }));
    let err = Template::builder("P")
        .orientation(Orientation::Horizontal)
        .page_format(PageFormat::A3)
        .signature_size(f32::INFINITY, 2.0)
        .placement(SignaturePlacement::seal_at(Page::ALL, 0.0, 0.0).unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::InvalidMeasure {
            field: "AltoFirma",
            ..
        }
    ));
}

#[test]
fn other_sending_checks() {
    assert_eq!(
        Sending::builder().subject("s").build().unwrap_err(),
        ModelError::Missing { field: "Emisor" }
    );
    let no_recipients = Sending::builder()
        .subject("s")
        .sender("e")
        .sending_kind(SendingKind::Link)
        .expiry_days(3)
        .country(Country::Peru)
        .template(TemplateRef::single("P"))
        .document_pdf(PDF)
        .build();
    assert_eq!(no_recipients.unwrap_err(), ModelError::NoRecipients);
    let err = single_email().recipient("").build().unwrap_err();
    assert!(matches!(
        err,
        ModelError::BadListItem {
            field: "Receptores",
            index: 1,
            ..
        }
    ));
    let err = single_email()
        .recipient("x@example.com,y@example.com")
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::BadListItem {
            field: "Receptores",
            ..
        }
    ));
    let err = single_email().attachment("DNI,Nómina").build().unwrap_err();
    assert!(matches!(
        err,
        ModelError::BadListItem {
            field: "Adjuntos",
            ..
        }
    ));
    let err = single_email().user("ejemplo").build().unwrap_err();
    assert!(matches!(
        err,
        ModelError::NotAnEmail {
            field: "Usuario",
            ..
        }
    ));
    let err = single_email()
        .document_pdf(b"JVBERi0xLjc=")
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        ModelError::WrongFileKind {
            field: "Documento",
            ..
        }
    ));
    let strict = serde_json::from_str::<Sending>(
        r#"{"Asunto":"a","Emisor":"b","Receptores":"ana@example.com","TipoEnvio":"X",
        "DiasCaducidad":3,"Pais":"España","Plantilla":"P","Documento":""}"#,
    );
    assert!(
        strict
            .unwrap_err()
            .to_string()
            .contains("`TipoEnvio` cannot be `X`")
    );
    let country = serde_json::from_str::<Sending>(
        r#"{"Asunto":"a","Emisor":"b","Receptores":"ana@example.com","TipoEnvio":"E",
        "DiasCaducidad":3,"Pais":"Espana","Plantilla":"P","Documento":""}"#,
    );
    assert!(
        country
            .unwrap_err()
            .to_string()
            .contains("`Pais` cannot be `Espana`")
    );
}

#[test]
fn an_empty_signature_kind_reads_as_the_accounts_default() {
    let s: Sending = serde_json::from_str(
        r#"{"Asunto":"a","Emisor":"b","Receptores":"Ana","TipoEnvio":"L","TipoFirma":"",
        "DiasCaducidad":3,"Pais":"México","Plantilla":"P","Documento":""}"#,
    )
    .unwrap();
    assert_eq!(s.signature_kind(), None);
    assert_eq!(s.country(), Country::Mexico);
}

fn kind() -> impl Strategy<Value = SendingKind> {
    prop_oneof![
        Just(SendingKind::Sms),
        Just(SendingKind::Email),
        Just(SendingKind::Link)
    ]
}

fn signature() -> impl Strategy<Value = Option<SignatureKind>> {
    prop_oneof![
        Just(None),
        Just(Some(SignatureKind::Handwritten)),
        Just(Some(SignatureKind::Certificate)),
        Just(Some(SignatureKind::Either)),
        Just(Some(SignatureKind::Simple)),
        Just(Some(SignatureKind::Otp)),
    ]
}

/// The guide's cross-field rules, written independently of the builder, in the documented
/// order of checking.
fn expected(
    kind: SendingKind,
    sig: Option<SignatureKind>,
    multi: bool,
    priority: bool,
    template_multi: Option<bool>,
    n: usize,
    days: i64,
) -> Result<(), ModelError> {
    use ModelError as E;
    if n == 0 {
        return Err(E::NoRecipients);
    }
    if !(1..=255).contains(&days) {
        return Err(E::ExpiryDaysOutOfRange { days });
    }
    if multi && kind == SendingKind::Link {
        return Err(E::LinkMultiSignature);
    }
    if multi && sig == Some(SignatureKind::Certificate) {
        return Err(E::CertificateMultiSignature);
    }
    if sig == Some(SignatureKind::Otp) && kind == SendingKind::Link {
        return Err(E::OtpWithLink);
    }
    if multi && template_multi == Some(false) {
        return Err(E::MultiSignatureTemplateRequired {
            template: "T".into(),
        });
    }
    // Not rules of the guide: warnings, never errors.
    let _ = (priority, n);
    Ok(())
}

proptest! {
    #[test]
    fn every_cross_field_rule(
        kind in kind(),
        sig in signature(),
        multi: bool,
        priority: bool,
        template_multi in proptest::option::of(any::<bool>()),
        n in 0usize..4,
        days in -2i64..260,
    ) {
        let recipients: Vec<String> = (0..n)
            .map(|i| match kind {
                SendingKind::Sms => format!("+34 60000000{i}"),
                SendingKind::Email => format!("r{i}@example.com"),
                _ => format!("Recipient {i}"),
            })
            .collect();
        let template = match template_multi {
            Some(true) => TemplateRef::multi_signature("T"),
            Some(false) => TemplateRef::single("T"),
            None => TemplateRef::named("T"),
        };
        let mut b = Sending::builder()
            .subject("Asunto")
            .sender("Emisor")
            .recipients(recipients)
            .sending_kind(kind)
            .expiry_days(days)
            .multi_signature(multi)
            .priority(priority)
            .country(Country::Colombia)
            .template(template)
            .document_pdf(PDF);
        if let Some(sig) = sig {
            b = b.signature_kind(sig);
        }
        let built = b.build();
        prop_assert_eq!(
            built.as_ref().map(|_| ()).map_err(Clone::clone),
            expected(kind, sig, multi, priority, template_multi, n, days)
        );
        if let Ok(sending) = built {
            // What we build, we read back unchanged.
            let json = serde_json::to_string(&sending).unwrap();
            prop_assert_eq!(serde_json::from_str::<Sending>(&json).unwrap(), sending);
        }
    }

    #[test]
    fn text_placements_sit_at_zero(
        page in 0i16..4,
        x in prop_oneof![Just(0.0f32), Just(0.5), Just(3.0)],
        y in prop_oneof![Just(0.0f32), Just(1.25)],
        text in prop_oneof![Just(String::new()), "[A-Za-z. ]{1,20}"],
    ) {
        let built = template()
            .placement(PlacementParts::new(0, PlacementKind::Signature, page, x, y, &text))
            .build();
        let breaks = !text.is_empty() && (page != 0 || x != 0.0 || y != 0.0);
        if breaks {
            prop_assert_eq!(
                built.unwrap_err(),
                ModelError::TextPlacementNotAtZero { index: 0, page, x, y }
            );
        } else {
            let t = built.unwrap();
            let json = serde_json::to_string(&t).unwrap();
            prop_assert_eq!(serde_json::from_str::<Template>(&json).unwrap(), t);
        }
    }
}

#[test]
fn template_values_are_strict_when_read() {
    let body = |orientation: &str, format: &str, count: u32| {
        format!(
            r#"{{"NomPlantilla":"P","Orientacion":"{orientation}","CodFormato":"{format}","Sello":"",
            "AltoFirma":2.0,"AnchoFirma":2.0,"AltoSello":0,"AnchoSello":0,"Multifirma":true,
            "NumeroDestinatarios":{count},"PlantillaPorDefecto":false,"UbicacionFirmas":[
            {{"IdDestinatario":1,"NumPagina":1,"TipoFirma":"F","X":1.0,"Y":1.0,"Texto":""}}]}}"#
        )
    };
    serde_json::from_str::<Template>(&body("H", "A1", 255)).unwrap();
    let err = serde_json::from_str::<Template>(&body("X", "A4", 2)).unwrap_err();
    assert!(
        err.to_string().contains("`Orientacion` cannot be `X`"),
        "{err}"
    );
    let err = serde_json::from_str::<Template>(&body("V", "A6", 2)).unwrap_err();
    assert!(
        err.to_string().contains("`CodFormato` cannot be `A6`"),
        "{err}"
    );
    let err = serde_json::from_str::<Template>(&body("V", "a4", 2)).unwrap_err();
    assert!(
        err.to_string().contains("`CodFormato` cannot be `a4`"),
        "{err}"
    );
    // NumeroDestinatarios is a Byte: at most 255.
    assert!(serde_json::from_str::<Template>(&body("V", "A4", 256)).is_err());
}

proptest! {
    #[test]
    fn email_and_sms_recipients_are_told_apart(
        local in "[a-z][a-z0-9._+-]{0,10}",
        domain in "[a-z][a-z0-9-]{0,8}\\.(es|com|de|com\\.co)",
        phone in "(\\+34 ?)?[6-7][0-9]{8}",
    ) {
        let email = format!("{local}@{domain}");
        let build = |kind, recipient: &str| {
            Sending::builder()
                .subject("s").sender("e").recipient(recipient).sending_kind(kind)
                .expiry_days(5).country(Country::Spain)
                .template(TemplateRef::single("P")).document_pdf(PDF)
                .build()
        };
        prop_assert!(build(SendingKind::Email, &email).is_ok());
        prop_assert!(build(SendingKind::Sms, &phone).is_ok());
        prop_assert!(build(SendingKind::Link, &email).is_ok());
        prop_assert!(build(SendingKind::Link, &phone).is_ok());
        prop_assert_eq!(
            build(SendingKind::Email, &phone).unwrap_err(),
            ModelError::InvalidEmail { index: 0, value: phone }
        );
        prop_assert_eq!(
            build(SendingKind::Sms, &email).unwrap_err(),
            ModelError::InvalidPhone { index: 0, value: email }
        );
    }
}
