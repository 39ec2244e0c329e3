//! Opening what HWS sends back: bulletins and confidential copies.
//!
//! Both are ZIPs of one ST.96 XML file plus one folder per international registration
//! holding its images and, since Bulletin 10/2023, decision PDFs (WIPO HEC home page, cited
//! in `../shared/reference/st96.md` §4). That the HWS download has the same layout as the FTP
//! `images/iyyyyww.zip` archives, and how a folder is named after a registration number,
//! are **inferred**: a folder matches a registration when their letters and digits agree
//! (`DM/081234` matches `DM081234`, `dm_081234` or `081234`).

use crate::archive::{self, Entry, EntryKind, EntryReader};
use crate::extract::{ExtractError, Extracted};
use crate::limits::Limits;
use crate::magic;
use crate::names;
use crate::problem::{Problem, Report};
use crate::validate::is_xml_name;
use std::collections::BTreeMap;
use std::io::{self, Read, Seek};
use std::path::Path;

/// Why a bulletin could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BulletinError {
    /// The archive is unsafe or damaged, or its XML cannot be identified.
    #[error("the bulletin cannot be opened:\n{0}")]
    Refused(Report),
    /// No entry of that name.
    #[error("the bulletin has no entry `{0}`")]
    NoSuchEntry(String),
    /// Reading failed.
    #[error("reading the bulletin failed: {0}")]
    Io(#[from] io::Error),
}

/// An opened bulletin or confidential copy.
#[derive(Debug)]
pub struct Bulletin<R> {
    reader: R,
    entries: Vec<Entry>,
    xml: usize,
    limits: Limits,
    report: Report,
}

impl<R: Read + Seek> Bulletin<R> {
    /// Opens the archive: checks its structure with the validation rules (names,
    /// duplicates, symlinks, encryption, limits, overlaps) and finds its ST.96 XML, the
    /// one `.xml` entry (when there are several, the only one at the top level).
    pub fn open(mut reader: R, limits: &Limits) -> Result<Self, BulletinError> {
        let archive::Structure {
            entries,
            mut report,
        } = archive::read_structure(&mut reader, limits)?;
        if !report.is_valid() {
            return Err(BulletinError::Refused(report));
        }
        let xmls: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].kind == EntryKind::File && is_xml_name(&entries[i].name))
            .collect();
        let top: Vec<usize> = xmls
            .iter()
            .copied()
            .filter(|&i| !entries[i].name.contains('/'))
            .collect();
        let xml = match (xmls.as_slice(), top.as_slice()) {
            ([one], _) | (_, [one]) => *one,
            ([], _) => {
                report.error(Problem::NoXml);
                return Err(BulletinError::Refused(report));
            }
            (many, _) => {
                report.error(Problem::MultipleXml {
                    entries: many
                        .iter()
                        .map(|&i| names::escape(&entries[i].name))
                        .collect(),
                });
                return Err(BulletinError::Refused(report));
            }
        };
        Ok(Self {
            reader,
            entries,
            xml,
            limits: *limits,
            report,
        })
    }

    /// The name of the ST.96 XML entry.
    pub fn xml_name(&self) -> &str {
        &self.entries[self.xml].name
    }

    /// Warnings found while opening (e.g. names that differ only in case).
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The entry names, in directory order.
    pub fn entry_names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// Streams the records of the XML through [`st96_model::BulletinReader`]. The XML is
    /// decompressed on the fly and its size and CRC-32 are checked at the end; a mismatch
    /// surfaces as an [`st96_model::Error::Io`] whose source is the [`Problem`].
    pub fn records(
        &mut self,
    ) -> Result<st96_model::BulletinReader<EntryReader<'_>>, BulletinError> {
        let entry = &self.entries[self.xml];
        Ok(st96_model::BulletinReader::new(EntryReader::new(
            &mut self.reader,
            entry,
        )?))
    }

    /// Opens one entry for reading (size and CRC-32 checked at the end).
    pub fn open_entry(&mut self, name: &str) -> Result<EntryReader<'_>, BulletinError> {
        let entry = self
            .entries
            .iter()
            .find(|e| e.name == name && e.kind == EntryKind::File)
            .ok_or_else(|| BulletinError::NoSuchEntry(names::escape(name)))?;
        Ok(EntryReader::new(&mut self.reader, entry)?)
    }

    /// The images and PDFs (by extension) of each registration folder: the first path
    /// segment of every entry that lies in a folder, mapped to its files in name order.
    pub fn files_by_folder(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &self.entries {
            if e.kind != EntryKind::File || magic::expected_for(&e.name).is_none() {
                continue;
            }
            if let Some((folder, _)) = e.name.split_once('/') {
                out.entry(folder.to_owned())
                    .or_default()
                    .push(e.name.clone());
            }
        }
        for files in out.values_mut() {
            files.sort();
        }
        out
    }

    /// The images and PDFs of one registration (e.g. `DM/081234`), from the folder whose
    /// letters and digits match the number (see the module docs; **inferred** layout).
    pub fn files_of(&self, registration_number: &str) -> Vec<String> {
        let key = folder_key(registration_number);
        let digits: String = key.chars().filter(char::is_ascii_digit).collect();
        self.files_by_folder()
            .into_iter()
            .filter(|(folder, _)| {
                let f = folder_key(folder);
                !f.is_empty() && (f == key || f == digits)
            })
            .flat_map(|(_, files)| files)
            .collect()
    }

    /// Extracts the whole archive into the new directory `dest` (see [`crate::extract`]).
    pub fn extract_to(mut self, dest: &Path) -> Result<Extracted, ExtractError> {
        self.reader.rewind()?;
        crate::extract::extract(&mut self.reader, dest, &self.limits)
    }
}

/// Letters and digits of a registration number or folder name, upper-cased.
fn folder_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
