//! Calendar dates and reporting schedules: a [`Date`] parsed once from `YYYY-MM-DD`, the
//! reporting [`Frequency`] of a Roadmap indicator, and the [`due_dates`] it generates.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A calendar date (proleptic Gregorian), between 1900 and 2200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    const EXPECTED: &'static str = "a date written YYYY-MM-DD, between 1900 and 2200";

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1900..=2200).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    pub fn parse(text: &str) -> Result<Date, ParseError> {
        let error = || ParseError::new("date", text, Self::EXPECTED);
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(error());
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10))
        else {
            return Err(error());
        };
        Date::from_ymd(year as i32, month as u8, day as u8).ok_or_else(error)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// Today in UTC.
    pub fn today_utc() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_unix_epoch((secs / 86_400) as i64)
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    pub fn days_since_unix_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (before it when negative).
    pub fn from_days_since_unix_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_unix_epoch(self.days_since_unix_epoch() + days)
    }

    /// The same day `months` later (or earlier), clamped to the month's last day.
    pub fn add_months(self, months: i32) -> Date {
        let index = self.year * 12 + i32::from(self.month) - 1 + months;
        let year = index.div_euclid(12);
        let month = (index.rem_euclid(12) + 1) as u8;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    /// Days from `self` to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_unix_epoch() - self.days_since_unix_epoch()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Self, ParseError> {
        Date::parse(text)
    }
}

impl TryFrom<String> for Date {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, ParseError> {
        Date::parse(&value)
    }
}

impl From<Date> for String {
    fn from(value: Date) -> String {
        value.to_string()
    }
}

/// How often an indicator is reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::HalfYearly,
        Frequency::Yearly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::HalfYearly => "half_yearly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn months(self) -> i32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::HalfYearly => 6,
            Frequency::Yearly => 12,
        }
    }

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == text.trim())
            .ok_or_else(|| {
                ParseError::new(
                    "reporting frequency",
                    text,
                    "one of: monthly quarterly half_yearly yearly",
                )
            })
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most due dates one schedule yields (50 years of monthly reports).
pub const MAX_DUE_DATES: usize = 600;

/// The due dates of reports on an activity running from `start` to `end`: the end of each
/// period of `frequency` counted from `start` (`start` + k periods, each computed from `start`
/// so that clamped month ends do not drift), and `end` itself when the last period is cut
/// short. Empty when `end` is before `start`; at most [`MAX_DUE_DATES`].
pub fn due_dates(start: Date, end: Date, frequency: Frequency) -> Vec<Date> {
    let mut dates = Vec::new();
    if end < start {
        return dates;
    }
    for k in 1..=MAX_DUE_DATES as i32 {
        let due = start.add_months(k * frequency.months());
        if due > end {
            break;
        }
        dates.push(due);
    }
    if dates.last() != Some(&end) && dates.len() < MAX_DUE_DATES {
        dates.push(end);
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn parse_and_print() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "",
            "2024-01-0x",
            "1800-01-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arithmetic() {
        assert_eq!(d("2024-01-31").add_months(1), d("2024-02-29"));
        assert_eq!(d("2023-11-16").add_months(27), d("2026-02-16"));
        assert_eq!(d("2024-12-31").add_days(1), d("2025-01-01"));
        assert_eq!(d("2024-01-01").days_until(d("2025-01-01")), 366);
        assert_eq!(
            Date::from_days_since_unix_epoch(d("2000-02-29").days_since_unix_epoch()),
            d("2000-02-29")
        );
    }

    #[test]
    fn schedules() {
        let dates = due_dates(d("2024-01-31"), d("2024-12-31"), Frequency::Quarterly);
        let shown: Vec<String> = dates.iter().map(Date::to_string).collect();
        assert_eq!(
            shown,
            ["2024-04-30", "2024-07-31", "2024-10-31", "2024-12-31"]
        );
        assert_eq!(
            due_dates(d("2024-01-01"), d("2025-01-01"), Frequency::Yearly),
            [d("2025-01-01")]
        );
        assert!(due_dates(d("2025-01-01"), d("2024-01-01"), Frequency::Monthly).is_empty());
        assert_eq!(
            due_dates(d("1900-01-01"), d("2200-12-31"), Frequency::Monthly).len(),
            MAX_DUE_DATES
        );
    }
}
