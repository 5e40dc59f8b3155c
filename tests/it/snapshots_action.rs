//! Snapshot tests of the job summary (and log) of each action phase: guard main, guard post,
//! check, enable and a failure. Accept intended changes with
//! `INSTA_UPDATE=always cargo test --test it snapshots` and review the diff.

use crate::action::{Job, Step, pinned_with};
use crate::common::*;
use crate::snapshots_scrub::{scrubbing, shown};

/// The job summary, outputs and log of one phase, as the user reads them.
fn phase(step: &Step) -> String {
    let outputs: String = step
        .outputs
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();
    format!(
        "--- job summary\n{}\n--- outputs\n{}{}",
        step.summary.trim_end(),
        outputs,
        shown(&step.run),
    )
}

/// A guard job whose main ran (and succeeded) against a fresh org with the triggers on.
fn guarded() -> (SimOrg, Job, Step) {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(&org, Auth::AccessToken, &[]));
    let main = job.main();
    main.run.expect(0);
    (org, job, main)
}

#[test]
fn guard_main_and_post() {
    let _scrub = scrubbing().bind_to_scope();
    let (_org, mut job, main) = guarded();
    insta::assert_snapshot!("action_guard_main", phase(&main));
    let post = job.post(Some(&main));
    insta::assert_snapshot!("action_guard_post", phase(&post));
}

/// What main alone shows in `mode` on an org whose triggers are `enabled`.
fn main_only(enabled: bool, mode: &str) -> String {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, enabled);
    let mut job = Job::new(&pinned_with(&org, Auth::AccessToken, &[("mode", mode)]));
    phase(&job.main())
}

#[test]
fn check_finds_triggers_off() {
    let _scrub = scrubbing().bind_to_scope();
    insta::assert_snapshot!("action_check_off", main_only(false, "check"));
}

#[test]
fn check_finds_triggers_on() {
    let _scrub = scrubbing().bind_to_scope();
    insta::assert_snapshot!("action_check_on", main_only(true, "check"));
}

#[test]
fn enable() {
    let _scrub = scrubbing().bind_to_scope();
    insta::assert_snapshot!("action_enable", main_only(false, "enable"));
}

#[test]
fn guard_post_write_refused() {
    let _scrub = scrubbing().bind_to_scope();
    let (org, mut job, main) = guarded();
    refuse_writes(&org);
    let post = job.post(Some(&main));
    insta::assert_snapshot!("action_guard_post_failed", phase(&post));
}

#[test]
fn bad_inputs() {
    let _scrub = scrubbing().bind_to_scope();
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&pinned_with(
        &org,
        Auth::AccessToken,
        &[("mode", "sometimes")],
    ));
    let main = job.main();
    assert!(org.requests().is_empty(), "bad input makes no request");
    insta::assert_snapshot!("action_bad_inputs", phase(&main));
}
