//! Guard mode: main disables, post restores and verifies, whatever happened in between
//! (crashes, signals, failed jobs, expired tokens, write failures).

use std::time::{Duration, Instant};

use super::*;

#[test]
fn guard_clean_run_for_every_auth_method() {
    for auth in ALL_AUTH {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let before = other_values(&org);
        let mut job = Job::new(&with_org(&org, auth, &[]));
        let main = job.main();
        main.run.expect(0);
        assert_eq!(main.saved("previous-state"), Some("true"), "{auth:?}");
        assert_eq!(main.output("previous-state"), Some("true"));
        assert_eq!(main.output("state"), Some("false"));
        assert_eq!(main.output("changed"), Some("true"));
        assert!(!enabled(&org), "{auth:?}: main disabled");
        assert!(
            main.summary.contains("| Before | `true` |")
                && main.summary.contains("| After | `false` |"),
            "{}",
            main.summary
        );
        assert!(main.summary.contains("| Org | localhost |"));
        assert!(main.summary.contains(&org.full_name()));
        assert!(main.summary.contains("| Duration |"));
        assert!(main.run.stderr.contains("::group::") && main.run.stderr.contains("::endgroup::"));

        // The wrapped job runs (and may fail) here; post does not care.
        let post = job.post(Some(&main));
        post.run
            .expect(0)
            .contains("Before the job the triggers were true");
        assert!(enabled(&org), "{auth:?}: post re-enabled");
        assert_eq!(other_values(&org), before);
        assert!(
            post.summary.contains("| Before | `false` |")
                && post.summary.contains("| After | `true` |")
        );
        assert!(
            post.summary.contains("| Before the job | `true` |"),
            "{}",
            post.summary
        );
        assert!(
            post.outputs.is_empty(),
            "post writes no outputs (the runner discards them)"
        );
        if auth == Auth::AccessToken {
            assert!(
                main.run.stderr.starts_with("::add-mask::"),
                "the token is masked before anything else"
            );
        } else {
            assert!(
                main.run.stderr.contains("::add-mask::00DSIM"),
                "minted tokens are masked"
            );
        }
        assert_no_secrets(&org, &[&main, &post]);
    }
}

#[test]
fn guard_post_restores_when_main_crashed_after_disabling() {
    // Main disabled the org, then died before writing anything (no STATE_ at all).
    let org = start_org(FieldKind::Text, RecordKind::Subscriber, false);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[]));
    let post = job.post(None);
    post.run.expect(0).contains("Main left no saved state");
    assert!(enabled(&org));

    // Main killed (SIGKILL, no chance to clean up) right after its write: state was saved first.
    let org = SimOrg::start(OrgConfig {
        readback_lag: Duration::from_secs(30),
        ..OrgConfig::default()
    });
    let mut job = Job::new(&pinned_with(&org, Auth::AuthUrl, &[]));
    // The kill may land after the org applied the write but before main recorded its answer:
    // post then rightly treats the write as in doubt and waits until it can no longer land.
    // Shorten that wait (debug builds only) so both sides of the race end the same way.
    job.env("STORECONNECT_TEST_CALL_LIMIT_MS", "1500");
    let (child, finish) = job.spawn_main();
    let started = Instant::now();
    while enabled(&org) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "main never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .expect("kill");
    let main = finish(child);
    assert_ne!(main.run.code, 0);
    assert_eq!(
        main.saved("previous-state"),
        Some("true"),
        "state is written before the change"
    );
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(enabled(&org));
}

#[test]
fn guard_main_stops_promptly_on_sigint_and_post_restores() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // Main has written false and is slow to read it back when SIGINT arrives.
    org.inject(Fault::new(
        Op::Query,
        1,
        FaultAction::Delay(Duration::from_secs(8)),
    ));
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[]));
    let (child, finish) = job.spawn_main();
    let started = Instant::now();
    while enabled(&org) || !ops(&org).contains(&Op::Query) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "main never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let signalled = Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let main = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "main exits within a second or two"
    );
    main.run
        .expect(130)
        .contains("::error")
        .contains("SIGINT received");
    assert!(main.summary.contains("**Failed:**"));
    assert_eq!(main.saved("previous-state"), Some("true"));
    assert!(!enabled(&org), "main was stopped after its write");
    org.clear_requests();
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(ops(&org).contains(&Op::UpdateMetadata), "post wrote true");
    assert!(enabled(&org));
}

/// Starts post after a main that disabled the org, waits until post is reading, then signals it.
fn signal_post(signal: &str) -> (SimOrg, Step) {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::ClientCredentials, &[]));
    let main = job.main();
    main.run.expect(0);
    org.clear_requests();
    org.inject(Fault::new(
        Op::ReadMetadata,
        1,
        FaultAction::Delay(Duration::from_secs(3)),
    ));
    let state = main.state.clone();
    let (mut command, files) = job.command("post", &state);
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("post starts");
    let started = Instant::now();
    while !ops(&org).contains(&Op::ReadMetadata) {
        assert!(started.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    let post = Job::finish(
        files,
        Run::from_output(child.wait_with_output().expect("post ends")),
    );
    (org, post)
}

#[test]
fn guard_post_keeps_restoring_on_sigint() {
    let (org, post) = signal_post("INT");
    post.run.expect(0).contains("SIGINT ignored");
    assert!(enabled(&org));
}

#[test]
fn guard_post_stops_and_fails_loudly_on_sigterm() {
    let (org, post) = signal_post("TERM");
    post.run.expect(1).contains("::error").contains(
        "SIGTERM received: stopped before the StoreConnect triggers were verified as enabled",
    );
    assert!(post.summary.contains("**Failed:**"));
    assert!(!enabled(&org));
}

#[test]
fn guard_post_restores_after_the_wrapped_job_failed() {
    let org = start_org(FieldKind::Text, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::AuthUrl, &[]));
    let main = job.main();
    main.run.expect(0);
    // The job's own step fails while the triggers are off; the runner still runs post (post-if: always()).
    let failed = Command::new("sh")
        .args(["-c", "exit 1"])
        .status()
        .expect("job step");
    assert!(!failed.success());
    assert_eq!(org.setting(), Value::Text("false".into()));
    job.post(Some(&main)).run.expect(0);
    assert_eq!(org.setting(), Value::Text("true".into()));
}

#[test]
fn guard_warns_when_the_triggers_were_already_off() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[]));
    let main = job.main();
    main.run
        .expect(0)
        .contains("::warning title=Triggers were already off::");
    assert_eq!(main.output("changed"), Some("false"));
    assert_eq!(main.saved("previous-state"), Some("false"));
    job.post(Some(&main))
        .run
        .expect(0)
        .contains("Before the job the triggers were false");
    assert!(enabled(&org), "guard always ends with the triggers on");
}

#[test]
fn guard_post_signs_in_afresh_after_the_token_expired() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::Jwt, &[]));
    let main = job.main();
    main.run.expect(0);
    org.expire_sessions();
    org.clear_requests();
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert_eq!(
        ops(&org)[0],
        Op::Token,
        "post signs in from the inputs, not with main's token"
    );
    assert!(enabled(&org));
    assert!(
        !main.raw_state.contains("00DSIM"),
        "no token is persisted in state"
    );
}

#[test]
fn guard_post_recovers_from_a_transient_write_failure() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::ClientCredentials, &[]));
    let main = job.main();
    main.run.expect(0);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        2,
        503,
        "Service Unavailable",
    ));
    let post = job.post(Some(&main));
    post.run.expect(0).contains("retrying");
    assert!(enabled(&org));
}

#[test]
fn guard_post_fails_the_step_on_a_permanent_write_failure() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::AuthUrl, &[]));
    let main = job.main();
    main.run.expect(0);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        10,
        500,
        &soap_fault(
            "INSUFFICIENT_ACCESS",
            "insufficient access rights on object id",
        ),
    ));
    let post = job.post(Some(&main));
    post.run
        .expect(3)
        .contains("::error title=StoreConnect triggers%3A guard (post) failed::")
        .contains("faultcode sf:INSUFFICIENT_ACCESS");
    assert!(
        post.summary.contains("**Failed:**") && post.summary.contains("sf:INSUFFICIENT_ACCESS")
    );
    assert!(post.summary.contains("**What to do:**"));
    assert!(!enabled(&org));
    assert_no_secrets(&org, &[&main, &post]);
}
