//! `cargo xtask bench [--quick]`: every benchmark target of the workspace in
//! one table, each line measured in the same run against a peer or a
//! physical limit: our figure, the reference figure, their ratio.
//!
//! The full run builds the benches in release mode, uses the sizes
//! (1 GB bulletin, 1 GiB download, ≥ 1 GB package, 100,000 webhook events)
//! and writes the table at the top of `docs/benchmarks.md` with the machine and the
//! date (the notes below it, from the first `## ` heading on, are kept). `--quick`
//! uses small sizes and the dev profile (it reuses the test build, so CI pays
//! no release build): it proves that every benchmark and every peer runs, and
//! does not judge the figures, which mean little in a debug build.
//!
//! Peers: Python's oauthlib, PyJWT and lxml pinned in `xtask/requirements.txt`
//! (`cargo xtask tools`), `unzip` and `curl` from Debian packages (installed
//! with apt-get when missing).

use std::fmt::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Result;
use crate::tools;
use crate::workspace::{cargo, root};

/// One line of the table.
#[derive(Debug)]
struct Line {
    what: String,
    ours: String,
    reference: String,
    ratio: String,
    target: String,
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let quick = match args {
        [] => false,
        [a] if a == "--quick" => true,
        _ => return Err("usage: cargo xtask bench [--quick]".into()),
    };
    let tools = tools::ensure()?;
    crate::tools::ensure_debian(&[("unzip", "unzip"), ("curl", "curl")])?;
    let py = tools.python.display().to_string();
    let mut lines = Vec::new();
    lines.extend(oauth(quick, &py)?);
    lines.extend(es256(quick, &py)?);
    lines.extend(token_concurrency(quick)?);
    lines.extend(bulletin_parse(quick, &py)?);
    lines.extend(bulletin_export(quick, &lines)?);
    lines.extend(package(quick)?);
    lines.extend(download(quick)?);
    lines.extend(webhook(quick)?);
    lines.extend(stores(quick)?);
    let table = render(&lines);
    println!("\n{table}");
    if quick {
        println!(
            "bench --quick: every benchmark ran (dev profile, small sizes: the figures are not judged)"
        );
    } else {
        write_doc(&table)?;
    }
    Ok(())
}

fn render(lines: &[Line]) -> String {
    let mut t =
        String::from("| benchmark | ours | reference | ratio | target |\n|---|---|---|---|---|\n");
    // A `|` inside a cell would end it: escaped, as Markdown tables want.
    let cell = |s: &str| s.replace('|', "\\|");
    for l in lines {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            cell(&l.what),
            cell(&l.ours),
            cell(&l.reference),
            cell(&l.ratio),
            cell(&l.target)
        );
    }
    t
}

fn write_doc(table: &str) -> Result<()> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(0);
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let path = root().join("docs/benchmarks.md");
    // The hand-written notes (from the first `## ` heading on) are kept below the new table.
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let notes = old.find("\n## ").map_or("", |i| &old[i..]);
    let doc = format!(
        "# Benchmarks\n\nWritten by `cargo xtask bench` (full run) on {date}: {cores} cores, {cpu}.\n\
         Every reference is measured in the same run as our figure.\n\n{table}{notes}"
    );
    std::fs::write(&path, doc)?;
    println!("wrote docs/benchmarks.md");
    Ok(())
}

/// Runs a bench binary and returns its standard output.
fn bench(
    package: &str,
    bench: &str,
    quick: bool,
    envs: &[(&str, String)],
    extra: &[&str],
) -> Result<String> {
    let mut c = cargo();
    c.args(["bench", "--quiet", "--package", package, "--bench", bench]);
    if quick {
        c.args(["--profile", "dev"]);
    }
    if package == "st96-model" {
        c.args(["--features", "synth"]);
    }
    if !extra.is_empty() {
        c.arg("--").args(extra);
    }
    for (k, v) in envs {
        c.env(k, v);
    }
    eprintln!("xtask: bench {package}/{bench}");
    let out = c.output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "benchmark {package}/{bench} failed:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(text)
}

/// The number that follows `key` in `text`.
fn number_after(text: &str, key: &str) -> Result<f64> {
    let i = text
        .find(key)
        .ok_or_else(|| format!("benchmark output lacks `{key}`:\n{text}"))?
        + key.len();
    let rest = text[i..].trim_start();
    let n: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    Ok(n.parse().map_err(|_| format!("no number after `{key}`"))?)
}

/// Criterion's middle estimate for `name`, in microseconds.
fn criterion_us(text: &str, name: &str) -> Result<f64> {
    let i = text
        .find(name)
        .ok_or_else(|| format!("criterion output lacks `{name}`"))?;
    let after = &text[i..];
    let t = after.find("time:").ok_or("criterion output lacks time:")?;
    let inside = after[t..]
        .split('[')
        .nth(1)
        .and_then(|s| s.split(']').next())
        .ok_or("bad criterion line")?;
    let parts: Vec<&str> = inside.split_whitespace().collect();
    let (v, unit) = (
        parts.get(2).ok_or("bad criterion line")?,
        parts.get(3).ok_or("bad criterion line")?,
    );
    let v: f64 = v.parse().map_err(|_| "bad criterion number")?;
    Ok(match *unit {
        "ns" => v / 1000.0,
        "µs" | "us" => v,
        "ms" => v * 1000.0,
        _ => v * 1e6,
    })
}

fn python(py: &str, script: &str) -> Result<f64> {
    let out = Command::new(py).args(["-c", script]).output()?;
    if !out.status.success() {
        return Err(format!(
            "python peer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "python peer printed no number")?)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "-".into()
    }
}

fn oauth(quick: bool, py: &str) -> Result<Vec<Line>> {
    let m = if quick {
        ["--warm-up-time", "0.2", "--measurement-time", "0.5"]
    } else {
        ["--warm-up-time", "1", "--measurement-time", "5"]
    };
    let out = bench("oauth1-sign", "sign", quick, &[], &m)?;
    let ours = criterion_us(&out, "sign FirmaDocumentos POST")?;
    let floor = criterion_us(&out, "floor: HMAC-SHA1")?;
    let shapes = ["rfc", "guide", "unescaped"].map(|shape| {
        criterion_us(&out, &format!("shape {shape}: Signer::sign_now")).map(|t| (shape, t))
    });
    let n = if quick { 2_000 } else { 20_000 };
    let oauthlib = python(
        py,
        &format!(
            "import timeit\nfrom oauthlib.oauth1 import Client, SIGNATURE_TYPE_QUERY\n\
             c = Client('XXXXXXXXXXXXXXXXXXXXX', client_secret='0123456789abcdef0123456789', signature_type=SIGNATURE_TYPE_QUERY)\n\
             t = timeit.timeit(lambda: c.sign('https://apitest.firmadocumentos.es/send/Sending', 'POST'), number={n})\n\
             print(t / {n} * 1e6)"
        ),
    )?;
    let mut lines = Vec::new();
    for shape in shapes {
        let (shape, t) = shape?;
        lines.push(Line {
            what: format!("OAuth 1.0: signature shape `{shape}` (Signer::sign_now, the client's path, averaged over draws) vs the HMAC-SHA1 floor"),
            ours: format!("{t:.2} µs"),
            reference: format!("{floor:.2} µs"),
            ratio: ratio(t, floor),
            target: if shape == "unescaped" { "≤ 3× floor (default shape)".into() } else { "-".into() },
        });
    }
    lines.extend(vec![
        Line {
            what: "OAuth 1.0: FirmaDocumentos signed URL vs oauthlib".into(),
            ours: format!("{ours:.2} µs"),
            reference: format!("{oauthlib:.1} µs (oauthlib 3.2.2)"),
            ratio: ratio(ours, oauthlib),
            target: "≤ 2 µs".into(),
        },
        Line {
            what: "OAuth 1.0: signed URL vs the HMAC-SHA1 floor (300 B)".into(),
            ours: format!("{ours:.2} µs"),
            reference: format!("{floor:.2} µs"),
            ratio: ratio(ours, floor),
            target: "-".into(),
        },
    ]);
    Ok(lines)
}

fn es256(quick: bool, py: &str) -> Result<Vec<Line>> {
    let m = if quick {
        ["--warm-up-time", "0.2", "--measurement-time", "0.5"]
    } else {
        ["--warm-up-time", "1", "--measurement-time", "5"]
    };
    let out = bench("fapi-jwt-assert", "assertion", quick, &[], &m)?;
    let ours = number_after(&out, "client assertion")?;
    let ring = number_after(&out, "ring raw P-256 sign")?;
    let n = if quick { 200 } else { 5_000 };
    let pyjwt = python(
        py,
        &format!(
            "import timeit, time, os, jwt\nfrom cryptography.hazmat.primitives.asymmetric import ec\n\
             k = ec.generate_private_key(ec.SECP256R1())\n\
             def f():\n    now = int(time.time())\n    jwt.encode({{'iss':'c','sub':'c','aud':'https://logindev.wipo.int/am/oauth2/access_token','iat':now,'exp':now+60,'jti':os.urandom(16).hex()}}, k, algorithm='ES256')\n\
             print(timeit.timeit(f, number={n}) / {n} * 1e6)"
        ),
    )?;
    Ok(vec![
        Line {
            what: "ES256 client assertion vs ring's raw P-256 sign".into(),
            ours: format!("{ours:.2} µs"),
            reference: format!("{ring:.2} µs"),
            ratio: ratio(ours, ring),
            target: "≤ 1.25×".into(),
        },
        Line {
            what: "ES256 client assertion vs PyJWT".into(),
            ours: format!("{ours:.2} µs"),
            reference: format!("{pyjwt:.1} µs (PyJWT 2.10.1)"),
            ratio: ratio(ours, pyjwt),
            target: "-".into(),
        },
    ])
}

/// 1,000 concurrent calls on a client with no token: the token requests made
/// (target 1) and the latency they add over the same calls with a warm token.
fn token_concurrency(quick: bool) -> Result<Vec<Line>> {
    let n = if quick { 200 } else { 1_000 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (requests, cold, warm) = rt.block_on(async {
        let sb = sandbox::Sandbox::start(sandbox::SandboxConfig::default()).await?;
        let key = hague_client::SigningKey::generate_p256()?;
        sb.register_hws_client("bench-office", key.public_jwk().clone());
        let client = Arc::new(hague_client::Client::new(
            hague_client::Config::new(
                sb.hws_api_url(),
                hague_client::Provider::Discovery {
                    issuer: sb.issuer(),
                },
                "bench-office",
                key,
            )?
            .scope(Some(sandbox::DEFAULT_SCOPE.into()))
            .transport(hague_client::TransportConfig::default().allow_plain_http(true)),
        )?);
        let batch = |client: Arc<hague_client::Client>| async move {
            let t = Instant::now();
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..n {
                let c = Arc::clone(&client);
                set.spawn(async move { c.ping().await });
            }
            while let Some(r) = set.join_next().await {
                r??;
            }
            Ok::<Duration, Box<dyn std::error::Error>>(t.elapsed())
        };
        let cold = batch(Arc::clone(&client)).await?;
        let warm = batch(Arc::clone(&client)).await?;
        let requests = client.token_requests_sent();
        sb.shutdown().await;
        Ok::<_, Box<dyn std::error::Error>>((requests, cold, warm))
    })?;
    Ok(vec![Line {
        what: format!(
            "Token under concurrency: {n} calls, no token cached (sandbox; xtask debug build)"
        ),
        ours: format!(
            "{requests} token request(s); batch {:.0} ms",
            cold.as_secs_f64() * 1e3
        ),
        reference: format!("warm-token batch {:.0} ms", warm.as_secs_f64() * 1e3),
        ratio: format!(
            "+{:.0} ms added",
            (cold.as_secs_f64() - warm.as_secs_f64()).max(0.0) * 1e3
        ),
        target: "1 token request".into(),
    }])
}

fn bulletin_parse(quick: bool, _py: &str) -> Result<Vec<Line>> {
    let size = if quick { "8" } else { "1024" };
    let out = bench(
        "st96-model",
        "bulletin",
        quick,
        &[
            ("ST96_BENCH_SIZES_MB", size.into()),
            ("ST96_BENCH_REPEAT", "1".into()),
        ],
        &[],
    )?;
    // The last table row: "file MB records views | rust MB/s cpu MB/s RSS MB | lxml MB/s cpu RSS | ratio".
    let row = out
        .lines()
        .rev()
        .find(|l| {
            l.matches('|').count() == 3 && l.trim_start().starts_with(|c: char| c.is_ascii_digit())
        })
        .ok_or_else(|| format!("no result row in:\n{out}"))?;
    let cols: Vec<&str> = row.split('|').collect();
    let rust: Vec<&str> = cols[1].split_whitespace().collect();
    let lxml: Vec<&str> = cols[2].split_whitespace().collect();
    let ceiling = number_after(&out, "quick-xml raw event loop (ceiling):")?;
    let ours: f64 = rust.first().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    Ok(vec![
        Line {
            what: format!("Bulletin parse, {size} MB vs quick-xml's raw event loop (ceiling)"),
            ours: format!("{ours:.1} MB/s"),
            reference: format!("{ceiling:.1} MB/s (quick-xml, no records built)"),
            ratio: ratio(ours, ceiling),
            target: "-".into(),
        },
        Line {
            what: format!("Bulletin parse, {size} MB generated bulletin vs lxml iterparse"),
            ours: format!(
                "{} MB/s, RSS {} MB",
                rust.first().unwrap_or(&"?"),
                rust.get(2).unwrap_or(&"?")
            ),
            reference: format!("{} MB/s (lxml 5.3.1)", lxml.first().unwrap_or(&"?")),
            ratio: cols[3].trim().to_owned(),
            target: "≥ 300 MB/s, RSS ≤ 64 MB".into(),
        },
    ])
}

/// `hague bulletin export` of the same generated bulletin, zipped (deflate), to /dev/null,
/// against the bulletin-parse figure of this run (issue 21: ≥ 0.8×, RSS ≤ 64 MB).
fn bulletin_export(quick: bool, so_far: &[Line]) -> Result<Vec<Line>> {
    let size = if quick { "8" } else { "1024" };
    let out = bench(
        "hague-cli",
        "export",
        quick,
        &[
            ("HAGUE_EXPORT_BENCH_MB", size.into()),
            ("HAGUE_EXPORT_BENCH_REPEAT", "2".into()),
        ],
        &[],
    )?;
    let ours = number_after(&out, "export:")?;
    let rss = number_after(&out, "RSS")?;
    let parse = so_far
        .iter()
        .find(|l| l.what.contains("generated bulletin vs lxml"))
        .and_then(|l| l.ours.split_whitespace().next()?.parse::<f64>().ok())
        .ok_or("no bulletin-parse figure in this run")?;
    Ok(vec![Line {
        what: format!(
            "Bulletin export to JSONL, {size} MB generated bulletin (deflated ZIP) vs bulletin parse"
        ),
        ours: format!("{ours:.1} MB/s, RSS {rss:.1} MB"),
        reference: format!("{parse:.1} MB/s (bulletin parse, this run)"),
        ratio: ratio(ours, parse),
        target: "≥ 0.8×, RSS ≤ 64 MB".into(),
    }])
}

fn package(quick: bool) -> Result<Vec<Line>> {
    let mib = if quick { "32" } else { "1100" };
    let out = bench(
        "hague-package",
        "large",
        quick,
        &[("HAGUE_BENCH_MIB", mib.into())],
        &[],
    )?;
    let unzip = number_after(&out, "unzip -t (best of 2):")?;
    let validate = number_after(&out, "validate_package (best of 2):")?;
    let extract = number_after(&out, "extract (best of 2):")?;
    let rss = number_after(&out, "peak RSS")?;
    Ok(vec![
        Line {
            what: format!("Package validation, {mib} MiB package vs unzip -t"),
            ours: format!("{validate:.2} s, RSS {rss:.1} MiB"),
            reference: format!("{unzip:.2} s"),
            ratio: ratio(validate, unzip),
            target: "≤ 1.5×, RSS ≤ 64 MB".into(),
        },
        Line {
            what: format!("Package extraction, {mib} MiB package vs unzip -t"),
            ours: format!("{extract:.2} s"),
            reference: format!("{unzip:.2} s"),
            ratio: ratio(extract, unzip),
            target: "≤ 1.5×".into(),
        },
    ])
}

fn download(quick: bool) -> Result<Vec<Line>> {
    let bytes = if quick {
        (64u64 << 20).to_string()
    } else {
        (1u64 << 30).to_string()
    };
    let runs = if quick { "1" } else { "3" };
    let out = bench(
        "http-transport",
        "download",
        quick,
        &[
            ("HTTP_TRANSPORT_BENCH_BYTES", bytes.clone()),
            ("HTTP_TRANSPORT_BENCH_RUNS", runs.into()),
        ],
        &[],
    )?;
    let ours = number_after(&out, "best: http-transport")?;
    let curl = number_after(&out, "MiB/s, curl")?;
    let rss = number_after(&out, "(VmHWM):")?;
    let resumed = number_after(&out, "resume best: http-transport")?;
    let curl_resumed = number_after(&out, "MiB/s, curl -C -")?;
    let median = number_after(&out, "median of the per-run ratios:")?;
    let same_work = number_after(&out, "openssl dgst -sha256):")?;
    let cpu = out
        .lines()
        .find(|l| l.starts_with("CPU time per GiB"))
        .unwrap_or_default();
    let cpu_ours = number_after(cpu, "all runs): http-transport")?;
    let cpu_curl = number_after(cpu, "s, curl")?;
    let mib = bytes.parse::<u64>().unwrap_or(0) >> 20;
    Ok(vec![
        Line {
            what: format!("Bulletin download, {mib} MiB over loopback vs curl"),
            ours: format!("{ours:.0} MiB/s, RSS {rss:.1} MiB, CPU {cpu_ours:.2} s/GiB"),
            reference: format!("{curl:.0} MiB/s (curl), CPU {cpu_curl:.2} s/GiB"),
            ratio: format!(
                "{} (median of runs {:.2})",
                ratio(ours, curl),
                median / 100.0
            ),
            target: "≥ 0.95, RSS ≤ 64 MB".into(),
        },
        Line {
            what: format!(
                "Bulletin download, {mib} MiB, against the same work with standard tools (every byte written and hashed)"
            ),
            ours: format!("{ours:.0} MiB/s"),
            reference: format!("{same_work:.0} MiB/s (curl | tee FILE | openssl dgst -sha256)"),
            ratio: ratio(ours, same_work),
            target: "shown".into(),
        },
        Line {
            what: format!(
                "Resumed download: {mib} MiB cut at half, the rest fetched (Range + If-Range, whole-file SHA-256) vs curl -C -"
            ),
            ours: format!("{resumed:.0} MiB/s"),
            reference: format!("{curl_resumed:.0} MiB/s (curl -C -)"),
            ratio: ratio(resumed, curl_resumed),
            target: "shown".into(),
        },
    ])
}

fn webhook(quick: bool) -> Result<Vec<Line>> {
    let events = if quick { "3000" } else { "100000" };
    let out = bench(
        "firmadoc-client",
        "webhook",
        quick,
        &[("WEBHOOK_BENCH_EVENTS", events.into())],
        &[],
    )?;
    let rate = number_after(&out, "verified events/s:")?;
    let p99 = out
        .lines()
        .find(|l| l.contains("p99 latency:"))
        .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        .unwrap_or_default();
    let lost = number_after(&out, "lost acknowledged events:")?;
    Ok(vec![Line {
        what: format!("Webhook receiver, {events} signed events + duplicates + forgeries"),
        ours: format!("{rate:.0} events/s, p99 {p99}"),
        reference: "target 20,000 events/s".into(),
        ratio: ratio(rate, 20_000.0),
        target: format!("≥ 20,000/s; lost {lost:.0} (target 0)"),
    }])
}

/// The webhook de-duplication stores (`firmadoc-client/benches/stores.rs`):
/// 3 receiver replicas on one PostgreSQL (one SIGKILLed mid-way) beside a single
/// replica, and the SQLite store's RSS before and after 10 million ids.
fn stores(quick: bool) -> Result<Vec<Line>> {
    let (events, ids) = if quick {
        ("3000", "200000")
    } else {
        ("100000", "10000000")
    };
    let pg = crate::postgres::start()?;
    let out = bench(
        "firmadoc-client",
        "stores",
        quick,
        &[
            ("STORES_BENCH_EVENTS", events.into()),
            ("STORES_BENCH_IDS", ids.into()),
            (test_postgres::URL_VAR, pg.url().to_owned()),
        ],
        &[],
    )?;
    drop(pg);
    let p99 = |label: &str| {
        out.lines()
            .find(|l| l.contains(&format!("{label} p99:")))
            .and_then(|l| l.rsplit(':').next())
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let cpu = |label: &str| -> Result<String> {
        Ok(format!(
            "{:.0} µs CPU/event (2 idle cores: {:.0}/s)",
            number_after(&out, &format!("{label} CPU µs/event:"))?,
            number_after(&out, &format!("{label} CPU-bound rate on 2 idle cores:"))?
        ))
    };
    let three = number_after(&out, "3 replicas events/s:")?;
    let single = number_after(&out, "single replica events/s:")?;
    let lost = number_after(&out, "3 replicas not exactly once:")?;
    let before = number_after(&out, "sqlite RSS before:")?;
    let after = number_after(&out, &format!("after {ids} ids:"))?;
    let tenth_ids = ids.parse::<usize>().unwrap_or(0) / 10;
    let tenth = number_after(&out, &format!("after {tenth_ids} ids:"))?;
    Ok(vec![
        Line {
            what: format!(
                "Webhook receivers on PostgreSQL, {events} events + dups + forgeries: 3 replicas (one SIGKILLed) vs 1"
            ),
            ours: format!(
                "{three:.0} events/s, p99 {}, {}",
                p99("3 replicas"),
                cpu("3 replicas")?
            ),
            reference: format!(
                "{single:.0} events/s, p99 {}, {} (1 replica)",
                p99("single replica"),
                cpu("single replica")?
            ),
            ratio: ratio(three, single),
            target: format!("≥ 20,000/s; not exactly once {lost:.0} (target 0)"),
        },
        Line {
            what: format!("SQLite webhook store RSS, {ids} ids stored"),
            ours: format!("{after:.1} MiB after"),
            reference: format!(
                "{before:.1} MiB before (20,000 ids), {tenth:.1} MiB at {tenth_ids} ids"
            ),
            ratio: ratio(after, before),
            target: "flat".into(),
        },
    ])
}
