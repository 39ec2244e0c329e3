//! mockito matchers for FirmaDocumentos requests: exactly the five OAuth 1.0
//! parameters plus a signature that `oauth1-sign`'s verifier accepts (itself
//! tested against the RFC 5849 and oauthlib vectors), a JSON body compared by
//! value, and a path matcher that ignores the query.

use oauth1_sign::{Body, Credentials, Request, VerifyOptions, unix_time_now, verify};

/// Re-exported for [`oauth1_matchers!`](crate::oauth1_matchers).
pub use {mockito, serde_json};

/// Defines `signed(base)` and `signed_json(base, expected)` in the calling
/// module, bound to one crate's test consumer key and secret: the
/// [`signed`] and [`signed_json`] matchers without repeating the credentials
/// at every mock.
#[macro_export]
macro_rules! oauth1_matchers {
    ($key:expr, $secret:expr) => {
        /// True when the request carries exactly the five OAuth parameters
        /// plus a signature that verifies under the test credentials.
        pub(crate) fn signed(
            base: String,
        ) -> impl Fn(&$crate::oauth1::mockito::Request) -> bool + Send + Sync + 'static {
            $crate::oauth1::signed(base, $key, $secret)
        }

        /// A signed `text/plain` body whose JSON equals `expected` (numbers by value).
        pub(crate) fn signed_json(
            base: String,
            expected: $crate::oauth1::serde_json::Value,
        ) -> impl Fn(&$crate::oauth1::mockito::Request) -> bool + Send + Sync + 'static {
            $crate::oauth1::signed_json(base, $key, $secret, expected)
        }
    };
}

/// The query parameters of a signed FirmaDocumentos call, sorted.
const OAUTH_PARAMETERS: [&str; 6] = [
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_version",
];

/// True when the request carries exactly the five OAuth parameters plus a
/// signature that verifies under `key` and `secret`; `base` is the mock
/// server's URL (the signature covers it).
pub fn signed(
    base: String,
    key: &'static str,
    secret: &'static str,
) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    move |req| {
        let url = format!("{base}{}", req.path_and_query());
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let mut names: Vec<&str> = query
            .split('&')
            .filter_map(|p| p.split('=').next())
            .collect();
        names.sort_unstable();
        if names != OAUTH_PARAMETERS {
            eprintln!("unexpected query parameters: {names:?}");
            return false;
        }
        let body = if req.body().map(|b| b.is_empty()).unwrap_or(true) {
            Body::None
        } else {
            Body::Opaque
        };
        let Ok(now) = unix_time_now() else {
            return false;
        };
        let ok = verify(
            &Request::new(req.method(), &url).body(body),
            &VerifyOptions::new(now),
            |k, _| {
                (k == key)
                    .then(|| Credentials::new(key, secret).ok())
                    .flatten()
            },
            |_| true,
        );
        if let Err(e) = &ok {
            eprintln!("signature refused: {e}");
        }
        ok.is_ok()
    }
}

/// [`signed`], and a `text/plain` body whose JSON equals `expected` (numbers
/// by value, see [`json_eq`]).
pub fn signed_json(
    base: String,
    key: &'static str,
    secret: &'static str,
    expected: serde_json::Value,
) -> impl Fn(&mockito::Request) -> bool + Send + Sync + 'static {
    let sig = signed(base, key, secret);
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
pub fn path(p: &str) -> mockito::Matcher {
    let escaped: String = p
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect();
    mockito::Matcher::Regex(format!("^{escaped}(\\?.*)?$"))
}

/// JSON equality where numbers compare by value (`0` equals `0.0`), since
/// the guide writes `0` for fields its table types as Single.
pub fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value_and_paths_ignore_the_query() {
        let a = serde_json::json!({"x": [0, 2.5]});
        assert!(json_eq(&a, &serde_json::json!({"x": [0.0, 2.5]})));
        assert!(!json_eq(&a, &serde_json::json!({"x": [1, 2.5]})));
        assert!(!json_eq(&a, &serde_json::json!({"x": [0, 2.5], "y": 1})));
        assert!(matches!(path("/a.b"), mockito::Matcher::Regex(r) if r == "^/a\\.b(\\?.*)?$"));
    }
}
