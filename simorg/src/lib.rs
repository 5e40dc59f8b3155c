#![deny(missing_docs)]
//! A simulated Salesforce org for the tests, benchmark and demo of `storeconnect-triggers`.
//!
//! [`SimOrg::start`] binds a blocking HTTP/1.1 server on `127.0.0.1:0` that speaks the
//! wire formats of the OAuth token endpoint, the REST query/describe resources and the
//! Metadata SOAP API (`readMetadata`, `updateMetadata`, `listMetadata`) well enough for
//! the client to discover, read, flip and verify the StoreConnect "Triggers Enabled"
//! custom metadata record. Every request is logged ([`SimOrg::requests`]) and faults can
//! be injected per operation ([`SimOrg::inject`]).

mod config;
mod http;
mod ids;
mod model;
mod oauth;
mod org;
mod paths;
mod rest;
mod route;
mod soap;
mod soql;
mod state;
mod store;
mod wire;
mod xml;

pub use config::{FieldKind, Listed, Listing, Manageability, NotFoundShape, OrgConfig, RecordKind};
pub use ids::{
    CLIENT_ID, CLIENT_SECRET, JWT_KEY_PEM, JWT_KEY_PKCS1_PEM, JWT_PUBLIC_KEY_DER, USERNAME,
};
pub use model::{Fault, FaultAction, Op, Record, Request, Value};
pub use org::SimOrg;
