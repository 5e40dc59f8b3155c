//! A minimal raw HTTP/1.1 client and helpers shared by the integration tests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use simorg::SimOrg;

/// A response: status, lower-cased headers, body.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request to the org's own host, which serves every API (the login host serves
/// only sign-ins); `Err` when the server closed without answering.
pub fn send(
    org: &SimOrg,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Resp> {
    send_to(org, &org.instance_url(), method, path, headers, body)
}

/// Sends one request addressed (by its `Host` header) to `base`, e.g. the login host `org.url()`.
pub fn send_to(
    org: &SimOrg,
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Resp> {
    let mut stream = TcpStream::connect(org.url().trim_start_matches("http://"))?;
    let addr = base.trim_start_matches("http://").to_string();
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    if raw.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed without response",
        ));
    }
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("head/body separator");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .expect("content-length");
    assert_eq!(len, body.len(), "content-length matches body");
    Ok(Resp {
        status,
        headers,
        body: body.to_string(),
    })
}

pub fn must(org: &SimOrg, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    send(org, method, path, headers, body).expect("response")
}

/// Percent-encodes for forms and query strings.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn post_token(org: &SimOrg, pairs: &[(&str, &str)]) -> Resp {
    must(
        org,
        "POST",
        "/services/oauth2/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(pairs),
    )
}

pub fn query(org: &SimOrg, token: &str, soql: &str) -> Resp {
    let auth = format!("Bearer {token}");
    must(
        org,
        "GET",
        &format!("/services/data/v66.0/query?q={}", enc(soql)),
        &[("Authorization", &auth)],
        "",
    )
}

pub fn get(org: &SimOrg, token: &str, path: &str) -> Resp {
    let auth = format!("Bearer {token}");
    must(org, "GET", path, &[("Authorization", &auth)], "")
}

pub fn soap(org: &SimOrg, token: &str, body: &str) -> Resp {
    let envelope = format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
            r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" "#,
            r#"xmlns:met="http://soap.sforce.com/2006/04/metadata">"#,
            "<soapenv:Header><met:SessionHeader><met:sessionId>{}</met:sessionId></met:SessionHeader></soapenv:Header>",
            "<soapenv:Body>{}</soapenv:Body></soapenv:Envelope>"
        ),
        token, body
    );
    must(
        org,
        "POST",
        "/services/Soap/m/66.0",
        &[
            ("Content-Type", "text/xml; charset=UTF-8"),
            ("SOAPAction", "\"\""),
        ],
        &envelope,
    )
}

pub fn read_metadata(org: &SimOrg, token: &str, full_name: &str) -> Resp {
    soap(
        org,
        token,
        &format!(
            "<met:readMetadata><met:type>CustomMetadata</met:type><met:fullNames>{full_name}</met:fullNames></met:readMetadata>"
        ),
    )
}

/// The `Authorization: Basic` value for the fixture client's id and secret.
pub fn basic_auth() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", simorg::CLIENT_ID, simorg::CLIENT_SECRET))
    )
}

/// Signs a JWT with the fixture key (PKCS#8 or PKCS#1 PEM).
pub fn sign_jwt(pem: &str, claims: &serde_json::Value) -> String {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(b64).expect("PEM base64");
    let key = if pem.contains("BEGIN RSA PRIVATE KEY") {
        ring::signature::RsaKeyPair::from_der(&der).expect("PKCS#1 key")
    } else {
        ring::signature::RsaKeyPair::from_pkcs8(&der).expect("PKCS#8 key")
    };
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// Text between `<tag>` and `</tag>` (first occurrence).
pub fn between<'a>(s: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = s.find(&open)? + open.len();
    let end = s[start..].find(&close)? + start;
    Some(&s[start..end])
}
