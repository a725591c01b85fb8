//! The catalogues the pages show on almost every request — the States (for the recommending
//! State field and for links by name) and the SDG goals with their titles — loaded once per
//! data version and shared.
//!
//! Every use asks the database for its data version (one tiny query) and reloads when it
//! changed, so an import on any server is seen on the next request, without a restart. One
//! reload at a time: the requests that find the catalogue out of date meanwhile wait for it
//! and take what it loaded, rather than each loading the same catalogue again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use hrtrack_db::{SdgGoalTitles, StateCount, Store, StoreError};

/// The catalogues as of one data version.
pub struct Catalogue {
    version: String,
    pub states: Vec<StateCount>,
    pub goals: Vec<SdgGoalTitles>,
}

/// The shared, lazily loaded catalogues of one application.
#[derive(Clone, Default)]
pub struct Catalogues {
    current: Arc<Mutex<Option<Arc<Catalogue>>>>,
    /// Held while a catalogue loads.
    loading: Arc<tokio::sync::Mutex<()>>,
    loads: Arc<AtomicU64>,
}

impl Catalogues {
    /// The catalogues of the database's current data version.
    pub async fn get(&self, store: &Store) -> Result<Arc<Catalogue>, StoreError> {
        let version = store.data_version().await?;
        if let Some(catalogue) = self.of_version(&version) {
            return Ok(catalogue);
        }
        let _loading = self.loading.lock().await;
        // Another request may have loaded it while this one waited.
        if let Some(catalogue) = self.of_version(&version) {
            return Ok(catalogue);
        }
        self.loads.fetch_add(1, Ordering::Relaxed);
        // Read after the version: data newer than its label only costs one more reload.
        let catalogue = Arc::new(Catalogue {
            version,
            states: store.states_with_counts().await?,
            goals: store.sdg_goals().await?,
        });
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&catalogue));
        Ok(catalogue)
    }

    /// The kept catalogue when it is of `version`.
    fn of_version(&self, version: &str) -> Option<Arc<Catalogue>> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|c| c.version == version)
    }

    /// How many catalogues were loaded since the application started.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }
}
