//! `hague bulletin export BULLETIN.zip --format jsonl|csv`: one line per record, streamed.
//!
//! The schema (version [`SCHEMA_VERSION`]) is documented in `docs/bulletin-export.md`, with
//! a JSON Schema for the JSONL line and the list of CSV columns. Memory stays constant
//! whatever the bulletin's size: the XML is inflated on one thread into a small ring of
//! buffers, read and filtered record by record on a second, and every line is built and
//! written on the calling thread as soon as its record arrives (bounded channels between
//! the three, so that both cores of a small machine stay busy).

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use clap::{Args, ValueEnum};
use cli_support::{CliError, OutputKind, OutputTarget, Report};
use hague_package::{Bulletin, Limits};
use serde::Serialize;
use st96_model::{Date, Record, RecordKind, RefusalPeriod, refusal_deadline};

/// The version of the export schema, written in every line (`schema_version`).
pub const SCHEMA_VERSION: u32 = 1;

/// `hague bulletin export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bulletin (ZIP), as `hague bulletin fetch` wrote it.
    pub file: PathBuf,
    /// The output format: one JSON object per line, or CSV with a header line.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Only records that designate this contracting party (e.g. `ES`, `EM`); each
    /// registration then gets its refusal deadline for that office.
    #[arg(long, value_name = "CODE", value_parser = office_code)]
    pub designating: Option<String>,
    /// Only these kinds (repeat or separate with commas): registration,
    /// express-transaction, renewal, refusal, grant-protection, expiration, ...
    #[arg(value_parser = cli_support::args::text(), long, value_delimiter = ',', value_name = "KIND")]
    pub kind: Vec<String>,
    /// The office's refusal period in months: 6 (Rule 18(1)(a)) or 12 where the office
    /// has declared so (Rule 18(1)(b)). Default: the profile's `refusal_period_months`,
    /// else 6.
    #[arg(long, value_name = "MONTHS", value_parser = refusal_months)]
    pub refusal_period: Option<u32>,
    /// Where to write: a new file, a FIFO, or `-` for standard output (the default).
    #[arg(long, short = 'o', value_name = "PATH", default_value = "-")]
    pub output: PathBuf,
    /// Replace an existing regular file given with -o.
    #[arg(long)]
    pub force: bool,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values, RFC 4180, with a header line.
    Csv,
}

/// Parses an office code: 2 ASCII letters, upper-cased.
///
/// # Errors
/// A message for clap when the code is not two letters.
pub fn office_code(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err(format!(
            "`{text}` is not a contracting party code: give its two letters, e.g. ES, EM or OA"
        ))
    }
}

/// Parses a refusal period: 6 or 12.
///
/// # Errors
/// A message for clap for any other number.
pub fn refusal_months(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|m| RefusalPeriod::from_months(*m).is_ok())
        .ok_or_else(|| {
            format!(
                "`{text}` is not a refusal period: give 6 (Rule 18(1)(a)) or 12 (an office's \
                 declaration under Rule 18(1)(b))"
            )
        })
}

/// The kind's name in the export: the element's local name without `Hague`, in kebab
/// case (`HagueGrantProtection` is `grant-protection`).
pub fn kind_name(kind: &RecordKind) -> String {
    let element = kind.element();
    let base = element.strip_prefix("Hague").unwrap_or(element);
    let mut out = String::with_capacity(base.len() + 4);
    for (i, c) in base.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Kinds the reader knows, by export name.
pub const KNOWN_KINDS: &[&str] = &[
    "express-transaction",
    "registration",
    "renewal",
    "refusal",
    "refusal-withdrawal",
    "grant-protection",
    "expiration",
    "holder-name-address-change",
    "ownership-change",
    "correction",
    "invalidation",
    "renunciation",
    "limitation",
    "publication-cancellation",
    "creator-name-address-change",
];

/// Whether a record is an international registration (new, or Hague Express current
/// state): the records that get a refusal deadline.
pub fn is_registration(kind: &RecordKind) -> bool {
    matches!(kind, RecordKind::Registration | RecordKind::Express)
}

/// What to keep and how to date it.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Only records designating this code.
    pub designating: Option<String>,
    /// Only these kinds (export names); empty: all.
    pub kinds: Vec<String>,
    /// The office's refusal period.
    pub period: RefusalPeriod,
}

impl Filter {
    fn keeps(&self, record: &Record, kind: &str) -> bool {
        (self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind))
            && self
                .designating
                .as_deref()
                .is_none_or(|code| record.designates(code))
    }
}

/// Image entries of the archive by registration folder.
#[derive(Debug, Default)]
pub struct ImageIndex {
    by_folder: HashMap<String, Vec<String>>,
}

/// Letters and digits of a registration number or folder name, upper-cased.
fn folder_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl ImageIndex {
    /// Indexes the files of every folder of the bulletin.
    pub fn of<R: Read + std::io::Seek>(bulletin: &Bulletin<R>) -> Self {
        let mut by_folder: HashMap<String, Vec<String>> = HashMap::new();
        for (folder, files) in bulletin.files_by_folder() {
            let key = folder_key(&folder);
            if !key.is_empty() {
                by_folder.entry(key).or_default().extend(files);
            }
        }
        Self { by_folder }
    }

    /// The archive path of `file_name` in the folder of `registration` (`DM/081234` matches
    /// `DM081234/` or `081234/`; **inferred** layout, see hague-package).
    pub fn path_of(&self, registration: &str, file_name: &str) -> Option<&str> {
        let key = folder_key(registration);
        let digits: String = key.chars().filter(char::is_ascii_digit).collect();
        let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_owned();
        [key, digits]
            .iter()
            .filter(|k| !k.is_empty())
            .filter_map(|k| self.by_folder.get(k))
            .flat_map(|files| files.iter())
            .find(|p| base(p) == file_name)
            .or_else(|| {
                self.by_folder
                    .get(&folder_key(registration))
                    .into_iter()
                    .flatten()
                    .find(|p| base(p).eq_ignore_ascii_case(file_name))
            })
            .map(String::as_str)
    }
}

/// One view in a line.
#[derive(Debug, Serialize)]
pub struct ViewOut<'a> {
    /// `ViewIdentifier`.
    pub identifier: Option<&'a str>,
    /// `FileName` as the XML gives it.
    pub file_name: Option<&'a str>,
    /// `ViewTypeCategory`.
    pub view_type: Option<&'a str>,
    /// The image's path inside the ZIP, when the archive holds it.
    pub path: Option<&'a str>,
}

/// One design in a line.
#[derive(Debug, Serialize)]
pub struct DesignOut<'a> {
    /// `DesignIdentifier`.
    pub identifier: Option<&'a str>,
    /// Product descriptions with their languages.
    pub products: &'a [st96_model::ProductText],
    /// Locarno classifications.
    pub locarno: &'a [st96_model::LocarnoClass],
    /// Locarno edition.
    pub locarno_edition: Option<&'a str>,
    /// Views.
    pub views: Vec<ViewOut<'a>>,
}

/// The deadline part of a line (with `--designating`, registrations only).
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// The office.
    pub office: String,
    /// The Act under which it is designated.
    pub act: Option<String>,
    /// The publication date the period runs from.
    pub published: String,
    /// 6 or 12.
    pub period_months: u32,
    /// The last day to notify a refusal.
    pub last_day: String,
}

/// One export line (schema version [`SCHEMA_VERSION`]).
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The kind's export name.
    pub kind: String,
    /// The record element's local name.
    pub element: &'a str,
    /// Byte offset of the record in the XML.
    pub offset: u64,
    /// First international registration number.
    pub registration_number: Option<&'a str>,
    /// Every distinct number.
    pub registration_numbers: &'a [String],
    /// Dates, as written.
    pub registration_date: Option<&'a str>,
    /// `InternationalFilingDate`.
    pub filing_date: Option<&'a str>,
    /// `ExpiryDate`.
    pub expiry_date: Option<&'a str>,
    /// `PublicationDate` (the record's, else the bulletin's).
    pub publication_date: Option<&'a str>,
    /// `HagueBulletinNumber`.
    pub bulletin_number: Option<&'a str>,
    /// Designated contracting parties.
    pub designated: &'a [st96_model::DesignatedParty],
    /// Holders.
    pub holders: &'a [st96_model::Party],
    /// Representatives.
    pub representatives: &'a [st96_model::Party],
    /// Distinct Locarno classes.
    pub locarno_classes: Vec<&'a str>,
    /// `DesignTotalQuantity`, when it is a number.
    pub number_of_designs: Option<u64>,
    /// Designs.
    pub designs: Vec<DesignOut<'a>>,
    /// `RecordNotifyingOfficeCode`.
    pub notifying_office: Option<&'a str>,
    /// `DecisionDate`.
    pub decision_date: Option<&'a str>,
    /// `DecisionEffectiveDate`.
    pub effective_date: Option<&'a str>,
    /// `InternationalRecordingDate`.
    pub recording_date: Option<&'a str>,
    /// `RenewalDate`.
    pub renewal_date: Option<&'a str>,
    /// `AffectedDesign`.
    pub affected: Option<&'a st96_model::AffectedDesign>,
    /// History entries.
    pub history: &'a [st96_model::HistoryEntry],
    /// With `--designating`, for registrations: the refusal deadline.
    pub refusal_deadline: Option<Deadline>,
}

impl<'a> Line<'a> {
    /// Builds the line of `r`.
    pub fn new(r: &'a Record, kind: String, images: &'a ImageIndex, filter: &Filter) -> Self {
        let irn = r.registration_number();
        let designs = r
            .designs
            .iter()
            .map(|d| DesignOut {
                identifier: d.identifier.as_deref(),
                products: &d.products,
                locarno: &d.locarno,
                locarno_edition: d.locarno_edition.as_deref(),
                views: d
                    .views
                    .iter()
                    .map(|v| ViewOut {
                        identifier: v.identifier.as_deref(),
                        file_name: v.file_name.as_deref(),
                        view_type: v.view_type.as_deref(),
                        path: match (irn, v.file_name.as_deref()) {
                            (Some(n), Some(f)) => images.path_of(n, f),
                            _ => None,
                        },
                    })
                    .collect(),
            })
            .collect();
        Self {
            schema_version: SCHEMA_VERSION,
            kind,
            element: r.kind.element(),
            offset: r.offset,
            registration_number: irn,
            registration_numbers: &r.registration_numbers,
            registration_date: r.registration_date.as_deref(),
            filing_date: r.filing_date.as_deref(),
            expiry_date: r.expiry_date.as_deref(),
            publication_date: r.publication_date.as_deref(),
            bulletin_number: r.bulletin_number.as_deref(),
            designated: &r.designated,
            holders: &r.holders,
            representatives: &r.representatives,
            locarno_classes: r.locarno_classes(),
            number_of_designs: r
                .design_total_quantity
                .as_deref()
                .and_then(|n| n.trim().parse().ok()),
            designs,
            notifying_office: r.notifying_office.as_deref(),
            decision_date: r.decision_date.as_deref(),
            effective_date: r.effective_date.as_deref(),
            recording_date: r.recording_date.as_deref(),
            renewal_date: r.renewal_date.as_deref(),
            affected: r.affected.as_ref(),
            history: &r.history,
            refusal_deadline: deadline(r, filter),
        }
    }
}

/// The refusal deadline of a registration for the filter's office, when its publication
/// date is a valid date.
fn deadline(r: &Record, filter: &Filter) -> Option<Deadline> {
    let office = filter.designating.as_deref()?;
    if !is_registration(&r.kind) {
        return None;
    }
    let party = r
        .designated
        .iter()
        .find(|d| d.code.eq_ignore_ascii_case(office))?;
    let published = r.registration_publication_date()?;
    let date = Date::parse(published).ok()?;
    let last = refusal_deadline(date, filter.period)?;
    Some(Deadline {
        office: party.code.clone(),
        act: party.act.clone(),
        published: date.to_string(),
        period_months: filter.period.months(),
        last_day: last.to_string(),
    })
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Records read.
    pub read: u64,
    /// Records kept.
    pub kept: u64,
    /// Registrations kept without a usable publication date (no deadline).
    pub undated: u64,
}

/// Bytes per buffer passed from the inflating thread.
const PIPE_CHUNK: usize = 1 << 20;
/// Buffers in flight (memory: about `PIPE_DEPTH + 2` × [`PIPE_CHUNK`]).
const PIPE_DEPTH: usize = 4;

/// Records per batch sent from the parsing thread.
const RECORD_BATCH: usize = 64;
/// Batches in flight (memory: about `RECORD_DEPTH` × [`RECORD_BATCH`] records).
const RECORD_DEPTH: usize = 4;

/// A [`Read`] over buffers sent by another thread; buffers go back for reuse.
struct PipeReader {
    rx: Receiver<std::io::Result<Vec<u8>>>,
    back: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.cur.len() {
            match self.rx.recv() {
                Ok(Ok(buf)) => {
                    let old = std::mem::replace(&mut self.cur, buf);
                    self.pos = 0;
                    let _ = self.back.try_send(old);
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Opens a bulletin ZIP for reading.
///
/// # Errors
/// Exit 5 for an unreadable or unsafe archive.
pub fn open(path: &Path) -> Result<Bulletin<BufReader<std::fs::File>>, CliError> {
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::invalid_input(
            format!("cannot read the bulletin {}: {e}", path.display()),
            "check the path and that the file is readable",
        )
    })?;
    Bulletin::open(BufReader::new(file), &Limits::default()).map_err(|e| {
        CliError::invalid_input(
            format!("the bulletin {} cannot be read: {e}", path.display()),
            "the archive is damaged or unsafe; download it again",
        )
    })
}

/// Streams the records of the bulletin at `path` that `filter` keeps, calling `each`
/// with every line. The XML is inflated on a second thread.
///
/// # Errors
/// Exit 5 for an unreadable bulletin or XML that does not parse; `each`'s error.
pub fn for_each_line(
    path: &Path,
    filter: &Filter,
    mut each: impl FnMut(&Line<'_>) -> Result<(), CliError>,
) -> Result<Counts, CliError> {
    let bulletin = open(path)?;
    let images = ImageIndex::of(&bulletin);
    drop(bulletin);
    let (tx, rx) = sync_channel::<std::io::Result<Vec<u8>>>(PIPE_DEPTH);
    let (back, spare) = sync_channel::<Vec<u8>>(PIPE_DEPTH + 2);
    let mut counts = Counts::default();
    std::thread::scope(|s| {
        // The inflating thread opens the archive itself (the entry reader is not `Send`).
        s.spawn(move || match open(path) {
            Ok(mut bulletin) => {
                let xml = bulletin.xml_name().to_owned();
                match bulletin.open_entry(&xml) {
                    Ok(mut entry) => inflate(&mut entry, &tx, &spare),
                    Err(e) => {
                        let _ = tx.send(Err(std::io::Error::other(e.to_string())));
                    }
                }
            }
            Err(e) => {
                let _ = tx.send(Err(std::io::Error::other(e.message)));
            }
        });
        // The parsing thread reads records and filters them; this thread builds and writes
        // the lines. Three stages keep both cores busy (inflate, parse, encode).
        let (rec_tx, rec_rx) = sync_channel::<Result<Vec<(Record, String)>, String>>(RECORD_DEPTH);
        // Used batches go back to be dropped on the thread that allocated them: freeing
        // on another thread costs glibc's allocator far more.
        let (used_tx, used_rx) = sync_channel::<Vec<(Record, String)>>(RECORD_DEPTH + 2);
        let parsed = s.spawn(move || {
            let reader = st96_model::BulletinReader::new(PipeReader {
                rx,
                back,
                cur: Vec::new(),
                pos: 0,
            })
            .keep_raw(false);
            let mut read = 0u64;
            let mut batch = Vec::with_capacity(RECORD_BATCH);
            for record in reader {
                match record {
                    Ok(record) => {
                        read += 1;
                        let kind = kind_name(&record.kind);
                        if filter.keeps(&record, &kind) {
                            batch.push((record, kind));
                            if batch.len() == RECORD_BATCH {
                                while let Ok(used) = used_rx.try_recv() {
                                    drop(used);
                                }
                                let full =
                                    std::mem::replace(&mut batch, Vec::with_capacity(RECORD_BATCH));
                                if rec_tx.send(Ok(full)).is_err() {
                                    return read;
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let _ = rec_tx.send(Ok(batch));
                        let _ = rec_tx.send(Err(e.to_string()));
                        return read;
                    }
                }
            }
            let _ = rec_tx.send(Ok(batch));
            read
        });
        for batch in rec_rx {
            let batch = batch.map_err(|e| {
                CliError::invalid_input(
                    format!("the bulletin XML of {} cannot be read: {e}", path.display()),
                    "the file may be damaged; download it again",
                )
            })?;
            for (record, kind) in &batch {
                counts.kept += 1;
                let line = Line::new(record, kind.clone(), &images, filter);
                if filter.designating.is_some()
                    && is_registration(&record.kind)
                    && line.refusal_deadline.is_none()
                {
                    counts.undated += 1;
                }
                each(&line)?;
            }
            let _ = used_tx.try_send(batch);
        }
        counts.read = parsed.join().unwrap_or_default();
        Ok(counts)
    })
    // Returning early drops the receivers: the other threads stop at their next send.
}

/// The inflating side of the pipe.
fn inflate(
    entry: &mut impl Read,
    tx: &SyncSender<std::io::Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = spare.try_recv().unwrap_or_default();
        buf.resize(PIPE_CHUNK, 0);
        let mut filled = 0;
        let result = loop {
            match entry.read(&mut buf[filled..]) {
                Ok(0) => break Ok(true),
                Ok(n) => {
                    filled += n;
                    if filled == buf.len() {
                        break Ok(false);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        buf.truncate(filled);
        match result {
            Ok(eof) => {
                if !buf.is_empty() && tx.send(Ok(buf)).is_err() {
                    return;
                }
                if eof {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

/// Where the lines go: standard output, a stream, or a temporary file renamed at the end.
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    Stream(std::io::BufWriter<std::fs::File>),
    File {
        out: std::io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
        force: bool,
    },
}

/// Output buffer size.
const OUT_BUF: usize = 256 << 10;

fn write_error(what: &str, e: &std::io::Error) -> CliError {
    CliError::invalid_input(
        format!("cannot write {what}: {e}"),
        "check that the directory is writable and the disk is not full; a file target is left as it was",
    )
}

impl Sink {
    /// Checks `-o PATH` before anything is read, with the rules every command shares
    /// ([`OutputTarget::check`]: `-` is standard output, a FIFO or a character device is a
    /// stream, otherwise a new file, or an existing regular file with `--force`); a file is
    /// written under a temporary name in its directory and renamed when complete.
    fn open(path: &Path, force: bool) -> Result<Self, CliError> {
        let target = OutputTarget::check(path, force)?;
        let shown = target.display();
        match target.kind() {
            OutputKind::Stdout => Ok(Self::Stdout(std::io::BufWriter::with_capacity(
                OUT_BUF,
                std::io::stdout(),
            ))),
            OutputKind::Stream => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(target.path())
                    .map_err(|e| write_error(&shown, &e))?;
                Ok(Self::Stream(std::io::BufWriter::with_capacity(OUT_BUF, f)))
            }
            _ => {
                let file = target.path();
                let dir = match file.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let tmp = tempfile::Builder::new()
                    .prefix(&format!(".{name}."))
                    .suffix(".part")
                    .tempfile_in(dir)
                    .map_err(|e| write_error(&shown, &e))?;
                Ok(Self::File {
                    out: std::io::BufWriter::with_capacity(OUT_BUF, tmp),
                    path: file.to_path_buf(),
                    force,
                })
            }
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::Stdout(w) => w,
            Self::Stream(w) => w,
            Self::File { out, .. } => out,
        }
    }

    fn is_stdout(&self) -> bool {
        matches!(self, Self::Stdout(_))
    }

    /// Flushes; renames a file into place.
    fn finish(self) -> Result<(), CliError> {
        match self {
            Self::Stdout(mut w) => w.flush().map_err(|e| write_error("standard output", &e)),
            Self::Stream(mut w) => w.flush().map_err(|e| write_error("the stream", &e)),
            Self::File { out, path, force } => {
                let shown = path.display().to_string();
                let tmp = out
                    .into_inner()
                    .map_err(|e| write_error(&shown, e.error()))?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| write_error(&shown, &e))?;
                let persisted = if force {
                    tmp.persist(&path).map(drop)
                } else {
                    tmp.persist_noclobber(&path).map(drop)
                };
                persisted.map_err(|e| write_error(&shown, &e.error))
            }
        }
    }
}

/// The CSV columns, in order (documented in `docs/bulletin-export.md`).
pub const CSV_COLUMNS: &[&str] = &[
    "schema_version",
    "kind",
    "element",
    "registration_number",
    "registration_numbers",
    "registration_date",
    "filing_date",
    "expiry_date",
    "publication_date",
    "bulletin_number",
    "designated",
    "holders",
    "holder_contracting_parties",
    "representatives",
    "locarno_classes",
    "number_of_designs",
    "products",
    "views",
    "image_paths",
    "notifying_office",
    "decision_date",
    "effective_date",
    "recording_date",
    "renewal_date",
    "affected_designs",
    "history_events",
    "designation_act",
    "refusal_period_months",
    "refusal_deadline",
];

/// Joins list items with `;`, escaping `\` and `;` inside an item with a backslash.
fn join<'x>(items: impl IntoIterator<Item = &'x str>) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        for c in item.chars() {
            if c == ';' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Writes one CSV field (RFC 4180 quoting when needed).
fn csv_field(out: &mut Vec<u8>, value: &str) {
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        out.push(b'"');
        for b in value.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
}

fn csv_row(line: &Line<'_>, out: &mut Vec<u8>) {
    let o = |v: Option<&str>| v.unwrap_or("").to_owned();
    let views: Vec<&ViewOut<'_>> = line.designs.iter().flat_map(|d| d.views.iter()).collect();
    let deadline = line.refusal_deadline.as_ref();
    let cells: Vec<String> = vec![
        line.schema_version.to_string(),
        line.kind.clone(),
        line.element.to_owned(),
        o(line.registration_number),
        join(line.registration_numbers.iter().map(String::as_str)),
        o(line.registration_date),
        o(line.filing_date),
        o(line.expiry_date),
        o(line.publication_date),
        o(line.bulletin_number),
        join(
            line.designated
                .iter()
                .map(|d| match &d.act {
                    Some(a) => format!("{}:{a}", d.code),
                    None => d.code.clone(),
                })
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        ),
        join(line.holders.iter().map(|h| h.name.as_deref().unwrap_or(""))),
        join(
            line.holders
                .iter()
                .map(|h| h.contracting_party.as_deref().unwrap_or("")),
        ),
        join(
            line.representatives
                .iter()
                .map(|h| h.name.as_deref().unwrap_or("")),
        ),
        join(line.locarno_classes.iter().copied()),
        line.number_of_designs
            .map(|n| n.to_string())
            .unwrap_or_default(),
        join(
            line.designs
                .iter()
                .flat_map(|d| d.products.iter().map(|p| p.text.as_str())),
        ),
        join(views.iter().map(|v| v.file_name.unwrap_or(""))),
        join(views.iter().map(|v| v.path.unwrap_or(""))),
        o(line.notifying_office),
        o(line.decision_date),
        o(line.effective_date),
        o(line.recording_date),
        o(line.renewal_date),
        line.affected.map_or_else(String::new, |a| {
            if a.all {
                "all".to_owned()
            } else {
                join(a.designs.iter().map(String::as_str))
            }
        }),
        join(
            line.history
                .iter()
                .map(|h| h.event.as_deref().unwrap_or("")),
        ),
        deadline.and_then(|d| d.act.clone()).unwrap_or_default(),
        deadline
            .map(|d| d.period_months.to_string())
            .unwrap_or_default(),
        deadline.map(|d| d.last_day.clone()).unwrap_or_default(),
    ];
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_field(out, c);
    }
    out.extend_from_slice(b"\r\n");
}

/// Writes `buf`; a closed pipe sets `closed` and returns an error that only stops the
/// run.
fn write_out(sink: &mut Sink, buf: &[u8], shown: &str, closed: &mut bool) -> Result<(), CliError> {
    match sink.writer().write_all(buf) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            *closed = true;
            Err(write_error(shown, &e))
        }
        Err(e) => Err(write_error(shown, &e)),
    }
}

/// Builds the filter of the command line.
///
/// # Errors
/// Exit 2 for `--refusal-period` without `--designating`.
pub fn filter_of(
    designating: Option<String>,
    kinds: &[String],
    period: Option<u32>,
) -> Result<Filter, CliError> {
    let period = match period {
        Some(m) => RefusalPeriod::from_months(m)
            .map_err(|e| CliError::usage(e.to_string(), "give --refusal-period 6 or 12"))?,
        None => RefusalPeriod::SixMonths,
    };
    let kinds: Vec<String> = kinds
        .iter()
        .map(|k| k.trim().to_ascii_lowercase())
        .filter(|k| !k.is_empty())
        .collect();
    for k in &kinds {
        if !KNOWN_KINDS.contains(&k.as_str()) {
            tracing::warn!(
                "--kind {k}: not a kind the reader knows ({}); records whose element is `Hague…` in that name still match",
                KNOWN_KINDS.join(", ")
            );
        }
    }
    Ok(Filter {
        designating,
        kinds,
        period,
    })
}

/// `hague bulletin export`.
///
/// # Errors
/// Exit 2 or 5 for bad arguments, an unreadable bulletin or an unwritable output.
pub fn export(args: &ExportArgs, profile_period: Option<u32>) -> Result<Report, CliError> {
    let period = args.refusal_period.or(profile_period);
    let filter = filter_of(args.designating.clone(), &args.kind, period)?;
    if !args.file.is_file() {
        return Err(CliError::invalid_input(
            format!(
                "the bulletin {} is not a readable file",
                args.file.display()
            ),
            "check the path; `hague bulletin fetch` downloads a bulletin",
        ));
    }
    let mut sink = Sink::open(&args.output, args.force)?;
    let to_stdout = sink.is_stdout();
    let mut buf: Vec<u8> = Vec::with_capacity(16 << 10);
    let shown = if to_stdout {
        "standard output".to_owned()
    } else {
        args.output.display().to_string()
    };
    if args.format == Format::Csv {
        for (i, c) in CSV_COLUMNS.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(c.as_bytes());
        }
        buf.extend_from_slice(b"\r\n");
    }
    let mut closed = false;
    let counts = for_each_line(&args.file, &filter, |line| {
        match args.format {
            Format::Jsonl => {
                serde_json::to_writer(&mut buf, line).map_err(|e| {
                    CliError::new(
                        cli_support::ExitStatus::Internal,
                        format!("cannot encode a line: {e}"),
                        "this is a bug; report it",
                    )
                })?;
                buf.push(b'\n');
            }
            Format::Csv => csv_row(line, &mut buf),
        }
        if buf.len() >= 8 << 10 {
            write_out(&mut sink, &buf, &shown, &mut closed)?;
            buf.clear();
        }
        Ok(())
    });
    // A reader that went away (`| head`) ends the export; it is not an error.
    let counts = match counts {
        Err(_) if closed => Counts::default(),
        other => other?,
    };
    if !closed {
        write_out(&mut sink, &buf, &shown, &mut closed)?;
        if !closed {
            sink.finish()?;
        }
    }
    if closed {
        return Ok(Report::new("", serde_json::json!({"output_closed": true})).on_stderr(true));
    }
    let mut human = format!(
        "{}: exported {} of {} record(s) to {shown} ({})",
        args.file.display(),
        counts.kept,
        counts.read,
        match args.format {
            Format::Jsonl => "JSON lines",
            Format::Csv => "CSV",
        }
    );
    if counts.undated > 0 {
        human.push_str(&format!(
            "\nwarning: {} registration(s) have no valid publication date, so no refusal deadline",
            counts.undated
        ));
    }
    let json = serde_json::json!({
        "file": args.file.display().to_string(),
        "path": if to_stdout { "-".to_owned() } else { args.output.display().to_string() },
        "format": match args.format { Format::Jsonl => "jsonl", Format::Csv => "csv" },
        "schema_version": SCHEMA_VERSION,
        "records_read": counts.read,
        "records_written": counts.kept,
        "registrations_without_deadline": counts.undated,
    });
    // The report goes to standard error when the data went to standard output.
    Ok(Report::new(human, json).on_stderr(to_stdout))
}
