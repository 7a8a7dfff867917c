//! What resources are handed: one client per cloud (or why there is none)
//! and what this provider process has claimed. Built by `provider` (the
//! composition root) from the provider block; below `resources`, above
//! `cloud`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use crate::cloud::{alicloud, jdcloud};

/// The configured clients. A cloud whose credentials are missing only fails
/// when a resource of that cloud is used.
#[derive(Debug)]
pub struct ProviderData {
    jdcloud: Result<jdcloud::Client, String>,
    alicloud: Result<alicloud::Client, String>,
    /// What this provider process created, adopted or reported, so that
    /// resources never take each other's objects.
    pub claims: Claims,
}

impl ProviderData {
    /// Each cloud's client, or why it could not be made.
    pub fn new(
        jdcloud: Result<jdcloud::Client, String>,
        alicloud: Result<alicloud::Client, String>,
    ) -> ProviderData {
        ProviderData {
            jdcloud,
            alicloud,
            claims: Claims::default(),
        }
    }
    pub fn jdcloud(&self) -> Result<&jdcloud::Client, &str> {
        self.jdcloud.as_ref().map_err(String::as_str)
    }
    pub fn alicloud(&self) -> Result<&alicloud::Client, &str> {
        self.alicloud.as_ref().map_err(String::as_str)
    }
}

/// Objects this provider process made, adopted or reported, and the turns
/// that keep creates of one identity apart. One per configured provider.
#[derive(Debug, Default)]
pub struct Claims {
    held: Mutex<HashSet<String>>,
    markers: Mutex<HashSet<String>>,
    turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Claims {
    /// Waits until no other create of `identity` runs in this process, and
    /// holds the turn until the guard is dropped.
    pub async fn turn(&self, identity: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            turns.entry(identity.to_string()).or_default().clone()
        };
        lock.lock_owned().await
    }
    /// Whether this process made, adopted or reported `id`.
    pub fn holds(&self, id: &str) -> bool {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(id)
    }
    /// Marks `id` as this process's; false when it already was.
    pub fn hold(&self, id: &str) -> bool {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string())
    }
    /// Records a create marker this process sent.
    pub fn mark(&self, marker: &str) {
        self.markers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(marker.to_string());
    }
    /// Whether `description` is a create marker this process sent: the
    /// object is a sibling's, still being made.
    pub fn marked(&self, description: Option<&str>) -> bool {
        description.is_some_and(|d| {
            self.markers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(d)
        })
    }
}
