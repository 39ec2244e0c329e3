//! `Signer`'s prepared requests (the fast path every `Signer` call takes)
//! give exactly what the reference pipeline `sign` gives, keep its errors,
//! and `sign_now`'s nonces are fresh.

use std::collections::HashSet;

use oauth1_sign::Configure as _;
use oauth1_sign::{
    Body, Credentials, Error, Placement, Request, SignatureMethod, SignatureShape, Signer,
    SigningParams, VerifyOptions, sign, verify,
};
use proptest::prelude::*;

use crate::properties::any_text;

/// Compares every output of two signed requests.
fn same(a: &oauth1_sign::Signed, b: &oauth1_sign::Signed) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.url(), b.url());
    prop_assert_eq!(a.authorization(), b.authorization());
    prop_assert_eq!(a.form_body(), b.form_body());
    prop_assert_eq!(a.base_string(), b.base_string());
    prop_assert_eq!(a.signature().expose(), b.signature().expose());
    prop_assert_eq!(a.placement(), b.placement());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// For any request, options and credentials, the prepared request gives
    /// byte for byte what `sign` gives with the last nonce drawn, the first
    /// time (prepared now) and the next ones (from the cache, for another
    /// last path segment too).
    #[test]
    fn prepared_requests_sign_as_sign_does(
        path in any_text(), value in any_text(), secret in any_text(),
        query in any::<bool>(), form in 0usize..3, lower in any::<bool>(),
        placement in 0usize..3, m in 0usize..3, shape in 0usize..3, version in any::<bool>(),
        token in any::<bool>(), ts in 0u64..u64::MAX, seed in 0u32..1000,
    ) {
        let placement = [Placement::Query, Placement::Header, Placement::Form][placement];
        let method = [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256, SignatureMethod::Plaintext][m];
        let shape = SignatureShape::ALL[shape];
        let enc = oauth1_sign::percent_encode;
        // The last segment changes between rounds (a sending's code): the
        // requests share one prepared request unless there is a query.
        let url = |segment: &str| {
            let mut url = format!("https://API.example:8443/{}/{segment}", enc(&path));
            if query {
                url.push_str(&format!("?q={}&q=&r={}", enc(&value), enc(&path)));
            }
            url
        };
        let body_text = format!("f={}&g", enc(&value));
        let body = [Body::None, Body::Opaque, Body::Form(body_text.as_bytes())][form];
        let http_method = if lower { "post" } else { "PUT" };
        let mut creds = Credentials::new("ck", secret.as_str()).unwrap();
        if token {
            creds = creds.with_token("tok", "t&s");
        }
        let signer = Signer::new(creds.clone())
            .method(method).placement(placement).signature_shape(shape).version(version);
        for (round, segment) in ["x", "XJH290C", "x", "7"].into_iter().enumerate() {
            let url = url(segment);
            let req = Request::new(http_method, &url).body(body);
            let mut n = 0;
            let mut last = String::new();
            let ours = signer.sign_with(&req, ts, || {
                n += 1;
                last = format!("n{seed}-{round}.{n}");
                Ok(last.clone())
            });
            // A request refused before any draw is compared with a valid nonce.
            let nonce = if last.is_empty() { "n" } else { last.as_str() };
            let params = SigningParams::new(ts, nonce).with_options(*signer.options());
            let reference = sign(&req, &creds, &params);
            match (ours, reference) {
                (Ok(a), Ok(b)) => {
                    same(&a, &b)?;
                    if shape == SignatureShape::Unescaped && method != SignatureMethod::Plaintext {
                        prop_assert!(!a.signature_needs_escaping());
                    } else {
                        prop_assert_eq!(n, 1);
                    }
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "ours {:?}, sign {:?}", a.err(), b.err()),
            }
        }
    }
}

/// More endpoints than the signer keeps, in turn, twice: each signature is
/// still the reference one (the least recently used is dropped, never
/// confused with another).
#[test]
fn many_endpoints_in_turn() {
    let creds = Credentials::new("XXXXXXXXXXXXXXXXXXXXX", "secret").unwrap();
    let signer = Signer::new(creds.clone());
    let urls: Vec<String> = (0..40)
        .map(|i| format!("https://apitest.firmadocumentos.es/send/Sending/{i:06}"))
        .collect();
    for round in 0..3 {
        for (i, url) in urls.iter().enumerate() {
            let method = if i % 2 == 0 { "GET" } else { "POST" };
            let req = Request::new(method, url).body(Body::Opaque);
            let mut last = String::new();
            let ours = signer
                .sign_with(&req, 1_700_000_000 + round, || {
                    last = format!("n{round}x{i}x{}", last.len());
                    Ok(last.clone())
                })
                .unwrap();
            let reference = sign(
                &req,
                &creds,
                &SigningParams::new(1_700_000_000 + round, &last),
            )
            .unwrap();
            assert_eq!(ours.url(), reference.url(), "{url}");
            assert_eq!(ours.base_string(), reference.base_string());
        }
    }
    // Options changed on a clone (which shares the prepared requests) give
    // that clone's shape, not the cached one's.
    let rfc = signer.clone().signature_shape(SignatureShape::Rfc);
    let req = Request::new("GET", &urls[0]);
    let guide = signer.signature_shape(SignatureShape::Guide);
    for i in 0..200 {
        let nonce = || Ok(format!("same{i}"));
        let a = rfc.sign_with(&req, 1, nonce).unwrap();
        let b = guide.sign_with(&req, 1, nonce).unwrap();
        assert_eq!(a.signature().expose(), b.signature().expose());
        if a.signature_needs_escaping() {
            assert_ne!(a.url(), b.url());
        }
    }
}

/// The prepared path refuses what `sign` refuses, with the same errors, and
/// caches no failure.
#[test]
fn errors_are_those_of_sign() {
    let creds = Credentials::new("k", "s").unwrap();
    let signer = Signer::new(creds.clone());
    let cases = [
        Request::new("GET", "not a url"),
        Request::new("GET", "ftp://example.com/"),
        Request::new("G ET", "https://example.com/"),
        Request::new("GET", "https://example.com/?oauth_nonce=1"),
        Request::new("GET", "https://example.com/").authorization("OAuth oauth_nonce=\"1\""),
    ];
    for req in cases {
        let reference = sign(&req, &creds, &SigningParams::new(1, "n")).unwrap_err();
        assert_eq!(signer.sign_now(&req).unwrap_err(), reference);
        assert_eq!(
            signer.sign_with(&req, 1, || Ok("n".into())).unwrap_err(),
            reference
        );
    }
    let opaque = Request::new("POST", "https://example.com/").body(Body::Opaque);
    let form = signer.clone().placement(Placement::Form);
    assert_eq!(
        form.sign_now(&opaque).unwrap_err(),
        Error::FormPlacementNeedsForm
    );
    let ok = Request::new("GET", "https://example.com/");
    for bad in ["", "a b", "a+b", "é"] {
        let r = signer.sign_with(&ok, 1, || Ok(bad.to_owned()));
        assert_eq!(r.unwrap_err(), Error::InvalidNonce, "{bad:?}");
    }
}

/// `sign_now` in every shape: what it signs verifies, the nonces are 22
/// unreserved characters and never repeat, across clones and threads.
#[test]
fn sign_now_verifies_and_never_repeats_a_nonce() {
    let creds = Credentials::new("XXXXXXXXXXXXXXXXXXXXX", "secret").unwrap();
    let signer = Signer::new(creds.clone());
    let url = "https://apitest.firmadocumentos.es/admin/Budget";
    let nonces: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = SignatureShape::ALL
            .into_iter()
            .chain([SignatureShape::Unescaped])
            .map(|shape| {
                let signer = signer.clone().signature_shape(shape);
                scope.spawn(move || {
                    (0..2_000)
                        .map(|_| {
                            let s = signer.sign_now(&Request::new("GET", url)).unwrap();
                            if shape == SignatureShape::Unescaped {
                                assert!(!s.signature_needs_escaping());
                            }
                            s.into_url()
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let methods = [SignatureMethod::HmacSha1];
    let mut seen = HashSet::new();
    for signed_url in nonces.iter().flatten() {
        let nonce = signed_url
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("oauth_nonce="))
            .unwrap();
        assert_eq!(nonce.len(), 22, "{nonce}");
        assert!(
            nonce
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert!(seen.insert(nonce.to_owned()), "nonce {nonce} repeated");
        let ts: u64 = signed_url
            .split('&')
            .find_map(|p| p.strip_prefix("oauth_timestamp="))
            .unwrap()
            .parse()
            .unwrap();
        let opts = VerifyOptions {
            now: ts,
            window: 300,
            methods: &methods,
        };
        let verified = verify(
            &Request::new("GET", signed_url),
            &opts,
            |_, _| Some(creds.clone()),
            |_| true,
        );
        assert!(verified.is_ok(), "{signed_url}");
    }
    assert_eq!(seen.len(), 8_000);
    // A new signer (a new key for its nonce source) draws other nonces.
    let other = Signer::new(creds)
        .sign_now(&Request::new("GET", url))
        .unwrap();
    assert!(!nonces.iter().flatten().any(|u| u == other.url()));
}
