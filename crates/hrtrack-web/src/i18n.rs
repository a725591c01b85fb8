//! The interface languages (Turkmen, Russian, English) and their messages.
//!
//! Messages live in `i18n/{en,ru,tk}.txt`, one `key = text` a line (`#` starts a comment),
//! embedded in the binary and parsed once. A key missing from a language falls back to
//! English, then to the key itself; a test keeps the three files on the same keys.
//!
//! The language of a request is, in order: a valid `?lang=` (which the page also stores in
//! the `lang` cookie), the `lang` cookie, the first supported language of
//! `Accept-Language`, English.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, header};

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
    Tk,
}

impl Lang {
    /// Every language, in the order of the switcher.
    pub const ALL: [Lang; 3] = [Lang::Tk, Lang::Ru, Lang::En];

    /// The BCP 47 code, used in `lang=`, the cookie and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Tk => "tk",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
            Lang::Tk => "Türkmençe",
        }
    }

    /// `en`, `ru` or `tk` (any case, with or without a region such as `ru-RU`).
    pub fn parse(text: &str) -> Option<Lang> {
        let primary = text.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            "tk" => Some(Lang::Tk),
            _ => None,
        }
    }

    /// The message `key` in this language.
    pub fn text(self, key: &str) -> &'static str {
        let own = catalogue(self).get(key);
        let english = catalogue(Lang::En).get(key);
        match own.or(english) {
            Some(text) => text,
            None => {
                tracing::warn!(key, "missing message");
                "?"
            }
        }
    }

    /// The message `key` with each `{name}` replaced by its value.
    pub fn format(self, key: &str, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.text(key).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// `n` as an ordinal for messages such as "cycle {cycle}": the number itself in English and
/// Russian (whose messages put it after the noun), and with its suffix in Turkmen, where the
/// suffix follows the vowels of the number's last word: `4-nji`, `6-njy`, `10-njy`.
pub fn ordinal(lang: Lang, n: i64) -> String {
    if lang != Lang::Tk {
        return n.to_string();
    }
    let last = n.rem_euclid(10);
    let tens = n.rem_euclid(100) / 10;
    let back_vowel = match (last, tens) {
        // alty, dokuz
        (6 | 9, _) => true,
        (1..=9, _) => false,
        // ýüz, müň: front vowels
        (0, 0) => false,
        // on, otuz, kyrk, altmyş, togsan
        (0, 1 | 3 | 4 | 6 | 9) => true,
        _ => false,
    };
    format!("{n}-{}", if back_vowel { "njy" } else { "nji" })
}

/// The message files as embedded.
pub const MESSAGE_FILES: [(Lang, &str); 3] = [
    (Lang::En, include_str!("../i18n/en.txt")),
    (Lang::Ru, include_str!("../i18n/ru.txt")),
    (Lang::Tk, include_str!("../i18n/tk.txt")),
];

/// `key = text` lines into a map; blank lines and `#` comments are skipped.
pub fn parse_messages(source: &str) -> HashMap<String, String> {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, text)| (key.trim().to_owned(), text.trim().to_owned()))
        .collect()
}

type Catalogue = HashMap<String, String>;

static CATALOGUES: LazyLock<[Catalogue; 3]> =
    LazyLock::new(|| MESSAGE_FILES.map(|(_, source)| parse_messages(source)));

fn catalogue(lang: Lang) -> &'static Catalogue {
    let index = MESSAGE_FILES
        .iter()
        .position(|(l, _)| *l == lang)
        .unwrap_or(0);
    &CATALOGUES[index]
}

/// The language a request asks for, and whether it came from `?lang=` (then the answer
/// sets the cookie).
pub fn choose(lang_param: Option<&str>, headers: &HeaderMap) -> (Lang, bool) {
    if let Some(lang) = lang_param.and_then(Lang::parse) {
        return (lang, true);
    }
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Lang::parse(value));
    if let Some(lang) = from_cookie {
        return (lang, false);
    }
    (accepted_language(headers).unwrap_or(Lang::En), false)
}

/// The supported language with the highest weight in `Accept-Language`.
fn accepted_language(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(Lang, f32)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else {
            continue;
        };
        let weight = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
            best = Some((lang, weight));
        }
    }
    best.map(|(lang, _)| lang)
}

/// The `Set-Cookie` value that remembers `lang` for a year.
pub fn cookie(lang: Lang) -> HeaderValue {
    HeaderValue::from_static(match lang {
        Lang::En => "lang=en; Path=/; Max-Age=31536000; SameSite=Lax",
        Lang::Ru => "lang=ru; Path=/; Max-Age=31536000; SameSite=Lax",
        Lang::Tk => "lang=tk; Path=/; Max-Age=31536000; SameSite=Lax",
    })
}
