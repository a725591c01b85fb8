//! Writing HTML by hand, safely: [`escape`] for every text that is not our own markup,
//! [`url_encode`] and [`QueryString`] for links, [`highlight`] for matched words, and
//! [`layout`] for the frame every page shares (landmarks, skip link, language switcher).
//!
//! Why no template engine: the pages are few and small, and a hand-written writer keeps
//! the build free of proc-macro crates (builds run on two cores). The rule that keeps it
//! safe: every value that comes from the database, a file or the request goes through
//! [`escape`] (or [`url_encode`] inside an attribute's URL, which is then escaped too).

use std::fmt::Write as _;
use std::sync::LazyLock;

use crate::i18n::Lang;

/// `text` with `& < > " '` replaced by entities: safe in element content and quoted
/// attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` percent-encoded for a query-string value or a path segment.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A query string built from name–value pairs, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryString {
    pairs: Vec<(String, String)>,
}

impl QueryString {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// The value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A copy with `name` set to `value` (replacing any value it had).
    pub fn with(&self, name: &str, value: &str) -> Self {
        let mut copy = self.without(name);
        copy.pairs.push((name.to_owned(), value.to_owned()));
        copy
    }

    /// A copy without `name`.
    pub fn without(&self, name: &str) -> Self {
        Self {
            pairs: self
                .pairs
                .iter()
                .filter(|(n, _)| n != name)
                .cloned()
                .collect(),
        }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// `path?a=1&b=2` (just `path` when empty), encoded, not yet HTML-escaped.
    pub fn url(&self, path: &str) -> String {
        if self.pairs.is_empty() {
            return path.to_owned();
        }
        let query: Vec<String> = self
            .pairs
            .iter()
            .map(|(n, v)| format!("{}={}", url_encode(n), url_encode(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }

    /// [`QueryString::url`], escaped for an `href`.
    pub fn href(&self, path: &str) -> String {
        escape(&self.url(path))
    }
}

/// `text` escaped, with every case-insensitive occurrence of one of `words` wrapped in
/// `<mark>`. Matching is done on the raw text and each piece escaped on its own, so marks
/// never split an entity.
pub fn highlight(text: &str, words: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let needles: Vec<Vec<char>> = words
        .iter()
        .map(|w| w.chars().map(lower_char).collect::<Vec<_>>())
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<char> = chars.iter().copied().map(lower_char).collect();
    let mut marked = vec![false; chars.len()];
    for needle in &needles {
        if needle.len() > lower.len() {
            continue;
        }
        for start in 0..=lower.len() - needle.len() {
            if lower[start..start + needle.len()] == needle[..] {
                marked[start..start + needle.len()].fill(true);
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let inside = marked[i];
        let end = (i..chars.len())
            .find(|&j| marked[j] != inside)
            .unwrap_or(chars.len());
        let piece: String = chars[i..end].iter().collect();
        if inside {
            let _ = write!(out, "<mark>{}</mark>", escape(&piece));
        } else {
            out.push_str(&escape(&piece));
        }
        i = end;
    }
    out
}

/// One character in lower case (its first character where lower case takes several), so
/// that text and query keep their lengths.
fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The words of a search query worth marking: split on spaces, quotes and operators
/// dropped.
pub fn query_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Our stylesheet.
pub const STYLESHEET: &str = include_str!("../static/hrtrack.css");

/// A short fingerprint of the stylesheet, put in its URL so a long cache never serves an
/// old one.
pub static STYLESHEET_VERSION: LazyLock<String> = LazyLock::new(|| {
    let hash = STYLESHEET.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:08x}", hash >> 32)
});

/// Where the page is: its path and query, for the language switcher.
pub struct Here<'a> {
    pub path: &'a str,
    pub query: &'a QueryString,
}

/// The whole page: `<head>`, header with navigation and language switcher, `main` holding
/// `body` (already HTML), footer.
pub fn layout(lang: Lang, title: &str, here: &Here<'_>, body: &str) -> String {
    let mut switcher = String::new();
    for other in Lang::ALL {
        let href = here.query.with("lang", other.code()).href(here.path);
        if other == lang {
            let _ = write!(
                switcher,
                "<li><a href=\"{href}\" lang=\"{code}\" hreflang=\"{code}\" aria-current=\"true\">{name}</a></li>",
                code = other.code(),
                name = other.native_name()
            );
        } else {
            let _ = write!(
                switcher,
                "<li><a href=\"{href}\" lang=\"{code}\" hreflang=\"{code}\">{name}</a></li>",
                code = other.code(),
                name = other.native_name()
            );
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · {site}</title>\n\
         <link rel=\"stylesheet\" href=\"/static/hrtrack.css?v={version}\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#content\">{skip}</a>\n\
         <header class=\"site\">\n<p class=\"brand\"><a href=\"/\">{site}</a></p>\n\
         <nav aria-label=\"{main_nav}\"><ul>\
         <li><a href=\"/\">{home}</a></li>\
         <li><a href=\"/recommendations\">{recs}</a></li>\
         <li><a href=\"/sdg\">{sdg}</a></li>\
         <li><a href=\"/roadmap\">{roadmap}</a></li>\
         <li><a href=\"/api/v1/docs\">{api}</a></li>\
         <li><a href=\"/account\">{account}</a></li></ul></nav>\n\
         <nav aria-label=\"{language}\" class=\"languages\"><ul>{switcher}</ul></nav>\n</header>\n\
         <main id=\"content\" tabindex=\"-1\">\n{body}\n</main>\n\
         <footer class=\"site\"><p>{footer}</p></footer>\n</body>\n</html>\n",
        code = lang.code(),
        title = escape(title),
        site = escape(lang.text("site.name")),
        version = *STYLESHEET_VERSION,
        skip = escape(lang.text("nav.skip")),
        home = escape(lang.text("nav.home")),
        recs = escape(lang.text("nav.recommendations")),
        api = escape(lang.text("nav.api")),
        roadmap = escape(lang.text("nav.roadmap")),
        sdg = escape(lang.text("nav.sdg")),
        account = escape(lang.text("nav.account")),
        main_nav = escape(lang.text("nav.main")),
        language = escape(lang.text("nav.language")),
        footer = escape(lang.text("footer.text")),
    )
}
