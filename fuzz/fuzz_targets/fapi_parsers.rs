//! The discovery, token and error response parsers: never panic.
#![no_main]
use fapi_jwt_assert::{ProviderMetadata, TokenResponse, UrlPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ProviderMetadata::from_json(data, "https://logindev.wipo.int/am/oauth2", UrlPolicy::default());
    let status = data.first().map_or(200, |b| [200u16, 201, 400, 401, 403, 429, 500][usize::from(*b) % 7]);
    let _ = TokenResponse::from_http(status, data.get(1..).unwrap_or_default());
});
