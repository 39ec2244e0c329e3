//! Server-side verification.

use std::collections::HashSet;

use oauth1_sign::Configure as _;
use oauth1_sign::{
    Credentials, Placement, Request, SigningParams, VerifyError, VerifyOptions, sign, verify,
};

fn creds() -> Credentials {
    Credentials::new("XXXXXXXXXXXXXXXXXXXXX", "secret").unwrap()
}

fn lookup(k: &str, _t: Option<&str>) -> Option<Credentials> {
    (k == "XXXXXXXXXXXXXXXXXXXXX").then(creds)
}

fn signed_url(ts: u64, nonce: &str) -> String {
    let req = Request::new("POST", "https://apitest.firmadocumentos.es/send/Template");
    sign(&req, &creds(), &SigningParams::new(ts, nonce))
        .unwrap()
        .into_url()
}

#[test]
fn accepts_and_then_refuses_the_replay() {
    let url = signed_url(1_588_868_100, "s8xbzILkavi");
    let mut seen = HashSet::new();
    let mut check = |url: &str| {
        verify(
            &Request::new("POST", url),
            &VerifyOptions::new(1_588_868_160),
            lookup,
            |v| seen.insert(v.nonce.clone()),
        )
    };
    let ok = check(&url).unwrap();
    assert_eq!(ok.consumer_key, "XXXXXXXXXXXXXXXXXXXXX");
    assert_eq!(ok.timestamp, 1_588_868_100);
    assert_eq!(check(&url), Err(VerifyError::Replayed));
}

/// Signs `GET /admin/Budget` like the guide's third example (11-character nonce), moving
/// the timestamp until the signature holds both `+` and `/`, so that every shape differs.
fn guide_shaped() -> (oauth1_sign::Signed, u64) {
    let req = Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget");
    let mut ts = 1_588_868_844;
    loop {
        let s = sign(&req, &creds(), &SigningParams::new(ts, "wwrOvS5Q011")).unwrap();
        let sig = s.signature().expose();
        if sig.contains('+') && sig.contains('/') {
            return (s, ts);
        }
        ts += 1;
    }
}

/// The guide's Postman shape: `+` and `/` raw, only `=` escaped
/// (`oauth_signature=+NwET4pY2AE+raoBlhHXj9xCDm0%3D`). A form decoder reads the raw `+`
/// as a space; the verifier reads it back as `+`, so the shape verifies.
#[test]
fn raw_plus_and_slash_in_the_signature_verify() {
    let (signed, ts) = guide_shaped();
    let opts = VerifyOptions::new(ts);
    let rfc = signed.url().to_owned();
    assert!(rfc.contains("%2B") && rfc.contains("%2F") && rfc.ends_with("%3D"));
    let guide = rfc.replace("%2B", "+").replace("%2F", "/");
    assert!(guide.contains('+') && !guide.contains("%2B"));
    for url in [&rfc, &guide] {
        assert!(
            verify(&Request::new("GET", url), &opts, lookup, |_| true).is_ok(),
            "{url}"
        );
    }
    // Only the `+` raw, or `%2B` with a raw `/`: every mix reads the same.
    let mixed = rfc.replace("%2B", "+");
    assert!(verify(&Request::new("GET", &mixed), &opts, lookup, |_| true).is_ok());
    // A `+` sent as `%20` (a space on the wire) is read back as `+` too: the signature never
    // holds a space, so nothing else could have been meant.
    let spaced = rfc.replace("%2B", "%20");
    assert!(verify(&Request::new("GET", &spaced), &opts, lookup, |_| true).is_ok());
}

/// The repair does not weaken the check: a wrong signature in the guide's shape, or the
/// right one with a `+` where the signature had another character, is refused.
#[test]
fn a_wrong_signature_in_the_guide_shape_is_refused() {
    let (signed, ts) = guide_shaped();
    let opts = VerifyOptions::new(ts);
    let guide = signed.url().replace("%2B", "+").replace("%2F", "/");
    // Another secret, same shape.
    let other = Credentials::new("XXXXXXXXXXXXXXXXXXXXX", "not-the-secret").unwrap();
    let forged = sign(
        &Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget"),
        &other,
        &SigningParams::new(ts, "wwrOvS5Q011"),
    )
    .unwrap()
    .url()
    .replace("%2B", "+")
    .replace("%2F", "/");
    assert_eq!(
        verify(&Request::new("GET", &forged), &opts, lookup, |_| true),
        Err(VerifyError::BadSignature)
    );
    // The right signature with its `/` turned into a `+`.
    let (head, sig) = guide.split_once("oauth_signature=").unwrap();
    let bent = format!("{head}oauth_signature={}", sig.replace('/', "+"));
    assert_ne!(bent, guide);
    assert_eq!(
        verify(&Request::new("GET", &bent), &opts, lookup, |_| true),
        Err(VerifyError::BadSignature)
    );
    // The right signature with its `+` dropped.
    let dropped = format!("{head}oauth_signature={}", sig.replace('+', ""));
    assert_eq!(
        verify(&Request::new("GET", &dropped), &opts, lookup, |_| true),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn refusals_are_typed() {
    let url = signed_url(1_000_000, "n1");
    let opts = VerifyOptions::new(1_000_000 + 301);
    assert_eq!(
        verify(&Request::new("POST", &url), &opts, lookup, |_| true),
        Err(VerifyError::TimestampOutOfWindow {
            skew: 301,
            window: 300
        })
    );
    let opts = VerifyOptions::new(1_000_000);
    assert_eq!(
        verify(&Request::new("POST", &url), &opts, |_, _| None, |_| true),
        Err(VerifyError::UnknownConsumer)
    );
    assert_eq!(
        verify(&Request::new("GET", &url), &opts, lookup, |_| true),
        Err(VerifyError::BadSignature)
    );
    let tampered = url.replace("/send/Template", "/send/Sending");
    assert_eq!(
        verify(&Request::new("POST", &tampered), &opts, lookup, |_| true),
        Err(VerifyError::BadSignature)
    );
    let unsigned = "https://apitest.firmadocumentos.es/send/Template?oauth_consumer_key=k";
    assert_eq!(
        verify(&Request::new("POST", unsigned), &opts, lookup, |_| true),
        Err(VerifyError::Missing("oauth_signature"))
    );
    let doubled = format!("{url}&oauth_nonce=again");
    assert!(matches!(
        verify(&Request::new("POST", &doubled), &opts, lookup, |_| true),
        Err(VerifyError::Duplicate(_))
    ));
    let plaintext = url.replace("HMAC-SHA1", "PLAINTEXT");
    assert!(matches!(
        verify(&Request::new("POST", &plaintext), &opts, lookup, |_| true),
        Err(VerifyError::MethodNotAllowed(_))
    ));
}

#[test]
fn header_placement_verifies() {
    let req = Request::new("GET", "https://h.example/a?b=c");
    let signed = sign(
        &req,
        &creds(),
        &SigningParams::new(50, "n")
            .placement(Placement::Header)
            .realm("R"),
    )
    .unwrap();
    let seen = Request::new("GET", signed.url()).authorization(signed.authorization().unwrap());
    assert!(verify(&seen, &VerifyOptions::new(50), lookup, |_| true).is_ok());
    let broken =
        Request::new("GET", signed.url()).authorization("OAuth oauth_consumer_key=unquoted");
    assert!(matches!(
        verify(&broken, &VerifyOptions::new(50), lookup, |_| true),
        Err(VerifyError::MalformedHeader(_))
    ));
}
