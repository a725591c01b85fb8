//! Text cells that a spreadsheet must not run: the one rule every CSV and XLSX writer of
//! hrtrack applies ([`safe_cell`]), and its inverse for hrtrack's own readers
//! ([`unsafe_cell`]).
//!
//! A spreadsheet opening a CSV (or a user pressing Enter in an XLSX text cell) runs a cell
//! that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula. As OWASP
//! advises, such a text cell is written with a single quote `'` in front, which spreadsheets
//! show as text. A cell that is wholly a decimal number (`-3.5`, `+2`, `1e-3`) is left as it
//! is: it cannot be a formula, and numbers stay numbers. Numeric value columns are not text
//! and are never passed here.
//!
//! The rule is reversible: the quote is added to every text matching `'*[=+\-@\t\r]…`
//! (leading quotes included, so that a text that itself begins with `'=` gets one more), and
//! [`unsafe_cell`] removes exactly one quote from every cell matching `'+[=+\-@\t\r]…`. So a
//! file hrtrack wrote reads back to the original texts, and a quote that hrtrack's rule could
//! not have added is kept. The readers that apply it: `import table` without a mapping (the
//! export's own layout; a ministry's table read with a mapping is taken verbatim) and the SDG
//! readers of the formats hrtrack writes (template, Open SDG CSV, SDMX-CSV).

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a spreadsheet-safe text cell: with a `'` in front when it begins (after any
/// quotes) with `=`, `+`, `-`, `@`, a tab or a CR, unless it is wholly a decimal number.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    let after_quotes = text.trim_start_matches('\'');
    let risky = after_quotes.starts_with(TRIGGERS);
    if !risky || (after_quotes.len() == text.len() && is_decimal(text)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("'{text}"))
}

/// The text [`safe_cell`] was given, for a cell it wrote: one leading `'` removed when
/// quotes are followed by `=`, `+`, `-`, `@`, a tab or a CR; any other cell unchanged.
pub fn unsafe_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(TRIGGERS) => rest,
        _ => cell,
    }
}

/// Whether `text` is a plain decimal number: an optional sign, digits with at most one
/// point (at least one digit), and an optional exponent.
fn is_decimal(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mut digits = 0;
    let mut points = 0;
    for c in mantissa.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => points += 1,
            _ => return false,
        }
    }
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    digits > 0 && points <= 1 && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_a_quote_and_come_back() {
        for (text, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+7 999 123", "'+7 999 123"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''-", "'''-"),
            ("-", "'-"),
            ("'-3.5", "''-3.5"),
        ] {
            assert_eq!(safe_cell(text), written, "{text:?}");
            assert_eq!(unsafe_cell(written), text, "{written:?}");
        }
    }

    #[test]
    fn other_cells_stay_as_they_are() {
        for text in [
            "", "plain", "-3.5", "+2", "1e-3", "-0.5E+7", "'quoted", "'", "''", "a=b", " =x",
            "140.7",
        ] {
            assert_eq!(safe_cell(text), text, "{text:?}");
            assert_eq!(unsafe_cell(text), text, "{text:?}");
        }
        // Not numbers: the sign alone, two points, a bare exponent.
        for text in ["-", "-1.2.3", "-e5", "-1e", "-inf", "-NaN"] {
            assert_eq!(safe_cell(text), format!("'{text}"), "{text:?}");
        }
    }
}
