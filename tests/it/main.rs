//! Integration tests: the compiled binary against the simulated org.

mod action;
mod check;
mod ci_examples;
mod cli;
mod common;
mod faults;
mod input;
mod real_org;
mod run;
