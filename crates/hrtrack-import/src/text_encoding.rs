//! The text encoding of a CSV file: UTF-8, or one of the two 8-bit encodings that exports
//! from older systems come in (UPR Info's database export is Mac Roman or Windows-1252 as
//! downloaded). [`decode`] takes the encoding the user names, or detects it:
//!
//! 1. Bytes that are valid UTF-8 (after an optional byte-order mark) are UTF-8. Legacy text
//!    with accented letters is almost never valid UTF-8 by chance, as each lead byte must be
//!    followed by the right number of continuation bytes.
//! 2. Otherwise the file is decoded both as Windows-1252 and as Mac Roman, and every
//!    non-ASCII byte is scored in its context for each decoding: a lowercase letter next to an
//!    ASCII letter (`Côte`), an uppercase letter at the start of a word or inside an upper-case
//!    word (`École`, `CÔTE`), and typographic punctuation (`’ “ ” – — …`, no-break space, `« »`,
//!    `€`) score +1; anything else scores −1: symbols (`™ ∂ √ ◊`), an uppercase letter after a
//!    lowercase one (`dÕIvoire`, what Mac Roman's `’` becomes in Windows-1252) or a C1 control.
//!    Bytes that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) count against it.
//!    The higher total wins; a tie goes to Windows-1252, the more common today.
//!
//! Both decodings are `encoding_rs`'s (`WINDOWS_1252`, and `MACINTOSH`, WHATWG's name for
//! Mac Roman).

use std::borrow::Cow;
use std::str::FromStr;

use crate::ImportError;
use crate::input::utf8_text;

/// An encoding a CSV file may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
    MacRoman,
}

impl TextEncoding {
    /// The name `--encoding` takes and reports give.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Windows1252 => "windows-1252",
            Self::MacRoman => "mac-roman",
        }
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" => Ok(Self::Windows1252),
            "mac-roman" | "macroman" | "macintosh" | "mac" => Ok(Self::MacRoman),
            other => Err(format!(
                "unknown encoding {other:?}: use utf-8, windows-1252 or mac-roman"
            )),
        }
    }
}

/// The text of `bytes` in `encoding`, or in the encoding detected (see the module's
/// documentation), with the encoding used. A byte-order mark is dropped; UTF-16 is refused.
pub fn decode<'a>(
    bytes: &'a [u8],
    file: &str,
    encoding: Option<TextEncoding>,
) -> Result<(Cow<'a, str>, TextEncoding), ImportError> {
    let encoding = match encoding {
        Some(encoding) => encoding,
        None => match utf8_text(bytes, file) {
            Ok(text) => return Ok((Cow::Borrowed(text), TextEncoding::Utf8)),
            // Empty files and UTF-16 are refused whatever the encoding.
            Err(e) if e.place != "file" && e.place != "byte 0" => detect_legacy(bytes),
            Err(e) => return Err(e),
        },
    };
    let text = match encoding {
        TextEncoding::Utf8 => Cow::Borrowed(utf8_text(bytes, file)?),
        TextEncoding::Windows1252 => {
            if bytes.is_empty() {
                return Err(ImportError::new(file, "file", "the file is empty"));
            }
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
        TextEncoding::MacRoman => {
            if bytes.is_empty() {
                return Err(ImportError::new(file, "file", "the file is empty"));
            }
            encoding_rs::MACINTOSH.decode_without_bom_handling(bytes).0
        }
    };
    Ok((text, encoding))
}

fn windows_1252_char(byte: u8) -> Option<char> {
    const UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];
    if UNDEFINED.contains(&byte) {
        return None;
    }
    let one = [byte];
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(&one)
        .0
        .chars()
        .next()
}

fn mac_roman_char(byte: u8) -> Option<char> {
    let one = [byte];
    encoding_rs::MACINTOSH
        .decode_without_bom_handling(&one)
        .0
        .chars()
        .next()
}

/// Windows-1252 or Mac Roman, by the score of each decoding (see the module's documentation).
pub fn detect_legacy(bytes: &[u8]) -> TextEncoding {
    let mut windows = 0i64;
    let mut mac = 0i64;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte < 0x80 {
            continue;
        }
        let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = bytes.get(at + 1).copied();
        windows += windows_1252_char(byte).map_or(-1, |c| score(c, before, after));
        let mac_char = mac_roman_char(byte).unwrap_or(char::REPLACEMENT_CHARACTER);
        mac += score(mac_char, before, after);
    }
    if mac > windows {
        TextEncoding::MacRoman
    } else {
        TextEncoding::Windows1252
    }
}

/// +1 when `c` fits between the bytes around it, −1 when it does not.
fn score(c: char, before: Option<u8>, after: Option<u8>) -> i64 {
    const PUNCTUATION: &[char] = &[
        '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2013}', '\u{2014}', '\u{2026}',
        '\u{A0}', '\u{AB}', '\u{BB}', '\u{20AC}', '\u{201A}', '\u{201E}', '\u{2022}',
    ];
    let ascii_letter = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphabetic());
    let lower = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase());
    let upper = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_uppercase());
    let fits = if PUNCTUATION.contains(&c) {
        true
    } else if c.is_lowercase() {
        ascii_letter(before) || ascii_letter(after)
    } else if c.is_uppercase() {
        // At the start of a word, or inside an upper-case one; never after a lowercase letter.
        !lower(before) && (!ascii_letter(before) || upper(before) || !lower(after))
    } else {
        false
    };
    if fits { 1 } else { -1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac_roman(bytes: &[u8]) -> String {
        encoding_rs::MACINTOSH
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }

    #[test]
    fn mac_roman_has_the_known_letters() {
        assert_eq!(
            mac_roman(b"C\x99te d\xD5Ivoire"),
            "C\u{f4}te d\u{2019}Ivoire"
        );
        assert_eq!(
            mac_roman(b"\x8E\xD2\xD3\xD0"),
            "\u{e9}\u{201c}\u{201d}\u{2013}"
        );
    }

    #[test]
    fn legacy_encodings_are_told_apart() {
        assert_eq!(
            detect_legacy(b"C\x99te d\xD5Ivoire"),
            TextEncoding::MacRoman
        );
        assert_eq!(
            detect_legacy(b"C\xF4te d\x92Ivoire"),
            TextEncoding::Windows1252
        );
        assert_eq!(
            detect_legacy(b"\xD2Women\xD5s rights\xD3"),
            TextEncoding::MacRoman
        );
        assert_eq!(
            detect_legacy(b"\x93Women\x92s rights\x94"),
            TextEncoding::Windows1252
        );
        assert_eq!(detect_legacy(b"S\xE3o Tom\xE9"), TextEncoding::Windows1252);
        assert_eq!(detect_legacy(b"S\x8Bo Tom\x8E"), TextEncoding::MacRoman);
    }
}
