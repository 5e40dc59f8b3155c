//! The org's mutable state and what the server threads share with the handle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use crate::config::OrgConfig;
use crate::ids::ORG_ID;
use crate::model::{Fault, Request};
use crate::store::{SObjectType, StoredRecord};

/// Mutable state of the org, behind one mutex.
pub(crate) struct State {
    pub cfg: OrgConfig,
    pub types: Vec<SObjectType>,
    pub records: Vec<StoredRecord>,
    /// `(time of update, all records as they were just before it)`, oldest first.
    pub history: Vec<(Instant, Vec<StoredRecord>)>,
    /// Valid access tokens and when they were issued.
    pub tokens: HashMap<String, Instant>,
    /// The one valid refresh token.
    pub refresh_token: String,
    pub faults: Vec<Fault>,
    /// Query cursors: id -> (totalSize, records not served yet, as JSON objects).
    pub cursors: HashMap<String, (usize, Vec<String>)>,
    pub log: Vec<Request>,
    pub api_calls: u64,
}

impl State {
    /// Mints and remembers a new access token.
    pub fn mint_access_token(&mut self) -> String {
        let token = format!("{}!AQ{}", &ORG_ID[..15], random_string(40));
        self.tokens.insert(token.clone(), Instant::now());
        token
    }

    /// Whether an access token was valid at `at` (when a request arrived).
    pub fn token_valid(&self, token: &str, at: Instant) -> bool {
        match self.tokens.get(token) {
            None => false,
            Some(issued) => self
                .cfg
                .token_lifetime
                .is_none_or(|life| at.saturating_duration_since(*issued) < life),
        }
    }

    /// Records as SOQL currently sees them (honouring the read-back lag).
    pub fn soql_view(&mut self) -> &[StoredRecord] {
        let lag = self.cfg.readback_lag;
        self.history.retain(|(at, _)| at.elapsed() < lag);
        match self.history.first() {
            Some((_, before)) => before,
            None => &self.records,
        }
    }

    /// Type by API name, case-insensitively.
    pub fn find_type(&self, name: &str) -> Option<&SObjectType> {
        self.types
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn triggers_record(&self) -> &StoredRecord {
        &self.records[0]
    }
}

/// Random alphanumeric string from the system RNG.
pub(crate) fn random_string(len: usize) -> String {
    use ring::rand::SecureRandom;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("system RNG available");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// What the server threads share with the [`SimOrg`] handle.
pub(crate) struct Shared {
    pub url: String,
    /// The org's API host (`http://localhost:PORT`), distinct from the login host `url`.
    pub instance_url: String,
    pub state: Mutex<State>,
    pub stop: AtomicBool,
    /// Connections being handled right now.
    pub in_flight: AtomicUsize,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A new refresh token.
pub(crate) fn new_refresh_token() -> String {
    format!("5Aep861SIM{}", random_string(48))
}
