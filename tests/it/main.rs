//! Integration tests: the compiled binary against the simulated org.

mod action;
mod ci_examples;
mod cli;
mod common;
mod faults;
mod input;
mod run;
