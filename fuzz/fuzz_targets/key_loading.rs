//! Key loading (PEM, SEC1, PKCS#8, PKCS#1 on the RustCrypto parsers): never
//! panics, and every key it accepts exports to PKCS#8 PEM that loads back as
//! the same public key.
#![no_main]
use fapi_jwt_assert::SigningKey;
use libfuzzer_sys::fuzz_target;

fn check(key: Result<SigningKey, fapi_jwt_assert::KeyError>) {
    let Ok(key) = key else { return };
    let again = SigningKey::from_pem(key.to_pkcs8_pem().expose_secret())
        .expect("an exported key must load again");
    assert_eq!(again.public_jwk(), key.public_jwk());
    assert_eq!(again.public_key_pem(), key.public_key_pem());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check(SigningKey::from_pem(text));
    }
    check(SigningKey::from_sec1_der(data));
    check(SigningKey::from_pkcs8_der(data));
    check(SigningKey::from_pkcs1_der(data));
});
