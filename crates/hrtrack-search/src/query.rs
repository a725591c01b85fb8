//! From what a person typed to a tantivy query, without tantivy's query syntax: the text is
//! never "wrong", so hostile input (unbalanced quotes, `AND OR`, `field:value`, markup, SQL)
//! is just words.
//!
//! - Words outside quotes must all match (AND), each in any of its forms: English stem,
//!   Russian stem or the exact word.
//! - `"a phrase"` must match as a phrase (under either stemmer); an unclosed quote runs to the
//!   end of the text.
//! - The last word, when the text does not end in a space or a quote, also matches as a prefix
//!   of exact words (as-you-type): `tortu` finds "torture".
//! - Everything else (punctuation, operators, markup) separates words and is otherwise
//!   ignored. The text is cut at [`MAX_QUERY_CHARS`] characters and at [`MAX_CLAUSES`]
//!   words and phrases.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::schema::Fields;

/// Longer texts are cut here (characters), before anything else.
pub const MAX_QUERY_CHARS: usize = 1000;
/// At most this many words and phrases count; the rest are ignored.
pub const MAX_CLAUSES: usize = 32;
/// A prefix matches at most this many distinct words (the alphabetically first ones).
const MAX_PREFIX_EXPANSIONS: usize = 64;
/// A prefix shorter than this (in characters) matches only as a whole word.
const MIN_PREFIX_CHARS: usize = 2;

/// The three analysers a query goes through.
pub(crate) struct Analyzers {
    pub english: TextAnalyzer,
    pub russian: TextAnalyzer,
    pub words: TextAnalyzer,
}

/// A query ready to run, with the terms its snippets highlight, per text field.
pub(crate) struct BuiltQuery {
    /// `None` when the text has no words: everything matches.
    pub query: Option<Box<dyn Query>>,
    pub highlight_terms: BTreeMap<Field, BTreeSet<String>>,
}

/// One part of the typed text.
#[derive(Debug, PartialEq, Eq)]
enum Part<'a> {
    Words(&'a str),
    Phrase(&'a str),
}

/// Splits the text into runs of words and quoted phrases.
fn split_parts(text: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    for (index, piece) in text.split('"').enumerate() {
        if piece.trim().is_empty() {
            continue;
        }
        parts.push(if index % 2 == 1 {
            Part::Phrase(piece)
        } else {
            Part::Words(piece)
        });
    }
    parts
}

/// The tokens `analyzer` makes of `text`.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The one token `analyzer` makes of a single word, if any.
fn single_token(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    tokens(analyzer, word).into_iter().next()
}

/// Cuts `text` at [`MAX_QUERY_CHARS`] characters.
fn capped(text: &str) -> &str {
    match text.char_indices().nth(MAX_QUERY_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

impl Analyzers {
    /// Builds the query for `text` against the index `searcher` reads (prefixes expand over
    /// its words).
    pub fn build(&mut self, text: &str, fields: &Fields, searcher: &Searcher) -> BuiltQuery {
        let text = capped(text);
        let ends_in_word = text.chars().last().is_some_and(char::is_alphanumeric);
        let parts = split_parts(text);
        let last_part = parts.len().saturating_sub(1);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut highlight_terms: BTreeMap<Field, BTreeSet<String>> = BTreeMap::new();
        let mut highlight = |field: Field, term: &str| {
            highlight_terms
                .entry(field)
                .or_default()
                .insert(term.to_owned());
        };
        for (part_index, part) in parts.iter().enumerate() {
            if clauses.len() >= MAX_CLAUSES {
                break;
            }
            match *part {
                Part::Words(words) => {
                    let words = tokens(&mut self.words, words);
                    let last_word = words.len().saturating_sub(1);
                    for (word_index, word) in words.iter().enumerate() {
                        if clauses.len() >= MAX_CLAUSES {
                            break;
                        }
                        let as_prefix =
                            ends_in_word && part_index == last_part && word_index == last_word;
                        let mut alternatives: Vec<(Field, String)> = Vec::new();
                        if let Some(stem) = single_token(&mut self.english, word) {
                            alternatives.push((fields.text_en, stem));
                        }
                        if let Some(stem) = single_token(&mut self.russian, word) {
                            alternatives.push((fields.text_ru, stem));
                        }
                        alternatives.push((fields.text_words, word.clone()));
                        if as_prefix && word.chars().count() >= MIN_PREFIX_CHARS {
                            for expansion in expand_prefix(searcher, fields.text_words, word) {
                                alternatives.push((fields.text_words, expansion));
                            }
                        }
                        let mut seen = BTreeSet::new();
                        let subqueries: Vec<(Occur, Box<dyn Query>)> = alternatives
                            .into_iter()
                            .filter(|alternative| seen.insert(alternative.clone()))
                            .map(|(field, term)| {
                                highlight(field, &term);
                                let query: Box<dyn Query> = Box::new(TermQuery::new(
                                    Term::from_field_text(field, &term),
                                    IndexRecordOption::WithFreqs,
                                ));
                                (Occur::Should, query)
                            })
                            .collect();
                        clauses.push((Occur::Must, Box::new(BooleanQuery::new(subqueries))));
                    }
                }
                Part::Phrase(phrase) => {
                    let mut subqueries: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                    for (field, analyzer) in [
                        (fields.text_en, &mut self.english),
                        (fields.text_ru, &mut self.russian),
                    ] {
                        let terms = tokens(analyzer, phrase);
                        for term in &terms {
                            highlight(field, term);
                        }
                        let query: Box<dyn Query> = match terms.as_slice() {
                            [] => continue,
                            [single] => Box::new(TermQuery::new(
                                Term::from_field_text(field, single),
                                IndexRecordOption::WithFreqs,
                            )),
                            _ => Box::new(PhraseQuery::new(
                                terms
                                    .iter()
                                    .take(MAX_CLAUSES)
                                    .map(|t| Term::from_field_text(field, t))
                                    .collect(),
                            )),
                        };
                        subqueries.push((Occur::Should, query));
                    }
                    if !subqueries.is_empty() {
                        clauses.push((Occur::Must, Box::new(BooleanQuery::new(subqueries))));
                    }
                }
            }
        }
        BuiltQuery {
            query: (!clauses.is_empty())
                .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>),
            highlight_terms,
        }
    }
}

/// The indexed words of `field` that start with `prefix`, across all segments (at most
/// [`MAX_PREFIX_EXPANSIONS`], the alphabetically first). A segment that cannot be read
/// contributes nothing: a prefix is a convenience, not a promise.
fn expand_prefix(searcher: &Searcher, field: Field, prefix: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let builder = inverted.terms().range().ge(prefix.as_bytes());
        let builder = match prefix_upper_bound(prefix) {
            Some(upper) => builder.lt(upper),
            None => builder,
        };
        let Ok(mut stream) = builder.into_stream() else {
            continue;
        };
        let mut taken = 0;
        while taken < MAX_PREFIX_EXPANSIONS && stream.advance() {
            if let Ok(word) = std::str::from_utf8(stream.key()) {
                found.insert(word.to_owned());
                taken += 1;
            }
        }
    }
    found.into_iter().take(MAX_PREFIX_EXPANSIONS).collect()
}

/// The smallest byte string above every string starting with `prefix`, if there is one.
fn prefix_upper_bound(prefix: &str) -> Option<Vec<u8>> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < u8::MAX {
            bytes.push(last + 1);
            return Some(bytes);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{MAX_QUERY_CHARS, Part, capped, prefix_upper_bound, split_parts};

    #[test]
    fn quotes_split_phrases_and_an_unclosed_quote_runs_to_the_end() {
        assert_eq!(
            split_parts(r#"ratify "optional protocol" torture "death pen"#),
            vec![
                Part::Words("ratify "),
                Part::Phrase("optional protocol"),
                Part::Words(" torture "),
                Part::Phrase("death pen"),
            ]
        );
        assert!(split_parts(r#"""  ""#).is_empty());
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let text = "ж".repeat(MAX_QUERY_CHARS + 5);
        assert_eq!(capped(&text).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(capped("short"), "short");
    }

    #[test]
    fn prefix_bounds() {
        assert_eq!(prefix_upper_bound("tor"), Some(b"tos".to_vec()));
        assert_eq!(prefix_upper_bound("\u{7f}"), Some(vec![0x80]));
    }
}
