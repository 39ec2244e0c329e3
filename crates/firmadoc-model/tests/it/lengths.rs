//! Length limits: refused by default, cut on a character boundary only when asked.

use firmadoc_model::{
    Country, LengthPolicy, ModelError, ModelWarning, NewUser, Orientation, PageFormat, Sending,
    SendingKind, SignaturePlacement, Template, TemplateRef, service_len, truncate_to,
};
use proptest::prelude::*;

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

fn sending(subject: &str, sender: &str) -> firmadoc_model::SendingBuilder {
    Sending::builder()
        .subject(subject)
        .sender(sender)
        .recipient("Ana")
        .sending_kind(SendingKind::Link)
        .expiry_days(5)
        .country(Country::Argentina)
        .template(TemplateRef::single("P"))
        .document_pdf(PDF)
}

#[test]
fn over_long_subject_and_sender_are_refused_by_default() {
    let err = sending(&"a".repeat(41), "e").build().unwrap_err();
    assert_eq!(
        err,
        ModelError::TooLong {
            field: "Asunto",
            max: 40,
            actual: 41
        }
    );
    let err = sending("s", &"e".repeat(51)).build().unwrap_err();
    assert_eq!(
        err,
        ModelError::TooLong {
            field: "Emisor",
            max: 50,
            actual: 51
        }
    );
    // At the limit is fine.
    sending(&"a".repeat(40), &"e".repeat(50)).build().unwrap();
}

#[test]
fn truncation_happens_only_when_asked_and_on_a_character_boundary() {
    // 41 × "ñ": 41 characters, 82 UTF-8 bytes.
    let s = sending(&"ñ".repeat(41), "e")
        .length_policy(LengthPolicy::Truncate)
        .build()
        .unwrap();
    assert_eq!(s.subject(), "ñ".repeat(40));
    // "a" + 20 emoji = 41 UTF-16 code units: cutting to 40 cannot keep half an emoji.
    let subject = format!("a{}", "😀".repeat(20));
    let s = sending(&subject, "e")
        .length_policy(LengthPolicy::Truncate)
        .build()
        .unwrap();
    assert_eq!(s.subject(), format!("a{}", "😀".repeat(19)));
    assert_eq!(service_len(s.subject()), 39);
}

#[test]
fn lengths_count_utf16_code_units_like_the_service() {
    // 21 emoji are 21 chars but 42 UTF-16 code units: .NET's Length is 42 > 40.
    let err = sending(&"😀".repeat(21), "e").build().unwrap_err();
    assert_eq!(
        err,
        ModelError::TooLong {
            field: "Asunto",
            max: 40,
            actual: 42
        }
    );
}

/// `Receptores` and `Email` are refused when over their limit, and cut only when asked:
/// recipients whole from the end, emails as the service would; a sending's `Plantilla` has
/// no limit in the guide, so an over-long one is a warning.
#[test]
fn recipients_emails_and_template_names_under_each_policy() {
    let many: Vec<String> = (0..30)
        .map(|i| format!("recipient{i:02}@example.com"))
        .collect();
    let joined = many.join(",");
    assert!(joined.len() > 500);
    let build = |policy| {
        Sending::builder()
            .subject("s")
            .sender("e")
            .recipients(many.clone())
            .sending_kind(SendingKind::Email)
            .expiry_days(5)
            .country(Country::Germany)
            .template(TemplateRef::single("P"))
            .document_pdf(PDF)
            .length_policy(policy)
            .build()
    };
    assert_eq!(
        build(LengthPolicy::Reject).unwrap_err(),
        ModelError::TooLong {
            field: "Receptores",
            max: 500,
            actual: joined.len()
        }
    );
    let cut = build(LengthPolicy::Truncate).unwrap();
    // 24-character addresses plus commas: 20 fit in 500 (20 * 25 - 1 = 499).
    assert_eq!(cut.recipients(), &many[..20]);
    assert!(cut.recipients().join(",").len() <= 500);
    assert_eq!(
        cut.warnings(),
        [ModelWarning::RecipientsDropped {
            kept: 20,
            dropped: 10
        }]
    );

    let long_name = sending("s", "e")
        .template(TemplateRef::single("p".repeat(41)))
        .build()
        .unwrap();
    assert_eq!(
        long_name.warnings(),
        [ModelWarning::TemplateNameOverLimit { actual: 41 }]
    );

    let email = format!("{}@example.com", "u".repeat(40));
    let err = NewUser::new("Ana", &email, LengthPolicy::Reject).unwrap_err();
    assert!(matches!(
        err,
        ModelError::TooLong {
            field: "Email",
            max: 50,
            ..
        }
    ));
    let user = NewUser::new("Ana", &email, LengthPolicy::Truncate).unwrap();
    assert_eq!(user.email(), &email[..50]);
    assert_eq!(
        user.warnings(),
        [ModelWarning::Truncated {
            field: "Email",
            max: 50,
            actual: email.len()
        }]
    );
}

#[test]
fn template_name_text_and_user_name_limits() {
    let base = |name: &str| {
        Template::builder(name)
            .orientation(Orientation::Vertical)
            .page_format(PageFormat::A5)
            .signature_size(1.0, 1.0)
    };
    let err = base(&"n".repeat(41))
        .placement(SignaturePlacement::signature_below_text(0, "Fdo."))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::TooLong {
            field: "NomPlantilla",
            max: 40,
            actual: 41
        }
    );
    let err = base("n")
        .placement(SignaturePlacement::signature_below_text(0, "t".repeat(101)))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ModelError::TooLong {
            field: "UbicacionFirmas.Texto",
            max: 100,
            actual: 101
        }
    );
    let t = base("n")
        .placement(SignaturePlacement::signature_below_text(0, "é".repeat(101)))
        .length_policy(LengthPolicy::Truncate)
        .build()
        .unwrap();
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["UbicacionFirmas"][0]["Texto"], "é".repeat(100));
    let err = NewUser::new("n".repeat(51), "ana@example.com", LengthPolicy::Reject).unwrap_err();
    assert_eq!(
        err,
        ModelError::TooLong {
            field: "Nombre",
            max: 50,
            actual: 51
        }
    );
    let u = NewUser::new("n".repeat(51), "ana@example.com", LengthPolicy::Truncate).unwrap();
    assert_eq!(u.name().len(), 50);
    let json = serde_json::to_string(&u).unwrap();
    assert_eq!(
        json,
        format!(
            r#"{{"Nombre":"{}","Email":"ana@example.com"}}"#,
            "n".repeat(50)
        )
    );
}

#[test]
fn a_received_over_long_value_is_refused_not_cut() {
    let json = format!(
        r#"{{"Asunto":"{}","Emisor":"b","Receptores":"Ana","TipoEnvio":"L",
        "DiasCaducidad":3,"Pais":"Brasil","Plantilla":"P","Documento":""}}"#,
        "x".repeat(41)
    );
    let err = serde_json::from_str::<Sending>(&json).unwrap_err();
    assert!(
        err.to_string()
            .contains("`Asunto` is 41 UTF-16 code units long"),
        "{err}"
    );
}

proptest! {
    #[test]
    fn truncate_to_keeps_the_longest_fitting_prefix(text in "\\PC{0,60}", max in 0usize..50) {
        let cut = truncate_to(&text, max);
        prop_assert!(text.starts_with(cut));
        prop_assert!(service_len(cut) <= max);
        if cut.len() < text.len() {
            // The next character would not fit.
            let next = text[cut.len()..].chars().next().unwrap();
            prop_assert!(service_len(cut) + next.len_utf16() > max);
        } else {
            prop_assert!(service_len(&text) <= max);
        }
        // A char boundary of the original: the cut is also valid UTF-8 on its own.
        prop_assert!(text.is_char_boundary(cut.len()));
        prop_assert_eq!(std::str::from_utf8(cut.as_bytes()).ok(), Some(cut));
    }

    #[test]
    fn subjects_are_refused_or_cut_never_silently(subject in "\\PC{0,60}") {
        let reject = sending(&subject, "e").build();
        let truncate = sending(&subject, "e").length_policy(LengthPolicy::Truncate).build().unwrap();
        if service_len(&subject) <= 40 {
            let built = reject.unwrap();
            prop_assert_eq!(built.subject(), subject.as_str());
            prop_assert_eq!(truncate.subject(), subject.as_str());
        } else {
            let is_too_long = matches!(reject, Err(ModelError::TooLong { field: "Asunto", .. }));
            prop_assert!(is_too_long);
            prop_assert!(subject.starts_with(truncate.subject()));
            prop_assert!(service_len(truncate.subject()) <= 40);
        }
    }
}

/// Every limited text of the guide: (property, limit, build a body with `value` there).
type Case = (
    &'static str,
    usize,
    fn(&str, LengthPolicy) -> Result<String, ModelError>,
);

fn cases() -> Vec<Case> {
    fn subject(v: &str, p: LengthPolicy) -> Result<String, ModelError> {
        sending(v, "e")
            .length_policy(p)
            .build()
            .map(|s| s.subject().to_owned())
    }
    fn sender(v: &str, p: LengthPolicy) -> Result<String, ModelError> {
        sending("s", v)
            .length_policy(p)
            .build()
            .map(|s| s.sender().to_owned())
    }
    fn template_name(v: &str, p: LengthPolicy) -> Result<String, ModelError> {
        Template::builder(v)
            .orientation(Orientation::Vertical)
            .page_format(PageFormat::A4)
            .signature_size(1.0, 1.0)
            .placement(SignaturePlacement::signature_below_text(0, "Fdo."))
            .length_policy(p)
            .build()
            .map(|t| t.name().to_owned())
    }
    fn placement_text(v: &str, p: LengthPolicy) -> Result<String, ModelError> {
        let t = Template::builder("P")
            .orientation(Orientation::Vertical)
            .page_format(PageFormat::A4)
            .signature_size(1.0, 1.0)
            .placement(SignaturePlacement::signature_below_text(0, v))
            .length_policy(p)
            .build()?;
        match t.placements()[0].position() {
            firmadoc_model::Position::BelowText(text) => Ok(text.clone()),
            other => panic!("unexpected {other:?}"),
        }
    }
    fn user_name(v: &str, p: LengthPolicy) -> Result<String, ModelError> {
        NewUser::new(v, "ana@example.com", p).map(|u| u.name().to_owned())
    }
    vec![
        ("Asunto", 40, subject),
        ("Emisor", 50, sender),
        ("NomPlantilla", 40, template_name),
        ("UbicacionFirmas.Texto", 100, placement_text),
        ("Nombre", 50, user_name),
    ]
}

proptest! {
    #[test]
    fn every_length_limit_holds(
        case in 0usize..5,
        text in "[a-zñé€😀 ]{1,130}",
    ) {
        let (field, max, build) = cases()[case];
        let len = service_len(&text);
        let rejected = build(&text, LengthPolicy::Reject);
        let truncated = build(&text, LengthPolicy::Truncate);
        if len <= max {
            let kept = rejected.unwrap();
            prop_assert_eq!(kept.as_str(), text.as_str());
            prop_assert_eq!(truncated.unwrap(), text);
        } else {
            prop_assert_eq!(rejected.unwrap_err(), ModelError::TooLong { field, max, actual: len });
            let cut = truncated.unwrap();
            prop_assert_eq!(cut.as_str(), truncate_to(&text, max));
            prop_assert!(service_len(&cut) <= max && service_len(&cut) + 1 >= max);
        }
    }
}
