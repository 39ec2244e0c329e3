//! `hague bulletin worklist` against the sandbox: the worklist must equal what an
//! independent reading (Python's zipfile + lxml + calendar) finds in the bulletins the
//! sandbox generated; a second run uses the cache and fetches nothing.

use std::process::Command;

use crate::support::{hague_on, run, run_python, sandbox_with_client};

const CLIENT: &str = "sandbox-worklist-office";

/// For each bulletin ZIP (argv[3:], named bulletin-<week>.zip): every registration (a Bag's
/// HagueRegistration child, or a HagueExpressTransaction's current registration) whose own
/// DesignatedCountryBag designates argv[1]; its deadline is the publication date plus
/// argv[2] months (Rule 4(1): same day number, else the month's last day).
const EXPECTED: &str = r#"
import sys, json, zipfile, calendar, datetime, os
from lxml import etree
office, months = sys.argv[1], int(sys.argv[2])
def L(n): return "*[local-name()='%s']" % n
def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year; m += 1
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))
out = []
for path in sys.argv[3:]:
    week = os.path.basename(path)[len("bulletin-"):-len(".zip")]
    z = zipfile.ZipFile(path)
    xml = [n for n in z.namelist() if n.endswith(".xml")][0]
    root = etree.fromstring(z.read(xml), etree.XMLParser(resolve_entities=False, huge_tree=True))
    header = root.xpath("string(./%s)" % L("PublicationDate")).strip()
    for bag in root:
        if not etree.QName(bag).localname.endswith("Bag"):
            continue
        for rec in bag:
            local = etree.QName(rec).localname
            if local == "HagueRegistration":
                reg, published = rec, header
            elif local == "HagueExpressTransaction":
                reg = rec.xpath("./%s/%s" % (L("HagueCurrent"), L("HagueRegistration")))[0]
                h = rec.xpath("./%s[%s]/%s" % (L("HagueHistory"), L("HagueRegistration"), L("PublicationDate")))
                published = h[0].text.strip() if h else header
            else:
                continue
            acts = [d.xpath("string(./%s)" % L("HagueAgreementActCategory")).strip()
                    for d in reg.xpath("./%s/%s" % (L("DesignatedCountryBag"), L("DesignatedCountry")))
                    if d.xpath("string(./%s)" % L("DesignatedCountryCode")).strip() == office]
            if not acts:
                continue
            irn = reg.xpath("string(./%s)" % L("InternationalRegistrationNumber")).strip()
            last = add_months(datetime.date.fromisoformat(published), months).isoformat()
            out.append([last, irn, acts[0], week])
out.sort(key=lambda e: (e[0], e[1]))
print(json.dumps(out))
"#;

#[test]
fn worklist_against_the_sandbox() {
    let mut config = sandbox::SandboxConfig::default();
    config.bulletin_records = 150;
    let (sb, keys) = sandbox_with_client(config, CLIENT);
    let cache = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str]| {
        let mut c: Command = hague_on(&sb, CLIENT, &keys);
        c.env("HAGUE_CACHE_DIR", cache.path()).args(args);
        c
    };
    let weeks = ["202445", "2024-W46", "47/2024"];
    let mut args = vec![
        "bulletin",
        "worklist",
        "--designating",
        "es",
        "--json",
        "--include-passed",
    ];
    args.extend(weeks);
    let first = run(&mut cmd(&args)).json();
    assert_eq!(first["office"], "ES");
    assert_eq!(
        first["weeks"],
        serde_json::json!(["202445", "202446", "202447"])
    );
    assert_eq!(first["fetched"], first["weeks"]);
    assert_eq!(first["refusal_period_months"], 6);

    let zips: Vec<String> = ["202445", "202446", "202447"]
        .iter()
        .map(|w| {
            cache
                .path()
                .join(format!("bulletin-{w}.zip"))
                .display()
                .to_string()
        })
        .collect();
    let expected = |months: &str| -> serde_json::Value {
        let args = ["ES", months]
            .into_iter()
            .chain(zips.iter().map(String::as_str));
        serde_json::from_str(&run_python(EXPECTED, args)).unwrap()
    };
    let ours = |report: &serde_json::Value| -> serde_json::Value {
        report["registrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                serde_json::json!([
                    e["refusal_deadline"],
                    e["registration_number"],
                    e["act"],
                    e["week"]
                ])
            })
            .collect()
    };
    let want = expected("6");
    assert!(want.as_array().unwrap().len() >= 10, "{want}");
    assert_eq!(ours(&first), want);

    // Again: everything comes from the cache.
    let second = run(&mut cmd(&args)).json();
    assert_eq!(second["fetched"], serde_json::json!([]));
    assert_eq!(ours(&second), want);

    // Twelve months (an office's declaration under Rule 18(1)(b)).
    let mut twelve = args.clone();
    twelve.extend(["--refusal-period", "12"]);
    let r12 = run(&mut cmd(&twelve)).json();
    assert_eq!(r12["refusal_period_months"], 12);
    assert_eq!(ours(&r12), expected("12"));

    // By default, registrations whose deadline has passed (old Hague Express registrations)
    // are counted, not listed.
    let mut current_args = args.clone();
    current_args.retain(|a| *a != "--include-passed");
    let current = run(&mut cmd(&current_args)).json();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let still_open: Vec<_> = want
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e[0].as_str().unwrap() >= today.as_str())
        .cloned()
        .collect();
    assert_eq!(ours(&current), serde_json::Value::Array(still_open.clone()));
    assert_eq!(
        current["passed_hidden"].as_u64().unwrap() as usize,
        want.as_array().unwrap().len() - still_open.len()
    );

    // The human form: one line per registration after the summary, nearest first.
    let mut human_args = args.clone();
    human_args.retain(|a| *a != "--json");
    let text = run(&mut cmd(&human_args)).ok();
    assert_eq!(
        text.lines().count(),
        want.as_array().unwrap().len() + 1,
        "{text}"
    );
    let first_line = text.lines().nth(1).unwrap();
    assert!(
        first_line.starts_with(want[0][0].as_str().unwrap()),
        "{first_line}"
    );

    // --since: every week from there to the latest published one (the clock is real).
    let today = time::OffsetDateTime::now_utc().date();
    let latest = hague_cli::bulletin::latest_week(today).unwrap();
    let since = time::Date::from_iso_week_date(
        i32::from(latest.year()),
        latest.week(),
        time::Weekday::Friday,
    )
    .unwrap()
        - time::Duration::days(14);
    let (y, w, _) = since.to_iso_week_date();
    let since = format!("{y}-W{w:02}");
    let r = run(&mut cmd(&[
        "bulletin",
        "worklist",
        "--designating",
        "ES",
        "--since",
        &since,
        "--json",
    ]))
    .json();
    assert_eq!(r["weeks"].as_array().unwrap().len(), 3, "{}", r["weeks"]);
    assert_eq!(r["weeks"][2], latest.to_string());

    // The sandbox's bulletins hold every view's image in its registration's folder: the
    // export points at each one.
    let exported = run(&mut cmd(&[
        "bulletin",
        "export",
        &zips[2],
        "--kind",
        "registration",
    ]))
    .ok();
    let mut views = 0;
    for line in exported.lines() {
        let l: serde_json::Value = serde_json::from_str(line).unwrap();
        let folder: String = l["registration_number"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        for d in l["designs"].as_array().unwrap() {
            for v in d["views"].as_array().unwrap() {
                let want = format!("{folder}/{}", v["file_name"].as_str().unwrap());
                assert_eq!(v["path"].as_str(), Some(want.as_str()), "{line}");
                views += 1;
            }
        }
    }
    assert!(views > 0);

    // Bad input is refused before any call.
    run(&mut cmd(&[
        "bulletin",
        "worklist",
        "--designating",
        "ES",
        "202400",
    ]))
    .fails(5);
    let r = run(&mut cmd(&[
        "bulletin",
        "worklist",
        "--designating",
        "ES",
        "--refusal-period",
        "9",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}
