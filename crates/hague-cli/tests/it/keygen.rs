//! `hague keygen`, checked with OpenSSL and Python `cryptography` (independent tools).

use std::process::Command;

use crate::support::{hague, run, run_python};

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (the tests compare keygen's files with it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn keygen_writes_appendix_a_files_and_prints_the_jwk_and_form() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(hague()
        .args(["keygen", "--json", "--client-name", "OEPM", "--dir"])
        .arg(dir.path()))
    .json();
    let private = dir.path().join("hague4offices_private.pem");
    let public = dir.path().join("hague4offices_public.pem");
    let cert = dir.path().join("es256_cert.pem");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the private key is mode 0600");
    }
    let (p, pu, c) = (
        private.to_str().unwrap(),
        public.to_str().unwrap(),
        cert.to_str().unwrap(),
    );
    // OpenSSL derives the same public key from the private key and from the certificate.
    let from_private = openssl(&["pkey", "-in", p, "-pubout"]);
    let from_cert = openssl(&["x509", "-in", c, "-noout", "-pubkey"]);
    let written = std::fs::read_to_string(&public).unwrap();
    assert_eq!(from_private.trim(), written.trim());
    assert_eq!(from_cert.trim(), written.trim());
    let text = openssl(&["x509", "-in", c, "-noout", "-text"]);
    assert!(text.contains("ecdsa-with-SHA256"), "{text}");
    assert!(
        text.contains("prime256v1") || text.contains("P-256"),
        "{text}"
    );
    let subject = openssl(&["x509", "-in", c, "-noout", "-subject"]);
    assert!(
        subject.contains("OEPM private_key_jwt authentication"),
        "{subject}"
    );
    // The certificate verifies under its own key (self-signed, as `openssl req -x509`).
    let verify = openssl(&["verify", "-CAfile", c, c]);
    assert!(verify.contains("OK"), "{verify}");

    // The JWK and its RFC 7638 thumbprint, computed by Python `cryptography` from the PEM.
    let script = r#"
import sys, json, base64, hashlib
from cryptography.hazmat.primitives.serialization import load_pem_public_key
k = load_pem_public_key(open(sys.argv[1], "rb").read()).public_numbers()
b = lambda n: base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()
canon = json.dumps({"crv": "P-256", "kty": "EC", "x": b(k.x), "y": b(k.y)}, separators=(",", ":"), sort_keys=True)
tp = base64.urlsafe_b64encode(hashlib.sha256(canon.encode()).digest()).rstrip(b"=").decode()
print(json.dumps({"x": b(k.x), "y": b(k.y), "thumbprint": tp}))
"#;
    let expected: serde_json::Value = serde_json::from_str(&run_python(script, [pu])).unwrap();
    assert_eq!(out["jwk"]["kty"], "EC");
    assert_eq!(out["jwk"]["crv"], "P-256");
    assert_eq!(out["jwk"]["x"], expected["x"]);
    assert_eq!(out["jwk"]["y"], expected["y"]);
    assert_eq!(out["thumbprint"], expected["thumbprint"]);
    assert!(out["jwk"].get("d").is_none(), "no private part in the JWK");

    let form = &out["request_form"];
    assert_eq!(form["client_type"], "confidential");
    assert_eq!(form["client_authentication_method"], "private_key_jwt");
    assert_eq!(form["certificate"], "X509v3 - ES256");
    // The whole Appendix B form: 12 general fields and 6 OAuth2 client fields.
    assert_eq!(form["send_to"], "hague.it@wipo.int");
    assert_eq!(form["general"].as_array().unwrap().len(), 12);
    let oauth2 = form["oauth2_client"].as_array().unwrap();
    assert_eq!(oauth2.len(), 6);
    let ip = oauth2
        .iter()
        .find(|f| f["label_es"] == "IP del cliente/rango de IP")
        .unwrap();
    assert_eq!(
        (ip["to_fill"].as_bool(), &ip["value"]),
        (Some(true), &serde_json::Value::Null)
    );
    let certificate = oauth2
        .iter()
        .find(|f| f["label"] == "Certificate (X509v3 - ES256)")
        .unwrap();
    assert_eq!(certificate["value"], c);
    assert!(
        form["general"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["label"] == "Technical contact's email" && f["to_fill"] == true)
    );

    // Nothing secret on standard output.
    assert!(!out.to_string().contains("-----BEGIN"));

    // Existing files are not replaced without --force.
    let again = run(hague().args(["keygen", "--dir"]).arg(dir.path()));
    let line = again.fails(2);
    assert!(line.contains("already exists"), "{line}");
    let before = std::fs::read(&private).unwrap();
    let text = run(hague().args(["keygen", "--force", "--dir"]).arg(dir.path())).ok();
    assert!(
        text.contains("Client type / Tipo de cliente: confidential"),
        "{text}"
    );
    assert!(
        text.contains("Client IP / IP range / IP del cliente/rango de IP: TO FILL"),
        "{text}"
    );
    assert!(text.contains("hague.it@wipo.int"), "{text}");
    assert!(
        text.contains("Request type / ¿Tipo de petición?: create"),
        "{text}"
    );
    assert!(text.contains("JWK thumbprint"), "{text}");
    assert_ne!(
        std::fs::read(&private).unwrap(),
        before,
        "--force writes a new key"
    );
}
