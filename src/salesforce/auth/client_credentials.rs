//! The client-credentials flow: the connected app's key and secret, sent with HTTP basic auth
//! to the org's My Domain.

use reqwest::Url;

use super::{TokenRequest, token_url};
use crate::salesforce::error::SfError;
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
        "the client credentials flow works only on the org's My Domain: set instance-url to https://<name>.my.salesforce.com"
    } else {
        "check client-secret (the consumer secret of the connected app named by client-id) and that the app's client credentials flow has a Run As user who is active and API enabled"
    }
}
