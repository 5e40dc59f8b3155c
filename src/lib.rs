//! storeconnect-triggers: keeps StoreConnect's Salesforce sync triggers safe around maintenance
//! jobs. It finds the "StoreConnect Triggers Enabled" custom metadata record, reads it through
//! SOQL, changes it through the Metadata SOAP API and proves every change by reading it back.
//!
//! Layout: [`config`] and [`cli`] turn input into a validated [`config::Config`]; [`auth`] signs
//! in; [`http`] sends with bounded retries; [`client`] keeps the session; [`rest`] and
//! [`metadata`] speak the two APIs; [`setting`] is the setting itself; [`ops`] are the operations
//! both front ends share, [`commands`] (the CLI) and [`action`] what users run; [`exit`] is the
//! exit contract; [`github`] is the runner's I/O.

pub mod action;
pub mod app;
pub mod auth;
pub mod backoff;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod error;
pub mod exit;
pub mod github;
pub mod http;
pub mod metadata;
pub mod ops;
pub mod rest;
pub mod secret;
pub mod setting;
pub mod signals;
pub mod timestamp;
pub mod xml;
