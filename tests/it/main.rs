//! Integration tests: the compiled binary against the simulated org.

mod action;
mod chaos;
mod cli;
mod common;
mod faults;
mod hardening;
mod input;
mod run;
