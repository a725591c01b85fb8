//! The Roadmap's pages: server-rendered forms for signing in, accounts, institutions,
//! roadmaps, clusters, actions, indicators, progress reports with evidence, assessments,
//! the calendar, the inbox and the audit log; working without JavaScript.

use axum::Router;

use crate::AppState;

/// The Roadmap's page routes (merged into the application's router).
pub fn routes() -> Router<AppState> {
    Router::new()
}
