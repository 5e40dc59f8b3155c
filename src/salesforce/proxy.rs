//! The proxy of `HTTPS_PROXY` refusing to open a tunnel (an answer other than 200 to CONNECT):
//! no retry cures a proxy's policy (403) or missing credentials (407).
//!
//! reqwest tunnels HTTPS through the proxy of `HTTPS_PROXY` (or `ALL_PROXY`) with CONNECT,
//! sending `Proxy-Authorization: Basic` from the credentials in that URL, and bypasses it for
//! the hosts of `NO_PROXY`, as curl does. Nothing here quotes the proxy's URL: it may hold them.

use std::error::Error as StdError;

use super::error::SfError;

/// How hyper-util's tunnel error shows a 407 answer to CONNECT. Its type is not reachable
/// through reqwest; tests/it/network.rs runs proxies that answer 407 and 403, so a change is
/// caught.
const AUTH_REQUIRED: &str = "tunnel error: proxy authorization required";

/// How it shows any other answer but 200 (403 Forbidden, 502 Bad Gateway …); the status
/// itself is not kept, so it cannot be told apart or quoted.
const UNSUCCESSFUL: &str = "tunnel error: unsuccessful";

/// The error to report when the proxy refused to open a tunnel. `None` for any other failure.
pub(crate) fn refused(action: &str, e: &reqwest::Error) -> Option<SfError> {
    let mut next = StdError::source(e);
    while let Some(err) = next {
        match err.to_string().as_str() {
            AUTH_REQUIRED => return Some(auth_required(action)),
            UNSUCCESSFUL => return Some(unsuccessful(action, e)),
            _ => next = err.source(),
        }
    }
    None
}

fn auth_required(action: &str) -> SfError {
    SfError::new(
        action,
        "the proxy of HTTPS_PROXY answered 407 Proxy Authentication Required to CONNECT",
        "put the proxy's user and password in the URL: HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT (percent-encode special characters; keep it in a secret); see docs/network.md",
    )
}

fn unsuccessful(action: &str, e: &reqwest::Error) -> SfError {
    // The host and port asked for in CONNECT (the request's URL, never the proxy's).
    let to = e
        .url()
        .and_then(|url| {
            Some(format!(
                " to {}:{}",
                url.host_str()?,
                url.port_or_known_default()?
            ))
        })
        .unwrap_or_default();
    SfError::new(
        action,
        format!(
            "the proxy of HTTPS_PROXY refused to open a tunnel{to}: it answered CONNECT with an error status (e.g. 403 Forbidden: its policy blocks the host, or 502: it could not reach it)"
        ),
        "ask the proxy's administrators to allow HTTPS (CONNECT, port 443) to your Salesforce domains (*.my.salesforce.com, login.salesforce.com, test.salesforce.com), or, if this host is to be reached directly, add it to NO_PROXY; see docs/network.md",
    )
}
