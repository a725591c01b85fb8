//! The reference data of the SDG platform in the store: the code lists and the components
//! of the data structure (loaded from an SDMX structure message and national name files,
//! see `hrtrack_sdg::codelists`), the national metadata of each indicator in each language,
//! and the institutions that provide each indicator's data, which statisticians keep.

use std::collections::BTreeMap;

use hrtrack_sdg::codelists::CodeLists;
use hrtrack_sdg::structure::{Code, Codelist, Component, ComponentKind};
use serde::Serialize;
use sqlx::Row;

use crate::clock::now_rfc3339;
use crate::roadmap::{Actor, record_audit};
use crate::sql::{Col, insert_json_rows};
use crate::{Store, StoreError};

/// The national metadata fields of an indicator, in the order pages show them.
pub const METADATA_FIELDS: [&str; 6] = [
    "definition",
    "method",
    "source",
    "agency",
    "contact",
    "last_update",
];

/// The languages metadata is kept in.
pub const METADATA_LANGUAGES: [&str; 3] = ["tk", "ru", "en"];

/// The longest metadata text accepted.
const MAX_METADATA_CHARS: usize = 20_000;

/// How many components and codes a load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeListCounts {
    pub components: usize,
    pub codelists: usize,
    pub codes: usize,
}

fn kind_code(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Dimension => "dimension",
        ComponentKind::TimeDimension => "time",
        ComponentKind::Attribute => "attribute",
        ComponentKind::Measure => "measure",
    }
}

fn kind_of(code: &str) -> ComponentKind {
    match code {
        "time" => ComponentKind::TimeDimension,
        "attribute" => ComponentKind::Attribute,
        "measure" => ComponentKind::Measure,
        _ => ComponentKind::Dimension,
    }
}

impl Store {
    /// Replaces the stored code lists and components by `codes`, in one transaction.
    pub async fn load_sdg_codelists(
        &self,
        codes: &CodeLists,
    ) -> Result<CodeListCounts, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sdg_components")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sdg_codes")
            .execute(&mut *tx)
            .await?;
        let components: Vec<(&str, &str, Option<&str>, i64)> = codes
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.id.as_str(),
                    kind_code(c.kind),
                    c.codelist.as_deref(),
                    i as i64,
                )
            })
            .collect();
        insert_json_rows(
            &mut tx,
            self.backend,
            "sdg_components",
            &[
                ("id", Col::Text),
                ("kind", Col::Text),
                ("codelist", Col::Text),
                ("position", Col::Int),
            ],
            &components,
        )
        .await?;
        type CodeRow<'a> = (
            &'a str,
            &'a str,
            i64,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            i64,
        );
        let mut rows: Vec<CodeRow> = Vec::new();
        let indicators: Vec<Vec<String>> = codes
            .codelists
            .values()
            .flat_map(|list| &list.codes)
            .map(|code| {
                code.indicator
                    .iter()
                    .chain(&code.other_indicators)
                    .cloned()
                    .collect()
            })
            .collect();
        let joined: Vec<String> = indicators.iter().map(|list| list.join(",")).collect();
        let mut joined = joined.iter();
        for list in codes.codelists.values() {
            for (i, code) in list.codes.iter().enumerate() {
                let indicator = joined.next().filter(|text| !text.is_empty());
                let name = |lang: &str| code.names.get(lang).map(String::as_str);
                let additive = list.id == "CL_UNIT_MEASURE" && codes.is_additive_unit(&code.id);
                rows.push((
                    list.id.as_str(),
                    code.id.as_str(),
                    i as i64,
                    name("en").unwrap_or(code.id.as_str()),
                    name("ru"),
                    name("tk"),
                    code.parent.as_deref(),
                    indicator.map(String::as_str),
                    i64::from(additive),
                ));
            }
        }
        insert_json_rows(
            &mut tx,
            self.backend,
            "sdg_codes",
            &[
                ("codelist", Col::Text),
                ("code", Col::Text),
                ("position", Col::Int),
                ("name_en", Col::Text),
                ("name_ru", Col::Text),
                ("name_tk", Col::Text),
                ("parent", Col::Text),
                ("indicator", Col::Text),
                ("additive", Col::Int),
            ],
            &rows,
        )
        .await?;
        // Code names are shown on the public SDG pages.
        crate::changes::bump_public_version(&mut tx).await?;
        tx.commit().await?;
        Ok(CodeListCounts {
            components: components.len(),
            codelists: codes.codelists.len(),
            codes: rows.len(),
        })
    }

    /// The stored code lists (empty when none were loaded: then no code is checked).
    pub async fn sdg_codelists(&self) -> Result<CodeLists, StoreError> {
        let components =
            sqlx::query("SELECT id, kind, codelist FROM sdg_components ORDER BY position")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| {
                    let kind: String = row.try_get("kind")?;
                    Ok(Component {
                        id: row.try_get("id")?,
                        kind: kind_of(&kind),
                        codelist: row.try_get("codelist")?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
        let rows = sqlx::query(
            "SELECT codelist, code, name_en, name_ru, name_tk, parent, indicator, additive \
             FROM sdg_codes ORDER BY codelist, position",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut lists: BTreeMap<String, Codelist> = BTreeMap::new();
        let mut additive = Vec::new();
        for row in &rows {
            let list_id: String = row.try_get("codelist")?;
            let mut names = BTreeMap::new();
            for (lang, column) in [("en", "name_en"), ("ru", "name_ru"), ("tk", "name_tk")] {
                if let Some(name) = row.try_get::<Option<String>, _>(column)? {
                    names.insert(lang.to_owned(), name);
                }
            }
            // The series' indicators, first the main one, comma-separated.
            let indicators: Option<String> = row.try_get("indicator")?;
            let mut indicators = indicators
                .iter()
                .flat_map(|text| text.split(','))
                .map(str::to_owned);
            let code = Code {
                id: row.try_get("code")?,
                names,
                parent: row.try_get("parent")?,
                indicator: indicators.next(),
                other_indicators: indicators.collect(),
            };
            if row.try_get::<i64, _>("additive")? != 0 {
                additive.push(code.id.clone());
            }
            lists
                .entry(list_id.clone())
                .or_insert_with(|| Codelist {
                    id: list_id,
                    agency: String::new(),
                    version: String::new(),
                    codes: Vec::new(),
                })
                .codes
                .push(code);
        }
        let mut codes = CodeLists::new(components, lists.into_values().collect());
        codes.additive_units = additive.into_iter().collect();
        Ok(codes)
    }

    /// An indicator's title in `lang` (`en`, `ru`, `tk`; English where the language has none),
    /// from the SDG framework, or, for a national indicator with data, its code; `None` when
    /// neither knows it.
    pub async fn sdg_indicator_title(
        &self,
        code: &str,
        lang: &str,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT title_en, title_ru, title_tk FROM sdg_indicators WHERE code = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
        if let Some(row) = row {
            let translated: Option<String> = match lang {
                "ru" => row.try_get("title_ru")?,
                "tk" => row.try_get("title_tk")?,
                _ => None,
            };
            let title = match translated.filter(|t| !t.is_empty()) {
                Some(title) => title,
                None => row.try_get("title_en")?,
            };
            return Ok(Some(title));
        }
        let series: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sdg_series WHERE indicator = $1")
                .bind(code)
                .fetch_one(&self.pool)
                .await?;
        Ok((series > 0).then(|| format!("National indicator {code}")))
    }

    /// Sets an indicator's national metadata in one language: each `(field, text)` given
    /// replaces the stored one; an empty text removes it. Fields outside
    /// [`METADATA_FIELDS`] and languages outside [`METADATA_LANGUAGES`] are refused.
    pub async fn set_sdg_metadata(
        &self,
        actor: &Actor,
        indicator: &str,
        lang: &str,
        fields: &[(String, String)],
    ) -> Result<usize, StoreError> {
        if !METADATA_LANGUAGES.contains(&lang) {
            return Err(StoreError::Invalid(format!(
                "language {lang:?}: one of tk, ru, en"
            )));
        }
        if self.sdg_indicator_title(indicator, "en").await?.is_none() {
            return Err(StoreError::NotFound(format!("SDG indicator {indicator}")));
        }
        let now = now_rfc3339();
        let mut tx = self.write_tx().await?;
        let mut changed = 0;
        let mut audit = serde_json::Map::new();
        for (field, text) in fields {
            if !METADATA_FIELDS.contains(&field.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "metadata field {field:?}: one of {}",
                    METADATA_FIELDS.join(", ")
                )));
            }
            let text = crate::roadmap::optional(field, text, MAX_METADATA_CHARS)?;
            let old: Option<String> = sqlx::query_scalar(
                "SELECT text FROM sdg_metadata WHERE indicator = $1 AND field = $2 AND lang = $3",
            )
            .bind(indicator)
            .bind(field)
            .bind(lang)
            .fetch_optional(&mut *tx)
            .await?;
            if old.as_deref().unwrap_or("") == text {
                continue;
            }
            sqlx::query(
                "DELETE FROM sdg_metadata WHERE indicator = $1 AND field = $2 AND lang = $3",
            )
            .bind(indicator)
            .bind(field)
            .bind(lang)
            .execute(&mut *tx)
            .await?;
            if !text.is_empty() {
                sqlx::query(
                    "INSERT INTO sdg_metadata (indicator, field, lang, text, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(indicator)
                .bind(field)
                .bind(lang)
                .bind(&text)
                .bind(&now)
                .bind(actor.user_id)
                .execute(&mut *tx)
                .await?;
            }
            audit.insert(
                format!("{field}.{lang}"),
                serde_json::json!({"old": old, "new": text}),
            );
            changed += 1;
        }
        if changed > 0 {
            record_audit(
                &mut tx,
                actor,
                "sdg_metadata",
                indicator,
                "updated",
                &serde_json::Value::Object(audit),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The institutions that provide an indicator's data (empty: any data provider may send it).
    pub async fn sdg_providers(&self, indicator: &str) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT institution_id FROM sdg_indicator_providers WHERE indicator = $1 ORDER BY institution_id",
        )
        .bind(indicator)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Makes `institutions` the providers of an indicator's data (an empty list lets any data
    /// provider send it); audited. Unknown or archived institutions are refused.
    pub async fn set_sdg_providers(
        &self,
        actor: &Actor,
        indicator: &str,
        institutions: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        if self.sdg_indicator_title(indicator, "en").await?.is_none() {
            return Err(StoreError::NotFound(format!("SDG indicator {indicator}")));
        }
        let mut wanted: Vec<i64> = institutions.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut tx = self.write_tx().await?;
        for id in &wanted {
            let live: Option<i64> =
                sqlx::query_scalar("SELECT id FROM institutions WHERE id = $1 AND archived = 0")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if live.is_none() {
                return Err(StoreError::Invalid(format!(
                    "institution {id} does not exist or is archived"
                )));
            }
        }
        let before: Vec<i64> = sqlx::query_scalar(
            "SELECT institution_id FROM sdg_indicator_providers WHERE indicator = $1 ORDER BY institution_id",
        )
        .bind(indicator)
        .fetch_all(&mut *tx)
        .await?;
        if before != wanted {
            sqlx::query("DELETE FROM sdg_indicator_providers WHERE indicator = $1")
                .bind(indicator)
                .execute(&mut *tx)
                .await?;
            for id in &wanted {
                sqlx::query(
                    "INSERT INTO sdg_indicator_providers (indicator, institution_id) VALUES ($1, $2)",
                )
                .bind(indicator)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            record_audit(
                &mut tx,
                actor,
                "sdg_providers",
                indicator,
                "updated",
                &serde_json::json!({"institutions": {"old": before, "new": wanted}}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(wanted)
    }

    /// An indicator's stored metadata: `(field, lang) -> text`.
    pub async fn sdg_metadata_texts(
        &self,
        indicator: &str,
    ) -> Result<BTreeMap<(String, String), String>, StoreError> {
        let rows = sqlx::query("SELECT field, lang, text FROM sdg_metadata WHERE indicator = $1")
            .bind(indicator)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    (row.try_get("field")?, row.try_get("lang")?),
                    row.try_get("text")?,
                ))
            })
            .collect()
    }
}
