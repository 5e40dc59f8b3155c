//! A signed-in Salesforce connection: keeps the session, sends REST and SOAP calls to the
//! session's `instance_url`, and renews the session once per call on `INVALID_SESSION_ID`.

use std::time::SystemTime;

use reqwest::{Method, Url};

use super::auth::{Credentials, Session};
use super::error::{Api, Failure, SfError};
use super::http::{Answer, Deadline, Event, Transport};
use super::xml;
use crate::github::Console;

/// A write's progress, as told to the journal set with [`Salesforce::set_write_journal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteStage {
    /// The write is about to be sent; it (and every retry of it) leaves before `latest_send`.
    Sending {
        /// The end of the operation's deadline: no attempt is sent after it.
        latest_send: SystemTime,
    },
    /// The call returned. `in_doubt`: some attempt may have reached Salesforce without an
    /// answer, so it may still be applied later, whatever the call returned.
    Settled {
        /// Whether the write's outcome is unknown.
        in_doubt: bool,
    },
}

/// Told about each write before it is sent and once its outcome is known.
pub(crate) type WriteJournal = Box<dyn FnMut(WriteStage) -> Result<(), String> + Send>;

/// A connection to one org.
pub(crate) struct Salesforce {
    transport: Transport,
    credentials: Credentials,
    session: Option<Session>,
    api_version: String,
    console: Console,
    journal: Option<WriteJournal>,
    /// When the last write whose outcome is unknown returned (all its attempts were sent).
    write_in_doubt: Option<SystemTime>,
}

impl Salesforce {
    /// Prepares a connection; nothing is sent until the first call.
    pub(crate) fn new(
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
            write_in_doubt: None,
        }
    }

    /// Sets who is told about writes (the action records them in the step state).
    pub(crate) fn set_write_journal(&mut self, journal: WriteJournal) {
        self.journal = Some(journal);
    }

    /// Tells the journal about a write; an error means the write must not be sent.
    pub(crate) fn record_write(&mut self, stage: WriteStage) -> Result<(), String> {
        if let WriteStage::Settled { in_doubt: true } = stage {
            self.write_in_doubt = Some(SystemTime::now());
        }
        match &mut self.journal {
            Some(journal) => journal(stage),
            None => Ok(()),
        }
    }

    /// When the last write in doubt returned: Salesforce may apply it until then plus its
    /// call limit.
    pub(crate) fn write_in_doubt_since(&self) -> Option<SystemTime> {
        self.write_in_doubt
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

    /// The console used for progress, masks and warnings.
    pub(crate) fn console(&self) -> &Console {
        &self.console
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
            .call(deadline, action, Api::Rest, |transport, session| {
                let mut url = session.instance_url.clone();
                url.set_path(&path);
                transport
                    .request(Method::GET, url)
                    .query(query)
                    .bearer_auth(session.access_token.expose())
                    .header("Accept", "application/json")
            })
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
        let path = format!("/services/Soap/m/{}", self.api_version);
        let answer = self
            .call(deadline, action, Api::Soap, |transport, session| {
                let mut url: Url = session.instance_url.clone();
                url.set_path(&path);
                transport
                    .request(Method::POST, url)
                    .header("Content-Type", "text/xml; charset=UTF-8")
                    .header("SOAPAction", "\"\"")
                    .body(envelope(session.access_token.expose(), body))
            })
            .await?;
        xml::parse(&answer.body).map_err(|e| SfError::unreadable(action, answer.status, "XML", e))
    }

    async fn call(
        &mut self,
        deadline: &Deadline,
        action: &str,
        api: Api,
        build: impl Fn(&Transport, &Session) -> reqwest::RequestBuilder,
    ) -> Result<Answer, SfError> {
        self.connect(deadline).await?;
        let mut renewed = false;
        loop {
            let Some(session) = self.session.clone() else {
                unreachable!("connect() leaves a session")
            };
            let result = self
                .transport
                .execute(deadline, action, api, || build(&self.transport, &session))
                .await;
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
