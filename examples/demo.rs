//! A full guard cycle against the simulated org, no credentials needed:
//! status → disable → run a "bulk load" → re-enable → verify → status.
//!
//! `cargo run --example demo`

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use storeconnect_triggers::run_cli;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // A fake org that speaks the real wire formats, with a little read-back lag to wait out.
    let org = simorg::SimOrg::start(simorg::OrgConfig {
        readback_lag: Duration::from_millis(1500),
        ..simorg::OrgConfig::default()
    });
    println!("Simulated org at {} (no credentials needed)\n", org.url());

    // The same command lines a user would type; the settings as flags (a user would rather
    // export them as STORECONNECT_* variables, since flags show in process listings).
    let auth_url = org.auth_url();
    let cli = |command: &[&str]| {
        let settings = ["--auth-url", auth_url.as_str(), "--timeout", "30"];
        run_cli(settings.iter().chain(command).map(OsString::from).collect())
    };

    println!("$ storeconnect-triggers status");
    let code = cli(&["status"]).await;
    if code != 0 {
        return ExitCode::from(code);
    }

    println!("\n$ storeconnect-triggers run -- sh -c '…bulk load…'");
    let work =
        "echo loading 10,000 products while the sync triggers are off...; sleep 1; echo done";
    let code = cli(&["run", "--", "sh", "-c", work]).await;
    println!("  (run exited with the job's code: {code})");

    println!("\n$ storeconnect-triggers status");
    let code = cli(&["status"]).await;

    let ops: Vec<String> = org
        .requests()
        .iter()
        .map(|r| format!("{:?}", r.op))
        .collect();
    println!(
        "\nRequests the org received: {}\n  {}",
        ops.len(),
        ops.join(" → ")
    );
    ExitCode::from(code)
}
