//! Integration tests: the compiled binary against the simulated org.

// A test binary has no public surface: its helpers are `pub` for the other test modules.
#![allow(unreachable_pub)]

mod action;
mod arguments_and_help;
mod big_org;
mod chaos;
mod check;
mod ci_examples;
mod cli;
mod cli_contract;
mod clock;
mod closed_output;
mod common;
mod container;
mod faults;
mod fuzz;
mod hostile_input_and_late_writes;
mod in_doubt;
mod injection;
mod input;
mod key_file;
mod network;
mod recorded;
mod rng;
mod run;
mod run_preflight;
mod salesforce_answers;
mod snapshots;
mod snapshots_action;
mod snapshots_scrub;
mod target_org;
mod user_messages;
mod wsdl;
