//! The HWS guide's Appendix A, run with the machine's `openssl`, then an
//! assertion signed with that key and checked by PyJWT (pinned in
//! `xtask/requirements.txt`), an independent implementation.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use fapi_jwt_assert::{Algorithm, AssertionOptions, AssertionSigner, SigningKey};

use crate::support::{fixture, run_python, tempdir};

/// Appendix A, as printed in the guide (shell variables expanded by `sh`).
const APPENDIX_A: &str = r#"set -e
PRIVATE_KEY_ES256=hague4offices_private.pem
PUBLIC_KEY_ES256=hague4offices_public.pem
CLIENT_NAME=DAS
openssl ecparam -genkey -name prime256v1 -noout -out "${PRIVATE_KEY_ES256}"
openssl ec -in "${PRIVATE_KEY_ES256}" -pubout -out "${PUBLIC_KEY_ES256}"
CERT_KEY_ES256=es256_cert.pem
OPENSSL_CONF=./openssl.cnf
CERT_CN="${CLIENT_NAME} private_key_jwt authentication"
printf '[ req ]\n' > "${OPENSSL_CONF}"
printf 'prompt = no\n' >> "${OPENSSL_CONF}"
printf 'distinguished_name = req_distinguished_name\n' >> "${OPENSSL_CONF}"
printf '[ req_distinguished_name ]\n' >> "${OPENSSL_CONF}"
printf 'CN = %s\n' "${CERT_CN}" >> "${OPENSSL_CONF}"
openssl req -x509 -new -config "${OPENSSL_CONF}" -key "${PRIVATE_KEY_ES256}" -out "${CERT_KEY_ES256}"
"#;

/// Verifies with PyJWT against the public key taken from openssl's
/// certificate, and checks that a wrong audience and a tampered token fail.
const VERIFY_PY: &str = r#"
import sys, jwt
from cryptography import x509
token, cert_path, client_id, aud = sys.argv[1:5]
with open(cert_path, "rb") as f:
    cert = x509.load_pem_x509_certificate(f.read())
assert cert.subject.rfc4514_string() == "CN=DAS private_key_jwt authentication", cert.subject
key = cert.public_key()
opts = {"require": ["iss", "sub", "aud", "exp", "iat", "jti"]}
claims = jwt.decode(token, key, algorithms=["ES256"], audience=aud, issuer=client_id,
                    subject=client_id, options=opts)
header = jwt.get_unverified_header(token)
assert header == {"alg": "ES256", "typ": "JWT"}, header
assert claims["sub"] == client_id
assert claims["exp"] - claims["iat"] == 60, claims
assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 22, claims
for bad_aud in [aud + "/", aud.replace(":443", "")]:
    try:
        jwt.decode(token, key, algorithms=["ES256"], audience=bad_aud, options=opts)
        sys.exit("accepted a wrong audience " + bad_aud)
    except jwt.InvalidAudienceError:
        pass
head, payload, sig = token.split(".")
tampered = head + "." + payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + sig
try:
    jwt.decode(tampered, key, algorithms=["ES256"], audience=aud, options=opts)
    sys.exit("accepted a tampered token")
except jwt.InvalidTokenError:
    pass
print("PYJWT_OK", claims["jti"])
"#;

fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("run sh");
    assert!(
        out.status.success(),
        "Appendix A failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn appendix_a_key_signs_an_assertion_that_pyjwt_accepts() {
    let dir = tempdir();
    sh(&dir, APPENDIX_A);
    let pem = std::fs::read_to_string(dir.join("hague4offices_private.pem")).unwrap();
    assert!(
        pem.starts_with("-----BEGIN EC PRIVATE KEY-----"),
        "Appendix A makes SEC1 keys"
    );
    let key = SigningKey::from_pem(&pem).unwrap();
    // Our public key export equals openssl's Appendix A public key file.
    assert_eq!(
        key.public_key_pem(),
        std::fs::read_to_string(dir.join("hague4offices_public.pem")).unwrap()
    );

    let signer = AssertionSigner::new(key, "das-api-auth", AssertionOptions::default()).unwrap();
    let aud = "https://logindev.wipo.int:443/am/oauth2/access_token";
    let assertion = signer.sign_now(aud).unwrap();
    let cert = dir.join("es256_cert.pem");
    let stdout = run_python(
        VERIFY_PY,
        [
            OsStr::new(assertion.expose_secret()),
            cert.as_os_str(),
            OsStr::new("das-api-auth"),
            OsStr::new(aud),
        ],
    );
    assert_eq!(stdout.trim(), format!("PYJWT_OK {}", assertion.jti()));
}

/// Our certificate (rcgen) is read by Python `cryptography` too, and
/// carries the same key as openssl's Appendix A certificate.
#[test]
fn our_certificate_matches_appendix_a_subject_and_key() {
    let dir = tempdir();
    sh(&dir, APPENDIX_A);
    let key = SigningKey::from_pem(
        &std::fs::read_to_string(dir.join("hague4offices_private.pem")).unwrap(),
    )
    .unwrap();
    let ours = key
        .self_signed_certificate(
            "DAS",
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_750_000_000),
            fapi_jwt_assert::OPENSSL_DEFAULT_VALIDITY,
            &fapi_jwt_assert::SystemRandom::new(),
        )
        .unwrap();
    std::fs::write(dir.join("ours.pem"), ours).unwrap();
    let script = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
a = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
b = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
assert a.subject == b.subject and a.issuer == b.issuer == a.subject, (a.subject, b.subject)
pub = lambda c: c.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
assert pub(a) == pub(b)
assert a.signature_algorithm_oid == b.signature_algorithm_oid
a.public_key().verify(a.signature, a.tbs_certificate_bytes, ec.ECDSA(a.signature_hash_algorithm))
assert (a.not_valid_after_utc - a.not_valid_before_utc) == (b.not_valid_after_utc - b.not_valid_before_utc)
print("CERT_OK")
"#;
    run_python(script, [dir.join("ours.pem"), dir.join("es256_cert.pem")]);
}

/// PS256 and RS256 with an RSA key made by openssl, checked by PyJWT with
/// openssl's public key file.
#[test]
fn rsa_assertions_are_accepted_by_pyjwt() {
    let script = r#"
import sys, jwt
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
for token, alg in zip(sys.argv[2::2], sys.argv[3::2]):
    claims = jwt.decode(token, key, algorithms=[alg], audience="https://tenant.example/",
                        issuer="rsa-client", subject="rsa-client",
                        options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]})
    assert jwt.get_unverified_header(token)["alg"] == alg
    try:
        jwt.decode(token, key, algorithms=["PS256" if alg == "RS256" else "RS256"], audience="https://tenant.example/")
        sys.exit("accepted under the wrong algorithm")
    except jwt.InvalidTokenError:
        pass
print("RSA_OK")
"#;
    let mut args = vec![
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/rsa_2048_public.pem")
            .into_os_string(),
    ];
    for alg in [Algorithm::Ps256, Algorithm::Rs256] {
        let key = SigningKey::from_pem(&fixture("rsa_2048_pkcs1.pem")).unwrap();
        let options = AssertionOptions::default().with_algorithm(alg);
        let signer = AssertionSigner::new(key, "rsa-client", options).unwrap();
        let assertion = signer.sign_now("https://tenant.example/").unwrap();
        args.push(assertion.expose_secret().into());
        args.push(alg.as_str().into());
    }
    let out = run_python(script, &args);
    assert_eq!(out.trim(), "RSA_OK", "{out}");
}
