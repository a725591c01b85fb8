//! `hrtrack search QUERY` and `hrtrack reindex`: the tantivy index kept beside the database,
//! brought up to date with the database before every search (so imports need not touch it).

use hrtrack_db::Store;
use hrtrack_search::{FacetKind, SearchError, SearchIndex, SearchQuery, Snippet};

use crate::cli::{ReindexArgs, SearchArgs};
use crate::output::out;

/// Facets printed after the hits, with how many values of each.
const FACETS_SHOWN: [(FacetKind, &str); 4] = [
    (FacetKind::State, "State under review"),
    (FacetKind::Position, "Position"),
    (FacetKind::RegionalGroup, "Regional group"),
    (FacetKind::SdgGoal, "SDG goal"),
];

pub async fn search(store: &Store, db: &str, args: &SearchArgs) -> anyhow::Result<()> {
    let index = SearchIndex::open_or_create(&args.index.folder(db))?;
    index.refresh(store).await?;
    let query = SearchQuery {
        text: args.query.clone(),
        filter: args.filter.to_filter(),
        offset: args.offset,
        limit: args.limit,
    };
    let results = match index.search(&query) {
        Err(SearchError::UnknownState(state)) => {
            anyhow::bail!("unknown State {state:?}: give a name or an ISO 3166 alpha-3 code")
        }
        other => other?,
    };
    if args.json {
        out!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(());
    }
    for hit in &results.hits {
        out!("{:<22} {}", hit.uid, marked(&hit.snippet));
    }
    eprintln!(
        "{}–{} of {} recommendations",
        if results.hits.is_empty() {
            0
        } else {
            args.offset + 1
        },
        args.offset + results.hits.len(),
        results.total
    );
    for (kind, label) in FACETS_SHOWN {
        let values: Vec<String> = results
            .facets
            .get(kind)
            .iter()
            .take(6)
            .map(|(value, count)| format!("{value} ({count})"))
            .collect();
        if !values.is_empty() {
            out!("{label}: {}", values.join(", "));
        }
    }
    Ok(())
}

/// The snippet on one line with the matched words between `[` and `]`.
fn marked(snippet: &Snippet) -> String {
    let text = &snippet.text;
    let mut line = String::with_capacity(text.len() + 8);
    let mut at = 0;
    for &(start, end) in &snippet.highlights {
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        line.push_str(&text[at..start]);
        line.push('[');
        line.push_str(&text[start..end]);
        line.push(']');
        at = end;
    }
    line.push_str(&text[at..]);
    line.replace('\n', " ")
}

pub async fn reindex(store: &Store, db: &str, args: &ReindexArgs) -> anyhow::Result<()> {
    let folder = args.index.folder(db);
    let index = SearchIndex::open_or_create(&folder)?;
    let report = index.rebuild(store).await?;
    out!(
        "indexed {} recommendations in {} in {:.2} s",
        report.recommendations,
        folder.display(),
        report.elapsed.as_secs_f64()
    );
    Ok(())
}
