//! The `storeconnect-triggers` binary: the CLI, and both phases of the GitHub Action (see
//! [`storeconnect_triggers::run`]).

fn main() -> std::process::ExitCode {
    storeconnect_triggers::run()
}
