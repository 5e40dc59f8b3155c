//! The ways to get a Salesforce session: access token, SFDX auth URL (refresh token), the
//! Salesforce CLI's login, JWT bearer and client credentials. Parsing happens up front so bad
//! input fails before any request; [`Credentials::login`] turns the credentials into a
//! [`Session`]. Each method that signs in builds its own token request in its own file (an
//! access token needs none; the CLI's login is asked from `sf`, in [`sf_cli`]).

mod client_credentials;
mod jwt;
pub(crate) mod sf_cli;
mod sf_process;
mod sfdx_url;

use std::time::Duration;

use reqwest::{Method, Url};
use serde::Deserialize;

use super::error::{Api, Failure, REFRESH_TOKEN_HINT, SfError};
use super::http::{Deadline, Transport};
use crate::secret::Secret;
use crate::url_policy;

pub use jwt::JwtKey;
use jwt::jwt_audience;

/// Form fields of a token request.
type Form = Vec<(&'static str, String)>;

/// An authenticated session: where to send API calls and the bearer token.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The org's API host, as returned by the token endpoint (or configured for access tokens).
    pub(crate) instance_url: Url,
    /// The access token (also the SOAP session id).
    pub(crate) access_token: Secret,
}

/// Credentials for one of the four authentication methods.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A ready access token for `instance_url` (cannot be renewed).
    AccessToken {
        /// The org's instance URL.
        instance_url: Url,
        /// The token.
        token: Secret,
    },
    /// The refresh-token flow, from an SFDX auth URL.
    RefreshToken {
        /// Where to POST `/services/oauth2/token`.
        token_host: Url,
        /// Connected app consumer key.
        client_id: String,
        /// Consumer secret; `None` when the auth URL had an empty one.
        client_secret: Option<Secret>,
        /// The refresh token (replaced in memory if the org rotates it).
        refresh_token: Secret,
        /// The Salesforce CLI login it came from (`target-org`), if any.
        target_org: Option<String>,
    },
    /// A Salesforce CLI login without a refresh token (`target-org` of a JWT login): its access
    /// token, renewed by asking sf again.
    SalesforceCli {
        /// The sf alias or username.
        target_org: String,
        /// The org's instance URL, from `sf org display`.
        instance_url: Url,
        /// The token sf gave when the settings were read; taken by the first login.
        token: Option<Secret>,
        /// How to ask sf for a new one.
        renewal: sf_cli::Renewal,
        /// How long sf may take to answer.
        timeout: Duration,
    },
    /// The JWT bearer flow.
    Jwt {
        /// Login host (login, test or My Domain).
        login_url: Url,
        /// Connected app consumer key.
        client_id: String,
        /// The Salesforce username to act as.
        username: String,
        /// The private key whose certificate is on the connected app.
        key: JwtKey,
    },
    /// The client-credentials flow against the org's My Domain.
    ClientCredentials {
        /// The org's My Domain URL.
        instance_url: Url,
        /// Connected app consumer key.
        client_id: String,
        /// Consumer secret.
        client_secret: Secret,
    },
}

/// What a login produced besides the session.
#[derive(Debug, Default)]
pub(crate) struct LoginNotes {
    /// The org rotated the refresh token: the auth URL used now will not work again.
    pub(crate) refresh_token_rotated: bool,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl Credentials {
    /// The method's name as users know it.
    pub(crate) fn method_name(&self) -> &'static str {
        match self {
            Credentials::AccessToken { .. } => "access token",
            Credentials::RefreshToken {
                target_org: Some(_),
                ..
            } => "the Salesforce CLI's login (refresh token)",
            Credentials::RefreshToken { .. } => "SFDX auth URL (refresh token)",
            Credentials::SalesforceCli { .. } => "the Salesforce CLI's login (access token)",
            Credentials::Jwt { .. } => "JWT bearer",
            Credentials::ClientCredentials { .. } => "client credentials",
        }
    }

    /// Replaces the generic hint of a refused sign-in with one for the method in use:
    /// `invalid_grant` means different things to each flow.
    pub(crate) fn sign_in_hint(&self, error: SfError) -> SfError {
        if error.code.as_deref() != Some("invalid_grant") {
            return error;
        }
        let hint = match self {
            Credentials::RefreshToken {
                target_org: Some(org),
                ..
            } => format!(
                "the Salesforce CLI's login `{org}` was revoked or expired: log in again with `sf org login web --alias {org}`"
            ),
            Credentials::RefreshToken { .. } => REFRESH_TOKEN_HINT.into(),
            Credentials::ClientCredentials { .. } => {
                client_credentials::refused_hint(&error).into()
            }
            Credentials::Jwt { .. }
            | Credentials::AccessToken { .. }
            | Credentials::SalesforceCli { .. } => return error,
        };
        error.with_hint(hint)
    }

    /// What a rotated refresh token means for the place it came from (after [`LoginNotes`] said so).
    pub(crate) fn rotated_refresh_token_warning(&self) -> String {
        let what = match self {
            Credentials::RefreshToken {
                target_org: Some(org),
                ..
            } => format!(
                "the Salesforce CLI's login `{org}` is now invalid: log in again with `sf org login web --alias {org}`"
            ),
            _ => "the auth URL used here is now invalid, so a later step or run cannot reuse it"
                .into(),
        };
        format!(
            "This org rotates refresh tokens: {what}. Use the JWT bearer flow (client-id, username, jwt-key) for pipelines; it needs no stored token."
        )
    }

    /// Whether a new session can be obtained when the current one expires.
    pub(crate) fn can_renew(&self) -> bool {
        !matches!(self, Credentials::AccessToken { .. })
    }

    /// Obtains a session (one token request; none for an access token).
    pub(crate) async fn login(
        &mut self,
        transport: &Transport,
        deadline: &Deadline,
    ) -> Result<(Session, LoginNotes), SfError> {
        if let Credentials::SalesforceCli {
            target_org,
            instance_url,
            token,
            renewal,
            timeout,
        } = self
        {
            let access_token = match token.take() {
                Some(token) => token,
                None => sf_cli::renew(target_org, *renewal, *timeout, deadline).await?,
            };
            let session = Session {
                instance_url: instance_url.clone(),
                access_token,
            };
            return Ok((session, LoginNotes::default()));
        }
        let TokenRequest { url, form, basic } = match &*self {
            Credentials::AccessToken {
                instance_url,
                token,
            } => {
                let session = Session {
                    instance_url: instance_url.clone(),
                    access_token: token.clone(),
                };
                return Ok((session, LoginNotes::default()));
            }
            Credentials::RefreshToken {
                token_host,
                client_id,
                client_secret,
                refresh_token,
                ..
            } => sfdx_url::token_request(
                token_host,
                client_id,
                client_secret.as_ref(),
                refresh_token,
            ),
            Credentials::Jwt {
                login_url,
                client_id,
                username,
                key,
            } => jwt::token_request(
                login_url,
                key,
                client_id,
                username,
                &jwt_audience(login_url),
            )?,
            Credentials::ClientCredentials {
                instance_url,
                client_id,
                client_secret,
            } => client_credentials::token_request(instance_url, client_id, client_secret),
            Credentials::SalesforceCli { .. } => unreachable!("answered above"),
        };
        let action = format!(
            "signing in with {} at {}",
            self.method_name(),
            url_policy::origin(&url)
        );
        let send = |form: Form| {
            let (url, basic, action) = (url.clone(), basic.clone(), &action);
            async move {
                transport
                    .execute(deadline, action, Api::OAuth, || {
                        let request = transport.request(Method::POST, url.clone()).form(&form);
                        match &basic {
                            Some((id, secret)) => request.basic_auth(id, Some(secret)),
                            None => request,
                        }
                    })
                    .await
                    .map_err(Failure::into_error)
            }
        };
        let mut result = send(form).await;
        // "audience is invalid": try the other Salesforce audiences once each, as sfdx-core does.
        if let Credentials::Jwt {
            login_url,
            client_id,
            username,
            key,
        } = &*self
        {
            for audience in jwt::other_audiences(login_url) {
                let Err(e) = &result else { break };
                if !jwt::audience_refused(e) {
                    break;
                }
                result = send(jwt::assertion_form(key, client_id, username, audience)?).await;
            }
        }
        let answer = result.map_err(|e| self.sign_in_hint(e))?;
        let parsed: TokenResponse = serde_json::from_str(&answer.body).map_err(|e| {
            SfError::unreadable(&action, answer.status, "a token response", e)
                .with_hint("check that the login URL points at a Salesforce org")
        })?;
        let instance_url =
            url_policy::secure_url("the token response's instance_url", &parsed.instance_url)
                .map_err(|e| {
                    SfError::new(
                        &action,
                        e,
                        "the org answered with an unusable instance URL; report this",
                    )
                })?;
        let mut notes = LoginNotes::default();
        if let (Credentials::RefreshToken { refresh_token, .. }, Some(new)) =
            (&mut *self, parsed.refresh_token)
            && new != refresh_token.expose()
        {
            *refresh_token = Secret::new(new);
            notes.refresh_token_rotated = true;
        }
        Ok((
            Session {
                instance_url,
                access_token: Secret::new(parsed.access_token),
            },
            notes,
        ))
    }
}

/// Where a token request goes, what it sends and, for client credentials, the basic-auth pair.
struct TokenRequest {
    url: Url,
    form: Form,
    basic: Option<(String, String)>,
}

/// The token endpoint of an org or login host.
fn token_url(base: &Url) -> Url {
    let mut url = base.clone();
    url.set_path("/services/oauth2/token");
    url.set_query(None);
    url
}
