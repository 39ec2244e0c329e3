//! Webhook verification plus parsing: never panics. Half the inputs are
//! signed correctly, so the parser behind the check is reached.
#![no_main]
use firmadoc_client::webhook::{WebhookSecret, verify_delivery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(secret) = WebhookSecret::new("fuzz-secret-0123456789abcdef0123456789") else { return };
    let (flag, body) = data.split_first().unwrap_or((&0, &[]));
    let mut headers = http::HeaderMap::new();
    let value = if flag % 2 == 0 { secret.sign(body) } else { String::from_utf8_lossy(&data[..data.len().min(80)]).into_owned() };
    if let Ok(v) = http::HeaderValue::from_str(&value) {
        headers.insert("ms-signature", v);
    }
    let _ = verify_delivery(&secret, &headers, body);
});
