//! Big orgs: listMetadata lists every custom metadata record of the org, so its answer can be
//! far over the body cap; who and when are still found, and the newest listing counts.

use std::time::{Duration, SystemTime};

use simorg::{Listed, Listing};
use storeconnect_triggers::testing::timestamp;

use crate::common::*;

const ADMIN: &str = "Jane Admin";

/// An org whose triggers `ADMIN` turned off ten minutes ago, listing `filler` other records
/// before them and `entries` after.
fn big_org(filler: usize, entries: Vec<Listed>) -> SimOrg {
    let org = SimOrg::start(OrgConfig {
        enabled: false,
        listing: Listing { filler, entries },
        ..OrgConfig::default()
    });
    org.set_last_modified(ADMIN, SystemTime::now() - Duration::from_secs(10 * 60 + 5));
    org
}

fn check_json(org: &SimOrg) -> (Run, serde_json::Value) {
    let run = pinned(
        org,
        Auth::AccessToken,
        &["check", "--max-disabled-minutes", "60", "--json"],
    )
    .run();
    let json = serde_json::from_str(run.stdout.trim()).expect("one JSON object on stdout");
    (run, json)
}

#[test]
fn who_and_when_are_found_past_the_body_cap() {
    // 10,000 records: ~5.6 MB, over the 4 MB that answers read whole may take.
    let org = big_org(10_000, Vec::new());
    let (run, json) = check_json(&org);
    run.expect(0);
    assert_eq!(json["last_modified_by"], ADMIN, "{}", run.all());
    assert_eq!(json["within_grace"], true);
    assert_eq!(json["disabled_minutes"], 10);
    assert_eq!(count(&org, Op::ListMetadata), 1);
}

#[test]
fn the_newest_change_counts_when_the_record_is_listed_twice() {
    let at = |ago: u64| timestamp::format(SystemTime::now() - Duration::from_secs(ago * 60));
    let listed = |by: &str, ago: u64| Listed {
        full_name: "S_C__SETTING.s_c__triggers_enabled".into(),
        by: by.into(),
        at: at(ago),
    };
    // Listed first (the stored record) as changed 3 days ago, then 5 and 4 days ago: the
    // newest is the stored one, whatever the order.
    let org = big_org(
        0,
        vec![
            listed("Old Admin", 5 * 1440),
            listed("Older Admin", 4 * 1440),
        ],
    );
    org.set_last_modified(ADMIN, SystemTime::now() - Duration::from_secs(3 * 86_400));
    let (run, json) = check_json(&org);
    run.expect(1);
    assert_eq!(json["last_modified_by"], ADMIN, "{}", run.all());
    // Listed again after the stored record, changed 10 minutes ago: that change counts.
    let org = big_org(
        0,
        vec![listed("Late Admin", 10), listed("Old Admin", 5 * 1440)],
    );
    org.set_last_modified(ADMIN, SystemTime::now() - Duration::from_secs(3 * 86_400));
    let (run, json) = check_json(&org);
    run.expect(0);
    assert_eq!(json["last_modified_by"], "Late Admin", "{}", run.all());
    assert_eq!(json["within_grace"], true);
}

#[test]
fn other_answers_over_the_cap_are_refused_with_their_cause() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let huge = format!(
        "{{\"totalSize\":0,\"done\":true,\"records\":[],\"x\":\"{}\"}}",
        "a".repeat(5 << 20)
    );
    org.inject(Fault::status(Op::Query, 1, 200, &huge));
    let run = pinned(&org, Auth::AccessToken, &["status"]).run();
    run.expect(3)
        .contains("answer too large (over 4 MB)")
        .contains("My Domain");
    assert!(!run.all().contains("report this"), "{}", run.all());
}
