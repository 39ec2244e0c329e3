//! What the HWS guide shows working works against the sandbox: the minimal assertion of
//! Appendix C (only `iss`, `sub`, `aud`, `exp`), and the guide's own bash scripts
//! (Appendix A and C, `fixtures/guide-scripts/`) run with the real `openssl`, `jq`, `curl`
//! and `xxd`.
//!
//! Appendix C converts openssl's DER signature to raw R‖S by printing the two INTEGERs in
//! hex. When R or S is below 2^248 (its first byte is zero, about 1 time in 128) the hex is
//! shorter and the signature is not 64 bytes: the sandbox refuses it, as any ES256 verifier
//! must. The test then runs the script again (a new signature) and counts those retries.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use sandbox::{Sandbox, SandboxConfig};

use crate::common::{call, wall_clock};

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/guide-scripts")
}

/// A P-256 key pair made with ring, and its public JWK.
fn ring_key() -> (EcdsaKeyPair, sandbox::PublicJwk) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwk = serde_json::from_value(serde_json::json!({
        "kty": "EC", "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..]),
    }))
    .unwrap();
    (pair, jwk)
}

/// A compact ES256 JWS of `claims`, with the guide's header `{"alg":"ES256","typ":"JWT"}`.
fn sign(pair: &EcdsaKeyPair, claims: &serde_json::Value) -> String {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
    let p = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{h}.{p}");
    let sig = pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
}

/// Posts the guide's token request; returns the status and the JSON reply.
async fn token(sb: &Sandbox, assertion: &str) -> (u16, serde_json::Value) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("scope", sandbox::DEFAULT_SCOPE)
        .append_pair(
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        )
        .append_pair("client_assertion", assertion)
        .finish();
    let a = call(
        Method::POST,
        &sb.token_endpoint(),
        &[("content-type", "application/x-www-form-urlencoded")],
        body,
    )
    .await;
    (a.status, a.json())
}

fn unix_now() -> u64 {
    wall_clock()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn start(strict: bool) -> Sandbox {
    let mut config = SandboxConfig::default();
    config.hws_strict_assertions = strict;
    Sandbox::start(config).await.unwrap()
}

#[tokio::test]
async fn the_guides_minimal_assertion_gets_a_token_unless_strict() {
    let (pair, jwk) = ring_key();
    let lenient = start(false).await;
    let strict = start(true).await;
    for sb in [&lenient, &strict] {
        sb.register_hws_client("das-api-auth", jwk.clone());
    }
    let minimal = |sb: &Sandbox| {
        serde_json::json!({"iss": "das-api-auth", "sub": "das-api-auth",
            "aud": sb.token_endpoint(), "exp": unix_now() + 10})
    };

    // Lenient (the default): the guide's claims, no jti, no iat.
    let (status, reply) = token(&lenient, &sign(&pair, &minimal(&lenient))).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply["access_token"].is_string(), "{reply}");
    // Without a jti the same assertion may be sent again (nothing to recognise it by).
    let again = sign(&pair, &minimal(&lenient));
    assert_eq!(token(&lenient, &again).await.0, 200);
    assert_eq!(token(&lenient, &again).await.0, 200);
    // A jti that is present is never accepted twice, in either mode.
    let mut with_jti = minimal(&lenient);
    with_jti["jti"] = "Un1qu3i0".into();
    let a = sign(&pair, &with_jti);
    assert_eq!(token(&lenient, &a).await.0, 200);
    let (status, reply) = token(&lenient, &a).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert!(
        reply["error_description"]
            .as_str()
            .unwrap()
            .contains("only be used once")
    );

    // Strict: jti required, iat required.
    let (status, reply) = token(&strict, &sign(&pair, &minimal(&strict))).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let description = reply["error_description"].as_str().unwrap();
    assert!(description.contains("iat"), "{description}");
    let mut claims = minimal(&strict);
    claims["iat"] = unix_now().into();
    let (status, reply) = token(&strict, &sign(&pair, &claims)).await;
    assert_eq!(status, 401);
    let description = reply["error_description"].as_str().unwrap();
    assert!(description.contains("jti"), "{description}");
    claims["jti"] = "one".into();
    let a = sign(&pair, &claims);
    assert_eq!(token(&strict, &a).await.0, 200);
    assert_eq!(token(&strict, &a).await.0, 401, "a replayed jti");

    // Both modes keep every other check: a lifetime over 300 s is refused.
    let mut long = minimal(&lenient);
    long["exp"] = (unix_now() + 600).into();
    assert_eq!(token(&lenient, &sign(&pair, &long)).await.0, 401);
    lenient.shutdown().await;
    strict.shutdown().await;
}

/// The tools the guide's scripts call, and the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("bash", "bash"),
    ("openssl", "openssl"),
    ("jq", "jq"),
    ("curl", "curl"),
    ("xxd", "xxd"),
    ("base64", "coreutils"),
    ("sed", "sed"),
];

fn require_tools() {
    let missing: Vec<&str> = TOOLS
        .iter()
        .filter(|(cmd, _)| {
            !Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {cmd}"))
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|(_, pkg)| *pkg)
        .collect();
    assert!(
        missing.is_empty(),
        "the guide-scripts test needs the tools the guide uses; missing Debian package(s): {}. \
         Run `cargo xtask tools` (it installs them with apt-get) or `apt-get install {}`",
        missing.join(", "),
        missing.join(" ")
    );
}

fn bash(script: &str, dir: &Path, env: &[(&str, String)]) -> std::process::Output {
    let mut cmd = Command::new("bash");
    cmd.arg(scripts().join(script)).current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Runs Appendix C until it gets a token; returns the reply and the number of runs that
/// hit the zero-byte defect of its DER-to-raw conversion.
fn appendix_c(dir: &Path, env: &[(&str, String)]) -> (serde_json::Value, u32) {
    let mut short_signatures = 0;
    for _ in 0..12 {
        let out = bash("appendix-c.sh", dir, env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let reply: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "Appendix C printed no JSON ({e}): {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let short = reply["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("64 bytes"));
        if short {
            short_signatures += 1;
            continue;
        }
        return (reply, short_signatures);
    }
    panic!("12 runs of Appendix C all made short signatures: that is not the 1-in-128 defect")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_scripts_get_a_token_from_the_sandbox() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();

    // Appendix A, as written: a SEC1 key, its public key and a certificate.
    let out = tokio::task::spawn_blocking({
        let path = path.clone();
        move || bash("appendix-a.sh", &path, &[])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "Appendix A failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let private = std::fs::read_to_string(path.join("hague4offices_private.pem")).unwrap();
    assert!(private.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let cert = std::fs::read_to_string(path.join("es256_cert.pem")).unwrap();
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
    // The key is usable by our client as well.
    fapi_jwt_assert::SigningKey::from_pem(&private).unwrap();
    let public = std::fs::read_to_string(path.join("hague4offices_public.pem")).unwrap();

    for strict in [false, true] {
        let sb = start(strict).await;
        // Registration, as WIPO does with the certificate: here the public key.
        let a = call(
            Method::POST,
            &format!("{}/sandbox/clients", sb.hws_url()),
            &[("content-type", "application/json")],
            serde_json::json!({"client_id": "office-guide", "public_key_pem": public}).to_string(),
        )
        .await;
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        let env = vec![
            ("ISSUER", sb.issuer()),
            ("CLIENT_ID", "office-guide".to_owned()),
            ("PRIVATE_KEY_ES256", "hague4offices_private.pem".to_owned()),
        ];
        let (reply, retries) = tokio::task::spawn_blocking({
            let path = path.clone();
            move || appendix_c(&path, &env)
        })
        .await
        .unwrap();
        if strict {
            assert_eq!(reply["error"], "invalid_client", "{reply}");
            let d = reply["error_description"].as_str().unwrap_or_default();
            assert!(d.contains("iat") || d.contains("jti"), "{d}");
        } else {
            eprintln!("Appendix C: token after {retries} retry(ies) for a short signature");
            let token = reply["access_token"].as_str().unwrap_or_else(|| {
                panic!("Appendix C got no token: {reply}");
            });
            assert_eq!(reply["token_type"], "Bearer");
            // The token works on the API.
            let auth = format!("Bearer {token}");
            let a = call(
                Method::GET,
                &format!("{}/pingMe", sb.hws_api_url()),
                &[("authorization", auth.as_str())],
                "",
            )
            .await;
            assert_eq!(a.status, 200);
        }
        sb.shutdown().await;
    }
}

/// The one change to the script's text besides its line wraps and settings: the guide
/// prints `-sign"${PRIVATE_KEY_ES256}"` without a space, which this openssl refuses. If a
/// future openssl accepts it, this test fails: then fixtures/guide-scripts/README.md must
/// be updated.
#[test]
fn openssl_refuses_the_guides_sign_option_without_a_space() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let made = Command::new("openssl")
        .args([
            "ecparam",
            "-genkey",
            "-name",
            "prime256v1",
            "-noout",
            "-out",
        ])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    let out = Command::new("sh")
        .arg("-c")
        .arg("printf abc | openssl dgst -sha256 -sign\"k.pem\"")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("signk.pem"), "{err}");
    let out = Command::new("sh")
        .arg("-c")
        .arg("printf abc | openssl dgst -sha256 -sign \"k.pem\" | wc -c")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
}
