//! TLS for the HTTP client: the CA bundle that `SSL_CERT_FILE` names, and a server certificate
//! that did not verify, told in words (it is never worth a retry).
//!
//! Which certificate authorities are trusted: reqwest's rustls-platform-verifier. On Linux (and
//! in the action's container) it loads the system's list through rustls-native-certs, which, as
//! OpenSSL and curl do, reads `SSL_CERT_FILE` (and `SSL_CERT_DIR`) *instead of* the system's list
//! when set; on macOS it asks the keychain. [`build`] reads `SSL_CERT_FILE` as well, so its
//! CAs are trusted on every platform (on macOS in addition to the keychain's) and a file that
//! cannot be used is refused before any request.

use std::error::Error as StdError;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use reqwest::Url;
use rustls::CertificateError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::error::SfError;
use crate::outside::{NAME_CHARS, one_line};

/// The variable that names a PEM file of CA certificates to trust, as for curl and OpenSSL.
const CA_FILE_VAR: &str = "SSL_CERT_FILE";

/// What `SSL_CERT_FILE` must be, for the errors about it.
const CA_FILE_WANTED: &str = "it must name a PEM file of the CA certificates to trust (e.g. the CA of a proxy that inspects TLS); unset it to use the system's list";

/// `SSL_CERT_FILE` is set but names no usable CA bundle: a configuration error, reported
/// before any request.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct CaFileError(pub String);

/// The CA certificates of the file that `SSL_CERT_FILE` names (none when it is not set).
fn ca_bundle() -> Result<Vec<reqwest::Certificate>, CaFileError> {
    let Some(path) = std::env::var_os(CA_FILE_VAR) else {
        return Ok(Vec::new());
    };
    if path.is_empty() {
        return Err(CaFileError(format!(
            "{CA_FILE_VAR} is set but empty: {CA_FILE_WANTED}"
        )));
    }
    let path = Path::new(&path);
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        CaFileError(format!(
            "{CA_FILE_VAR} `{shown}` cannot be read ({e}): {CA_FILE_WANTED}"
        ))
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            CaFileError(format!(
                "{CA_FILE_VAR} `{shown}` is not valid PEM ({e}): {CA_FILE_WANTED}"
            ))
        })?;
    if certs.is_empty() {
        return Err(CaFileError(format!(
            "{CA_FILE_VAR} `{shown}` holds no certificate (no -----BEGIN CERTIFICATE----- block): {CA_FILE_WANTED}"
        )));
    }
    certs
        .iter()
        .map(|der| reqwest::Certificate::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|e| CaFileError(format!("{CA_FILE_VAR} `{shown}`: {e}: {CA_FILE_WANTED}")))
}

/// Builds the client with the CAs of `SSL_CERT_FILE` added to the verifier's. A bundle it cannot
/// take (a PEM block that holds no certificate a CA can have) is a [`CaFileError`] too.
pub(crate) fn build(builder: reqwest::ClientBuilder) -> anyhow::Result<reqwest::Client> {
    let bundle = ca_bundle()?;
    let from_file = !bundle.is_empty();
    builder.tls_certs_merge(bundle).build().map_err(|e| {
        if !from_file {
            return e.into();
        }
        let path = std::env::var_os(CA_FILE_VAR).unwrap_or_default();
        let first: &(dyn StdError + 'static) = &e;
        let why: Vec<String> = std::iter::successors(Some(first), |e| StdError::source(*e))
            .map(ToString::to_string)
            .collect();
        CaFileError(format!(
            "{CA_FILE_VAR} `{}` holds a certificate that cannot be used ({}): {CA_FILE_WANTED}",
            Path::new(&path).display(),
            why.join(": ")
        ))
        .into()
    })
}

/// The error to report when `e` failed because the server's certificate did not verify: which
/// host, why, and what to do. `None` for any other failure.
pub(crate) fn refused(action: &str, e: &reqwest::Error) -> Option<SfError> {
    let problem = refused_certificate(e)?;
    let host = e.url().map_or_else(|| "the server".to_string(), host_of);
    // Text from the certificate (names it presents) or the TLS library: one line, clipped.
    let verbatim = one_line(
        &rustls::Error::InvalidCertificate(problem.clone()).to_string(),
        NAME_CHARS,
    );
    Some(SfError::new(
        action,
        format!(
            "the TLS certificate presented for {host} was refused: {} ({verbatim})",
            reason(problem)
        ),
        hint(
            problem,
            std::env::var_os(CA_FILE_VAR).as_deref().map(Path::new),
        ),
    ))
}

/// rustls's verdict on the server's certificate, found in `e`'s source chain. It sits inside an
/// `io::Error`, whose `source()` skips the error it wraps: look inside those too.
fn refused_certificate<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a CertificateError> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(rustls::Error::InvalidCertificate(problem)) = err.downcast_ref() {
            return Some(problem);
        }
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => err.source(),
        };
    }
    None
}

/// `host` or `host:port` (when the port is not the scheme's own).
fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("the server");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Why the certificate was refused, in words.
fn reason(problem: &CertificateError) -> String {
    use CertificateError as C;
    match problem {
        C::UnknownIssuer => {
            "unknown issuer: no certificate authority this machine trusts signed it".into()
        }
        C::Expired => "expired".into(),
        C::ExpiredContext { not_after, .. } => format!("expired on {}", date(not_after.as_secs())),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "not valid yet (check this machine's clock)".into()
        }
        // The context variant's own text (shown verbatim beside) lists the names it holds.
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "wrong name: it is not valid for this host".into()
        }
        C::Revoked => "revoked".into(),
        C::BadSignature
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "bad or unsupported signature".into()
        }
        _ => "it did not verify".into(),
    }
}

/// What to do next. A proxy that inspects TLS re-signs every site with its own CA: that CA
/// belongs in `SSL_CERT_FILE`.
fn hint(problem: &CertificateError, ca_file: Option<&Path>) -> String {
    let proxy = "a proxy that inspects TLS needs its CA in SSL_CERT_FILE: save the CA certificate (PEM) in a file and set SSL_CERT_FILE to its path (in the GitHub Action: a file in the workspace, and `SSL_CERT_FILE: ${{ github.workspace }}/ca.pem` in the step's env); see docs/network.md";
    match (problem, ca_file) {
        (CertificateError::UnknownIssuer, Some(file)) => format!(
            "SSL_CERT_FILE `{}` is in use and holds no CA that signed this certificate; {proxy}. On Linux that file replaces the system's CA list: to reach other hosts directly too, append the system's bundle to it",
            file.display()
        ),
        (CertificateError::UnknownIssuer, None) => proxy.to_string(),
        _ => format!(
            "check the URL (the host must be the org's own Salesforce host) and this machine's clock; {proxy}"
        ),
    }
}

/// A date for messages, from seconds since the epoch.
fn date(secs: u64) -> String {
    crate::timestamp::format(UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustls::pki_types::{ServerName, UnixTime};

    use super::*;

    /// The shape reqwest hands over: rustls's error inside an `io::Error` inside other errors.
    #[derive(Debug)]
    struct Wrapper(Box<dyn StdError + Send + Sync>);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error (Connect)")
        }
    }

    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(self.0.as_ref())
        }
    }

    fn wrapped(problem: CertificateError) -> Wrapper {
        let tls = rustls::Error::InvalidCertificate(problem);
        Wrapper(Box::new(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            tls,
        )))
    }

    #[test]
    fn finds_the_verdict_inside_an_io_error() {
        let e = wrapped(CertificateError::UnknownIssuer);
        assert_eq!(
            refused_certificate(&e),
            Some(&CertificateError::UnknownIssuer)
        );
        let other = Wrapper(Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure),
        )));
        assert_eq!(refused_certificate(&other), None);
        let plain = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(refused_certificate(&plain), None);
    }

    #[test]
    fn says_why_in_words() {
        let cases = [
            (
                CertificateError::UnknownIssuer,
                "unknown issuer: no certificate authority this machine trusts signed it",
            ),
            (CertificateError::Expired, "expired"),
            (
                CertificateError::ExpiredContext {
                    time: UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000)),
                    not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000)),
                },
                "expired on 2023-11-14T22:13:20Z",
            ),
            (
                CertificateError::NotValidYet,
                "not valid yet (check this machine's clock)",
            ),
            (
                CertificateError::NotValidForNameContext {
                    expected: ServerName::try_from("x.my.salesforce.com").unwrap(),
                    presented: vec!["DnsName(\"proxy.corp\nevil\")".into()],
                },
                "wrong name: it is not valid for this host",
            ),
            (CertificateError::Revoked, "revoked"),
            (
                CertificateError::BadSignature,
                "bad or unsupported signature",
            ),
            (
                CertificateError::Other(rustls::OtherError(Arc::new(std::io::Error::other("x")))),
                "it did not verify",
            ),
        ];
        for (problem, words) in cases {
            assert_eq!(reason(&problem), words, "{problem:?}");
        }
    }

    #[test]
    fn the_hint_names_ssl_cert_file() {
        let none = hint(&CertificateError::UnknownIssuer, None);
        assert!(none.contains("SSL_CERT_FILE to its path"), "{none}");
        let set = hint(
            &CertificateError::UnknownIssuer,
            Some(Path::new("/github/workspace/ca.pem")),
        );
        assert!(
            set.starts_with("SSL_CERT_FILE `/github/workspace/ca.pem` is in use"),
            "{set}"
        );
        let name = hint(&CertificateError::NotValidForName, None);
        assert!(name.starts_with("check the URL"), "{name}");
        assert!(name.contains("SSL_CERT_FILE"), "{name}");
    }
}
