//! Benchmark: build, validate and extract a generated package of at least 1 GB, and compare
//! with `unzip -t` on the same file in the same run.
//!
//! `cargo bench -p hague-package --bench large` (size in MiB: `HAGUE_BENCH_MIB`, default
//! 1100). Each phase runs in a child process so that its peak resident memory (`VmHWM` of
//! `/proc/self/status`) is its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hague_package::{
    Limits, PackageBuilder, St96Inspector, ValidationOptions, extract, validate_package,
};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const FILE_MIB: usize = 5;

fn vm_hwm_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn limits() -> Limits {
    Limits::default()
        .with_max_total_size(64 << 30)
        .with_max_entries(1_000_000)
}

fn view_paths(files: usize) -> Vec<String> {
    (0..files)
        .map(|i| format!("views/{}/{i}.jpg", i / 50))
        .collect()
}

fn xml(paths: &[String]) -> String {
    let mut views = String::new();
    for (i, p) in paths.iter().enumerate() {
        views.push_str(&format!(
            "<dgn:View><com:FileName>{p}</com:FileName><dgn:ViewIdentifier>1.{i}</dgn:ViewIdentifier></dgn:View>"
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<dgn:HagueOfficeToIBTransaction com:st96Version=\"V4_0\" \
xmlns:com=\"http://www.wipo.int/standards/XMLSchema/ST96/Common\" \
xmlns:dgn=\"http://www.wipo.int/standards/XMLSchema/ST96/Design\">\
<dgn:HagueApplication><dgn:HagueDesignBag><dgn:HagueDesign><dgn:DesignIdentifier>1</dgn:DesignIdentifier>\
<dgn:ViewBag>{views}</dgn:ViewBag></dgn:HagueDesign></dgn:HagueDesignBag></dgn:HagueApplication>\
</dgn:HagueOfficeToIBTransaction>"
    )
}

/// Runs one phase in this process and prints `secs vmhwm_kib`.
fn child(phase: &str, work: &Path) {
    let zip = work.join("package.zip");
    let start = Instant::now();
    match phase {
        "build" => {
            let files = fs::read_to_string(work.join("count"))
                .unwrap()
                .parse()
                .unwrap();
            let xml = xml(&view_paths(files));
            let builder = PackageBuilder::from_xml_and_dir(
                "transaction.xml",
                xml.into_bytes(),
                &work.join("src"),
                &St96Inspector,
            )
            .unwrap();
            builder.build_to_path(&zip).unwrap();
        }
        "validate" => {
            let options = ValidationOptions::default().with_limits(limits());
            let mut f = fs::File::open(&zip).unwrap();
            let v = validate_package(&mut f, &options, &St96Inspector).unwrap();
            assert!(v.report.findings.is_empty(), "{}", v.report);
        }
        "validate-damaged" => {
            // Proves the timed validation really reads every byte: one flipped byte in the
            // last entry must be found.
            let options = ValidationOptions::default().with_limits(limits());
            let mut f = fs::File::open(&zip).unwrap();
            let v = validate_package(&mut f, &options, &St96Inspector).unwrap();
            let json = v.report.to_json();
            assert_eq!(json["findings"][0]["kind"], "crc_mismatch", "{}", v.report);
        }
        "extract" => {
            let dest = work.join("out");
            let _ = fs::remove_dir_all(&dest);
            extract(&mut fs::File::open(&zip).unwrap(), &dest, &limits()).unwrap();
        }
        other => panic!("unknown phase {other}"),
    }
    println!("{} {}", start.elapsed().as_secs_f64(), vm_hwm_kib());
}

fn run_child(phase: &str, work: &Path) -> (f64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("HAGUE_BENCH_CHILD", phase)
        .env("HAGUE_BENCH_WORK", work)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{phase} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut it = text.split_whitespace();
    (
        it.next().unwrap().parse().unwrap(),
        it.next().unwrap().parse().unwrap(),
    )
}

fn time_cmd(cmd: &mut Command) -> f64 {
    let start = Instant::now();
    let status = cmd.status().unwrap();
    assert!(status.success(), "{cmd:?} failed");
    start.elapsed().as_secs_f64()
}

fn generate(work: &Path, mib: usize) -> usize {
    let files = mib.div_ceil(FILE_MIB);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; FILE_MIB << 20];
    for (i, p) in view_paths(files).iter().enumerate() {
        let path = work.join("src").join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        for chunk in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        buf[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
        let mut f = fs::File::create(&path).unwrap();
        f.write_all(&buf).unwrap();
        if i == 0 {
            eprintln!("generating {files} files of {FILE_MIB} MiB ...");
        }
    }
    fs::write(work.join("count"), files.to_string()).unwrap();
    files
}

fn main() {
    if let Ok(phase) = std::env::var("HAGUE_BENCH_CHILD") {
        let work = PathBuf::from(std::env::var_os("HAGUE_BENCH_WORK").unwrap());
        child(&phase, &work);
        return;
    }
    let mib: usize = std::env::var("HAGUE_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1100);
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let work = tmp.path();
    let files = generate(work, mib);
    let (build_s, build_kib) = run_child("build", work);
    let zip = work.join("package.zip");
    let zip_bytes = fs::metadata(&zip).unwrap().len();
    // Warm the page cache once so that every measured pass reads from the same state.
    time_cmd(Command::new("unzip").arg("-tqq").arg(&zip));
    let mut unzip_t = f64::MAX;
    let mut validate = (f64::MAX, 0);
    let mut extract_best = (f64::MAX, 0);
    for _ in 0..2 {
        unzip_t = unzip_t.min(time_cmd(Command::new("unzip").arg("-tqq").arg(&zip)));
        let v = run_child("validate", work);
        if v.0 < validate.0 {
            validate = v;
        }
        let e = run_child("extract", work);
        if e.0 < extract_best.0 {
            extract_best = e;
        }
        fs::remove_dir_all(work.join("out")).unwrap();
    }
    let unzip_x = time_cmd(
        Command::new("unzip")
            .arg("-qq")
            .arg(&zip)
            .arg("-d")
            .arg(work.join("unzip-out")),
    );
    {
        use std::io::{Seek, SeekFrom};
        let mut f = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&zip)
            .unwrap();
        // The central directory is small; 2 MiB before the end lies in the last JPEG.
        f.seek(SeekFrom::End(-(2 << 20))).unwrap();
        f.write_all(&[0x5A]).unwrap();
    }
    let (damaged_s, _) = run_child("validate-damaged", work);
    let gb = zip_bytes as f64 / 1e9;
    println!(
        "package: {zip_bytes} bytes ({gb:.2} GB), {} entries",
        files + 1
    );
    println!(
        "build (stream from disk):   {build_s:7.2} s  peak RSS {:6.1} MiB",
        build_kib as f64 / 1024.0
    );
    println!("unzip -t (best of 2):       {unzip_t:7.2} s");
    println!(
        "validate_package (best of 2): {:7.2} s  peak RSS {:6.1} MiB  = {:.2} x unzip -t",
        validate.0,
        validate.1 as f64 / 1024.0,
        validate.0 / unzip_t
    );
    println!(
        "extract (best of 2):        {:7.2} s  peak RSS {:6.1} MiB  = {:.2} x unzip -t",
        extract_best.0,
        extract_best.1 as f64 / 1024.0,
        extract_best.0 / unzip_t
    );
    println!("unzip (extraction, 1 run):  {unzip_x:7.2} s  (reference)");
    println!("validate, one byte flipped: {damaged_s:7.2} s  (crc_mismatch found)");
}
