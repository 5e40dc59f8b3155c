//! One CustomMetadata record as readMetadata returns it and updateMetadata takes it back:
//! every value kept exactly as read.

use crate::salesforce::xml::{self, Element};

/// One `<values>` entry's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MdValue {
    /// `xsi:nil="true"`.
    Nil,
    /// A value with its `xsi:type` local name as read (`boolean`, `string`, `double`, …), if any.
    Typed {
        /// The xsi:type local name, e.g. `boolean`.
        xsi_type: Option<String>,
        /// The text content.
        text: String,
    },
}

/// A CustomMetadata record as the Metadata API returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMetadata {
    /// `Type.Record`, e.g. `s_c__Setting.s_c__Triggers_Enabled`.
    pub(crate) full_name: String,
    /// `description`, when present.
    pub(crate) description: Option<String>,
    /// `label`.
    pub(crate) label: Option<String>,
    /// `protected`, as read (`true`/`false`).
    pub(crate) protected: Option<String>,
    /// `values`, in the order read.
    pub(crate) values: Vec<(String, MdValue)>,
}

impl CustomMetadata {
    /// The value of a field, if the record lists it.
    pub(crate) fn value(&self, field: &str) -> Option<&MdValue> {
        // API names are case-insensitive in Salesforce.
        self.values
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(field))
            .map(|(_, v)| v)
    }

    /// A copy with one field's value replaced (appended when the record did not list it).
    pub(crate) fn with_value(&self, field: &str, value: MdValue) -> Self {
        let mut copy = self.clone();
        match copy
            .values
            .iter_mut()
            .find(|(f, _)| f.eq_ignore_ascii_case(field))
        {
            Some(slot) => slot.1 = value,
            None => copy.values.push((field.to_string(), value)),
        }
        copy
    }

    /// The `<met:metadata>` element for updateMetadata, children in WSDL order.
    pub fn to_xml(&self) -> String {
        let mut out = String::from(r#"<met:metadata xsi:type="met:CustomMetadata">"#);
        push_element(&mut out, "fullName", Some(&self.full_name));
        push_element(&mut out, "description", self.description.as_deref());
        push_element(&mut out, "label", self.label.as_deref());
        push_element(&mut out, "protected", self.protected.as_deref());
        for (field, value) in &self.values {
            out.push_str("<met:values>");
            push_element(&mut out, "field", Some(field));
            match value {
                MdValue::Nil => out.push_str(r#"<met:value xsi:nil="true"/>"#),
                MdValue::Typed {
                    xsi_type: Some(t),
                    text,
                } => out.push_str(&format!(
                    r#"<met:value xsi:type="xsd:{}">{}</met:value>"#,
                    xml::escape(t),
                    xml::escape(text)
                )),
                MdValue::Typed {
                    xsi_type: None,
                    text,
                } => out.push_str(&format!("<met:value>{}</met:value>", xml::escape(text))),
            }
            out.push_str("</met:values>");
        }
        out.push_str("</met:metadata>");
        out
    }
}

fn push_element(out: &mut String, name: &str, text: Option<&str>) {
    if let Some(text) = text {
        out.push_str(&format!("<met:{name}>{}</met:{name}>", xml::escape(text)));
    }
}

/// Interprets a readMetadata response envelope.
pub fn parse_read(envelope: &Element, full_name: &str) -> Result<Option<CustomMetadata>, String> {
    let Some(response) = envelope.find("readMetadataResponse") else {
        return Err("the answer has no readMetadataResponse".into());
    };
    let Some(record) = response.find("records") else {
        return Ok(None);
    };
    if record.is_nil() {
        return Ok(None);
    }
    let mut md = CustomMetadata {
        full_name: String::new(),
        description: None,
        label: None,
        protected: None,
        values: Vec::new(),
    };
    for child in &record.children {
        match child.name.as_str() {
            "fullName" => md.full_name = child.text.clone(),
            "description" => md.description = Some(child.text.clone()),
            "label" => md.label = Some(child.text.clone()),
            "protected" => md.protected = Some(child.text.trim().to_string()),
            "values" => {
                let field = child
                    .child_text("field")
                    .ok_or("a <values> entry has no <field>")?
                    .trim()
                    .to_string();
                let value = match child.child("value") {
                    None => MdValue::Nil,
                    Some(v) if v.is_nil() => MdValue::Nil,
                    // Structure inside a value would be lost when its text is written back.
                    Some(v) if !v.children.is_empty() => {
                        return Err(format!(
                            "the value of {field} holds <{}> elements this tool does not know, so it will not risk rewriting the record",
                            v.children[0].name
                        ));
                    }
                    Some(v) => MdValue::Typed {
                        xsi_type: v
                            .attr("type")
                            .map(|t| t.rsplit(':').next().unwrap_or(t).to_string()),
                        text: v.text.clone(),
                    },
                };
                md.values.push((field, value));
            }
            // Writing back a record with parts we do not understand could drop them: refuse.
            other => {
                return Err(format!(
                    "the record has a <{other}> element this tool does not know, so it will not risk rewriting the record"
                ));
            }
        }
    }
    // A record without a fullName, or another record than the one asked for, is not ours.
    if (md.label.is_none() && md.values.is_empty())
        || !md.full_name.trim().eq_ignore_ascii_case(full_name)
    {
        return Ok(None);
    }
    Ok(Some(md))
}
