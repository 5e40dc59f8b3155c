//! [`SignIn`]: the four ways to sign in, which settings each needs, and its [`Credentials`].

use super::raw::RawSettings;
use crate::error::Error;
use crate::salesforce::auth::{Credentials, JwtKey};
use crate::secret::Secret;
use crate::url_policy::secure_url;

/// A sign-in method, chosen by which of its selecting settings is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// `access-token` + `instance-url`.
    AccessToken,
    /// `auth-url` (SFDX auth URL, refresh-token flow).
    AuthUrl,
    /// `jwt-key` + `client-id` + `username` (+ `login-url`).
    Jwt,
    /// `client-secret` + `client-id` + `instance-url` (the org's My Domain).
    ClientCredentials,
}

impl SignIn {
    /// Every method, in the order errors list them.
    pub const ALL: [SignIn; 4] = [
        SignIn::AccessToken,
        SignIn::AuthUrl,
        SignIn::Jwt,
        SignIn::ClientCredentials,
    ];

    /// The setting whose presence selects this method.
    pub fn selector(self) -> &'static str {
        match self {
            SignIn::AccessToken => "access-token",
            SignIn::AuthUrl => "auth-url",
            SignIn::Jwt => "jwt-key",
            SignIn::ClientCredentials => "client-secret",
        }
    }

    /// Settings this method cannot do without (besides its selector).
    fn needs(self) -> &'static [&'static str] {
        match self {
            SignIn::AccessToken => &["instance-url"],
            SignIn::AuthUrl => &[],
            SignIn::Jwt => &["client-id", "username"],
            SignIn::ClientCredentials => &["client-id", "instance-url"],
        }
    }

    /// The selector with what it also needs, as errors name the method: `jwt-key (with client-id and username)`.
    fn described(self) -> String {
        match self.needs() {
            [] => self.selector().to_string(),
            needs => format!("{} (with {})", self.selector(), needs.join(" and ")),
        }
    }

    /// Settings of other methods that must not be set with this one. `login-url` is not among
    /// them: methods that do not use it ignore it (the action always passes its default).
    fn foreign(self) -> &'static [&'static str] {
        match self {
            SignIn::AccessToken => &["client-id", "username"],
            SignIn::AuthUrl => &["instance-url", "client-id", "username"],
            SignIn::Jwt => &["instance-url"],
            SignIn::ClientCredentials => &["username"],
        }
    }

    /// The one method `raw` selects, with everything it needs and nothing it does not take.
    pub fn choose(raw: &RawSettings) -> Result<SignIn, Error> {
        let chosen: Vec<SignIn> = Self::ALL
            .into_iter()
            .filter(|m| raw.get(m.selector()).is_some())
            .collect();
        let method = match chosen.as_slice() {
            [one] => *one,
            [] => {
                let [first @ .., last] = Self::ALL.map(Self::described);
                return Err(Error::usage(format!(
                    "no Salesforce credentials: set exactly one of {} or {last}",
                    first.join(", ")
                )));
            }
            many => {
                let names: Vec<&str> = many.iter().map(|m| m.selector()).collect();
                return Err(Error::usage(format!(
                    "{} select different sign-in methods; set only one of {}",
                    names.join(" and "),
                    Self::ALL.map(Self::selector).join(", ")
                )));
            }
        };
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
    pub fn credentials(self, raw: &RawSettings) -> Result<Credentials, Error> {
        // The table's default applies (login-url has one; instance-url has none).
        let url = |name: &str| secure_url(name, super::value(raw, name)).map_err(Error::Usage);
        let text = |name: &str| raw.get(name).unwrap_or_default().trim().to_string();
        let secret = |name: &str| raw.secret(name).cloned().unwrap_or_else(|| Secret::new(""));
        Ok(match self {
            SignIn::AccessToken => Credentials::AccessToken {
                instance_url: url("instance-url")?,
                token: secret("access-token"),
            },
            SignIn::AuthUrl => Credentials::from_auth_url(raw.get("auth-url").unwrap_or_default())
                .map_err(Error::Usage)?,
            SignIn::Jwt => Credentials::Jwt {
                login_url: url("login-url")?,
                client_id: text("client-id"),
                username: text("username"),
                key: JwtKey::from_pem(raw.get("jwt-key").unwrap_or_default())
                    .map_err(Error::Usage)?,
            },
            SignIn::ClientCredentials => {
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
