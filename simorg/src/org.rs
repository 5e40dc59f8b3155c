//! [`SimOrg`]: the handle that starts the server and lets tests look at and change the org.

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::OrgConfig;
use crate::http;
use crate::ids::{CLIENT_ID, CLIENT_SECRET, FIELD_NAME, PLATFORM_CLI, TYPE_NAME};
use crate::model::{Fault, Record, Request, Value};
use crate::state::{Shared, State, new_refresh_token};
use crate::store;

/// A running simulated org. The server stops accepting connections when this is dropped.
pub struct SimOrg {
    shared: Arc<Shared>,
    port: u16,
}

impl SimOrg {
    /// Starts an org on `127.0.0.1` with an ephemeral port.
    pub fn start(cfg: OrgConfig) -> SimOrg {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let instance_url = cfg
            .public_instance_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{port}"));
        let state = State {
            types: store::build_types(&cfg),
            records: store::build_records(&cfg),
            cfg,
            history: Vec::new(),
            tokens: HashMap::new(),
            refresh_token: new_refresh_token(),
            faults: Vec::new(),
            cursors: HashMap::new(),
            log: Vec::new(),
            api_calls: 0,
        };
        let shared = Arc::new(Shared {
            url: format!("http://127.0.0.1:{port}"),
            instance_url,
            state: Mutex::new(state),
            stop: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
        });
        let server = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("simorg-{port}"))
            .spawn(move || http::serve(listener, server))
            .expect("spawn server thread");
        SimOrg { shared, port }
    }

    /// The login host, `http://127.0.0.1:PORT`: where JWT and refresh-token sign-ins go.
    /// API calls sent here are refused, as a login host would: they must go to [`SimOrg::instance_url`].
    pub fn url(&self) -> String {
        self.shared.url.clone()
    }

    /// Changes the MasterLabel of the record whose QualifiedApiName is `qualified_name`
    /// (any type), e.g. to give two records the same label.
    pub fn set_label(&self, qualified_name: &str, label: &str) {
        let mut st = self.shared.lock();
        for r in st
            .records
            .iter_mut()
            .filter(|r| r.qualified_api_name() == qualified_name)
        {
            r.label = label.to_string();
        }
    }

    /// The org's own host ("My Domain"), `http://localhost:PORT` (or the configured
    /// [`OrgConfig::public_instance_url`](crate::OrgConfig::public_instance_url)): the `instance_url` the token
    /// endpoint returns, the only host that serves REST and SOAP calls, and the only one that
    /// accepts the client-credentials grant.
    pub fn instance_url(&self) -> String {
        self.shared.instance_url.clone()
    }

    /// SFDX auth URL with the connected app's id and secret and the current refresh token:
    /// `force://CLIENT_ID:CLIENT_SECRET:REFRESH@127.0.0.1:PORT`.
    pub fn auth_url(&self) -> String {
        let refresh = self.shared.lock().refresh_token.clone();
        format!(
            "force://{CLIENT_ID}:{CLIENT_SECRET}:{refresh}@127.0.0.1:{}",
            self.port
        )
    }

    /// SFDX auth URL for the default CLI app with an empty secret:
    /// `force://PlatformCLI::REFRESH@127.0.0.1:PORT`.
    pub fn auth_url_without_secret(&self) -> String {
        let refresh = self.shared.lock().refresh_token.clone();
        format!("force://{PLATFORM_CLI}::{refresh}@127.0.0.1:{}", self.port)
    }

    /// Mints a valid session (access token), as for the access-token auth method.
    pub fn issue_access_token(&self) -> String {
        self.shared.lock().mint_access_token()
    }

    /// Invalidates every access token issued so far.
    pub fn expire_sessions(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Queues a fault. For each request the first queued fault whose op matches and whose
    /// `times > 0` applies and is decremented.
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push(fault);
    }

    /// Every request received so far, in order (faulted ones included).
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().log.clone()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// The Triggers Enabled record as stored now (what `readMetadata` returns).
    pub fn record(&self) -> Record {
        self.shared.lock().triggers_record().to_record()
    }

    /// The Setting value of the Triggers Enabled record as stored now.
    pub fn setting(&self) -> Value {
        self.shared.lock().triggers_record().column(FIELD_NAME)
    }

    /// Sets the Setting value directly; SOQL sees it at once (no read-back lag).
    pub fn set_setting(&self, v: Value) {
        let mut st = self.shared.lock();
        let State {
            records, history, ..
        } = &mut *st;
        let id = records[0].id.clone();
        let snapshots = history.iter_mut().map(|(_, recs)| recs);
        for recs in std::iter::once(records).chain(snapshots) {
            for rec in recs.iter_mut().filter(|r| r.id == id) {
                if let Some(slot) = rec.value_mut(FIELD_NAME) {
                    *slot = v.clone();
                }
            }
        }
    }

    /// Waits until no request is being handled (e.g. a delayed write the client gave up on),
    /// at most `limit`; true when the org is idle.
    pub fn wait_idle(&self, limit: Duration) -> bool {
        let started = Instant::now();
        loop {
            if self.shared.in_flight.load(Ordering::SeqCst) == 0 {
                return true;
            }
            if started.elapsed() >= limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// API name of the settings type, `s_c__Setting__mdt`.
    pub fn type_name(&self) -> &str {
        TYPE_NAME
    }

    /// API name of the Setting field, `s_c__Setting__c`.
    pub fn field_name(&self) -> &str {
        FIELD_NAME
    }

    /// QualifiedApiName of the Triggers Enabled record: `s_c__Triggers_Enabled` (packaged)
    /// or `Triggers_Enabled` (subscriber).
    pub fn record_name(&self) -> String {
        self.shared.lock().triggers_record().qualified_api_name()
    }

    /// Metadata fullName of the Triggers Enabled record, e.g. `s_c__Setting.s_c__Triggers_Enabled`.
    pub fn full_name(&self) -> String {
        self.shared.lock().triggers_record().full_name()
    }
}

impl SimOrg {
    /// Who last changed the Triggers Enabled record and when, as listMetadata reports them
    /// (`lastModifiedByName`, `lastModifiedDate`). Every successful updateMetadata moves them
    /// to the integration user and the time of the write.
    pub fn last_modified(&self) -> (String, std::time::SystemTime) {
        let st = self.shared.lock();
        let r = st.triggers_record();
        (r.last_modified_by.clone(), r.last_modified)
    }

    /// Sets who last changed the Triggers Enabled record and when (e.g. an admin in Setup
    /// an hour ago: `SystemTime::now() - Duration::from_secs(3600)`).
    pub fn set_last_modified(&self, by: &str, at: std::time::SystemTime) {
        let mut st = self.shared.lock();
        let rec = &mut st.records[0];
        rec.last_modified_by = by.to_string();
        rec.last_modified = at;
    }
}

impl Drop for SimOrg {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag; ignore failures.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
