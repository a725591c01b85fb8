//! Country names as the UN and NGO files write them, resolved to one country each.
//!
//! The bundled `data/countries.csv` gives every State its ISO codes, UN regional group and the
//! name variants seen in UN files. Names are compared through [`name_key`], which ignores case,
//! accents, apostrophe style, a leading "the", punctuation and spacing.

use std::collections::HashMap;

use sqlx::Row;

use crate::{Store, StoreError};

/// The comparison key of a country name: `"Côte d’Ivoire"` and `"cote d'ivoire"` share one.
pub fn name_key(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        let c = fold_accent(c);
        match c {
            '’' | '‘' | '`' | '´' | 'ʼ' => folded.push('\''),
            ',' | '.' | '*' => folded.push(' '),
            '–' | '—' => folded.push('-'),
            c => folded.extend(c.to_lowercase()),
        }
    }
    let words: Vec<&str> = folded.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// Maps the accented Latin letters of country names to their base letter.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => 'A',
        'ç' | 'č' | 'ć' => 'c',
        'Ç' | 'Č' | 'Ć' => 'C',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ě' => 'E',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' => 'I',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => 'O',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        'š' | 'ş' | 'ś' => 's',
        'Š' | 'Ş' | 'Ś' => 'S',
        'ž' | 'ź' | 'ż' => 'z',
        'Ž' | 'Ź' | 'Ż' => 'Z',
        'ğ' => 'g',
        'Ğ' => 'G',
        other => other,
    }
}

/// One country as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Country {
    pub id: i64,
    pub iso3: String,
    pub name: String,
    pub regional_group: Option<String>,
}

/// Every known spelling, loaded once per import or query.
pub struct CountryIndex {
    by_key: HashMap<String, i64>,
    by_id: HashMap<i64, Country>,
}

impl CountryIndex {
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let rows = sqlx::query("SELECT id, iso3, name, regional_group FROM countries")
            .fetch_all(&store.pool)
            .await?;
        let mut by_id = HashMap::with_capacity(rows.len());
        for row in rows {
            let country = Country {
                id: row.try_get("id")?,
                iso3: row.try_get("iso3")?,
                name: row.try_get("name")?,
                regional_group: row.try_get("regional_group")?,
            };
            by_id.insert(country.id, country);
        }
        let names = sqlx::query("SELECT name_key, country_id FROM country_names")
            .fetch_all(&store.pool)
            .await?;
        let mut by_key = HashMap::with_capacity(names.len());
        for row in names {
            by_key.insert(
                row.try_get::<String, _>("name_key")?,
                row.try_get::<i64, _>("country_id")?,
            );
        }
        Ok(Self { by_key, by_id })
    }

    /// The country a name (any variant) or an ISO 3166 alpha-3 code stands for.
    pub fn resolve(&self, name: &str) -> Option<&Country> {
        let key = name_key(name);
        if let Some(id) = self.by_key.get(&key) {
            return self.by_id.get(id);
        }
        let code = name.trim().to_ascii_uppercase();
        self.by_id.values().find(|c| c.iso3 == code)
    }

    pub fn get(&self, id: i64) -> Option<&Country> {
        self.by_id.get(&id)
    }

    /// A State name or ISO code that must resolve, as a filter value from a user.
    pub fn require(&self, name: &str) -> Result<&Country, StoreError> {
        self.resolve(name).ok_or_else(|| {
            StoreError::InvalidFilter(format!(
                "unknown State {name:?}: give a name or an ISO 3166 alpha-3 code"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn keys_ignore_case_accents_and_punctuation() {
        assert_eq!(name_key("Côte d’Ivoire"), name_key("cote d'ivoire"));
        assert_eq!(name_key("Türkiye"), "turkiye");
        assert_eq!(name_key("The  Netherlands"), "netherlands");
        assert_eq!(
            name_key("Iran (Islamic Republic of)"),
            "iran (islamic republic of)"
        );
        assert_ne!(
            name_key("Congo"),
            name_key("Democratic Republic of the Congo")
        );
    }
}
