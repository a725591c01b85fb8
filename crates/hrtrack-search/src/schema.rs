//! The index's fields and text analysers. Every recommendation is one document:
//!
//! - `uid` (raw, stored): the stable id, the key callers fetch the record by;
//! - `ordinal` (fast): its place in registry order, the tie-break between equal scores;
//! - `paragraph` (raw): for the filter by paragraph reference;
//! - `review` (raw): `ISO3/MECHANISM/cycle`, to replace one review's documents on refresh;
//! - `text` (stored only): the verbatim text, for snippets;
//! - `text_en`, `text_ru`: the text under the English and the Russian stemmer, with positions
//!   (for phrases). Every text goes into both: each stemmer leaves the other alphabet alone,
//!   and the stored language code is not always right;
//! - `text_words`: the text lowercased, unstemmed: exact words and prefixes (as-you-type);
//! - `facets`: one facet per filterable value, `/position/supported`, `/theme/…` (see
//!   the `facets` module).

use tantivy::Index;
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

/// Analyser names as registered with the index.
pub(crate) const ENGLISH_ANALYZER: &str = "hrtrack_en";
pub(crate) const RUSSIAN_ANALYZER: &str = "hrtrack_ru";
pub(crate) const WORDS_ANALYZER: &str = "hrtrack_words";

/// Tokens longer than this (in bytes) are dropped: no real word is, and huge tokens bloat the
/// term dictionary.
const LONGEST_TOKEN: usize = 60;

/// The fields of the schema, resolved once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub uid: Field,
    pub ordinal: Field,
    pub paragraph: Field,
    pub review: Field,
    pub text: Field,
    pub text_en: Field,
    pub text_ru: Field,
    pub text_words: Field,
    pub facets: Field,
}

/// The name of the ordinal fast field, which the tie-break reads by name.
pub(crate) const ORDINAL_FIELD: &str = "ordinal";
/// The name of the facet field, which the facet collector reads by name.
pub(crate) const FACETS_FIELD: &str = "facets";

/// The schema every hrtrack index has, and its fields.
pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analysed = |analyzer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        uid: builder.add_text_field("uid", STRING | STORED),
        ordinal: builder.add_u64_field(ORDINAL_FIELD, FAST | INDEXED),
        paragraph: builder.add_text_field("paragraph", STRING),
        review: builder.add_text_field("review", STRING),
        text: builder.add_text_field("text", STORED),
        text_en: builder.add_text_field(
            "text_en",
            analysed(ENGLISH_ANALYZER, IndexRecordOption::WithFreqsAndPositions),
        ),
        text_ru: builder.add_text_field(
            "text_ru",
            analysed(RUSSIAN_ANALYZER, IndexRecordOption::WithFreqsAndPositions),
        ),
        text_words: builder.add_text_field(
            "text_words",
            analysed(WORDS_ANALYZER, IndexRecordOption::WithFreqs),
        ),
        facets: builder.add_facet_field(FACETS_FIELD, FacetOptions::default()),
    };
    (builder.build(), fields)
}

/// Registers the analysers with an index (they are not stored in it, so this runs on every
/// open).
pub(crate) fn register_analyzers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(ENGLISH_ANALYZER, stemming_analyzer(Language::English));
    tokenizers.register(RUSSIAN_ANALYZER, stemming_analyzer(Language::Russian));
    tokenizers.register(WORDS_ANALYZER, words_analyzer());
}

/// Words, lowercased, unstemmed.
pub(crate) fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .build()
}

/// Words, lowercased, stemmed for `language`. It splits words exactly as
/// [`words_analyzer`] does, which the query builder relies on.
pub(crate) fn stemming_analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .filter(LowerCaser)
        .filter(Stemmer::new(language))
        .build()
}
