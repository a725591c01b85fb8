//! Reading an input file safely: a size limit checked before reading, and text that must be
//! UTF-8 (a UTF-8 byte-order mark is dropped; UTF-16 and legacy 8-bit encodings are refused
//! with the line where the first foreign byte stands).

use std::io::Read;
use std::path::Path;

use crate::ImportError;

/// The largest file an import reads: far above any real matrix or export (the 41,064-row
/// UPR Info file is 11 MB), far below what would exhaust a small server.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a whole file, refusing one larger than `MAX_FILE_BYTES` before reading it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::new(&name, "file", format!("cannot open: {e}")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(too_large(&name, size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::new(&name, "file", format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&name, bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_large(name: &str, size: u64) -> ImportError {
    ImportError::new(
        name,
        "file",
        format!(
            "the file is {:.1} MB; imports take at most {} MB (split it, or check it is the right file)",
            size as f64 / 1e6,
            MAX_FILE_BYTES / 1024 / 1024
        ),
    )
}

/// The bytes as UTF-8 text, or an error that says where the first non-UTF-8 byte is.
pub fn utf8_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::new(file, "file", "the file is empty"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::new(
            file,
            "byte 0",
            "the file is UTF-16 text; save it as CSV UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let byte = bytes.get(at).copied().unwrap_or(0);
        ImportError::new(
            file,
            format!("line {line}, byte {at}"),
            format!(
                "the file is not UTF-8 (byte 0x{byte:02X}; probably Windows-1251/1252 or Mac Roman): \
                 save it as UTF-8 and import again"
            ),
        )
    })
}

/// Decodes the HTML character references some exports leave in text (`&#40;`, `&amp;`).
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let decoded = tail.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &tail[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The one CSV inside a `.zip` file (as the demo bundles the UPR Info export), decompressed
/// with the same size limit as a plain file, whatever size the zip declares.
pub fn unzip_single_csv(bytes: &[u8], file: &str) -> Result<Vec<u8>, ImportError> {
    let refused = |e: crate::bounded_zip::ZipReadError| ImportError::new(file, e.place, e.message);
    let mut archive =
        crate::bounded_zip::BoundedZip::open(bytes, crate::bounded_zip::CSV_ZIP_LIMITS).map_err(
            |e| {
                ImportError::new(
                    file,
                    "file",
                    format!("not a readable zip file: {}", e.message),
                )
            },
        )?;
    let names: Vec<String> = archive
        .names()
        .into_iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .collect();
    let [name] = names.as_slice() else {
        return Err(ImportError::new(
            file,
            "file",
            format!(
                "the zip file must hold exactly one .csv file; it holds {}",
                names.len()
            ),
        ));
    };
    archive.read(name).map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_and_stray_ampersands_kept() {
        assert_eq!(decode_entities("&#40;Unknown&#41;"), "(Unknown)");
        assert_eq!(
            decode_entities("Trinidad & Tobago &amp; more &#x41;"),
            "Trinidad & Tobago & more A"
        );
        assert_eq!(decode_entities("&#99999999;"), "&#99999999;");
    }

    #[test]
    fn non_utf8_is_located() {
        let err = utf8_text(b"a,b\nc,\xE9t\xE9\n", "x.csv").unwrap_err();
        assert_eq!(err.place, "line 2, byte 6");
        assert!(utf8_text(b"\xEF\xBB\xBFa,b", "x.csv").is_ok_and(|t| t == "a,b"));
        assert!(utf8_text(b"", "x.csv").is_err());
        assert!(
            utf8_text(b"\xFF\xFEa\0", "x.csv")
                .unwrap_err()
                .message
                .contains("UTF-16")
        );
    }
}
