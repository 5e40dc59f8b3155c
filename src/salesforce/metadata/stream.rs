//! Picks the children of one element out of an XML document as it arrives, in bounded memory:
//! only the part of the document not yet handed out is kept (at most one child plus a chunk).

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// The most bytes one child element (and the text around it) may take.
pub(crate) const MAX_ELEMENT_BYTES: usize = 1024 * 1024;
/// The deepest nesting accepted outside the children.
const MAX_DEPTH: usize = 64;

/// Hands out each `<child>` directly inside a `<parent>` (local names, any prefix) as the text
/// of that whole element, as soon as it is complete.
#[derive(Debug)]
pub(crate) struct Children {
    parent: &'static str,
    child: &'static str,
    /// The document from the first byte not handed out yet.
    pending: Vec<u8>,
    /// Local names of the elements open where `pending` starts.
    open: Vec<String>,
    /// Whether a `<parent>` was seen.
    saw_parent: bool,
}

impl Children {
    /// Looks for `child` elements directly inside `parent`.
    pub(crate) fn new(parent: &'static str, child: &'static str) -> Self {
        Self {
            parent,
            child,
            pending: Vec::new(),
            open: Vec::new(),
            saw_parent: false,
        }
    }

    /// Takes the next bytes; `each` gets every child completed by them.
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        each: &mut impl FnMut(&str) -> Result<(), String>,
    ) -> Result<(), String> {
        self.pending.extend_from_slice(chunk);
        self.drain(each, false)?;
        if self.pending.len() > MAX_ELEMENT_BYTES {
            return Err(format!(
                "a <{}> element (or the XML before it) is over {} KB, or the XML is malformed",
                self.child,
                MAX_ELEMENT_BYTES / 1024
            ));
        }
        Ok(())
    }

    /// The document ended: hands out what is left and says whether a `<parent>` was seen.
    pub(crate) fn finish(
        mut self,
        each: &mut impl FnMut(&str) -> Result<(), String>,
    ) -> Result<bool, String> {
        self.drain(each, true)?;
        if !self.open.is_empty() {
            return Err("the document ended inside an element".into());
        }
        Ok(self.saw_parent)
    }

    /// Reads the complete events of `pending`, hands out finished children and drops what was
    /// read, up to the start of an unfinished child or tag. `last`: nothing more will come.
    fn drain(
        &mut self,
        each: &mut impl FnMut(&str) -> Result<(), String>,
        last: bool,
    ) -> Result<(), String> {
        let mut reader = Reader::from_reader(self.pending.as_slice());
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        let mut open = self.open.clone();
        // Where the child being read starts, and how many elements are open around it.
        let mut child: Option<(usize, usize)> = None;
        let mut consumed = 0;
        loop {
            let before = position(&reader);
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) if last => {
                    return Err(format!("malformed XML at byte {}: {e}", position(&reader)));
                }
                // Most likely a tag cut by the end of the chunk: read it when the rest comes.
                Err(_) => break,
            };
            let after = position(&reader);
            let done = match &event {
                Event::Eof => break,
                Event::Start(tag) | Event::Empty(tag) => {
                    let name = tag.local_name().as_ref().to_string();
                    self.saw_parent |= name == self.parent;
                    let is_child = child.is_none()
                        && name == self.child
                        && open.last().is_some_and(|p| p == self.parent);
                    let empty = matches!(event, Event::Empty(_));
                    if is_child && empty {
                        Some(before)
                    } else {
                        if is_child {
                            child = Some((before, open.len()));
                        }
                        if !empty {
                            open.push(name);
                        }
                        None
                    }
                }
                Event::End(_) => {
                    open.pop();
                    match child {
                        Some((start, depth)) if open.len() == depth => {
                            child = None;
                            Some(start)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(start) = done {
                each(&String::from_utf8_lossy(&self.pending[start..after]))?;
            }
            if child.is_none() {
                consumed = after;
                self.open.clone_from(&open);
                if open.len() > MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH}"));
                }
            }
        }
        if last && child.is_some() {
            return Err(format!("the document ended inside a <{}>", self.child));
        }
        self.pending.drain(..consumed);
        Ok(())
    }
}

fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><listMetadataResponse><result><fullName>A.B</fullName><lastModifiedByName>Jane &amp; Co</lastModifiedByName></result>
  <result><fullName>C.D</fullName><result>nested</result></result><result/></listMetadataResponse></soapenv:Body></soapenv:Envelope>"#;

    fn split(chunk: usize) -> (Vec<String>, bool) {
        let mut found = Vec::new();
        let mut each = |el: &str| {
            found.push(el.to_string());
            Ok(())
        };
        let mut children = Children::new("listMetadataResponse", "result");
        for piece in DOC.as_bytes().chunks(chunk) {
            children.feed(piece, &mut each).unwrap();
            assert!(
                children.pending.len() <= 300 + chunk,
                "kept {}",
                children.pending.len()
            );
        }
        let saw = children.finish(&mut each).unwrap();
        (found, saw)
    }

    #[test]
    fn hands_out_each_child_whatever_the_chunks() {
        let (whole, saw) = split(DOC.len());
        assert!(saw);
        assert_eq!(
            whole,
            [
                "<result><fullName>A.B</fullName><lastModifiedByName>Jane &amp; Co</lastModifiedByName></result>",
                "<result><fullName>C.D</fullName><result>nested</result></result>",
                "<result/>",
            ]
        );
        for chunk in [1, 2, 3, 7, 64] {
            assert_eq!(split(chunk), (whole.clone(), true), "chunks of {chunk}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_whole_document() {
        let mut none = |_: &str| Ok(());
        let mut cut = Children::new("listMetadataResponse", "result");
        cut.feed(&DOC.as_bytes()[..DOC.len() / 2], &mut none)
            .unwrap();
        assert!(cut.finish(&mut none).is_err());
        let mut other = Children::new("listMetadataResponse", "result");
        other
            .feed(b"<Envelope><Body/></Envelope>", &mut none)
            .unwrap();
        assert_eq!(other.finish(&mut none), Ok(false));
        let mut huge = Children::new("listMetadataResponse", "result");
        huge.feed(b"<listMetadataResponse><result>", &mut none)
            .unwrap();
        let big = vec![b'a'; MAX_ELEMENT_BYTES];
        assert!(huge.feed(&big, &mut none).is_err());
    }
}
