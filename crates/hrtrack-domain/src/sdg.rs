//! SDG codes: goal `16`, target `16.3` or `5.a`, indicator `5.5.1` or `1.a.2`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ParseError;

/// One of the 17 Sustainable Development Goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SdgGoal(u8);

impl SdgGoal {
    pub fn new(n: u8) -> Result<Self, ParseError> {
        if (1..=17).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParseError::new(
                "SDG goal",
                &n.to_string(),
                "a number from 1 to 17",
            ))
        }
    }

    /// Reads `16`, `SDG 16`, `Goal 16`, `16 - PEACE, JUSTICE…` (the number leads).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let lower = text.trim().to_lowercase();
        let rest = lower
            .trim_start_matches("sdg")
            .trim_start_matches("goal")
            .trim_start();
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].trim_start();
        let bad = || ParseError::new("SDG goal", text, "a number from 1 to 17, e.g. 'SDG 16'");
        if digits.is_empty() || (!after.is_empty() && !after.starts_with(['-', ':', '–', '.'])) {
            return Err(bad());
        }
        digits
            .parse::<u8>()
            .map_err(|_| bad())
            .and_then(|n| Self::new(n).map_err(|_| bad()))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for SdgGoal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An SDG target: goal and a number (`16.3`) or a letter for means of implementation (`5.a`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdgTarget {
    goal: SdgGoal,
    target: String,
}

impl SdgTarget {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::new("SDG target", text, "a code such as 16.3 or 5.a");
        let trimmed = text.trim();
        let (goal, target) = trimmed.split_once('.').ok_or_else(bad)?;
        let goal = goal
            .parse::<u8>()
            .ok()
            .and_then(|g| SdgGoal::new(g).ok())
            .ok_or_else(bad)?;
        let target = target.to_lowercase();
        let valid = match target.as_bytes() {
            [c] if c.is_ascii_lowercase() => true,
            digits if !digits.is_empty() && digits.len() <= 2 => {
                target.parse::<u8>().is_ok_and(|n| n >= 1)
            }
            _ => false,
        };
        if valid {
            Ok(Self { goal, target })
        } else {
            Err(bad())
        }
    }

    pub fn goal(&self) -> SdgGoal {
        self.goal
    }

    /// The code as written, `16.3`.
    pub fn code(&self) -> String {
        format!("{}.{}", self.goal, self.target)
    }
}

impl fmt::Display for SdgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.goal, self.target)
    }
}

impl Serialize for SdgTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SdgTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An SDG indicator such as `5.5.1` or `1.a.2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdgIndicator {
    target: SdgTarget,
    number: u8,
}

impl SdgIndicator {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::new("SDG indicator", text, "a code such as 5.5.1 or 1.a.2");
        let trimmed = text.trim();
        let (target, number) = trimmed.rsplit_once('.').ok_or_else(bad)?;
        let target = SdgTarget::parse(target).map_err(|_| bad())?;
        let number = number
            .parse::<u8>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(bad)?;
        Ok(Self { target, number })
    }

    pub fn target(&self) -> &SdgTarget {
        &self.target
    }
}

impl fmt::Display for SdgIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.target, self.number)
    }
}
