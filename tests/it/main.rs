//! Integration tests: the compiled binary against the simulated org.

mod action;
mod check;
mod ci_examples;
mod chaos;
mod cli;
mod common;
mod faults;
mod fuzz;
mod hardening;
mod input;
mod real_org;
mod rng;
mod run;
