//! Health checks that explain and heal (issue 9): who and when, the grace window, heal, the
//! CLI's `check` and the action's `mode: check`; guard main/post naming who changed the setting.

use std::time::{Duration, SystemTime};

use crate::action::{Job, Step, pinned_with};
use crate::common::*;

const ADMIN: &str = "Jane Admin";

/// An org whose triggers were turned off by `ADMIN` `minutes` ago.
fn org_off_since(minutes: u64) -> SimOrg {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    org.set_last_modified(
        ADMIN,
        SystemTime::now() - Duration::from_secs(minutes * 60 + 5),
    );
    org
}

fn check_cli(org: &SimOrg, args: &[&str]) -> Cli {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    pinned(org, Auth::AccessToken, &all)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.stdout.trim()).expect("one JSON object on stdout")
}

#[test]
fn check_on_makes_one_query_and_no_listing() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let run = check_cli(&org, &["--json"]).run();
    run.expect(0);
    let v = json(&run);
    assert_eq!(v["state"], "enabled");
    assert_eq!(v["healed"], false);
    assert!(v["disabled_minutes"].is_null() && v["last_modified_by"].is_null());
    assert_eq!(v["setting_record"], "s_c__Triggers_Enabled");
    assert_eq!(ops(&org), vec![Op::Query], "who/when is skipped when on");
}

#[test]
fn check_off_says_who_and_when_and_fails() {
    let org = org_off_since(42);
    check_cli(&org, &[])
        .run()
        .expect(1)
        .contains("StoreConnect triggers are OFF on localhost")
        .contains("(42 minutes), last changed by Jane Admin")
        .contains("storeconnect-triggers enable");
    org.clear_requests();
    let run = check_cli(&org, &["--json"]).run();
    run.expect(1);
    let v = json(&run);
    assert_eq!(v["state"], "disabled");
    assert_eq!(v["last_modified_by"], ADMIN);
    assert_eq!(v["disabled_minutes"], 42);
    assert_eq!(v["healed"], false);
    let at = v["last_modified_at"].as_str().expect("a time");
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );
    assert_eq!(ops(&org), vec![Op::Query, Op::ListMetadata]);
    assert!(!enabled(&org), "check without heal changes nothing");
}

#[test]
fn grace_window_passes_a_recent_change_with_a_warning() {
    let org = org_off_since(10);
    check_cli(&org, &["--max-disabled-minutes", "30"])
        .run()
        .expect(0)
        .contains("warning: StoreConnect triggers are off (maintenance in progress?)")
        .contains("last changed by Jane Admin")
        .contains("inside max-disabled-minutes (30)");
    // The env var works too, and a change older than the window fails.
    let mut cli = check_cli(&org, &[]);
    cli.setting("max-disabled-minutes", "10");
    cli.run().expect(1).contains("OFF on localhost");
    // A grace window never covers an unknown time.
    org.inject(Fault::status(
        Op::ListMetadata,
        1,
        500,
        &soap_fault("INSUFFICIENT_ACCESS", "no access to listMetadata"),
    ));
    check_cli(&org, &["--max-disabled-minutes", "600"])
        .run()
        .expect(1)
        .contains("Who and when unknown")
        .contains("sf:INSUFFICIENT_ACCESS")
        .contains("since an unknown time");
}

#[test]
fn heal_turns_the_triggers_on_verifies_and_still_fails() {
    let org = org_off_since(90);
    let before = other_values(&org);
    org.clear_requests();
    let mut cli = check_cli(&org, &["--json"]);
    cli.setting("heal", "true")
        .setting("max-disabled-minutes", "60");
    let run = cli.run();
    run.expect(1);
    let v = json(&run);
    assert_eq!(v["healed"], true);
    assert_eq!(v["state"], "disabled", "state is what the check found");
    assert_eq!(v["last_modified_by"], ADMIN);
    assert!(enabled(&org));
    assert_eq!(other_values(&org), before, "other values preserved");
    assert_eq!(
        ops(&org),
        vec![
            Op::Query,
            Op::ListMetadata,
            Op::ReadMetadata,
            Op::UpdateMetadata,
            Op::Query
        ]
    );
    let (by, at) = org.last_modified();
    assert_eq!(
        by, "Integration User",
        "simorg moves lastModified on a write"
    );
    assert!(at.elapsed().unwrap_or_default() < Duration::from_secs(60));
    // Healed: the next check is on and lists nothing.
    org.clear_requests();
    check_cli(&org, &["--heal"]).run().expect(0);
    assert_eq!(ops(&org), vec![Op::Query]);
}

#[test]
fn heal_inside_the_grace_window_does_nothing() {
    let org = org_off_since(5);
    check_cli(&org, &["--heal", "--max-disabled-minutes=30"])
        .run()
        .expect(0);
    assert!(!enabled(&org));
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
}

#[test]
fn a_heal_that_fails_says_the_triggers_may_still_be_off() {
    let org = org_off_since(90);
    refuse_writes(&org);
    check_cli(&org, &["--heal"])
        .run()
        .expect(3)
        .contains("sf:INSUFFICIENT_ACCESS")
        .contains("may still be OFF in localhost")
        .contains("`storeconnect-triggers enable`");
    assert!(!enabled(&org));
}

#[test]
fn bad_health_inputs_exit_2_before_any_request() {
    let org = org_off_since(1);
    check_cli(&org, &["--max-disabled-minutes", "soon"])
        .run()
        .expect(2)
        .contains("max-disabled-minutes `soon`");
    let mut cli = check_cli(&org, &[]);
    cli.setting("heal", "maybe");
    cli.run().expect(2).contains("heal must be true or false");
    check_cli(&org, &["--max-disabled-minutes", "-3"])
        .run()
        .expect(2);
    assert!(org.requests().is_empty());
}

/// A job with `extra` inputs, after its main step ran.
fn job_after_main(org: &SimOrg, extra: &[(&'static str, &str)]) -> (Job, Step) {
    let mut job = Job::new(&pinned_with(org, Auth::Jwt, extra));
    let main = job.main();
    (job, main)
}

/// A job with `mode: check` and `extra` inputs, after its main step ran.
fn check_job(org: &SimOrg, extra: &[(&'static str, &str)]) -> (Job, Step) {
    let mut with = vec![("mode", "check")];
    with.extend_from_slice(extra);
    job_after_main(org, &with)
}

/// A guard job (the default mode), after its main step ran.
fn guard_job(org: &SimOrg) -> (Job, Step) {
    job_after_main(org, &[])
}

#[test]
fn action_check_outputs_when_on() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let (_, main) = check_job(&org, &[]);
    main.run.expect(0);
    assert_eq!(main.output("state"), Some("true"));
    assert_eq!(main.output("healed"), Some("false"));
    assert_eq!(main.output("disabled-minutes"), Some(""));
    assert_eq!(main.output("last-modified-by"), Some(""));
    assert_eq!(main.output("last-modified-at"), Some(""));
    assert!(
        main.summary.contains("| Healed | false |"),
        "{}",
        main.summary
    );
    assert!(!ops(&org).contains(&Op::ListMetadata));
}

#[test]
fn action_check_heals_reports_and_fails() {
    let org = org_off_since(75);
    let (mut job, main) = check_job(&org, &[("heal", "true"), ("max-disabled-minutes", "60")]);
    main.run
        .expect(1)
        .contains("::error title=StoreConnect triggers were OFF (healed)::")
        .contains("(75 minutes), last changed by Jane Admin");
    let out = |k: &str| main.output(k).unwrap_or_default();
    assert_eq!(out("state"), "false");
    assert_eq!(out("healed"), "true");
    assert_eq!(out("last-modified-by"), ADMIN);
    assert_eq!(out("disabled-minutes"), "75");
    assert!(out("last-modified-at").ends_with('Z'));
    for row in [
        "| Last changed by | Jane Admin |",
        "| Disabled for | 75 minutes |",
        "| Healed | true |",
        &format!("| Last changed at (UTC) | {} |", out("last-modified-at")),
    ] {
        assert!(main.summary.contains(row), "{row} in\n{}", main.summary);
    }
    assert!(main.summary.contains("healed: found off since"));
    assert!(enabled(&org));
    job.post(Some(&main))
        .run
        .expect(0)
        .contains("nothing to do");
}

#[test]
fn action_check_inside_the_grace_window_warns_and_passes() {
    let org = org_off_since(3);
    let (_, main) = check_job(&org, &[("heal", "true"), ("max-disabled-minutes", "20")]);
    main.run
        .expect(0)
        .contains("::warning title=StoreConnect triggers are off (maintenance in progress?)::")
        .contains("last changed by Jane Admin");
    assert_eq!(main.output("disabled-minutes"), Some("3"));
    assert_eq!(main.output("healed"), Some("false"));
    assert!(!enabled(&org));
}

#[test]
fn guard_main_names_who_turned_the_triggers_off() {
    let org = org_off_since(12);
    let (mut job, main) = guard_job(&org);
    main.run
        .expect(0)
        .contains("::warning title=Triggers were already off::")
        .contains("last changed by Jane Admin at ")
        .contains("(12 minutes ago)");
    job.post(Some(&main)).run.expect(0);
    assert!(enabled(&org));
}

#[test]
fn guard_post_says_who_changed_the_setting_during_the_job() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let (mut job, main) = guard_job(&org);
    main.run.expect(0);
    assert_eq!(main.saved("main-left"), Some("false"));
    // Someone turns them on in Setup while the job runs.
    org.set_setting(Value::Bool(true));
    org.set_last_modified("Sam Other", SystemTime::now() - Duration::from_secs(120));
    job.post(Some(&main))
        .run
        .expect(0)
        .contains("::warning title=Setting changed during the job::")
        .contains("Main left the StoreConnect triggers false, but post found true")
        .contains("last changed by Sam Other");
    // No change in between: no warning, no listing.
    let (mut job, main) = guard_job(&org);
    org.clear_requests();
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(!post.run.all().contains("Setting changed during the job"));
    assert!(!ops(&org).contains(&Op::ListMetadata));
}

#[test]
fn guard_post_failure_says_the_triggers_may_still_be_off_and_how_to_fix_it() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let (mut job, main) = guard_job(&org);
    main.run.expect(0);
    refuse_writes(&org);
    let post = job.post(Some(&main));
    post.run
        .expect(3)
        .contains("::error title=StoreConnect triggers%3A guard (post) failed::")
        .contains("The StoreConnect triggers may still be OFF in localhost")
        .contains("`mode: enable`")
        .contains("`storeconnect-triggers enable`");
    assert!(post.summary.contains("may still be OFF in localhost"));
    assert!(!enabled(&org));
}

#[test]
fn a_failed_heal_still_reports_what_the_check_found() {
    let org = org_off_since(90);
    refuse_writes(&org);
    let (_, main) = check_job(&org, &[("heal", "true")]);
    main.run
        .expect(3)
        .contains("::error title=StoreConnect triggers%3A check (main) failed::")
        .contains("may still be OFF in localhost");
    let out = |k: &str| main.output(k).unwrap_or_default();
    assert_eq!(out("state"), "false");
    assert_eq!(out("healed"), "false");
    assert_eq!(out("last-modified-by"), ADMIN);
    assert_eq!(out("disabled-minutes"), "90");
    assert!(main.summary.contains("heal FAILED"), "{}", main.summary);
    assert!(main.summary.contains("| Last changed by | Jane Admin |"));

    let run = check_cli(&org, &["--heal", "--json"]).run();
    run.expect(3).contains("may still be OFF in localhost");
    let v = json(&run);
    assert_eq!(
        (v["healed"].clone(), v["last_modified_by"].clone()),
        (false.into(), ADMIN.into())
    );
    assert!(!enabled(&org));
}

#[test]
fn heal_with_dry_run_writes_nothing_and_an_invalid_value_gets_no_grace() {
    let org = org_off_since(90);
    check_cli(&org, &["--heal", "--dry-run"])
        .run()
        .expect(1)
        .contains("dry run: would turn them on, nothing written");
    assert!(!enabled(&org));
    assert!(!ops(&org).contains(&Op::UpdateMetadata));

    let org = start_org(FieldKind::Text, RecordKind::Subscriber, true);
    org.set_setting(Value::Text("maybe".into()));
    org.set_last_modified(ADMIN, SystemTime::now() - Duration::from_secs(60));
    check_cli(&org, &["--max-disabled-minutes", "600"])
        .run()
        .expect(1)
        .contains("not on (the setting holds \"maybe\")");
    let run = check_cli(&org, &["--max-disabled-minutes", "600", "--heal", "--json"]).run();
    run.expect(1);
    assert_eq!(json(&run)["healed"], true);
    assert_eq!(org.setting(), Value::Text("true".into()));
}
