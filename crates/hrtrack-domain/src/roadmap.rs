//! Coded values of the Roadmap: people's roles, kinds of institution, the states of an action,
//! of a progress report and of an assessment, the implementation scale, and the reporting
//! period an assessment is made for. Each is stored and sent as its snake_case code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Declares a closed set of codes: the enum, `ALL`, `as_str`, `parse` and `Display`.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn parse(text: &str) -> Result<Self, ParseError> {
                let code = text.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == code)
                    .ok_or_else(|| ParseError::new($what, text, concat!("one of: ", $($code, " "),+)))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

codes! {
    /// What a signed-in person may do; anonymous visitors are the public.
    Role, "role" {
        Administrator => "administrator",
        Coordinator => "coordinator",
        FocalPoint => "focal_point",
        Reviewer => "reviewer",
        DataProvider => "data_provider",
        Statistician => "statistician",
    }
}

codes! {
    /// Where a submission of SDG data stands: sent by a data provider and waiting for a
    /// statistician, returned with a comment, approved and waiting for its embargo time, or
    /// published (it became a version of the indicator's data).
    SubmissionStatus, "submission status" {
        Submitted => "submitted",
        Returned => "returned",
        Approved => "approved",
        Published => "published",
    }
}

codes! {
    /// What kind of body an institution is.
    InstitutionKind, "institution kind" {
        Ministry => "ministry",
        Agency => "agency",
        Parliament => "parliament",
        Court => "court",
        Nhri => "nhri",
        UnAgency => "un_agency",
        CivilSociety => "civil_society",
        Other => "other",
    }
}

codes! {
    /// How an institution takes part in an action besides the lead.
    ActionRole, "action role" {
        Supporting => "supporting",
        Partner => "partner",
    }
}

codes! {
    /// Where an action stands.
    ActionStatus, "action status" {
        Planned => "planned",
        InProgress => "in_progress",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

codes! {
    /// The workflow of a progress report: draft → submitted → returned (with comments, back to
    /// the focal point) or validated → published.
    ReportStatus, "report status" {
        Draft => "draft",
        Submitted => "submitted",
        Returned => "returned",
        Validated => "validated",
        Published => "published",
    }
}

impl ReportStatus {
    /// Whether the workflow allows going from `self` to `next`.
    pub fn can_become(self, next: ReportStatus) -> bool {
        use ReportStatus::*;
        matches!(
            (self, next),
            (Draft | Returned, Submitted)
                | (Submitted, Returned | Validated)
                | (Validated, Published | Returned)
        )
    }

    /// Whether the focal point may still edit the report's narrative, values and evidence.
    pub fn is_editable_by_author(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
}

codes! {
    /// The implementation scale of an assessment.
    ImplementationLevel, "implementation level" {
        NotStarted => "not_started",
        InProgress => "in_progress",
        PartiallyImplemented => "partially_implemented",
        FullyImplemented => "fully_implemented",
        NotApplicable => "not_applicable",
    }
}

codes! {
    /// Whether an assessment is visible to the public.
    AssessmentStatus, "assessment status" {
        Draft => "draft",
        Published => "published",
    }
}

/// The reporting period an assessment is made for: a year (`2025`), a half (`2025-H1`) or a
/// quarter (`2025-Q3`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period(String);

impl Period {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        const EXPECTED: &str =
            "a year such as 2025, a half such as 2025-H1 or a quarter such as 2025-Q3";
        let text = text.trim();
        let (year, part) = match text.split_once('-') {
            Some((year, part)) => (year, Some(part)),
            None => (text, None),
        };
        let year_ok = year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && ("1990".."2200").contains(&year);
        let part_ok = match part {
            None => true,
            Some(part) => matches!(part, "H1" | "H2" | "Q1" | "Q2" | "Q3" | "Q4"),
        };
        if year_ok && part_ok {
            Ok(Period(text.to_owned()))
        } else {
            Err(ParseError::new("period", text, EXPECTED))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Period {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, ParseError> {
        Period::parse(&value)
    }
}

impl From<Period> for String {
    fn from(value: Period) -> String {
        value.0
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(*role));
        }
        for level in ImplementationLevel::ALL {
            assert_eq!(ImplementationLevel::parse(&level.to_string()), Ok(*level));
        }
        let error = Role::parse("root").unwrap_err();
        assert!(error.to_string().contains("focal_point"), "{error}");
    }

    #[test]
    fn report_workflow() {
        use ReportStatus::*;
        assert!(Draft.can_become(Submitted));
        assert!(Submitted.can_become(Returned));
        assert!(Returned.can_become(Submitted));
        assert!(Submitted.can_become(Validated));
        assert!(Validated.can_become(Published));
        assert!(!Draft.can_become(Published));
        assert!(!Draft.can_become(Validated));
        assert!(!Published.can_become(Draft));
        assert!(!Published.can_become(Returned));
        assert!(Returned.is_editable_by_author());
        assert!(!Submitted.is_editable_by_author());
    }

    #[test]
    fn periods() {
        for good in ["2025", "2025-H1", "2024-Q4"] {
            assert_eq!(Period::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "", "25", "2025-H3", "2025-q1", "20255", "2025-", "abcd", "3000",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
