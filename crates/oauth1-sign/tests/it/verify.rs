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

/// The guide's own example shape, with the raw `+` a Postman URL would carry:
/// a form decoder reads it as a space, so it does not verify, while the
/// `%2B` form this crate sends does.
#[test]
fn raw_plus_in_signature_breaks_under_form_decoding() {
    let req = Request::new("GET", "https://apitest.firmadocumentos.es/admin/Budget");
    let mut ts = 1_588_868_844;
    let signed = loop {
        let s = sign(&req, &creds(), &SigningParams::new(ts, "wwrOvS5Q011")).unwrap();
        if s.signature().expose().contains('+') {
            break s;
        }
        ts += 1;
    };
    let opts = VerifyOptions::new(ts);
    assert!(verify(&Request::new("GET", signed.url()), &opts, lookup, |_| true).is_ok());
    let raw = signed.url().replace("%2B", "+");
    assert_eq!(
        verify(&Request::new("GET", &raw), &opts, lookup, |_| true),
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
