//! The HTTP request and response types the handlers use, and form/query decoding.

/// A parsed HTTP request.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub method: String,
    /// Request target as sent.
    pub target: String,
    /// Path part of the target (before `?`).
    pub path: String,
    /// Raw query string (after `?`), if any.
    pub query: Option<String>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When the whole request had arrived: a session is checked as of then, as Salesforce
    /// checks it when a request starts (a request held by a `Delay` fault keeps its session).
    pub arrived: std::time::Instant,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// First query parameter with this name, URL-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        parse_form(self.query.as_deref()?)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// A response to send.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Response {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Response::new(status, "application/json;charset=UTF-8", body)
    }

    pub fn xml(status: u16, body: impl Into<String>) -> Self {
        Response::new(status, "text/xml;charset=UTF-8", body)
    }
}

/// Value of the first header with this name (case-insensitive).
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Percent-decodes `s`, with `+` as space (form and query encoding).
pub(crate) fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `a=1&b=2` (form or query string) into decoded pairs.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), url_decode(v)),
            None => (url_decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        assert_eq!(url_decode("a+b%20c%27%zz%"), "a b c'%zz%");
        assert_eq!(
            parse_form("grant_type=refresh_token&x=%3D%3D&flag"),
            vec![
                ("grant_type".into(), "refresh_token".into()),
                ("x".into(), "==".into()),
                ("flag".into(), String::new())
            ]
        );
    }
}
