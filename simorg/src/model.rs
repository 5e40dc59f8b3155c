//! What the org holds and what it saw: operations, requests, faults, values, records.

use std::time::Duration;

use crate::wire;

/// Operation a request was classified as (before any auth check).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `POST /services/oauth2/token`.
    Token,
    /// `GET /services/data/vNN.N/query`.
    Query,
    /// `GET /services/data/vNN.N/sobjects/`.
    DescribeGlobal,
    /// `GET /services/data/vNN.N/sobjects/{name}/describe`.
    Describe,
    /// Metadata SOAP `readMetadata`.
    ReadMetadata,
    /// Metadata SOAP `updateMetadata`.
    UpdateMetadata,
    /// Metadata SOAP `upsertMetadata` (always answered with a fault).
    UpsertMetadata,
    /// Metadata SOAP `listMetadata`.
    ListMetadata,
    /// Anything else.
    Other,
}

/// One request as received by the org.
#[derive(Clone, Debug)]
pub struct Request {
    /// How the request was classified.
    pub op: Op,
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Request target as sent, including any query string (still URL-encoded).
    pub path: String,
    /// Body, decoded as UTF-8 (lossily).
    pub body: String,
    /// Headers in the order sent; names lower-cased, values as sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// Value of the first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        wire::header(&self.headers, name)
    }
}

/// What an injected fault does to a matching request.
#[derive(Clone, Debug)]
pub enum FaultAction {
    /// Answer this instead of the real handler.
    Respond {
        /// HTTP status code.
        status: u16,
        /// `Content-Type` header value.
        content_type: String,
        /// Response body.
        body: String,
    },
    /// Sleep, then handle normally.
    Delay(Duration),
    /// Read the request, then close the socket without answering.
    Drop,
    /// Handle the request (so a write is applied), then close the socket without answering.
    ApplyThenDrop,
}

/// A fault to inject; see [`SimOrg::inject`](crate::SimOrg::inject).
#[derive(Clone, Debug)]
pub struct Fault {
    /// Operation it applies to; `None` = any request.
    pub op: Option<Op>,
    /// How many more requests it applies to.
    pub times: usize,
    /// What it does.
    pub action: FaultAction,
}

impl Fault {
    /// A fault for `op` applying to the next `times` matching requests.
    pub fn new(op: Op, times: usize, action: FaultAction) -> Self {
        Fault {
            op: Some(op),
            times,
            action,
        }
    }

    /// Answer `status` with `body` for the next `times` requests of `op`. The content type
    /// is JSON if the body starts with `[` or `{`, `text/xml` if it starts with `<`, else
    /// `text/plain`.
    pub fn status(op: Op, times: usize, status: u16, body: &str) -> Self {
        let content_type = match body.trim_start().chars().next() {
            Some('[' | '{') => "application/json;charset=UTF-8",
            Some('<') => "text/xml;charset=UTF-8",
            _ => "text/plain;charset=UTF-8",
        };
        Fault::new(
            op,
            times,
            FaultAction::Respond {
                status,
                content_type: content_type.to_string(),
                body: body.to_string(),
            },
        )
    }
}

/// A field value of a custom metadata record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Checkbox value.
    Bool(bool),
    /// Text value.
    Text(String),
    /// Null.
    Nil,
    /// Number (`xsd:double`), as the Metadata API writes it, e.g. `50.0`.
    Number(String),
    /// Date (`xsd:date`), `YYYY-MM-DD`.
    Date(String),
}

/// A custom metadata record as the Metadata API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Metadata fullName, e.g. `s_c__Setting.s_c__Triggers_Enabled`.
    pub full_name: String,
    /// Label (MasterLabel).
    pub label: String,
    /// Protected flag.
    pub protected: bool,
    /// Custom field values `(field API name, value)` in stored order.
    pub values: Vec<(String, Value)>,
    /// `description`, when set.
    pub description: Option<String>,
}
