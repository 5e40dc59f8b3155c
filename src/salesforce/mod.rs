//! Everything that speaks to Salesforce: [`auth`] signs in, [`http`] sends with bounded retries,
//! [`error`] reads what Salesforce answered when a call failed, [`client`] keeps the session,
//! [`rest`] and [`metadata`] speak the two APIs, [`xml`] reads their SOAP answers, [`tls`] holds
//! the CA bundle and tells a refused certificate in words, [`proxy`] a proxy that wants credentials.

pub(crate) mod auth;
pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod http;
pub(crate) mod metadata;
mod proxy;
pub(crate) mod rest;
pub(crate) mod tls;
pub(crate) mod xml;

pub(crate) use client::Salesforce;
pub(crate) use error::SfError;
pub(crate) use http::Deadline;
