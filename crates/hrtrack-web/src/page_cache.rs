//! Rendered pages kept per data version: the registry changes only when an import writes (the
//! search index notices within a second, see `keep_index_fresh`), so a page asked for again
//! under the same data version is served as rendered, in the same language.
//!
//! Bounded: past [`MAX_PAGES`] pages the cache starts again empty; a new data version empties
//! it too. Only successful pages are kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Pages kept at most (a list page is about 40 kB: some 80 MB at worst).
const MAX_PAGES: usize = 2048;

/// A page's title and the HTML inside `<main>`.
pub(crate) struct CachedPage {
    pub title: String,
    pub body: String,
}

#[derive(Clone, Default)]
pub(crate) struct PageCache {
    inner: Arc<Mutex<Pages>>,
}

#[derive(Default)]
struct Pages {
    version: String,
    pages: HashMap<String, Arc<CachedPage>>,
}

impl PageCache {
    /// The page kept under `key` for data version `version`.
    pub fn get(&self, version: &str, key: &str) -> Option<Arc<CachedPage>> {
        let pages = self.inner.lock().ok()?;
        if pages.version != version {
            return None;
        }
        pages.pages.get(key).cloned()
    }

    /// Keeps a page rendered under data version `version`.
    pub fn put(&self, version: &str, key: String, page: CachedPage) {
        let Ok(mut pages) = self.inner.lock() else {
            return;
        };
        if pages.version != version || pages.pages.len() >= MAX_PAGES {
            pages.pages.clear();
            pages.version = version.to_owned();
        }
        pages.pages.insert(key, Arc::new(page));
    }
}

#[cfg(test)]
mod tests {
    use super::{CachedPage, PageCache};

    fn page(body: &str) -> CachedPage {
        CachedPage {
            title: "t".to_owned(),
            body: body.to_owned(),
        }
    }

    #[test]
    fn pages_are_kept_per_data_version() {
        let cache = PageCache::default();
        cache.put("import-1", "en /".to_owned(), page("one"));
        assert_eq!(
            cache.get("import-1", "en /").map(|p| p.body.clone()),
            Some("one".to_owned())
        );
        assert!(cache.get("import-1", "ru /").is_none());
        assert!(cache.get("import-2", "en /").is_none());
        cache.put("import-2", "ru /".to_owned(), page("two"));
        assert!(cache.get("import-1", "en /").is_none());
        assert!(cache.get("import-2", "en /").is_none());
    }
}
