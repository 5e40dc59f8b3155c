//! A tiny DOM built from quick-xml events, matched by local names, plus escaping.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// The XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub(crate) const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One XML element; names are local names (prefixes stripped), namespaces resolved.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    /// The element's namespace URI, resolved from its prefix (or the default namespace).
    pub ns: Option<String>,
    /// Attributes as (namespace URI, local name, value).
    pub attrs_ns: Vec<(Option<String>, String, String)>,
    /// Namespace bindings in scope here, (prefix, URI); prefix "" is the default namespace.
    pub scope: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Concatenated character data directly inside this element.
    pub text: String,
}

impl Element {
    /// First child with this local name.
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == local)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == local)
    }

    /// Attribute value by local name, whatever its namespace (tests only).
    #[cfg(test)]
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs_ns
            .iter()
            .find(|(_, l, _)| l == local)
            .map(|(_, _, v)| v.as_str())
    }

    /// Text of the first child with this local name, trimmed.
    pub fn child_text(&self, local: &str) -> Option<&str> {
        self.child(local).map(|c| c.text.trim())
    }

    /// Attribute value by namespace URI and local name.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs_ns
            .iter()
            .find(|(n, l, _)| n.as_deref() == Some(ns) && l == local)
            .map(|(_, _, v)| v.as_str())
    }

    /// Resolves a QName value such as `met:CustomMetadata` against the bindings in scope.
    pub fn resolve_qname<'a>(&self, qname: &'a str) -> (Option<String>, &'a str) {
        let (prefix, local) = qname.trim().split_once(':').unwrap_or(("", qname.trim()));
        (lookup(&self.scope, prefix), local)
    }

    /// True when the element carries `xsi:nil="true"` in the XSI namespace.
    pub fn is_nil(&self) -> bool {
        matches!(self.attr_ns(XSI_NS, "nil"), Some(v) if v.trim() == "true" || v.trim() == "1")
    }
}

fn lookup(scope: &[(String, String)], prefix: &str) -> Option<String> {
    scope
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map(|(_, uri)| uri.clone())
        .filter(|uri| !uri.is_empty())
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn element_from(
    start: &BytesStart<'_>,
    parent_scope: &[(String, String)],
) -> Result<Element, String> {
    let name = start.name();
    let qname: &str = name.as_ref();
    let mut el = Element {
        name: local(qname).to_string(),
        scope: parent_scope.to_vec(),
        ..Element::default()
    };
    let mut plain = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key: &str = attr.key.as_ref();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        if key == "xmlns" {
            el.scope.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            el.scope.push((prefix.to_string(), value));
        } else {
            plain.push((key.to_string(), value));
        }
    }
    let prefix = qname.split_once(':').map_or("", |(p, _)| p);
    el.ns = lookup(&el.scope, prefix);
    if !prefix.is_empty() && el.ns.is_none() {
        return Err(format!(
            "undeclared namespace prefix `{prefix}` on <{qname}>"
        ));
    }
    for (key, value) in plain {
        // Unprefixed attributes are in no namespace.
        let ns =
            match key.split_once(':') {
                Some((p, _)) => Some(lookup(&el.scope, p).ok_or_else(|| {
                    format!("undeclared namespace prefix `{p}` on attribute {key}")
                })?),
                None => None,
            };
        el.attrs_ns.push((ns, local(&key).to_string(), value));
    }
    Ok(el)
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

/// Parses a whole document into its root element.
pub(crate) fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                let scope = stack.last().map(|p| p.scope.as_slice()).unwrap_or_default();
                let el = element_from(&e, scope)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let scope = stack.last().map(|p| p.scope.as_slice()).unwrap_or_default();
                let el = element_from(&e, scope)?;
                attach(&mut stack, &mut root, el)?;
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unexpected end tag")?;
                attach(&mut stack, &mut root, el)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let ch = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .ok_or("bad character reference")?
                } else {
                    match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("undefined entity &{other};")),
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("unexpected end of document".into());
    }
    root.ok_or_else(|| "no root element".into())
}

/// Escapes text for element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixed_and_entities() {
        let doc = r#"<?xml version="1.0"?><a:Env xmlns:a="x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="d"><a:B xsi:nil="true" t="a:T"/><c>1 &amp; 2 &#60;<![CDATA[<z>]]></c></a:Env>"#;
        let root = parse(doc).expect("parses");
        assert_eq!(root.name, "Env");
        assert_eq!(root.ns.as_deref(), Some("x"));
        let b = root.child("B").expect("B");
        assert!(b.is_nil());
        assert_eq!(
            b.resolve_qname(b.attr("t").expect("t")),
            (Some("x".to_string()), "T")
        );
        assert_eq!(
            root.child("c").expect("c").ns.as_deref(),
            Some("d"),
            "default namespace"
        );
        // xsi:nil in another namespace is not nil; undeclared prefixes are errors.
        let other = parse(r#"<r xmlns:xsi="not-xsi"><v xsi:nil="true"/></r>"#).expect("parses");
        assert!(!other.child("v").expect("v").is_nil());
        assert!(parse("<p:r/>").is_err());
        assert!(parse(r#"<r q:a="1"/>"#).is_err());
        assert_eq!(root.child_text("c"), Some("1 & 2 <<z>"));
        assert!(parse("<a><b></a>").is_err());
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }
}
