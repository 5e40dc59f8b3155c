//! Integration tests: the compiled binary against the simulated org.

mod action;
mod chaos;
mod check;
mod ci_examples;
mod cli;
mod closed_output;
mod common;
mod faults;
mod fuzz;
mod hardening;
mod input;
mod network;
mod polish_b;
mod polish_c;
mod real_org;
mod rng;
mod run;
mod snapshots;
mod snapshots_action;
mod snapshots_scrub;
