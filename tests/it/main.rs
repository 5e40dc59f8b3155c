//! Integration tests: the compiled binary against the simulated org.

mod action;
mod chaos;
mod cli;
mod common;
mod faults;
mod fuzz;
mod hardening;
mod input;
mod rng;
mod run;
