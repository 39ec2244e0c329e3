//! Bad input gets a typed error, never a panic.

use oauth1_sign::Configure as _;
use oauth1_sign::{Body, Credentials, Error, Placement, Request, SigningParams, sign};

fn creds() -> Credentials {
    Credentials::new("key", "secret").unwrap()
}

fn sign_url(url: &str) -> Result<String, Error> {
    sign(
        &Request::new("GET", url),
        &creds(),
        &SigningParams::new(1, "n"),
    )
    .map(|s| s.into_url())
}

#[test]
fn unparsable_url() {
    assert!(matches!(
        sign_url("not a url"),
        Err(Error::InvalidUrl { .. })
    ));
    assert!(matches!(
        sign_url("/relative/path"),
        Err(Error::InvalidUrl { .. })
    ));
}

#[test]
fn port_out_of_range() {
    assert_eq!(sign_url("https://h:70000/x"), Err(Error::PortOutOfRange));
    assert_eq!(sign_url("https://h:0/x"), Err(Error::PortOutOfRange));
}

#[test]
fn non_http_scheme() {
    assert_eq!(
        sign_url("ftp://ftpird.wipo.int/x"),
        Err(Error::UnsupportedScheme("ftp".into()))
    );
    assert_eq!(
        sign_url("file:///etc/passwd"),
        Err(Error::UnsupportedScheme("file".into()))
    );
}

#[test]
fn already_signed() {
    assert!(
        matches!(sign_url("https://h/x?oauth_nonce=1"), Err(Error::AlreadySigned(n, "URL query")) if n == "oauth_nonce")
    );
    let r = Request::new("POST", "https://h/x").body(Body::Form(b"a=1&oauth_token=t"));
    assert!(matches!(
        sign(&r, &creds(), &SigningParams::new(1, "n")),
        Err(Error::AlreadySigned(_, "form body"))
    ));
    let r = Request::new("GET", "https://h/x").authorization("OAuth oauth_consumer_key=\"k\"");
    assert!(matches!(
        sign(&r, &creds(), &SigningParams::new(1, "n")),
        Err(Error::AlreadySigned(_, "headers"))
    ));
}

#[test]
fn empty_consumer_key() {
    assert!(matches!(
        Credentials::new("", "secret"),
        Err(Error::EmptyConsumerKey)
    ));
}

#[test]
fn bad_method_and_nonce() {
    let r = Request::new("GE T", "https://h/x");
    assert!(matches!(
        sign(&r, &creds(), &SigningParams::new(1, "n")),
        Err(Error::InvalidMethod(_))
    ));
    let r = Request::new("", "https://h/x");
    assert!(matches!(
        sign(&r, &creds(), &SigningParams::new(1, "n")),
        Err(Error::InvalidMethod(_))
    ));
    let r = Request::new("GET", "https://h/x");
    assert_eq!(
        sign(&r, &creds(), &SigningParams::new(1, "")).unwrap_err(),
        Error::InvalidNonce
    );
    assert_eq!(
        sign(&r, &creds(), &SigningParams::new(1, "a b")).unwrap_err(),
        Error::InvalidNonce
    );
}

#[test]
fn form_placement_needs_a_form() {
    let r = Request::new("POST", "https://h/x").body(Body::Opaque);
    let p = SigningParams::new(1, "n").placement(Placement::Form);
    assert_eq!(
        sign(&r, &creds(), &p).unwrap_err(),
        Error::FormPlacementNeedsForm
    );
}

#[test]
fn messages_say_how_to_fix() {
    let msg = sign_url("https://h:70000/x").unwrap_err().to_string();
    assert!(msg.contains("1 to 65535"), "{msg}");
    let msg = Credentials::new("", "s").unwrap_err().to_string();
    assert!(msg.contains("Consumer Key"), "{msg}");
}
