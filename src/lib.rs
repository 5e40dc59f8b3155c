//! storeconnect-triggers: keeps StoreConnect's Salesforce sync triggers safe around maintenance
//! jobs. It finds the "StoreConnect Triggers Enabled" custom metadata record, reads it through
//! SOQL, changes it through the Metadata SOAP API and proves every change by reading it back.
//!
//! Layout: [`config`] and [`cli`] turn input into a validated [`config::Config`]; [`auth`] signs
//! in; [`http`] sends with bounded retries; [`client`] keeps the session; [`rest`] and
//! [`metadata`] speak the two APIs; [`setting`] is the setting itself; [`commands`] and
//! [`action`] are what users run; [`github`] is the runner's I/O.

pub mod action;
pub mod app;
pub mod auth;
pub mod backoff;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod error;
pub mod github;
pub mod health;
pub mod http;
pub mod metadata;
pub mod rest;
pub mod secret;
pub mod setting;
pub mod timestamp;
pub mod xml;
