//! A signed-in Salesforce connection: keeps the session, sends REST and SOAP calls to the
//! session's `instance_url`, and renews the session once per call on `INVALID_SESSION_ID`.

use std::time::SystemTime;

use reqwest::{Method, Url};

use super::auth::{Credentials, Session};
use super::error::{Api, Failure, SfError};
use super::http::{Answer, Deadline, Event, Transport};
use super::xml;
use crate::github::Console;
use crate::outside::Outside;

/// One attempt of a write, as told to the journal set with [`Salesforce::set_write_journal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStage {
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
pub type WriteJournal = Box<dyn FnMut(WriteStage) -> Result<(), String> + Send>;

/// A connection to one org.
pub struct Salesforce {
    transport: Transport,
    credentials: Credentials,
    session: Option<Session>,
    api_version: String,
    console: Console,
    journal: Option<WriteJournal>,
}

impl Salesforce {
    /// Prepares a connection; nothing is sent until the first call.
    pub fn new(
        transport: Transport,
        credentials: Credentials,
        api_version: String,
        console: Console,
    ) -> Self {
        Self {
            transport,
            credentials,
            session: None,
            api_version,
            console,
            journal: None,
        }
    }

    /// Sets who is told about writes (the action records them in the step state).
    pub fn set_write_journal(&mut self, journal: WriteJournal) {
        self.journal = Some(journal);
    }

    /// Tells the journal about a write; an error means the write must not be sent.
    pub fn record_write(&mut self, stage: WriteStage) -> Result<(), String> {
        match &mut self.journal {
            Some(journal) => journal(stage),
            None => Ok(()),
        }
    }

    /// Attempts so far whose outcome is unknown (see [`Transport::unknown_outcomes`]).
    pub fn unknown_outcomes(&self) -> u32 {
        self.transport.unknown_outcomes()
    }

    /// The API version used for REST and SOAP paths, e.g. `66.0`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The org's host, once signed in (for reports; never contains credentials).
    pub fn org_host(&self) -> Option<String> {
        self.session
            .as_ref()
            .and_then(|s| s.instance_url.host_str().map(str::to_string))
    }

    /// The console used for progress, masks and warnings.
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// Signs in if there is no session yet.
    pub async fn connect(&mut self, deadline: &Deadline) -> Result<(), SfError> {
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
    pub async fn rest_get(
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
            .call(deadline, action, Api::Rest, true, |transport, session| {
                let mut url = session.instance_url.clone();
                url.set_path(&path);
                transport
                    .request(Method::GET, url)
                    .query(query)
                    .bearer_auth(session.access_token.expose())
                    .header("Accept", "application/json")
            })
            .await?;
        serde_json::from_str(&answer.body).map_err(|e| unreadable(action, &answer, "JSON", e))
    }

    /// POST a Metadata API operation (the XML inside `<soapenv:Body>`) and return the parsed envelope.
    pub async fn soap(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
    ) -> Result<xml::Element, SfError> {
        self.soap_with(deadline, action, body, true).await
    }

    async fn soap_with(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
        resend_unknown: bool,
    ) -> Result<xml::Element, SfError> {
        let path = format!("/services/Soap/m/{}", self.api_version);
        let answer = self
            .call(
                deadline,
                action,
                Api::Soap,
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
            .await?;
        xml::parse(&answer.body).map_err(|e| unreadable(action, &answer, "XML", e))
    }

    /// Like [`Salesforce::soap`], for a write: an attempt whose outcome is unknown is not sent
    /// again (see [`Transport::execute_write`]).
    pub async fn soap_write(
        &mut self,
        deadline: &Deadline,
        action: &str,
        body: &str,
    ) -> Result<xml::Element, SfError> {
        self.soap_with(deadline, action, body, false).await
    }

    async fn call(
        &mut self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        resend_unknown: bool,
        build: impl Fn(&Transport, &Session) -> reqwest::RequestBuilder,
    ) -> Result<Answer, SfError> {
        self.connect(deadline).await?;
        let mut renewed = false;
        loop {
            let Some(session) = self.session.clone() else {
                unreachable!("connect() leaves a session")
            };
            let request = || build(&self.transport, &session);
            let result = if resend_unknown {
                self.transport.execute(deadline, action, api, request).await
            } else {
                self.transport
                    .execute_write(deadline, action, api, request)
                    .await
            };
            match result {
                Ok(answer) => return Ok(answer),
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

/// A 2xx answer whose body is not in the format the API speaks (e.g. a proxy's page).
fn unreadable(action: &str, answer: &Answer, format: &str, e: impl std::fmt::Display) -> SfError {
    SfError {
        action: action.to_string(),
        answer: format!(
            "HTTP {} with a body that is not {format} ({})",
            answer.status,
            Outside::message(e.to_string())
        ),
        code: None,
        hint: "check instance-url: it must be the org's API host".into(),
    }
}

/// Wraps a Metadata API operation in a SOAP envelope with the session header.
pub fn envelope(session_id: &str, body: &str) -> String {
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
