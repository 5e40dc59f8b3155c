//! The `storeconnect-triggers` binary: the CLI, and both phases of the GitHub Action.

use std::process::ExitCode;

use storeconnect_triggers::exit::Exit;

fn main() -> ExitCode {
    // First: no panic may print its payload (it can hold input, such as a token).
    storeconnect_triggers::app::install_panic_hook();
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            storeconnect_triggers::output::err(format_args!(
                "error: cannot start the async runtime: {e}"
            ));
            return Exit::Failure.into();
        }
    };
    runtime
        .block_on(storeconnect_triggers::app::main(argv0, args.collect()))
        .into()
}
