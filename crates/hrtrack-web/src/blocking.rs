//! File parsing off the async runtime: reading an uploaded SDG data file, validating it, and
//! checking an evidence file's content are CPU work that can take seconds on a hostile file
//! (a zip bomb is inflated up to its cap). They run on tokio's blocking pool, at most
//! [`PARSE_SLOTS`] at once, so the runtime's threads stay free for every other request
//! (`/healthz`, pages, sign-ins). A request that finds every slot taken waits up to
//! [`PARSE_WAIT`] for one, then is answered 503 `busy` with `Retry-After`, never 500.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{ApiError, ErrorCode};

/// How many files are parsed at once, server-wide.
pub const PARSE_SLOTS: usize = 2;

/// How long a request waits for a free parsing slot before it is refused.
pub const PARSE_WAIT: Duration = Duration::from_secs(20);

/// The seconds a refused client is told to wait (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u64 = 10;

/// The parsing slots of one application.
#[derive(Clone)]
pub struct ParseSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Default for ParseSlots {
    fn default() -> Self {
        Self::new(PARSE_SLOTS, PARSE_WAIT)
    }
}

impl ParseSlots {
    /// `slots` parses at once (0: every parse is refused after `wait`, for tests).
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            wait,
        }
    }

    /// Runs `work` on the blocking pool once a slot is free; 503 `busy` when none is free
    /// within the wait. `what` names the work in errors and logs.
    pub async fn run<T, F>(&self, what: &str, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit =
            match tokio::time::timeout(self.wait, Arc::clone(&self.slots).acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(_)) | Err(_) => {
                    tracing::warn!(what, "every parsing slot busy; request refused");
                    return Err(ApiError::new(
                        ErrorCode::Busy,
                        format!(
                            "the server is busy reading other files; {what} was not read, \
                         nothing was stored: try again in {RETRY_AFTER_SECONDS} s"
                        ),
                    ));
                }
            };
        let outcome = tokio::task::spawn_blocking(move || {
            let outcome = work();
            drop(permit);
            outcome
        })
        .await;
        outcome.map_err(|error| {
            tracing::error!(%error, what, "file parsing failed");
            ApiError::new(
                ErrorCode::Internal,
                format!("{what} could not be read; nothing was stored"),
            )
        })
    }
}
