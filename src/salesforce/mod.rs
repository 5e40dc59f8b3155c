//! Everything that speaks to Salesforce: [`auth`] signs in, [`http`] sends with bounded retries,
//! [`error`] reads what Salesforce answered when a call failed, [`client`] keeps the session,
//! [`rest`] and [`metadata`] speak the two APIs, [`xml`] reads their SOAP answers, [`tls`] holds
//! the CA bundle and tells a refused certificate in words, [`proxy`] a proxy that wants credentials.

pub mod auth;
pub mod client;
pub mod error;
pub mod http;
pub mod metadata;
pub mod proxy;
pub mod rest;
pub mod tls;
pub mod xml;

pub use client::Salesforce;
pub use error::SfError;
pub use http::Deadline;
