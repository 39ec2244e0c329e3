//! Replies are read tolerantly: unknown codes kept, dates kept with a best-effort parse.

use firmadoc_model::{
    Budget, Country, OperationCode, Orientation, PageFormat, ParsedDate, PlacementKind, Received,
    ReceivedDate, RecipientState, SendingDetail, SendingKind, SendingReply, SendingState,
    SignatureKind, WebhookEvent, WireCode,
};
use time::macros::datetime;

use crate::json::json_eq;

/// A detail reply shaped like the guide's schema, with plausible values.
const DETAIL: &str = r#"{
  "IdEnvio": 4711, "CodEnvio": "XJH29", "Id": "env.1234", "CodHash": "9e107d9d372bb6826bd81d3542a419d6",
  "Asunto": "Envio Multifirma", "Emisor": "ENVIOS ACME", "Usuario": null,
  "Receptores": "666666666,666777888", "FechaEnvio": "2023-03-15T10:20:30.1234567",
  "TipoEnvio": "S", "TipoFirma": "M", "Estado": "P", "DiasCaducidad": 5,
  "FechaFirma": "", "FechaRechazo": "", "Multifirma": true, "ConPrioridad": false,
  "Pais": "España", "Plantilla": "Multifirma", "Documento": "", "Adjuntos": "",
  "DocsEnvio": [ { "IdDocEnvio": 9, "IdEnvio": 4711, "TipoAdjunto": "DNI", "IdDestinatario": 1 } ],
  "Destinatarios": [
    { "IdDestinatario": 1, "IdEnvio": 4711, "DatoDestinatario": "666666666", "Estado": "F",
      "Fecha": "15/03/2023 11:02:03", "MotivoRechazo": "" },
    { "IdDestinatario": 2, "IdEnvio": 4711, "DatoDestinatario": "666777888", "Estado": "P",
      "Fecha": null, "MotivoRechazo": null }
  ]
}"#;

#[test]
fn a_sending_detail_reads_and_round_trips() {
    let d: SendingDetail = serde_json::from_str(DETAIL).unwrap();
    assert_eq!(d.code, "XJH29");
    assert_eq!(d.user, None);
    assert_eq!(d.sending_kind, Some(Received::Known(SendingKind::Sms)));
    assert_eq!(
        d.signature_kind,
        Some(Received::Known(SignatureKind::Handwritten))
    );
    assert_eq!(d.state, Some(Received::Known(SendingState::Pending)));
    assert_eq!(d.country, Some(Received::Known(Country::Spain)));
    assert_eq!(d.attachments[0].id, 9);
    assert_eq!(
        d.recipient_states[0].state,
        Some(Received::Known(RecipientState::Signed))
    );
    assert_eq!(
        d.sent_at.as_ref().and_then(ReceivedDate::parsed),
        Some(ParsedDate::Local(datetime!(2023-03-15 10:20:30.1234567)))
    );
    assert_eq!(
        d.recipient_states[0]
            .date
            .as_ref()
            .and_then(ReceivedDate::parsed),
        Some(ParsedDate::Local(datetime!(2023-03-15 11:02:03)))
    );
    assert_eq!(d.signed_at.as_ref().map(ReceivedDate::raw), Some(""));
    // Every property of the guide's schema is mapped to a field, none left in `extra`.
    assert!(d.extra.is_empty(), "{:?}", d.extra);
    assert!(d.attachments[0].extra.is_empty() && d.recipient_states[0].extra.is_empty());
    let original: serde_json::Value = serde_json::from_str(DETAIL).unwrap();
    assert!(json_eq(&original, &serde_json::to_value(&d).unwrap()));
}

#[test]
fn unknown_codes_and_properties_are_kept() {
    let mut v: serde_json::Value = serde_json::from_str(DETAIL).unwrap();
    v["Estado"] = "X".into();
    v["TipoEnvio"] = "W".into();
    v["Pais"] = "Chile".into();
    v["Destinatarios"][1]["Estado"] = "A".into();
    v["NuevaPropiedad"] = serde_json::json!({"a": 1});
    let d: SendingDetail = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(d.state, Some(Received::Unknown("X".into())));
    assert_eq!(d.sending_kind.as_ref().map(Received::as_str), Some("W"));
    assert_eq!(d.country.as_ref().and_then(Received::known), None);
    assert_eq!(
        d.recipient_states[1].state,
        Some(Received::Unknown("A".into()))
    );
    assert_eq!(d.extra["NuevaPropiedad"]["a"], 1);
    assert!(json_eq(&v, &serde_json::to_value(&d).unwrap()));
}

#[test]
fn a_minimal_detail_still_reads() {
    let d: SendingDetail = serde_json::from_str(r#"{"IdEnvio":1,"CodEnvio":"AB12C"}"#).unwrap();
    assert!(d.state.is_none() && d.recipient_states.is_empty());
}

#[test]
fn dates_in_known_formats_parse_and_others_are_kept() {
    let offset = ReceivedDate::new("2023-03-15T10:20:30+01:00");
    assert_eq!(
        offset.parsed(),
        Some(ParsedDate::Offset(datetime!(2023-03-15 10:20:30 +1)))
    );
    let plain = ReceivedDate::new("2023-03-15T10:20:30");
    assert_eq!(
        plain.parsed(),
        Some(ParsedDate::Local(datetime!(2023-03-15 10:20:30)))
    );
    let spanish = ReceivedDate::new("05/01/2024 9:07:00");
    assert_eq!(
        spanish.parsed(),
        Some(ParsedDate::Local(datetime!(2024-01-05 9:07:00)))
    );
    let day = ReceivedDate::new("31/12/2022");
    assert_eq!(
        day.parsed(),
        Some(ParsedDate::Local(datetime!(2022-12-31 0:00)))
    );
    // 1588868100 is the oauth_timestamp of the guide's first example: 2020-05-07 16:15:00 UTC
    // (Python: datetime.fromtimestamp(1588868100, timezone.utc)).
    for ajax in ["/Date(1588868100000)/", "/Date(1588868100000+0200)/"] {
        assert_eq!(
            ReceivedDate::new(ajax).parsed(),
            Some(ParsedDate::Offset(datetime!(2020-05-07 16:15:00 UTC))),
            "{ajax}"
        );
    }
    for odd in [
        "/Date(15888x)/",
        "/Date(1588868100000+02)/",
        "ayer",
        "2023-13-45T99:00:00",
        "12/31/2022",
    ] {
        let d = ReceivedDate::new(odd);
        assert_eq!(d.parsed(), None, "{odd}");
        assert_eq!(d.raw(), odd);
        assert_eq!(serde_json::to_value(&d).unwrap(), odd);
    }
}

#[test]
fn the_sending_reply_is_a_list() {
    let reply: SendingReply = serde_json::from_str(
        r#"[{"IdEnvio":12,"CodEnvio":"95SX6","UrlEnvio":null},
            {"IdEnvio":13,"CodEnvio":"96AB1","UrlEnvio":"https://firma.example/96AB1"}]"#,
    )
    .unwrap();
    assert_eq!(reply.len(), 2);
    assert_eq!(reply[0].envelope_code().unwrap().as_str(), "95SX6");
    assert_eq!(reply[1].url.as_deref(), Some("https://firma.example/96AB1"));
    let odd: SendingReply = serde_json::from_str(r#"[{"IdEnvio":1,"CodEnvio":"?"}]"#).unwrap();
    assert!(odd[0].envelope_code().is_err());
}

#[test]
fn the_budget_is_a_bare_integer() {
    assert_eq!(serde_json::from_str::<Budget>("250").unwrap(), Budget(250));
    assert!(serde_json::from_str::<Budget>("\"x\"").is_err());
}

#[test]
fn strict_enums_refuse_what_tolerant_ones_keep() {
    assert!(serde_json::from_str::<SendingKind>("\"W\"").is_err());
    assert_eq!(
        serde_json::from_str::<Received<SendingKind>>("\"W\"").unwrap(),
        Received::Unknown("W".into())
    );
    assert_eq!("Canadá".parse::<Country>().unwrap(), Country::Canada);
    assert!("Canada".parse::<Country>().is_err());
    assert_eq!(Country::Peru.code().as_bytes(), b"Per\xc3\xba");
}

#[test]
fn codes_from_a_detail() {
    let d: SendingDetail = serde_json::from_str(DETAIL).unwrap();
    let envelope = d.envelope_code().unwrap();
    let codes: Vec<String> = d
        .recipient_states
        .iter()
        .map(|r| r.code(envelope).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["XJH2901", "XJH2902"]);
    let mut odd = d.recipient_states[0].clone();
    odd.recipient = 300;
    assert_eq!(
        odd.code(envelope).unwrap_err(),
        firmadoc_model::CodeError::RecipientOutOfRange { id: 300 }
    );
    odd.recipient = 0;
    assert_eq!(
        odd.code(envelope).unwrap_err(),
        firmadoc_model::CodeError::RecipientZero
    );
}

#[test]
fn budget_and_base64_reply_bodies() {
    for body in ["250", " 250\r\n", "\"250\""] {
        assert_eq!(body.parse::<Budget>().unwrap(), Budget(250), "{body:?}");
    }
    assert!("doscientos".parse::<Budget>().is_err());
    assert_eq!(
        firmadoc_model::Base64Text::from_text_reply("\"JVBERi0=\"\n").as_str(),
        "JVBERi0="
    );
    let bare = firmadoc_model::Base64Text::from_text_reply(" JVBERi0= ");
    assert_eq!(bare.decode().unwrap(), b"%PDF-");
    // A JSON string with an escaped slash, as .NET may write "/" in base64.
    assert_eq!(
        firmadoc_model::Base64Text::from_text_reply(r#""ab\/c""#).as_str(),
        "ab/c"
    );
}

#[test]
fn enum_codes_are_the_guides() {
    fn codes<T: WireCode>() -> Vec<&'static str> {
        T::ALL.iter().map(|v| v.code()).collect()
    }
    assert_eq!(codes::<Orientation>(), ["V", "H"]);
    assert_eq!(codes::<PageFormat>(), ["A1", "A2", "A3", "A4", "A5"]);
    assert_eq!(codes::<PlacementKind>(), ["F", "S"]);
    assert_eq!(codes::<SendingKind>(), ["S", "E", "L"]);
    assert_eq!(codes::<SignatureKind>(), ["M", "C", "A", "S", "O"]);
    assert_eq!(
        codes::<Country>(),
        [
            "España",
            "Alemania",
            "Colombia",
            "Argentina",
            "Brasil",
            "México",
            "Perú",
            "EEUU",
            "Canadá"
        ]
    );
    assert_eq!(codes::<SendingState>(), ["P", "F", "R", "C"]);
    assert_eq!(codes::<RecipientState>(), ["P", "F", "R"]);
    assert_eq!(codes::<WebhookEvent>(), ["A", "F", "R", "C"]);
    assert_eq!(codes::<OperationCode>(), ["F", "R", "FC", "FS"]);
}

proptest::proptest! {
    #[test]
    fn any_date_text_is_kept_and_never_panics(
        text in proptest::prop_oneof![
            "\\PC{0,40}",
            "/Date\\(-?[0-9]{0,40}([+-][0-9]{4})?\\)/",
            "[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,2}T[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?",
        ]
    ) {
        let d = ReceivedDate::new(text.clone());
        proptest::prop_assert_eq!(d.raw(), text.as_str());
        proptest::prop_assert_eq!(serde_json::to_value(&d).unwrap(), serde_json::Value::String(text));
    }
}
