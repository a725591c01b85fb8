//! Rendered pages kept per version: the registry changes only when an import writes (the
//! search index notices within a second, see `keep_index_fresh`), and the rest of what public
//! pages show only through writes that bump the store's public version
//! (`Store::public_version`); a page asked for again under the same versions is served as
//! rendered, in the same language.
//!
//! Single flight: the first request for a page that is not kept renders it; requests for the
//! same page meanwhile wait for that render and share its outcome (a failure too, which is
//! not kept), so that the many requests arriving after a data change cost one render per page,
//! not one each. If the rendering request goes away, a waiting one renders instead.
//!
//! Bounded: past [`MAX_PAGES`] pages the cache starts again empty; a new version empties
//! it too. Only successful pages are kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use crate::pages::PageError;

/// Pages kept at most (a list page is about 40 kB: some 80 MB at worst).
const MAX_PAGES: usize = 2048;

/// A page's title and the HTML inside `<main>`.
pub(crate) struct CachedPage {
    pub title: String,
    pub body: String,
}

/// One page's render, shared by every request that waits for it.
type Slot = Arc<OnceCell<Result<Arc<CachedPage>, PageError>>>;

#[derive(Clone, Default)]
pub(crate) struct PageCache {
    inner: Arc<Mutex<Pages>>,
    renders: Arc<AtomicU64>,
}

#[derive(Default)]
struct Pages {
    version: String,
    pages: HashMap<String, Slot>,
}

impl PageCache {
    /// The page kept under `key` for `version`; else rendered once by `render` while the
    /// other requests for it wait, and kept when it succeeds.
    pub async fn get_or_render(
        &self,
        version: &str,
        key: String,
        render: impl Future<Output = Result<CachedPage, PageError>>,
    ) -> Result<Arc<CachedPage>, PageError> {
        let slot = {
            let mut pages = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if pages.version != version || pages.pages.len() >= MAX_PAGES {
                pages.pages.clear();
                version.clone_into(&mut pages.version);
            }
            Arc::clone(pages.pages.entry(key.clone()).or_default())
        };
        let outcome = slot
            .get_or_init(|| async {
                self.renders.fetch_add(1, Ordering::Relaxed);
                render.await.map(Arc::new)
            })
            .await
            .clone();
        if outcome.is_err() {
            // Not kept: the next request renders again.
            let mut pages = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if pages
                .pages
                .get(&key)
                .is_some_and(|kept| Arc::ptr_eq(kept, &slot))
            {
                pages.pages.remove(&key);
            }
        }
        outcome
    }

    /// How many renders the cache started, since the application started.
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{CachedPage, PageCache};
    use crate::pages::PageError;

    fn page(body: &str) -> CachedPage {
        CachedPage {
            title: "t".to_owned(),
            body: body.to_owned(),
        }
    }

    async fn body(cache: &PageCache, version: &str, key: &str, render: &str) -> String {
        match cache
            .get_or_render(version, key.to_owned(), async { Ok(page(render)) })
            .await
        {
            Ok(page) => page.body.clone(),
            Err(error) => panic!("{error:?}"),
        }
    }

    #[tokio::test]
    async fn pages_are_kept_per_version() {
        let cache = PageCache::default();
        assert_eq!(body(&cache, "import-1", "en /", "one").await, "one");
        assert_eq!(body(&cache, "import-1", "en /", "other").await, "one");
        assert_eq!(body(&cache, "import-1", "ru /", "ru").await, "ru");
        assert_eq!(body(&cache, "import-2", "en /", "two").await, "two");
        assert_eq!(body(&cache, "import-1", "en /", "again").await, "again");
    }

    #[tokio::test]
    async fn failures_are_shared_but_not_kept() {
        let cache = PageCache::default();
        let failed = cache
            .get_or_render("v", "k".to_owned(), async { Err(PageError::not_found()) })
            .await;
        assert!(failed.is_err());
        assert_eq!(body(&cache, "v", "k", "now").await, "now");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_requests_render_once() {
        let cache = PageCache::default();
        let started = Arc::new(AtomicUsize::new(0));
        let (release, released) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let cache = cache.clone();
            let started = Arc::clone(&started);
            let mut released = released.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_render("v", "en /".to_owned(), async move {
                        started.fetch_add(1, Ordering::SeqCst);
                        let _ = released.wait_for(|go| *go).await;
                        Ok(page("rendered"))
                    })
                    .await
                    .map(|p| p.body.clone())
                    .unwrap_or_default()
            }));
        }
        while started.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let _ = release.send(true);
        for task in tasks {
            assert_eq!(task.await.unwrap_or_default(), "rendered");
        }
        assert_eq!(started.load(Ordering::SeqCst), 1);
        assert_eq!(cache.renders(), 1);
    }
}
