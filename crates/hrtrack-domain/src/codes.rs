//! Small coded values of the registry: a State's position, UPR cycle and session, the
//! mechanism a recommendation came from, the UN regional group, a paragraph reference.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The position of the State under review on a recommendation.
///
/// UPR Info says "Accepted" where OHCHR says "Supported"; older matrices write a partial
/// acceptance as "Supported/Noted". All of these parse to one of four values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Supported,
    SupportedInPart,
    Noted,
    Pending,
}

impl Position {
    pub const ALL: [Position; 4] = [
        Position::Supported,
        Position::SupportedInPart,
        Position::Noted,
        Position::Pending,
    ];

    /// Reads the wording of OHCHR matrices, UPR Info and the Russian labels.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let norm = text
            .trim()
            .trim_end_matches('.')
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" / ", "/");
        Ok(match norm.as_str() {
            "supported" | "accepted" | "support" | "accept" | "поддержана" | "поддержано" => {
                Position::Supported
            }
            "supported in part"
            | "supported_in_part"
            | "partially supported"
            | "partially accepted"
            | "supported/noted"
            | "accepted/noted"
            | "поддержана частично"
            | "частично поддержана" => Position::SupportedInPart,
            "noted" | "rejected" | "not accepted" | "no clear response" | "принята к сведению" => {
                Position::Noted
            }
            "pending" | "under consideration" | "в рассмотрении" => Position::Pending,
            _ => {
                return Err(ParseError::new(
                    "position",
                    text,
                    "supported, supported in part, noted or pending",
                ));
            }
        })
    }

    /// The stable code used in the database, the API and exports.
    pub fn code(self) -> &'static str {
        match self {
            Position::Supported => "supported",
            Position::SupportedInPart => "supported_in_part",
            Position::Noted => "noted",
            Position::Pending => "pending",
        }
    }

    /// The English label a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Position::Supported => "Supported",
            Position::SupportedInPart => "Supported in part",
            Position::Noted => "Noted",
            Position::Pending => "Pending",
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A UPR cycle (1 = 2008–2011 … 4 = 2022–2027), or the cycle number a treaty body uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cycle(u8);

impl Cycle {
    pub fn new(n: u8) -> Result<Self, ParseError> {
        if (1..=20).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParseError::new(
                "cycle",
                &n.to_string(),
                "a number from 1 to 20",
            ))
        }
    }

    /// Reads `4`, `4th`, `4th Cycle`, `Fourth`, `Second Cycle`.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let lower = text.trim().to_lowercase();
        let word = lower.trim_end_matches("cycle").trim();
        let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
        let rest = &word[digits.len()..];
        let n = if !digits.is_empty() && matches!(rest, "" | "st" | "nd" | "rd" | "th") {
            digits.parse::<u8>().ok()
        } else {
            ["first", "second", "third", "fourth", "fifth", "sixth"]
                .iter()
                .position(|w| *w == word)
                .map(|i| i as u8 + 1)
        };
        n.map_or_else(
            || {
                Err(ParseError::new(
                    "cycle",
                    text,
                    "a number such as 4 or '4th Cycle'",
                ))
            },
            Self::new,
        )
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A session of the UPR Working Group (Turkmenistan: 3, 16, 30, 44) or of a treaty body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Session(u16);

impl Session {
    pub fn new(n: u16) -> Result<Self, ParseError> {
        if (1..=999).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParseError::new(
                "session",
                &n.to_string(),
                "a number from 1 to 999",
            ))
        }
    }

    /// Reads `48`, `48th`, `48th session`.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let lower = text.trim().to_lowercase();
        let word = lower.trim_end_matches("session").trim();
        let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
        let rest = &word[digits.len()..];
        match digits.parse::<u16>() {
            Ok(n) if matches!(rest, "" | "st" | "nd" | "rd" | "th") => Self::new(n),
            _ => Err(ParseError::new(
                "session",
                text,
                "a number such as 44 or '44th session'",
            )),
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The body a recommendation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Mechanism {
    #[serde(rename = "UPR")]
    Upr,
    #[serde(rename = "CCPR")]
    Ccpr,
    #[serde(rename = "CESCR")]
    Cescr,
    #[serde(rename = "CAT")]
    Cat,
    #[serde(rename = "CERD")]
    Cerd,
    #[serde(rename = "CEDAW")]
    Cedaw,
    #[serde(rename = "CRC")]
    Crc,
    #[serde(rename = "CRPD")]
    Crpd,
    #[serde(rename = "CMW")]
    Cmw,
    #[serde(rename = "CED")]
    Ced,
    /// Special procedures of the Human Rights Council (rapporteurs, working groups).
    #[serde(rename = "SP")]
    SpecialProcedures,
    /// A national framework, e.g. a National Human Rights Action Plan.
    #[serde(rename = "NATIONAL")]
    National,
}

impl Mechanism {
    pub const ALL: [Mechanism; 12] = [
        Mechanism::Upr,
        Mechanism::Ccpr,
        Mechanism::Cescr,
        Mechanism::Cat,
        Mechanism::Cerd,
        Mechanism::Cedaw,
        Mechanism::Crc,
        Mechanism::Crpd,
        Mechanism::Cmw,
        Mechanism::Ced,
        Mechanism::SpecialProcedures,
        Mechanism::National,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Mechanism::Upr => "UPR",
            Mechanism::Ccpr => "CCPR",
            Mechanism::Cescr => "CESCR",
            Mechanism::Cat => "CAT",
            Mechanism::Cerd => "CERD",
            Mechanism::Cedaw => "CEDAW",
            Mechanism::Crc => "CRC",
            Mechanism::Crpd => "CRPD",
            Mechanism::Cmw => "CMW",
            Mechanism::Ced => "CED",
            Mechanism::SpecialProcedures => "SP",
            Mechanism::National => "NATIONAL",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let upper = text.trim().to_uppercase();
        let alias = match upper.as_str() {
            "HRC" | "HRCTEE" => "CCPR",
            "SPECIAL PROCEDURES" | "SPECIAL_PROCEDURES" => "SP",
            "NAP" | "NHRAP" | "NATIONAL FRAMEWORK" => "NATIONAL",
            "UNIVERSAL PERIODIC REVIEW" => "UPR",
            other => other,
        };
        Mechanism::ALL
            .into_iter()
            .find(|m| m.code() == alias)
            .ok_or_else(|| {
                ParseError::new(
                    "mechanism",
                    text,
                    "UPR, a treaty body code (CCPR…CED), SP or NATIONAL",
                )
            })
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The five UN regional groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RegionalGroup {
    #[serde(rename = "African")]
    African,
    #[serde(rename = "Asia-Pacific")]
    AsiaPacific,
    #[serde(rename = "Eastern European")]
    EasternEuropean,
    #[serde(rename = "GRULAC")]
    Grulac,
    #[serde(rename = "WEOG")]
    Weog,
}

impl RegionalGroup {
    pub const ALL: [RegionalGroup; 5] = [
        RegionalGroup::African,
        RegionalGroup::AsiaPacific,
        RegionalGroup::EasternEuropean,
        RegionalGroup::Grulac,
        RegionalGroup::Weog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RegionalGroup::African => "African",
            RegionalGroup::AsiaPacific => "Asia-Pacific",
            RegionalGroup::EasternEuropean => "Eastern European",
            RegionalGroup::Grulac => "GRULAC",
            RegionalGroup::Weog => "WEOG",
        }
    }

    /// Reads the UN names and UPR Info's short forms (`Africa`, `Asia`, `EEG`).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let norm = text.trim().to_lowercase().replace(['-', '_'], " ");
        Ok(match norm.as_str() {
            "african" | "africa" | "african group" => RegionalGroup::African,
            "asia pacific" | "asia" | "asia pacific group" | "apg" => RegionalGroup::AsiaPacific,
            "eastern european" | "eeg" | "eastern europe" | "eastern european group" => {
                RegionalGroup::EasternEuropean
            }
            "grulac" | "latin american and caribbean" => RegionalGroup::Grulac,
            "weog" | "western european and others" => RegionalGroup::Weog,
            _ => {
                return Err(ParseError::new(
                    "regional group",
                    text,
                    "African, Asia-Pacific, Eastern European, GRULAC or WEOG",
                ));
            }
        })
    }
}

impl fmt::Display for RegionalGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A paragraph reference of a Working Group report, such as `140.7` or `28.212`.
///
/// The trailing dot some matrices print (`186.28.`) is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Paragraph(String);

impl Paragraph {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let trimmed = text.trim().trim_end_matches('.');
        let mut parts = trimmed.split('.');
        let valid = !trimmed.is_empty()
            && trimmed.len() <= 16
            && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
            && trimmed.starts_with(|c: char| c.is_ascii_digit());
        if valid {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(ParseError::new(
                "paragraph",
                text,
                "a reference such as 140.7",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Paragraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
