//! The calendar year of each UPR Working Group session (sessions 1–53), from the bundled
//! `data/upr/upr_sessions_years.csv`, so that a review read from a file that gives only its
//! session still carries its date.

use std::sync::LazyLock;

const SESSIONS_YEARS: &str = include_str!("../../../data/upr/upr_sessions_years.csv");

static YEARS: LazyLock<Vec<(u16, u16)>> = LazyLock::new(|| {
    SESSIONS_YEARS
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (session, year) = line.split_once(',')?;
            Some((session.trim().parse().ok()?, year.trim().parse().ok()?))
        })
        .collect()
});

/// The year of a UPR Working Group session, as ISO 8601 text (`"2013"`), where known.
pub fn year_of_session(session: u16) -> Option<String> {
    YEARS
        .iter()
        .find(|(s, _)| *s == session)
        .map(|(_, year)| year.to_string())
}

#[cfg(test)]
mod tests {
    use super::year_of_session;

    #[test]
    fn turkmenistan_sessions() {
        assert_eq!(year_of_session(3).as_deref(), Some("2008"));
        assert_eq!(year_of_session(16).as_deref(), Some("2013"));
        assert_eq!(year_of_session(44).as_deref(), Some("2023"));
        assert_eq!(year_of_session(999), None);
    }
}
