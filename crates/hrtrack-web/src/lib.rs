//! The hrtrack web server: axum over the [`Store`], serving the public pages (server-rendered
//! HTML in Turkmen, Russian and English), the JSON API under `/api/v1`, its OpenAPI 3.1
//! document (`/api/v1/openapi.json`), a human-readable page made from that document
//! (`/api/v1/docs`) and the health check (`/healthz`).
//!
//! Layout: `api` holds the handlers and the route table, `query` parses query strings into
//! the store's [`hrtrack_db::RecommendationFilter`], `error` is the one error type of the API
//! (every failure becomes `{"error": {"code", "message"}}` with a stable code), `openapi` builds
//! the document and `docs_page` renders it as HTML. The pages: `pages` holds their routes and
//! handlers, `html` the escaping helpers and the shared layout, `charts` the server-drawn SVG
//! charts, `i18n` the languages and their message files, `catalogues` the States and SDG goals
//! the pages share, reloaded when the data version changes. Every response carries the security
//! headers of [`security_headers`] and every request is logged through `tracing`.
//!
//! Full-text search (`q`) goes through an in-memory [`SearchIndex`] held by the
//! [`AppState`] (module `search`): built from the store before the server listens, and
//! refreshed every second by a background task ([`keep_index_fresh`]) so that imports made
//! through any server sharing the database are found here too, without a restart.
//!
//! The binary calls [`serve`] with an opened store; tests build an [`AppState`] with
//! [`AppState::open`], call [`router`] and drive it in process.

mod api;
pub mod auth;
mod blocking;
mod catalogues;
mod charts;
mod docs_page;
mod error;
mod evidence;
mod html;
pub mod i18n;
mod openapi;
mod openapi_roadmap;
mod page_cache;
mod pages;
pub mod policy;
mod query;
mod roadmap_api;
mod roadmap_pages;
mod sdg_api;
mod sdg_charts;
mod sdg_collect;
pub use sdg_collect::template_bytes as sdg_template_bytes;
mod sdg_pages;
mod search;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use hrtrack_db::Store;
use hrtrack_search::{SearchError, SearchIndex};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use api::routed_paths;
pub use docs_page::render as render_api_page;
pub use error::{ApiError, ErrorCode};
pub use openapi::document as openapi_document;
pub use roadmap_pages::page_paths as roadmap_page_paths;

/// How often [`keep_index_fresh`] asks the store whether the index is behind.
pub const INDEX_REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// What every handler shares: the store, the search index built from it, and the pages'
/// catalogues loaded from it.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    index: SearchIndex,
    catalogues: catalogues::Catalogues,
    pages: page_cache::PageCache,
    parsing: blocking::ParseSlots,
    /// The password pool and the client-address setting of sign-ins.
    accounts: auth::Accounts,
    /// Where the index lives; removed with the last clone of the state.
    _index_folder: std::sync::Arc<tempfile::TempDir>,
}

impl AppState {
    /// The state over `store`, with a search index built from it (this reads every
    /// recommendation once) in a temporary folder of this process, removed when the state is
    /// dropped. On disk rather than in memory: the kernel keeps the index's pages cached and
    /// can drop them, where a heap copy would count against the server's memory (measured at
    /// 300k recommendations: 410 MB resident with the index in memory).
    pub async fn open(store: Store) -> Result<Self, SearchError> {
        let folder = tempfile::Builder::new()
            .prefix("hrtrack-index-")
            .tempdir()
            .map_err(|e| SearchError::Directory {
                path: std::env::temp_dir().display().to_string(),
                message: e.to_string(),
            })?;
        let index = SearchIndex::open_or_create(folder.path())?;
        index.refresh(&store).await?;
        Ok(Self {
            store,
            index,
            catalogues: catalogues::Catalogues::default(),
            pages: page_cache::PageCache::default(),
            parsing: blocking::ParseSlots::default(),
            accounts: auth::Accounts::from_env(),
            _index_folder: std::sync::Arc::new(folder),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub(crate) fn pages(&self) -> &page_cache::PageCache {
        &self.pages
    }

    /// The slots for parsing uploaded files off the runtime (module `blocking`).
    pub(crate) fn parsing(&self) -> &blocking::ParseSlots {
        &self.parsing
    }

    /// This state with `slots` file parses at once and a wait of `wait` for a free one (the
    /// defaults are [`blocking::PARSE_SLOTS`] and [`blocking::PARSE_WAIT`]; for tests).
    #[doc(hidden)]
    pub fn with_parse_slots(mut self, slots: usize, wait: Duration) -> Self {
        self.parsing = blocking::ParseSlots::new(slots, wait);
        self
    }

    /// After a write through this server that changed published data (an SDG version
    /// published): the index, and with it the page cache's data version, catch up now
    /// instead of at the next tick, so that the public pages show it at once.
    pub(crate) async fn published_data_changed(&self) {
        if let Err(error) = self.index.refresh(&self.store).await {
            tracing::error!(%error, "search index refresh failed");
        }
    }

    /// The version cached pages are kept under: the search index's data version and the
    /// store's public version; `None` (render, keep nothing) before the index was built or
    /// when the store does not answer.
    pub(crate) async fn page_version(&self) -> Option<String> {
        let data = self.index.data_version()?;
        match self.store.public_version().await {
            Ok(public) => Some(format!("{data} public-{public}")),
            Err(error) => {
                tracing::warn!(%error, "public version not read; page not cached");
                None
            }
        }
    }

    /// How many page renders the page cache started (for tests of its single flight).
    #[doc(hidden)]
    pub fn page_renders(&self) -> u64 {
        self.pages.renders()
    }

    /// How many times the pages' catalogues were loaded (for tests of their single flight).
    #[doc(hidden)]
    pub fn catalogue_loads(&self) -> u64 {
        self.catalogues.loads()
    }

    /// The States and SDG goals of the current data version.
    pub(crate) async fn catalogue(
        &self,
    ) -> Result<std::sync::Arc<catalogues::Catalogue>, hrtrack_db::StoreError> {
        self.catalogues.get(&self.store).await
    }
}

/// The Content-Security-Policy of every response: our own resources only, no inline script.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The security headers set on every response (API, pages, errors, fallbacks).
pub fn security_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

/// The whole application: routes, security headers and request logs.
pub fn router(state: AppState) -> Router {
    let mut app = api::routes()
        .merge(roadmap_pages::routes())
        .merge(sdg_collect::routes())
        .merge(pages::routes())
        .merge(sdg_pages::routes())
        .with_state(state);
    for (name, value) in security_headers() {
        app = app.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    app.layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}

/// What bounds the server's connections: how long a client may take to send a request's
/// headers (and how long an idle kept-alive connection stays open: the same timer runs while
/// the server waits for the next request's first byte), how long it may leave the body
/// silent, how long one request may take before its answer starts, how many connections are
/// served at once (one over the cap waits in the listener's backlog until one closes), and
/// how long a shutdown waits for requests in flight.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(300),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Binds `addr` and serves until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    store: Store,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve_on(store, listener, shutdown).await
}

/// As [`serve`], on a listener the caller bound (to print its address, or to use port 0).
pub async fn serve_on(
    store: Store,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(store, listener, ServeOptions::default(), shutdown).await
}

/// As [`serve_on`], with the given timeouts and connection cap.
pub async fn serve_with(
    store: Store,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = AppState::open(store).await.map_err(std::io::Error::other)?;
    let refresher = tokio::spawn(keep_index_fresh(state.clone()));
    let postman = tokio::spawn(keep_mail_flowing(
        state.store().clone(),
        hrtrack_access::mail::Mailer::from_env(),
    ));
    let publisher = tokio::spawn(lift_embargoes(state.clone()));
    tracing::info!(address = %listener.local_addr()?, "hrtrack serving");
    let served = accept_connections(listener, router(state), &options, shutdown).await;
    refresher.abort();
    postman.abort();
    publisher.abort();
    served?;
    tracing::info!("hrtrack stopped");
    Ok(())
}

/// Accepts connections until `shutdown` completes, each served by hyper's HTTP/1 server with
/// `options`' bounds; then closes the idle ones and waits up to the grace time for the rest.
async fn accept_connections(
    listener: TcpListener,
    app: Router,
    options: &ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower_http::timeout::{RequestBodyTimeout, Timeout};

    let service = TowerToHyperService::new(RequestBodyTimeout::new(
        Timeout::with_status_code(
            app,
            axum::http::StatusCode::REQUEST_TIMEOUT,
            options.request_timeout,
        ),
        options.body_read_timeout,
    ));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free slot first: connections over the cap wait in the listener's backlog.
        let permit = tokio::select! {
            permit = std::sync::Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, then accept again.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, %peer, "TCP_NODELAY not set");
        }
        // The peer address is what sign-ins are throttled by (`auth::ClientAddr`).
        let per_connection = service.clone();
        let with_peer = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                hyper::service::Service::call(&per_connection, request)
            },
        );
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), with_peer));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(options.shutdown_grace) => {
            tracing::warn!("requests still in flight at the end of the shutdown grace time");
        }
    }
    Ok(())
}

/// Refreshes the state's search index from its store every [`INDEX_REFRESH_INTERVAL`],
/// forever: imports made through any process sharing the database reach this server's
/// searches within about a second. Failures are logged and retried at the next tick.
/// [`serve_on`] runs it as a task and ends it with the server.
pub async fn keep_index_fresh(state: AppState) {
    let mut ticks = tokio::time::interval(INDEX_REFRESH_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match state.index.refresh(&state.store).await {
            Ok(Some(report)) => tracing::info!(
                recommendations = report.recommendations,
                data_version = %report.data_version,
                "search index refreshed"
            ),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "search index refresh failed"),
        }
    }
}

/// How often [`lift_embargoes`] looks for approved SDG data whose embargo time has come.
pub const EMBARGO_INTERVAL: Duration = Duration::from_secs(30);

/// Every [`EMBARGO_INTERVAL`], forever: publishes the approved SDG submissions whose
/// embargo time has passed. Failures are logged and retried at the next tick.
pub async fn lift_embargoes(state: AppState) {
    let mut ticks = tokio::time::interval(EMBARGO_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match state
            .store
            .publish_due_sdg(&hrtrack_db::now_rfc3339())
            .await
        {
            Ok(ids) if !ids.is_empty() => {
                tracing::info!(?ids, "embargoed SDG data published");
                state.published_data_changed().await;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "embargoed SDG data not published"),
        }
    }
}

/// How often [`keep_mail_flowing`] looks for overdue reports and unsent messages.
pub const MAIL_INTERVAL: Duration = Duration::from_secs(60);

/// Every [`MAIL_INTERVAL`], forever: reminds focal points of overdue reports (once per
/// report) and, when SMTP is configured (`HRTRACK_SMTP`), sends the inbox messages not yet
/// sent to users with an e-mail address. Failures are logged and retried at the next tick.
pub async fn keep_mail_flowing(store: Store, mailer: Option<hrtrack_access::mail::Mailer>) {
    let mut ticks = tokio::time::interval(MAIL_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match store
            .remind_overdue(hrtrack_domain::Date::today_utc())
            .await
        {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "overdue reminders"),
            Err(error) => tracing::error!(%error, "overdue reminders failed"),
        }
        if let Some(mailer) = &mailer {
            match deliver_mail(&store, mailer).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "e-mails sent"),
                Err(error) => tracing::error!(%error, "sending e-mail failed"),
            }
        }
    }
}

/// Sends up to 100 inbox messages not yet e-mailed, marking each one sent; stops at the
/// first failure (the rest wait for the next call). Returns how many were sent.
pub async fn deliver_mail(
    store: &Store,
    mailer: &hrtrack_access::mail::Mailer,
) -> Result<usize, String> {
    let pending = store
        .unmailed_messages(100)
        .await
        .map_err(|e| e.to_string())?;
    let mut sent = 0;
    for (id, address, subject, body) in pending {
        mailer
            .send(&address, &subject, &body)
            .await
            .map_err(|e| e.to_string())?;
        store.mark_mailed(id).await.map_err(|e| e.to_string())?;
        sent += 1;
    }
    Ok(sent)
}

/// Completes on Ctrl-C or (on Unix) SIGTERM: the usual `shutdown` argument of [`serve`].
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
