//! What the FirmaDocumentos sandbox accepts and refuses: the guide's signature shape,
//! over-long texts cut (never 418), rules the guide does not state never applied, 418
//! messages in the service's words, the operation fitting the signature type, PKCS#12
//! certificates, and requested attachments.

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::Method;
use oauth1_sign::Configure as _;
use sandbox::{Clock, ManualClock, Sandbox};
use serde_json::{Value, json};

use crate::common::{Answer, PNG, base64_pdf, call, manual_sandbox};
use crate::firmadoc_guide::{TEMPLATE_MULTI, TEMPLATE_SINGLE};

/// Signs with `oauth1-sign` (RFC shape) at `timestamp` with `secret` and sends; `guide`
/// re-encodes the signature as the guide's Postman example (`+` and `/` raw, only `=` as
/// `%3D`).
pub(crate) async fn signed_call(
    sb: &Sandbox,
    secret: &str,
    timestamp: u64,
    guide: bool,
    method: Method,
    path: &str,
    body: &str,
) -> Answer {
    let creds = sb.firmadoc_credentials();
    let signer = oauth1_sign::Signer::new(
        oauth1_sign::Credentials::new(creds.consumer_key, secret.to_owned()).unwrap(),
    )
    .signature_shape(oauth1_sign::SignatureShape::Rfc);
    let url = format!("{}{path}", sb.firmadoc_url());
    let kind = if body.is_empty() {
        oauth1_sign::Body::None
    } else {
        oauth1_sign::Body::Opaque
    };
    let signed = signer
        .sign_with(
            &oauth1_sign::Request::new(method.as_str(), &url).body(kind),
            timestamp,
            oauth1_sign::random_nonce,
        )
        .unwrap();
    let url = if guide {
        signed.url().replace("%2B", "+").replace("%2F", "/")
    } else {
        signed.url().to_owned()
    };
    call(
        method,
        &url,
        &[("content-type", "text/plain")],
        body.to_owned(),
    )
    .await
}

/// Signs on the sandbox's clock with its secret and sends; `shape` `guide` re-encodes
/// the signature as the guide's Postman example, anything else keeps the RFC shape.
pub(crate) async fn send_shaped(
    sb: &Sandbox,
    clock: &ManualClock,
    shape: &str,
    method: Method,
    path: &str,
    body: &str,
) -> Answer {
    let secret = sb.firmadoc_credentials().expose_secret().to_owned();
    signed_call(
        sb,
        &secret,
        clock.unix(),
        shape == "guide",
        method,
        path,
        body,
    )
    .await
}

/// [`send_shaped`] in the RFC shape.
pub(crate) async fn send(
    sb: &Sandbox,
    clock: &ManualClock,
    method: Method,
    path: &str,
    body: &str,
) -> Answer {
    send_shaped(sb, clock, "rfc", method, path, body).await
}

pub(crate) fn text(a: &Answer) -> String {
    String::from_utf8_lossy(&a.body).into_owned()
}

/// Asserts a 418 whose message contains each of `words`, and reads like the service's.
#[track_caller]
pub(crate) fn refused(a: &Answer, words: &[&str]) -> String {
    assert_eq!(a.status, 418, "{}", text(a));
    let message = a.json().as_str().unwrap().to_owned();
    for w in words {
        assert!(message.contains(w), "{message:?} lacks {w:?}");
    }
    for rust in [
        "u8",
        "i64",
        "i32",
        "f64",
        "usize",
        "invalid type",
        "expected",
        "struct ",
        "variant",
        "at line",
        "Error(",
        "serde",
    ] {
        assert!(!message.contains(rust), "{message:?} holds {rust:?}");
    }
    message
}

/// A body with `changes` applied to the guide's multi-signature sending example (a real
/// PDF in `Documento`).
pub(crate) fn multi_sending(changes: Value) -> String {
    let mut v: Value = serde_json::from_str(&crate::firmadoc_guide::with_document(
        crate::firmadoc_guide::SENDING_MULTI,
        &crate::firmadoc_guide::real_pdf(),
    ))
    .unwrap();
    for (k, val) in changes.as_object().unwrap() {
        v[k] = val.clone();
    }
    v.to_string()
}

/// The guide's templates, set up.
pub(crate) async fn templates(sb: &Sandbox, clock: &ManualClock) {
    for t in [TEMPLATE_SINGLE, TEMPLATE_MULTI] {
        let a = send(sb, clock, Method::POST, "/send/Template", t).await;
        assert_eq!(a.status, 200, "{}", text(&a));
    }
}

/// Creates a sending; returns the codes.
pub(crate) async fn create(sb: &Sandbox, clock: &ManualClock, body: &str) -> Vec<String> {
    let a = send(sb, clock, Method::POST, "/send/Sending", body).await;
    assert_eq!(a.status, 200, "{}", text(&a));
    a.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["CodEnvio"].as_str().unwrap().to_owned())
        .collect()
}

async fn detail(sb: &Sandbox, clock: &ManualClock, cod: &str) -> Value {
    let a = send(
        sb,
        clock,
        Method::POST,
        &format!("/send/Sending/{cod}"),
        "{}",
    )
    .await;
    assert_eq!(a.status, 200, "{}", text(&a));
    a.json()
}

/// Signs `GET /admin/Budget` with `secret` on the sandbox clock, drawing nonces until the
/// signature holds both `+` and `/` (so that every shape differs on the wire).
fn budget_url_with_plus(sb: &Sandbox, clock: &ManualClock, secret: &str) -> String {
    let creds = sb.firmadoc_credentials();
    let signer = oauth1_sign::Signer::new(
        oauth1_sign::Credentials::new(creds.consumer_key, secret.to_owned()).unwrap(),
    )
    .signature_shape(oauth1_sign::SignatureShape::Rfc);
    let url = format!("{}/admin/Budget", sb.firmadoc_url());
    for _ in 0..10_000 {
        let signed = signer
            .sign_with(
                &oauth1_sign::Request::new("GET", &url),
                clock.unix(),
                oauth1_sign::random_nonce,
            )
            .unwrap();
        let sig = signed.signature().expose();
        if sig.contains('+') && sig.contains('/') {
            return signed.url().to_owned();
        }
    }
    panic!("no signature with `+` and `/` in 10,000 draws");
}

/// The guide's Postman shape (raw `+` and `/`, only `=` escaped), `%2B`, and a mix are
/// all accepted; a wrong signature in the guide's shape is still 401.
#[tokio::test]
async fn the_guides_signature_shape_is_accepted_and_a_wrong_one_refused() {
    let (sb, clock) = manual_sandbox().await;
    let secret = sb.firmadoc_credentials().expose_secret().to_owned();
    for _ in 0..3 {
        // Each URL is signed afresh: the same nonce twice would be a replay.
        let rfc = budget_url_with_plus(&sb, &clock, &secret);
        let guide = budget_url_with_plus(&sb, &clock, &secret)
            .replace("%2B", "+")
            .replace("%2F", "/");
        let mixed = budget_url_with_plus(&sb, &clock, &secret).replace("%2F", "/");
        let raw_plus_only = budget_url_with_plus(&sb, &clock, &secret).replace("%2B", "+");
        for wire in [rfc, guide, mixed, raw_plus_only] {
            let a = call(Method::GET, &wire, &[], "").await;
            assert_eq!(a.status, 200, "{wire}: {}", a.header("x-sandbox-reason"));
        }
    }
    // A wrong secret, in the guide's shape: refused.
    for _ in 0..3 {
        let wire = budget_url_with_plus(&sb, &clock, "not-the-secret")
            .replace("%2B", "+")
            .replace("%2F", "/");
        let a = call(Method::GET, &wire, &[], "").await;
        assert_eq!(a.status, 401);
        assert!(
            a.header("x-sandbox-reason")
                .contains("signature does not match")
        );
    }
    // The right signature with one of its `+` turned into `/`: refused.
    let guide = budget_url_with_plus(&sb, &clock, &secret)
        .replace("%2B", "+")
        .replace("%2F", "/");
    let (head, sig) = guide.split_once("oauth_signature=").unwrap();
    let bent = format!("{head}oauth_signature={}", sig.replacen('+', "/", 1));
    assert_eq!(call(Method::GET, &bent, &[], "").await.status, 401);
    sb.shutdown().await;
}

/// "Si se indica un texto más largo quedará recortado a N caracteres": the sandbox cuts
/// (never 418), and the detail shows the cut text.
#[tokio::test]
async fn over_long_texts_are_cut_as_the_guide_says() {
    let (sb, clock) = manual_sandbox().await;
    // NomPlantilla 40, UF.Texto 100.
    let long_name = format!("Plantilla {}", "x".repeat(60));
    let template = json!({
        "NomPlantilla": long_name, "Orientacion": "V", "CodFormato": "A4", "Sello": "",
        "AltoFirma": 2.0, "AnchoFirma": 2.0, "AltoSello": 0, "AnchoSello": 0, "Multifirma": false,
        "NumeroDestinatarios": 0, "PlantillaPorDefecto": false,
        "UbicacionFirmas": [{"IdDestinatario": 0, "NumPagina": 0, "TipoFirma": "F", "X": 0.0, "Y": 0.0,
                             "Texto": "Fdo. ".repeat(40)}]
    });
    let a = send(
        &sb,
        &clock,
        Method::POST,
        "/send/Template",
        &template.to_string(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", text(&a));
    // Asunto 40, Emisor 50, Receptores 500; the sending names the template by its long
    // name, which is cut the same way.
    let subject = "Asunto ñ".repeat(10);
    let sender = "Emisor é".repeat(10);
    let many: Vec<String> = (0..40)
        .map(|i| format!("persona{i:02}@example.es"))
        .collect();
    let receptores = many.join(",");
    assert!(receptores.chars().count() > 500);
    let body = json!({
        "Asunto": subject, "Emisor": sender, "Receptores": receptores, "TipoEnvio": "L",
        "DiasCaducidad": 5, "Multifirma": false, "Pais": "España", "Plantilla": long_name,
        "Documento": base64_pdf(),
    });
    let codes = create(&sb, &clock, &body.to_string()).await;
    // 500 characters hold 23 whole addresses (20 characters and a comma each) and the
    // start of the 24th, which becomes a recipient of its own.
    let cut: String = receptores.chars().take(500).collect();
    let expected: Vec<&str> = cut.split(',').collect();
    assert_eq!(codes.len(), expected.len());
    let d = detail(&sb, &clock, &codes[0]).await;
    assert_eq!(d["Asunto"], subject.chars().take(40).collect::<String>());
    assert_eq!(d["Emisor"], sender.chars().take(50).collect::<String>());
    assert_eq!(
        d["Plantilla"],
        long_name.chars().take(40).collect::<String>()
    );
    let last = detail(&sb, &clock, codes.last().unwrap()).await;
    assert_eq!(last["Receptores"], *expected.last().unwrap());
    // /Users: Nombre and Email, 50 each.
    let user = json!({"Nombre": "N".repeat(80), "Email": format!("{}@example.es", "e".repeat(60))});
    let a = send(&sb, &clock, Method::GET, "/admin/Users", &user.to_string()).await;
    assert_eq!(a.status, 200, "{}", text(&a));
    assert_eq!(a.json()["Nombre"], "N".repeat(50));
    assert_eq!(a.json()["Email"].as_str().unwrap().chars().count(), 50);
    sb.shutdown().await;
}

/// Rules the guide does not state are not applied: priority on a sending that is not
/// multi-signature ("sólo se tiene en cuenta en los envíos multifirma"), one recipient
/// in a multi-signature sending, more recipients than the template names, TipoFirma and
/// Id left out, property names in another case, numbers as text.
#[tokio::test]
async fn rules_the_guide_does_not_state_are_not_applied() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let cases = [
        json!({"Multifirma": false, "ConPrioridad": true, "Plantilla": "Plantilla 1"}),
        json!({"Receptores": "666666666"}),
        json!({"Receptores": "666666666,666777888,666111222,666000111,666222333"}),
        json!({"TipoFirma": null, "Id": null, "Usuario": null, "Adjuntos": null}),
        json!({"TipoFirma": "", "DiasCaducidad": "5", "Multifirma": "true"}),
        json!({"Plantilla": "MULTIFIRMA", "Pais": "españa"}),
    ];
    for changes in cases {
        let body = multi_sending(changes.clone());
        let a = send(&sb, &clock, Method::POST, "/send/Sending", &body).await;
        assert_eq!(a.status, 200, "{changes}: {}", text(&a));
    }
    // Names in another case (Newtonsoft reads them so).
    let lower = multi_sending(json!({}))
        .replace("\"Asunto\"", "\"asunto\"")
        .replace("\"Receptores\"", "\"RECEPTORES\"");
    let codes = create(&sb, &clock, &lower).await;
    assert_eq!(
        detail(&sb, &clock, &codes[0]).await["Asunto"],
        "Envio Multifirma"
    );
    sb.shutdown().await;
}

/// Every refusal is a 418 with a Spanish message naming the field, never a Rust type.
#[tokio::test]
async fn refusals_read_like_the_service() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let cases: Vec<(Value, &[&str])> = vec![
        (json!({"TipoEnvio": "L"}), &["enlace", "multifirma"]),
        (json!({"TipoFirma": "C"}), &["certificado", "multifirma"]),
        (
            json!({"Multifirma": false, "TipoEnvio": "L", "TipoFirma": "O", "Plantilla": "Plantilla 1"}),
            &["OTP", "enlace"],
        ),
        (
            json!({"DiasCaducidad": 0}),
            &["DiasCaducidad", "entre 1 y 255"],
        ),
        (json!({"DiasCaducidad": 256}), &["DiasCaducidad"]),
        (json!({"DiasCaducidad": "mucho"}), &["DiasCaducidad"]),
        (
            json!({"DiasCaducidad": null}),
            &["DiasCaducidad", "obligatorio"],
        ),
        (json!({"Multifirma": 3}), &["Multifirma", "true o false"]),
        (json!({"TipoEnvio": "X"}), &["TipoEnvio"]),
        (json!({"TipoFirma": "Z"}), &["TipoFirma"]),
        (json!({"Asunto": 12}), &["Asunto", "texto"]),
        (json!({"Pais": "Francia"}), &["Pais", "España"]),
        (
            json!({"Plantilla": "No existe"}),
            &["Plantilla", "No existe"],
        ),
        (
            json!({"Plantilla": "Plantilla 1"}),
            &["multifirma", "Plantilla 1"],
        ),
        (json!({"Documento": "no es base64"}), &["Documento", "PDF"]),
        (
            json!({"Documento": STANDARD.encode(b"GIF89a")}),
            &["Documento", "PDF"],
        ),
        (
            json!({"Receptores": "666666666,hola"}),
            &["Receptores", "hola"],
        ),
        (json!({"Receptores": ""}), &["Receptores"]),
        (json!({"TipoEnvio": "E"}), &["Receptores", "correo"]),
    ];
    for (changes, words) in cases {
        let a = send(
            &sb,
            &clock,
            Method::POST,
            "/send/Sending",
            &multi_sending(changes.clone()),
        )
        .await;
        refused(&a, words);
    }
    let a = send(&sb, &clock, Method::POST, "/send/Sending", "{\"Asunto\": ").await;
    refused(&a, &["JSON"]);
    let templates_bad: Vec<(Value, &[&str])> = vec![
        (json!({"Orientacion": "X"}), &["Orientacion"]),
        (json!({"CodFormato": "A7"}), &["CodFormato"]),
        (json!({"UbicacionFirmas": []}), &["UbicacionFirmas"]),
        (
            json!({"NumeroDestinatarios": 300}),
            &["NumeroDestinatarios", "255"],
        ),
        (
            json!({"UbicacionFirmas": [{"IdDestinatario": 0, "NumPagina": 1, "TipoFirma": "F", "X": 0, "Y": 0, "Texto": ""}]}),
            &["UbicacionFirmas[1].IdDestinatario"],
        ),
        (
            json!({"UbicacionFirmas": [{"IdDestinatario": 1, "NumPagina": 1, "TipoFirma": "F", "X": 1, "Y": 0, "Texto": "Fdo."}]}),
            &["NumPagina, X e Y deben valer cero"],
        ),
        (
            json!({"UbicacionFirmas": [{"IdDestinatario": 1, "NumPagina": 1, "TipoFirma": "Q", "X": 0, "Y": 0, "Texto": ""}]}),
            &["UbicacionFirmas[1].TipoFirma"],
        ),
        (
            json!({"NomPlantilla": ""}),
            &["NomPlantilla", "obligatorio"],
        ),
    ];
    for (changes, words) in templates_bad {
        let mut t: Value = serde_json::from_str(TEMPLATE_MULTI).unwrap();
        for (k, v) in changes.as_object().unwrap() {
            t[k] = v.clone();
        }
        let a = send(&sb, &clock, Method::POST, "/send/Template", &t.to_string()).await;
        refused(&a, words);
    }
    let a = send(&sb, &clock, Method::POST, "/send/Sending/ABC", "{}").await;
    refused(&a, &["cod", "ABC"]);
    let a = send(&sb, &clock, Method::POST, "/send/Sending/ZZZZZ", "{}").await;
    refused(&a, &["ZZZZZ", "cod"]);
    let a = send(
        &sb,
        &clock,
        Method::POST,
        "/webhooks/Subscribe",
        &json!({"Url": "http://127.0.0.1:9/x"}).to_string(),
    )
    .await;
    refused(&a, &["Eventos", "obligatorio"]);
    let a = send(
        &sb,
        &clock,
        Method::POST,
        "/webhooks/Subscribe",
        &json!({"Url": "http://127.0.0.1:9/x", "Eventos": "F,X"}).to_string(),
    )
    .await;
    refused(&a, &["Eventos", "'X'"]);
    let a = send(&sb, &clock, Method::POST, "/webhooks/Test/Z", "").await;
    refused(&a, &["evento", "Z"]);
    let a = send(
        &sb,
        &clock,
        Method::GET,
        "/admin/Summary/2026-1-1/2026-12-31",
        "",
    )
    .await;
    refused(&a, &["fromdate"]);
    sb.shutdown().await;
}

/// Generates a PKCS#12 file with the real `openssl pkcs12 -export` (OpenSSL 3 defaults:
/// PBES2/AES-256, HMAC-SHA-256 MAC) protected by `password`.
fn pkcs12(password: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let p12 = dir.path().join("cert.p12");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Firmante de prueba/C=ES",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl is needed (apt-get install openssl)");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let ok = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout"])
        .arg(format!("pass:{password}"))
        .arg("-inkey")
        .arg(&key)
        .arg("-in")
        .arg(&cert)
        .arg("-out")
        .arg(&p12)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    std::fs::read(&p12).unwrap()
}

fn response(op: &str, auxiliary: &str) -> String {
    json!({"Operacion": op, "DatoAuxiliar": auxiliary, "OsName": "Chrome", "OSVersion": "72.0",
           "Model": "", "Username": "", "DeviceID": "192.0.2.7"})
    .to_string()
}

/// The operation must fit TipoFirma (FC only where a certificate is allowed, FS for simple
/// signatures…), and a certificate must open with its password.
#[tokio::test]
async fn operations_fit_the_signature_type_and_certificates_are_checked() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let single = |kind: &str| {
        multi_sending(
            json!({"Multifirma": false, "TipoFirma": kind, "Plantilla": "Plantilla 1", "Receptores": "666666666"}),
        )
    };
    let image = STANDARD.encode(PNG);
    let p12 = pkcs12("clave secreta");
    let good = json!({"clave secreta": STANDARD.encode(&p12)}).to_string();
    let wrong = json!({"otra clave": STANDARD.encode(&p12)}).to_string();
    let not_p12 =
        json!({"clave secreta": STANDARD.encode(b"-----BEGIN CERTIFICATE-----")}).to_string();

    // C: certificate only.
    let c = create(&sb, &clock, &single("C")).await.remove(0);
    let path = format!("/send/AddresseeResponse/{c}");
    let a = send(&sb, &clock, Method::POST, &path, &response("F", &image)).await;
    refused(
        &a,
        &[
            "No se pueden realizar operaciones de firma en envíos que se han generado para firmarse mediante un certificado digital.",
        ],
    );
    let a = send(&sb, &clock, Method::POST, &path, &response("FS", "")).await;
    refused(&a, &["FS", "TipoFirma C"]);
    let a = send(&sb, &clock, Method::POST, &path, &response("FC", &wrong)).await;
    refused(&a, &["contraseña del certificado", "no es correcta"]);
    let a = send(&sb, &clock, Method::POST, &path, &response("FC", &not_p12)).await;
    refused(&a, &["certificado", "PKCS#12"]);
    let a = send(
        &sb,
        &clock,
        Method::POST,
        &path,
        &response("FC", "clave:base64"),
    )
    .await;
    refused(&a, &["DatoAuxiliar", "Password certificado"]);
    let a = send(&sb, &clock, Method::POST, &path, &response("FC", &good)).await;
    assert_eq!(a.status, 200, "{}", text(&a));
    assert_eq!(detail(&sb, &clock, &c).await["Estado"], "F");

    // M: handwritten only; FC is refused before its certificate is even read.
    let m = create(&sb, &clock, &single("M")).await.remove(0);
    let path = format!("/send/AddresseeResponse/{m}");
    refused(
        &send(&sb, &clock, Method::POST, &path, &response("FC", &good)).await,
        &["FC", "TipoFirma M"],
    );
    refused(
        &send(&sb, &clock, Method::POST, &path, &response("F", "")).await,
        &["DatoAuxiliar", "imagen"],
    );
    refused(
        &send(&sb, &clock, Method::POST, &path, &response("L", "")).await,
        &["Operacion", "'L'"],
    );
    assert_eq!(
        send(&sb, &clock, Method::POST, &path, &response("F", &image))
            .await
            .status,
        200
    );

    // A: either; S: simple only (its DatoAuxiliar may be blank).
    let a_kind = create(&sb, &clock, &single("A")).await.remove(0);
    let path = format!("/send/AddresseeResponse/{a_kind}");
    refused(
        &send(&sb, &clock, Method::POST, &path, &response("FS", "")).await,
        &["FS", "TipoFirma A"],
    );
    assert_eq!(
        send(&sb, &clock, Method::POST, &path, &response("FC", &good))
            .await
            .status,
        200
    );
    let s = create(&sb, &clock, &single("S")).await.remove(0);
    let path = format!("/send/AddresseeResponse/{s}");
    refused(
        &send(&sb, &clock, Method::POST, &path, &response("F", &image)).await,
        &["TipoFirma S"],
    );
    assert_eq!(
        send(&sb, &clock, Method::POST, &path, &response("FS", ""))
            .await
            .status,
        200
    );

    // A rejection needs its reason, and is allowed whatever the type.
    let r = create(&sb, &clock, &single("C")).await.remove(0);
    let path = format!("/send/AddresseeResponse/{r}");
    refused(
        &send(&sb, &clock, Method::POST, &path, &response("R", " ")).await,
        &["motivo"],
    );
    assert_eq!(
        send(
            &sb,
            &clock,
            Method::POST,
            &path,
            &response("R", "No estoy de acuerdo")
        )
        .await
        .status,
        200
    );
    sb.shutdown().await;
}

/// Attachments: the recipient must be in the code of a multi-signature sending, the id
/// must be one of that recipient's DocsEnvio, NumFotos holds, and a recipient signs only
/// once their attachments are complete.
#[tokio::test]
async fn attachments_are_checked() {
    let (sb, clock) = manual_sandbox().await;
    templates(&sb, &clock).await;
    let code = create(&sb, &clock, &multi_sending(json!({"Adjuntos": "DNI"})))
        .await
        .remove(0);
    let d = detail(&sb, &clock, &code).await;
    let docs = d["DocsEnvio"].as_array().unwrap();
    assert_eq!(docs.len(), 3, "one DNI per recipient: {d}");
    let id_of = |r: u64| {
        docs.iter().find(|x| x["IdDestinatario"] == r).unwrap()["IdDocEnvio"]
            .as_i64()
            .unwrap()
    };
    let upload = |id: i64, order: u8, photos: u8| {
        json!({"Orden": order, "IdDocAdjunto": id, "NumFotos": photos, "Imagen": STANDARD.encode(PNG), "Archivo": format!("dni-{order}.png")})
            .to_string()
    };
    let one = format!("/send/Attachment/{code}01");
    // The 5-character code of a multi-signature sending does not say who uploads.
    refused(
        &send(
            &sb,
            &clock,
            Method::POST,
            &format!("/send/Attachment/{code}"),
            &upload(id_of(1), 1, 2),
        )
        .await,
        &["multifirma", "cod", "01"],
    );
    // Recipient 2's attachment through recipient 1's code.
    refused(
        &send(&sb, &clock, Method::POST, &one, &upload(id_of(2), 1, 2)).await,
        &["IdDocAdjunto"],
    );
    refused(
        &send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 1, 0)).await,
        &["NumFotos"],
    );
    refused(
        &send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 3, 2)).await,
        &["Orden", "NumFotos"],
    );
    let image_missing =
        json!({"Orden": 1, "IdDocAdjunto": id_of(1), "NumFotos": 2, "Imagen": "", "Archivo": "x"})
            .to_string();
    refused(
        &send(&sb, &clock, Method::POST, &one, &image_missing).await,
        &["Imagen"],
    );
    assert_eq!(
        send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 1, 2))
            .await
            .status,
        200
    );
    // Signing before the second image: the attachment is incomplete.
    let sign = response("F", &STANDARD.encode(PNG));
    let respond = format!("/send/AddresseeResponse/{code}01");
    refused(
        &send(&sb, &clock, Method::POST, &respond, &sign).await,
        &["DNI", "Attachment"],
    );
    refused(
        &send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 2, 3)).await,
        &["NumFotos", "(3)", "(2)"],
    );
    assert_eq!(
        send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 2, 2))
            .await
            .status,
        200
    );
    // The same image again replaces it; a third one is too many.
    assert_eq!(
        send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 2, 2))
            .await
            .status,
        200
    );
    refused(
        &send(&sb, &clock, Method::POST, &one, &upload(id_of(1), 0, 2)).await,
        &["2 imágenes", "DNI"],
    );
    let a = send(&sb, &clock, Method::POST, &respond, &sign).await;
    assert_eq!(a.status, 200, "{}", text(&a));
    // A multi-signature response by the 5-character code: refused the same way.
    refused(
        &send(
            &sb,
            &clock,
            Method::POST,
            &format!("/send/AddresseeResponse/{code}"),
            &sign,
        )
        .await,
        &["multifirma", "cod"],
    );
    refused(
        &send(
            &sb,
            &clock,
            Method::POST,
            &format!("/send/AddresseeResponse/{code}04"),
            &sign,
        )
        .await,
        &["destinatario 4"],
    );
    sb.shutdown().await;
}
