//! A small, distrustful ZIP reader: the end record, the central directory and the local
//! headers are parsed here rather than through the `zip` crate, so that every
//! inconsistency becomes a typed [`Problem`] instead of a refusal or a silent fix-up.

use crate::limits::Limits;
use crate::magic::MAGIC_LEN;
use crate::names;
use crate::problem::{Problem, Report};
use std::io::{self, BufReader, Read, Seek, SeekFrom};

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const CDH_SIG: u32 = 0x0201_4b50;
const LFH_SIG: u32 = 0x0403_4b50;
const EOCD_LEN: u64 = 22;
const CDH_LEN: usize = 46;
const LFH_LEN: u64 = 30;

/// What kind of entry the central directory describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory (name ends with `/`).
    Directory,
    /// A symbolic link or reparse point (never extracted).
    Symlink,
}

/// One entry of the central directory, as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The name (lossily decoded if it was not UTF-8).
    pub name: String,
    /// File, directory or symlink.
    pub kind: EntryKind,
    /// Compression method (0 stored, 8 deflate).
    pub method: u16,
    /// Whether the entry is encrypted.
    pub encrypted: bool,
    /// Declared CRC-32.
    pub crc32: u32,
    /// Declared compressed size.
    pub compressed_size: u64,
    /// Declared uncompressed size.
    pub size: u64,
    /// Offset of the local header.
    pub header_offset: u64,
    /// Offset of the data, once the local header was read and checked.
    pub(crate) data_offset: Option<u64>,
    /// Whether the entry's data can be read (structure, name and limits are fine).
    pub(crate) readable: bool,
}

/// The structure of an archive: its entries and the problems found while reading it.
#[derive(Debug)]
pub(crate) struct Structure {
    pub(crate) entries: Vec<Entry>,
    pub(crate) report: Report,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

fn read_exact_at<R: Read + Seek>(r: &mut R, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    r.seek(SeekFrom::Start(offset))?;
    r.read_exact(buf)
}

struct EndRecord {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    /// Where the central directory must end (start of the zip64 or classic end record).
    cd_end_limit: u64,
}

/// Finds and parses the end of central directory (zip64 aware). `Err` carries the problem.
fn read_end<R: Read + Seek>(r: &mut R, len: u64) -> io::Result<Result<EndRecord, Problem>> {
    let mut head = [0u8; 4];
    let starts_like_zip = len >= 4 && {
        read_exact_at(r, 0, &mut head)?;
        u32::from_le_bytes(head) == LFH_SIG
    };
    let missing = |detail: &str| {
        if starts_like_zip {
            Problem::Truncated {
                entry: None,
                detail: format!("{detail} (the file starts like a ZIP)"),
            }
        } else {
            Problem::NotAZip {
                detail: detail.to_owned(),
            }
        }
    };
    if len < EOCD_LEN {
        return Ok(Err(missing(
            "the file is too short to hold a ZIP end record",
        )));
    }
    let tail_len = len.min(EOCD_LEN + 65_535);
    let tail_start = len - tail_len;
    let mut tail = vec![0u8; usize::try_from(tail_len).unwrap_or(0)];
    read_exact_at(r, tail_start, &mut tail)?;
    // Search backwards for a signature whose comment length fits the file exactly.
    let mut found = None;
    let mut i = tail.len().saturating_sub(EOCD_LEN as usize);
    loop {
        if u32_at(&tail, i) == EOCD_SIG {
            let comment = u16_at(&tail, i + 20) as usize;
            if i + EOCD_LEN as usize + comment == tail.len() {
                found = Some(i);
                break;
            }
        }
        if i == 0 {
            break;
        }
        i -= 1;
    }
    let Some(i) = found else {
        return Ok(Err(missing("no end-of-central-directory record")));
    };
    let eocd_pos = tail_start + i as u64;
    let e = &tail[i..];
    let (disk, cd_disk) = (u16_at(e, 4), u16_at(e, 6));
    let (on_disk, total) = (u16_at(e, 8), u16_at(e, 10));
    let (cd_size, cd_offset) = (u32_at(e, 12), u32_at(e, 16));
    let zip64 =
        on_disk == 0xFFFF || total == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF;
    if !zip64 {
        if disk != 0 || cd_disk != 0 || on_disk != total {
            return Ok(Err(Problem::MultiDisk));
        }
        return Ok(Ok(EndRecord {
            entries: u64::from(total),
            cd_size: u64::from(cd_size),
            cd_offset: u64::from(cd_offset),
            cd_end_limit: eocd_pos,
        }));
    }
    if eocd_pos < 20 {
        return Ok(Err(Problem::CorruptCentralDirectory {
            detail: "zip64 values without a zip64 end record locator".into(),
        }));
    }
    let mut loc = [0u8; 20];
    read_exact_at(r, eocd_pos - 20, &mut loc)?;
    if u32_at(&loc, 0) != EOCD64_LOCATOR_SIG {
        return Ok(Err(Problem::CorruptCentralDirectory {
            detail: "zip64 values without a zip64 end record locator".into(),
        }));
    }
    let rec_pos = u64_at(&loc, 8);
    if u32_at(&loc, 4) != 0 || u32_at(&loc, 16) > 1 {
        return Ok(Err(Problem::MultiDisk));
    }
    if rec_pos
        .checked_add(56)
        .is_none_or(|end| end > eocd_pos - 20)
    {
        return Ok(Err(Problem::CorruptCentralDirectory {
            detail: "the zip64 end record is out of bounds".into(),
        }));
    }
    let mut rec = [0u8; 56];
    read_exact_at(r, rec_pos, &mut rec)?;
    if u32_at(&rec, 0) != EOCD64_SIG {
        return Ok(Err(Problem::CorruptCentralDirectory {
            detail: "the zip64 end record signature is wrong".into(),
        }));
    }
    if u32_at(&rec, 16) != 0 || u32_at(&rec, 20) != 0 || u64_at(&rec, 24) != u64_at(&rec, 32) {
        return Ok(Err(Problem::MultiDisk));
    }
    Ok(Ok(EndRecord {
        entries: u64_at(&rec, 32),
        cd_size: u64_at(&rec, 40),
        cd_offset: u64_at(&rec, 48),
        cd_end_limit: rec_pos,
    }))
}

/// Reads and checks the whole structure: end record, central directory, names,
/// duplicates, entry kinds, limits, local headers and overlaps. Data is not read.
pub(crate) fn read_structure<R: Read + Seek>(r: &mut R, limits: &Limits) -> io::Result<Structure> {
    let mut report = Report::default();
    let len = r.seek(SeekFrom::End(0))?;
    let end = match read_end(r, len)? {
        Ok(end) => end,
        Err(problem) => {
            report.error(problem);
            return Ok(Structure {
                entries: Vec::new(),
                report,
            });
        }
    };
    let fatal = |report: &mut Report, p: Problem| {
        report.error(p);
    };
    if end.entries > limits.max_entries {
        fatal(
            &mut report,
            Problem::TooManyEntries {
                count: end.entries,
                limit: limits.max_entries,
            },
        );
        return Ok(Structure {
            entries: Vec::new(),
            report,
        });
    }
    let cd_end = end.cd_offset.checked_add(end.cd_size);
    if cd_end.is_none_or(|e| e > end.cd_end_limit) {
        let p = if end.cd_offset > len || cd_end.is_none_or(|e| e > len) {
            Problem::Truncated {
                entry: None,
                detail: "the central directory lies beyond the end of the file".into(),
            }
        } else {
            Problem::CorruptCentralDirectory {
                detail: "the central directory overlaps the end record".into(),
            }
        };
        fatal(&mut report, p);
        return Ok(Structure {
            entries: Vec::new(),
            report,
        });
    }
    if end.entries.saturating_mul(CDH_LEN as u64) > end.cd_size {
        fatal(
            &mut report,
            Problem::CorruptCentralDirectory {
                detail: format!(
                    "{} entries cannot fit in a {}-byte central directory",
                    end.entries, end.cd_size
                ),
            },
        );
        return Ok(Structure {
            entries: Vec::new(),
            report,
        });
    }

    // ---- central directory -----------------------------------------------------------
    r.seek(SeekFrom::Start(end.cd_offset))?;
    let mut cd = BufReader::with_capacity(64 * 1024, (&mut *r).take(end.cd_size));
    let mut entries = Vec::new();
    let mut name_problems: Vec<(usize, Problem)> = Vec::new();
    for _ in 0..end.entries {
        let mut h = [0u8; CDH_LEN];
        if cd.read_exact(&mut h).is_err() || u32_at(&h, 0) != CDH_SIG {
            fatal(
                &mut report,
                Problem::CorruptCentralDirectory {
                    detail: format!(
                        "the end record declares {} entries but only {} headers were found",
                        end.entries,
                        entries.len()
                    ),
                },
            );
            break;
        }
        let made_by_host = h[5];
        let flags = u16_at(&h, 8);
        let method = u16_at(&h, 10);
        let crc32 = u32_at(&h, 16);
        let mut csize = u64::from(u32_at(&h, 20));
        let mut size = u64::from(u32_at(&h, 24));
        let (n_len, x_len, c_len) = (
            usize::from(u16_at(&h, 28)),
            usize::from(u16_at(&h, 30)),
            usize::from(u16_at(&h, 32)),
        );
        let disk = u16_at(&h, 34);
        let ext_attr = u32_at(&h, 38);
        let mut offset = u64::from(u32_at(&h, 42));
        let mut var = vec![0u8; n_len + x_len + c_len];
        if cd.read_exact(&mut var).is_err() {
            fatal(
                &mut report,
                Problem::CorruptCentralDirectory {
                    detail: "a central directory header runs past the directory's end".into(),
                },
            );
            break;
        }
        let (name, name_problem) = names::decode_name(&var[..n_len]);
        // Zip64 extended information: only the fields that are saturated are present.
        let mut extra = &var[n_len..n_len + x_len];
        while extra.len() >= 4 {
            let id = u16_at(extra, 0);
            let dlen = usize::from(u16_at(extra, 2));
            let data = &extra[4..(4 + dlen).min(extra.len())];
            if id == 0x0001 {
                let mut at = 0;
                for field in [&mut size, &mut csize, &mut offset] {
                    if *field == 0xFFFF_FFFF && at + 8 <= data.len() {
                        *field = u64_at(data, at);
                        at += 8;
                    }
                }
            }
            extra = &extra[(4 + dlen).min(extra.len())..];
        }
        let idx = entries.len();
        if let Some(p) = name_problem {
            name_problems.push((idx, p));
        }
        let unix_mode = ext_attr >> 16;
        let is_link = (made_by_host == 3 && unix_mode & 0o170_000 == 0o120_000)
            || (made_by_host == 0 || made_by_host == 10) && ext_attr & 0x400 != 0;
        let kind = if is_link {
            EntryKind::Symlink
        } else if names::is_dir_name(&name) {
            EntryKind::Directory
        } else {
            EntryKind::File
        };
        if disk != 0 {
            fatal(&mut report, Problem::MultiDisk);
        }
        entries.push(Entry {
            name,
            kind,
            method,
            encrypted: flags & 1 != 0 || method == 99,
            crc32,
            compressed_size: csize,
            size,
            header_offset: offset,
            data_offset: None,
            readable: true,
        });
    }

    // ---- names and kinds -------------------------------------------------------------
    for (idx, p) in name_problems {
        entries[idx].readable = false;
        report.error(p);
    }
    for e in &mut entries {
        let name_problems = names::check_entry_name(&e.name);
        if !name_problems.is_empty() {
            e.readable = false;
        }
        for p in name_problems {
            report.error(p);
        }
        let entry = names::escape(&e.name);
        if e.kind == EntryKind::Symlink {
            e.readable = false;
            report.error(Problem::Symlink {
                entry: entry.clone(),
            });
        }
        if e.encrypted {
            e.readable = false;
            report.error(Problem::Encrypted {
                entry: entry.clone(),
            });
        } else if e.method != 0 && e.method != 8 {
            e.readable = false;
            report.error(Problem::UnsupportedCompression {
                entry: entry.clone(),
                method: e.method,
            });
        }
    }
    let (dup_errors, dup_warnings) =
        names::check_duplicates(entries.iter().map(|e| e.name.as_str()));
    for p in dup_errors {
        report.error(p);
    }
    for p in dup_warnings {
        report.warning(p);
    }

    // ---- limits ----------------------------------------------------------------------
    let total: u64 = entries.iter().fold(0u64, |a, e| a.saturating_add(e.size));
    let over_total = total > limits.max_total_size;
    if over_total {
        report.error(Problem::TotalSizeExceeded {
            total,
            limit: limits.max_total_size,
        });
    }
    for e in &mut entries {
        if over_total {
            e.readable = false;
        }
        let ratio_limit = e.compressed_size.saturating_mul(limits.max_ratio);
        // Tiny entries (up to 4 KiB) are exempt: their ratio says nothing about a bomb.
        if e.size > 4096 && e.size > ratio_limit {
            e.readable = false;
            report.error(Problem::CompressionRatioExceeded {
                entry: names::escape(&e.name),
                uncompressed: e.size,
                compressed: e.compressed_size,
                limit: limits.max_ratio,
            });
        }
        if e.method == 0 && e.size != e.compressed_size && !e.encrypted {
            e.readable = false;
            report.error(Problem::SizeMismatch {
                entry: names::escape(&e.name),
                declared: e.size,
                actual: e.compressed_size,
            });
        }
    }

    // ---- local headers ---------------------------------------------------------------
    let mut spans: Vec<(u64, u64, usize)> = Vec::new();
    for (idx, e) in entries.iter_mut().enumerate() {
        let entry = names::escape(&e.name);
        if e.header_offset.saturating_add(LFH_LEN) > end.cd_offset {
            e.readable = false;
            report.error(if e.header_offset >= len {
                Problem::Truncated {
                    entry: Some(entry),
                    detail: "its local header lies beyond the end of the file".into(),
                }
            } else {
                Problem::LocalHeaderMismatch {
                    entry,
                    detail: "lies inside the central directory".into(),
                }
            });
            continue;
        }
        let mut h = [0u8; LFH_LEN as usize];
        read_exact_at(r, e.header_offset, &mut h)?;
        if u32_at(&h, 0) != LFH_SIG {
            e.readable = false;
            report.error(Problem::LocalHeaderMismatch {
                entry,
                detail: "is missing (no signature at the declared offset)".into(),
            });
            continue;
        }
        let flags = u16_at(&h, 6);
        let (n_len, x_len) = (u64::from(u16_at(&h, 26)), u64::from(u16_at(&h, 28)));
        let data_offset = e.header_offset + LFH_LEN + n_len + x_len;
        let data_end = data_offset.saturating_add(e.compressed_size);
        if data_end > end.cd_offset {
            e.readable = false;
            report.error(if data_end > len {
                Problem::Truncated {
                    entry: Some(entry),
                    detail: "its data runs past the end of the file".into(),
                }
            } else {
                Problem::OverlappingEntries {
                    entry,
                    other: "(central directory)".into(),
                }
            });
            continue;
        }
        let mut local_name = vec![0u8; usize::try_from(n_len).unwrap_or(0)];
        read_exact_at(r, e.header_offset + LFH_LEN, &mut local_name)?;
        let mut mismatch = Vec::new();
        if local_name != e.name.as_bytes() && names::decode_name(&local_name).0 != e.name {
            mismatch.push(format!(
                "names the entry `{}`",
                names::escape(&String::from_utf8_lossy(&local_name))
            ));
        }
        if u16_at(&h, 8) != e.method {
            mismatch.push(format!("declares compression method {}", u16_at(&h, 8)));
        }
        if flags & 1 != 0 && !e.encrypted {
            e.encrypted = true;
            report.error(Problem::Encrypted {
                entry: entry.clone(),
            });
        }
        if flags & 8 == 0 {
            let (lcrc, lcs, lus) = (u32_at(&h, 14), u32_at(&h, 18), u32_at(&h, 22));
            if lcrc != e.crc32 {
                mismatch.push(format!("declares CRC-32 {lcrc:08x}, not {:08x}", e.crc32));
            }
            if lcs != 0xFFFF_FFFF && u64::from(lcs) != e.compressed_size {
                mismatch.push(format!(
                    "declares compressed size {lcs}, not {}",
                    e.compressed_size
                ));
            }
            if lus != 0xFFFF_FFFF && u64::from(lus) != e.size {
                mismatch.push(format!("declares size {lus}, not {}", e.size));
            }
        }
        if !mismatch.is_empty() {
            e.readable = false;
            report.error(Problem::LocalHeaderMismatch {
                entry,
                detail: mismatch.join(", "),
            });
        }
        e.data_offset = Some(data_offset);
        spans.push((e.header_offset, data_end, idx));
    }
    spans.sort_unstable();
    let mut reach: Option<(u64, usize)> = None;
    for &(start, stop, idx) in &spans {
        if let Some((prev_end, prev_idx)) = reach {
            if start < prev_end {
                entries[idx].readable = false;
                entries[prev_idx].readable = false;
                report.error(Problem::OverlappingEntries {
                    entry: names::escape(&entries[idx].name),
                    other: names::escape(&entries[prev_idx].name),
                });
            }
            if stop > prev_end {
                reach = Some((stop, idx));
            }
        } else {
            reach = Some((stop, idx));
        }
    }
    Ok(Structure { entries, report })
}

/// Streams the uncompressed data of an entry, checking its size and CRC-32 at the end.
///
/// Never yields more than the declared size: one byte more is an error
/// ([`Problem::SizeMismatch`]), so a lying size cannot bomb the reader. A failure is an
/// `io::Error` of kind `InvalidData` whose inner error is the [`Problem`].
pub struct EntryReader<'a> {
    inner: Box<dyn Read + 'a>,
    name: String,
    size: u64,
    crc32: u32,
    count: u64,
    hasher: crc32fast::Hasher,
    head: [u8; MAGIC_LEN],
    failed: Option<Problem>,
    finished: bool,
}

impl std::fmt::Debug for EntryReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryReader")
            .field("name", &self.name)
            .field("size", &self.size)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl<'a> EntryReader<'a> {
    pub(crate) fn new<R: Read + Seek>(r: &'a mut R, e: &Entry) -> io::Result<Self> {
        let data_offset = e.data_offset.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "entry has no checked local header",
            )
        })?;
        r.seek(SeekFrom::Start(data_offset))?;
        let raw = r.take(e.compressed_size);
        let inner: Box<dyn Read + 'a> = match e.method {
            0 => Box::new(raw),
            8 => Box::new(flate2::read::DeflateDecoder::new(BufReader::with_capacity(
                256 * 1024,
                raw,
            ))),
            m => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unsupported compression method {m}"),
                ));
            }
        };
        Ok(Self {
            inner,
            name: names::escape(&e.name),
            size: e.size,
            crc32: e.crc32,
            count: 0,
            hasher: crc32fast::Hasher::new(),
            head: [0; MAGIC_LEN],
            failed: None,
            finished: false,
        })
    }

    fn fail(&mut self, p: Problem) -> io::Error {
        self.failed = Some(p.clone());
        io::Error::new(io::ErrorKind::InvalidData, p)
    }

    /// The first bytes read so far (up to 8), for magic-byte checks.
    pub(crate) fn head(&self) -> &[u8] {
        let n = usize::try_from(self.count.min(MAGIC_LEN as u64)).unwrap_or(0);
        &self.head[..n]
    }

    /// Whether the data was read to its end and checked.
    pub(crate) fn finished(&self) -> bool {
        self.finished
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(p) = &self.failed {
            return Err(io::Error::new(io::ErrorKind::InvalidData, p.clone()));
        }
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        let room = self.size.saturating_add(1).saturating_sub(self.count);
        let max = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
        let n = match self.inner.read(&mut buf[..max]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                let p = Problem::CorruptData {
                    entry: self.name.clone(),
                    detail: e.to_string(),
                };
                return Err(self.fail(p));
            }
        };
        if n == 0 {
            if self.count != self.size {
                let p = Problem::SizeMismatch {
                    entry: self.name.clone(),
                    declared: self.size,
                    actual: self.count,
                };
                return Err(self.fail(p));
            }
            let actual = self.hasher.clone().finalize();
            if actual != self.crc32 {
                let p = Problem::CrcMismatch {
                    entry: self.name.clone(),
                    declared: self.crc32,
                    actual,
                };
                return Err(self.fail(p));
            }
            self.finished = true;
            return Ok(0);
        }
        if self.count < MAGIC_LEN as u64 {
            let at = self.count as usize;
            let take = (MAGIC_LEN - at).min(n);
            self.head[at..at + take].copy_from_slice(&buf[..take]);
        }
        self.count += n as u64;
        if self.count > self.size {
            let p = Problem::SizeMismatch {
                entry: self.name.clone(),
                declared: self.size,
                actual: self.count,
            };
            return Err(self.fail(p));
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Error of [`copy_entry`]: a problem in the archive, or an I/O error on the sink.
#[derive(Debug)]
pub(crate) enum CopyError {
    Problem(Problem),
    Io(io::Error),
}

/// Copies an entry's checked data into `sink`, returning its first bytes.
pub(crate) fn copy_entry<R: Read + Seek, W: io::Write>(
    r: &mut R,
    e: &Entry,
    sink: &mut W,
    buf: &mut [u8],
) -> Result<Vec<u8>, CopyError> {
    let mut reader = EntryReader::new(r, e).map_err(CopyError::Io)?;
    loop {
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => sink.write_all(&buf[..n]).map_err(CopyError::Io)?,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => {
                return Err(match reader.failed.take() {
                    Some(p) => CopyError::Problem(p),
                    None => CopyError::Io(err),
                });
            }
        }
    }
    debug_assert!(reader.finished());
    Ok(reader.head().to_vec())
}
