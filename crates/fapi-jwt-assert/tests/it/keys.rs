//! Key loading: the forms offices hold, and the typed refusals.

use std::time::{Duration, SystemTime};

use fapi_jwt_assert::{Algorithm, KeyError, KeyType, SigningKey, SystemRandom};

use crate::support::{fixture, tempdir};

#[test]
fn loads_appendix_a_sec1_and_matches_openssl_public_key() {
    let key = SigningKey::from_pem(&fixture("ec_p256_sec1.pem")).unwrap();
    assert_eq!(key.key_type(), KeyType::EcP256);
    assert_eq!(key.default_algorithm(), Algorithm::Es256);
    // `openssl ec -pubout` printed this file; ours must be identical.
    assert_eq!(key.public_key_pem(), fixture("ec_p256_public.pem"));
}

#[test]
fn sec1_pkcs8_and_params_block_give_the_same_key() {
    let sec1 = SigningKey::from_pem(&fixture("ec_p256_sec1.pem")).unwrap();
    let pkcs8 = SigningKey::from_pem(&fixture("ec_p256_pkcs8.pem")).unwrap();
    assert_eq!(sec1.public_jwk(), pkcs8.public_jwk());
    let with_params = SigningKey::from_pem(&fixture("ec_p256_sec1_with_params.pem")).unwrap();
    assert_eq!(with_params.key_type(), KeyType::EcP256);
    // A private key next to a certificate in one file: the key is taken.
    let combined = fixture("ec_p256_cert.pem") + &fixture("ec_p256_sec1.pem");
    assert_eq!(
        SigningKey::from_pem(&combined).unwrap().public_jwk(),
        sec1.public_jwk()
    );
}

#[test]
fn crlf_line_endings_are_read() {
    let crlf = fixture("ec_p256_sec1.pem").replace('\n', "\r\n");
    let key = SigningKey::from_pem(&crlf).unwrap();
    assert_eq!(key.public_key_pem(), fixture("ec_p256_public.pem"));
}

#[test]
fn loads_rsa_pkcs8_and_pkcs1() {
    let a = SigningKey::from_pem(&fixture("rsa_2048_pkcs8.pem")).unwrap();
    let b = SigningKey::from_pem(&fixture("rsa_2048_pkcs1.pem")).unwrap();
    assert_eq!(a.key_type(), KeyType::Rsa);
    assert_eq!(a.rsa_bits(), Some(2048));
    assert_eq!(a.default_algorithm(), Algorithm::Ps256);
    assert_eq!(a.public_jwk(), b.public_jwk());
    assert_eq!(a.public_key_pem(), fixture("rsa_2048_public.pem"));
}

#[test]
fn pkcs8_export_round_trips_and_openssl_can_read_it() {
    let key = SigningKey::generate_p256().unwrap();
    let pem = key.to_pkcs8_pem();
    let again = SigningKey::from_pem(pem.expose_secret()).unwrap();
    assert_eq!(again.public_jwk(), key.public_jwk());
    let dir = tempdir();
    let path = dir.join("k.pem");
    std::fs::write(&path, pem.expose_secret()).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), key.public_key_pem());
}

#[test]
fn typed_errors_name_what_was_found() {
    let err = |name: &str| SigningKey::from_pem(&fixture(name)).unwrap_err();
    assert_eq!(
        err("ec_p384_sec1.pem"),
        KeyError::UnsupportedCurve {
            curve: "P-384 (secp384r1)".into()
        }
    );
    assert_eq!(
        err("ec_p384_pkcs8.pem"),
        KeyError::UnsupportedCurve {
            curve: "P-384 (secp384r1)".into()
        }
    );
    assert_eq!(
        err("ec_secp256k1_sec1.pem"),
        KeyError::UnsupportedCurve {
            curve: "secp256k1".into()
        }
    );
    assert_eq!(
        err("ec_p256_encrypted_pkcs8.pem"),
        KeyError::Encrypted {
            label: "ENCRYPTED PRIVATE KEY".into()
        }
    );
    assert!(matches!(
        err("ec_p256_encrypted_legacy.pem"),
        KeyError::Encrypted { .. }
    ));
    assert!(
        matches!(err("ec_p256_public.pem"), KeyError::NotAPrivateKey { found } if found.contains("public key"))
    );
    assert!(
        matches!(err("ec_p256_cert.pem"), KeyError::NotAPrivateKey { found } if found.contains("certificate"))
    );
    assert_eq!(
        err("rsa_1024_pkcs8.pem"),
        KeyError::RsaTooSmall { bits: 1024 }
    );
    assert_eq!(
        err("ed25519_pkcs8.pem"),
        KeyError::UnsupportedKeyType {
            found: "Ed25519".into()
        }
    );
    assert_eq!(
        err("ec_p256_sec1_no_public.pem"),
        KeyError::MissingPublicKey
    );
    assert_eq!(
        SigningKey::from_pem("not a key").unwrap_err(),
        KeyError::NotPem
    );
    assert!(matches!(
        SigningKey::from_pem("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----")
            .unwrap_err(),
        KeyError::Malformed { format: "SEC1", .. }
    ));
    assert!(matches!(
        SigningKey::from_pem(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"
        )
        .unwrap_err(),
        KeyError::UnsupportedFormat { .. }
    ));
    // Messages say what to do.
    let msg = err("ec_p384_sec1.pem").to_string();
    assert!(msg.contains("P-384") && msg.contains("prime256v1"), "{msg}");
    assert!(err("rsa_1024_pkcs8.pem").to_string().contains("2048"));
}

#[test]
fn flipped_bytes_never_panic() {
    use base64::Engine as _;
    for name in [
        "ec_p256_sec1.pem",
        "ec_p256_pkcs8.pem",
        "rsa_2048_pkcs1.pem",
    ] {
        let pem = fixture(name);
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        for i in 0..der.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                // Any answer but a panic; a changed key must not pass as the original.
                for r in [
                    SigningKey::from_sec1_der(&bad),
                    SigningKey::from_pkcs8_der(&bad),
                    SigningKey::from_pkcs1_der(&bad),
                ] {
                    let _ = r.map(|k| k.public_jwk().thumbprint());
                }
            }
        }
    }
}

#[test]
fn truncated_der_never_panics() {
    let pem = fixture("ec_p256_sec1.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    for cut in 0..der.len() {
        assert!(SigningKey::from_sec1_der(&der[..cut]).is_err());
        assert!(SigningKey::from_pkcs8_der(&der[..cut]).is_err());
        assert!(SigningKey::from_pkcs1_der(&der[..cut]).is_err());
    }
}

#[test]
fn debug_never_prints_the_key() {
    let pem = fixture("ec_p256_sec1.pem");
    let key = SigningKey::from_pem(&pem).unwrap();
    let dbg = format!("{key:?}");
    assert!(dbg.contains("[redacted]"), "{dbg}");
    let secret_line = pem.lines().nth(1).unwrap();
    assert!(!dbg.contains(secret_line));
    let export = key.to_pkcs8_pem();
    assert_eq!(format!("{export:?}"), "[redacted]");
    assert!(!format!("{export:?}").contains("PRIVATE"));
}

#[test]
fn generated_key_has_jwk_and_thumbprint() {
    let key = SigningKey::generate_p256().unwrap();
    let jwk: serde_json::Value = serde_json::from_str(&key.public_jwk().to_json()).unwrap();
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");
    assert_eq!(jwk["x"].as_str().unwrap().len(), 43);
    assert_eq!(key.public_jwk().thumbprint().len(), 43);
    let other = SigningKey::generate_p256().unwrap();
    assert_ne!(
        key.public_jwk().thumbprint(),
        other.public_jwk().thumbprint()
    );
}

/// The certificate is checked by openssl: subject, self-signature, key.
#[test]
fn self_signed_certificate_is_accepted_by_openssl() {
    let key = SigningKey::from_pem(&fixture("ec_p256_sec1.pem")).unwrap();
    let not_before = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let pem = key
        .self_signed_certificate(
            "DAS",
            not_before,
            fapi_jwt_assert::OPENSSL_DEFAULT_VALIDITY,
            &SystemRandom::new(),
        )
        .unwrap();
    let dir = tempdir();
    let path = dir.join("cert.pem");
    std::fs::write(&path, &pem).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let subject = run(&["x509", "-noout", "-subject", "-issuer", "-dates", "-in"]);
    assert!(
        subject.contains("subject=CN = DAS private_key_jwt authentication"),
        "{subject}"
    );
    assert!(
        subject.contains("issuer=CN = DAS private_key_jwt authentication"),
        "{subject}"
    );
    assert!(
        subject.contains("notBefore=Jun 15 15:06:40 2025 GMT"),
        "{subject}"
    );
    assert!(
        subject.contains("notAfter=Jul 15 15:06:40 2025 GMT"),
        "{subject}"
    );
    // The certificate carries the key's public key, exactly as openssl extracts it.
    assert_eq!(
        run(&["x509", "-noout", "-pubkey", "-in"]),
        fixture("ec_p256_public.pem")
    );
    let text = run(&["x509", "-noout", "-text", "-in"]);
    assert!(text.contains("ecdsa-with-SHA256"), "{text}");
    // The self-signature verifies (openssl verify checks the signature of a
    // self-signed root; -no_check_time because the dates are fixed).
    let out = std::process::Command::new("openssl")
        .args(["verify", "-no_check_time", "-partial_chain", "-CAfile"])
        .arg(&path)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        key.self_signed_certificate(
            " ",
            not_before,
            Duration::from_secs(1),
            &SystemRandom::new()
        )
        .is_err()
    );
}
