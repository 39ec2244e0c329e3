//! After a 2xx the service has acted: every reply the model cannot type is
//! returned raw, never as an error (issue 17).

use firmadoc_client::model::{DeviceInfo, EnvelopeCode, SendingCode, Template, WebhookEvent};
use firmadoc_client::{Error, Reply, Written};

use crate::support::{client, path, signed};

/// Odd bodies a 2xx could plausibly carry.
const ODD: [&str; 5] = [
    "\"abc\"",
    "{\"Disponibles\":\"x\"}",
    "",
    "<html><body>Service Unavailable</body></html>",
    "abc",
];

async fn mock(server: &mut mockito::Server, method: &str, p: &str, body: &str) -> mockito::Mock {
    server
        .mock(method, path(p))
        .match_request(signed(server.url()))
        .with_body(body)
        .create_async()
        .await
}

fn assert_raw<T: std::fmt::Debug>(reply: &Reply<T>, body: &str) {
    assert_eq!(
        reply.raw().map(|b| b.as_ref()),
        Some(body.as_bytes()),
        "{reply:?}"
    );
    assert!(reply.typed().is_none());
    assert_eq!(reply.raw_text().as_deref(), Some(body));
}

#[tokio::test]
async fn budget_summary_sending_and_detail_keep_untyped_bodies_raw() {
    for body in ODD {
        let mut server = mockito::Server::new_async().await;
        let c = client(&server);
        let m = mock(&mut server, "GET", "/admin/Budget", body).await;
        let b = c.budget().await.unwrap();
        assert_raw(&b, body);
        m.assert_async().await;

        let m = mock(
            &mut server,
            "GET",
            "/admin/Summary/2024-01-01/2024-12-31",
            body,
        )
        .await;
        let d = |m| {
            time::Date::from_calendar_date(2024, m, if m == time::Month::January { 1 } else { 31 })
                .unwrap()
        };
        let s = c
            .summary(d(time::Month::January), d(time::Month::December))
            .await
            .unwrap();
        if body.starts_with('{') {
            // The summary keeps unknown keys (`extra`): an object always types.
            assert!(s.typed().unwrap().extra.contains_key("Disponibles"));
        } else {
            assert_raw(&s, body);
        }
        m.assert_async().await;

        let m = mock(&mut server, "POST", "/send/Sending/XJH29", body).await;
        let code = SendingCode::parse("XJH29").unwrap();
        let detail = c
            .sending_detail(&code, &DeviceInfo::default())
            .await
            .unwrap();
        assert_raw(&detail, body);
        // A caller that wants to stop gets the raw body in the error.
        match detail.into_typed("/send/Sending/{cod}") {
            Err(Error::Reply { raw, .. }) => assert_eq!(raw.as_ref(), body.as_bytes()),
            other => panic!("{other:?}"),
        }
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_budget_in_a_known_shape_still_types() {
    let mut server = mockito::Server::new_async().await;
    let c = client(&server);
    let _m = mock(&mut server, "GET", "/admin/Budget", "{\"Disponibles\":250}").await;
    assert_eq!(c.budget().await.unwrap().typed().unwrap().0, 250);
}

#[tokio::test]
async fn document_and_trace_that_are_not_base64_are_returned_and_written_raw() {
    let code = SendingCode::parse("XJH29").unwrap();
    let envelope = EnvelopeCode::parse("XJH29").unwrap();
    for body in ODD
        .iter()
        .map(|b| b.as_bytes().to_vec())
        .chain([b"%PDF-1.4 \x00\xff raw".to_vec()])
    {
        let mut server = mockito::Server::new_async().await;
        let c = client(&server);
        let _d = server
            .mock("POST", path("/send/Document/XJH29"))
            .match_request(signed(server.url()))
            .with_body(&body)
            .create_async()
            .await;
        let _t = server
            .mock("GET", path("/send/Trace/XJH29"))
            .match_request(signed(server.url()))
            .with_body(&body)
            .create_async()
            .await;
        let doc = c.document(&code, &DeviceInfo::default()).await.unwrap();
        assert!(!doc.base64, "{body:?}");
        assert_eq!(doc.bytes, body);
        let trace = c.trace(&envelope).await.unwrap();
        assert!(!trace.base64);
        assert_eq!(trace.bytes, body);

        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("doc.pdf");
        let w = c
            .document_to_file(&code, &DeviceInfo::default(), &target)
            .await
            .unwrap();
        let expected = Written {
            bytes: body.len() as u64,
            base64: false,
        };
        assert_eq!(w, expected);
        assert_eq!(std::fs::read(&target).unwrap(), body);
        let target = dir.path().join("trace.pdf");
        assert_eq!(c.trace_to_file(&envelope, &target).await.unwrap(), expected);
        assert_eq!(std::fs::read(&target).unwrap(), body);
    }
}

/// The CodHash check is the one place a download may fail after a 2xx; it
/// checks the raw bytes when the body was not base64, hex in either case.
#[tokio::test]
async fn cod_hash_checks_raw_bytes_case_insensitively() {
    const RAW: &[u8] = b"The quick brown fox jumps over the lazy dog";
    // RFC 1321 suite / Wikipedia vector.
    const MD5: &str = "9e107d9d372bb6826bd81d3542a419d6";
    let code = SendingCode::parse("XJH29").unwrap();
    for (hash, ok) in [
        (MD5.to_owned(), true),
        (MD5.to_uppercase(), true),
        ("d41d8cd98f00b204e9800998ecf8427e".to_owned(), false),
    ] {
        let mut server = mockito::Server::new_async().await;
        let c = client(&server);
        let _d = server
            .mock("POST", path("/send/Document/XJH29"))
            .match_request(signed(server.url()))
            .with_body(RAW)
            .create_async()
            .await;
        let got = c
            .document_checked(&code, &DeviceInfo::default(), Some(&hash))
            .await;
        if ok {
            let got = got.unwrap();
            assert!(!got.base64);
            assert_eq!(got.bytes, RAW);
        } else {
            assert!(matches!(got, Err(Error::Integrity { .. })), "{got:?}");
        }
    }
}

/// Calls whose reply carries nothing to type succeed whatever the 2xx body.
#[tokio::test]
async fn template_subscribe_test_and_unsubscribe_ignore_odd_bodies() {
    let template: Template = serde_json::from_str(crate::endpoints::TEMPLATE_JSON).unwrap();
    for body in ODD {
        let mut server = mockito::Server::new_async().await;
        let c = client(&server);
        let _a = mock(&mut server, "POST", "/send/Template", body).await;
        let _b = mock(&mut server, "POST", "/webhooks/Test/A", body).await;
        let _c = mock(&mut server, "POST", "/webhooks/Unsubscribe", body).await;
        c.set_template(&template).await.unwrap();
        c.test_webhook(WebhookEvent::Opened).await.unwrap();
        c.unsubscribe().await.unwrap();
    }
}
