//! The SFDX auth URL (`force://<clientId>:<clientSecret>:<refreshToken>@<host>`, from
//! `sf org auth show-sfdx-auth-url --json`) and the refresh-token request built from it.

use reqwest::Url;

use super::{Credentials, TokenRequest, token_url};
use crate::secret::Secret;
use crate::url_policy;

/// The default client id of the Salesforce CLI, used when an auth URL names none.
const PLATFORM_CLI_CLIENT_ID: &str = "PlatformCLI";

impl Credentials {
    /// Parses an SFDX auth URL `force://<clientId>:<clientSecret>:<refreshToken>@<host>`.
    /// Error messages never repeat the URL, since it holds the refresh token.
    pub fn from_auth_url(raw: &str) -> Result<Self, String> {
        const SHAPE: &str = "expected force://<clientId>:<clientSecret>:<refreshToken>@<host> (from `sf org auth show-sfdx-auth-url --target-org ALIAS --json`, result.sfdxAuthUrl)";
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
            target_org: None,
        })
    }
}

/// The token request of the refresh-token flow.
pub(super) fn token_request(
    token_host: &Url,
    client_id: &str,
    client_secret: Option<&Secret>,
    refresh_token: &Secret,
) -> TokenRequest {
    let mut form = vec![
        ("grant_type", "refresh_token".to_string()),
        ("refresh_token", refresh_token.expose().to_string()),
        ("client_id", client_id.to_string()),
    ];
    if let Some(secret) = client_secret {
        form.push(("client_secret", secret.expose().to_string()));
    }
    TokenRequest {
        url: token_url(token_host),
        form,
        basic: None,
    }
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
            target_org: None,
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
}
