//! The HTML pages: every page in the three languages, the choice of language, the list's
//! facets, paging, highlighting and downloads, escaping of stored text, 404 and 400 pages,
//! the security headers, no inline script or style, and charts whose numbers are the stats.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use hrtrack_db::RecommendationFilter;
use hrtrack_web::i18n::{Lang, MESSAGE_FILES, ordinal, parse_messages};

use crate::support::{Answer, TestApp, each_backend};

/// The pages of the test data, one of each kind.
const PAGES: [&str; 8] = [
    "/",
    "/recommendations",
    "/recommendations?state=SVN&position=supported",
    "/recommendations/SVN-UPR4-140.7",
    "/reviews/SVN/UPR/4",
    "/states/SVN",
    "/states/FRA",
    "/sdg/16",
];

/// The word "Recommendations" of the navigation, per language.
const RECOMMENDATIONS_WORD: [(&str, &str); 3] = [
    ("en", "Recommendations"),
    ("ru", "Рекомендации"),
    ("tk", "Maslahatlar"),
];

/// The HTML has no inline script (a `<script>` without `src`) and no `style` attribute.
fn assert_no_inline_code(html: &str, what: &str) {
    assert!(!html.contains("style="), "{what}: a style attribute");
    let lower = html.to_lowercase();
    for (at, _) in lower.match_indices("<script") {
        let tag_end = lower[at..].find('>').map_or(lower.len(), |end| at + end);
        assert!(
            lower[at..tag_end].contains(" src="),
            "{what}: inline script at {at}"
        );
    }
}

/// A page answer: HTML, with the security headers.
fn assert_html_page(answer: &Answer, status: StatusCode, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.text());
    assert_eq!(
        answer.header("content-type"),
        "text/html; charset=utf-8",
        "{what}"
    );
    assert!(
        answer
            .header("content-security-policy")
            .contains("script-src 'self'"),
        "{what}"
    );
    assert_eq!(answer.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(answer.header("referrer-policy"), "same-origin", "{what}");
    assert_no_inline_code(&answer.text(), what);
}

/// `GET uri`, which must be a 200 page.
async fn page(app: &TestApp, uri: &str) -> String {
    let answer = app.get(uri).await;
    assert_html_page(&answer, StatusCode::OK, uri);
    answer.text()
}

/// `uri` with `lang=code` added.
fn with_lang(uri: &str, code: &str) -> String {
    let joiner = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{joiner}lang={code}")
}

#[test]
fn message_files_have_the_same_keys() {
    let keys: Vec<(Lang, BTreeSet<String>)> = MESSAGE_FILES
        .iter()
        .map(|(lang, source)| (*lang, parse_messages(source).into_keys().collect()))
        .collect();
    let (_, english) = &keys[0];
    assert!(english.len() > 50, "{} keys", english.len());
    for (lang, own) in &keys {
        assert_eq!(
            own.symmetric_difference(english).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{lang:?} differs from English"
        );
    }
    // Every translation has the placeholders of the English text, and no empty text.
    let english = parse_messages(MESSAGE_FILES[0].1);
    let placeholders = |text: &str| -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    };
    for (lang, source) in MESSAGE_FILES {
        for (key, text) in parse_messages(source) {
            assert!(!text.is_empty(), "{lang:?} {key}");
            assert_eq!(
                placeholders(&text),
                placeholders(&english[&key]),
                "{lang:?} {key}"
            );
        }
    }
}

#[test]
fn turkmen_ordinals_follow_the_last_word() {
    let expected = [
        (1, "1-nji"),
        (4, "4-nji"),
        (6, "6-njy"),
        (9, "9-njy"),
        (10, "10-njy"),
        (20, "20-nji"),
        (30, "30-njy"),
        (46, "46-njy"),
        (48, "48-nji"),
        (50, "50-nji"),
        (90, "90-njy"),
        (100, "100-nji"),
    ];
    for (n, text) in expected {
        assert_eq!(ordinal(Lang::Tk, n), text);
    }
    assert_eq!(ordinal(Lang::En, 4), "4");
    assert_eq!(ordinal(Lang::Ru, 48), "48");
}

#[tokio::test]
async fn every_page_in_every_language() {
    each_backend(async |app| {
        let goals = app
            .store
            .sdg_goals()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let goal_16 = goals
            .iter()
            .find(|g| g.goal == 16)
            .unwrap_or_else(|| panic!("no goal 16"));
        for (code, word) in RECOMMENDATIONS_WORD {
            for uri in PAGES {
                let uri = with_lang(uri, code);
                let html = page(app, &uri).await;
                assert!(html.contains(&format!("<html lang=\"{code}\">")), "{uri}");
                assert!(html.contains(word), "{uri}: no {word:?}");
                for landmark in ["<header", "<nav", "<main id=\"content\"", "<footer"] {
                    assert!(html.contains(landmark), "{uri}: no {landmark}");
                }
                assert!(html.contains("href=\"#content\""), "{uri}: no skip link");
                assert!(html.contains("/static/hrtrack.css?v="), "{uri}");
                for other in ["en", "ru", "tk"] {
                    assert!(html.contains(&format!("hreflang=\"{other}\"")), "{uri}");
                }
            }
            let goal_page = page(app, &with_lang("/sdg/16", code)).await;
            let title = match code {
                "ru" => &goal_16.title_ru,
                "tk" => &goal_16.title_tk,
                _ => &goal_16.title_en,
            };
            assert!(goal_page.contains(title.as_str()), "goal 16 in {code}");
        }
        let russian = page(app, "/recommendations?lang=ru&state=SVN").await;
        assert!(russian.contains("Поддержана"));
        assert!(russian.contains("Группа западноевропейских и других государств"));
        assert!(russian.contains("Государство под обзором: Slovenia <a"));
        let turkmen = page(app, "/recommendations?lang=tk").await;
        assert!(turkmen.contains("Goldanyldy"));
        let review = page(app, "/reviews/SVN/UPR/4?lang=tk").await;
        assert!(review.contains("Slovenia: UPR, 4-nji tapgyr"));
        assert!(review.contains("48-nji sessiýa"));
    })
    .await;
}

/// A path, request headers, and the language the page must be in.
type LanguageCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[tokio::test]
async fn language_by_parameter_cookie_then_accept_language() {
    each_backend(async |app| {
        let chosen = app.get("/?lang=ru").await;
        assert!(chosen.text().contains("<html lang=\"ru\">"));
        let cookie = chosen.header("set-cookie");
        assert!(cookie.starts_with("lang=ru"), "{cookie}");
        assert!(
            cookie.contains("Path=/") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );

        let cases: [LanguageCase; 7] = [
            ("/", &[("cookie", "lang=tk")], "tk"),
            ("/", &[("cookie", "theme=dark; lang=ru")], "ru"),
            ("/", &[("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")], "ru"),
            ("/", &[("accept-language", "fr, tk;q=0.3, en;q=0.2")], "tk"),
            ("/", &[("accept-language", "fr, de")], "en"),
            (
                "/?lang=en",
                &[("cookie", "lang=tk"), ("accept-language", "ru")],
                "en",
            ),
            (
                "/",
                &[("cookie", "lang=tk"), ("accept-language", "ru")],
                "tk",
            ),
        ];
        for (uri, headers, code) in cases {
            let answer = app.get_with_headers(uri, headers).await;
            assert_html_page(&answer, StatusCode::OK, uri);
            assert!(
                answer.text().contains(&format!("<html lang=\"{code}\">")),
                "{uri} {headers:?}: not {code}"
            );
        }
        let unknown = app.get("/?lang=xx").await;
        assert!(unknown.text().contains("<html lang=\"en\">"));
        assert!(unknown.headers.get("set-cookie").is_none());
        let plain = app.get("/").await;
        assert!(plain.headers.get("set-cookie").is_none());
    })
    .await;
}

#[tokio::test]
async fn facet_links_keep_the_other_filters() {
    each_backend(async |app| {
        let html = page(app, "/recommendations?state=SVN&q=rights").await;
        // Choosing a position keeps the State and the search words.
        assert!(
            html.contains(
                "href=\"/recommendations?state=SVN&amp;q=rights&amp;position=supported\""
            ),
            "no position link keeping state and q"
        );
        // The chosen State is marked and its link removes it, keeping the words.
        assert!(html.contains("href=\"/recommendations?q=rights\" aria-current=\"true\""));
        // Facets are counted for the current filter: the chosen State's count is the total.
        let total = app
            .get_json("/api/v1/recommendations?state=SVN&q=rights")
            .await["total"]
            .clone();
        assert!(html.contains(&format!(
            "Slovenia</a> <span class=\"count\">({total})</span>"
        )));
        // The search form keeps the filters as hidden fields.
        assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"SVN\">"));
        assert!(html.contains("<label for=\"q\">"));
        // Downloads carry the same filters, without the page's own parameters.
        let paged = page(app, "/recommendations?state=SVN&q=rights&page=2&lang=ru").await;
        assert!(
            paged
                .contains("href=\"/api/v1/recommendations?state=SVN&amp;q=rights&amp;format=csv\"")
        );
        assert!(
            paged.contains(
                "href=\"/api/v1/recommendations?state=SVN&amp;q=rights&amp;format=xlsx\""
            )
        );
        let csv = app
            .get("/api/v1/recommendations?state=SVN&q=rights&format=csv")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn paging_through_the_list() {
    each_backend(async |app| {
        let total = app
            .store
            .count(&RecommendationFilter {
                state: Some("SVN".into()),
                ..RecommendationFilter::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let pages = (total + 19) / 20;
        assert!(pages > 2, "{total}");
        let first = page(app, "/recommendations?state=SVN").await;
        assert!(first.contains(&format!("Page 1 of {pages}")));
        assert!(first.contains("href=\"/recommendations?state=SVN&amp;page=2\" rel=\"next\""));
        assert!(!first.contains("rel=\"prev\""));
        assert_eq!(
            first.matches("<li><p><a href=\"/recommendations/").count(),
            20
        );
        let second = page(app, "/recommendations?state=SVN&page=2").await;
        assert!(second.contains("href=\"/recommendations?state=SVN&amp;page=1\" rel=\"prev\""));
        let last = page(app, &format!("/recommendations?state=SVN&page={pages}")).await;
        assert!(!last.contains("rel=\"next\""));
        let past = page(app, "/recommendations?state=SVN&page=999").await;
        assert!(past.contains("No recommendation matches this search."));
        for bad in ["0", "-1", "abc", "99999999999999"] {
            let answer = app.get(&format!("/recommendations?page={bad}")).await;
            assert_html_page(&answer, StatusCode::BAD_REQUEST, bad);
        }
    })
    .await;
}

#[tokio::test]
async fn matched_words_are_marked() {
    each_backend(async |app| {
        let html = page(app, "/recommendations?q=RIGHTS").await;
        let marks: Vec<&str> = html
            .split("<mark>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</mark>").map(|(word, _)| word))
            .collect();
        assert!(!marks.is_empty());
        assert!(
            // Matched by the stem: "rights", "right".
            marks
                .iter()
                .all(|word| word.to_lowercase().starts_with("right")),
            "{marks:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn stored_markup_shows_as_text() {
    each_backend(async |app| {
        let csv = "state,cycle,session,paragraph,text,position,recommending_states\n\
                   Norway,3,33,140.1,\"Ratify <script>alert('x')</script> & <b>bold</b> \"\"now\"\"\",supported,France | Germany\n";
        let batch = hrtrack_import::table::read(csv.as_bytes(), "t.csv", None)
            .unwrap_or_else(|e| panic!("{e}"));
        app.store
            .import_batch(&batch, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        app.refresh_index().await;
        let escaped = "Ratify &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &quot;now&quot;";
        let list = page(app, "/recommendations?state=NOR").await;
        assert!(list.contains(escaped), "list");
        let marked = page(app, "/recommendations?q=bold").await;
        assert!(marked.contains("&lt;b&gt;<mark>bold</mark>&lt;/b&gt;"), "marked");
        let uid = app
            .get_json("/api/v1/recommendations?state=NOR")
            .await["items"][0]["uid"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no uid"));
        let one = page(app, &format!("/recommendations/{uid}")).await;
        assert!(one.contains(escaped), "one");
        // The UPR Info row with markup, on the list and in the search box.
        let search = page(app, "/recommendations?q=%3Cscript%3E").await;
        assert!(search.contains("value=\"&lt;script&gt;\""));
        assert!(search.contains(
            "Stop &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
        ));
        for html in [&list, &marked, &one, &search] {
            assert!(!html.contains("<script>"));
            assert!(!html.contains("<b>"));
        }
    })
    .await;
}

#[tokio::test]
async fn unknown_things_are_404_pages_in_the_page_language() {
    each_backend(async |app| {
        for uri in [
            "/recommendations/SVN-UPR4-999.999",
            "/recommendations/%3Cscript%3E",
            "/states/XXX",
            "/states/%00",
            "/sdg/18",
            "/sdg/abc",
            "/reviews/SVN/UPR/9",
            "/reviews/SVN/NOPE/4",
            "/reviews/XXX/UPR/4",
            "/nowhere",
            "/nothing-here/%3Cscript%3E",
        ] {
            let answer = app.get(&with_lang(uri, "ru")).await;
            assert_html_page(&answer, StatusCode::NOT_FOUND, uri);
            assert!(answer.text().contains("Страница не найдена"), "{uri}");
            assert!(answer.text().contains("<html lang=\"ru\">"), "{uri}");
        }
        let long = format!("/recommendations/{}", "x".repeat(5000));
        assert_html_page(&app.get(&long).await, StatusCode::NOT_FOUND, "long uid");
        let api = app.get("/api/v1/nowhere").await;
        assert_eq!(api.status, StatusCode::NOT_FOUND);
        assert_eq!(api.json()["error"]["code"], "not_found");
    })
    .await;
}

#[tokio::test]
async fn hostile_query_strings_are_400_pages_or_empty() {
    each_backend(async |app| {
        let long = "a".repeat(10_000);
        for uri in [
            "/recommendations?state=Atlantis".to_owned(),
            "/recommendations?position=maybe".to_owned(),
            "/recommendations?sdg=99".to_owned(),
            "/recommendations?cycle=x".to_owned(),
            "/recommendations?postion=noted".to_owned(),
            "/recommendations?state=SVN&state=TKM".to_owned(),
            format!("/recommendations?q={long}"),
            "/?foo=1".to_owned(),
            "/states/SVN?page=2".to_owned(),
            "/recommendations?state=%".to_owned(),
        ] {
            let answer = app.get(&uri).await;
            assert_html_page(&answer, StatusCode::BAD_REQUEST, &uri);
        }
        // Search text is only words to the index: hostile text finds what its words find.
        for uri in [
            "/recommendations?q=%27%20OR%201%3D1%20--",
            "/recommendations?q=%22unbalanced",
            "/recommendations?q=AND%20OR%20NOT%20(",
            "/recommendations?q=%25%25_",
            "/recommendations?q=%FF%FE",
        ] {
            page(app, uri).await;
        }
        for uri in [
            "/recommendations?theme=No%20such%20theme",
            "/recommendations?q=%22unbalancedxyz",
        ] {
            let html = page(app, uri).await;
            assert!(
                html.contains("No recommendation matches this search."),
                "{uri}"
            );
        }
        let long_name = app.get(&format!("/recommendations?{long}=1")).await;
        assert_html_page(&long_name, StatusCode::BAD_REQUEST, "long name");
        let detail = long_name
            .text()
            .split_once("<code>")
            .and_then(|(_, rest)| rest.split_once("</code>").map(|(code, _)| code.len()))
            .unwrap_or_else(|| panic!("no detail"));
        assert!(detail < 200, "the name is echoed whole");
        let answer = app.get("/recommendations?lang=%3Cscript%3E").await;
        assert_html_page(&answer, StatusCode::OK, "lang markup");
        assert!(!answer.text().contains("<script>"));
    })
    .await;
}

#[tokio::test]
async fn stylesheet_is_ours_and_long_cached() {
    each_backend(async |app| {
        let css = app.get("/static/hrtrack.css").await;
        assert_eq!(css.status, StatusCode::OK);
        assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
        assert!(css.header("cache-control").contains("max-age=31536000"));
        assert!(css.text().contains(":focus-visible"));
        assert!(!css.text().contains("http"), "no external resources");
    })
    .await;
}

#[tokio::test]
async fn home_charts_hold_the_stats_numbers() {
    each_backend(async |app| {
        let stats = app
            .store
            .stats(&RecommendationFilter::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let html = page(app, "/").await;
        assert_eq!(html.matches("role=\"img\"").count(), 2);
        assert!(html.contains("<title id=\"chart-recommendations-title\">"));
        assert!(html.contains("<title id=\"chart-positions-title\">"));
        assert!(html.contains(&format!("<strong>{}</strong>", stats.recommendations)));
        assert!(html.contains(&format!("<strong>{}</strong>", stats.recommendation_state_pairs)));
        let (bars, rest) = html
            .split_once("id=\"chart-positions\"")
            .unwrap_or_else(|| panic!("no positions chart"));
        assert!(!stats.reviews.is_empty());
        for review in &stats.reviews {
            let label = match review.cycle {
                Some(cycle) => format!("{} · {} {cycle}", review.state, review.mechanism),
                None => format!("{} · {}", review.state, review.mechanism),
            };
            let n = review.recommendations;
            assert!(
                bars.contains(&format!("<th scope=\"row\">{label}</th><td class=\"num\">{n}</td>")),
                "{label}: table"
            );
            assert!(bars.contains(&format!("data-value=\"{n}\"/><text")), "{label}: bar");
            let p = &review.positions;
            assert!(
                rest.contains(&format!(
                    "<th scope=\"row\">{label}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{n}</td>",
                    p.supported, p.supported_in_part, p.noted, p.pending
                )),
                "{label}: positions table"
            );
            assert!(rest.contains(&format!(
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                review.recommendation_state_pairs, review.recommending_states
            )));
        }
    })
    .await;
}

#[tokio::test]
async fn detail_pages_link_to_each_other() {
    each_backend(async |app| {
        let one = app.get_json("/api/v1/recommendations/SVN-UPR4-140.7").await;
        let html = page(app, "/recommendations/SVN-UPR4-140.7").await;
        let text = one["text"].as_str().unwrap_or_default();
        assert!(html.contains(&hrtrack_escape(text)), "verbatim text");
        assert!(html.contains("140.7"));
        assert!(html.contains("href=\"/reviews/SVN/UPR/4\""));
        assert!(
            html.contains("href=\"/states/"),
            "recommending States linked"
        );

        let review = page(app, "/reviews/SVN/UPR/4").await;
        assert!(review.contains("Slovenia: UPR, cycle 4"));
        assert!(
            review.contains("href=\"/recommendations?state=SVN&amp;mechanism=UPR&amp;cycle=4\"")
        );
        assert!(review.contains("href=\"/recommendations/SVN-UPR4-"));

        let state = page(app, "/states/svn").await;
        assert!(state.contains("href=\"/reviews/SVN/UPR/4\""));
        let france = page(app, "/states/FRA").await;
        assert!(france.contains("recommending_state=FRA"));
        assert!(france.contains("Slovenia · UPR 4") || france.contains("Turkmenistan · UPR"));
    })
    .await;
}

/// The page's escaping of a text, as a test expects it.
fn hrtrack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn imports_keep_a_translation_shows_in_the_page_language_beside_the_original() {
    each_backend(async |app| {
        for csv in [
            "state,cycle,paragraph,text,language\n\
             Iceland,4,140.1,Ratify the Optional Protocol to the Convention against Torture,en\n",
            "state,cycle,paragraph,text,language\n\
             Iceland,4,140.1,Ратифицировать Факультативный протокол к Конвенции против пыток,ru\n",
        ] {
            let batch = hrtrack_import::table::read(csv.as_bytes(), "t.csv", None)
                .unwrap_or_else(|e| panic!("{e}"));
            app.store
                .import_batch(&batch, &mut |_| {})
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let uri = "/recommendations/ISL-UPR4-140.1";
        let ru = page(app, &with_lang(uri, "ru")).await;
        assert!(
            ru.contains("<blockquote class=\"translation\" lang=\"ru\"><p>Ратифицировать Факультативный протокол"),
            "{ru}"
        );
        assert!(ru.contains("Перевод (не официальный текст), источник: t.csv"));
        assert!(ru.contains("Оригинальный текст (en)"));
        assert!(ru.contains(
            "<blockquote class=\"verbatim\" lang=\"en\"><p>Ratify the Optional Protocol"
        ));
        let en = page(app, &with_lang(uri, "en")).await;
        assert!(!en.contains("Ратифицировать"), "{en}");
        assert!(!en.contains("class=\"translation\""));
        let record = app.get_json("/api/v1/recommendations/ISL-UPR4-140.1").await;
        assert_eq!(
            record["text"],
            "Ratify the Optional Protocol to the Convention against Torture"
        );
        assert_eq!(record["language"], "en");
        assert_eq!(record["translations"][0]["language"], "ru");
    })
    .await;
}
