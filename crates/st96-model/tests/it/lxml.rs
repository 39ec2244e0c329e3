//! Cross-checks against an independent implementation: Python lxml (pinned in
//! xtask/requirements.txt, installed by `cargo xtask tools`).

use std::path::PathBuf;
use std::process::Command;

use st96_model::{BulletinReader, St96Version, read_office_document};

use crate::builders::sample_application;
use crate::common::fixture_path;

fn python() -> PathBuf {
    let p = std::env::var_os("XTASK_PYTHON").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        p.exists(),
        "Python with lxml not found at {} (set XTASK_PYTHON); run `cargo xtask tools`",
        p.display()
    );
    p
}

fn run_python(script: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed (run `cargo xtask tools` if lxml is missing): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// For each file: root (Clark name), st96Version, transaction (Clark name), the IR number
/// and every com:FileName, one tab-separated line.
const OFFICE: &str = r#"
import sys
from lxml import etree
COM = "http://www.wipo.int/standards/XMLSchema/ST96/Common"
DGN = "http://www.wipo.int/standards/XMLSchema/ST96/Design"
parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
for path in sys.argv[1:]:
    root = etree.parse(path, parser).getroot()
    tx = root[0] if len(root) else None
    ns = {"com": COM, "dgn": DGN}
    irn = root.xpath("string(//com:InternationalRegistrationNumber)", namespaces=ns)
    files = root.xpath("//*[local-name()='FileName']/text()")
    print("\t".join([root.tag, root.get("{%s}st96Version" % COM) or "", tx.tag if tx is not None else "", irn] + files))
"#;

#[test]
fn builder_output_and_fixtures_agree_with_lxml() {
    let dir = std::env::temp_dir().join(format!("st96-lxml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = dir.join("app.xml");
    std::fs::write(&app, sample_application().to_xml(&St96Version::V7_0)).unwrap();
    let mut files = vec![app];
    for f in [
        "refusal_all_designs.xml",
        "refusal_some_designs.xml",
        "grant_after_refusal.xml",
        "grant_no_prior_refusal.xml",
        "refusal_withdrawal.xml",
        "indirect_application.xml",
        "office_own_application.xml",
        "generic_communication.xml",
    ] {
        files.push(fixture_path(&format!("office/{f}")));
    }
    let args: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_python(OFFICE, &args);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), files.len());
    for (path, line) in files.iter().zip(lines) {
        let cols: Vec<&str> = line.split('\t').collect();
        let doc = read_office_document(&std::fs::read(path).unwrap()).unwrap();
        let ctx = path.display();
        assert_eq!(
            cols[0],
            format!("{{{}}}HagueOfficeToIBTransaction", st96_model::DGN),
            "{ctx}"
        );
        assert_eq!(cols[1], doc.st96_version.as_str(), "{ctx}");
        assert_eq!(
            cols[2],
            format!("{{{}}}{}", st96_model::DGN, doc.element),
            "{ctx}"
        );
        assert_eq!(
            cols[3],
            doc.registration_number.as_deref().unwrap_or(""),
            "{ctx}"
        );
        let ours: Vec<&str> = doc
            .file_references
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(&cols[4..], &ours[..], "{ctx}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Records (children of a Bag, or HagueExpressTransaction), with their first IR number and
/// their FileName count, one line each.
const BULLETIN: &str = r#"
import sys
from lxml import etree
COM = "{http://www.wipo.int/standards/XMLSchema/ST96/Common}"
depth = 0
for event, el in etree.iterparse(sys.argv[1], events=("start", "end"), resolve_entities=False):
    if event == "start":
        depth += 1
        continue
    depth -= 1
    parent = el.getparent()
    is_record = parent is not None and (parent.tag.endswith("Bag") and depth == 2)
    if is_record:
        irn = next((e.text for e in el.iter(COM + "InternationalRegistrationNumber")), "")
        files = sum(1 for _ in el.iter(COM + "FileName"))
        print(f"{etree.QName(el).localname}\t{irn}\t{files}")
"#;

#[test]
fn bulletin_records_agree_with_lxml() {
    let dir = std::env::temp_dir().join(format!("st96-lxml-b-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let synth = dir.join("synth.xml");
    st96_model::synth::write_bulletin_file(&synth, 400, 11).unwrap();
    for path in [synth, fixture_path("bulletin/per_kind_bags.xml")] {
        let out = run_python(BULLETIN, &[&path.display().to_string()]);
        let bytes = std::fs::read(&path).unwrap();
        let ours: Vec<String> = BulletinReader::new(&bytes[..])
            .map(|r| {
                let r = r.unwrap();
                format!(
                    "{}\t{}\t{}",
                    r.kind.element(),
                    r.registration_number().unwrap_or(""),
                    r.image_file_names().count()
                )
            })
            .collect();
        let theirs: Vec<&str> = out.lines().collect();
        assert!(!ours.is_empty());
        assert_eq!(ours, theirs, "{}", path.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
