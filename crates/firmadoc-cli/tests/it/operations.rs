//! Every subcommand on its success path: the request the service gets
//! (method, path, body, signature) and what the tool prints.

use base64::Engine as _;
use serde_json::json;

use crate::support::{DEVICE_FLAGS, device_json, firmadoc, path, run, signed, signed_json};

/// The first 204 characters of the `Documento` of the guide's sending example
/// (the guide cuts it at 205, mid-quantum): a PDF header, base64-encoded by the guide.
const GUIDE_PDF_B64: &str = "JVBERi0xLjcNCiW1tbW1DQoxIDAgb2JqDQo8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFIvTGFuZyhlcy1FUykgL1N0cnVjdFRyZWVSb290IDEwIDAgUi9NYXJrSW5mbzw8L01hcmtlZCB0cnVlPj4vTWV0YWRhdGEgMjAgMCBSL1ZpZXdGb250vRjEgNSAwIFI+Pi9FeHR";

/// The PNG file signature, and its base64 (RFC 4648 alphabet).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_B64: &str = "iVBORw0KGgo=";

fn guide_pdf() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(GUIDE_PDF_B64)
        .unwrap()
}

/// The guide's multi-signature template example (section "Template").
const GUIDE_TEMPLATE_MULTI: &str = r#"{"NomPlantilla":"Multifirma","Orientacion":"V","CodFormato":"A4","Sello":"","AltoFirma":2.0,"AnchoFirma":5.0,"AltoSello":0,"AnchoSello":0,"Multifirma":true,"NumeroDestinatarios":3,"PlantillaPorDefecto":false,"UbicacionFirmas":[{"IdDestinatario":1,"NumPagina":1,"TipoFirma":"F","X":0.0,"Y":0.0,"Texto":""},{"IdDestinatario":2,"NumPagina":1,"TipoFirma":"F","X":2.0,"Y":2.0,"Texto":""},{"IdDestinatario":3,"NumPagina":1,"TipoFirma":"F","X":3.0,"Y":4.0,"Texto":""}],"Usuario":"ejemplo@mail.com"}"#;

/// The guide's single-signature template example.
const GUIDE_TEMPLATE_SINGLE: &str = r#"{"NomPlantilla": "Plantilla 1", "Orientacion": "V", "CodFormato": "A4", "Sello": "", "AltoFirma": 2.0, "AnchoFirma": 2.0, "AltoSello": 0, "AnchoSello" :0, "Multifirma": false, "NumeroDestinatarios": 0, "PlantillaPorDefecto": false, "UbicacionFirmas": [ { "IdDestinatario": 0, "NumPagina": 1, "TipoFirma": "F", "X": 0.0, "Y": 0.0, "Texto":""}, {"IdDestinatario": 0, "NumPagina": 3, "TipoFirma": "F", "X": 0.0, "Y": 0.0, "Texto":""}],"Usuario":"ejemplo@mail.com"}"#;

/// The same template, written in TOML by hand.
const TEMPLATE_SINGLE_TOML: &str = r#"
NomPlantilla = "Plantilla 1"
Orientacion = "V"
CodFormato = "A4"
AltoFirma = 2.0
AnchoFirma = 2.0
Multifirma = false
PlantillaPorDefecto = false
Usuario = "ejemplo@mail.com"

[[UbicacionFirmas]]
IdDestinatario = 0
NumPagina = 1
TipoFirma = "F"
X = 0.0
Y = 0.0

[[UbicacionFirmas]]
IdDestinatario = 0
NumPagina = 3
TipoFirma = "F"
X = 0.0
Y = 0.0
"#;

#[test]
fn template_set_from_flags_sends_the_guide_example() {
    let mut server = mockito::Server::new();
    let expected: serde_json::Value = serde_json::from_str(GUIDE_TEMPLATE_MULTI).unwrap();
    let m = server
        .mock("POST", path("/send/Template"))
        .match_request(signed_json(server.url(), expected))
        .create();
    let out = run(firmadoc(&server.url()).args([
        "template",
        "set",
        "--name",
        "Multifirma",
        "--orientation",
        "V",
        "--format",
        "A4",
        "--signature-height",
        "2",
        "--signature-width",
        "5",
        "--multi-signature",
        "3",
        "--placement",
        "sig:1:1:0:0",
        "--placement",
        "sig:2:1:2:2",
        "--placement",
        "sig:3:1:3:4",
        "--user",
        "ejemplo@mail.com",
    ]))
    .ok();
    assert_eq!(out.trim(), "template `Multifirma` set");
    m.assert();
}

#[test]
fn template_set_from_json_and_toml_files() {
    let mut server = mockito::Server::new();
    let expected: serde_json::Value = serde_json::from_str(GUIDE_TEMPLATE_SINGLE).unwrap();
    let m = server
        .mock("POST", path("/send/Template"))
        .match_request(signed_json(server.url(), expected))
        .expect(2)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let json_file = dir.path().join("t.json");
    std::fs::write(&json_file, GUIDE_TEMPLATE_SINGLE).unwrap();
    let toml_file = dir.path().join("t.toml");
    std::fs::write(&toml_file, TEMPLATE_SINGLE_TOML).unwrap();
    for file in [&json_file, &toml_file] {
        let out = run(firmadoc(&server.url())
            .args(["--json", "template", "set", "--file"])
            .arg(file))
        .ok();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v, json!({"template": "Plantilla 1", "set": true}));
    }
    m.assert();
}

#[test]
fn send_every_field_as_in_the_guide_example() {
    let mut server = mockito::Server::new();
    // The guide's first sending example, with the document cut where the guide cuts it.
    let expected = json!({"Asunto": "Envio Prueba 1", "Emisor": "ENVIOS ACME", "Id": "env.1234",
        "Receptores": "destinatario1@gmail.com,destinatario2@gmail.com", "TipoEnvio": "E", "TipoFirma": "C",
        "DiasCaducidad": 25, "Multifirma": false, "ConPrioridad": false, "Pais": "España",
        "Plantilla": "Plantilla 1", "Documento": GUIDE_PDF_B64, "Adjuntos":"DNI","Usuario":"ejemplo@mail.com"});
    let m = server
        .mock("POST", path("/send/Sending"))
        .match_request(signed_json(server.url(), expected))
        .with_body(r#"[{"IdEnvio":1,"CodEnvio":"AB123","UrlEnvio":""},{"IdEnvio":2,"CodEnvio":"AB124","UrlEnvio":"https://firma.example/AB124"}]"#)
        .expect(2)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("contract.pdf");
    std::fs::write(&pdf, guide_pdf()).unwrap();
    let args = |json: bool| {
        let mut a: Vec<String> = if json { vec!["--json".into()] } else { vec![] };
        a.extend(
            [
                "send",
                "--pdf",
                pdf.to_str().unwrap(),
                "--subject",
                "Envio Prueba 1",
                "--sender",
                "ENVIOS ACME",
                "--customer-id",
                "env.1234",
                "--to",
                "destinatario1@gmail.com",
                "--to",
                "destinatario2@gmail.com",
                "--kind",
                "email",
                "--signature",
                "certificate",
                "--expiry-days",
                "25",
                "--country",
                "España",
                "--template",
                "Plantilla 1",
                "--attachment",
                "DNI",
                "--user",
                "ejemplo@mail.com",
            ]
            .map(str::to_owned),
        );
        a
    };
    let out = run(firmadoc(&server.url()).args(args(false))).ok();
    assert_eq!(
        out,
        "sent: AB123\nsent: AB124 https://firma.example/AB124\n"
    );
    let out = run(firmadoc(&server.url()).args(args(true))).ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    crate::support::check_shape("firmadoc send", &v);
    assert_eq!(v["sendings"][1]["code"], "AB124");
    assert_eq!(v["sendings"][1]["url"], "https://firma.example/AB124");
    assert_eq!(v["raw"][1]["CodEnvio"], "AB124");
    assert_eq!(v["sendings"].as_array().unwrap().len(), 2);
    m.assert();
}

#[test]
fn status_of_a_recipient() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", path("/send/Sending/XJH290C"))
        .match_request(signed_json(server.url(), device_json()))
        .with_body(r#"{"IdEnvio":7,"CodEnvio":"XJH29","Id":"","CodHash":"abc","Asunto":"Contrato","Emisor":"e","Usuario":null,"Receptores":"a@b.es","FechaEnvio":"07/05/2020 10:00:00","TipoEnvio":"E","TipoFirma":"M","Estado":"P","DiasCaducidad":5,"FechaFirma":"","FechaRechazo":"","MotivoRechazo":"","Multifirma":true,"ConPrioridad":false,"Pais":"España","Plantilla":"Multifirma","Documento":"","Adjuntos":"","DocsEnvio":[],"Destinatarios":[{"IdDestinatario":12,"IdEnvio":7,"DatoDestinatario":"a@b.es","Estado":"F","Fecha":"","MotivoRechazo":""}]}"#)
        .expect(2)
        .create();
    let out = run(firmadoc(&server.url())
        .args(["status", "XJH290C"])
        .args(DEVICE_FLAGS))
    .ok();
    assert_eq!(
        out,
        "XJH29: state P, subject `Contrato`\n  recipient 12: a@b.es state F\n"
    );
    let out = run(firmadoc(&server.url())
        .args(["status", "XJH290C", "--json"])
        .args(DEVICE_FLAGS))
    .ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    crate::support::check_shape("firmadoc status", &v);
    assert_eq!(v["state"], "P");
    assert_eq!(v["recipients"][0]["state"], "F");
    assert_eq!(v["raw"]["Estado"], "P");
    assert_eq!(v["raw"]["Destinatarios"][0]["Estado"], "F");
    m.assert();
}

#[test]
fn document_and_trace_are_written_to_files() {
    let mut server = mockito::Server::new();
    let doc = server
        .mock("POST", path("/send/Document/XJH29"))
        .match_request(signed_json(server.url(), device_json()))
        .with_body(format!("\"{GUIDE_PDF_B64}\""))
        .create();
    let trace = server
        .mock("GET", path("/send/Trace/XJH29"))
        .match_request(signed(server.url()))
        .with_body(GUIDE_PDF_B64)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let signed_pdf = dir.path().join("signed.pdf");
    let out = run(firmadoc(&server.url())
        .args(["document", "XJH29", "-o"])
        .arg(&signed_pdf)
        .args(DEVICE_FLAGS))
    .ok();
    assert_eq!(std::fs::read(&signed_pdf).unwrap(), guide_pdf());
    assert!(out.starts_with("wrote 153 bytes to "), "{out}");
    let trace_pdf = dir.path().join("trace.pdf");
    let out = run(firmadoc(&server.url())
        .args(["--json", "trace", "XJH29", "--output"])
        .arg(&trace_pdf))
    .ok();
    assert_eq!(std::fs::read(&trace_pdf).unwrap(), guide_pdf());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bytes"], 153);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file left"
    );
    doc.assert();
    trace.assert();
}

#[test]
fn attach_uploads_one_image() {
    let mut server = mockito::Server::new();
    let expected = json!({"Orden":1,"IdDocAdjunto":44,"NumFotos":2,"Imagen":PNG_B64,"Archivo":"dni-front.png"});
    let m = server
        .mock("POST", path("/send/Attachment/XJH2901"))
        .match_request(signed_json(server.url(), expected))
        .create();
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("dni-front.png");
    std::fs::write(&img, PNG).unwrap();
    let out = run(firmadoc(&server.url())
        .args(["attach", "XJH2901"])
        .arg(&img)
        .args(["--attachment-id", "44", "--order", "1", "--photos", "2"]))
    .ok();
    assert_eq!(out.trim(), "uploaded image 1 of 2 for attachment 44");
    m.assert();
}

#[test]
fn respond_sign_reject_and_simple() {
    let mut server = mockito::Server::new();
    let with = |op: &str, data: &str| {
        let mut v = device_json();
        v["Operacion"] = json!(op);
        v["DatoAuxiliar"] = json!(data);
        v
    };
    let sign = server
        .mock("POST", path("/send/AddresseeResponse/XJH2901"))
        .match_request(signed_json(server.url(), with("F", PNG_B64)))
        .create();
    let reject = server
        .mock("POST", path("/send/AddresseeResponse/XJH2902"))
        .match_request(signed_json(server.url(), with("R", "No estoy de acuerdo")))
        .create();
    let simple = server
        .mock("POST", path("/send/AddresseeResponse/XJH2903"))
        .match_request(signed_json(server.url(), with("FS", "Ana García")))
        .create();
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("firma.png");
    std::fs::write(&img, PNG).unwrap();
    let out = run(firmadoc(&server.url())
        .args(["respond", "sign", "XJH2901", "--image"])
        .arg(&img)
        .args(DEVICE_FLAGS))
    .ok();
    assert_eq!(out.trim(), "XJH2901: signed");
    let out = run(firmadoc(&server.url())
        .args([
            "respond",
            "reject",
            "XJH2902",
            "--reason",
            "No estoy de acuerdo",
        ])
        .args(DEVICE_FLAGS))
    .ok();
    assert_eq!(out.trim(), "XJH2902: rejected");
    let out = run(firmadoc(&server.url())
        .args([
            "--json",
            "respond",
            "simple",
            "XJH2903",
            "--name",
            "Ana García",
        ])
        .args(DEVICE_FLAGS))
    .ok();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        json!({"code": "XJH2903", "operation": "FS"})
    );
    sign.assert();
    reject.assert();
    simple.assert();
}

#[test]
fn summary_budget_and_user_add() {
    let mut server = mockito::Server::new();
    let summary = server
        .mock("GET", path("/admin/Summary/2024-01-01/2024-12-31"))
        .match_request(signed(server.url()))
        .with_body(r#"{"Enviados":10,"Pendientes":2,"Firmados":6,"Rechazados":1,"Caducados":1}"#)
        .create();
    let budget = server
        .mock("GET", path("/admin/Budget"))
        .match_request(signed(server.url()))
        .with_body("250")
        .expect(2)
        .create();
    let user = server
        .mock("GET", path("/admin/Users"))
        .match_request(signed_json(
            server.url(),
            json!({"Nombre":"Ana","Email":"ana@example.es"}),
        ))
        .with_body(r#"{"Nombre":"Ana","Email":"ana@example.es","Contraseña":"Gen3rated-pw"}"#)
        .create();
    let url = server.url();
    let out =
        run(firmadoc(&url).args(["summary", "--from", "2024-01-01", "--to", "2024-12-31"])).ok();
    assert_eq!(
        out.trim(),
        "sent 10, pending 2, signed 6, rejected 1, expired 1"
    );
    assert_eq!(
        run(firmadoc(&url).arg("budget")).ok().trim(),
        "250 sendings left"
    );
    let out = run(firmadoc(&url).args(["budget", "--json"])).ok();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        json!({"sendings_left": 250})
    );
    let out =
        run(firmadoc(&url).args(["user", "add", "--name", "Ana", "--email", "ana@example.es"]))
            .ok();
    assert_eq!(out.trim(), "created ana@example.es; password: Gen3rated-pw");
    summary.assert();
    budget.assert();
    user.assert();
}

#[test]
fn webhook_subscribe_unsubscribe_and_test() {
    let mut server = mockito::Server::new();
    let sub = server
        .mock("POST", path("/webhooks/Subscribe"))
        .match_request(signed_json(
            server.url(),
            json!({"Url":"https://hooks.example.es/api/webhooks/incoming/custom","Eventos":"F,R"}),
        ))
        .create();
    let unsub = server
        .mock("POST", path("/webhooks/Unsubscribe"))
        .match_request(signed(server.url()))
        .create();
    let test = server
        .mock("POST", path("/webhooks/Test/F"))
        .match_request(signed(server.url()))
        .create();
    let url = server.url();
    let out = run(firmadoc(&url).args([
        "webhook",
        "subscribe",
        "--url",
        "https://hooks.example.es/api/webhooks/incoming/custom",
        "--events",
        "F,R",
    ]))
    .ok();
    assert_eq!(
        out.trim(),
        "subscribed https://hooks.example.es/api/webhooks/incoming/custom to F,R"
    );
    assert_eq!(
        run(firmadoc(&url).args(["webhook", "unsubscribe"]))
            .ok()
            .trim(),
        "unsubscribed"
    );
    assert_eq!(
        run(firmadoc(&url).args(["webhook", "test", "signed"]))
            .ok()
            .trim(),
        "asked for a test `F` event"
    );
    sub.assert();
    unsub.assert();
    test.assert();
}

#[test]
fn respond_certificate_with_the_password_from_the_environment_or_a_file() {
    let mut server = mockito::Server::new();
    // The guide: DatoAuxiliar is `{"Password certificado":"string en base64 de los Bytes del
    // certificado exportado"}`, read as {password: base64(PKCS#12)} (inferred by the model).
    let mut expected = device_json();
    expected["Operacion"] = json!("FC");
    expected["DatoAuxiliar"] = json!(r#"{"p4ss word":"UEtDUzEyLWJ5dGVz"}"#);
    let m = server
        .mock("POST", path("/send/AddresseeResponse/XJH2901"))
        .match_request(signed_json(server.url(), expected))
        .expect(2)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let p12 = dir.path().join("me.p12");
    std::fs::write(&p12, b"PKCS12-bytes").unwrap();
    let out = run(firmadoc(&server.url())
        .env("FIRMADOC_CERTIFICATE_PASSWORD", "p4ss word")
        .args(["respond", "certificate", "XJH2901", "--pkcs12"])
        .arg(&p12)
        .args(DEVICE_FLAGS))
    .ok();
    assert_eq!(out.trim(), "XJH2901: signed with a certificate");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "p4ss word\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    run(firmadoc(&server.url())
        .args(["respond", "certificate", "XJH2901", "--pkcs12"])
        .arg(&p12)
        .arg("--password-file")
        .arg(&pw)
        .args(DEVICE_FLAGS))
    .ok();
    m.assert();
    // Without a password: a configuration error, nothing sent.
    let err = run(firmadoc(&server.url())
        .args(["respond", "certificate", "XJH2901", "--pkcs12"])
        .arg(&p12))
    .fails(2);
    assert!(
        err.contains("no password is given for the certificate"),
        "{err}"
    );
}

#[test]
fn send_truncate_cuts_to_the_limit_when_asked() {
    let mut server = mockito::Server::new();
    let m = server
        .mock("POST", path("/send/Sending"))
        .match_request(signed(server.url()))
        .match_body(mockito::Matcher::PartialJson(
            json!({"Asunto": "x".repeat(40), "Emisor": "e"}),
        ))
        .with_body(r#"[{"IdEnvio":1,"CodEnvio":"AB123","UrlEnvio":""}]"#)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    std::fs::write(&pdf, guide_pdf()).unwrap();
    let out = run(firmadoc(&server.url())
        .args(["send", "--truncate", "--pdf"])
        .arg(&pdf)
        .args([
            "--subject",
            &"x".repeat(41),
            "--sender",
            "e",
            "--to",
            "a@b.es",
            "--template",
            "P",
        ]))
    .ok();
    assert_eq!(out.trim(), "sent: AB123");
    m.assert();
}
