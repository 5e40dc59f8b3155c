//! storeconnect-triggers: keeps StoreConnect's Salesforce sync triggers safe around maintenance
//! jobs. It finds the "StoreConnect Triggers Enabled" custom metadata record, reads it through
//! SOQL, changes it through the Metadata SOAP API and proves every change by reading it back.
//!
//! The crate is a binary with a library inside. Its entries are [`run`] (the binary's `main`) and
//! [`run_cli`] (the command line in this process, as the demo example uses it). Everything else
//! is private to the crate, except `testing`, the few items the integration and property tests
//! call directly (not an API: hidden from the docs and free to change).
//!
//! Layout: `config` and `cli` turn input into a validated `Config`; `salesforce` signs in, sends
//! with bounded retries and speaks the REST and Metadata APIs (`url_policy` says where
//! credentials may go, `backoff` how long to wait); `setting` is the setting itself; `ops` are
//! the operations both front ends share, `commands` (the CLI) and `action` what users run;
//! `exit` is the exit contract; `github` is the runner's I/O; `output` prints lines that never
//! stop the tool nor speak for it; `outside` holds text from the org, shown only escaped to one
//! line and clipped.

// A line printed to a reader that went away must not stop the tool: print through `output`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod action;
mod app;
mod backoff;
mod cli;
mod commands;
mod config;
mod error;
mod exit;
mod github;
mod ops;
mod output;
mod outside;
mod salesforce;
mod secret;
mod setting;
mod signals;
mod timestamp;
mod url_policy;

pub use app::{run, run_cli};

/// The seam for tests in `tests/it`: what they call without the binary, at the paths the crate
/// itself uses (`testing::salesforce::xml::parse` is `crate::salesforce::xml::parse`). One place
/// to see what a test can reach; nothing here is a promise to anyone else.
#[doc(hidden)]
pub mod testing {
    /// Command-line parsing.
    pub mod cli {
        pub use crate::cli::parse;
    }
    /// Settings and their validation.
    pub mod config {
        pub use crate::config::{Config, RawSettings, SETTING_NAMES};
        /// The table of settings.
        pub mod settings {
            pub use crate::config::settings::{SETTINGS, readme_table};
        }
    }
    /// The runner's escaping and file commands.
    pub mod github {
        pub use crate::github::{
            escape_data, escape_property, file_command_entry, md_cell, md_code,
        };
    }
    /// The report both front ends print.
    pub mod ops {
        pub use crate::ops::Report;
    }
    /// The printer's last defence.
    pub mod output {
        pub use crate::output::defuse;
    }
    /// Text from outside.
    pub mod outside {
        pub use crate::outside::{MESSAGE_CHARS, NAME_CHARS, Outside};
    }
    /// Salesforce's answers: credentials, errors, events, metadata and XML.
    pub mod salesforce {
        /// Credentials.
        pub mod auth {
            pub use crate::salesforce::auth::{Credentials, JwtKey};
        }
        /// Error bodies and their classification.
        pub mod error {
            pub use crate::salesforce::error::{Api, Failure, classify};
        }
        /// What the transport reports.
        pub mod http {
            pub use crate::salesforce::http::Event;
        }
        /// Metadata API answers.
        pub mod metadata {
            pub use crate::salesforce::metadata::{check_save, parse_read};
        }
        /// XML reading and escaping.
        pub mod xml {
            pub use crate::salesforce::xml::{escape, parse};
        }
    }
    /// The setting's value.
    pub mod setting {
        pub use crate::setting::{MAX_SHOWN_CHARS, State};
    }
}
