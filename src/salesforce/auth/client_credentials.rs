//! The client-credentials flow: the connected app's key and secret, sent with HTTP basic auth
//! to the org's My Domain.

use reqwest::Url;

use super::{TokenRequest, token_url};
use crate::salesforce::error::{MY_DOMAIN_HINT, SfError};
use crate::secret::Secret;

/// The token request of the client-credentials flow.
pub(super) fn token_request(
    instance_url: &Url,
    client_id: &str,
    client_secret: &Secret,
) -> TokenRequest {
    TokenRequest {
        url: token_url(instance_url),
        form: vec![("grant_type", "client_credentials".to_string())],
        basic: Some((client_id.to_string(), client_secret.expose().to_string())),
    }
}

/// What `invalid_grant` means to this flow, judged by Salesforce's answer.
pub(super) fn refused_hint(error: &SfError) -> &'static str {
    if error.answer.contains("domain") {
        MY_DOMAIN_HINT
    } else {
        "check client-secret (the consumer secret of the connected app named by client-id) and that the app's client credentials flow has a Run As user who is active and API enabled"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_hints_tell_the_wrong_host_from_the_wrong_secret() {
        let refused = |answer: &str| {
            SfError::new("signing in", answer, "").with_code(Some("invalid_grant".into()))
        };
        let host = refused("HTTP 400, invalid_grant: request not supported on this domain");
        assert!(refused_hint(&host).contains("My Domain"));
        let secret = refused("HTTP 400, invalid_grant: authentication failure");
        assert!(refused_hint(&secret).contains("client-secret"));
        assert!(refused_hint(&secret).contains("Run As user"));
    }
}
