//! Properties that hold for every input.

use oauth1_sign::Configure as _;
use oauth1_sign::{
    Body, Credentials, Placement, Request, SignatureMethod, SignatureShape, Signer, SigningParams,
    VerifyOptions, sign, verify,
};
use proptest::prelude::*;

/// Short texts of characters that need every kind of encoding.
pub(crate) fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just(' '),
            Just('+'),
            Just('&'),
            Just('='),
            Just('é'),
            Just('🦀'),
            Just('%'),
            Just('~')
        ],
        0..12,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    /// A JSON body (sent as text/plain) never changes the signature
    /// (requests-oauthlib testNonFormEncoded, as a property).
    #[test]
    fn opaque_body_is_not_signed(secret in any_text(), ts in 1u64..4_000_000_000) {
        let creds = Credentials::new("client_key", secret.as_str()).unwrap();
        let url = "https://apitest.firmadocumentos.es/send/Sending?query=retain";
        let p = SigningParams::new(ts, "abc");
        let a = sign(&Request::new("POST", url).body(Body::Opaque), &creds, &p).unwrap();
        let b = sign(&Request::new("POST", url).body(Body::None), &creds, &p).unwrap();
        prop_assert_eq!(a.signature(), b.signature());
    }

    /// Whatever is signed verifies, in every placement, and a changed secret does not.
    #[test]
    fn sign_then_verify(secret in any_text(), value in any_text(), ts in 1u64..4_000_000_000, placement in 0usize..3, m in 0usize..3) {
        let placement = [Placement::Query, Placement::Header, Placement::Form][placement];
        let method = [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256, SignatureMethod::Plaintext][m];
        let creds = Credentials::new("k", secret.as_str()).unwrap().with_token("t", "ts");
        let form = format!("v={}", oauth1_sign::percent_encode(&value));
        let url = format!("https://h.example/p?q={}", oauth1_sign::percent_encode(&value));
        let req = Request::new("POST", &url).body(Body::Form(form.as_bytes()));
        let signed = sign(&req, &creds, &SigningParams::new(ts, "nonce").placement(placement).method(method)).unwrap();
        let body = signed.form_body().map_or(form.as_bytes().to_vec(), <[u8]>::to_vec);
        let mut seen = req.body(Body::Form(&body));
        let signed_url = signed.url().to_owned();
        seen = Request::new("POST", &signed_url).body(seen.body_kind());
        if let Some(h) = signed.authorization() { seen = seen.authorization(h); }
        let methods = [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256, SignatureMethod::Plaintext];
        let opts = VerifyOptions { now: ts, window: 300, methods: &methods };
        let ok = verify(&seen, &opts, |k, t| (k == "k" && t == Some("t")).then(|| creds.clone()), |_| true);
        prop_assert!(ok.is_ok(), "{:?}", ok);
        let wrong = Credentials::new("k", format!("{secret}x")).unwrap().with_token("t", "ts");
        let bad = verify(&seen, &opts, |_, _| Some(wrong.clone()), |_| true);
        prop_assert_eq!(bad, Err(oauth1_sign::VerifyError::BadSignature));
    }
}

/// The default shape (`Unescaped`) redraws until no `+` or `/` is left, the
/// number of draws is what the nonce source saw, and the fast redraw (an HMAC
/// resumed after the base string's prefix, nonce and signature swapped into
/// the first result) gives exactly what a full signature with the winning
/// nonce gives.
#[test]
fn unescaped_shape_redraws_and_matches_a_full_signature() {
    let creds = Credentials::new("key", "secret").unwrap();
    let signer = Signer::new(creds.clone());
    assert_eq!(signer.options().shape(), SignatureShape::Unescaped);
    let cases = [
        Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget"),
        Request::new(
            "POST",
            "https://apitest.firmadocumentos.es/send/Sending?aoauth_nonce=1",
        )
        .body(Body::Opaque),
    ];
    let mut total_draws = 0;
    for (c, req) in cases.iter().enumerate() {
        for placement in [Placement::Query, Placement::Header] {
            let signer = signer.clone().placement(placement);
            for i in 0..100u32 {
                let mut n = 0u32;
                let mut last = String::new();
                let signed = signer
                    .sign_with(req, 1_588_868_844, || {
                        n += 1;
                        last = format!("nonce{c}{i}x{n}");
                        Ok(last.clone())
                    })
                    .unwrap();
                assert!(!signed.signature_needs_escaping(), "{i}");
                assert!(!signed.url().contains("%2B") && !signed.url().contains("%2F"));
                let full = sign(
                    req,
                    &creds,
                    &SigningParams::new(1_588_868_844, &last).placement(placement),
                )
                .unwrap();
                assert_eq!(signed.url(), full.url());
                assert_eq!(signed.authorization(), full.authorization());
                assert_eq!(signed.base_string(), full.base_string());
                assert_eq!(signed.signature().expose(), full.signature().expose());
                total_draws += n;
            }
        }
    }
    // About 2.3 draws per signature on average (400 signatures); far more
    // than 1 proves redraws happen.
    assert!(total_draws > 600 && total_draws < 1600, "{total_draws}");
}

/// `Rfc` and `Guide` never redraw: one nonce per signature.
#[test]
fn rfc_and_guide_shapes_draw_once() {
    let req = Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget");
    for shape in [SignatureShape::Rfc, SignatureShape::Guide] {
        let signer = Signer::new(Credentials::new("key", "secret").unwrap()).signature_shape(shape);
        let mut escaped = 0;
        for i in 0..100u32 {
            let mut n = 0u32;
            let s = signer
                .sign_with(&req, 1, || {
                    n += 1;
                    Ok(format!("n{i}"))
                })
                .unwrap();
            assert_eq!(n, 1);
            escaped += usize::from(s.signature_needs_escaping());
        }
        assert!(escaped > 20, "{shape}: {escaped}");
    }
}

/// `sign_now` in the default shape: fresh nonces, never a `+` or `/`.
#[test]
fn sign_now_default_shape_is_unescaped() {
    let signer = Signer::new(Credentials::new("key", "secret").unwrap());
    let req = Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget");
    let mut nonces = std::collections::HashSet::new();
    for _ in 0..50 {
        let s = signer.sign_now(&req).unwrap();
        assert!(!s.signature_needs_escaping());
        let nonce = s
            .url()
            .split('&')
            .find_map(|p| p.strip_prefix("oauth_nonce="))
            .unwrap()
            .to_owned();
        assert_eq!(nonce.len(), 22);
        assert!(nonces.insert(nonce));
    }
}

#[test]
fn random_nonces_are_128_bit_and_unreserved() {
    let a = oauth1_sign::random_nonce().unwrap();
    let b = oauth1_sign::random_nonce().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 22);
    assert!(
        a.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
}
