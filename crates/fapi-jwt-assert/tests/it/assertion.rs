//! Assertions: the RFC 7515 A.3 vector, our signatures under an independent
//! ring verifier, claims, headers and limits.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use fapi_jwt_assert::{
    Algorithm, AssertionOptions, AssertionSigner, Audience, ConfigError, KeyId, ProviderMetadata,
    PublicJwk, RandomError, RandomSource, SigningKey, SystemRandom, TokenRequest, UrlPolicy,
};

use crate::support::{decode, fixture, verify};

const A3_JWS: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const A3_JWK: &str = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn ec_signer(options: AssertionOptions) -> AssertionSigner {
    AssertionSigner::new(
        SigningKey::from_pem(&fixture("ec_p256_sec1.pem")).unwrap(),
        "das-api-auth",
        options,
    )
    .unwrap()
}

/// A random source that repeats one byte: makes `jti` predictable.
#[derive(Debug)]
struct FixedRng(u8);
impl RandomSource for FixedRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        dest.fill(self.0);
        Ok(())
    }
}

#[derive(Debug)]
struct FailingRng;
impl RandomSource for FailingRng {
    fn fill(&self, _: &mut [u8]) -> Result<(), RandomError> {
        Err(RandomError::new())
    }
}

#[test]
fn rfc7515_a3_vector_verifies_and_a_tampered_one_does_not() {
    let jwk: PublicJwk = serde_json::from_str(A3_JWK).unwrap();
    assert!(verify(A3_JWS, &jwk));
    assert_eq!(decode(A3_JWS).signature.len(), 64);
    // One bit changed in the payload or the signature breaks it.
    let tampered = A3_JWS.replacen("eyJpc3MiOiJqb2Ui", "eyJpc3MiOiJqb2Uj", 1);
    assert!(!verify(&tampered, &jwk));
    let mut sig_tampered = A3_JWS.to_owned();
    sig_tampered.pop();
    sig_tampered.push('A');
    assert!(!verify(&sig_tampered, &jwk));
}

#[test]
fn es256_signature_is_raw_64_bytes_and_verifies() {
    let signer = ec_signer(AssertionOptions::default());
    for _ in 0..50 {
        let a = signer
            .sign("https://as.example:443/token", now(), &SystemRandom::new())
            .unwrap();
        let jws = decode(a.expose_secret());
        assert_eq!(jws.signature.len(), 64, "raw R||S, not DER");
        assert!(verify(a.expose_secret(), signer.key().public_jwk()));
    }
    // The A.3 key does not verify our signature.
    let other: PublicJwk = serde_json::from_str(A3_JWK).unwrap();
    let a = signer.sign("x", now(), &SystemRandom::new()).unwrap();
    assert!(!verify(a.expose_secret(), &other));
}

#[test]
fn header_and_claims() {
    let signer = ec_signer(AssertionOptions::default());
    let aud = "https://logindev.wipo.int:443/am/oauth2/access_token";
    let a = signer.sign(aud, now(), &FixedRng(0xab)).unwrap();
    let jws = decode(a.expose_secret());
    assert_eq!(
        jws.header,
        serde_json::json!({"alg": "ES256", "typ": "JWT"})
    );
    let c = &jws.claims;
    assert_eq!(c["iss"], "das-api-auth");
    assert_eq!(c["sub"], "das-api-auth");
    assert_eq!(c["aud"], aud, "aud is one string, verbatim with :443");
    assert_eq!(c["iat"], 1_700_000_000u64);
    assert_eq!(c["exp"], 1_700_000_060u64);
    // 16 bytes of 0xab, base64url: the jti comes from the injected source.
    assert_eq!(c["jti"], "q6urq6urq6urq6urq6urqw");
    assert_eq!(a.jti(), "q6urq6urq6urq6urq6urqw");
    assert_eq!(a.expires_at(), 1_700_000_060);
    assert_eq!(c.as_object().unwrap().len(), 6, "no nbf, nothing else: {c}");
}

#[test]
fn jti_is_new_every_time_and_128_bits() {
    let signer = ec_signer(AssertionOptions::default());
    let rng = SystemRandom::new();
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let a = signer.sign("aud", now(), &rng).unwrap();
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(a.jti())
            .unwrap();
        assert!(raw.len() * 8 >= 128);
        assert!(seen.insert(a.jti().to_owned()), "jti repeated");
    }
}

#[test]
fn options_typ_kid_lifetime() {
    let mut o = AssertionOptions::default();
    o.typ = Some("client-authentication+jwt".into());
    o.key_id = KeyId::Thumbprint;
    o.lifetime = Duration::from_secs(300);
    let signer = ec_signer(o);
    let a = signer.sign("aud", now(), &SystemRandom::new()).unwrap();
    let jws = decode(a.expose_secret());
    let thumb = signer.key().public_jwk().thumbprint();
    assert_eq!(
        jws.header,
        serde_json::json!({"alg": "ES256", "typ": "client-authentication+jwt", "kid": thumb})
    );
    assert_eq!(jws.claims["exp"], 1_700_000_300u64);
    let reg: serde_json::Value =
        serde_json::from_str(&signer.registration_jwk().to_json()).unwrap();
    assert_eq!(
        (
            reg["kid"].as_str(),
            reg["alg"].as_str(),
            reg["use"].as_str()
        ),
        (Some(thumb.as_str()), Some("ES256"), Some("sig"))
    );

    let mut o = AssertionOptions::default();
    o.typ = None;
    o.key_id = KeyId::Custom("office-\"1\"".into());
    let a = ec_signer(o)
        .sign("aud", now(), &SystemRandom::new())
        .unwrap();
    assert_eq!(
        decode(a.expose_secret()).header,
        serde_json::json!({"alg": "ES256", "kid": "office-\"1\""})
    );

    let key = || SigningKey::from_pem(&fixture("ec_p256_sec1.pem")).unwrap();
    for (secs, ok) in [(0, false), (1, true), (300, true), (301, false)] {
        let mut o = AssertionOptions::default();
        o.lifetime = Duration::from_secs(secs);
        let r = AssertionSigner::new(key(), "c", o);
        assert_eq!(r.is_ok(), ok, "{secs}");
        if !ok {
            assert_eq!(r.unwrap_err(), ConfigError::Lifetime { secs });
        }
    }
    assert_eq!(
        AssertionSigner::new(key(), "", AssertionOptions::default()).unwrap_err(),
        ConfigError::EmptyClientId
    );
}

#[test]
fn rsa_ps256_and_rs256() {
    for alg in [Algorithm::Ps256, Algorithm::Rs256] {
        let key = SigningKey::from_pem(&fixture("rsa_2048_pkcs8.pem")).unwrap();
        let mut o = AssertionOptions::default();
        o.algorithm = Some(alg);
        let signer = AssertionSigner::new(key, "c", o).unwrap();
        let a = signer
            .sign("https://tenant.auth0.com/", now(), &SystemRandom::new())
            .unwrap();
        let jws = decode(a.expose_secret());
        assert_eq!(jws.header["alg"], alg.as_str());
        assert_eq!(jws.signature.len(), 256);
        assert!(
            verify(a.expose_secret(), signer.key().public_jwk()),
            "{alg}"
        );
    }
    let key = SigningKey::from_pem(&fixture("rsa_2048_pkcs8.pem")).unwrap();
    let mut o = AssertionOptions::default();
    o.algorithm = Some(Algorithm::Es256);
    assert!(matches!(
        AssertionSigner::new(key, "c", o).unwrap_err(),
        ConfigError::AlgorithmMismatch { .. }
    ));
}

#[test]
fn failures_are_errors_not_panics() {
    let signer = ec_signer(AssertionOptions::default());
    assert_eq!(
        signer.sign("a", now(), &FailingRng).unwrap_err(),
        fapi_jwt_assert::SignError::RandomFailed
    );
    let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(1);
    assert_eq!(
        signer
            .sign("a", before_1970, &SystemRandom::new())
            .unwrap_err(),
        fapi_jwt_assert::SignError::ClockBeforeEpoch
    );
}

#[test]
fn audience_modes_and_request_body() {
    let m = ProviderMetadata::manual(
        "https://logindev.wipo.int:443/am/oauth2",
        "https://logindev.wipo.int:443/am/oauth2/access_token",
        UrlPolicy::HttpsOnly,
    )
    .unwrap();
    let signer = ec_signer(AssertionOptions::default());
    let aud_of = |audience: &Audience| {
        let r = TokenRequest::client_credentials(
            &m,
            &signer,
            audience,
            None,
            now(),
            &SystemRandom::new(),
        )
        .unwrap();
        let body = r.body().expose_secret().to_owned();
        let jwt = body.split("client_assertion=").nth(1).unwrap().to_owned();
        assert!(verify(&jwt, signer.key().public_jwk()));
        (decode(&jwt).claims["aud"].clone(), body)
    };
    let (aud, body) = aud_of(&Audience::TokenEndpoint);
    assert_eq!(aud, "https://logindev.wipo.int:443/am/oauth2/access_token");
    assert!(body.starts_with(
        "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=ey"
    ), "{body}");
    assert!(!body.contains("client_id"));
    assert_eq!(
        aud_of(&Audience::Issuer).0,
        "https://logindev.wipo.int:443/am/oauth2"
    );
    assert_eq!(
        aud_of(&Audience::Custom("https://t.auth0.com/".into())).0,
        "https://t.auth0.com/"
    );
}

#[test]
fn secrets_are_redacted_in_debug() {
    let m = ProviderMetadata::manual(
        "https://a.example",
        "https://a.example/token",
        UrlPolicy::HttpsOnly,
    )
    .unwrap();
    let signer = ec_signer(AssertionOptions::default());
    let a = signer.sign("aud", now(), &SystemRandom::new()).unwrap();
    let dbg = format!("{a:?}");
    assert!(
        dbg.contains("[redacted]") && !dbg.contains(a.expose_secret()),
        "{dbg}"
    );
    let sig = a.expose_secret().rsplit('.').next().unwrap();
    assert!(!dbg.contains(sig));
    let r = TokenRequest::client_credentials(
        &m,
        &signer,
        &Audience::TokenEndpoint,
        Some("s"),
        now(),
        &SystemRandom::new(),
    )
    .unwrap();
    let dbg = format!("{r:?} {:?}", r.body());
    assert!(
        dbg.contains("[redacted]") && !dbg.contains("client_assertion=") && !dbg.contains("eyJ"),
        "{dbg}"
    );
    let dbg = format!("{signer:?}");
    assert!(
        dbg.contains("[redacted]") && !dbg.contains("BEGIN"),
        "{dbg}"
    );
}
