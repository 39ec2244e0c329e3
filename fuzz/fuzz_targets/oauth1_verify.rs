//! OAuth 1.0 `verify` on arbitrary requests: never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauth1_sign::{Body, Credentials, Request, VerifyOptions, verify};

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0x00: method, URL, Authorization header, form body.
    let mut parts = data.split(|b| *b == 0);
    let method = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let url = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let auth = parts.next().map(|a| String::from_utf8_lossy(a).into_owned());
    let body = parts.next().unwrap_or_default();
    let mut req = Request::new(&method, &url).body(if body.is_empty() { Body::None } else { Body::Form(body) });
    if let Some(a) = auth.as_deref() {
        req = req.authorization(a);
    }
    let _ = verify(&req, &VerifyOptions::new(1_700_000_000), |k, _| Credentials::new(k, "secret").ok(), |_| true);
});
