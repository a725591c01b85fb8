//! Test scaffolding: an app over a fresh store holding the bundled Slovenia cycle 4 matrix,
//! UPR Info's Turkmenistan rows and one row whose text is markup; requests through
//! `tower::ServiceExt::oneshot`.
//!
//! [`each_backend`] runs a body on SQLite (a file in a temporary directory) and, when
//! `HRTRACK_TEST_POSTGRES` holds a URL, again on PostgreSQL in a fresh schema that is dropped
//! at the end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use hrtrack_db::Store;
use hrtrack_web::{AppState, router};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The environment variable that turns on the PostgreSQL runs.
pub const POSTGRES_ENV: &str = "HRTRACK_TEST_POSTGRES";

const SLOVENIA_4: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/upr/upr48-slovenia-thematic-list-of-recommendations.docx"
);
const TURKMENISTAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/upr/upr_info_turkmenistan_cycles1-2.csv"
);

/// The text of the one recommendation that is markup.
pub const MARKUP_TEXT: &str = "Stop <script>alert(1)</script> & \"injection\" attempts.";

/// A router over a store with the test data.
pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub state: AppState,
}

/// A response, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no header {name}"))
    }
}

impl TestApp {
    /// The app over `store`, its search index built.
    pub async fn over(store: Store) -> Self {
        let state = state_over(store.clone()).await;
        Self {
            router: router(state.clone()),
            store,
            state,
        }
    }

    /// Brings the search index up to date with the store now (as the server's refresh task
    /// does every second), after a test wrote to the store.
    pub async fn refresh_index(&self) {
        self.state
            .index()
            .refresh(&self.store)
            .await
            .unwrap_or_else(|e| panic!("refresh: {e}"));
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str) -> Answer {
        self.request("GET", uri).await
    }

    pub async fn request(&self, method: &str, uri: &str) -> Answer {
        self.request_with_headers(method, uri, &[]).await
    }

    /// `GET uri` with request `headers` (`Cookie`, `Accept-Language`, ...).
    pub async fn get_with_headers(&self, uri: &str, headers: &[(&str, &str)]) -> Answer {
        self.request_with_headers("GET", uri, headers).await
    }

    async fn request_with_headers(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.send(method, uri, headers, Vec::new()).await
    }

    /// `method uri` with request `headers` and `body`.
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Body::from(body))
            .unwrap_or_else(|e| panic!("request {uri}: {e}"));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|e| match e {});
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| panic!("body of {uri}: {e}"))
            .to_bytes();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// `GET uri`, which must answer 200 with JSON.
    pub async fn get_json(&self, uri: &str) -> Value {
        let answer = self.get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.text());
        answer.json()
    }
}

/// The application state over `store`, its search index built.
pub async fn state_over(store: Store) -> AppState {
    AppState::open(store)
        .await
        .unwrap_or_else(|e| panic!("search index: {e}"))
}

/// Asserts the error shape with `code` and a non-empty message.
pub fn assert_error(answer: &Answer, status: StatusCode, code: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.text());
    let body = answer.json();
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{what}: no message in {body}");
}

/// The Turkmenistan CSV with one more row whose text is markup.
fn turkmenistan_with_markup() -> Vec<u8> {
    let mut csv = std::fs::read(TURKMENISTAN).unwrap_or_else(|e| panic!("{TURKMENISTAN}: {e}"));
    if !csv.ends_with(b"\n") {
        csv.push(b'\n');
    }
    let quoted = MARKUP_TEXT.replace('"', "\"\"");
    csv.extend_from_slice(
        format!(
            "Turkmenistan,Asia,\"CIS, OIC\",\"{quoted}\",France,WEOG,\"EU, OIF\",Accepted,5,Trafficking,16,2,test.csv\n"
        )
        .as_bytes(),
    );
    csv
}

/// Imports the test data into `store`.
pub async fn load(store: &Store) {
    let docx = std::fs::read(SLOVENIA_4).unwrap_or_else(|e| panic!("{SLOVENIA_4}: {e}"));
    let slovenia = hrtrack_import::ohchr_matrix::read(&docx, "slovenia.docx", &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let turkmenistan =
        hrtrack_import::upr_info::read(&turkmenistan_with_markup(), "turkmenistan.csv")
            .unwrap_or_else(|e| panic!("{e}"));
    for batch in [slovenia, turkmenistan] {
        store
            .import_batch(&batch, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("import {}: {e}", batch.source));
    }
}

/// `hrtrack_web_<pid>_<counter>_<nanos>`: unique across tests and runs.
pub fn unique_schema_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("hrtrack_web_{}_{n}_{nanos}", std::process::id())
}

/// Runs `body` on an app over SQLite, then over PostgreSQL when [`POSTGRES_ENV`] is set.
pub async fn each_backend(body: impl AsyncFn(&TestApp)) {
    {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        load(&store).await;
        let app = TestApp::over(store).await;
        eprintln!("--- sqlite");
        body(&app).await;
        app.store.close().await;
    }
    if let Ok(url) = std::env::var(POSTGRES_ENV)
        && !url.trim().is_empty()
    {
        let schema = unique_schema_name();
        let store = Store::open_in_schema(&url, Some(&schema))
            .await
            .unwrap_or_else(|e| panic!("open {url} in {schema}: {e}"));
        load(&store).await;
        let app = TestApp::over(store).await;
        eprintln!("--- postgres");
        body(&app).await;
        app.store.close().await;
        Store::drop_schema(&url, &schema)
            .await
            .unwrap_or_else(|e| panic!("drop schema {schema}: {e}"));
    }
}

/// `application/x-www-form-urlencoded` of `pairs`.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
