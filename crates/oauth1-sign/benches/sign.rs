//! Time to sign a FirmaDocumentos-shaped POST and produce the final URL,
//! beside the HMAC-SHA1 floor (one HMAC over a 300-byte base string), in
//! each signature shape.
//!
//! The `Signer` lines take their nonces from a counter that runs on across
//! iterations, so `unescaped` is averaged over however many draws each
//! signature needed (about 2.3 on average): the figure is the mean cost of a
//! signature, redraws included.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use oauth1_sign::{
    Body, Configure as _, Credentials, Request, SignatureShape, Signer, SigningParams, sign,
};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let creds = Credentials::new("XXXXXXXXXXXXXXXXXXXXX", "0123456789abcdef0123456789").unwrap();
    let req =
        Request::new("POST", "https://apitest.firmadocumentos.es/send/Sending").body(Body::Opaque);
    c.bench_function("sign FirmaDocumentos POST -> final URL", |b| {
        b.iter(|| {
            let signed = sign(
                black_box(&req),
                &creds,
                &SigningParams::new(1_588_868_100, "k2Zq9XwYc1-_abcdEFGhij"),
            )
            .unwrap();
            black_box(signed.into_url())
        });
    });
    for shape in SignatureShape::ALL {
        let signer = Signer::new(creds.clone()).signature_shape(shape);
        let mut counter = 0u64;
        c.bench_function(
            &format!("shape {shape}: Signer, averaged over draws"),
            |b| {
                b.iter(|| {
                    let signed = signer
                        .sign_with(black_box(&req), 1_588_868_100, || {
                            counter += 1;
                            Ok(format!("k2Zq9XwYc1{counter:012}"))
                        })
                        .unwrap();
                    black_box(signed.into_url())
                });
            },
        );
    }
    let signer = Signer::new(creds.clone());
    c.bench_function(
        "shape unescaped: Signer::sign_now (system nonce and clock)",
        |b| {
            b.iter(|| black_box(signer.sign_now(black_box(&req)).unwrap().into_url()));
        },
    );
    let data = [b'a'; 300];
    c.bench_function("floor: HMAC-SHA1 over 300 bytes", |b| {
        b.iter(|| {
            let mut mac =
                hmac::Hmac::<sha1::Sha1>::new_from_slice(b"0123456789abcdef0123456789&").unwrap();
            mac.update(black_box(&data));
            black_box(mac.finalize().into_bytes())
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
