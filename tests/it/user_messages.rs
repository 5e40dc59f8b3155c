//! What the user is told, through the binary: `run` names the setting once and says when a
//! signal killed the command; post's summary keeps main's saved value apart; configuration
//! errors in the action point to the step's inputs.

use crate::action::{Job, with_org};
use crate::common::*;

/// How often `needle` occurs in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn run_prints_the_resolved_names_once() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // No pins: disable discovers the names, the restore reuses them.
    let run = Cli::for_org(&org, Auth::AuthUrl, &["run", "--", "sh", "-c", "exit 0"]).run();
    run.expect(0).contains("restored to true (verified)");
    assert_eq!(count(&run.all(), "Resolved: "), 1, "{}", run.all());
    assert!(run.all().contains(&org.full_name()));
    assert!(enabled(&org));
}

#[test]
fn run_reports_a_command_killed_by_a_signal() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(
        &org,
        Auth::ClientCredentials,
        &["run", "--", "sh", "-c", "kill -TERM $$"],
    );
    let run = cli.run();
    run.expect(143)
        .contains("was killed by SIGTERM (exit code 143)")
        .contains("restored to true (verified)");
    assert!(!run.all().contains("exited with code"), "{}", run.all());
    assert!(enabled(&org));

    // A command that exits on its own still says so, with its own code.
    let mut cli = pinned(&org, Auth::Jwt, &["run", "--", "sh", "-c", "exit 5"]);
    let run = cli.run();
    run.expect(5).contains("exited with code 5");
    assert!(!run.all().contains("killed by"));
}

#[test]
fn post_summary_keeps_the_value_before_the_job_apart() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::AccessToken, &[]));
    // Main saves `true` and leaves `false`: post's own read differs from main's saved value.
    let main = job.main();
    main.run.expect(0);
    let post = job.post(Some(&main));
    post.run.expect(0);
    let summary = &post.summary;
    assert_eq!(count(summary, "Before the job"), 1, "{summary}");
    let saved = summary.find("| Before the job | `true` |").expect(summary);
    let own = summary
        .find("Read and written by this step:")
        .expect(summary);
    let before = summary.find("| Before | `false` |").expect(summary);
    assert!(saved < own && own < before, "{summary}");
    assert!(summary.contains("| After | `true` |"), "{summary}");

    // Without saved state post says so, once.
    let post = job.post(None);
    post.run.expect(0);
    assert_eq!(
        count(&post.summary, "Before the job"),
        1,
        "{}",
        post.summary
    );
    assert!(post.summary.contains("unknown (main saved no state)"));
}

#[test]
fn configuration_errors_in_the_action_point_to_the_inputs() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for extra in [[("mode", "sometimes")], [("timeout", "soon")]] {
        let mut job = Job::new(&with_org(&org, Auth::AccessToken, &extra));
        let main = job.main();
        main.run
            .expect(2)
            .contains("::error")
            .contains("check the action's inputs (with:)");
        assert!(!main.run.all().contains("--help"), "{}", main.run.all());
        assert!(
            main.summary.contains("check the action's inputs (with:)"),
            "{}",
            main.summary
        );
        assert!(!main.summary.contains("--help"), "{}", main.summary);
    }
    // The CLI keeps pointing to --help.
    Cli::new(&["status", "--timeout", "soon"])
        .run()
        .expect(2)
        .contains("--help");
    assert!(org.requests().is_empty());
}
