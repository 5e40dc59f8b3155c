//! `run -- CMD`: disable, run, always restore and verify.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn restores_after_the_command_succeeds_or_fails() {
    for (auth, (script, code)) in ALL_AUTH
        .into_iter()
        .flat_map(|a| [(a, ("exit 0", 0)), (a, ("exit 7", 7))])
    {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let marker = temp_dir("run").join("seen");
        let check = format!("echo running > {}; {script}", marker.display());
        let mut cli = pinned(&org, auth, &["run", "--", "sh", "-c", &check]);
        let run = cli.run();
        run.expect(code)
            .contains("restored to true (verified)")
            .contains("before the run they were true");
        assert!(Path::new(&marker).exists(), "the command ran");
        assert!(enabled(&org));
        let updates = count(&org, Op::UpdateMetadata);
        assert_eq!(updates, 2, "disable then enable");
    }
}

#[test]
fn the_command_runs_while_triggers_are_off() {
    let org = start_org(FieldKind::Text, RecordKind::Subscriber, true);
    let dir = temp_dir("run-state");
    // The child asks the tool itself for the state while it runs.
    let inner = format!("{BIN} status > {}/during.txt; exit 0", dir.display());
    let mut cli = Cli::for_org(
        &org,
        Auth::ClientCredentials,
        &["run", "--", "sh", "-c", &inner],
    );
    cli.run().expect(0);
    assert!(read(&dir.join("during.txt")).contains("disabled"));
    assert!(enabled(&org));
}

#[test]
fn restores_after_sigterm_and_sigint() {
    for (signal, auth) in [
        ("TERM", Auth::AuthUrl),
        ("INT", Auth::Jwt),
        ("TERM", Auth::ClientCredentials),
        ("INT", Auth::AccessToken),
    ] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let dir = temp_dir("run-signal");
        let marker = dir.join("started");
        let script = format!("touch {} && exec sleep 30", marker.display());
        let mut cli = pinned(&org, auth, &["run", "--", "sh", "-c", &script]);
        let child = cli
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        while !marker.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "command never started"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!enabled(&org), "disabled while the command runs");
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let run = Run::from_output(child.wait_with_output().expect("wait"));
        let expected = if signal == "TERM" { 143 } else { 130 };
        run.expect(expected)
            .contains(&format!("SIG{signal} received"))
            .contains("restored to true (verified)");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the signal stopped the 30 s command"
        );
        assert!(enabled(&org));
    }
}

#[test]
fn a_failed_restore_fails_the_run() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // Let the disable through, then refuse every later write.
    let script = "exit 0";
    let mut cli = pinned(&org, Auth::Jwt, &["run", "--", "sh", "-c", script]);
    org.inject(Fault::new(
        Op::UpdateMetadata,
        1,
        FaultAction::Delay(Duration::ZERO),
    ));
    org.inject(Fault::status(
        Op::UpdateMetadata,
        10,
        500,
        &soap_fault("INSUFFICIENT_ACCESS", "no"),
    ));
    let run = cli.run();
    run.expect(3).contains("Triggers NOT restored");
    assert!(!enabled(&org));
}
