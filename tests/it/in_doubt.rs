//! Writes in doubt (issue 15 §1): a write whose answer was lost ends when its effect is seen.
//! Main reads the record before sending a write again; post (and `run`) settle a recorded write
//! by what the org shows, or watch the record after writing `true`, and fail loudly, with one
//! consistent message, only while the write could still land.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::action::{Job, Step, guard_job, signal_main_during_its_write};
use crate::common::*;

/// Starts main, waits until the org holds its updateMetadata, then sends SIGINT.
fn cancel_main_during_its_write(job: &mut Job, org: &SimOrg) -> Step {
    let (main, _) = signal_main_during_its_write(job, org, "-INT");
    main.run.expect(130).contains("SIGINT received");
    main
}

/// Main's first write got no definite answer: main read the record (it did not show `false`),
/// sent the write again (answered), and left the first attempt recorded as in doubt.
fn assert_sent_again_after_a_read_and_still_in_doubt(org: &SimOrg, main: &Step) {
    let metadata: Vec<Op> = ops(org)
        .into_iter()
        .filter(|op| matches!(op, Op::UpdateMetadata | Op::ReadMetadata))
        .collect();
    assert_eq!(
        metadata,
        [
            Op::ReadMetadata,
            Op::UpdateMetadata,
            Op::ReadMetadata,
            Op::UpdateMetadata
        ],
        "read before sending again"
    );
    let recorded = main.saved("write-in-doubt").unwrap_or_default();
    assert!(
        recorded.starts_with("false ") && recorded.ends_with(" then-answered"),
        "the first attempt stays in doubt: {recorded:?}"
    );
}

#[test]
fn post_settles_a_write_that_landed_after_main_was_cancelled() {
    // The org holds main's updateMetadata(false); main is cancelled; the write lands; post
    // runs after that. It used to write true, then fail: "may still apply it until +10 min".
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 3);
    let mut job = guard_job(&org, "20");
    let main = cancel_main_during_its_write(&mut job, &org);
    let recorded = main.saved("write-in-doubt").unwrap_or_default();
    assert!(recorded.starts_with("false "), "recorded: {recorded:?}");
    assert!(org.wait_idle(Duration::from_secs(10)), "the write landed");
    assert!(!enabled(&org));

    let post = job.post(Some(&main));
    post.run
        .expect(0)
        .contains("main's write (a write of false sent at ")
        .contains("it landed: the record reads false and was last changed at");
    assert!(
        !post.run.all().contains("Write in doubt"),
        "{}",
        post.run.all()
    );
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org), "true after every request finished");
}

#[test]
fn post_watches_the_record_and_settles_a_write_that_lands_after_its_own() {
    // Post starts while main's cancelled write is still held: it writes true, sees the held
    // write land (false), writes true again, and is done: that write cannot land twice.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 4);
    let mut job = guard_job(&org, "20");
    let main = cancel_main_during_its_write(&mut job, &org);
    assert!(enabled(&org), "not landed yet");
    let post = job.post(Some(&main));
    post.run
        .expect(0)
        .contains("Write in doubt")
        .contains("main's write landed after this step's write (the record reads false)");
    assert!(
        post.summary
            .contains("main's write landed afterwards, so set true again"),
        "{}",
        post.summary
    );
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org), "true after every request finished");
}

#[test]
fn an_answer_lost_after_the_write_was_applied_is_read_back_not_resent() {
    // The org applies main's write and drops the answer. Main used to send it again and keep
    // the first attempt in doubt; post then failed although the org showed the write.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::new(
        Op::UpdateMetadata,
        1,
        FaultAction::ApplyThenDrop,
    ));
    let mut job = guard_job(&org, "20");
    let main = job.main();
    main.run
        .expect(0)
        .contains("but the record reads false now: that write landed");
    assert_eq!(main.saved("write-in-doubt"), Some(""), "nothing in doubt");
    assert_eq!(count(&org, Op::UpdateMetadata), 1, "not sent again");
    assert!(!enabled(&org));

    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(!post.run.all().contains("Write in doubt"));
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org));
}

#[test]
fn a_lost_write_that_did_not_land_is_sent_again_and_stays_in_doubt() {
    // The org drops main's first write unapplied: the read shows true, so main sends it again
    // (answered). The first attempt may still be queued and no read can tell: it stays in
    // doubt, and post waits until it can no longer land (shortened for the test).
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::new(Op::UpdateMetadata, 1, FaultAction::Drop));
    let mut job = guard_job(&org, "20");
    job.env("STORECONNECT_TEST_CALL_LIMIT_MS", "1500");
    let main = job.main();
    main.run
        .expect(0)
        .contains("the record does not read false: retrying in");
    assert_sent_again_after_a_read_and_still_in_doubt(&org, &main);
    let post = job.post(Some(&main));
    post.run
        .expect(0)
        .contains("Write in doubt")
        .contains("again after main's write could no longer land");
    assert!(enabled(&org));
}

#[test]
fn an_unsettled_write_fails_post_with_one_consistent_message() {
    // Main's write is held 7 s, past main's and post's 2 s timeouts: post sets true, but the
    // write could still land, and does. Post says so once: ON now, could turn OFF until T.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 7);
    let mut job = guard_job(&org, "2");
    let main = job.main();
    main.run.expect(3).contains("Write in doubt");
    let post = job.post(Some(&main));
    let out = post.run.all();
    post.run
        .expect(1)
        .contains("::error title=")
        .contains("the StoreConnect triggers are ON now (set true and read back, last at ")
        .contains("Salesforce applies a request at most 10 minutes after it is sent, so it could still turn them OFF until ")
        .contains("check the triggers: `storeconnect-triggers status`");
    assert!(!out.contains("may still be OFF"), "one truth: {out}");
    assert!(post.summary.contains("NOT re-verified"), "{}", post.summary);
    // And rightly so: the held write lands after post ended.
    assert!(org.wait_idle(Duration::from_secs(15)));
    assert!(!enabled(&org));
}

#[test]
fn run_reads_back_a_disabling_write_whose_answer_was_lost() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::new(
        Op::UpdateMetadata,
        1,
        FaultAction::ApplyThenDrop,
    ));
    let mut cli = pinned(&org, Auth::ClientCredentials, &["run", "--", "true"]);
    cli.setting("timeout", "10");
    let run = cli.run();
    run.expect(0)
        .contains("that write landed")
        .contains("Triggers restored to true");
    assert!(!run.all().contains("Write in doubt"), "{}", run.all());
    assert_eq!(
        count(&org, Op::UpdateMetadata),
        2,
        "disable once, enable once"
    );
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org));
}

#[test]
fn run_settles_a_disabling_write_that_lands_after_its_restore() {
    // The disabling write gets no answer within the 2 s timeout (so the command never runs)
    // and lands at +3 s, after restoring wrote true. Restoring used to wait for 10 minutes,
    // beyond the timeout: exit 1, "NOT restored". It now sees that write land, so writes true
    // again and is done: the disable's failure (exit 3) is what remains.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 3);
    let mut cli = pinned(&org, Auth::ClientCredentials, &["run", "--", "true"]);
    cli.setting("timeout", "2");
    let run = cli.run();
    run.expect(3)
        .contains("the write that disabled them landed after this step's write")
        .contains("Triggers restored to true");
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org));
}

#[test]
fn run_interrupted_during_its_disabling_write_watches_for_it() {
    // SIGINT arrives while the org holds the disabling write. Restoring used to know nothing of
    // that write (it never returned): it read true, wrote nothing and said "restored", and the
    // write then landed, leaving the triggers off. It is recorded before it leaves now, so
    // restoring writes true, sees the held write land, and writes true again.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 3);
    let mut cli = pinned(&org, Auth::Jwt, &["run", "--", "true"]);
    cli.setting("timeout", "20");
    let child = cli
        .command()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while !ops(&org).contains(&Op::UpdateMetadata) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "run never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    let run = Run::from_output(child.wait_with_output().expect("run ends"));
    run.expect(3)
        .contains("interrupted before `true` started")
        .contains("the write that disabled them landed after this step's write")
        .contains("Triggers restored to true");
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org), "true after every request finished");
}

#[test]
fn a_gateway_timeout_on_a_write_leaves_it_in_doubt() {
    // A 502/504 comes from a gateway in front of the org, which may have passed the request on
    // and still be waiting for it: the write may land later. Main used to send it again at once,
    // as if refused, and leave nothing in doubt; post could then exit 0 before it landed.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    org.inject(Fault::status(
        Op::UpdateMetadata,
        1,
        504,
        "<html><body>504 Gateway Time-out</body></html>",
    ));
    let mut job = guard_job(&org, "20");
    job.env("STORECONNECT_TEST_CALL_LIMIT_MS", "1500");
    let main = job.main();
    main.run.expect(0);
    assert_sent_again_after_a_read_and_still_in_doubt(&org, &main);
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org));
}

#[test]
fn post_watches_until_its_timeout_ends_not_its_next_pause() {
    // Post's watch read at +0.5 and +1.5 s, then gave up, since the next pause (2 s) passed its
    // 3 s timeout: a write landing at +2.5 s failed the build although post could still see it.
    // Now the last read is at the timeout's end, as for the read-back.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    hold_the_next_write(&org, 3);
    let mut job = guard_job(&org, "3");
    let main = cancel_main_during_its_write(&mut job, &org);
    let post = job.post(Some(&main));
    post.run
        .expect(0)
        .contains("main's write landed after this step's write (the record reads false)");
    assert!(org.wait_idle(Duration::from_secs(10)));
    assert!(enabled(&org), "true after every request finished");
}
