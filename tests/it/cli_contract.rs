//! `check --json` prints exactly one JSON object whatever the outcome. (That an empty flag
//! counts as unset and a leading `+` is not a number is proved in `input.rs`.)

use crate::common::*;

/// The one JSON object on stdout (and nothing else there).
fn only_object(run: &Run) -> serde_json::Value {
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stdout: {}", run.all());
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("a JSON object");
    assert!(v.is_object(), "{v}");
    v
}

#[track_caller]
fn assert_unknown(run: &Run, exit: i32, code: &str) {
    run.expect(exit);
    let v = only_object(run);
    assert_eq!(v["state"], "unknown", "{v}");
    assert_eq!(v["exit_code"], exit, "{v}");
    assert_eq!(v["error_code"], code, "{v}");
    assert!(!v["error"].as_str().unwrap_or("").is_empty(), "{v}");
}

#[test]
fn check_json_prints_one_object_on_every_outcome() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // Sign-in refused.
    let run = Cli::new(&["check", "--json"])
        .settings(&pins(&org))
        .setting("client-id", simorg::CLIENT_ID)
        .setting("client-secret", "wrong")
        .setting("instance-url", &org.instance_url())
        .setting("timeout", "20")
        .run();
    assert_unknown(&run, 3, "invalid_client");
    // A session Salesforce refuses.
    let run = Cli::new(&["check", "--json"])
        .settings(&pins(&org))
        .setting("instance-url", &org.instance_url())
        .setting("access-token", "00Dnot!valid")
        .run();
    assert_unknown(&run, 3, "INVALID_SESSION_ID");
    // Salesforce refuses the query.
    org.inject(Fault::status(
        Op::Query,
        10,
        400,
        r#"[{"errorCode":"INVALID_TYPE","message":"sObject type 's_c__Setting__mdt' is not supported."}]"#,
    ));
    let run = pinned(&org, Auth::AccessToken, &["check", "--json"]).run();
    assert_unknown(&run, 3, "INVALID_TYPE");
    assert!(
        run.stderr.contains("INVALID_TYPE"),
        "the error still goes to stderr"
    );
    // Bad settings: exit 2 before any request, still one object.
    let run = Cli::new(&["check", "--json"]).run();
    assert_unknown(&run, 2, "USAGE");
    // Success carries the exit code too.
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let run = pinned(&org, Auth::AccessToken, &["check", "--json"]).run();
    run.expect(0);
    assert_eq!(only_object(&run)["exit_code"], 0);
}
