//! Facility-name matching: a name in a log resolves through the roster's names and then
//! the `facility_aliases` table, both compared by matching key (NFKC + variant folds).

use std::collections::HashMap;

use crate::domain::names::matching_key;
use crate::store::Store;

/// Every known name and alias, by matching key.
pub struct FacilityMatcher {
    by_key: HashMap<String, i32>,
}

impl FacilityMatcher {
    /// Loads the roster's names and the aliases from the store.
    pub fn load(store: &Store) -> anyhow::Result<FacilityMatcher> {
        let mut by_key = HashMap::new();
        let names = store.query("SELECT name_key, facility_id FROM facilities", &[])?;
        let aliases = store.query("SELECT alias_key, facility_id FROM facility_aliases", &[])?;
        // Roster names win over aliases when both exist.
        for row in aliases.rows.iter().chain(names.rows.iter()) {
            if let (Some(key), Some(id)) = (row[0].as_str(), row[1].as_i64()) {
                by_key.insert(key.to_string(), id as i32);
            }
        }
        Ok(FacilityMatcher { by_key })
    }

    /// The facility a written name refers to.
    pub fn resolve(&self, name: &str) -> Option<i32> {
        self.by_key.get(&matching_key(name)).copied()
    }

    /// True when no facility is known yet (no roster loaded).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}
