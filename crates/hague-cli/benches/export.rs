//! `hague bulletin export` of a generated bulletin ZIP to `/dev/null`, in a child process so
//! that the peak resident memory (`VmHWM`) is the export's alone.
//!
//! `cargo bench -p hague-cli --bench export`. The size in MB comes from
//! `HAGUE_EXPORT_BENCH_MB` (default 1024): the XML is the one `st96-model`'s bulletin
//! benchmark generates (`target/st96-bench/bulletin-<MB>MB-v2.xml`, same records and seed,
//! made here when missing), zipped with deflate into `bulletin-<MB>MB-v2.zip` beside it.
//! MB/s counts the XML's (inflated) bytes, so the figure compares with the parse figure.
//! Runs `HAGUE_EXPORT_BENCH_REPEAT` times (default 3), best time kept. Prints
//! `export: <MB/s> MB/s, cpu <MB/s> MB/s, RSS <MB> MB, <records> records, <MB> MB`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark over data it generates itself

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use test_support::measure::{cpu_seconds, peak_rss_kb};
use test_support::tools::workspace_root as workspace;

/// As in `crates/st96-model/benches/bulletin.rs`.
/// The `hague` binary's allocator (`src/main.rs`), so that this measures what it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BYTES_PER_RECORD: u64 = 4_530;

fn child(zip: &Path) {
    let args = hague_cli::export::ExportArgs {
        file: zip.to_path_buf(),
        format: hague_cli::export::Format::Jsonl,
        designating: None,
        kind: Vec::new(),
        refusal_period: None,
        output: PathBuf::from("/dev/null"),
        force: false,
    };
    let start = Instant::now();
    let cpu0 = cpu_seconds();
    let report = hague_cli::export::export(&args, None).expect("the export runs");
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let records = report.json["records_written"].as_u64().unwrap_or(0);
    println!("{records} {secs:.6} {cpu:.6} {}", peak_rss_kb());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--export-child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    let mb: u64 = std::env::var("HAGUE_EXPORT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let repeat: usize = std::env::var("HAGUE_EXPORT_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = workspace().join("target/st96-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let xml = dir.join(format!("bulletin-{mb}MB-v2.xml"));
    if !xml.exists() {
        st96_model::synth::write_bulletin_file(&xml, mb * 1_000_000 / BYTES_PER_RECORD, 42)
            .expect("generate");
    }
    let zip = dir.join(format!("bulletin-{mb}MB-v2.zip"));
    if !zip.exists() {
        let t = Instant::now();
        let tmp = dir.join(format!(".bulletin-{mb}MB-v2.zip.partial"));
        let mut z = zip::ZipWriter::new(std::fs::File::create(&tmp).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        z.start_file("HE202447_ST96.xml", opts).unwrap();
        let mut src = std::fs::File::open(&xml).unwrap();
        std::io::copy(&mut src, &mut z).unwrap();
        z.finish().unwrap().flush().unwrap();
        std::fs::rename(&tmp, &zip).unwrap();
        eprintln!(
            "zipped {} in {:.1}s",
            zip.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let bytes = std::fs::metadata(&xml).unwrap().len() as f64;
    let exe = std::env::current_exe().unwrap();
    let mut best: Option<(u64, f64, f64, u64)> = None;
    for _ in 0..repeat {
        let out = Command::new(&exe)
            .args(["--export-child", &zip.to_string_lossy()])
            .output()
            .expect("run the export child");
        assert!(
            out.status.success(),
            "export child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        let f: Vec<&str> = line.split_whitespace().collect();
        let run = (
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
        );
        best = Some(match best {
            Some(b) if b.1 <= run.1 => (b.0, b.1, b.2, b.3.max(run.3)),
            Some(b) => (run.0, run.1, run.2, b.3.max(run.3)),
            None => run,
        });
    }
    let (records, secs, cpu, rss) = best.unwrap();
    println!(
        "export: {:.1} MB/s, cpu {:.1} MB/s, RSS {:.1} MB, {records} records, {:.0} MB",
        bytes / 1e6 / secs,
        bytes / 1e6 / cpu.max(1e-9),
        rss as f64 / 1024.0,
        bytes / 1e6
    );
}
