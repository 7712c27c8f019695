//! State partitions keyed by (account id, region). Each partition is one mutex over the world of
//! every service in that account and region, so a handler sees a consistent snapshot and locks
//! stay short and synchronous.

use crate::services::World;
use dashmap::DashMap;
use parking_lot::Mutex;
use std::sync::Arc;

/// (account id, region).
pub type PartitionKey = (String, String);

/// Every partition of one server.
#[derive(Debug, Default)]
pub struct Store {
    partitions: DashMap<PartitionKey, Arc<Mutex<World>>>,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// The partition for `account` and `region`, created on first use (every account and region
    /// exists in AWS; its default resources, like the `default` event bus, come with it).
    pub fn partition(&self, account: &str, region: &str, now: f64) -> Arc<Mutex<World>> {
        // Look up by reference first: the common case allocates nothing.
        if let Some(p) = self
            .partitions
            .get(&(account.to_owned(), region.to_owned()))
        {
            return p.clone();
        }
        self.partitions
            .entry((account.to_owned(), region.to_owned()))
            .or_insert_with(|| Arc::new(Mutex::new(World::new(account, region, now))))
            .clone()
    }

    /// The partition if it exists, without creating it.
    pub fn existing(&self, account: &str, region: &str) -> Option<Arc<Mutex<World>>> {
        self.partitions
            .get(&(account.to_owned(), region.to_owned()))
            .map(|p| p.clone())
    }

    /// Keys of every partition, sorted (stable iteration for schedules and logs).
    pub fn keys(&self) -> Vec<PartitionKey> {
        let mut keys: Vec<_> = self.partitions.iter().map(|e| e.key().clone()).collect();
        keys.sort();
        keys
    }

    /// Forgets every partition.
    pub fn clear(&self) {
        self.partitions.clear();
    }
}
