//! Shared input handling of the readers: the size limit, UTF-8 text (a byte-order mark is
//! dropped, UTF-16 and 8-bit encodings refused with the place of the first foreign byte),
//! the cap on how many problems one file reports, and number parsing.

use std::io::Read;
use std::path::Path;

use crate::SdgReadError;

/// The largest file a reader takes (the whole Kazakhstan Open SDG folder is under 3 MB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// At most this many problems are listed per file; one more entry then says how many were left out.
pub const MAX_ERRORS: usize = 1000;

/// Reads a whole file, refusing one larger than [`MAX_FILE_BYTES`] before reading it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, SdgReadError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| SdgReadError::new(&name, "file", format!("cannot open: {e}")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(too_large(&name, size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SdgReadError::new(&name, "file", format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&name, bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_large(name: &str, size: u64) -> SdgReadError {
    SdgReadError::new(
        name,
        "file",
        format!(
            "the file is {:.1} MB; a reader takes at most {} MB",
            size as f64 / 1e6,
            MAX_FILE_BYTES / 1024 / 1024
        ),
    )
}

/// The bytes as UTF-8 text without a byte-order mark, or the reason they are not.
pub(crate) fn utf8_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, SdgReadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(file, bytes.len() as u64));
    }
    if bytes.is_empty() {
        return Err(SdgReadError::new(file, "file", "the file is empty"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SdgReadError::new(
            file,
            "byte 0",
            "the file is UTF-16 text; save it as CSV UTF-8",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let byte = bytes.get(at).copied().unwrap_or(0);
        SdgReadError::new(
            file,
            format!("line {line}, byte {at}"),
            format!(
                "the file is not UTF-8 (byte 0x{byte:02X}; probably Windows-1251/1252): \
                 save it as UTF-8"
            ),
        )
    })
}

/// Collects a file's problems, up to [`MAX_ERRORS`].
pub(crate) struct Problems<'a> {
    file: &'a str,
    list: Vec<SdgReadError>,
    left_out: usize,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(file: &'a str) -> Self {
        Self {
            file,
            list: Vec::new(),
            left_out: 0,
        }
    }

    pub(crate) fn add(&mut self, place: impl Into<String>, message: impl Into<String>) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(SdgReadError::new(self.file, place, message));
        } else {
            self.left_out += 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn into_vec(mut self) -> Vec<SdgReadError> {
        if self.left_out > 0 {
            let n = self.left_out;
            self.list.push(SdgReadError::new(
                self.file,
                "file",
                format!("… and {n} more problem(s) not listed"),
            ));
        }
        self.list
    }
}

/// How a value cell reads.
#[derive(Debug, PartialEq)]
pub(crate) enum Number {
    Value(f64),
    Missing,
    Bad(String),
}

/// Parses a numeric cell: digits with `.` as decimal separator (a `,` too when `comma_decimal`),
/// an optional sign and exponent; `missing` lists the cell texts that mean "no value".
pub(crate) fn parse_number(cell: &str, missing: &[&str], comma_decimal: bool) -> Number {
    let text = cell.trim();
    if text.is_empty() || missing.contains(&text) {
        return Number::Missing;
    }
    let owned;
    let text = if comma_decimal && text.contains(',') && !text.contains('.') {
        owned = text.replacen(',', ".", 1);
        owned.as_str()
    } else {
        text
    };
    let plain = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match text.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Number::Value(v),
        _ => {
            let hint = if text.contains(',') {
                " (use a dot as decimal separator and no thousands separators)"
            } else {
                ""
            };
            Number::Bad(format!("{cell:?} is not a number{hint}"))
        }
    }
}

/// The part of a cell before `": "`: SDMX-CSV `labels=both` writes coded cells as `CODE: Label`.
pub(crate) fn code_part(cell: &str) -> &str {
    match cell.find(": ") {
        Some(i) => &cell[..i],
        None => cell,
    }
}

/// Line numbers of records from their byte offsets (the csv crate's own line count is one short
/// after CRLF line ends). Offsets must come in increasing order.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line on which a record begins.
    pub(crate) fn line_of(&mut self, record: &csv::StringRecord) -> u64 {
        let offset = record
            .position()
            .map_or(self.at, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .clamp(self.at, self.text.len());
        // After a CRLF the csv crate's offset points at the LF; a record never starts with one.
        let offset = offset
            + self.text[offset..]
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
        self.line += self.text[self.at..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.at = offset;
        self.line
    }
}
