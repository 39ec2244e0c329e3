//! A mockito server whose mocks check the OAuth signature with `oauth1-sign`'s
//! `verify`, the query matched by parameter, never as part of the path.

use firmadoc_client::{Client, ClientConfig, Credentials, Environment};
use oauth1_sign::{Body, Request, VerifyOptions, unix_time_now, verify};

pub(crate) const KEY: &str = "test-consumer-key";
pub(crate) const SECRET: &str = "test-consumer-secret-0123456789abcdef";

pub(crate) fn creds() -> Credentials {
    Credentials::new(KEY, SECRET).unwrap()
}

pub(crate) fn client(server: &mockito::Server) -> Client {
    let mut config = ClientConfig::new(Environment::Custom(server.url()), creds());
    config.transport = config.transport.allow_plain_http(true);
    Client::new(config).unwrap()
}

/// True when the request carries exactly the five FirmaDocumentos oauth
/// parameters plus a signature, and the signature verifies.
pub(crate) fn signed(base: String) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    move |req| {
        let url = format!("{base}{}", req.path_and_query());
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let mut names: Vec<&str> = query
            .split('&')
            .filter_map(|p| p.split('=').next())
            .collect();
        names.sort_unstable();
        let expected = [
            "oauth_consumer_key",
            "oauth_nonce",
            "oauth_signature",
            "oauth_signature_method",
            "oauth_timestamp",
            "oauth_version",
        ];
        if names != expected {
            eprintln!("unexpected query parameters: {names:?}");
            return false;
        }
        let body = if req.body().map(|b| b.is_empty()).unwrap_or(true) {
            Body::None
        } else {
            Body::Opaque
        };
        let ok = verify(
            &Request::new(req.method(), &url).body(body),
            &VerifyOptions::new(unix_time_now().unwrap()),
            |k, _| (k == KEY).then(creds),
            |_| true,
        );
        if let Err(e) = &ok {
            eprintln!("signature refused: {e}");
        }
        ok.is_ok()
    }
}

/// Matches a `text/plain` body whose JSON equals `expected`, and a valid signature.
pub(crate) fn signed_json(
    base: String,
    expected: serde_json::Value,
) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    let sig = signed(base);
    move |req| {
        let ct_ok = req
            .header("content-type")
            .iter()
            .any(|v| v.as_bytes() == b"text/plain");
        let body: Option<serde_json::Value> =
            req.body().ok().and_then(|b| serde_json::from_slice(b).ok());
        let same = body.as_ref().is_some_and(|b| json_eq(b, &expected));
        if !same {
            eprintln!("body {body:?} != expected {expected}");
        }
        ct_ok && same && sig(req)
    }
}

/// A path matcher that ignores the query (mockito's default path matching
/// includes it).
pub(crate) fn path(p: &str) -> mockito::Matcher {
    mockito::Matcher::Regex(format!("^{}(\\?.*)?$", regex_escape(p)))
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

/// JSON equality where numbers compare by value (`0` equals `0.0`), since
/// the guide writes `0` for fields its table types as Single.
pub(crate) fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
