//! Clocks that disagree and names that do not end: a `lastModifiedDate` ahead of this
//! machine's clock is not a grace period, and `lastModifiedByName` is clipped everywhere.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::action::{Job, with_org};
use crate::common::*;

const ADMIN: &str = "Jane Admin";

/// An org whose triggers `by` turned off at `at`.
fn off_at(by: &str, at: SystemTime) -> SimOrg {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    org.set_last_modified(by, at);
    org
}

fn check(org: &SimOrg, json: bool) -> Run {
    let mut args = vec!["check", "--max-disabled-minutes", "180"];
    if json {
        args.push("--json");
    }
    pinned(org, Auth::AccessToken, &args).run()
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.stdout.trim()).expect("one JSON object on stdout")
}

#[test]
fn a_time_ahead_of_this_machine_is_unknown_not_a_grace_period() {
    let day_ahead = SystemTime::now() + Duration::from_secs(86_400 + 30);
    let org = off_at(ADMIN, day_ahead);
    check(&org, false)
        .expect(1)
        .contains("the org's time is ahead of this machine's by 1440 minutes")
        .contains("OFF");
    let run = check(&org, true);
    run.expect(1);
    let v = json(&run);
    assert_eq!(v["within_grace"], false);
    assert!(v["disabled_minutes"].is_null(), "{v}");
    assert_eq!(v["last_modified_by"], ADMIN);

    // 2099-01-01T00:00:00Z
    let org = off_at(ADMIN, UNIX_EPOCH + Duration::from_secs(4_070_908_800));
    check(&org, false)
        .expect(1)
        .contains("2099-01-01T00:00:00Z")
        .contains("the org's time is ahead of this machine's by");
}

#[test]
fn a_time_up_to_five_minutes_ahead_counts_as_now() {
    let org = off_at(ADMIN, SystemTime::now() + Duration::from_secs(3 * 60));
    let run = check(&org, true);
    run.expect(0);
    let v = json(&run);
    assert_eq!(v["disabled_minutes"], 0, "{v}");
    assert_eq!(v["within_grace"], true);
}

#[test]
fn a_long_name_is_clipped_everywhere() {
    let long = "N".repeat(3_000);
    let org = off_at(&long, SystemTime::now() - Duration::from_secs(600));
    let too_long = "N".repeat(201);
    let run = pinned(&org, Auth::AccessToken, &["check"]).run();
    run.expect(1).contains(&"N".repeat(200));
    assert!(!run.all().contains(&too_long), "{}", run.all());
    let run = pinned(&org, Auth::AccessToken, &["check", "--json"]).run();
    let by = json(&run)["last_modified_by"]
        .as_str()
        .expect("a name")
        .to_string();
    assert_eq!(by.chars().count(), 201, "200 characters and an ellipsis");
    let mut job = Job::new(&with_org(&org, Auth::AccessToken, &[("mode", "check")]));
    let main = job.main();
    main.run.expect(1);
    for (what, text) in [
        ("log", main.run.all()),
        ("summary", main.summary.clone()),
        ("outputs", main.files.clone()),
    ] {
        assert!(text.contains(&"N".repeat(200)), "{what}: name missing");
        assert!(!text.contains(&too_long), "{what}: {text}");
    }
}
