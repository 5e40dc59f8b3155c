//! A full guard cycle against the simulated org, no credentials needed:
//! status → disable → run a "bulk load" → re-enable → verify → status.
//!
//! `cargo run --example demo`

use std::ffi::OsString;
use std::time::Duration;

use storeconnect_triggers::commands;
use storeconnect_triggers::config::{Config, RawSettings};
use storeconnect_triggers::error::Error;
use storeconnect_triggers::github::Console;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // A fake org that speaks the real wire formats, with a little read-back lag to wait out.
    let org = simorg::SimOrg::start(simorg::OrgConfig {
        readback_lag: Duration::from_millis(1500),
        ..simorg::OrgConfig::default()
    });
    println!("Simulated org at {} (no credentials needed)\n", org.url());

    // The same settings a user would export as STORECONNECT_* variables.
    let settings = [
        ("STORECONNECT_AUTH_URL", org.auth_url()),
        ("STORECONNECT_TIMEOUT", "30".to_string()),
    ];
    let raw = RawSettings::from_pairs("STORECONNECT_", settings.map(|(k, v)| (k.to_string(), v)))?;
    let config = Config::from_raw(raw)?;
    let console = Console::new(false);

    println!("$ storeconnect-triggers status");
    commands::status(&config, console, false).await?;

    println!("\n$ storeconnect-triggers run -- sh -c '…bulk load…'");
    let work =
        "echo loading 10,000 products while the sync triggers are off...; sleep 1; echo done";
    let argv: Vec<OsString> = ["sh", "-c", work].map(OsString::from).to_vec();
    let code = commands::run(&config, console, &argv).await?;
    println!("  (run exited with the job's code: {code})");

    println!("\n$ storeconnect-triggers status");
    commands::status(&config, console, false).await?;

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
    Ok(())
}
