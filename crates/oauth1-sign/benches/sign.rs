//! Time to sign a FirmaDocumentos-shaped POST and produce the final URL, in
//! each signature shape, beside the HMAC-SHA1 floor (one HMAC, key set-up
//! included, over a 300-byte base string).
//!
//! - `Signer::sign_now` is what `firmadoc-client` calls for every request:
//!   system clock, nonce from the signer's PRF, the request prepared once and
//!   reused. `unescaped` (the default) is averaged over however many draws
//!   each signature needed (about 2.3): the mean cost of a signature.
//! - `per sending` is `sign_now` on `/send/Sending/{code}` with a new code
//!   each call: URLs that differ only in their last segment share one
//!   prepared request.
//! - `cold` is `sign_now` on an endpoint the signer has not prepared yet
//!   (64 URLs that differ before their last segment, in turn, more than the
//!   32 it keeps): the first call's cost.
//! - `sign` is the reference pipeline (parse, normalise, sort, one HMAC).
//!
//! After criterion, the same operations are timed in interleaved rounds
//! (floor, then each line, round after round) and each line's ratio to the
//! floor of its own round is printed (median over the rounds): on a shared
//! machine the ratio holds better than either time alone.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use oauth1_sign::{
    Body, Configure as _, Credentials, Request, SignatureShape, Signer, SigningParams, sign,
};

const URL: &str = "https://apitest.firmadocumentos.es/send/Sending";
const KEY: &str = "XXXXXXXXXXXXXXXXXXXXX";
const SECRET: &str = "0123456789abcdef0123456789";

/// One benchmarked operation: its criterion name and a closure.
type Op = (String, Box<dyn FnMut() -> usize>);

fn floor() -> usize {
    let data = [b'a'; 300];
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(b"0123456789abcdef0123456789&").unwrap();
    mac.update(black_box(&data));
    black_box(mac.finalize().into_bytes()).len()
}

fn ops() -> Vec<Op> {
    let creds = Credentials::new(KEY, SECRET).unwrap();
    let mut ops: Vec<Op> = vec![("floor: HMAC-SHA1 over 300 bytes".into(), Box::new(floor))];
    for shape in SignatureShape::ALL {
        let signer = Signer::new(creds.clone()).signature_shape(shape);
        ops.push((
            format!("shape {shape}: Signer::sign_now, averaged over draws"),
            Box::new(move || {
                let req = Request::new("POST", black_box(URL)).body(Body::Opaque);
                signer.sign_now(&req).unwrap().into_url().len()
            }),
        ));
    }
    // A sending's own calls: the code (the last segment) changes every call.
    ops.push(in_turn(
        "per sending: sign_now on /send/Sending/{code}, a new code each call (unescaped)",
        &creds,
        (0..64).map(|i| format!("{URL}/XJH{i:02}")).collect(),
    ));
    // 64 URLs that differ before their last segment, more than the 32 kept.
    ops.push(in_turn(
        "cold: first use of an endpoint (sign_now, unescaped)",
        &creds,
        (0..64)
            .map(|i| format!("https://apitest.firmadocumentos.es/send{i:02}/Sending"))
            .collect(),
    ));
    ops.push((
        "sign FirmaDocumentos POST -> final URL (reference pipeline `sign`)".into(),
        Box::new(move || {
            let req = Request::new("POST", black_box(URL)).body(Body::Opaque);
            let params = SigningParams::new(1_588_868_100, "k2Zq9XwYc1-_abcdEFGhij");
            sign(&req, &creds, &params).unwrap().into_url().len()
        }),
    ));
    ops
}

/// `sign_now` by one new signer on `urls`, one after the other, round and round.
fn in_turn(name: &str, creds: &Credentials, urls: Vec<String>) -> Op {
    let signer = Signer::new(creds.clone());
    let mut i = 0;
    (
        name.to_owned(),
        Box::new(move || {
            i = (i + 1) % urls.len();
            let req = Request::new("POST", black_box(&urls[i])).body(Body::Opaque);
            signer.sign_now(&req).unwrap().into_url().len()
        }),
    )
}

fn bench(c: &mut Criterion) {
    for (name, mut op) in ops() {
        c.bench_function(&name, |b| b.iter(|| black_box(op())));
    }
    interleaved();
}

/// Each operation's time and ratio to the floor, in rounds that run every
/// operation one after the other; medians over the rounds.
fn interleaved() {
    const ROUNDS: usize = 31;
    const ITERS: u32 = 1_000;
    let mut ops = ops();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); ops.len()];
    for _ in 0..ROUNDS {
        for (k, (_, op)) in ops.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..ITERS {
                black_box(op());
            }
            times[k].push(start.elapsed().as_secs_f64() * 1e9 / f64::from(ITERS));
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let floor = times[0].clone();
    println!("\ninterleaved: {ROUNDS} rounds of {ITERS} calls each, medians");
    println!("| what | time | × floor |");
    println!("|---|---|---|");
    for ((name, _), t) in ops.iter().zip(&times) {
        let ratios = t.iter().zip(&floor).map(|(a, f)| a / f).collect();
        let target = if name.starts_with("shape unescaped") {
            " (target ≤ 3)"
        } else {
            ""
        };
        println!(
            "| {name} | {:.3} µs | {:.2}{target} |",
            median(t.clone()) / 1000.0,
            median(ratios)
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
