//! Time periods as SDMX writes them, from the ways national files write them.
//!
//! [`sdmx_period`] takes a period cell and returns the SDMX period it means: `2015`,
//! `2015-03`, `2015-03-31`, the reporting periods `2015-Q1`, `2015-S1`, `2015-M03`, `2015-W12`,
//! `2015-T1`, `2015-A1`, and time ranges that start on a date (`2019-07-01/P1Y`). Common
//! spellings of quarters and half-years (`2013 Q1`, `2013Q1`, `2013-q1`, `Q1 2013`,
//! `2013 H2`) become their SDMX form. A period that names two years (`2019/20`, `2019-2020`)
//! has no SDMX form without knowing when the year starts: it is refused with the two ways to
//! write it. Anything else is refused as not a period.

/// The SDMX period a cell means, or why it is none (with a suggestion where one helps).
pub fn sdmx_period(cell: &str) -> Result<String, String> {
    let text = cell.trim();
    if text.is_empty() {
        return Err("the period is blank".to_owned());
    }
    if is_sdmx_period(text) {
        return Ok(text.to_owned());
    }
    if let Some(period) = respelled(text) {
        return Ok(period);
    }
    if let Some((first, second)) = two_years(text) {
        return Err(format!(
            "{cell:?} spans the years {first} and {second}, and SDMX has no such period: write \
             it as a time range from its first day ({first}-07-01/P1Y for a July–June year, \
             {first}-09-01/P1Y for a school year) or as the one year it is reported under \
             ({first} or {second})"
        ));
    }
    Err(format!(
        "{cell:?} is not a period (e.g. 2015, 2015-Q1, 2015-03, 2015-03-31, 2019-07-01/P1Y)"
    ))
}

/// Whether the text is already an SDMX period (see the module doc).
pub fn is_sdmx_period(text: &str) -> bool {
    if let Some((start, duration)) = text.split_once('/') {
        return is_date(start) && is_duration(duration);
    }
    let b = text.as_bytes();
    if !year(text) {
        return false;
    }
    if b.len() == 4 {
        return true;
    }
    if b.get(4) != Some(&b'-') {
        return false;
    }
    let rest = &text[5..];
    if is_date(text) || month(rest) {
        return true;
    }
    let Some(kind) = rest.chars().next() else {
        return false;
    };
    let number = &rest[kind.len_utf8()..];
    let n: Option<u32> = (!number.is_empty() && number.bytes().all(|c| c.is_ascii_digit()))
        .then(|| number.parse().ok())
        .flatten();
    match (kind, n) {
        ('A', Some(1)) => number.len() == 1,
        ('S', Some(1..=2)) => number.len() == 1,
        ('T', Some(1..=3)) => number.len() == 1,
        ('Q', Some(1..=4)) => number.len() == 1,
        ('M', Some(1..=12)) => number.len() == 2,
        ('W', Some(1..=53)) => number.len() == 2,
        ('D', Some(1..=366)) => number.len() == 3,
        _ => false,
    }
}

/// Four digits.
fn year(text: &str) -> bool {
    text.len() >= 4 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit)
}

/// Two digits from 01 to 12.
fn month(text: &str) -> bool {
    text.len() == 2
        && text.bytes().all(|b| b.is_ascii_digit())
        && matches!(text.parse::<u32>(), Ok(1..=12))
}

/// `YYYY-MM-DD` with a day the month can have (29 February only in leap years).
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !year(text) {
        return false;
    }
    if !month(&text[5..7]) || !text[8..].bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        text[..4].parse::<u32>(),
        text[5..7].parse::<u32>(),
        text[8..].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&d)
}

/// An ISO 8601 duration of years, months, weeks or days: `P1Y`, `P6M`, `P1Y6M`, `P7D`.
fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let mut digits = 0;
    let mut parts = 0;
    let mut last = 0;
    for c in rest.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            continue;
        }
        let order = match c {
            'Y' => 1,
            'M' => 2,
            'W' => 3,
            'D' => 4,
            _ => return false,
        };
        if digits == 0 || order <= last {
            return false;
        }
        last = order;
        digits = 0;
        parts += 1;
    }
    parts > 0 && digits == 0
}

/// `2013 Q1`, `2013Q1`, `2013-q1`, `Q1 2013`, `Q1-2013`, `2013 H1`, `2013 S2` → `2013-Q1`, …
fn respelled(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .collect::<String>()
        .to_ascii_uppercase();
    let (year, part) = if year(&compact) {
        (compact.get(..4)?, compact.get(4..)?)
    } else {
        let at = compact.len().checked_sub(4)?;
        let (part, year) = (compact.get(..at)?, compact.get(at..)?);
        if !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        (year, part)
    };
    let (kind, number) = match part.as_bytes() {
        [b'Q', n @ b'1'..=b'4'] => ('Q', *n),
        [b'H' | b'S', n @ b'1'..=b'2'] => ('S', *n),
        _ => return None,
    };
    Some(format!("{year}-{kind}{}", char::from(number)))
}

/// The two years a period such as `2019/20`, `2019/2020`, `2019-20` or `2019–2020` names,
/// when the second is the year after the first.
fn two_years(text: &str) -> Option<(u32, u32)> {
    let (first, second) = text.split_once(['/', '-', '–'])?;
    if first.len() != 4 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let second = second.trim();
    if !second.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let first: u32 = first.parse().ok()?;
    let second: u32 = match second.len() {
        2 => first / 100 * 100 + second.parse::<u32>().ok()?,
        4 => second.parse().ok()?,
        _ => return None,
    };
    let second = if second < first { second + 100 } else { second };
    (second == first + 1).then_some((first, second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdmx_periods_pass_and_spellings_become_sdmx() {
        for p in [
            "2015",
            "2015-Q1",
            "2015-03",
            "2015-03-31",
            "2016-02-29",
            "2015-M03",
            "2015-S2",
            "2015-A1",
            "2015-W53",
            "2019-07-01/P1Y",
            "2019-07-01/P1Y6M",
        ] {
            assert_eq!(sdmx_period(p).as_deref(), Ok(p), "{p}");
        }
        for (p, sdmx) in [
            ("2013 Q1", "2013-Q1"),
            ("2013Q4", "2013-Q4"),
            ("2013-q2", "2013-Q2"),
            ("Q3 2013", "2013-Q3"),
            ("2013 H2", "2013-S2"),
        ] {
            assert_eq!(sdmx_period(p).as_deref(), Ok(sdmx), "{p}");
        }
    }

    #[test]
    fn two_year_periods_and_others_are_refused_with_a_reason() {
        for p in ["2019/20", "2019/2020", "2019-20", "1999/00"] {
            let why = sdmx_period(p).unwrap_err();
            assert!(why.contains("SDMX has no such period"), "{p}: {why}");
            assert!(why.contains("-07-01/P1Y"), "{why}");
        }
        assert!(
            sdmx_period("1999/00")
                .unwrap_err()
                .contains("1999 and 2000")
        );
        for p in [
            "20x0",
            "2015-13",
            "2015-02-30",
            "2015-Q5",
            "2015/P1Y",
            "2015-07-01/1Y",
        ] {
            let why = sdmx_period(p).unwrap_err();
            assert!(why.contains("is not a period"), "{p}: {why}");
        }
        assert_eq!(sdmx_period("").unwrap_err(), "the period is blank");
    }
}
