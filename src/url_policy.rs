//! Which URLs this tool sends credentials to: HTTPS only, plain http only for loopback hosts
//! (127.0.0.0/8, ::1, localhost), which tests use.

use std::net::IpAddr;

use reqwest::Url;

/// True for hosts that may be reached over plain http: 127.0.0.0/8, ::1 and localhost.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    bare.parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// Parses a URL and enforces HTTPS (plain http only for loopback hosts). `what` names the setting.
pub(crate) fn secure_url(what: &str, raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim())
        .map_err(|e| format!("{what} `{}` is not a valid URL: {e}", raw.trim()))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("{what} `{url}` has no host"))?
        .to_string();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{what} must not carry credentials in the URL"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(&host) => Ok(url),
        "http" => Err(format!(
            "{what} `{url}` uses plain http: only https is allowed (http only for loopback test hosts)"
        )),
        other => Err(format!("{what} `{url}` has scheme `{other}`; use https://")),
    }
}

/// The origin (`scheme://host[:port]`) of a URL, without path or trailing slash.
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["127.0.0.1", "127.9.9.9", "[::1]", "localhost", "LOCALHOST"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["10.0.0.1", "example.com", "localhost.evil.com", "128.0.0.1"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn https_only_except_loopback() {
        assert!(secure_url("instance-url", "https://x.my.salesforce.com").is_ok());
        assert!(secure_url("instance-url", "http://127.0.0.1:8080").is_ok());
        assert!(secure_url("instance-url", "http://[::1]:8080").is_ok());
        let err = secure_url("instance-url", "http://x.my.salesforce.com").unwrap_err();
        assert!(err.contains("plain http"), "{err}");
        assert!(secure_url("instance-url", "ftp://x").is_err());
        assert!(secure_url("instance-url", "not a url").is_err());
    }
}
