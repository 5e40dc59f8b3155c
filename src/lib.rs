//! storeconnect-triggers: keeps StoreConnect's Salesforce sync triggers safe around maintenance
//! jobs. It finds the "StoreConnect Triggers Enabled" custom metadata record, reads it through
//! SOQL, changes it through the Metadata SOAP API and proves every change by reading it back.
//!
//! Layout: [`config`] and [`cli`] turn input into a validated [`config::Config`]; [`salesforce`]
//! signs in, sends with bounded retries and speaks the REST and Metadata APIs ([`url_policy`]
//! says where credentials may go, [`backoff`] how long to wait); [`setting`] is the setting
//! itself; [`ops`] are the operations both front ends share, [`commands`] (the CLI) and
//! [`action`] what users run; [`exit`] is the exit contract; [`github`] is the runner's I/O;
//! [`output`] prints lines that never stop the tool nor speak for it; [`outside`] holds text from
//! the org, shown only escaped to one line and clipped.

// A line printed to a reader that went away must not stop the tool: print through `output`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod action;
pub mod app;
pub mod backoff;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod exit;
pub mod github;
pub mod ops;
pub mod output;
pub mod outside;
pub mod salesforce;
pub mod secret;
pub mod setting;
pub mod signals;
pub mod timestamp;
pub mod url_policy;
