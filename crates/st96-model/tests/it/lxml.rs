//! Cross-checks against an independent implementation: Python lxml (pinned in
//! xtask/requirements.txt, installed by `cargo xtask tools`).

use st96_model::{BulletinReader, St96Version, read_office_document};
use test_support::tools::run_python;

use crate::builders::sample_application;
use crate::common::fixture_path;

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
        let out = run_python(BULLETIN, [&path.display().to_string()]);
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

/// Every field the reader exposes, computed with lxml XPath from where the ST.96 Hague
/// structure puts it (an independent reading), one JSON line per record.
const FIELDS: &str = r#"
import sys, json
from lxml import etree
def L(name):
    return "*[local-name()='%s']" % name
def first(el, path):
    r = el.xpath("string((%s)[1])" % path)
    return r.strip() if r.strip() != "" or el.xpath("count(%s)" % path) else None
def opt(el, path):
    n = el.xpath(path)
    return n[0].text.strip() if n and n[0].text is not None else (None if not n else "")
def party(p):
    names = p.xpath(".//" + L("Name"))
    name = None
    if names:
        n = names[0]
        org = n.xpath(".//" + L("OrganizationStandardName"))
        full = n.xpath(".//" + L("PersonFullName"))
        fn = n.xpath(".//" + L("FirstName"))
        ln = n.xpath(".//" + L("LastName"))
        if org: name = org[0].text.strip()
        elif full: name = full[0].text.strip()
        elif fn and ln: name = fn[0].text.strip() + " " + ln[0].text.strip()
        elif fn: name = fn[0].text.strip()
        elif ln: name = ln[0].text.strip()
    cp = p.xpath("./" + L("ApplicantContractingParty"))
    cc = p.xpath(".//" + L("PostalAddress") + "//" + L("CountryCode"))
    return [name, cp[0].text.strip() if cp else None, cc[0].text.strip() if cc else None]
header = {}
depth = 0
for event, el in etree.iterparse(sys.argv[1], events=("start", "end"), resolve_entities=False):
    if event == "start":
        depth += 1
        continue
    depth -= 1
    local = etree.QName(el).localname
    if depth == 1 and local in ("HagueBulletinNumber", "PublicationDate"):
        header[local] = el.text.strip()
    parent = el.getparent()
    if not (parent is not None and parent.tag.endswith("Bag") and depth == 2):
        continue
    express = local == "HagueExpressTransaction"
    reg = el.xpath("./%s/%s" % (L("HagueCurrent"), L("HagueRegistration")))[0] if express else el
    irns = []
    for n in el.xpath(".//" + L("InternationalRegistrationNumber")):
        if n.text.strip() not in irns: irns.append(n.text.strip())
    def f(name):
        n = el.xpath(".//" + L(name))
        return n[0].text.strip() if n else None
    designated = [[d.xpath("string(./%s)" % L("DesignatedCountryCode")).strip(),
                   opt(d, "./" + L("HagueAgreementActCategory"))]
                  for d in reg.xpath("./%s/%s" % (L("DesignatedCountryBag"), L("DesignatedCountry")))]
    scope = reg if express else el
    holders = [party(h) for h in scope.xpath(".//" + L("Holder")) if not h.xpath("ancestor::" + L("PreviousHolder"))]
    reps = [party(r) for r in scope.xpath(".//" + L("Representative"))]
    designs = []
    for d in scope.xpath(".//" + L("HagueDesign")):
        designs.append([
            opt(d, "./" + L("DesignIdentifier")),
            [[p.get("{http://www.wipo.int/standards/XMLSchema/ST96/Common}languageCode"), p.text.strip()] for p in d.xpath(".//" + L("ProductDescriptionText"))],
            [[opt(c, "./" + L("LocarnoClass")), [s.text.strip() for s in c.xpath(".//" + L("LocarnoSubclass"))]] for c in d.xpath(".//" + L("LocarnoClassification"))],
            opt(d, ".//" + L("LocarnoClassificationEdition")),
            [[opt(v, "./" + L("ViewIdentifier")), opt(v, "./" + L("FileName")), opt(v, "./" + L("ViewTypeCategory"))] for v in d.xpath(".//" + L("View"))],
        ])
    total = reg.xpath("./" + L("DesignTotalQuantity"))
    history = []
    for h in el.xpath("./" + L("HagueHistory")):
        ev = [c for c in h if etree.QName(c).localname not in ("HagueBulletinNumber", "PublicationDate")]
        def hv(name):
            if not ev: return None
            n = ev[0].xpath(".//" + L(name))
            return n[0].text.strip() if n else None
        history.append([h.get("{http://www.wipo.int/standards/XMLSchema/ST96/Common}sequenceNumber"),
            opt(h, "./" + L("HagueBulletinNumber")), opt(h, "./" + L("PublicationDate")),
            etree.QName(ev[0]).localname if ev else None,
            hv("RecordNotifyingOfficeCode"), hv("DecisionDate"), hv("DecisionEffectiveDate"),
            hv("InternationalRecordingDate"), hv("RenewalDate"), hv("ExpiryDate")])
    aff = el.xpath("./" + L("AffectedDesign"))
    affected = None
    if aff:
        affected = [aff[0].xpath("string(./%s)" % L("AllDesignsIndicator")).strip() in ("true", "1"),
                    [d.text.strip() for d in aff[0].xpath(".//" + L("DesignIdentifier"))]]
    print(json.dumps([local, irns, f("InternationalRegistrationDate"),
        f("PublicationDate") or header.get("PublicationDate"),
        f("HagueBulletinNumber") or header.get("HagueBulletinNumber"),
        f("RecordNotifyingOfficeCode"), f("DecisionDate"), f("DecisionEffectiveDate"),
        f("InternationalRecordingDate"), f("RenewalDate"), f("ExpiryDate"),
        designated, holders, reps, total[0].text.strip() if total else None, designs, history, affected],
        ensure_ascii=False))
"#;

fn party_json(p: &st96_model::Party) -> serde_json::Value {
    serde_json::json!([p.name, p.contracting_party, p.country])
}

fn record_json(r: &st96_model::Record) -> serde_json::Value {
    use serde_json::json;
    let designs: Vec<_> = r
        .designs
        .iter()
        .map(|d| {
            json!([
                d.identifier,
                d.products
                    .iter()
                    .map(|p| json!([p.language, p.text]))
                    .collect::<Vec<_>>(),
                d.locarno
                    .iter()
                    .map(|l| json!([l.class, l.subclasses]))
                    .collect::<Vec<_>>(),
                d.locarno_edition,
                d.views
                    .iter()
                    .map(|v| json!([v.identifier, v.file_name, v.view_type]))
                    .collect::<Vec<_>>(),
            ])
        })
        .collect();
    let history: Vec<_> = r
        .history
        .iter()
        .map(|h| {
            json!([
                h.sequence,
                h.bulletin_number,
                h.publication_date,
                h.event,
                h.notifying_office,
                h.decision_date,
                h.effective_date,
                h.recording_date,
                h.renewal_date,
                h.expiry_date
            ])
        })
        .collect();
    json!([
        r.kind.element(),
        r.registration_numbers,
        r.registration_date,
        r.publication_date,
        r.bulletin_number,
        r.notifying_office,
        r.decision_date,
        r.effective_date,
        r.recording_date,
        r.renewal_date,
        r.expiry_date,
        r.designated
            .iter()
            .map(|d| json!([d.code, d.act]))
            .collect::<Vec<_>>(),
        r.holders.iter().map(party_json).collect::<Vec<_>>(),
        r.representatives.iter().map(party_json).collect::<Vec<_>>(),
        r.design_total_quantity,
        designs,
        history,
        r.affected.as_ref().map(|a| json!([a.all, a.designs])),
    ])
}

#[test]
fn every_record_field_agrees_with_lxml() {
    let dir = std::env::temp_dir().join(format!("st96-lxml-f-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let synth = dir.join("synth.xml");
    let stats = st96_model::synth::write_bulletin_file(&synth, 1_500, 21).unwrap();
    for path in [
        synth,
        fixture_path("bulletin/per_kind_bags.xml"),
        fixture_path("bulletin/express_two_records.xml"),
    ] {
        let out = run_python(FIELDS, [&path.display().to_string()]);
        let bytes = std::fs::read(&path).unwrap();
        let ours: Vec<serde_json::Value> = BulletinReader::new(&bytes[..])
            .map(|r| record_json(&r.unwrap()))
            .collect();
        let theirs: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        // Express fixtures are not in a Bag: lxml's walk above sees Bag children only.
        if theirs.is_empty() {
            continue;
        }
        assert_eq!(ours.len(), theirs.len(), "{}", path.display());
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a, b, "{}", path.display());
        }
    }
    // The generated data exercises every field (so the comparison above means something).
    assert!(stats.designations.len() >= 8, "{:?}", stats.designations);
    assert!(stats.representatives > 0 && stats.history_entries > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
