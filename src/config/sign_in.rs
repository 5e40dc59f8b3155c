//! [`SignIn`]: the five ways to sign in, which settings each needs, and its [`Credentials`].

use std::time::Duration;

use super::raw::RawSettings;
use super::validate::header_value;
use crate::error::Error;
use crate::salesforce::auth::{Credentials, JwtKey, sf_cli};
use crate::secret::Secret;
use crate::url_policy::secure_url;

/// A sign-in method, chosen by which of its selecting settings is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignIn {
    /// `access-token` + `instance-url`.
    AccessToken,
    /// `auth-url` (SFDX auth URL, refresh-token flow).
    AuthUrl,
    /// `target-org`: the Salesforce CLI's login, asked from `sf`.
    TargetOrg,
    /// `jwt-key` or `jwt-key-file` + `client-id` + `username` (+ `login-url`).
    Jwt,
    /// `client-secret` + `client-id` + `instance-url` (the org's My Domain).
    ClientCredentials,
}

impl SignIn {
    /// Every method, in the order errors list them.
    pub(crate) const ALL: [SignIn; 5] = [
        SignIn::AccessToken,
        SignIn::AuthUrl,
        SignIn::TargetOrg,
        SignIn::Jwt,
        SignIn::ClientCredentials,
    ];

    /// The settings whose presence selects this method (JWT takes its key as text or a file).
    pub(crate) fn selectors(self) -> &'static [&'static str] {
        match self {
            SignIn::AccessToken => &["access-token"],
            SignIn::AuthUrl => &["auth-url"],
            SignIn::TargetOrg => &["target-org"],
            SignIn::Jwt => &["jwt-key", "jwt-key-file"],
            SignIn::ClientCredentials => &["client-secret"],
        }
    }

    /// The selectors as errors name them: `jwt-key or jwt-key-file`.
    pub(crate) fn selector(self) -> String {
        self.selectors().join(" or ")
    }

    /// Settings this method cannot do without (besides its selector).
    fn needs(self) -> &'static [&'static str] {
        match self {
            SignIn::AccessToken => &["instance-url"],
            SignIn::AuthUrl | SignIn::TargetOrg => &[],
            SignIn::Jwt => &["client-id", "username"],
            SignIn::ClientCredentials => &["client-id", "instance-url"],
        }
    }

    /// The selector with what it also needs, as errors name the method: `jwt-key (with client-id and username)`.
    fn described(self) -> String {
        match self.needs() {
            [] => self.selector(),
            needs => format!("{} (with {})", self.selector(), needs.join(" and ")),
        }
    }

    /// Settings of other methods that must not be set with this one. `login-url` is not among
    /// them: methods that do not use it ignore it (the action always passes its default).
    fn foreign(self) -> &'static [&'static str] {
        match self {
            SignIn::AccessToken => &["client-id", "username"],
            SignIn::AuthUrl | SignIn::TargetOrg => &["instance-url", "client-id", "username"],
            SignIn::Jwt => &["instance-url"],
            SignIn::ClientCredentials => &["username"],
        }
    }

    /// The one method `raw` selects, with everything it needs and nothing it does not take.
    pub(crate) fn choose(raw: &RawSettings) -> Result<SignIn, Error> {
        let set = |names: &'static [&'static str]| -> Vec<&'static str> {
            names
                .iter()
                .copied()
                .filter(|n| raw.get(n).is_some())
                .collect()
        };
        let chosen: Vec<SignIn> = Self::ALL
            .into_iter()
            .filter(|m| !set(m.selectors()).is_empty())
            .collect();
        let method = match chosen.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::usage(format!(
                    "no Salesforce credentials: set exactly one of: {}",
                    Self::ALL.map(Self::described).join("; ")
                )));
            }
            many => {
                let names: Vec<&str> = many.iter().flat_map(|m| set(m.selectors())).collect();
                return Err(Error::usage(format!(
                    "{} select different sign-in methods; set only one of: {}",
                    names.join(" and "),
                    Self::ALL.map(Self::selector).join("; ")
                )));
            }
        };
        if let [text, file] = set(method.selectors())[..] {
            return Err(Error::usage(format!(
                "{text} and {file} (`{}`) both give the JWT private key; set only one",
                raw.get(file).unwrap_or_default().escape_debug()
            )));
        }
        let name = method.selector();
        let which = |names: &'static [&'static str], set: bool| -> Vec<&'static str> {
            names
                .iter()
                .copied()
                .filter(|n| raw.get(n).is_some() == set)
                .collect()
        };
        let missing = which(method.needs(), false);
        if !missing.is_empty() {
            return Err(Error::usage(format!(
                "{name} also needs {}",
                missing.join(" and ")
            )));
        }
        let extra = which(method.foreign(), true);
        if !extra.is_empty() {
            let one = extra.len() == 1;
            return Err(Error::usage(format!(
                "{} {} not used with {name}; remove {} (each sign-in method takes only its own settings)",
                extra.join(" and "),
                if one { "is" } else { "are" },
                if one { "it" } else { "them" }
            )));
        }
        Ok(method)
    }

    /// Builds the credentials from `raw`, which [`SignIn::choose`] accepted for this method.
    /// `timeout` bounds each question to the Salesforce CLI (`target-org`).
    pub(crate) fn credentials(
        self,
        raw: &RawSettings,
        timeout: Duration,
    ) -> Result<Credentials, Error> {
        // The table's default applies (login-url has one; instance-url has none).
        let url = |name: &str| secure_url(name, super::value(raw, name)).map_err(Error::Usage);
        let text = |name: &str| raw.get(name).unwrap_or_default().trim().to_string();
        let secret = |name: &str| raw.secret(name).cloned().unwrap_or_else(|| Secret::new(""));
        // Values that travel in an HTTP header: a control character would fail every request.
        let header = |name: &str| header_value(raw.source(name), raw.get(name).unwrap_or_default());
        Ok(match self {
            SignIn::AccessToken => {
                header("access-token")?;
                let token = secret("access-token");
                refuse_redacted("access-token", token.expose())?;
                Credentials::AccessToken {
                    instance_url: url("instance-url")?,
                    token,
                }
            }
            SignIn::AuthUrl => {
                let auth_url = raw.get("auth-url").unwrap_or_default();
                refuse_redacted("auth-url", auth_url)?;
                Credentials::from_auth_url(auth_url).map_err(Error::Usage)?
            }
            SignIn::TargetOrg => {
                sf_cli::credentials(&text("target-org"), timeout).map_err(Error::Usage)?
            }
            SignIn::Jwt => Credentials::Jwt {
                login_url: url("login-url")?,
                client_id: text("client-id"),
                username: text("username"),
                key: jwt_key(raw)?,
            },
            SignIn::ClientCredentials => {
                header("client-id")?;
                header("client-secret")?;
                let instance_url = url("instance-url")?;
                refuse_login_host_for_client_credentials(&instance_url)?;
                Credentials::ClientCredentials {
                    instance_url,
                    client_id: text("client-id"),
                    client_secret: secret("client-secret"),
                }
            }
        })
    }
}

/// What the Salesforce CLI shows instead of a secret since plugin-org 5.11 (`sf org display`).
const REDACTED: &str = "[REDACTED]";

/// Refuses a value copied from `sf org display`'s redacted output, naming the command that
/// prints the real one.
fn refuse_redacted(name: &str, value: &str) -> Result<(), Error> {
    if !value.trim_start().starts_with(REDACTED) {
        return Ok(());
    }
    let (command, field) = match name {
        "auth-url" => ("sf org auth show-sfdx-auth-url", "sfdxAuthUrl"),
        _ => ("sf org auth show-access-token", "accessToken"),
    };
    Err(Error::usage(format!(
        "{name} is `{REDACTED} …`: the Salesforce CLI no longer prints secrets in `sf org display`; get the value with `{command} --target-org ALIAS --json` (result.{field}), or let this tool ask sf itself with --target-org ALIAS"
    )))
}

/// The JWT private key, from `jwt-key` or read from the file `jwt-key-file` names. Errors name
/// the setting or path, never the key.
fn jwt_key(raw: &RawSettings) -> Result<JwtKey, Error> {
    let Some(path) = raw.path("jwt-key-file") else {
        return JwtKey::from_pem("jwt-key", raw.get("jwt-key").unwrap_or_default())
            .map_err(Error::Usage);
    };
    let name = format!(
        "jwt-key-file `{}`",
        path.display().to_string().escape_debug()
    );
    let fail = |why: String| Error::usage(format!("{name} {why}"));
    let unreadable = |e: std::io::Error| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => "does not exist (a relative path starts at the current directory; in the action, at the workspace)".into(),
            std::io::ErrorKind::PermissionDenied => "cannot be read: permission denied".into(),
            kind => format!("cannot be read ({kind})"),
        })
    };
    let size = std::fs::metadata(&path).map_err(unreadable)?.len();
    if size > super::MAX_VALUE_CHARS as u64 {
        return Err(fail(format!(
            "is {size} bytes; a PEM private key is a few KB (is it the right file?)"
        )));
    }
    let bytes = std::fs::read(&path).map_err(unreadable)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        fail("is not a PEM private key: it is not text (its content is not shown)".into())
    })?;
    JwtKey::from_pem(&name, &text).map_err(Error::Usage)
}

/// Client credentials work only on the org's My Domain: login and test hosts answer
/// `request not supported on this domain`, so refuse them before any request.
fn refuse_login_host_for_client_credentials(url: &reqwest::Url) -> Result<(), Error> {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if matches!(
        host.as_str(),
        "login.salesforce.com" | "test.salesforce.com" | "login.salesforce.mil"
    ) {
        return Err(Error::usage(format!(
            "instance-url `{host}` is a login host, but client credentials need the org's My Domain URL (https://<name>.my.salesforce.com, or https://<name>--<sandbox>.sandbox.my.salesforce.com); Salesforce refuses client credentials on login and test hosts"
        )));
    }
    Ok(())
}
