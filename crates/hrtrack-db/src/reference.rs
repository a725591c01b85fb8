//! The reference data bundled in the binary: countries with their name variants and UN
//! regional groups, and the SDG framework (17 goals, 169 targets, the indicators) with
//! English, Russian and Turkmen titles. Loaded into the database on open, again only when
//! the bundled files change (their fingerprint is kept in `meta`).

use std::collections::HashMap;

use hrtrack_domain::RegionalGroup;
use sqlx::{Any, Transaction};

use crate::countries::name_key;
use crate::sql::{ROWS_PER_INSERT, fingerprint, values_list};
use crate::{Backend, Store, StoreError};

const COUNTRIES: &str = include_str!("../../../data/countries.csv");
const SDG_GOALS: &str = include_str!("../../../data/sdg/sdg_goals.csv");
const SDG_TARGETS: &str = include_str!("../../../data/sdg/sdg_targets.csv");
const SDG_INDICATORS: &str = include_str!("../../../data/sdg/sdg_indicators.csv");
const SDG_TITLES: &str = include_str!("../../../data/sdg/open_sdg_titles_en_ru_tk.csv");

const META_KEY: &str = "reference_data";

fn bundled_fingerprint() -> String {
    let all = [
        COUNTRIES,
        SDG_GOALS,
        SDG_TARGETS,
        SDG_INDICATORS,
        SDG_TITLES,
    ]
    .concat();
    fingerprint(all.as_bytes())
}

pub(crate) async fn load_if_changed(store: &Store) -> Result<(), StoreError> {
    let wanted = bundled_fingerprint();
    let current: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(META_KEY)
        .fetch_optional(&store.pool)
        .await?;
    if current.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    let mut tx = store.pool.begin().await?;
    if store.backend == Backend::Postgres {
        // Two servers starting at once on a new database: one loads, the other waits.
        sqlx::query("LOCK TABLE meta IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    load_countries(&mut tx, store.backend).await?;
    load_sdg(&mut tx, store.backend).await?;
    // Country names and groups feed the statistics: counted again on next request.
    sqlx::query("DELETE FROM stats_cache")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(META_KEY)
    .bind(&wanted)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn csv_rows(name: &str, text: &str) -> Result<Vec<csv::StringRecord>, StoreError> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Reference(format!("{name}: {e}")))
}

async fn load_countries(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
) -> Result<(), StoreError> {
    let rows = csv_rows("countries.csv", COUNTRIES)?;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO countries (iso3, iso2, name, regional_group) VALUES {} \
             ON CONFLICT (iso3) DO UPDATE SET iso2 = excluded.iso2, name = excluded.name, \
             regional_group = excluded.regional_group",
            values_list(backend, chunk.len(), 4)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            let group = row.get(3).filter(|g| !g.is_empty());
            if let Some(group) = group {
                RegionalGroup::parse(group)
                    .map_err(|e| StoreError::Reference(format!("countries.csv: {e}")))?;
            }
            query = query
                .bind(row.get(0).unwrap_or_default().to_owned())
                .bind(row.get(1).filter(|s| !s.is_empty()).map(str::to_owned))
                .bind(row.get(2).unwrap_or_default().to_owned())
                .bind(group.map(str::to_owned));
        }
        query.execute(&mut **tx).await?;
    }
    let ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT iso3, id FROM countries")
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let mut names: HashMap<String, i64> = HashMap::new();
    for row in &rows {
        let iso3 = row.get(0).unwrap_or_default();
        let id = ids[iso3];
        let variants = std::iter::once(row.get(2).unwrap_or_default())
            .chain(row.get(4).unwrap_or_default().split(';'))
            .map(str::trim)
            .filter(|v| !v.is_empty());
        for variant in variants {
            if let Some(other) = names.insert(name_key(variant), id)
                && other != id
            {
                return Err(StoreError::Reference(format!(
                    "countries.csv: the name {variant:?} belongs to two countries"
                )));
            }
        }
    }
    sqlx::query("DELETE FROM country_names")
        .execute(&mut **tx)
        .await?;
    let names: Vec<(String, i64)> = names.into_iter().collect();
    for chunk in names.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO country_names (name_key, country_id) VALUES {}",
            values_list(backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, id) in chunk {
            query = query.bind(key.clone()).bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Titles in the three languages by level and code (`goal`/`1`, `target`/`1.a`).
type Titles = HashMap<(String, String), csv::StringRecord>;

async fn load_sdg(tx: &mut Transaction<'static, Any>, backend: Backend) -> Result<(), StoreError> {
    let titles: Titles = csv_rows("open_sdg_titles_en_ru_tk.csv", SDG_TITLES)?
        .into_iter()
        .map(|r| ((r[0].to_owned(), r[1].to_owned()), r))
        .collect();
    let lookup = |level: &str, code: &str, column: usize| -> Option<String> {
        titles
            .get(&(level.to_owned(), code.to_owned()))
            .and_then(|r| r.get(column))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };

    for row in csv_rows("sdg_goals.csv", SDG_GOALS)? {
        let goal = &row[0];
        let number: i64 = goal
            .parse()
            .map_err(|_| StoreError::Reference(format!("sdg_goals.csv: goal {goal:?}")))?;
        let text =
            |column: usize| lookup("goal", goal, column).unwrap_or_else(|| row[1].to_owned());
        sqlx::query(
            "INSERT INTO sdg_goals (goal, title_en, title_ru, title_tk, short_en, short_ru, short_tk) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (goal) DO UPDATE SET \
             title_en = excluded.title_en, title_ru = excluded.title_ru, title_tk = excluded.title_tk, \
             short_en = excluded.short_en, short_ru = excluded.short_ru, short_tk = excluded.short_tk",
        )
        .bind(number)
        .bind(row[1].to_owned())
        .bind(text(4))
        .bind(text(5))
        .bind(text(6))
        .bind(text(7))
        .bind(text(8))
        .execute(&mut **tx)
        .await?;
    }

    let targets = csv_rows("sdg_targets.csv", SDG_TARGETS)?;
    let sql = format!(
        "INSERT INTO sdg_targets (code, goal, title_en, title_ru, title_tk) VALUES {} \
         ON CONFLICT (code) DO UPDATE SET title_en = excluded.title_en, \
         title_ru = excluded.title_ru, title_tk = excluded.title_tk",
        values_list(backend, targets.len(), 5)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in &targets {
        let goal: i64 = row[0]
            .parse()
            .map_err(|_| StoreError::Reference(format!("sdg_targets.csv: goal {:?}", &row[0])))?;
        query = query
            .bind(row[1].to_owned())
            .bind(goal)
            .bind(row[2].to_owned())
            .bind(lookup("target", &row[1], 4))
            .bind(lookup("target", &row[1], 5));
    }
    query.execute(&mut **tx).await?;

    let indicators: Vec<_> = csv_rows("sdg_indicators.csv", SDG_INDICATORS)?
        .into_iter()
        .filter(|r| !r[2].is_empty())
        .collect();
    let sql = format!(
        "INSERT INTO sdg_indicators (code, target, title_en, title_ru, title_tk, unsd_code) VALUES {} \
         ON CONFLICT (code) DO UPDATE SET title_en = excluded.title_en, title_ru = excluded.title_ru, \
         title_tk = excluded.title_tk, unsd_code = excluded.unsd_code",
        values_list(backend, indicators.len(), 6)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in &indicators {
        query = query
            .bind(row[2].to_owned())
            .bind(row[1].to_owned())
            .bind(row[3].to_owned())
            .bind(lookup("indicator", &row[2], 4))
            .bind(lookup("indicator", &row[2], 5))
            .bind(Some(row[4].to_owned()).filter(|c| !c.is_empty()));
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
