//! The one ZIP reader of hrtrack's file readers (DOCX matrices, XLSX tables and SDG templates,
//! a ZIP holding one CSV): every entry is inflated through a counting reader with a cap per
//! entry and in total, so that the sizes a ZIP header declares are never trusted and a bomb
//! is refused after at most the cap's worth of work.
//!
//! For XLSX workbooks, [`safe_xlsx`] also checks every part and neutralises the counts that
//! `sharedStrings.xml` declares (`count`, `uniqueCount`): calamine reserves room for
//! `uniqueCount` strings up front, so an 80 KB file declaring 10^12 strings aborts the process.
//! The workbook calamine then reads is an in-memory copy whose parts are known to be small.
//!
//! The caps ([`XLSX_LIMITS`], [`DOCX_LIMITS`], [`CSV_ZIP_LIMITS`]) fit the files each reader
//! takes: an SDG template or a ministry table is a few MB unpacked; a UPR Info export, the
//! largest CSV hrtrack reads, is 11 MB.

use std::borrow::Cow;
use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::result::ZipError;

/// How much a ZIP archive may unpack to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// The most bytes one entry may inflate to.
    pub entry_bytes: u64,
    /// The most bytes all the entries read may inflate to together.
    pub total_bytes: u64,
    /// The most entries the archive may hold.
    pub entries: usize,
}

const MIB: u64 = 1024 * 1024;

/// An XLSX workbook (SDG template, ministry table): 64 MiB unpacked in all and per part,
/// at most 10,000 parts. A real template or table is a few MB.
pub const XLSX_LIMITS: ZipLimits = ZipLimits {
    entry_bytes: 64 * MIB,
    total_bytes: 64 * MIB,
    entries: 10_000,
};

/// A Word `.docx` matrix: 64 MiB unpacked in all (the document part has its own, smaller,
/// limit in the matrix reader), at most 10,000 parts.
pub const DOCX_LIMITS: ZipLimits = ZipLimits {
    entry_bytes: 64 * MIB,
    total_bytes: 64 * MIB,
    entries: 10_000,
};

/// A `.zip` holding one CSV: as much as a plain file may be ([`crate::input::MAX_FILE_BYTES`]).
pub const CSV_ZIP_LIMITS: ZipLimits = ZipLimits {
    entry_bytes: crate::input::MAX_FILE_BYTES,
    total_bytes: crate::input::MAX_FILE_BYTES,
    entries: 10_000,
};

/// Why an archive is refused: `place` is "file" or the entry's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ZipReadError {
    pub place: String,
    pub message: String,
}

impl ZipReadError {
    fn new(place: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            place: place.into(),
            message: message.into(),
        }
    }
}

/// A ZIP archive in memory whose entries are read within [`ZipLimits`].
pub struct BoundedZip<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    limits: ZipLimits,
    inflated: u64,
}

impl<'a> BoundedZip<'a> {
    /// Opens an archive; refuses one that is not a readable ZIP or holds too many entries.
    pub fn open(bytes: &'a [u8], limits: ZipLimits) -> Result<Self, ZipReadError> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ZipReadError::new(
                "file",
                format!("not a readable ZIP archive (is it cut short?): {e}"),
            )
        })?;
        if archive.len() > limits.entries {
            return Err(ZipReadError::new(
                "file",
                format!(
                    "the archive holds {} entries; at most {} are read",
                    archive.len(),
                    limits.entries
                ),
            ));
        }
        Ok(Self {
            archive,
            limits,
            inflated: 0,
        })
    }

    /// The entries' names (names that are not UTF-8 left out), in archive order.
    pub fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.to_string())
            .collect()
    }

    /// Whether the archive has an entry of this name.
    pub fn contains(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// The bytes all reads so far inflated to.
    pub fn inflated(&self) -> u64 {
        self.inflated
    }

    /// Inflates one entry, at most `limit` bytes of it (and within the archive's limits).
    pub fn read_limited(&mut self, name: &str, limit: u64) -> Result<Vec<u8>, ZipReadError> {
        let index = self
            .archive
            .index_for_name(name)
            .ok_or_else(|| ZipReadError::new(name, "the archive has no such entry"))?;
        let mut out = Vec::new();
        self.inflate(index, limit, &mut out)?;
        Ok(out)
    }

    /// Inflates one entry within the archive's limits.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, ZipReadError> {
        self.read_limited(name, self.limits.entry_bytes)
    }

    /// Inflates every entry once, keeping nothing: proves that the whole archive unpacks
    /// within the limits and that every entry is readable.
    pub fn check_all(&mut self) -> Result<(), ZipReadError> {
        for index in 0..self.archive.len() {
            self.inflate(index, self.limits.entry_bytes, std::io::sink())?;
        }
        Ok(())
    }

    /// Inflates entry `index` into `out`, counting the bytes as they come: an entry over
    /// `limit` (or over what the total cap leaves) is refused with its name.
    fn inflate(
        &mut self,
        index: usize,
        limit: u64,
        mut out: impl Write,
    ) -> Result<u64, ZipReadError> {
        let name = self
            .archive
            .name_for_index(index)
            .and_then(Result::ok)
            .map_or_else(|| format!("entry {}", index + 1), |n| n.to_string());
        let entry = self.archive.by_index(index).map_err(|e| match e {
            ZipError::UnsupportedArchive(_) | ZipError::InvalidPassword => ZipReadError::new(
                &name,
                format!("cannot read this entry ({e}); is the file encrypted?"),
            ),
            other => ZipReadError::new(&name, format!("cannot read this entry: {other}")),
        })?;
        let left = self.limits.total_bytes.saturating_sub(self.inflated);
        let cap = limit.min(self.limits.entry_bytes).min(left);
        let copied = std::io::copy(&mut entry.take(cap.saturating_add(1)), &mut out)
            .map_err(|e| ZipReadError::new(&name, format!("the archive is damaged: {e}")))?;
        if copied > cap {
            let message = if cap == left && left < limit.min(self.limits.entry_bytes) {
                format!(
                    "the archive is larger than {} once unpacked; refusing to read it \
                     (a ZIP bomb, or not the file you meant?)",
                    size_text(self.limits.total_bytes)
                )
            } else {
                format!(
                    "this entry is larger than {} once unpacked; refusing to read it \
                     (a ZIP bomb, or not the file you meant?)",
                    size_text(limit.min(self.limits.entry_bytes))
                )
            };
            return Err(ZipReadError::new(name, message));
        }
        self.inflated += copied;
        Ok(copied)
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// An XLSX workbook that calamine may open: every part inflates within `limits`, and the
/// shared strings part declares no counts. Returns the bytes unchanged when there was nothing
/// to neutralise, else a rebuilt archive (other parts copied without inflating them again).
pub fn safe_xlsx(bytes: &[u8], limits: ZipLimits) -> Result<Cow<'_, [u8]>, ZipReadError> {
    let mut zip = BoundedZip::open(bytes, limits)?;
    zip.check_all()?;
    for index in 0..zip.archive.len() {
        check_cell_references(&mut zip, index)?;
    }
    // Every part is now known to inflate within the limits; reading one again below must
    // not count it twice against the total.
    zip.inflated = 0;
    let mut rewritten: Vec<(String, Vec<u8>)> = Vec::new();
    for name in zip.names() {
        // calamine looks for `sharedStrings.xml` beside the workbook part, matching names
        // without regard to case; every such part is made safe.
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            let xml = zip.read(&name)?;
            if let Some(safe) = without_declared_counts(&xml, &name)? {
                rewritten.push((name, safe));
            }
        }
    }
    if rewritten.is_empty() {
        return Ok(Cow::Borrowed(bytes));
    }
    let damaged = |e: ZipError| ZipReadError::new("file", format!("cannot copy the workbook: {e}"));
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for index in 0..zip.archive.len() {
        let entry = zip.archive.by_index_raw(index).map_err(damaged)?;
        let name = entry.name().ok().map(|n| n.to_string());
        match rewritten.iter().position(|(n, _)| Some(n) == name.as_ref()) {
            Some(at) => {
                let (name, xml) = rewritten.swap_remove(at);
                drop(entry);
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored);
                writer.start_file(name.as_str(), options).map_err(damaged)?;
                writer
                    .write_all(&xml)
                    .map_err(|e| ZipReadError::new(name, format!("cannot copy: {e}")))?;
            }
            None => writer.raw_copy_file(entry).map_err(damaged)?,
        }
    }
    let out = writer.finish().map_err(damaged)?.into_inner();
    Ok(Cow::Owned(out))
}

/// The most rows and columns of a sheet (Excel's limits: row 1,048,576, column XFD).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;
pub const XLSX_MAX_COLUMNS: u32 = 16_384;

/// Reads an XML part as a stream (it is known to inflate within the limits) and refuses a
/// cell reference (`c r`, `row r`, `dimension ref`) that is not a cell of a real sheet:
/// calamine computes with them unchecked (a reversed or overlong reference overflows its
/// arithmetic), and a reader must be able to name the cell.
fn check_cell_references(zip: &mut BoundedZip<'_>, index: usize) -> Result<(), ZipReadError> {
    let Some(name) = zip
        .archive
        .name_for_index(index)
        .and_then(Result::ok)
        .filter(|n| n.to_ascii_lowercase().ends_with(".xml"))
        .map(|n| n.to_string())
    else {
        return Ok(());
    };
    let entry = zip
        .archive
        .by_index(index)
        .map_err(|e| ZipReadError::new(&name, format!("cannot read this entry: {e}")))?;
    let cap = zip.limits.entry_bytes;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(entry.take(cap)));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            // Malformed XML is calamine's to refuse, in its own words.
            Err(_) => return Ok(()),
        };
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => return Ok(()),
            _ => continue,
        };
        let (attribute, check): (&str, fn(&str) -> bool) = match element.local_name().as_ref() {
            "c" => ("r", |v| cell_position(v).is_some()),
            "row" => ("r", |v| {
                v.parse::<u32>()
                    .is_ok_and(|r| (1..=XLSX_MAX_ROWS).contains(&r))
            }),
            "dimension" => ("ref", |v| dimension_ok(v)),
            _ => continue,
        };
        let value = element
            .attributes()
            .with_checks(false)
            .filter_map(Result::ok)
            .find(|a| a.key.local_name().as_ref() == attribute)
            .map(|a| a.value.to_string());
        if let Some(value) = value
            && !check(&value)
        {
            let shown: String = value.chars().take(40).collect();
            return Err(ZipReadError::new(
                name,
                format!(
                    "cell {shown:?} is not a cell of a sheet (at most column XFD, row \
                     {XLSX_MAX_ROWS}, the first corner before the last)"
                ),
            ));
        }
    }
}

/// The 1-based (row, column) of a reference such as `XFD1048576`, within Excel's limits.
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let digits_at = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(digits_at);
    if letters.is_empty()
        || letters.len() > 3
        || !letters.bytes().all(|b| b.is_ascii_alphabetic())
        || digits.len() > 7
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let col = letters.bytes().fold(0u32, |col, b| {
        col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row: u32 = digits.parse().ok()?;
    ((1..=XLSX_MAX_ROWS).contains(&row) && (1..=XLSX_MAX_COLUMNS).contains(&col))
        .then_some((row, col))
}

/// A `dimension ref`: one cell, or two with the first not below or right of the second.
fn dimension_ok(reference: &str) -> bool {
    let mut corners = reference.split(':').map(cell_position);
    match (corners.next(), corners.next(), corners.next()) {
        (Some(Some(_)), None, None) => true,
        (Some(Some((r1, c1))), Some(Some((r2, c2))), None) => r1 <= r2 && c1 <= c2,
        _ => false,
    }
}

/// The shared strings part with every `sst` element stripped of `count` and `uniqueCount`
/// (calamine takes the first `sst` element wherever it stands), or None when none declares
/// either. The rest of the part is kept byte for byte.
fn without_declared_counts(xml: &[u8], part: &str) -> Result<Option<Vec<u8>>, ZipReadError> {
    let malformed =
        |e: &dyn std::fmt::Display| ZipReadError::new(part, format!("not well-formed XML: {e}"));
    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    // (start, end, rewritten tag) of each `sst` tag that declares a count.
    let mut replaced: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| malformed(&e))?;
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (start, empty) = match &event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::Eof => break,
            _ => continue,
        };
        if start.local_name().as_ref() != "sst" {
            continue;
        }
        let declared = |key: &str| {
            let local = key.rsplit(':').next().unwrap_or(key);
            local.eq_ignore_ascii_case("count") || local.eq_ignore_ascii_case("uniqueCount")
        };
        let name = start.name().as_ref().to_owned();
        let mut kept = BytesStart::new(name);
        let mut dropped = false;
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| malformed(&e))?;
            if declared(attribute.key.as_ref()) {
                dropped = true;
            } else {
                kept.push_attribute(attribute);
            }
        }
        if dropped {
            let mut tag = Vec::new();
            let rewritten = if empty {
                Event::Empty(kept)
            } else {
                Event::Start(kept)
            };
            quick_xml::Writer::new(&mut tag)
                .write_event(rewritten)
                .map_err(|e| ZipReadError::new(part, format!("cannot rewrite: {e}")))?;
            replaced.push((before, after, tag));
        }
    }
    if replaced.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(xml.len());
    let mut at = 0;
    for (start, end, tag) in replaced {
        let kept = xml
            .get(at..start)
            .ok_or_else(|| ZipReadError::new(part, "cannot rewrite the part"))?;
        out.extend_from_slice(kept);
        out.extend_from_slice(&tag);
        at = end;
    }
    out.extend_from_slice(xml.get(at..).unwrap_or_default());
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_strings_part_read_twice_counts_once() {
        let xml = format!(
            "<sst uniqueCount=\"99999999999\"><si><t>{}</t></si></sst>",
            "a".repeat(600)
        );
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file(
                "xl/sharedStrings.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        writer.write_all(xml.as_bytes()).unwrap();
        let bytes = writer.finish().unwrap().into_inner();
        let limits = ZipLimits {
            entry_bytes: 1000,
            total_bytes: 1000,
            entries: 10,
        };
        let safe = safe_xlsx(&bytes, limits).expect("within the limits");
        let mut zip = BoundedZip::open(&safe, limits).unwrap();
        let part = zip.read("xl/sharedStrings.xml").unwrap();
        assert!(part.starts_with(b"<sst><si>"));
    }

    #[test]
    fn cell_references_are_checked() {
        assert_eq!(cell_position("A1"), Some((1, 1)));
        assert_eq!(cell_position("xfd1048576"), Some((1_048_576, 16_384)));
        for bad in [
            "XFE1",
            "A1048577",
            "A0",
            "1A",
            "A",
            "AAAAAAAAAAAAAAA1",
            "A99999999999",
            "A1B",
        ] {
            assert_eq!(cell_position(bad), None, "{bad}");
        }
        assert!(dimension_ok("A1:XFD1048576"));
        assert!(dimension_ok("B2"));
        assert!(!dimension_ok("B2:A1"));
        assert!(!dimension_ok("A1:B2:C3"));
    }

    #[test]
    fn declared_counts_are_removed_and_nothing_else() {
        let xml = br#"<?xml version="1.0"?><sst xmlns="x" count="9" uniqueCount="99999999999999"><si><t>a</t></si></sst>"#;
        let out = without_declared_counts(xml, "p").unwrap().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"<?xml version="1.0"?><sst xmlns="x"><si><t>a</t></si></sst>"#
        );
        assert_eq!(
            without_declared_counts(b"<sst><si/></sst>", "p").unwrap(),
            None
        );
        let nested = without_declared_counts(b"<a><x:sst uniqueCount='7'/></a>", "p")
            .unwrap()
            .unwrap();
        assert_eq!(nested, b"<a><x:sst/></a>");
    }
}
