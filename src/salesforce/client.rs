//! A signed-in Salesforce connection: keeps the session, sends REST and SOAP calls to the
//! session's `instance_url`, and renews the session once per call on `INVALID_SESSION_ID`.

use std::time::SystemTime;

use reqwest::{Method, Url};

use super::auth::{Credentials, Session};
use super::error::{Api, Failure, SfError};
use super::http::body::{Scan, Whole};
use super::http::{Answer, Deadline, Event, Transport};
use super::xml;

/// One attempt of a write, as told to the journal set with [`Salesforce::set_write_journal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteStage {
    /// An attempt is about to be sent (now, or after a retry of a failure that proves it was
    /// not applied), and leaves before `latest_send`.
    Sending {
        /// The end of the operation's deadline: no attempt is sent after it.
        latest_send: SystemTime,
    },
    /// The attempt was answered: its outcome is known.
    Answered,
    /// The attempt got no answer (it may have been applied, or still be); it was sent by now.
    Lost,
    /// A lost attempt's value was read back before anything was sent again: it landed.
    Landed,
}

/// Told about each write before it is sent and once its outcome is known.
pub(crate) type WriteJournal = Box<dyn FnMut(WriteStage) -> Result<(), String> + Send>;

/// A connection to one org.
pub(crate) struct Salesforce {
    transport: Transport,
    credentials: Credentials,
    session: Option<Session>,
    api_version: String,
    journal: Option<WriteJournal>,
}

impl Salesforce {
    /// Prepares a connection; nothing is sent until the first call.
    pub(crate) fn new(transport: Transport, credentials: Credentials, api_version: String) -> Self {
        Self {
            transport,
            credentials,
            session: None,
            api_version,
            journal: None,
        }
    }

    /// Sets who is told about writes (the action records them in the step state).
    pub(crate) fn set_write_journal(&mut self, journal: WriteJournal) {
        self.journal = Some(journal);
    }

    /// Tells the journal about a write; an error means the write must not be sent.
    pub(crate) fn record_write(&mut self, stage: WriteStage) -> Result<(), String> {
        match &mut self.journal {
            Some(journal) => journal(stage),
            None => Ok(()),
        }
    }

    /// Attempts so far whose outcome is unknown (see [`Transport::unknown_outcomes`]).
    pub(crate) fn unknown_outcomes(&self) -> u32 {
        self.transport.unknown_outcomes()
    }

    /// The API version used for REST and SOAP paths, e.g. `66.0`.
    pub(crate) fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The org's host, once signed in (for reports; never contains credentials).
    pub(crate) fn org_host(&self) -> Option<String> {
        self.session
            .as_ref()
            .and_then(|s| s.instance_url.host_str().map(str::to_string))
    }

    /// Tells the front end's listener about `event` (the client never prints).
    pub(crate) fn report(&self, event: Event) {
        self.transport.report(event);
    }

    /// Signs in if there is no session yet.
    pub(crate) async fn connect(&mut self, deadline: &Deadline) -> Result<(), SfError> {
        if self.session.is_none() {
            self.login(deadline).await?;
        }
        Ok(())
    }

    async fn login(&mut self, deadline: &Deadline) -> Result<(), SfError> {
        // Mask first: what the token endpoint says (retry lines) waits until the runner knows
        // to hide the new token.
        self.transport.hold();
        let login = self.credentials.login(&self.transport, deadline).await;
        let (session, notes) = match login {
            Ok(done) => done,
            Err(e) => {
                self.transport.release(None);
                return Err(e);
            }
        };
        self.transport
            .release(Some(Event::Token(session.access_token.clone())));
        if notes.refresh_token_rotated {
            self.transport.report(Event::RefreshTokenRotated(
                self.credentials.rotated_refresh_token_warning(),
            ));
        }
        if !matches!(self.credentials, Credentials::AccessToken { .. }) {
            self.transport.report(Event::SignedIn {
                method: self.credentials.method_name(),
                host: session.instance_url.host_str().unwrap_or("?").to_string(),
            });
        }
        self.session = Some(session);
        Ok(())
    }

    /// GET a REST path below `/services/data/vXX.X/` (or an absolute `/services/...` path) and parse JSON.
    pub(crate) async fn rest_get(
        &mut self,
        deadline: &Deadline,
        action: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<serde_json::Value, SfError> {
        let path = if path.starts_with("/services/") {
            path.to_string()
        } else {
            format!("/services/data/v{}/{}", self.api_version, path)
        };
        let answer = self
            .call(
                deadline,
                action,
                Api::Rest,
                Whole::default,
                true,
                |transport, session| {
                    let mut url = session.instance_url.clone();
                    url.set_path(&path);
                    transport
                        .request(Method::GET, url)
                        .query(query)
                        .bearer_auth(session.access_token.expose())
                        .header("Accept", "application/json")
                },
            )
            .await?;
        serde_json::from_str(&answer.body)
            .map_err(|e| SfError::unreadable(action, answer.status, "JSON", e))
    }

    /// POST a Metadata API operation (the XML inside `<soapenv:Body>`) and return the parsed envelope.
    pub(crate) async fn soap(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
    ) -> Result<xml::Element, SfError> {
        self.soap_parsed(deadline, action, body, true).await
    }

    /// Like [`Salesforce::soap`], for a write: an attempt whose outcome is unknown is not sent
    /// again, so the caller can first read whether it landed.
    pub(crate) async fn soap_write(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
    ) -> Result<xml::Element, SfError> {
        self.soap_parsed(deadline, action, body, false).await
    }

    async fn soap_parsed(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
        resend_unknown: bool,
    ) -> Result<xml::Element, SfError> {
        let answer = self
            .soap_call(deadline, action, body, Whole::default, resend_unknown)
            .await?;
        xml::parse(&answer.body).map_err(|e| SfError::unreadable(action, answer.status, "XML", e))
    }

    /// POST a Metadata API operation whose successful answer goes through a new `scan` as it
    /// arrives (for answers of any size, such as listMetadata's).
    pub(crate) async fn soap_scanned<S: Scan>(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
        scan: impl Fn() -> S,
    ) -> Result<Answer<S::Output>, SfError> {
        self.soap_call(deadline, action, body, scan, true).await
    }

    async fn soap_call<S: Scan>(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
        scan: impl Fn() -> S,
        resend_unknown: bool,
    ) -> Result<Answer<S::Output>, SfError> {
        let path = format!("/services/Soap/m/{}", self.api_version);
        self.call(
            deadline,
            action,
            Api::Soap,
            scan,
            resend_unknown,
            |transport, session| {
                let mut url: Url = session.instance_url.clone();
                url.set_path(&path);
                transport
                    .request(Method::POST, url)
                    .header("Content-Type", "text/xml; charset=UTF-8")
                    .header("SOAPAction", "\"\"")
                    .body(envelope(session.access_token.expose(), body))
            },
        )
        .await
    }

    /// One call with one renewal of an expired session; `resend_unknown` false keeps an attempt
    /// whose outcome is unknown from being sent again.
    async fn call<S: Scan>(
        &mut self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        scan: impl Fn() -> S,
        resend_unknown: bool,
        build: impl Fn(&Transport, &Session) -> reqwest::RequestBuilder,
    ) -> Result<Answer<S::Output>, SfError> {
        self.connect(deadline).await?;
        let mut renewed = false;
        loop {
            let Some(session) = self.session.clone() else {
                unreachable!("connect() leaves a session")
            };
            let result = self
                .transport
                .execute_scanned(
                    deadline,
                    action,
                    api,
                    || build(&self.transport, &session),
                    &scan,
                    resend_unknown,
                )
                .await;
            match result {
                Ok((status, body)) => return Ok(Answer { status, body }),
                Err(Failure::SessionExpired(e)) if !renewed && self.credentials.can_renew() => {
                    self.transport.report(Event::SessionExpired {
                        action: action.to_string(),
                        answer: e.answer,
                    });
                    self.session = None;
                    self.login(deadline).await?;
                    renewed = true;
                }
                Err(failure) => return Err(failure.into_error()),
            }
        }
    }
}

/// Wraps a Metadata API operation in a SOAP envelope with the session header.
pub(crate) fn envelope(session_id: &str, body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
            r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" "#,
            r#"xmlns:met="http://soap.sforce.com/2006/04/metadata">"#,
            r#"<soapenv:Header><met:SessionHeader><met:sessionId>{}</met:sessionId></met:SessionHeader></soapenv:Header>"#,
            r#"<soapenv:Body>{}</soapenv:Body></soapenv:Envelope>"#
        ),
        xml::escape(session_id),
        body
    )
}
