//! The schema migrations of both backends, embedded in the binary. The SQL lives in
//! `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql` (same numbers);
//! sqlx's migrator applies them in order and records them in `_sqlx_migrations`.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::Backend;

/// (version, description, SQLite SQL, PostgreSQL SQL), oldest first.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "registry",
        include_str!("../../../migrations/sqlite/0001_registry.sql"),
        include_str!("../../../migrations/postgres/0001_registry.sql"),
    ),
    (
        2,
        "roadmap",
        include_str!("../../../migrations/sqlite/0002_roadmap.sql"),
        include_str!("../../../migrations/postgres/0002_roadmap.sql"),
    ),
    (
        3,
        "sdg_data",
        include_str!("../../../migrations/sqlite/0003_sdg_data.sql"),
        include_str!("../../../migrations/postgres/0003_sdg_data.sql"),
    ),
    (
        4,
        "sdg_platform",
        include_str!("../../../migrations/sqlite/0004_sdg_platform.sql"),
        include_str!("../../../migrations/postgres/0004_sdg_platform.sql"),
    ),
    (
        5,
        "recommendation_documents",
        include_str!("../../../migrations/sqlite/0005_recommendation_documents.sql"),
        include_str!("../../../migrations/postgres/0005_recommendation_documents.sql"),
    ),
    (
        6,
        "login_throttle",
        include_str!("../../../migrations/sqlite/0006_login_throttle.sql"),
        include_str!("../../../migrations/postgres/0006_login_throttle.sql"),
    ),
    (
        7,
        "sdg_base_version",
        include_str!("../../../migrations/sqlite/0007_sdg_base_version.sql"),
        include_str!("../../../migrations/postgres/0007_sdg_base_version.sql"),
    ),
];

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sqlx::SqlSafeStr::into_sql_str(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}
