//! Runs a simulated org until killed and prints how to reach it.
//!
//! `cargo run -p simorg --example serve [-- --text] [--subscriber] [--disabled] [--rotate] [--lag-ms N]`
//! `[--developer-controlled] [--protected]`

use std::time::Duration;

use simorg::{FieldKind, OrgConfig, RecordKind, SimOrg};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cfg = OrgConfig::default();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--text" => cfg.field_kind = FieldKind::Text,
            "--subscriber" => cfg.record_kind = RecordKind::Subscriber,
            "--disabled" => cfg.enabled = false,
            "--rotate" => cfg.rotate_refresh_tokens = true,
            "--developer-controlled" => {
                cfg.field_manageability = simorg::Manageability::DeveloperControlled
            }
            "--protected" => cfg.protected_record = true,
            "--lag-ms" => {
                i += 1;
                let ms = args.get(i).and_then(|v| v.parse().ok()).unwrap_or(0);
                cfg.readback_lag = Duration::from_millis(ms);
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 1;
    }
    let org = SimOrg::start(cfg);
    println!("url={}", org.url());
    println!("auth_url={}", org.auth_url());
    println!("access_token={}", org.issue_access_token());
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
