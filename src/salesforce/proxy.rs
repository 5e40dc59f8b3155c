//! The proxy of `HTTPS_PROXY` asking for credentials (HTTP 407 to CONNECT): no retry cures that.
//!
//! reqwest tunnels HTTPS through the proxy of `HTTPS_PROXY` (or `ALL_PROXY`) with CONNECT,
//! sending `Proxy-Authorization: Basic` from the credentials in that URL, and bypasses it for
//! the hosts of `NO_PROXY`, as curl does.

use std::error::Error as StdError;

use super::error::SfError;

/// How hyper-util's tunnel error shows a 407 answer to CONNECT. Its type is not reachable
/// through reqwest; tests/it/network.rs runs a proxy that answers 407, so a change is caught.
const AUTH_REQUIRED: &str = "tunnel error: proxy authorization required";

/// The error to report when the proxy refused to open a tunnel without (valid) credentials.
/// `None` for any other failure.
pub fn refused(action: &str, e: &reqwest::Error) -> Option<SfError> {
    let mut next = StdError::source(e);
    while let Some(err) = next {
        if err.to_string() == AUTH_REQUIRED {
            return Some(SfError {
                action: action.to_string(),
                answer: "the proxy of HTTPS_PROXY answered 407 Proxy Authentication Required to CONNECT".into(),
                code: None,
                hint: "put the proxy's user and password in the URL: HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT (percent-encode special characters; keep it in a secret); see docs/network.md".into(),
            });
        }
        next = err.source();
    }
    None
}
