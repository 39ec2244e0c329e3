//! Webhook subscription and payload.

use firmadoc_model::{
    EventSet, ModelError, Received, WebhookDelivery, WebhookEvent, WebhookSubscription,
};

use crate::json::json_eq;

#[test]
fn event_sets_are_written_comma_separated() {
    for (text, written) in [
        ("F", "F"),
        ("F,R", "F,R"),
        ("A,F,R,C", "A,F,R,C"),
        ("C, A", "A,C"),
        ("R,F,R", "F,R"),
    ] {
        let set: EventSet = text.parse().unwrap();
        assert_eq!(set.to_string(), written);
    }
    assert_eq!(EventSet::all().to_string(), "A,F,R,C");
    assert!(matches!(
        "F,X".parse::<EventSet>(),
        Err(ModelError::UnknownValue { .. })
    ));
    assert!(matches!(
        "f".parse::<EventSet>(),
        Err(ModelError::UnknownValue { .. })
    ));
}

#[test]
fn a_subscription_needs_an_http_url_and_an_event() {
    let s = WebhookSubscription::new(
        "https://sudominio.example/api/webhooks/incoming/custom",
        [WebhookEvent::Signed, WebhookEvent::Rejected]
            .into_iter()
            .collect(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        r#"{"Url":"https://sudominio.example/api/webhooks/incoming/custom","Eventos":"F,R"}"#
    );
    assert_eq!(
        WebhookSubscription::new("https://x.example/h", EventSet::default()).unwrap_err(),
        ModelError::NoEvents
    );
    for bad in ["ftp://x.example/h", "/api/webhooks", "http://"] {
        assert!(
            matches!(
                WebhookSubscription::new(bad, EventSet::all()),
                Err(ModelError::InvalidUrl { .. })
            ),
            "{bad}"
        );
    }
    let read: WebhookSubscription =
        serde_json::from_str(r#"{"Url":"http://localhost:8080/h","Eventos":"A,F,R,C"}"#).unwrap();
    assert_eq!(read.events(), &EventSet::all());
    assert!(
        serde_json::from_str::<WebhookSubscription>(r#"{"Url":"http://h.example","Eventos":""}"#)
            .is_err()
    );
}

/// ASP.NET WebHooks upstream test body (WebHookSenderTests.SerializedWebHook, see
/// `webhooks-fixtures.md` §1.7 V1), CRLF and indentation as sent.
const UPSTREAM: &str = "{\r\n  \"Id\": \"1234567890\",\r\n  \"Attempt\": 1,\r\n  \"Properties\": {\r\n    \"p1\": \"pv1\"\r\n  },\r\n  \"Notifications\": [\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d1\": \"dv1\"\r\n    },\r\n    {\r\n      \"Action\": \"a1\",\r\n      \"d2\": \"http://localhost\"\r\n    }\r\n  ]\r\n}";

#[test]
fn the_upstream_payload_reads_with_unknown_actions_and_keys_kept() {
    assert_eq!(UPSTREAM.len(), 239);
    let d: WebhookDelivery = serde_json::from_str(UPSTREAM).unwrap();
    assert_eq!((d.id.as_str(), d.attempt), ("1234567890", 1));
    assert_eq!(d.properties.as_ref().unwrap()["p1"], "pv1");
    assert_eq!(
        d.notifications[0].action,
        Some(Received::Unknown("a1".into()))
    );
    assert_eq!(d.notifications[0].extra["d1"], "dv1");
    assert_eq!(d.notifications[1].extra["d2"], "http://localhost");
    let original: serde_json::Value = serde_json::from_str(UPSTREAM).unwrap();
    assert!(json_eq(&original, &serde_json::to_value(&d).unwrap()));
}

#[test]
fn a_firmadoc_shaped_event_reads_typed() {
    let d: WebhookDelivery = serde_json::from_str(
        r#"{"Id":"0f8fad5bd9cb469fa16570867728950e","Attempt":2,
           "Notifications":[{"Action":"F","id":"XJH29","id2":2,"date":"2023-03-15T10:20:30","comment":""},
                            {"Action":"F","id":"XJH29","id2":0,"date":"2023-03-15T10:20:31","comment":""}]}"#,
    )
    .unwrap();
    assert!(d.properties.is_none());
    assert_eq!(
        d.notifications[0].action,
        Some(Received::Known(WebhookEvent::Signed))
    );
    assert_eq!(d.notifications[0].id2, Some(2));
    assert!(d.notifications[1].date.as_ref().unwrap().parsed().is_some());
    assert!(!serde_json::to_string(&d).unwrap().contains("Properties"));
    // A notification without Action is skipped by ASP.NET receivers; here it still reads.
    let bare: WebhookDelivery =
        serde_json::from_str(r#"{"Id":"x","Attempt":1,"Notifications":[{}]}"#).unwrap();
    assert_eq!(bare.notifications[0].action, None);
}

/// A verified body is never refused: what the schema cannot type is kept raw,
/// with what could still be read.
#[test]
fn from_verified_body_never_fails() {
    let typed = WebhookDelivery::from_verified_body(UPSTREAM.as_bytes());
    assert!(typed.is_typed());
    assert_eq!(typed.id, "1234567890");

    let body = br#"{"Id":42,"Attempt":3,"Properties":{"p":1},"Notifications":[{"Action":"R","id2":"one"},{"Action":"A","id":"XJH29","id2":1}]}"#;
    let d = WebhookDelivery::from_verified_body(body);
    assert!(!d.is_typed());
    assert_eq!((d.id.as_str(), d.attempt), ("42", 3));
    assert_eq!(d.properties.as_ref().unwrap()["p"], 1);
    assert_eq!(d.notifications.len(), 1);
    assert_eq!(
        d.notifications[0].action,
        Some(Received::Known(WebhookEvent::Opened))
    );
    assert_eq!(d.untyped.as_ref().unwrap().raw, body);

    let garbage = [0xFF, 0xFE, b'x'];
    let g = WebhookDelivery::from_verified_body(&garbage);
    assert_eq!(g.id, "");
    assert!(g.notifications.is_empty());
    let out = serde_json::to_value(&g).unwrap();
    assert_eq!(out["untyped"]["raw_base64"], "//54");
}
