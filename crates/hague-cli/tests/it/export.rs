//! `hague bulletin export`: every line checked against the documented JSON Schema by an
//! independent validator (Python `jsonschema`), the refusal deadlines recomputed with
//! Python's calendar, the CSV read back by Python's `csv`, image paths, filters and the
//! output rules.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use st96_model::synth::{SynthOptions, SynthStats, write_bulletin_with};

use crate::support::{hague, run, run_python, workspace};

/// A bulletin ZIP of the generator's XML plus the images of the first `images` views,
/// half of them in `DM<digits>/` folders and half in `<digits>/` folders.
pub(crate) fn bulletin_zip(
    dir: &Path,
    records: u64,
    seed: u64,
    images: usize,
) -> (PathBuf, SynthStats, Vec<String>) {
    let mut xml = Vec::new();
    let stats = write_bulletin_with(
        &mut xml,
        &SynthOptions::new(records, seed).for_week(2024, 47),
    )
    .unwrap();
    let text = String::from_utf8(xml.clone()).unwrap();
    let mut paths = Vec::new();
    for (i, chunk) in text
        .split("<com:FileName>")
        .skip(1)
        .take(images)
        .enumerate()
    {
        let name = chunk.split('<').next().unwrap();
        let digits = &name[1..7];
        let folder = if i % 2 == 0 {
            format!("DM{digits}")
        } else {
            digits.to_owned()
        };
        let p = format!("{folder}/{name}");
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    let path = dir.join(format!("bulletin-{seed}.zip"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("HE202447_ST96.xml", opts).unwrap();
    zip.write_all(&xml).unwrap();
    for p in &paths {
        zip.start_file(p.as_str(), opts).unwrap();
        zip.write_all(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0])
            .unwrap();
    }
    zip.finish().unwrap();
    (path, stats, paths)
}

/// Validates JSONL against the schema, recomputes each deadline with `calendar`, reads the
/// CSV with `csv`; prints a JSON summary.
const CHECK: &str = r#"
import sys, json, csv, calendar, datetime
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
lines = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
errors = [str(e.message) for l in lines for e in v.iter_errors(l)]
def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))
bad_deadlines = []
for l in lines:
    dl = l["refusal_deadline"]
    if dl:
        want = add_months(datetime.date.fromisoformat(dl["published"]), dl["period_months"])
        if want.isoformat() != dl["last_day"]:
            bad_deadlines.append([dl, want.isoformat()])
rows = list(csv.reader(open(sys.argv[3], encoding="utf-8", newline="")))
print(json.dumps({
    "lines": len(lines), "schema_errors": errors[:5], "bad_deadlines": bad_deadlines[:5],
    "deadlines": sum(1 for l in lines if l["refusal_deadline"]),
    "csv_header": rows[0], "csv_rows": rows[1:],
}))
"#;

fn export(zip: &Path, args: &[&str], out: &Path) {
    let mut c = hague();
    c.args(["bulletin", "export"])
        .arg(zip)
        .args(args)
        .arg("-o")
        .arg(out);
    run(&mut c).ok();
}

#[test]
fn export_lines_follow_the_schema_and_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, stats, images) = bulletin_zip(dir.path(), 600, 9, 10);
    let jsonl = dir.path().join("all.jsonl");
    let csv = dir.path().join("all.csv");
    export(&zip, &[], &jsonl);
    export(&zip, &["--format", "csv"], &csv);
    let schema = workspace().join("docs/bulletin-export.schema.json");
    let check = |jsonl: &Path, csv: &Path| -> serde_json::Value {
        let out = run_python(CHECK, [schema.as_path(), jsonl, csv]);
        serde_json::from_str(&out).unwrap()
    };
    let all = check(&jsonl, &csv);
    assert_eq!(all["lines"], stats.records);
    assert_eq!(all["schema_errors"], serde_json::json!([]));
    assert_eq!(all["deadlines"], 0, "no deadline without --designating");
    let header: Vec<String> = serde_json::from_value(all["csv_header"].clone()).unwrap();
    assert_eq!(header, hague_cli::export::CSV_COLUMNS);
    assert_eq!(
        all["csv_rows"].as_array().unwrap().len() as u64,
        stats.records
    );

    // Image paths: the views whose files the archive holds point into it, the others are null.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut found = Vec::new();
    for l in &lines {
        for d in l["designs"].as_array().unwrap() {
            for v in d["views"].as_array().unwrap() {
                if let Some(p) = v["path"].as_str() {
                    assert!(p.ends_with(&format!("/{}", v["file_name"].as_str().unwrap())));
                    found.push(p.to_owned());
                }
            }
        }
    }
    found.sort();
    found.dedup();
    let mut want = images;
    want.sort();
    assert_eq!(found, want);

    // --designating ES: every line designates ES, registrations count as the generator
    // wrote them, and every deadline is Python's six months.
    let es = dir.path().join("es.jsonl");
    let es_csv = dir.path().join("es.csv");
    export(&zip, &["--designating", "es"], &es);
    export(&zip, &["--designating", "ES", "--format", "csv"], &es_csv);
    let r = check(&es, &es_csv);
    assert_eq!(r["schema_errors"], serde_json::json!([]));
    assert_eq!(r["bad_deadlines"], serde_json::json!([]));
    let es_regs = stats
        .designations
        .iter()
        .find(|(c, _)| *c == "ES")
        .map(|(_, n)| *n)
        .unwrap();
    assert_eq!(r["deadlines"], es_regs);
    let es_lines: Vec<serde_json::Value> = std::fs::read_to_string(&es)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(es_lines.iter().all(|l| {
        l["designated"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "ES")
    }));
    // The registrations of this bulletin were published on Friday 22 November 2024.
    assert!(
        es_lines
            .iter()
            .any(|l| l["refusal_deadline"]["last_day"] == "2025-05-22")
    );
    // The CSV carries the same deadlines in the same order.
    let rows = r["csv_rows"].as_array().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, line) in rows.iter().zip(&es_lines) {
        assert_eq!(row[col("registration_number")], line["registration_number"]);
        assert_eq!(
            row[col("refusal_deadline")].as_str().unwrap(),
            line["refusal_deadline"]["last_day"].as_str().unwrap_or("")
        );
    }

    // Twelve months where the office declared so.
    let es12 = dir.path().join("es12.jsonl");
    export(
        &zip,
        &["--designating", "ES", "--refusal-period", "12"],
        &es12,
    );
    let r12 = check(&es12, &es_csv);
    assert_eq!(r12["bad_deadlines"], serde_json::json!([]));
    assert!(
        std::fs::read_to_string(&es12)
            .unwrap()
            .contains("\"last_day\":\"2025-11-22\"")
    );

    // --kind.
    let kinds = dir.path().join("kinds.jsonl");
    export(&zip, &["--kind", "refusal,grant-protection"], &kinds);
    let text = std::fs::read_to_string(&kinds).unwrap();
    let count = |k: &str| {
        stats
            .per_kind
            .iter()
            .find(|(e, _)| *e == k)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(
        text.lines().count() as u64,
        count("HagueRefusal") + count("HagueGrantProtection")
    );
    assert!(
        text.lines()
            .all(|l| l.contains("\"kind\":\"refusal\"")
                || l.contains("\"kind\":\"grant-protection\""))
    );
}

#[test]
fn export_output_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, stats, _) = bulletin_zip(dir.path(), 50, 4, 0);
    // To standard output by default; the report goes to standard error.
    let mut c = hague();
    c.args(["bulletin", "export"]).arg(&zip);
    let out = run(&mut c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count() as u64, stats.records);
    assert!(out.stderr.contains("exported 50 of 50"), "{}", out.stderr);
    // An existing file is not replaced without --force.
    let existing = dir.path().join("x.jsonl");
    std::fs::write(&existing, "keep").unwrap();
    let mut c = hague();
    c.args(["bulletin", "export"])
        .arg(&zip)
        .arg("-o")
        .arg(&existing);
    run(&mut c).fails(5);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
    let mut c = hague();
    c.args(["bulletin", "export", "--force", "--json"])
        .arg(&zip)
        .arg("-o")
        .arg(&existing);
    let report = run(&mut c).json();
    assert_eq!(report["records_written"], 50);
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap().lines().count(),
        50
    );
    // A FIFO is written as a stream, never replaced.
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(ok.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        let mut c = hague();
        c.args(["bulletin", "export", "--format", "csv"])
            .arg(&zip)
            .arg("-o")
            .arg(&fifo);
        run(&mut c).ok();
        let text = reader.join().unwrap();
        assert_eq!(text.lines().count() as u64, stats.records + 1);
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }
    // Bad values are usage errors; nothing is written.
    for bad in [
        &["--refusal-period", "7"][..],
        &["--designating", "ESP"][..],
        &["--format", "xml"][..],
    ] {
        let target = dir.path().join("never.jsonl");
        let mut c = hague();
        c.args(["bulletin", "export"])
            .arg(&zip)
            .args(bad)
            .arg("-o")
            .arg(&target);
        let r = run(&mut c);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert!(!target.exists());
    }
    // A damaged archive: exit 5, no output file.
    let broken = dir.path().join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 not really").unwrap();
    let target = dir.path().join("out.jsonl");
    let mut c = hague();
    c.args(["bulletin", "export"])
        .arg(&broken)
        .arg("-o")
        .arg(&target);
    run(&mut c).fails(5);
    assert!(!target.exists());
}

#[cfg(unix)]
use std::os::unix::fs::FileTypeExt as _;
