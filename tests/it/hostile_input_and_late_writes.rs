//! Hostile input and late writes: non-UTF-8 environments, read-back deadlines, writes
//! whose outcome is unknown, oversized answers and input limits.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::{Duration, Instant};

use crate::common::*;

fn latin1(text: &str) -> OsString {
    // "café" in Latin-1: the é is the single byte 0xE9, which is not UTF-8.
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0xE9);
    OsString::from_vec(bytes)
}

#[test]
fn a_foreign_non_utf8_variable_is_ignored() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(&org, Auth::AccessToken, &["status"]);
    cli.command().env("FOO", latin1("caf"));
    cli.command().env(latin1("BAR_"), "x");
    cli.run().expect(0).contains("enabled");
}

#[test]
fn a_non_utf8_value_of_ours_exits_2_naming_the_variable_but_not_the_value() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::new(&["status"]);
    cli.setting("instance-url", &org.instance_url());
    cli.command()
        .env("STORECONNECT_ACCESS_TOKEN", latin1("00DSECRETTOKENVALUE"));
    let run = cli.run();
    run.expect(2)
        .contains("STORECONNECT_ACCESS_TOKEN is not valid UTF-8");
    assert!(!run.all().contains("SECRETTOKEN"), "{}", run.all());
    assert!(!run.all().contains("panicked"), "{}", run.all());
    assert!(org.requests().is_empty(), "no request for bad input");

    // The action reads INPUT_* the same way: exit 2 with an annotation, no request.
    let dir = temp_dir("latin1");
    let main = dir.join("storeconnect-triggers-action-main");
    std::os::unix::fs::symlink(BIN, &main).expect("entrypoint link");
    let output = std::process::Command::new(&main)
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("INPUT_INSTANCE-URL", org.instance_url())
        .env("INPUT_ACCESS-TOKEN", latin1("00DSECRETTOKENVALUE"))
        .env("HOME", latin1("/home/caf"))
        .output()
        .expect("main runs");
    let run = Run::from_output(output);
    run.expect(2)
        .contains("::error title=")
        .contains("INPUT_ACCESS-TOKEN is not valid UTF-8");
    assert!(!run.all().contains("SECRETTOKEN"), "{}", run.all());
    assert!(org.requests().is_empty());
}

#[test]
fn a_value_that_shows_just_before_the_deadline_is_seen_by_the_last_read() {
    // The read-back used to stop at +1.5 s of a 4 s timeout (no read at the deadline), so a
    // change that showed at +3.7 s was reported as never made (exit 1, a false alarm in post).
    let org = SimOrg::start(OrgConfig {
        readback_lag: Duration::from_millis(3_700),
        ..OrgConfig::default()
    });
    let started = Instant::now();
    let mut cli = pinned(&org, Auth::AccessToken, &["disable"]);
    cli.setting("timeout", "4");
    cli.run()
        .expect(0)
        .contains("last read at the deadline")
        .contains("true -> false");
    assert!(started.elapsed() < Duration::from_secs(4 + 5));
    assert!(!enabled(&org));
}

use crate::action::{guard_job, signal_main_during_its_write};

#[test]
fn a_clean_main_leaves_no_write_in_doubt() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = guard_job(&org, "20");
    let main = job.main();
    main.run.expect(0);
    // Recorded before the write, emptied once its answer came.
    assert_eq!(main.saved("write-in-doubt"), Some(""));
    assert!(main.raw_state.contains("write-in-doubt="));
    job.post(Some(&main)).run.expect(0);
    assert!(enabled(&org));
}

#[test]
fn post_outlasts_a_write_that_lands_after_main_gave_up() {
    // Main's updateMetadata(false) gets no answer within its 3 s timeout, and the org applies it
    // at +4 s. Post used to read true, write nothing and exit 0; then the triggers ended false.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 4);
    let mut job = guard_job(&org, "3");
    // Salesforce's 10-minute call limit, shortened for the test (debug builds only).
    job.env("STORECONNECT_TEST_CALL_LIMIT_MS", "2000");
    let main = job.main();
    main.run.expect(3).contains("Write in doubt");
    let recorded = main.state.get("write-in-doubt").expect("recorded in doubt");
    assert!(recorded.starts_with("false "), "{recorded}");
    assert!(enabled(&org), "main's write has not landed yet");

    let post = job.post(Some(&main));
    post.run
        .expect(0)
        .contains("Write in doubt")
        .contains("main's write landed afterwards, so set true again");
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(
        enabled(&org),
        "true after every request of the job finished"
    );
    assert_eq!(
        count(&org, Op::UpdateMetadata),
        3,
        "main's write, post's own write, post's rewrite after the late write"
    );
}

#[test]
fn a_write_unanswered_when_main_is_killed_was_recorded_in_doubt_before_it_was_sent() {
    // Main is killed (SIGKILL) while its updateMetadata(false) is still unanswered; the org
    // applies it at +4 s. Only a mark saved before the write was sent can tell post: without
    // it post reads true, writes nothing and exits 0, and then the triggers end false.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 4);
    let mut job = guard_job(&org, "3");
    job.env("STORECONNECT_TEST_CALL_LIMIT_MS", "2000");
    let (main, started) = signal_main_during_its_write(&mut job, &org, "-KILL");
    assert_ne!(main.run.code, 0);
    let recorded = main.saved("write-in-doubt").unwrap_or_default();
    assert!(
        recorded.starts_with("false "),
        "recorded in doubt: {recorded:?}"
    );
    assert!(enabled(&org), "main's write has not landed yet");

    // Post starts a little after main's 3 s would have run out, as in the test above, so the
    // wait for the write in doubt fits in post's own timeout.
    std::thread::sleep(Duration::from_millis(3_500).saturating_sub(started.elapsed()));
    let post = job.post(Some(&main));
    let out = post.run.all();
    assert!(out.contains("Write in doubt"), "post knew: {out}");
    assert!(org.wait_idle(Duration::from_secs(10)));
    // Which side of post's reads the late write lands on is timing; the invariant is not.
    if post.run.code == 0 {
        assert!(
            enabled(&org),
            "post exit 0, so true after every request: {out}"
        );
    } else {
        assert!(out.contains("::error"), "{out}");
    }
}

#[test]
fn post_fails_loudly_when_a_write_in_doubt_could_land_after_it() {
    // Held past main's 3 s and post's watch (its own 3 s): post cannot see it land.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 9);
    let mut job = guard_job(&org, "3");
    let main = job.main();
    main.run.expect(3);
    let post = job.post(Some(&main));
    post.run
        .expect(1)
        .contains("::error title=")
        .contains("Salesforce may still apply it until")
        .contains("mode: check");
    assert!(post.summary.contains("NOT re-verified"), "{}", post.summary);
    // And rightly so: the late write lands after post ended.
    assert!(org.wait_idle(Duration::from_secs(15)));
    assert!(!enabled(&org));
}

#[test]
fn answers_are_bounded() {
    // A body over the cap is not read whole: exit 3, "answer too large".
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let huge = format!(
        r#"{{"totalSize":1,"done":true,"records":[{{"x":"{}"}}]}}"#,
        "a".repeat(5 * 1024 * 1024)
    );
    org.inject(Fault::status(Op::Query, 1, 200, &huge));
    let run = pinned(&org, Auth::AccessToken, &["status"]).run();
    run.expect(3).contains("answer too large");
    assert!(
        run.all().len() < 4_000,
        "{} bytes of output",
        run.all().len()
    );

    // A long value of the setting (within the cap) is shown clipped, everywhere.
    let org = start_org(FieldKind::Text, RecordKind::Packaged, true);
    org.set_setting(Value::Text("x".repeat(100_000)));
    let run = pinned(&org, Auth::AccessToken, &["status", "--json"]).run();
    run.expect(1).contains("100002 characters in all");
    assert!(
        run.all().len() < 2_000,
        "{} bytes of output",
        run.all().len()
    );
    let run = pinned(&org, Auth::AccessToken, &["enable"]).run();
    run.expect(0).contains("characters in all");
    assert!(run.all().len() < 2_000, "{}", run.all());

    // A long error message is quoted, but not whole.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let long = format!(
        r#"[{{"errorCode":"MALFORMED_QUERY","message":"{}"}}]"#,
        "m".repeat(1_000_000)
    );
    org.inject(Fault::status(Op::Query, 1, 400, &long));
    let run = pinned(&org, Auth::AccessToken, &["status"]).run();
    run.expect(3).contains("errorCode MALFORMED_QUERY: mmm");
    assert!(
        run.all().len() < 3_000,
        "{} bytes of output",
        run.all().len()
    );
}

#[test]
fn input_limits_exit_2_without_a_request() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "setting-record",
            format!("s_c__{}", "R".repeat(41)),
            "longer than Salesforce's 40 characters",
        ),
        (
            "setting-type",
            format!("{}__Setting__mdt", "n".repeat(16)),
            "namespace prefix",
        ),
        ("api-version", "66.00".into(), "api-version `66.00`"),
        (
            "client-id",
            "c".repeat(100_000),
            "STORECONNECT_CLIENT_ID is 100000 characters long",
        ),
        ("timeout", "9".repeat(40), "timeout"),
    ];
    for (setting, value, message) in cases {
        let mut cli = pinned(&org, Auth::ClientCredentials, &["status"]);
        cli.setting(setting, &value);
        let run = cli.run();
        run.expect(2).contains(message);
        assert!(
            run.all().len() < 2_000,
            "{setting}: {} bytes",
            run.all().len()
        );
        assert!(org.requests().is_empty(), "{setting}: no request");
    }
    // The same through a flag.
    let mut cli = pinned(&org, Auth::AccessToken, &["status", "--username"]);
    let long = "u".repeat(20_000);
    cli.command().arg(&long);
    cli.run()
        .expect(2)
        .contains("--username is 20000 characters long");
    assert!(org.requests().is_empty());

    // Leading zeros are dropped: `066.0` is sent as 66.0, not verbatim.
    let mut cli = pinned(&org, Auth::AccessToken, &["status"]);
    cli.setting("api-version", "066.0");
    cli.run().expect(0);
    let paths: Vec<String> = org.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().all(|p| p.starts_with("/services/data/v66.0/")),
        "{paths:?}"
    );
}

#[test]
fn sign_in_hints_name_the_method_in_use() {
    let refused = r#"{"error":"invalid_grant","error_description":"authentication failure"}"#;
    for (auth, expected) in [
        (
            Auth::AuthUrl,
            "refresh token in auth-url was revoked, expired or rotated",
        ),
        (Auth::ClientCredentials, "Run As user"),
        (Auth::Jwt, "certificate uploaded to the connected app"),
    ] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        org.inject(Fault::status(Op::Token, 1, 400, refused));
        let run = pinned(&org, auth, &["status"]).run();
        run.expect(3)
            .contains("HTTP 400, invalid_grant: authentication failure")
            .contains(expected);
        if auth != Auth::Jwt {
            assert!(!run.all().contains("jwt-key"), "{auth:?}: {}", run.all());
        }
        assert_eq!(ops(&org), vec![Op::Token], "not retried");
    }
}

#[test]
fn run_outlasts_a_disabling_write_that_lands_late() {
    // The disabling write gets no answer within 2 s and lands at +3 s: run must not trust the
    // read that shows true right after, but restore once that write can no longer land.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 3);
    let mut cli = pinned(&org, Auth::ClientCredentials, &["run", "--", "true"]);
    cli.setting("timeout", "2")
        .env("STORECONNECT_TEST_CALL_LIMIT_MS", "1500");
    cli.run()
        .expect(3)
        .contains("Write in doubt")
        .contains("landed afterwards, so set true again")
        .contains("Triggers restored to true");
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org), "true after every request finished");

    // `disable` alone tells the user when to look again.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 3);
    let mut cli = pinned(&org, Auth::ClientCredentials, &["disable"]);
    cli.setting("timeout", "2");
    cli.run()
        .expect(3)
        .contains("Salesforce may still apply it, until")
        .contains("Check the triggers after");
}
