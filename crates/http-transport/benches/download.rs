//! Download benchmark: a large generated body from a local server to disk, through
//! `Transport::download_to_file`, then the same URL fetched by `curl -o` in the same
//! run, for the throughput ratio. Prints throughput and peak resident memory (VmHWM).
//!
//! ```text
//! cargo bench -p http-transport --bench download                 # 1 GiB
//! HTTP_TRANSPORT_BENCH_BYTES=104857600 cargo bench -p http-transport --bench download
//! ```
//!
//! `HTTP_TRANSPORT_BENCH_RUNS` (default 3) sets how many times each side runs; the
//! best run of each is compared. Files go to `target/bench-download/` and are removed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark aborts on setup failure"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use http_transport::{Request, Transport, TransportConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PATTERN_LEN: usize = 256 * 1024;
/// The server's strong validator (the body never changes).
const ETAG: &str = "\"bench-v1\"";

/// Serves `size` bytes of a fixed pattern to every connection. Runs in a child
/// process (this same binary, with `HTTP_TRANSPORT_BENCH_SERVE` set) so that the
/// peak RSS and CPU time measured here are the client's alone.
fn serve(size: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap());
        let pattern: &'static [u8] = Box::leak(
            (0..PATTERN_LEN)
                .map(|i| (i % 251) as u8)
                .collect::<Vec<u8>>()
                .into_boxed_slice(),
        );
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        (k.trim() == name).then(|| v.trim().to_owned())
                    })
                };
                // `Range: bytes=N-`, honoured unless `If-Range` names another validator.
                let from = header("range")
                    .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse::<u64>().ok())
                    .filter(|_| header("if-range").is_none_or(|v| v == ETAG))
                    .filter(|f| *f < size);
                // `X-Bench-Cut: N`: close the connection after N body bytes.
                let cut = header("x-bench-cut").and_then(|v| v.parse::<u64>().ok());
                let header = match from {
                    Some(f) => format!(
                        "HTTP/1.1 206 Partial Content\r\nContent-Type: application/zip\r\n\
                         ETag: {ETAG}\r\nContent-Range: bytes {f}-{}/{size}\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        size - 1,
                        size - f
                    ),
                    None => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nETag: {ETAG}\r\n\
                         Accept-Ranges: bytes\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
                    ),
                };
                if stream.write_all(header.as_bytes()).await.is_err() {
                    return;
                }
                let mut at = from.unwrap_or(0);
                let end = cut.map_or(size, |c| (at + c).min(size));
                while at < end {
                    let off = (at % PATTERN_LEN as u64) as usize;
                    let n = (PATTERN_LEN - off).min((end - at) as usize);
                    if stream.write_all(&pattern[off..off + n]).await.is_err() {
                        return;
                    }
                    at += n as u64;
                }
                let _ = stream.shutdown().await;
            });
        }
    });
}

/// Starts the server child and returns it with its address.
fn start_server(size: u64) -> (std::process::Child, SocketAddr) {
    use std::io::BufRead as _;
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("HTTP_TRANSPORT_BENCH_SERVE", size.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().parse().unwrap())
}

/// CPU time (user + system) of this process and of its waited-for children, from
/// /proc/self/stat (fields 14-17, in clock ticks of 10 ms).
fn cpu_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // rest[0] is field 3 (state): fields 14..17 are at 11..14.
    let get = |i: usize| f.get(i).copied().unwrap_or(0);
    (get(11) + get(12), get(13) + get(14))
}

/// Peak resident set size of this process, in KiB (`VmHWM` in /proc/self/status).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64()
}

/// Where the time goes: network + hash without disk, curl without disk, and the
/// SHA-256 speed alone.
fn diagnostics(
    runtime: &tokio::runtime::Runtime,
    transport: &Transport,
    request: &Request,
    url: &str,
    size: u64,
) {
    use sha2::Digest as _;
    let started = Instant::now();
    let mut sink = tokio::io::sink();
    let mut chunks = 0u64;
    let d = runtime
        .block_on(transport.download_to_writer(request, &mut sink, |_| chunks += 1))
        .unwrap();
    println!(
        "diag: http-transport to a sink (network + SHA-256): {:.1} MiB/s, {} chunks of {} bytes on average",
        mib_per_s(d.bytes, started.elapsed()),
        chunks - 1,
        d.bytes / (chunks - 1).max(1)
    );
    let started = Instant::now();
    let status = Command::new("curl")
        .args(["--silent", "--fail", "-o", "/dev/null", url])
        .status()
        .unwrap();
    assert!(status.success());
    println!(
        "diag: curl -o /dev/null: {:.1} MiB/s",
        mib_per_s(size, started.elapsed())
    );
    let block = vec![7u8; 64 * 1024 * 1024];
    let started = Instant::now();
    let mut hasher = sha2::Sha256::new();
    for _ in 0..4 {
        hasher.update(&block);
    }
    let _ = hasher.finalize();
    println!(
        "diag: SHA-256 alone (sha2): {:.1} MiB/s",
        mib_per_s(4 * block.len() as u64, started.elapsed())
    );
}

/// The resumed transfer: the same download cut at half (the server closes after
/// `size / 2` bytes when asked with `X-Bench-Cut`), then resumed, by http-transport
/// (`Range` + `If-Range`, whole-file SHA-256 at the end) and by `curl -C -`; only the
/// resuming call is timed. Best of `runs` each.
fn resume(
    runtime: &tokio::runtime::Runtime,
    transport: &Transport,
    request: &Request,
    url: &str,
    dir: &Path,
    size: u64,
    runs: u32,
) {
    use http_transport::http::{HeaderName, HeaderValue};
    let cut = size / 2;
    let cut_request = request.clone().header(
        HeaderName::from_static("x-bench-cut"),
        HeaderValue::from_str(&cut.to_string()).unwrap(),
    );
    let ours_path = dir.join("ours-resume.zip");
    let curl_path = dir.join("curl-resume.zip");
    let (mut best_ours, mut best_curl) = (Duration::MAX, Duration::MAX);
    let (mut cpu_ours, mut cpu_curl) = (0u64, 0u64);
    let mut first_sha = String::new();
    for run in 0..=runs {
        assert!(
            runtime
                .block_on(transport.download_to_file(&cut_request, &ours_path, |_| {}))
                .is_err()
        );
        let (self_before, _) = cpu_ticks();
        let started = Instant::now();
        let d = runtime
            .block_on(transport.download_to_file(request, &ours_path, |_| {}))
            .unwrap();
        let ours = started.elapsed();
        let (self_after, _) = cpu_ticks();
        assert_eq!(
            (d.resumed_from, d.transferred, d.bytes),
            (cut, size - cut, size)
        );
        if run == 0 {
            first_sha = d.sha256_hex();
        }
        assert_eq!(d.sha256_hex(), first_sha);
        std::fs::remove_file(&ours_path).unwrap();

        let status = Command::new("curl")
            .args(["--silent", "-H"])
            .arg(format!("X-Bench-Cut: {cut}"))
            .arg("-o")
            .arg(&curl_path)
            .arg(url)
            .status()
            .unwrap();
        assert!(!status.success(), "curl's first transfer must be cut");
        assert_eq!(std::fs::metadata(&curl_path).unwrap().len(), cut);
        let (_, children_before) = cpu_ticks();
        let started = Instant::now();
        let status = Command::new("curl")
            .args(["--silent", "--show-error", "--fail", "-C", "-", "-o"])
            .arg(&curl_path)
            .arg(url)
            .status()
            .unwrap();
        let curl = started.elapsed();
        let (_, children_after) = cpu_ticks();
        assert!(status.success(), "curl -C - failed: {status}");
        assert_eq!(std::fs::metadata(&curl_path).unwrap().len(), size);
        if run == 0 {
            let out = Command::new("sha256sum").arg(&curl_path).output().unwrap();
            let theirs = String::from_utf8_lossy(&out.stdout);
            assert_eq!(theirs.split_whitespace().next(), Some(first_sha.as_str()));
        }
        std::fs::remove_file(&curl_path).unwrap();
        println!(
            "resume run {run}{}: http-transport {:.2} s ({} bytes moved) | curl -C - {:.2} s",
            if run == 0 { " (warm-up)" } else { "" },
            ours.as_secs_f64(),
            d.transferred,
            curl.as_secs_f64()
        );
        if run > 0 {
            best_ours = best_ours.min(ours);
            best_curl = best_curl.min(curl);
            cpu_ours += self_after - self_before;
            cpu_curl += children_after - children_before;
        }
    }
    println!(
        "resume best: http-transport {:.1} MiB/s, curl -C - {:.1} MiB/s (of the {} MiB moved), \
         ratio {:.0}% of curl",
        mib_per_s(size - cut, best_ours),
        mib_per_s(size - cut, best_curl),
        (size - cut) >> 20,
        best_curl.as_secs_f64() / best_ours.as_secs_f64() * 100.0
    );
    let gib = f64::from(runs) * (size - cut) as f64 / 1073741824.0;
    println!(
        "resume CPU time per GiB moved (user + system): http-transport {:.2} s, curl -C - {:.2} s \
         (http-transport also reads back and hashes the kept half)",
        cpu_ours as f64 / 100.0 / gib,
        cpu_curl as f64 / 100.0 / gib,
    );
}

fn main() {
    if let Some(size) = std::env::var("HTTP_TRANSPORT_BENCH_SERVE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        serve(size);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful.
    let size: u64 = std::env::var("HTTP_TRANSPORT_BENCH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 30);
    let runs: u32 = std::env::var("HTTP_TRANSPORT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-download");
    std::fs::create_dir_all(&dir).unwrap();
    let (mut server, addr) = start_server(size);
    let url = format!("http://{addr}/publication/bulletin/202447");
    println!(
        "download benchmark: {size} bytes ({:.1} MiB) from {url}, {runs} run(s) each",
        size as f64 / 1048576.0
    );
    let rss_before = vm_hwm_kib().unwrap_or(0);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let transport = Transport::new(TransportConfig::default().allow_plain_http(true)).unwrap();
    let request = Request::get(&url, "/publication/bulletin/{week}").unwrap();

    let ours_path = dir.join("ours.zip");
    let curl_path = dir.join("curl.zip");
    let mut best_ours = Duration::MAX;
    let mut best_curl = Duration::MAX;
    let (mut cpu_ours, mut cpu_curl) = (0u64, 0u64);
    let mut pair_ratios: Vec<f64> = Vec::new();
    // Run 0 is a warm-up (first connection, first file, page cache), not counted.
    for run in 0..=runs {
        let (self_before, _) = cpu_ticks();
        let started = Instant::now();
        let download = runtime
            .block_on(transport.download_to_file(&request, &ours_path, |_| {}))
            .unwrap();
        let ours = started.elapsed();
        let (self_after, children_before) = cpu_ticks();
        cpu_ours += self_after - self_before;
        assert_eq!(download.bytes, size);
        assert_eq!(std::fs::metadata(&ours_path).unwrap().len(), size);
        std::fs::remove_file(&ours_path).unwrap();

        let started = Instant::now();
        let status = Command::new("curl")
            .args(["--silent", "--show-error", "--fail", "-o"])
            .arg(&curl_path)
            .arg(&url)
            .status()
            .expect("curl must be installed for the comparison");
        let curl = started.elapsed();
        cpu_curl += cpu_ticks().1 - children_before;
        assert!(status.success(), "curl failed: {status}");
        assert_eq!(std::fs::metadata(&curl_path).unwrap().len(), size);
        if run == 0 {
            // The digest, checked once against coreutils' sha256sum of curl's copy.
            let out = Command::new("sha256sum").arg(&curl_path).output().unwrap();
            let theirs = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                theirs.split_whitespace().next(),
                Some(download.sha256_hex().as_str()),
                "SHA-256 differs from sha256sum"
            );
        }
        std::fs::remove_file(&curl_path).unwrap();

        println!(
            "run {run}{}: http-transport {:8.1} MiB/s ({:.2} s, sha256 {}…) | curl -o {:8.1} MiB/s ({:.2} s)",
            if run == 0 { " (warm-up)" } else { "" },
            mib_per_s(size, ours),
            ours.as_secs_f64(),
            &download.sha256_hex()[..16],
            mib_per_s(size, curl),
            curl.as_secs_f64()
        );
        if run == 0 {
            cpu_ours = 0;
            cpu_curl = 0;
            continue;
        }
        pair_ratios.push(curl.as_secs_f64() / ours.as_secs_f64());
        best_ours = best_ours.min(ours);
        best_curl = best_curl.min(curl);
    }
    // The same work as http-transport with standard tools (every byte written and hashed),
    // beside the plain `curl -o` the target is set against: best of `runs`.
    let mut best_pipe = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new("sh")
            .arg("-c")
            .arg("curl --silent --fail \"$1\" | tee \"$2\" | openssl dgst -sha256")
            .args(["sh", &url])
            .arg(&curl_path)
            .output()
            .unwrap();
        best_pipe = best_pipe.min(started.elapsed());
        assert!(out.status.success(), "curl | tee | openssl dgst failed");
        assert_eq!(std::fs::metadata(&curl_path).unwrap().len(), size);
        std::fs::remove_file(&curl_path).unwrap();
    }
    // Read before the diagnostics, which hash a 64 MiB block in memory.
    let peak = vm_hwm_kib().unwrap_or(0);
    if std::env::var_os("HTTP_TRANSPORT_BENCH_DIAG").is_some() {
        diagnostics(&runtime, &transport, &request, &url, size);
    }
    let ratio = best_curl.as_secs_f64() / best_ours.as_secs_f64();
    println!(
        "best: http-transport {:.1} MiB/s, curl {:.1} MiB/s, ratio {:.0}% of curl (target >= 95%)",
        mib_per_s(size, best_ours),
        mib_per_s(size, best_curl),
        ratio * 100.0
    );
    println!(
        "same work with standard tools (curl | tee FILE | openssl dgst -sha256): {:.1} MiB/s; \
         http-transport {:.0}% of it",
        mib_per_s(size, best_pipe),
        best_pipe.as_secs_f64() / best_ours.as_secs_f64() * 100.0
    );
    println!(
        "peak RSS of the client process (VmHWM): {:.1} MiB \
         (before downloads {:.1} MiB; target <= 64 MiB)",
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
    pair_ratios.sort_by(f64::total_cmp);
    println!(
        "median of the per-run ratios: {:.0}% of curl",
        pair_ratios[pair_ratios.len() / 2] * 100.0
    );
    println!(
        "CPU time per GiB (user + system, all runs): http-transport {:.2} s, curl {:.2} s \
         (http-transport hashes with SHA-256 and syncs to disk; curl does neither), \
         ratio {:.2}",
        cpu_ours as f64 / 100.0 / (f64::from(runs) * size as f64 / 1073741824.0),
        cpu_curl as f64 / 100.0 / (f64::from(runs) * size as f64 / 1073741824.0),
        cpu_ours as f64 / cpu_curl.max(1) as f64,
    );
    resume(&runtime, &transport, &request, &url, &dir, size, runs);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir(&dir);
}
