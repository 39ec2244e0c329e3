//! Time to build and sign one ES256 client assertion, against ring's raw
//! P-256 signing of a message of the same length, in the same run.
//!
//! `cargo bench -p fapi-jwt-assert`. Besides criterion's figures, it prints
//! the ratio from an interleaved measurement (the target is at most 1.25).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should stop loudly (clippy.toml allows it in #[test] fns)

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::Criterion;
use fapi_jwt_assert::{AssertionOptions, AssertionSigner, SigningKey, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

const KEY: &str = include_str!("../tests/data/ec_p256_pkcs8.pem");
const AUD: &str = "https://logindev.wipo.int:443/am/oauth2/access_token";

fn setup() -> (AssertionSigner, EcdsaKeyPair, Vec<u8>, SystemTime) {
    let signer = AssertionSigner::new(
        SigningKey::from_pem(KEY).unwrap(),
        "das-api-auth",
        AssertionOptions::default(),
    )
    .unwrap();
    let der = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        KEY.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>(),
    )
    .unwrap();
    let raw =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &SystemRandom::new())
            .unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    // The signing input of a real assertion, so both sign the same length.
    let jwt = signer.sign(AUD, now, &SystemRandom::new()).unwrap();
    let input = jwt
        .expose_secret()
        .rsplit_once('.')
        .unwrap()
        .0
        .as_bytes()
        .to_vec();
    (signer, raw, input, now)
}

fn benches(c: &mut Criterion) {
    let (signer, raw, input, now) = setup();
    let rng = SystemRandom::new();
    let mut g = c.benchmark_group("es256");
    g.bench_function("ring_raw_p256_sign", |b| {
        b.iter(|| raw.sign(&rng, black_box(&input)).unwrap())
    });
    g.bench_function("client_assertion_build_and_sign", |b| {
        b.iter(|| signer.sign(black_box(AUD), black_box(now), &rng).unwrap())
    });
    g.finish();
}

/// Interleaved batches, median per operation, so that both sides see the
/// same machine load.
fn ratio() {
    let (signer, raw, input, now) = setup();
    let rng = SystemRandom::new();
    const BATCH: u32 = 200;
    let (mut ours, mut ring) = (Vec::new(), Vec::new());
    for _ in 0..40 {
        let t = Instant::now();
        for _ in 0..BATCH {
            black_box(raw.sign(&rng, black_box(&input)).unwrap());
        }
        ring.push(t.elapsed() / BATCH);
        let t = Instant::now();
        for _ in 0..BATCH {
            black_box(signer.sign(black_box(AUD), black_box(now), &rng).unwrap());
        }
        ours.push(t.elapsed() / BATCH);
    }
    ours.sort();
    ring.sort();
    let (o, r) = (ours[ours.len() / 2], ring[ring.len() / 2]);
    println!(
        "interleaved medians: client assertion {:.2} us, ring raw P-256 sign {:.2} us, ratio {:.3} (target <= 1.25)",
        o.as_secs_f64() * 1e6,
        r.as_secs_f64() * 1e6,
        o.as_secs_f64() / r.as_secs_f64()
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    ratio();
}
