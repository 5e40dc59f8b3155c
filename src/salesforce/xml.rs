//! A tiny read-only XML tree over quick-xml, matched by local names.
//!
//! Salesforce's SOAP answers use whatever namespace prefixes the server likes, so every lookup
//! here ignores prefixes. Text is unescaped (predefined entities and character references).

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// One XML element: local name, attributes by local name, child elements and direct text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// Local name (prefix removed).
    pub(crate) name: String,
    /// Attributes as (local name, unescaped value).
    pub(crate) attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub(crate) children: Vec<Element>,
    /// Concatenated text directly inside this element.
    pub text: String,
}

impl Element {
    /// First child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Attribute value by local name.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the element is `xsi:nil` (`nil="true"` or `"1"`, any prefix).
    pub(crate) fn is_nil(&self) -> bool {
        matches!(self.attr("nil"), Some("true" | "1"))
    }

    /// Text of the first child with this local name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// Depth-first search for the first element with this local name (self included).
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

/// Parses a document and returns its root element, or a short description of what is wrong.
pub fn parse(doc: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(doc);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                return Err("more than one root element".into());
            }
            Event::Start(start) => stack.push(open(&start)?),
            Event::Empty(start) => close(open(&start)?, &mut stack, &mut root),
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced end tag")?;
                close(done, &mut stack, &mut root);
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = reference.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_string()
                    }
                    Err(e) => return Err(format!("bad character reference: {e}")),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("document ended inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn open(start: &quick_xml::events::BytesStart<'_>) -> Result<Element, String> {
    let mut element = Element {
        name: start.local_name().as_ref().to_string(),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("malformed attribute: {e}"))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("malformed attribute value: {e}"))?;
        element.attrs.push((
            attr.key.local_name().as_ref().to_string(),
            value.into_owned(),
        ));
    }
    Ok(element)
}

fn close(done: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

/// Escapes text for an XML element body or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixed_soap_with_entities() {
        let doc = r#"<?xml version="1.0"?><s:Envelope xmlns:s="x" xmlns:xsi="i"><s:Body>
            <r><v xsi:type="xsd:string">a &amp; b &#60;c&gt;</v><n xsi:nil="true"/></r></s:Body></s:Envelope>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Envelope");
        let r = root.find("r").unwrap();
        assert_eq!(r.child_text("v"), Some("a & b <c>"));
        assert_eq!(r.child("v").unwrap().attr("type"), Some("xsd:string"));
        assert_eq!(r.child("n").unwrap().attr("nil"), Some("true"));
        assert!(r.child("n").unwrap().is_nil() && !r.child("v").unwrap().is_nil());
        assert!(parse(r#"<a xsi:nil="1"/>"#).unwrap().is_nil());
        assert!(!parse(r#"<a nil="false"/>"#).unwrap().is_nil());
    }

    #[test]
    fn rejects_broken_documents() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a>&bogus;</a>").is_err());
        assert_eq!(parse("<a/><b/>").unwrap_err(), "more than one root element");
    }

    #[test]
    fn escape_round_trips() {
        let text = "x<y & \"q\" 'z'>\r";
        let doc = format!("<a>{}</a>", escape(text));
        assert_eq!(parse(&doc).unwrap().text, text);
    }
}
