//! The WSDL's element sequences for the operations simorg serves, checked as Salesforce's own
//! parser checks them: an element out of order, or one the type does not have, faults the whole
//! request with `Element {ns}name invalid at this location in type T`.

use super::MD_NS;
use crate::xml::{Element, XSI_NS};

/// How often an element of a sequence may occur.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Occurs {
    /// minOccurs 0 or 1, maxOccurs 1.
    Once,
    /// maxOccurs unbounded.
    Many,
}

use Occurs::{Many, Once};

/// A complex type's `xsd:sequence` in the Metadata WSDL (API 63.0), in order.
struct Sequence {
    type_name: &'static str,
    elements: &'static [(&'static str, Occurs)],
    /// The child type of the elements that have one, checked in turn.
    nested: &'static [(&'static str, &'static Sequence)],
}

const CUSTOM_METADATA_VALUE: Sequence = Sequence {
    type_name: "CustomMetadataValue",
    elements: &[("field", Once), ("value", Once)],
    nested: &[],
};

/// `CustomMetadata` extends `Metadata` (fullName), then its own sequence.
const CUSTOM_METADATA: Sequence = Sequence {
    type_name: "CustomMetadata",
    elements: &[
        ("fullName", Once),
        ("description", Once),
        ("label", Once),
        ("protected", Once),
        ("values", Many),
    ],
    nested: &[("values", &CUSTOM_METADATA_VALUE)],
};

const LIST_METADATA_QUERY: Sequence = Sequence {
    type_name: "ListMetadataQuery",
    elements: &[("folder", Once), ("type", Once)],
    nested: &[],
};

const READ_METADATA: Sequence = Sequence {
    type_name: "readMetadata",
    elements: &[("type", Once), ("fullNames", Many)],
    nested: &[],
};

const LIST_METADATA: Sequence = Sequence {
    type_name: "listMetadata",
    elements: &[("queries", Many), ("asOfVersion", Once)],
    nested: &[("queries", &LIST_METADATA_QUERY)],
};

/// `updateMetadata`'s `metadata` elements are checked against their `xsi:type` (only
/// CustomMetadata is known here; update.rs refuses the others with a SaveResult).
const UPDATE_METADATA: Sequence = Sequence {
    type_name: "updateMetadata",
    elements: &[("metadata", Many)],
    nested: &[],
};

/// The first element of the operation `op` that breaks the WSDL's sequence, as Salesforce's
/// faultstring names it; `None` when the operation is in order (or not one simorg checks).
pub(super) fn out_of_order(op: &Element) -> Option<String> {
    match op.name.as_str() {
        "readMetadata" => check(op, &READ_METADATA),
        "listMetadata" => check(op, &LIST_METADATA),
        "updateMetadata" => check(op, &UPDATE_METADATA).or_else(|| {
            op.children_named("metadata")
                .filter(|md| {
                    md.attr_ns(XSI_NS, "type")
                        .is_some_and(|t| md.resolve_qname(t).1 == "CustomMetadata")
                })
                .find_map(|md| check(md, &CUSTOM_METADATA))
        }),
        _ => None,
    }
}

fn check(el: &Element, seq: &Sequence) -> Option<String> {
    let mut at = 0;
    let mut last: Option<&str> = None;
    for child in &el.children {
        let found = seq.elements[at..]
            .iter()
            .position(|(name, _)| *name == child.name)
            .map(|i| i + at);
        let repeat_ok = |i: usize| seq.elements[i].1 == Many || last != Some(seq.elements[i].0);
        match found {
            Some(i) if child.ns.as_deref() == Some(MD_NS) && repeat_ok(i) => {
                at = i;
                last = Some(seq.elements[i].0);
            }
            _ => {
                return Some(format!(
                    "Element {{{}}}{} invalid at this location in type {}",
                    child.ns.as_deref().unwrap_or(""),
                    child.name,
                    seq.type_name
                ));
            }
        }
        if let Some((_, inner)) = seq.nested.iter().find(|(n, _)| *n == child.name)
            && let Some(err) = check(child, inner)
        {
            return Some(err);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    fn update(metadata: &str) -> Option<String> {
        let body = format!(
            r#"<updateMetadata xmlns="{MD_NS}" xmlns:xsi="{XSI_NS}"><metadata xsi:type="CustomMetadata">{metadata}</metadata></updateMetadata>"#
        );
        out_of_order(&parse(&body).expect("xml"))
    }

    #[test]
    fn accepts_the_wsdl_order_and_optional_elements_left_out() {
        let value = "<values><field>a__c</field><value>1</value></values>";
        assert_eq!(
            update(&format!(
                "<fullName>T.R</fullName><description>d</description><label>L</label><protected>false</protected>{value}{value}"
            )),
            None
        );
        assert_eq!(update(&format!("<fullName>T.R</fullName>{value}")), None);
        assert_eq!(update(""), None);
    }

    #[test]
    fn refuses_elements_out_of_order_repeated_or_unknown() {
        let md = "{http://soap.sforce.com/2006/04/metadata}";
        assert_eq!(
            update("<fullName>T.R</fullName><label>L</label><description>d</description>"),
            Some(format!(
                "Element {md}description invalid at this location in type CustomMetadata"
            ))
        );
        assert_eq!(
            update("<label>L</label><label>M</label>"),
            Some(format!(
                "Element {md}label invalid at this location in type CustomMetadata"
            ))
        );
        assert_eq!(
            update("<values><value>1</value><field>a__c</field></values>"),
            Some(format!(
                "Element {md}field invalid at this location in type CustomMetadataValue"
            ))
        );
        assert_eq!(
            update("<fullName>T.R</fullName><colour>red</colour>"),
            Some(format!(
                "Element {md}colour invalid at this location in type CustomMetadata"
            ))
        );
        let read = parse(&format!(
            r#"<readMetadata xmlns="{MD_NS}"><fullNames>T.R</fullNames><type>CustomMetadata</type></readMetadata>"#
        ))
        .expect("xml");
        assert_eq!(
            out_of_order(&read),
            Some(format!(
                "Element {md}type invalid at this location in type readMetadata"
            ))
        );
    }
}
