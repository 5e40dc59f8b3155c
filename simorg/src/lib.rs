#![deny(missing_docs)]
//! A simulated Salesforce org for the tests, benchmark and demo of `storeconnect-triggers`.
//!
//! [`SimOrg::start`] binds a blocking HTTP/1.1 server on `127.0.0.1:0` that speaks the
//! wire formats of the OAuth token endpoint, the REST query/describe resources and the
//! Metadata SOAP API (`readMetadata`, `updateMetadata`, `listMetadata`) well enough for
//! the client to discover, read, flip and verify the StoreConnect "Triggers Enabled"
//! custom metadata record. Every request is logged ([`SimOrg::requests`]) and faults can
//! be injected per operation ([`SimOrg::inject`]).

mod http;
mod oauth;
mod rest;
mod route;
mod soap;
mod soql;
mod store;
mod xml;

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use store::{SObjectType, StoredRecord};

/// Consumer key of the connected app the org knows.
pub const CLIENT_ID: &str = "3MVG9SimulatedConsumerKey";
/// Consumer secret of that connected app.
pub const CLIENT_SECRET: &str = "sim-client-secret-5f1c";
/// Username of the integration user (the JWT `sub`).
pub const USERNAME: &str = "integration@storeconnect.example";
/// Test-only RSA 2048 private key for the JWT bearer flow, PKCS#8 PEM (`BEGIN PRIVATE KEY`).
pub const JWT_KEY_PEM: &str = include_str!("../fixtures/jwt-key.pem");
/// The same test-only key as PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`).
pub const JWT_KEY_PKCS1_PEM: &str = include_str!("../fixtures/jwt-key-rsa.pem");
/// The matching public key, PKCS#1 `RSAPublicKey` DER (what the org verifies JWTs with).
pub const JWT_PUBLIC_KEY_DER: &[u8] = include_bytes!("../fixtures/jwt-pub-rsa.der");

pub(crate) const ORG_ID: &str = "00DSIM000000001AAA";
pub(crate) const USER_ID: &str = "005SIM000000001AAA";
pub(crate) const PLATFORM_CLI: &str = "PlatformCLI";
const TYPE_NAME: &str = "s_c__Setting__mdt";
const FIELD_NAME: &str = "s_c__Setting__c";

/// Type of the `Setting` field of `s_c__Setting__mdt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Checkbox (describe type `boolean`, values `true`/`false`).
    Checkbox,
    /// Text (describe type `string`, values `"true"`/`"false"`).
    Text,
}

/// Who created the Triggers Enabled record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// Shipped in the `s_c` package: QualifiedApiName `s_c__Triggers_Enabled`.
    Packaged,
    /// Created by the subscriber: QualifiedApiName `Triggers_Enabled`, no namespace.
    Subscriber,
}

/// How the simulated org behaves.
#[derive(Clone, Debug)]
pub struct OrgConfig {
    /// Type of the Setting field.
    pub field_kind: FieldKind,
    /// Who created the Triggers Enabled record.
    pub record_kind: RecordKind,
    /// Initial Setting value of the Triggers Enabled record.
    pub enabled: bool,
    /// Lifetime of access tokens; `None` = tokens never expire.
    pub token_lifetime: Option<Duration>,
    /// After an update, SOQL keeps returning the old record values this long.
    pub readback_lag: Duration,
    /// The refresh flow returns a new `refresh_token` and invalidates the old one.
    pub rotate_refresh_tokens: bool,
    /// SOQL answers at most this many records per page (`done:false` + `nextRecordsUrl`);
    /// `None` = everything in one page.
    pub page_size: Option<usize>,
    /// How readMetadata answers a fullName it cannot show (unknown, or protected in another
    /// namespace). Default: one `<records xsi:nil="true"/>`, as Salesforce does.
    pub not_found: NotFoundShape,
    /// Manageability of the Setting field (the package decides it). Default: subscriber-controlled.
    pub field_manageability: Manageability,
    /// The Triggers Enabled record is protected. A protected packaged record is invisible to the
    /// subscriber (readMetadata answers not found, SOQL does not list it).
    pub protected_record: bool,
    /// Oldest API version served (major); older ones answer REST 410 / SOAP UNSUPPORTED_API_VERSION.
    pub min_api_version: u32,
    /// Fields that every successful updateMetadata sets to nil whatever was sent (simulates an org
    /// clearing data behind the client's back).
    pub update_clears: Vec<String>,
}

/// How readMetadata answers a name it cannot show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotFoundShape {
    /// `<records xsi:nil="true"/>` per requested name (what Salesforce answers).
    Nil,
    /// An empty `<result/>`: no `records` at all.
    NoRecords,
    /// A `records` element without a `fullName`.
    NoFullName,
    /// A whole record whose `fullName` is not the one asked for.
    OtherFullName,
}

/// Field manageability of a packaged custom metadata field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manageability {
    /// The subscriber may change values (Customize Application).
    SubscriberControlled,
    /// Only the package developer may change values (through an upgrade).
    DeveloperControlled,
    /// Nobody may change values after release.
    Locked,
}

impl Manageability {
    /// The `fieldManageability` value the Metadata API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Manageability::SubscriberControlled => "SubscriberControlled",
            Manageability::DeveloperControlled => "DeveloperControlled",
            Manageability::Locked => "Locked",
        }
    }
}

impl Default for OrgConfig {
    fn default() -> Self {
        OrgConfig {
            field_kind: FieldKind::Checkbox,
            record_kind: RecordKind::Packaged,
            enabled: true,
            token_lifetime: None,
            readback_lag: Duration::ZERO,
            rotate_refresh_tokens: false,
            page_size: None,
            not_found: NotFoundShape::Nil,
            field_manageability: Manageability::SubscriberControlled,
            protected_record: false,
            min_api_version: 31,
            update_clears: Vec::new(),
        }
    }
}

/// Operation a request was classified as (before any auth check).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `POST /services/oauth2/token`.
    Token,
    /// `GET /services/data/vNN.N/query`.
    Query,
    /// `GET /services/data/vNN.N/sobjects/`.
    DescribeGlobal,
    /// `GET /services/data/vNN.N/sobjects/{name}/describe`.
    Describe,
    /// Metadata SOAP `readMetadata`.
    ReadMetadata,
    /// Metadata SOAP `updateMetadata`.
    UpdateMetadata,
    /// Metadata SOAP `upsertMetadata` (always answered with a fault).
    UpsertMetadata,
    /// Metadata SOAP `listMetadata`.
    ListMetadata,
    /// Anything else.
    Other,
}

/// One request as received by the org.
#[derive(Clone, Debug)]
pub struct Request {
    /// How the request was classified.
    pub op: Op,
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Request target as sent, including any query string (still URL-encoded).
    pub path: String,
    /// Body, decoded as UTF-8 (lossily).
    pub body: String,
    /// Headers in the order sent; names lower-cased, values as sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// Value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.headers, name)
    }
}

/// What an injected fault does to a matching request.
#[derive(Clone, Debug)]
pub enum FaultAction {
    /// Answer this instead of the real handler.
    Respond {
        /// HTTP status code.
        status: u16,
        /// `Content-Type` header value.
        content_type: String,
        /// Response body.
        body: String,
    },
    /// Sleep, then handle normally.
    Delay(Duration),
    /// Read the request, then close the socket without answering.
    Drop,
    /// Handle the request (so a write is applied), then close the socket without answering.
    ApplyThenDrop,
}

/// A fault to inject; see [`SimOrg::inject`].
#[derive(Clone, Debug)]
pub struct Fault {
    /// Operation it applies to; `None` = any request.
    pub op: Option<Op>,
    /// How many more requests it applies to.
    pub times: usize,
    /// What it does.
    pub action: FaultAction,
}

impl Fault {
    /// A fault for `op` applying to the next `times` matching requests.
    pub fn new(op: Op, times: usize, action: FaultAction) -> Self {
        Fault {
            op: Some(op),
            times,
            action,
        }
    }

    /// Answer `status` with `body` for the next `times` requests of `op`. The content type
    /// is JSON if the body starts with `[` or `{`, `text/xml` if it starts with `<`, else
    /// `text/plain`.
    pub fn status(op: Op, times: usize, status: u16, body: &str) -> Self {
        let content_type = match body.trim_start().chars().next() {
            Some('[' | '{') => "application/json;charset=UTF-8",
            Some('<') => "text/xml;charset=UTF-8",
            _ => "text/plain;charset=UTF-8",
        };
        Fault::new(
            op,
            times,
            FaultAction::Respond {
                status,
                content_type: content_type.to_string(),
                body: body.to_string(),
            },
        )
    }
}

/// A field value of a custom metadata record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Checkbox value.
    Bool(bool),
    /// Text value.
    Text(String),
    /// Null.
    Nil,
    /// Number (`xsd:double`), as the Metadata API writes it, e.g. `50.0`.
    Number(String),
    /// Date (`xsd:date`), `YYYY-MM-DD`.
    Date(String),
}

/// A custom metadata record as the Metadata API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Metadata fullName, e.g. `s_c__Setting.s_c__Triggers_Enabled`.
    pub full_name: String,
    /// Label (MasterLabel).
    pub label: String,
    /// Protected flag.
    pub protected: bool,
    /// Custom field values `(field API name, value)` in stored order.
    pub values: Vec<(String, Value)>,
    /// `description`, when set.
    pub description: Option<String>,
}

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

    /// Whether an access token is currently valid.
    pub fn token_valid(&self, token: &str) -> bool {
        match self.tokens.get(token) {
            None => false,
            Some(issued) => self
                .cfg
                .token_lifetime
                .is_none_or(|life| issued.elapsed() < life),
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

    fn triggers_record(&self) -> &StoredRecord {
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
            instance_url: format!("http://localhost:{port}"),
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

    /// The org's own host ("My Domain"), `http://localhost:PORT`: the `instance_url` the token
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

pub(crate) fn new_refresh_token() -> String {
    format!("5Aep861SIM{}", random_string(48))
}
