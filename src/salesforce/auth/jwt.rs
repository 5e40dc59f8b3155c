//! The JWT bearer flow: the private key ([`JwtKey`]), the RS256-signed assertion, its audience
//! and the token request built from them.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::Url;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

use super::{Form, TokenRequest, token_url};
use crate::salesforce::error::SfError;
use crate::url_policy;

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
    /// Errors start with `name` (the setting, or the file's path) and never quote the key.
    pub fn from_pem(name: &str, pem: &str) -> Result<Self, String> {
        let text = if !pem.contains('\n') && pem.contains("\\n") {
            pem.replace("\\n", "\n")
        } else {
            pem.to_string()
        };
        let begin = text.find("-----BEGIN ").ok_or_else(|| {
            format!(
                "{name} is not PEM text: no `-----BEGIN` line (paste the whole private key file)"
            )
        })?;
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
            .ok_or_else(|| format!("{name}'s BEGIN line is not `-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`"))?;
        let body_and_end = &rest[label.len() + 5..];
        let body_end = body_and_end
            .find(&format!("-----END {label}-----"))
            .ok_or_else(|| {
                format!("{name} has no END line matching its BEGIN line (paste the whole key file)")
            })?;
        let body: String = body_and_end[..body_end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| format!("{name}'s PEM body is not valid base64"))?;
        let pair = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(format!("{name} is encrypted: export it without a passphrase (openssl pkey -in key.pem -out plain.pem)"));
            }
            _ => {
                return Err(format!("{name} is a certificate; the private key (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`) is needed"));
            }
        }
        .map_err(|e| format!("{name} is not a usable RSA private key ({e})"))?;
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

/// The JWT audience of production orgs.
const LOGIN_AUDIENCE: &str = "https://login.salesforce.com";
/// The JWT audience of sandboxes and scratch orgs.
const TEST_AUDIENCE: &str = "https://test.salesforce.com";

/// The token request of the JWT bearer flow, its assertion signed for `audience`.
pub(super) fn token_request(
    login_url: &Url,
    key: &JwtKey,
    client_id: &str,
    username: &str,
    audience: &str,
) -> Result<TokenRequest, SfError> {
    Ok(TokenRequest {
        url: token_url(login_url),
        form: assertion_form(key, client_id, username, audience)?,
        basic: None,
    })
}

/// The form fields that carry an assertion signed for `audience`.
pub(super) fn assertion_form(
    key: &JwtKey,
    client_id: &str,
    username: &str,
    audience: &str,
) -> Result<Form, SfError> {
    let assertion = jwt_assertion(key, client_id, username, audience)
        .map_err(|answer| SfError::new("signing the JWT assertion", answer, "check jwt-key"))?;
    Ok(vec![
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:jwt-bearer".to_string(),
        ),
        ("assertion", assertion),
    ])
}

/// The Salesforce audiences to try, once each, after the one for `login_url` was refused.
pub(super) fn other_audiences(login_url: &Url) -> impl Iterator<Item = &'static str> {
    let first = jwt_audience(login_url);
    [LOGIN_AUDIENCE, TEST_AUDIENCE]
        .into_iter()
        .filter(move |a| *a != first)
}

/// Whether the token endpoint refused the assertion's audience ("audience is invalid").
pub(super) fn audience_refused(error: &SfError) -> bool {
    error.code.as_deref() == Some("invalid_grant") && error.answer.contains("audience")
}

/// The JWT `aud` for a login URL: production and sandbox login hosts are their own audience;
/// a Salesforce My Domain uses login (or test, for sandboxes); any other host (a test server)
/// is its own audience.
pub(crate) fn jwt_audience(login_url: &Url) -> String {
    let host = login_url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host == "login.salesforce.com" || host == "test.salesforce.com" {
        format!("https://{host}")
    } else if host.ends_with(".sandbox.my.salesforce.com")
        || host.ends_with(".scratch.my.salesforce.com")
    {
        TEST_AUDIENCE.into()
    } else if host.ends_with(".salesforce.com") || host.ends_with(".force.com") {
        LOGIN_AUDIENCE.into()
    } else {
        url_policy::origin(login_url)
    }
}

/// Builds and signs the RS256 assertion: iss = client id, sub = username, aud, exp = now + 3 min.
fn jwt_assertion(
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
            let err = JwtKey::from_pem("jwt-key", bad).unwrap_err();
            assert!(
                !err.contains("SECRET") && !err.contains("U0VDUkVU"),
                "{err}"
            );
        }
    }
}
