//! Signs a FirmaDocumentos request URL with test credentials, the way the
//! FirmaDocumentos client does, and prints the signed URL and the base string.
//!
//! Run: `cargo run -p oauth1-sign --example firmadoc_url`
//! Set `FIRMADOC_CONSUMER_KEY` and `FIRMADOC_CONSUMER_SECRET` to sign with your own.

use oauth1_sign::{Body, Credentials, Request, Signer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key =
        std::env::var("FIRMADOC_CONSUMER_KEY").unwrap_or_else(|_| "test-consumer-key".to_owned());
    let secret = std::env::var("FIRMADOC_CONSUMER_SECRET")
        .unwrap_or_else(|_| "test-consumer-secret".to_owned());
    let signer = Signer::new(Credentials::new(key, secret)?);

    for (method, url) in [
        ("GET", "https://apitest.firmadocumentos.es/admin/Budget"),
        ("POST", "https://apitest.firmadocumentos.es/send/Template"),
    ] {
        let request = Request::new(method, url).body(if method == "POST" {
            Body::Opaque
        } else {
            Body::None
        });
        let signed = signer.sign_now(&request)?;
        println!("{method} {url}");
        println!("  base string: {}", signed.base_string());
        println!("  signed URL:  {}", signed.url());
        println!();
    }
    println!(
        "The signature is the last query parameter, percent-encoded (+ as %2B, / as %2F, = as %3D)."
    );
    Ok(())
}
