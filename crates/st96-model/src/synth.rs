//! Deterministic synthetic bulletins, for benchmarks, `cargo xtask gen-bulletin` and other
//! crates' tests (feature `synth`).
//!
//! The output follows the per-kind shape (a root holding `...Bag` containers) with Hague
//! Express records mixed in: registrations with several designated contracting parties
//! (under both Acts), holders from several contracting parties, representatives, designs
//! with product descriptions, Locarno classes and views; renewals; refusals; grants of
//! protection; expirations; holder changes; express records whose history holds
//! registrations, renewals, refusals, grants and expirations; and a kind the reader does not know
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
    /// Representatives written.
    pub representatives: u64,
    /// Records per kind element, in first-seen order.
    pub per_kind: Vec<(&'static str, u64)>,
    /// Registrations (`HagueRegistration` records and the current registration of Hague
    /// Express records) per designated contracting party, in first-seen order.
    pub designations: Vec<(&'static str, u64)>,
    /// History entries of Hague Express records.
    pub history_entries: u64,
}

/// What to generate: size, seed and the bulletin's header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SynthOptions {
    /// Records to write.
    pub records: u64,
    /// Seed of the deterministic generator.
    pub seed: u64,
    /// `HagueBulletinNumber` of the header (default `ww/2024`, `ww` from the seed).
    pub bulletin_number: Option<String>,
    /// `PublicationDate` of the header (default `2024-06-14`).
    pub publication_date: Option<String>,
}

impl SynthOptions {
    /// `records` records from `seed`, with the default header.
    pub fn new(records: u64, seed: u64) -> Self {
        Self {
            records,
            seed,
            bulletin_number: None,
            publication_date: None,
        }
    }

    /// The header of ISO week `week` of `year`: bulletin number `ww/yyyy` and publication
    /// on that week's Friday (bulletins come out on Friday night, HWS guide). Weeks the
    /// year does not have keep the default header.
    #[must_use]
    pub fn for_week(mut self, year: u16, week: u8) -> Self {
        if let Some(friday) = crate::iso_week_friday(year, week) {
            self.bulletin_number = Some(format!("{week:02}/{year}"));
            self.publication_date = Some(friday.to_string());
        }
        self
    }
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
/// Contracting parties that may be designated, with the Acts they may be designated under
/// (synthetic: both Acts appear, so that readers meet both).
const PARTIES: &[(&str, &[&str])] = &[
    ("ES", &["1999", "1960"]),
    ("JP", &["1999"]),
    ("KR", &["1999"]),
    ("US", &["1999"]),
    ("CH", &["1999", "1960"]),
    ("EM", &["1999"]),
    ("MX", &["1999"]),
    ("TR", &["1999"]),
    ("FR", &["1999", "1960"]),
    ("BX", &["1999", "1960"]),
    ("OA", &["1999", "1960"]),
    ("MA", &["1999", "1960"]),
];
/// Contracting parties of holders.
const HOLDER_PARTIES: &[&str] = &["DE", "CH", "JP", "ES", "IE", "PL", "KR", "GR", "US", "EM"];

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
            if tag == "Holder" {
                let cp = self.rng.pick(HOLDER_PARTIES);
                let _ = write!(
                    self.out,
                    "<dgn:ApplicantContractingParty>{cp}</dgn:ApplicantContractingParty>"
                );
            }
            self.name();
            let _ = write!(self.out, "\n          </dgn:{tag}>");
            if tag == "Holder" {
                self.stats.holders += 1;
            }
        }
        let _ = write!(self.out, "\n        </dgn:{tag}Bag>");
    }

    fn designs(&mut self, irn_digits: &str) -> u64 {
        let count = 1 + self.rng.below(4);
        self.out.push_str("\n        <dgn:HagueDesignBag>");
        for d in 1..=count {
            let (en, fr) = PRODUCTS[self.rng.below(PRODUCTS.len() as u64) as usize];
            let _ = write!(
                self.out,
                "\n          <dgn:HagueDesign>\n            <dgn:DesignIdentifier>{d}</dgn:DesignIdentifier>\n            <dgn:ProductDescriptionTextBag>\n              <dgn:ProductDescriptionText com:languageCode=\"en\">{en}</dgn:ProductDescriptionText>\n              <dgn:ProductDescriptionText com:languageCode=\"fr\">{fr}</dgn:ProductDescriptionText>\n            </dgn:ProductDescriptionTextBag>\n            <dgn:LocarnoClassificationBag><dgn:LocarnoClassification><dgn:LocarnoClass>{:02}</dgn:LocarnoClass><dgn:LocarnoSubclassBag><dgn:LocarnoSubclass>{:02}</dgn:LocarnoSubclass></dgn:LocarnoSubclassBag></dgn:LocarnoClassification><dgn:LocarnoClassificationEdition>14</dgn:LocarnoClassificationEdition></dgn:LocarnoClassificationBag>\n            <dgn:ViewBag>",
                1 + self.rng.below(32),
                1 + self.rng.below(12)
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
        count
    }

    /// 1 to 4 distinct designated parties, each under one of its Acts.
    fn designated(&mut self, count_stats: bool) {
        let count = 1 + self.rng.below(4) as usize;
        let start = self.rng.below(PARTIES.len() as u64) as usize;
        let step = 1 + self.rng.below(PARTIES.len() as u64 - 1) as usize;
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        let mut i = start;
        while chosen.len() < count {
            if !chosen.contains(&i) {
                chosen.push(i);
            }
            i = (i + step) % PARTIES.len();
            if i == start {
                break;
            }
        }
        self.out.push_str("\n        <dgn:DesignatedCountryBag>");
        for i in chosen {
            let (code, acts) = PARTIES[i];
            let act = self.rng.pick(acts);
            let _ = write!(
                self.out,
                "<dgn:DesignatedCountry><com:DesignatedCountryCode>{code}</com:DesignatedCountryCode><dgn:HagueAgreementActCategory>{act}</dgn:HagueAgreementActCategory></dgn:DesignatedCountry>"
            );
            if count_stats {
                match self.stats.designations.iter_mut().find(|(c, _)| *c == code) {
                    Some((_, n)) => *n += 1,
                    None => self.stats.designations.push((code, 1)),
                }
            }
        }
        self.out.push_str("</dgn:DesignatedCountryBag>");
    }

    fn registration_body(&mut self, irn: &str) {
        let reg = self.date(2015);
        let exp = self.date(2030);
        let claim = self.rng.pick(OFFICES);
        let _ = write!(
            self.out,
            "\n        <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\n        <com:InternationalRegistrationDate>{reg}</com:InternationalRegistrationDate>\n        <com:InternationalFilingDate>{reg}</com:InternationalFilingDate>\n        <com:ExpiryDate>{exp}</com:ExpiryDate>\n        <com:FilingLanguageCode>en</com:FilingLanguageCode>"
        );
        self.designated(true);
        // A design claim names a party too, in its own bag: not a designation.
        if self.rng.below(4) == 0 {
            let _ = write!(
                self.out,
                "\n        <dgn:DesignClaimBag><dgn:DesignClaim><dgn:DesignClaimTextBag><dgn:DesignClaimText com:languageCode=\"en\">Claim as shown</dgn:DesignClaimText></dgn:DesignClaimTextBag><dgn:DesignatedCountryBag><dgn:DesignatedCountry><com:DesignatedCountryCode>{claim}</com:DesignatedCountryCode></dgn:DesignatedCountry></dgn:DesignatedCountryBag></dgn:DesignClaim></dgn:DesignClaimBag>"
            );
        }
        self.holders("Holder");
        if self.rng.below(2) == 0 {
            self.out
                .push_str("\n        <dgn:RepresentativeBag><dgn:Representative>");
            self.name();
            self.out
                .push_str("</dgn:Representative></dgn:RepresentativeBag>");
            self.stats.representatives += 1;
        }
        let digits = irn.trim_start_matches("DM/").to_owned();
        let designs = self.designs(&digits);
        let _ = write!(
            self.out,
            "\n        <dgn:DesignTotalQuantity>{designs}</dgn:DesignTotalQuantity>"
        );
    }

    /// One `HagueHistory` entry: the registration first, then later events.
    fn history_entry(&mut self, irn: &str, s: u64) {
        let pubd = self.date(2015);
        let _ = write!(
            self.out,
            "\n      <dgn:HagueHistory com:sequenceNumber=\"{s}\"><dgn:HagueBulletinNumber>{:02}/{}</dgn:HagueBulletinNumber><com:PublicationDate>{pubd}</com:PublicationDate>",
            1 + self.rng.below(52),
            2015 + self.rng.below(10)
        );
        let d = self.date(2016);
        let r = self.date(2016);
        let office = self.rng.pick(OFFICES);
        let event = if s == 0 { 0 } else { 1 + self.rng.below(4) };
        let _ = match event {
            0 => write!(
                self.out,
                "<dgn:HagueRegistration><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber><com:InternationalRegistrationDate>{r}</com:InternationalRegistrationDate></dgn:HagueRegistration>"
            ),
            1 => write!(
                self.out,
                "<dgn:HagueRenewal><com:ExpiryDate>{d}</com:ExpiryDate><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber><com:RenewalDate>{r}</com:RenewalDate></dgn:HagueRenewal>"
            ),
            2 => write!(
                self.out,
                "<dgn:HagueRefusal><dgn:AffectedDesign><dgn:AllDesignsIndicator>true</dgn:AllDesignsIndicator></dgn:AffectedDesign><com:DecisionDate>{d}</com:DecisionDate><com:InternationalRecordingDate>{r}</com:InternationalRecordingDate><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber><com:RecordNotifyingOfficeCode>{office}</com:RecordNotifyingOfficeCode></dgn:HagueRefusal>"
            ),
            3 => write!(
                self.out,
                "<dgn:HagueGrantProtection><com:DecisionDate>{d}</com:DecisionDate><com:DecisionEffectiveDate>{d}</com:DecisionEffectiveDate><com:InternationalRecordingDate>{r}</com:InternationalRecordingDate><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber><com:RecordNotifyingOfficeCode>{office}</com:RecordNotifyingOfficeCode></dgn:HagueGrantProtection>"
            ),
            _ => write!(
                self.out,
                "<dgn:HagueExpiration><com:InternationalRecordingDate>{r}</com:InternationalRecordingDate><com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber></dgn:HagueExpiration>"
            ),
        };
        self.out.push_str("</dgn:HagueHistory>");
        self.stats.history_entries += 1;
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
                for e in 0..entries {
                    self.history_entry(&irn, e);
                }
                self.out.push_str("\n    </dgn:HagueExpressTransaction>");
            }
            "HagueRenewal" => {
                let exp = self.date(2030);
                let renewed = self.date(2024);
                let _ = write!(
                    self.out,
                    "\n    <dgn:HagueRenewal>\n      <dgn:AffectedDesign><dgn:AllDesignsIndicator>true</dgn:AllDesignsIndicator></dgn:AffectedDesign>\n      <com:ExpiryDate>{exp}</com:ExpiryDate>\n      <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\n      <com:RecordIdentifier>{rid}</com:RecordIdentifier>\n      <com:RenewalDate>{}</com:RenewalDate>",
                    renewed
                );
                self.designated(false);
                self.holders("Holder");
                self.out.push_str("\n    </dgn:HagueRenewal>");
            }
            "HagueRefusal" | "HagueGrantProtection" => {
                let d = self.date(2020);
                let r = self.date(2020);
                let office = self.rng.pick(OFFICES);
                let effective = if kind == "HagueGrantProtection" {
                    format!("\n      <com:DecisionEffectiveDate>{d}</com:DecisionEffectiveDate>")
                } else {
                    String::new()
                };
                let _ = write!(
                    self.out,
                    "\n    <dgn:{kind}>\n      <dgn:AffectedDesign><dgn:DesignIdentifierBag><dgn:DesignIdentifier>1</dgn:DesignIdentifier></dgn:DesignIdentifierBag></dgn:AffectedDesign>\n      <com:DecisionDate>{d}</com:DecisionDate>{effective}\n      <com:InternationalRecordingDate>{r}</com:InternationalRecordingDate>\n      <com:InternationalRegistrationNumber>{irn}</com:InternationalRegistrationNumber>\n      <com:RecordIdentifier>{rid}</com:RecordIdentifier>\n      <com:RecordNotifyingOfficeCode>{office}</com:RecordNotifyingOfficeCode>\n    </dgn:{kind}>"
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
    write_bulletin_with(out, &SynthOptions::new(records, seed))
}

/// Writes a synthetic bulletin as `options` say.
pub fn write_bulletin_with<W: Write>(out: W, options: &SynthOptions) -> io::Result<SynthStats> {
    let (records, seed) = (options.records, options.seed);
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut g = Gen {
        rng: Rng(seed ^ 0x5EED_0000_0000_0000),
        out: String::with_capacity(1 << 16),
        stats: SynthStats::default(),
        week: 0,
    };
    g.week = 1 + (seed % 52) as u32;
    let number = options
        .bulletin_number
        .clone()
        .unwrap_or_else(|| format!("{:02}/2024", g.week));
    let published = options.publication_date.as_deref().unwrap_or("2024-06-14");
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Synthetic Hague bulletin generated by st96-model (seed {seed}); not WIPO data. -->\n<dgn:HagueBulletin xmlns:com=\"{COM}\" xmlns:dgn=\"{DGN}\">\n  <dgn:HagueBulletinNumber>{}</dgn:HagueBulletinNumber>\n  <com:PublicationDate>{}</com:PublicationDate>",
        escape(&number),
        escape(published)
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

/// Escapes text for element content.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes a synthetic bulletin to `path` through a temporary file in the same folder, renamed
/// into place only when complete, so a partial file never looks complete.
pub fn write_bulletin_file(path: &Path, records: u64, seed: u64) -> io::Result<SynthStats> {
    write_bulletin_file_with(path, &SynthOptions::new(records, seed))
}

/// [`write_bulletin_file`] with [`SynthOptions`].
pub fn write_bulletin_file_with(path: &Path, options: &SynthOptions) -> io::Result<SynthStats> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let tmp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let result = std::fs::File::create(&tmp).and_then(|f| {
        let stats = write_bulletin_with(&f, options)?;
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
