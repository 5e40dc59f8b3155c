//! Integration tests: the compiled binary against the simulated org.

mod action;
mod arguments_and_help;
mod chaos;
mod check;
mod ci_examples;
mod cli;
mod closed_output;
mod common;
mod faults;
mod fuzz;
mod hostile_input_and_late_writes;
mod in_doubt;
mod injection;
mod input;
mod key_file;
mod network;
mod rng;
mod run;
mod salesforce_answers;
mod snapshots;
mod snapshots_action;
mod snapshots_scrub;
mod target_org;
mod user_messages;
