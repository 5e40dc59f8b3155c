//! The four ways to get a Salesforce session: access token, SFDX auth URL (refresh token),
//! JWT bearer and client credentials. Parsing happens up front so bad input fails before any
//! request; [`Credentials::login`] turns the credentials into a [`Session`].

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::{Method, Url};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde::Deserialize;

use super::error::{Api, Failure, SfError};
use super::http::{Deadline, Transport};
use crate::secret::Secret;
use crate::url_policy;

/// Form fields of a token request.
type Form = Vec<(&'static str, String)>;

/// The default client id of the Salesforce CLI, used when an auth URL names none.
pub const PLATFORM_CLI_CLIENT_ID: &str = "PlatformCLI";

/// An authenticated session: where to send API calls and the bearer token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The org's API host, as returned by the token endpoint (or configured for access tokens).
    pub instance_url: Url,
    /// The access token (also the SOAP session id).
    pub access_token: Secret,
}

/// A parsed RSA private key for the JWT bearer flow. `Debug` never shows it.
#[derive(Clone)]
pub struct JwtKey(Arc<RsaKeyPair>);

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtKey(***)")
    }
}

impl JwtKey {
    /// Parses PEM text: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    /// Literal `\n` sequences (a key pasted into a one-line variable) are accepted.
    /// Errors never quote the key.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let text = if !pem.contains('\n') && pem.contains("\\n") {
            pem.replace("\\n", "\n")
        } else {
            pem.to_string()
        };
        let begin = text.find("-----BEGIN ").ok_or(
            "jwt-key is not PEM text: no `-----BEGIN` line (paste the whole private key file)",
        )?;
        let rest = &text[begin + "-----BEGIN ".len()..];
        // Only known one-line labels are accepted, and no label is ever quoted: a malformed
        // header would otherwise run into the key body and leak it into the message.
        const LABELS: [&str; 4] = [
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "CERTIFICATE",
        ];
        let label = LABELS
            .into_iter()
            .find(|l| rest.starts_with(&format!("{l}-----")))
            .ok_or("jwt-key's BEGIN line is not `-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`")?;
        let body_and_end = &rest[label.len() + 5..];
        let body_end = body_and_end
            .find(&format!("-----END {label}-----"))
            .ok_or("jwt-key has no END line matching its BEGIN line (paste the whole key file)")?;
        let body: String = body_and_end[..body_end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| "jwt-key's PEM body is not valid base64".to_string())?;
        let pair = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            "ENCRYPTED PRIVATE KEY" => {
                return Err("jwt-key is encrypted: export it without a passphrase (openssl pkey -in key.pem -out plain.pem)".into());
            }
            _ => {
                return Err("jwt-key is a certificate; the private key (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`) is needed".into());
            }
        }
        .map_err(|e| format!("jwt-key is not a usable RSA private key ({e})"))?;
        Ok(Self(Arc::new(pair)))
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| "signing the JWT assertion failed".to_string())?;
        Ok(signature)
    }
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
pub struct LoginNotes {
    /// The org rotated the refresh token: the auth URL used now will not work again.
    pub refresh_token_rotated: bool,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl Credentials {
    /// Parses an SFDX auth URL `force://<clientId>:<clientSecret>:<refreshToken>@<host>`.
    /// Error messages never repeat the URL, since it holds the refresh token.
    pub fn from_auth_url(raw: &str) -> Result<Self, String> {
        const SHAPE: &str = "expected force://<clientId>:<clientSecret>:<refreshToken>@<host> (from `sf org display --verbose`)";
        let rest = raw
            .trim()
            .strip_prefix("force://")
            .ok_or_else(|| format!("auth-url does not start with force://; {SHAPE}"))?;
        let at = rest
            .rfind('@')
            .ok_or_else(|| format!("auth-url has no @host part; {SHAPE}"))?;
        let (creds, host) = (&rest[..at], rest[at + 1..].trim_end_matches('/'));
        let parts: Vec<&str> = creds.split(':').collect();
        let (client_id, secret, token) = match parts.as_slice() {
            [id, secret, token] => (*id, *secret, *token),
            // `force://:<token>@host`, as sfdx-core writes it when no client id is known.
            [id, token] => (*id, "", *token),
            _ => {
                return Err(format!(
                    "auth-url has {} `:`-separated parts before @; {SHAPE}",
                    parts.len()
                ));
            }
        };
        let valid = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-=".contains(c))
        };
        if token.is_empty() || !valid(token) || !valid(client_id) || !valid(secret) {
            return Err(format!(
                "auth-url has an empty or malformed client id, secret or refresh token; {SHAPE}"
            ));
        }
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ":._-[]".contains(c))
        {
            return Err(format!("auth-url has an empty or malformed host; {SHAPE}"));
        }
        let bare_host = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        let scheme = if url_policy::is_loopback_host(bare_host) {
            "http"
        } else {
            "https"
        };
        // Never quote the host: a malformed URL can put part of the token after the last `@`.
        let token_host = url_policy::secure_url("auth-url host", &format!("{scheme}://{host}"))
            .map_err(|_| format!("auth-url's host part is not a valid host[:port]; {SHAPE}"))?;
        Ok(Credentials::RefreshToken {
            token_host,
            client_id: if client_id.is_empty() {
                PLATFORM_CLI_CLIENT_ID.into()
            } else {
                client_id.into()
            },
            client_secret: (!secret.is_empty()).then(|| Secret::new(secret)),
            refresh_token: Secret::new(token),
        })
    }

    /// The method's name as users know it.
    pub fn method_name(&self) -> &'static str {
        match self {
            Credentials::AccessToken { .. } => "access token",
            Credentials::RefreshToken { .. } => "SFDX auth URL (refresh token)",
            Credentials::Jwt { .. } => "JWT bearer",
            Credentials::ClientCredentials { .. } => "client credentials",
        }
    }

    /// Replaces the generic hint of a refused sign-in with one for the method in use:
    /// `invalid_grant` means different things to each flow.
    pub fn sign_in_hint(&self, error: SfError) -> SfError {
        if error.code.as_deref() != Some("invalid_grant") {
            return error;
        }
        let hint = match self {
            Credentials::RefreshToken { .. } => {
                "the refresh token in auth-url was revoked, expired or rotated (a connected app that rotates refresh tokens invalidates the old one at each sign-in): create a new auth URL with `sf org display --verbose` and store it, or switch to JWT, which needs no stored token"
            }
            Credentials::ClientCredentials { .. } if error.answer.contains("domain") => {
                "the client credentials flow works only on the org's My Domain: set instance-url to https://<name>.my.salesforce.com"
            }
            Credentials::ClientCredentials { .. } => {
                "check client-secret (the consumer secret of the connected app named by client-id) and that the app's client credentials flow has a Run As user who is active and API enabled"
            }
            Credentials::Jwt { .. } | Credentials::AccessToken { .. } => return error,
        };
        SfError {
            hint: hint.into(),
            ..error
        }
    }

    /// Whether a new session can be obtained when the current one expires.
    pub fn can_renew(&self) -> bool {
        !matches!(self, Credentials::AccessToken { .. })
    }

    /// Obtains a session (one token request; none for an access token).
    pub async fn login(
        &mut self,
        transport: &Transport,
        deadline: &Deadline,
    ) -> Result<(Session, LoginNotes), SfError> {
        let (url, form, basic): (Url, Form, Option<(String, String)>) = match self {
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
            } => {
                let mut form = vec![
                    ("grant_type", "refresh_token".to_string()),
                    ("refresh_token", refresh_token.expose().to_string()),
                    ("client_id", client_id.clone()),
                ];
                if let Some(secret) = client_secret {
                    form.push(("client_secret", secret.expose().to_string()));
                }
                (token_url(token_host), form, None)
            }
            Credentials::Jwt {
                login_url,
                client_id,
                username,
                key,
            } => {
                let assertion = jwt_assertion(key, client_id, username, &jwt_audience(login_url))
                    .map_err(|e| SfError {
                    action: "signing the JWT assertion".into(),
                    answer: e,
                    code: None,
                    hint: "check jwt-key".into(),
                })?;
                (token_url(login_url), jwt_form(assertion), None)
            }
            Credentials::ClientCredentials {
                instance_url,
                client_id,
                client_secret,
            } => (
                token_url(instance_url),
                vec![("grant_type", "client_credentials".to_string())],
                Some((client_id.clone(), client_secret.expose().to_string())),
            ),
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
            let first = jwt_audience(login_url);
            for audience in [LOGIN_AUDIENCE, TEST_AUDIENCE]
                .into_iter()
                .filter(|a| *a != first)
            {
                let Err(e) = &result else { break };
                if e.code.as_deref() != Some("invalid_grant") || !e.answer.contains("audience") {
                    break;
                }
                let assertion =
                    jwt_assertion(key, client_id, username, audience).map_err(|answer| {
                        SfError {
                            action: "signing the JWT assertion".into(),
                            answer,
                            code: None,
                            hint: "check jwt-key".into(),
                        }
                    })?;
                result = send(jwt_form(assertion)).await;
            }
        }
        let answer = result.map_err(|e| self.sign_in_hint(e))?;
        let parsed: TokenResponse = serde_json::from_str(&answer.body).map_err(|e| SfError {
            action: action.clone(),
            answer: format!(
                "HTTP {} with a body that is not a token response ({e})",
                answer.status
            ),
            code: None,
            hint: "check that the login URL points at a Salesforce org".into(),
        })?;
        let instance_url =
            url_policy::secure_url("the token response's instance_url", &parsed.instance_url)
                .map_err(|e| SfError {
                    action: action.clone(),
                    answer: e,
                    code: None,
                    hint: "the org answered with an unusable instance URL; report this".into(),
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

/// The JWT audience of production orgs.
const LOGIN_AUDIENCE: &str = "https://login.salesforce.com";
/// The JWT audience of sandboxes and scratch orgs.
const TEST_AUDIENCE: &str = "https://test.salesforce.com";

fn jwt_form(assertion: String) -> Form {
    vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:jwt-bearer".to_string(),
        ),
        ("assertion", assertion),
    ]
}

fn token_url(base: &Url) -> Url {
    let mut url = base.clone();
    url.set_path("/services/oauth2/token");
    url.set_query(None);
    url
}

/// The JWT `aud` for a login URL: production and sandbox login hosts are their own audience;
/// a Salesforce My Domain uses login (or test, for sandboxes); any other host (a test server)
/// is its own audience.
pub fn jwt_audience(login_url: &Url) -> String {
    let host = login_url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host == "login.salesforce.com" || host == "test.salesforce.com" {
        format!("https://{host}")
    } else if host.ends_with(".sandbox.my.salesforce.com")
        || host.ends_with(".scratch.my.salesforce.com")
    {
        "https://test.salesforce.com".into()
    } else if host.ends_with(".salesforce.com") || host.ends_with(".force.com") {
        "https://login.salesforce.com".into()
    } else {
        url_policy::origin(login_url)
    }
}

/// Builds and signs the RS256 assertion: iss = client id, sub = username, aud, exp = now + 3 min.
pub fn jwt_assertion(
    key: &JwtKey,
    client_id: &str,
    username: &str,
    audience: &str,
) -> Result<String, String> {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs()
        + 180;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let claims =
        serde_json::json!({ "iss": client_id, "sub": username, "aud": audience, "exp": exp });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{claims}");
    let signature = URL_SAFE_NO_PAD.encode(key.sign(signing_input.as_bytes())?);
    Ok(format!("{signing_input}.{signature}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_auth_urls() {
        let Credentials::RefreshToken {
            token_host,
            client_id,
            client_secret,
            refresh_token,
        } = Credentials::from_auth_url("force://PlatformCLI::5Aep861.abc==@acme.my.salesforce.com")
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(token_host.as_str(), "https://acme.my.salesforce.com/");
        assert_eq!(client_id, "PlatformCLI");
        assert!(client_secret.is_none());
        assert_eq!(refresh_token.expose(), "5Aep861.abc==");

        let Credentials::RefreshToken {
            token_host,
            client_id,
            client_secret,
            ..
        } = Credentials::from_auth_url("force://id:sec:tok@127.0.0.1:8080").unwrap()
        else {
            panic!()
        };
        assert_eq!(token_host.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(client_id, "id");
        assert_eq!(client_secret.unwrap().expose(), "sec");

        let Credentials::RefreshToken { client_id, .. } =
            Credentials::from_auth_url("force://:tok@x.my.salesforce.com").unwrap()
        else {
            panic!()
        };
        assert_eq!(client_id, PLATFORM_CLI_CLIENT_ID);
    }

    #[test]
    fn rejects_bad_auth_urls_without_echoing_them() {
        for bad in [
            "https://id:sec:SECRETTOKEN@host",
            "force://id:sec:SECRETTOKEN",
            "force://id:sec:SECRET TOKEN@host",
            "force://a:b:c:SECRETTOKEN@host",
            "force://id:sec:SECRETTOKEN@",
            "force://id:sec:@host",
            // Found by tests/it/fuzz.rs: a token run into the host part was quoted.
            "force://PlatformCLI::5Aep@acPlatformCLI::5AepSECRETTOKEN.my.salesforce.com",
        ] {
            let err = Credentials::from_auth_url(bad).unwrap_err();
            assert!(!err.contains("SECRET"), "{err}");
        }
    }

    #[test]
    fn audiences() {
        let aud = |u: &str| jwt_audience(&Url::parse(u).unwrap());
        assert_eq!(
            aud("https://login.salesforce.com"),
            "https://login.salesforce.com"
        );
        assert_eq!(
            aud("https://test.salesforce.com/"),
            "https://test.salesforce.com"
        );
        assert_eq!(
            aud("https://acme--uat.sandbox.my.salesforce.com"),
            "https://test.salesforce.com"
        );
        assert_eq!(
            aud("https://acme.my.salesforce.com"),
            "https://login.salesforce.com"
        );
        assert_eq!(aud("http://127.0.0.1:9999"), "http://127.0.0.1:9999");
    }

    #[test]
    fn malformed_pem_is_rejected_without_quoting_it() {
        for bad in [
            "",
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nSECRET!!\n-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n-----END PRIVATE KEY-----",
            "-----BEGIN CERTIFICATE-----\nU0VDUkVU\n-----END CERTIFICATE-----",
            "-----BEGIN RSA PRIVATE KEY----\nU0VDUkVU\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY\nU0VDUkVU\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n",
        ] {
            let err = JwtKey::from_pem(bad).unwrap_err();
            assert!(
                !err.contains("SECRET") && !err.contains("U0VDUkVU"),
                "{err}"
            );
        }
    }
}
