//! Deterministic synthetic bulletins, for benchmarks, `cargo xtask gen-bulletin` and other
//! crates' tests (feature `synth`).
//!
//! The output follows the per-kind shape (a root holding `...Bag` containers) with Hague
//! Express records mixed in: registrations with holders, designs, product descriptions and
//! views; renewals; refusals; grants of protection; expirations; holder changes; express
//! records with history; and a kind the reader does not know
//! (`HagueRepresentativeAppointment`). Names use non-ASCII letters and `&` (written `&amp;`).
//! The same seed always gives the same bytes.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::{COM, DGN};

/// Counts of what was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SynthStats {
    /// Records written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
    /// View file names written.
    pub views: u64,
    /// Holders written (in registrations and current express records).
    pub holders: u64,
    /// Records per kind element, in first-seen order.
    pub per_kind: Vec<(&'static str, u64)>,
}

/// SplitMix64: small, fast and good enough for test data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const ORGS: &[&str] = &[
    "Müller &amp; Söhne GmbH",
    "Société Générale d'Éclairage SA",
    "東京デザイン株式会社",
    "Ñandú Diseños S.L.",
    "O'Brien &amp; Co. Ltd",
    "Łódź Meble Sp. z o.o.",
    "Nordisk Form A/S",
    "삼성디자인 주식회사",
    "Ελληνικά Έπιπλα Α.Ε.",
    "Acme Housewares Inc.",
];
const FIRST: &[&str] = &[
    "José", "Åsa", "Zoë", "Łukasz", "Ана", "Dimitris", "Min-jun", "Chloé", "Søren", "Ayşe",
];
const LAST: &[&str] = &[
    "Núñez",
    "Lindström",
    "O'Brien",
    "Żółkiewski",
    "Петровић",
    "Papadopoulos",
    "Kim",
    "Lefèvre",
    "Kierkegård",
    "Yılmaz",
];
const PRODUCTS: &[(&str, &str)] = &[
    ("Chairs", "Chaises"),
    ("Lamps &amp; lighting fixtures", "Lampes &amp; luminaires"),
    ("Watch cases", "Boîtiers de montres"),
    ("Bottles", "Bouteilles"),
    ("Cups &amp; saucers", "Tasses &amp; soucoupes"),
    ("Vehicle wheels", "Roues de véhicules"),
    (
        "Graphical user interfaces",
        "Interfaces utilisateur graphiques",
    ),
    ("Textile fabrics", "Tissus"),
];
const VIEW_TYPES: &[&str] = &[
    "Front",
    "Back",
    "Top",
    "Bottom",
    "Left",
    "Right",
    "Perspective",
];
const CITIES: &[(&str, &str)] = &[
    ("Köln", "DE"),
    ("Genève", "CH"),
    ("Tōkyō", "JP"),
    ("Sevilla", "ES"),
    ("Dublin", "IE"),
    ("Łódź", "PL"),
    ("Seoul", "KR"),
    ("Αθήνα", "GR"),
];
const OFFICES: &[&str] = &["ES", "JP", "KR", "US", "CH", "EM", "MX", "TR"];

/// Record kinds and their weights (out of 100).
const KINDS: &[(&str, u64)] = &[
    ("HagueRegistration", 45),
    ("HagueExpressTransaction", 10),
    ("HagueRenewal", 15),
    ("HagueRefusal", 8),
    ("HagueGrantProtection", 8),
    ("HagueExpiration", 5),
    ("HagueHolderNameAddressChange", 5),
    ("HagueRepresentativeAppointment", 4),
];

/// Records per `...Bag` before the generator moves to another kind.
const BATCH: u64 = 16;

struct Gen {
    rng: Rng,
    out: String,
    stats: SynthStats,
    week: u32,
}

impl Gen {
    fn date(&mut self, from_year: u64) -> String {
        format!(
            "{}-{:02}-{:02}",
            from_year + self.rng.below(10),
            1 + self.rng.below(12),
            1 + self.rng.below(28)
        )
    }

    fn irn(&mut self) -> String {
        format!("DM/{:06}", 1 + self.rng.below(240_000))
    }

    fn name(&mut self) {
        let o = &mut self.out;
        if self.rng.below(2) == 0 {
            let org = self.rng.pick(ORGS);
            let _ = write!(
                o,
                "<com:Contact><com:Name><com:OrganizationName><com:OrganizationStandardName>{org}</com:OrganizationStandardName></com:OrganizationName></com:Name>"
            );
        } else {
            let (f, l) = (self.rng.pick(FIRST), self.rng.pick(LAST));
            let _ = write!(
                o,
                "<com:Contact><com:Name><com:PersonName><com:PersonStructuredName><com:FirstName>{f}</com:FirstName><com:LastName>{l}</com:LastName></com:PersonStructuredName></com:PersonName></com:Name>"
            );
        }
        let (city, cc) = CITIES[self.rng.below(CITIES.len() as u64) as usize];
        let n = 1 + self.rng.below(200);
        let _ = write!(
            self.out,
            "\n            <com:PostalAddressBag><com:PostalAddress><com:PostalStructuredAddress><com:AddressLineText com:sequenceNumber=\"1\">{n} Rue de l'Industrie</com:AddressLineText><com:CityName>{city}</com:CityName><com:PostalCode>{:05}</com:PostalCode><com:CountryCode>{cc}</com:CountryCode></com:PostalStructuredAddress></com:PostalAddress></com:PostalAddressBag></com:Contact>",
            self.rng.below(99_999)
        );
    }

    fn holders(&mut self, tag: &str) {
        let count = 1 + self.rng.below(3);
        let _ = write!(self.out, "\n        <dgn:{tag}Bag>");
        for i in 1..=count {
            let _ = write!(
                self.out,
                "\n          <dgn:{tag} com:sequenceNumber=\"{i}\">\n            "
            );
            self.name();
            let _ = write!(self.out, "\n          </dgn:{tag}>");
            if tag == "Holder" {
                self.stats.holders += 1;
            }
        }
        let _ = write!(self.out, "\n        </dgn:{tag}Bag>");
    }

    fn designs(&mut self, irn_digits: &str) {
        let count = 1 + self.rng.below(4);
        self.out.push_str("\n        <dgn:HagueDesignBag>");
        for d in 1..=count {
            let (en, fr) = PRODUCTS[self.rng.below(PRODUCTS.len() as u64) as usize];
            let _ = write!(
                self.out,
                "\n          <dgn:HagueDesign>\n            <dgn:DesignIdentifier>{d}</dgn:DesignIdentifier>\n            <dgn:ProductDescriptionTextBag>\n              <dgn:ProductDescriptionText com:languageCode=\"en\">{en}</dgn:ProductDescriptionText>\n              <dgn:ProductDescriptionText com:languageCode=\"fr\">{fr}</dgn:ProductDescriptionText>\n            </dgn:ProductDescriptionTextBag>\n            <dgn:LocarnoClassificationBag><dgn:LocarnoClassification><dgn:LocarnoClass>{:02}</dgn:LocarnoClass><dgn:LocarnoClassificationEdition>14</dgn:LocarnoClassificationEdition></dgn:LocarnoClassification></dgn:LocarnoClassificationBag>\n            <dgn:ViewBag>",
                1 + self.rng.below(32)
            );
            let views = 1 + self.rng.below(7);
            for v in 1..=views {
                let vt = self.rng.pick(VIEW_TYPES);
                let _ = write!(
                    self.out,
                    "\n              <dgn:View><com:FileName>D{irn_digits}-{d:04}-{v:03}.JPG</com:FileName><dgn:ViewIdentifier>{d}.{v}</dgn:ViewIdentifier><dgn:ViewTypeCategory>{vt}</dgn:ViewTypeCategory></dgn:View>"
                );
            }
            self.stats.views += views;
            let _ = write!(
                self.out,
                "\n            </dgn:ViewBag>\n            <dgn:ViewTotalQuantity>{views}</dgn:ViewTotalQuantity>\n          </dgn:HagueDesign>"
            );
        }
        self.out.push_str("\n        </dgn:HagueDesignBag>");
    }

    fn registration_body(&mut self, irn: &str) {
        let reg = self.date(2015);
        let exp = self.date(2030);
        let office = self.rng.pick(OFFICES);
        let _ = write!(
            self.out,
            "\n        <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\n        <com:InternationalRegistrationDate>{reg}</com:InternationalRegistrationDate>\n        <com:InternationalFilingDate>{reg}</com:InternationalFilingDate>\n        <com:ExpiryDate>{exp}</com:ExpiryDate>\n        <com:FilingLanguageCode>en</com:FilingLanguageCode>\n        <dgn:DesignatedCountryBag><dgn:DesignatedCountry><com:DesignatedCountryCode>{office}</com:DesignatedCountryCode><dgn:HagueAgreementActCategory>1999</dgn:HagueAgreementActCategory></dgn:DesignatedCountry></dgn:DesignatedCountryBag>"
        );
        self.holders("Holder");
        let digits = irn.trim_start_matches("DM/").to_owned();
        self.designs(&digits);
    }

    fn record(&mut self, kind: &'static str) {
        let irn = self.irn();
        let rid = self.rng.next() % 10_000_000;
        match kind {
            "HagueRegistration" => {
                self.out.push_str("\n    <dgn:HagueRegistration>");
                self.registration_body(&irn);
                self.out.push_str("\n    </dgn:HagueRegistration>");
            }
            "HagueExpressTransaction" => {
                self.out.push_str(
                    "\n    <dgn:HagueExpressTransaction>\n      <dgn:HagueCurrent>\n      <dgn:HagueRegistration>",
                );
                self.registration_body(&irn);
                self.out
                    .push_str("\n      </dgn:HagueRegistration>\n      </dgn:HagueCurrent>");
                let entries = 1 + self.rng.below(3);
                for s in 0..entries {
                    let pubd = self.date(2015);
                    let _ = write!(
                        self.out,
                        "\n      <dgn:HagueHistory com:sequenceNumber=\"{s}\"><dgn:HagueBulletinNumber>{:02}/{}</dgn:HagueBulletinNumber><com:PublicationDate>{pubd}</com:PublicationDate><dgn:HagueRenewal><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber><com:ExpiryDate>{pubd}</com:ExpiryDate></dgn:HagueRenewal></dgn:HagueHistory>",
                        1 + self.rng.below(52),
                        2015 + self.rng.below(10)
                    );
                }
                self.out.push_str("\n    </dgn:HagueExpressTransaction>");
            }
            "HagueRenewal" => {
                let exp = self.date(2030);
                let _ = write!(
                    self.out,
                    "\n    <dgn:HagueRenewal>\n      <dgn:AffectedDesign><dgn:AllDesignsIndicator>true</dgn:AllDesignsIndicator></dgn:AffectedDesign>\n      <com:ExpiryDate>{exp}</com:ExpiryDate>\n      <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\n      <com:RecordIdentifier>{rid}</com:RecordIdentifier>"
                );
                self.holders("Holder");
                self.out.push_str("\n    </dgn:HagueRenewal>");
            }
            "HagueRefusal" | "HagueGrantProtection" => {
                let d = self.date(2020);
                let r = self.date(2020);
                let office = self.rng.pick(OFFICES);
                let _ = write!(
                    self.out,
                    "\n    <dgn:{kind}>\n      <dgn:AffectedDesign><dgn:DesignIdentifierBag><dgn:DesignIdentifier>1</dgn:DesignIdentifier></dgn:DesignIdentifierBag></dgn:AffectedDesign>\n      <com:DecisionDate>{d}</com:DecisionDate>\n      <com:InternationalRecordingDate>{r}</com:InternationalRecordingDate>\n      <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\n      <com:RecordIdentifier>{rid}</com:RecordIdentifier>\n      <com:RecordNotifyingOfficeCode>{office}</com:RecordNotifyingOfficeCode>\n    </dgn:{kind}>"
                );
            }
            "HagueExpiration" => {
                let r = self.date(2020);
                let _ = write!(
                    self.out,
                    "\n    <dgn:HagueExpiration><com:InternationalRecordingDate>{r}</com:InternationalRecordingDate><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber><com:RecordIdentifier>{rid}</com:RecordIdentifier></dgn:HagueExpiration>"
                );
            }
            "HagueHolderNameAddressChange" => {
                self.out.push_str(
                    "\n    <dgn:HagueHolderNameAddressChange>\n      <dgn:HolderChangeBag>",
                );
                self.holders("Holder");
                self.holders("PreviousHolder");
                let r = self.date(2020);
                let _ = write!(
                    self.out,
                    "\n      </dgn:HolderChangeBag>\n      <com:InternationalRecordingDate>{r}</com:InternationalRecordingDate>\n      <com:InternationalRegistrationNumberBag><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber></com:InternationalRegistrationNumberBag>\n    </dgn:HagueHolderNameAddressChange>"
                );
            }
            _ => {
                let _ = write!(
                    self.out,
                    "\n    <dgn:{kind}><com:InternationalRegistrationNumberBag><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber></com:InternationalRegistrationNumberBag><com:RecordIdentifier>{rid}</com:RecordIdentifier><!-- a kind the reader does not know --></dgn:{kind}>"
                );
            }
        }
        self.stats.records += 1;
        match self.stats.per_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.stats.per_kind.push((kind, 1)),
        }
    }

    fn pick_kind(&mut self) -> &'static str {
        let mut roll = self.rng.below(100);
        for (k, w) in KINDS {
            if roll < *w {
                return k;
            }
            roll -= w;
        }
        KINDS[0].0
    }
}

/// Writes a synthetic bulletin of `records` records to `out`.
pub fn write_bulletin<W: Write>(out: W, records: u64, seed: u64) -> io::Result<SynthStats> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut g = Gen {
        rng: Rng(seed ^ 0x5EED_0000_0000_0000),
        out: String::with_capacity(1 << 16),
        stats: SynthStats::default(),
        week: 0,
    };
    g.week = 1 + (seed % 52) as u32;
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Synthetic Hague bulletin generated by st96-model (seed {seed}); not WIPO data. -->\n<dgn:HagueBulletin xmlns:com=\"{COM}\" xmlns:dgn=\"{DGN}\">\n  <dgn:HagueBulletinNumber>{:02}/2024</dgn:HagueBulletinNumber>\n  <com:PublicationDate>2024-06-14</com:PublicationDate>",
        g.week
    );
    out.write_all(head.as_bytes())?;
    let mut bytes = head.len() as u64;
    let mut left = records;
    while left > 0 {
        let kind = g.pick_kind();
        let batch = left.min(1 + g.rng.below(BATCH));
        let bag = if kind == "HagueExpressTransaction" {
            "HagueExpressTransactionBag".to_owned()
        } else {
            format!("{kind}Bag")
        };
        let _ = write!(g.out, "\n  <dgn:{bag}>");
        for _ in 0..batch {
            g.record(kind);
            if g.out.len() > (1 << 15) {
                out.write_all(g.out.as_bytes())?;
                bytes += g.out.len() as u64;
                g.out.clear();
            }
        }
        let _ = write!(g.out, "\n  </dgn:{bag}>");
        left -= batch;
    }
    g.out.push_str("\n</dgn:HagueBulletin>\n");
    out.write_all(g.out.as_bytes())?;
    bytes += g.out.len() as u64;
    out.flush()?;
    g.stats.bytes = bytes;
    Ok(g.stats)
}

/// Writes a synthetic bulletin to `path` through a temporary file in the same folder, renamed
/// into place only when complete, so a partial file never looks complete.
pub fn write_bulletin_file(path: &Path, records: u64, seed: u64) -> io::Result<SynthStats> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let tmp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let result = std::fs::File::create(&tmp).and_then(|f| {
        let stats = write_bulletin(&f, records, seed)?;
        f.sync_all()?;
        Ok(stats)
    });
    match result {
        Ok(stats) => {
            std::fs::rename(&tmp, path)?;
            Ok(stats)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
