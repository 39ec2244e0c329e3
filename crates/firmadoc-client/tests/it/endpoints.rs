//! One test per endpoint: method, path, body bytes, and a valid signature.

use base64::Engine as _;
use firmadoc_client::model::{
    AttachmentUpload, Base64Text, DeviceInfo, EnvelopeCode, LengthPolicy, NewUser, RecipientAction,
    RecipientResponse, Sending, SendingCode, Template, WebhookEvent, WebhookSubscription,
};
use firmadoc_client::{Error, Written};
use serde_json::json;

use crate::support::{client, path, signed, signed_json};

pub(crate) const TEMPLATE_JSON: &str = r#"{"NomPlantilla":"Multifirma","Orientacion":"V","CodFormato":"A4","Sello":"","AltoFirma":2.0,"AnchoFirma":5.0,"AltoSello":0,"AnchoSello":0,"Multifirma":true,"NumeroDestinatarios":3,"PlantillaPorDefecto":false,"UbicacionFirmas":[{"IdDestinatario":1,"NumPagina":1,"TipoFirma":"F","X":0.0,"Y":0.0,"Texto":""},{"IdDestinatario":2,"NumPagina":1,"TipoFirma":"F","X":2.0,"Y":2.0,"Texto":""},{"IdDestinatario":3,"NumPagina":1,"TipoFirma":"F","X":3.0,"Y":4.0,"Texto":""}],"Usuario":"ejemplo@mail.com"}"#;

fn device() -> DeviceInfo {
    DeviceInfo {
        os_name: "android".into(),
        os_version: "7.0".into(),
        model: "samsung SM-JF342".into(),
        username: "string".into(),
        device_id: "0.0.0.0".into(),
    }
}

fn device_json() -> serde_json::Value {
    json!({"OsName":"android","OSVersion":"7.0","Model":"samsung SM-JF342","Username":"string","DeviceID":"0.0.0.0"})
}

#[tokio::test]
async fn set_template() {
    let mut server = mockito::Server::new_async().await;
    let expected: serde_json::Value = serde_json::from_str(TEMPLATE_JSON).unwrap();
    let m = server
        .mock("POST", path("/send/Template"))
        .match_request(signed_json(server.url(), expected))
        .with_status(200)
        .create_async()
        .await;
    let template: Template = serde_json::from_str(TEMPLATE_JSON).unwrap();
    client(&server).set_template(&template).await.unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn create_sending_returns_every_sending() {
    let mut server = mockito::Server::new_async().await;
    let pdf = b"%PDF-1.7\n...";
    let b64 = base64::engine::general_purpose::STANDARD.encode(pdf);
    let expected = json!({"Asunto":"Envio Prueba 1","Emisor":"ENVIOS ACME","Id":"env.1234",
        "Receptores":"destinatario1@gmail.com,destinatario2@gmail.com","TipoEnvio":"E","TipoFirma":"C",
        "DiasCaducidad":25,"Multifirma":false,"ConPrioridad":false,"Pais":"España","Plantilla":"Plantilla 1",
        "Documento": b64,"Adjuntos":"DNI","Usuario":"ejemplo@mail.com"});
    let m = server
        .mock("POST", path("/send/Sending"))
        .match_request(signed_json(server.url(), expected.clone()))
        .with_body(r#"[{"IdEnvio":1,"CodEnvio":"AB123","UrlEnvio":""},{"IdEnvio":2,"CodEnvio":"AB124","UrlEnvio":""}]"#)
        .create_async()
        .await;
    let sending: Sending = serde_json::from_value(expected).unwrap();
    let reply = client(&server).create_sending(&sending).await.unwrap();
    let reply = reply.typed().unwrap();
    assert_eq!(reply.len(), 2);
    assert_eq!(reply[1].envelope_code().unwrap().as_str(), "AB124");
    m.assert_async().await;
}

#[tokio::test]
async fn sending_detail_for_a_recipient() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("POST", path("/send/Sending/XJH290C"))
        .match_request(signed_json(server.url(), device_json()))
        .with_body(r#"{"IdEnvio":7,"CodEnvio":"XJH29","Id":"","CodHash":"abc","Asunto":"s","Emisor":"e","Usuario":null,"Receptores":"a@b.es","FechaEnvio":"07/05/2020 10:00:00","TipoEnvio":"E","TipoFirma":"M","Estado":"P","DiasCaducidad":5,"FechaFirma":"","FechaRechazo":"","MotivoRechazo":"","Multifirma":true,"ConPrioridad":false,"Pais":"España","Plantilla":"Multifirma","Documento":"","Adjuntos":"","DocsEnvio":[],"Destinatarios":[{"IdDestinatario":12,"IdEnvio":7,"DatoDestinatario":"a@b.es","Estado":"P","Fecha":"","MotivoRechazo":""}]}"#)
        .create_async()
        .await;
    let code = SendingCode::parse("XJH290C").unwrap();
    let detail = client(&server)
        .sending_detail(&code, &device())
        .await
        .unwrap();
    assert_eq!(detail.typed().unwrap().recipient_states.len(), 1);
    m.assert_async().await;
}

#[tokio::test]
async fn document_decodes_base64_and_writes_atomically() {
    let mut server = mockito::Server::new_async().await;
    let pdf = b"%PDF-1.4 signed bytes \x00\xff";
    let body = format!(
        "\"{}\"",
        base64::engine::general_purpose::STANDARD.encode(pdf)
    );
    let m = server
        .mock("POST", path("/send/Document/XJH29"))
        .match_request(signed_json(server.url(), device_json()))
        .with_body(body)
        .expect(2)
        .create_async()
        .await;
    let code = SendingCode::parse("XJH29").unwrap();
    let c = client(&server);
    let got = c.document(&code, &device()).await.unwrap();
    assert!(got.base64);
    assert_eq!(got.bytes, pdf);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("signed.pdf");
    assert_eq!(
        c.document_to_file(&code, &device(), &target).await.unwrap(),
        Written {
            bytes: pdf.len() as u64,
            base64: true
        }
    );
    assert_eq!(std::fs::read(&target).unwrap(), pdf);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn upload_attachment() {
    let mut server = mockito::Server::new_async().await;
    let img = b"\x89PNG\r\n\x1a\n";
    let b64 = base64::engine::general_purpose::STANDARD.encode(img);
    let expected =
        json!({"Orden":1,"IdDocAdjunto":44,"NumFotos":2,"Imagen":b64,"Archivo":"dni-front.png"});
    let m = server
        .mock("POST", path("/send/Attachment/XJH2901"))
        .match_request(signed_json(server.url(), expected))
        .create_async()
        .await;
    let upload = AttachmentUpload {
        order: 1,
        attachment_id: 44,
        photo_count: 2,
        image: Base64Text::encode(img),
        file_name: "dni-front.png".into(),
    };
    client(&server)
        .upload_attachment(&SendingCode::parse("XJH2901").unwrap(), &upload)
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn respond_reject() {
    let mut server = mockito::Server::new_async().await;
    let mut expected = device_json();
    expected["Operacion"] = json!("R");
    expected["DatoAuxiliar"] = json!("No estoy de acuerdo");
    let m = server
        .mock("POST", path("/send/AddresseeResponse/XJH29"))
        .match_request(signed_json(server.url(), expected))
        .create_async()
        .await;
    let response = RecipientResponse::new(
        RecipientAction::Reject {
            reason: "No estoy de acuerdo".into(),
        },
        device(),
    )
    .unwrap();
    client(&server)
        .respond(&SendingCode::parse("XJH29").unwrap(), &response)
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn trace_decodes() {
    let mut server = mockito::Server::new_async().await;
    let doc = b"%PDF trace";
    let m = server
        .mock("GET", path("/send/Trace/XJH29"))
        .match_request(signed(server.url()))
        .with_body(base64::engine::general_purpose::STANDARD.encode(doc))
        .create_async()
        .await;
    let out = client(&server)
        .trace(&EnvelopeCode::parse("XJH29").unwrap())
        .await
        .unwrap();
    assert!(out.base64);
    assert_eq!(out.bytes, doc);
    m.assert_async().await;
}

#[tokio::test]
async fn summary_writes_iso_dates() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", path("/admin/Summary/2024-01-01/2024-12-31"))
        .match_request(signed(server.url()))
        .with_body(r#"{"Enviados":10,"Pendientes":2,"Firmados":6,"Rechazados":1,"Caducados":1}"#)
        .create_async()
        .await;
    let from = time::Date::from_calendar_date(2024, time::Month::January, 1).unwrap();
    let to = time::Date::from_calendar_date(2024, time::Month::December, 31).unwrap();
    let s = client(&server).summary(from, to).await.unwrap();
    assert_eq!(
        serde_json::to_value(s.typed().unwrap()).unwrap()["Firmados"],
        6
    );
    m.assert_async().await;
}

#[tokio::test]
async fn budget_and_read_retry_with_fresh_signature() {
    let mut server = mockito::Server::new_async().await;
    // mockito serves the first matching mock until its expected count is reached.
    let busy = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .with_status(503)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .with_body("25")
        .expect(1)
        .create_async()
        .await;
    let b = client(&server).budget().await.unwrap();
    assert_eq!(b.typed().unwrap().0, 25);
    busy.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn creating_a_sending_is_never_retried() {
    let mut server = mockito::Server::new_async().await;
    let busy = server
        .mock("POST", path("/send/Sending"))
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let sending: Sending = serde_json::from_value(json!({"Asunto":"a","Emisor":"b","Receptores":"x@y.es","TipoEnvio":"E",
        "DiasCaducidad":5,"Multifirma":false,"ConPrioridad":false,"Pais":"España","Plantilla":"P","Documento":"JVBERi0=","Adjuntos":""}))
        .unwrap();
    let e = client(&server).create_sending(&sending).await.unwrap_err();
    assert!(matches!(e, Error::Status { .. }), "{e}");
    busy.assert_async().await;
}

#[tokio::test]
async fn create_user_is_a_get_with_a_body() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", path("/admin/Users"))
        .match_request(signed_json(
            server.url(),
            json!({"Nombre":"Ana","Email":"ana@example.es"}),
        ))
        .with_body(r#"{"Nombre":"Ana","Email":"ana@example.es","Contraseña":"s3cr3t-pw"}"#)
        .create_async()
        .await;
    let user = NewUser::new("Ana", "ana@example.es", LengthPolicy::Reject).unwrap();
    let created = client(&server).create_user(&user).await.unwrap();
    assert!(
        !format!("{created:?}").contains("s3cr3t-pw"),
        "the password is a secret"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn webhook_subscribe_unsubscribe_test() {
    let mut server = mockito::Server::new_async().await;
    let sub = server
        .mock("POST", path("/webhooks/Subscribe"))
        .match_request(signed_json(server.url(), json!({"Url":"https://hooks.example.es/api/webhooks/incoming/custom","Eventos":"A,F,R,C"})))
        .create_async()
        .await;
    let unsub = server
        .mock("POST", path("/webhooks/Unsubscribe"))
        .match_request(signed(server.url()))
        .create_async()
        .await;
    let test = server
        .mock("POST", path("/webhooks/Test/F"))
        .match_request(signed(server.url()))
        .create_async()
        .await;
    let c = client(&server);
    let events = "A,F,R,C".parse().unwrap();
    c.subscribe(
        &WebhookSubscription::new(
            "https://hooks.example.es/api/webhooks/incoming/custom",
            events,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    c.unsubscribe().await.unwrap();
    c.test_webhook(WebhookEvent::Signed).await.unwrap();
    sub.assert_async().await;
    unsub.assert_async().await;
    test.assert_async().await;
}

#[tokio::test]
async fn errors_401_418_and_others() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", path("/admin/Budget"))
        .with_status(401)
        .create_async()
        .await;
    server
        .mock("POST", path("/send/Sending"))
        .with_status(418)
        .with_body("\"El envío por enlace no es compatible con envíos multifirma\"")
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", path("/send/Trace/ABCDE"))
        .with_status(500)
        .with_body("boom")
        .create_async()
        .await;
    let c = client(&server);
    let e = c.budget().await.unwrap_err();
    assert!(matches!(e, Error::Authentication { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("clock") && msg.contains("secret") && msg.contains("environment"),
        "{msg}"
    );
    assert!(!msg.contains(crate::support::SECRET));

    let sending: Sending = serde_json::from_value(json!({"Asunto":"a","Emisor":"b","Receptores":"x@y.es","TipoEnvio":"E",
        "DiasCaducidad":5,"Multifirma":false,"ConPrioridad":false,"Pais":"España","Plantilla":"P","Documento":"JVBERi0=","Adjuntos":""}))
        .unwrap();
    match c.create_sending(&sending).await.unwrap_err() {
        Error::Service { message, .. } => assert_eq!(
            message,
            "El envío por enlace no es compatible con envíos multifirma"
        ),
        other => panic!("expected a 418 service error, got {other}"),
    }
    match c
        .trace(&EnvelopeCode::parse("ABCDE").unwrap())
        .await
        .unwrap_err()
    {
        Error::Status {
            status, excerpt, ..
        } => {
            assert_eq!(status.as_u16(), 500);
            assert_eq!(excerpt, "boom");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn config_from_env_names_what_is_missing() {
    let err = firmadoc_client::ClientConfig::from_lookup(|_| None).unwrap_err();
    assert!(err.to_string().contains("FIRMADOC_CONSUMER_KEY"), "{err}");
    let cfg = firmadoc_client::ClientConfig::from_lookup(|k| match k {
        "FIRMADOC_CONSUMER_KEY" => Some("k".into()),
        "FIRMADOC_CONSUMER_SECRET" => Some("very-secret-value".into()),
        "FIRMADOC_ENV" => Some("prod".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(cfg.environment.base_url(), "https://api.firmadocumentos.es");
    assert!(!format!("{cfg:?}").contains("very-secret-value"));
}

/// `CodHash` is "Código hash MD5 ... para verificar la integridad del documento": the
/// download is checked against it (hex or base64), and a mismatch fails clearly with
/// nothing written. MD5 vector: RFC 1321's suite / Wikipedia, "The quick brown fox jumps
/// over the lazy dog" = 9e107d9d372bb6826bd81d3542a419d6.
#[tokio::test]
async fn document_checked_against_cod_hash() {
    const DOC: &[u8] = b"The quick brown fox jumps over the lazy dog";
    const MD5_HEX: &str = "9e107d9d372bb6826bd81d3542a419d6";
    let md5_b64 = base64::engine::general_purpose::STANDARD.encode(hex_bytes(MD5_HEX));
    for (hash, ok) in [
        (Some(MD5_HEX.to_uppercase()), true),
        (Some(md5_b64), true),
        (Some("d41d8cd98f00b204e9800998ecf8427e".to_owned()), false),
        (Some(String::new()), false),
        (None, false),
        (Some("not-a-hash".to_owned()), false),
    ] {
        let mut server = mockito::Server::new_async().await;
        let document = server
            .mock("POST", path("/send/Document/XJH29"))
            .match_request(signed_json(server.url(), device_json()))
            .with_body(format!(
                "\"{}\"",
                base64::engine::general_purpose::STANDARD.encode(DOC)
            ))
            .create_async()
            .await;
        let code = SendingCode::parse("XJH29").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("doc.pdf");
        let got = client(&server)
            .document_checked_to_file(&code, &device(), hash.as_deref(), &target)
            .await;
        if ok {
            assert_eq!(got.unwrap().bytes, DOC.len() as u64, "{hash:?}");
            assert_eq!(std::fs::read(&target).unwrap(), DOC);
        } else {
            let err = got.unwrap_err();
            assert!(matches!(err, Error::Integrity { .. }), "{hash:?}: {err:?}");
            assert!(err.to_string().contains(MD5_HEX), "{err}");
            assert!(!target.exists(), "nothing written on a mismatch");
        }
        document.assert_async().await;
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
