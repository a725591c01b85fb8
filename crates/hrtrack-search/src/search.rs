//! Running a search: the query, its facet counts, one page of hits ordered by relevance
//! (ties in registry order) and a snippet of each with its matched words marked.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use hrtrack_db::RecommendationFilter;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::Language;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader, TantivyDocument, Term};

use crate::facets::{self, Facets};
use crate::query::Analyzers;
use crate::schema::{self, FACETS_FIELD, ORDINAL_FIELD};
use crate::{SearchError, SearchIndex};

/// The largest page a search returns; larger limits are cut to it.
pub const MAX_PAGE: usize = 1000;
/// Snippets are at most this long (characters, roughly).
const SNIPPET_CHARS: usize = 200;

/// What to look for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct SearchQuery {
    /// What the person typed (see the crate docs for what it means); empty matches all.
    pub text: String,
    /// Facet filters; its `text` is ignored (the search text is [`SearchQuery::text`]).
    pub filter: RecommendationFilter,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return, at most [`MAX_PAGE`].
    pub limit: usize,
}

/// One page of results, with the total and the facet counts of the whole result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many recommendations match (all pages).
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// One matching recommendation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Its stable id: fetch the record from the store with it.
    pub uid: String,
    /// Relevance (BM25); equal for all hits of an empty text.
    pub score: f32,
    pub snippet: Snippet,
}

/// A passage of the text with the matched words marked, as plain text: callers escape
/// `text` for their output and wrap the ranges themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges `(start, end)` of `text` that matched, in order, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

impl SearchIndex {
    /// Searches the index as last built or refreshed. Never panics on any text; the only
    /// errors are an unknown State name in the filter and failures of the index itself.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.run(query, true)
    }

    /// As [`SearchIndex::search`] without counting the facets (they come back empty): for
    /// callers that show only the hits, since counting them costs most of a broad query.
    pub fn search_hits(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.run(query, false)
    }

    fn run(&self, query: &SearchQuery, with_facets: bool) -> Result<SearchResults, SearchError> {
        let fields = self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let countries = self.built_from().countries.clone();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for facet in facets::required_by(&query.filter, countries.as_deref())? {
            clauses.push(must_have(Term::from_facet(fields.facets, &facet)));
        }
        if let Some(uid) = &query.filter.uid {
            clauses.push(must_have(Term::from_field_text(fields.uid, uid.trim())));
        }
        if let Some(paragraph) = &query.filter.paragraph {
            let paragraph = paragraph.trim().trim_end_matches('.');
            clauses.push(must_have(Term::from_field_text(
                fields.paragraph,
                paragraph,
            )));
        }
        let mut analyzers = Analyzers {
            english: schema::stemming_analyzer(Language::English),
            russian: schema::stemming_analyzer(Language::Russian),
            words: schema::words_analyzer(),
        };
        let built = analyzers.build(&query.text, &fields, &searcher);
        if let Some(text_query) = built.query {
            clauses.push((Occur::Must, text_query));
        }
        let tantivy_query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };

        let limit = query.limit.min(MAX_PAGE);
        let total_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let past_the_end = limit == 0 || query.offset >= total_docs;
        // Built only for a page within the result: past the end its sizes could overflow.
        let top_docs = || {
            TopDocs::with_limit(limit)
                .and_offset(query.offset)
                .tweak_score(score_then_registry_order)
        };
        let (total, facets, top) = match (with_facets, past_the_end) {
            (true, true) => {
                let collector = (Count, facets::collector(FACETS_FIELD));
                let (total, counts) = searcher.search(&tantivy_query, &collector)?;
                (total, Facets::from_counts(&counts), Vec::new())
            }
            (true, false) => {
                let collector = (Count, facets::collector(FACETS_FIELD), top_docs());
                let (total, counts, top) = searcher.search(&tantivy_query, &collector)?;
                (total, Facets::from_counts(&counts), top)
            }
            (false, true) => (
                searcher.search(&tantivy_query, &Count)?,
                Facets::default(),
                Vec::new(),
            ),
            (false, false) => {
                let (total, top) = searcher.search(&tantivy_query, &(Count, top_docs()))?;
                (total, Facets::default(), top)
            }
        };

        let generators: Vec<SnippetGenerator> = built
            .highlight_terms
            .into_iter()
            .filter_map(|(field, terms)| {
                let analyzer = searcher.index().tokenizer_for_field(field).ok()?;
                let weighted: BTreeMap<String, Score> =
                    terms.into_iter().map(|term| (term, 1.0)).collect();
                Some(SnippetGenerator::new(
                    weighted,
                    analyzer,
                    field,
                    SNIPPET_CHARS,
                ))
            })
            .collect();
        let mut hits = Vec::with_capacity(top.len());
        for ((score, _registry_order), address) in top {
            hits.push(self.hit(&searcher, address, score, &generators)?);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: Score,
        generators: &[SnippetGenerator],
    ) -> Result<Hit, SearchError> {
        let fields = self.inner.fields;
        let document: TantivyDocument = searcher.doc(address)?;
        let stored = |field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let text = stored(fields.text);
        Ok(Hit {
            uid: stored(fields.uid),
            score,
            snippet: best_snippet(&text, generators),
        })
    }
}

/// A required term (filters: they narrow without scoring much).
fn must_have(term: Term) -> (Occur, Box<dyn Query>) {
    (
        Occur::Must,
        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
    )
}

/// The sort key of a hit: its score, then its place in registry order (earlier first), so
/// equal scores come out in a stable, meaningful order.
fn score_then_registry_order(
    segment: &SegmentReader,
) -> impl Fn(DocId, Score) -> (Score, Reverse<u64>) + use<> {
    let ordinals = segment.fast_fields().u64(ORDINAL_FIELD).ok();
    move |doc, score| {
        let ordinal = ordinals
            .as_ref()
            .and_then(|column| column.first(doc))
            .unwrap_or(u64::MAX);
        (score, Reverse(ordinal))
    }
}

/// The snippet with the most matched words among the text fields' analysers (a word may
/// have matched by its English stem, its Russian stem or as typed); the start of the text
/// when nothing matched (an empty search, or a match by filter only).
fn best_snippet(text: &str, generators: &[SnippetGenerator]) -> Snippet {
    let mut best: Option<tantivy::snippet::Snippet> = None;
    for snippet in generators.iter().map(|generator| generator.snippet(text)) {
        let matched = snippet.highlighted().len();
        if matched > best.as_ref().map_or(0, |b| b.highlighted().len()) {
            best = Some(snippet);
        }
    }
    match best {
        Some(snippet) => Snippet {
            text: snippet.fragment().to_owned(),
            highlights: snippet
                .highlighted()
                .iter()
                .map(|range| (range.start, range.end))
                .collect(),
        },
        None => Snippet {
            text: leading_text(text),
            highlights: Vec::new(),
        },
    }
}

/// The start of `text`, cut at a word boundary near [`SNIPPET_CHARS`] characters.
fn leading_text(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(SNIPPET_CHARS) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let at_word = head.rfind(char::is_whitespace).unwrap_or(cut);
    format!("{}…", head[..at_word].trim_end())
}
