//! The other modes (check, enable, disable), dry runs, input validation and the action.yml
//! inputs against the binary and the runner's file-command format.

use super::*;

#[test]
fn check_mode_on_enabled_and_disabled_orgs() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::AccessToken, &[("mode", "check")]));
    let main = job.main();
    main.run.expect(0);
    assert_eq!(main.output("state"), Some("true"));
    let post = job.post(Some(&main));
    post.run.expect(0).contains("nothing to do");
    assert!(
        post.summary.contains("check (post)") && post.summary.contains("nothing (mode check"),
        "{}",
        post.summary
    );

    org.set_setting(Value::Bool(false));
    let mut job = Job::new(&with_org(&org, Auth::AccessToken, &[("mode", "check")]));
    let main = job.main();
    main.run
        .expect(1)
        .contains("::error title=StoreConnect triggers are OFF::");
    assert_eq!(main.output("state"), Some("false"));
    assert!(main.summary.contains("triggers are OFF"));
    assert!(!enabled(&org), "check changes nothing");
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
}

#[test]
fn enable_and_disable_modes_do_one_thing() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("mode", "enable")]));
    let main = job.main();
    main.run.expect(0);
    assert_eq!(main.output("changed"), Some("true"));
    assert!(main.state.is_empty(), "only guard saves state");
    assert!(enabled(&org));
    org.clear_requests();
    job.post(Some(&main))
        .run
        .expect(0)
        .contains("nothing to do");
    assert!(org.requests().is_empty());
}

#[test]
fn dry_run_changes_nothing_in_main_or_post() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("dry-run", "true")]));
    let main = job.main();
    main.run.expect(0);
    assert_eq!(main.output("changed"), Some("false"));
    assert_eq!(main.output("previous-state"), Some("true"));
    assert!(main.summary.contains("dry run: would set false"));
    assert!(enabled(&org));
    org.set_setting(Value::Bool(false));
    let post = job.post(Some(&main));
    post.run.expect(0);
    assert!(post.summary.contains("dry run: would set true"));
    assert!(!enabled(&org), "post dry run wrote nothing");
    assert!(!ops(&org).contains(&Op::UpdateMetadata));
}

#[test]
fn bad_inputs_fail_main_with_exit_2_and_an_annotation() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut with = with_org(&org, Auth::Jwt, &[]);
    with.push(("auth-url", org.auth_url()));
    let mut job = Job::new(&with);
    let main = job.main();
    main.run
        .expect(2)
        .contains("::error")
        .contains("select different sign-in methods");
    assert!(main.summary.contains("**Failed:**"));
    let mut job = Job::new(&with_org(&org, Auth::Jwt, &[("mode", "sometimes")]));
    job.main().run.expect(2).contains("mode `sometimes`");
    assert!(org.requests().is_empty());
}

#[test]
fn every_action_input_is_documented_and_known_to_the_binary() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let inputs = action_inputs();
    assert!(inputs.len() >= 15, "parsed action.yml inputs: {inputs:?}");
    for (name, _) in inputs {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "input `{name}` is missing from the README's inputs table"
        );
        assert!(
            name == "mode"
                || storeconnect_triggers::testing::config::SETTING_NAMES.contains(&name.as_str()),
            "input `{name}` is unknown to the binary"
        );
    }
    for name in storeconnect_triggers::testing::config::SETTING_NAMES {
        assert!(
            readme.contains(&format!(
                "STORECONNECT_{}",
                name.to_ascii_uppercase().replace('-', "_")
            )),
            "{name} env var documented"
        );
    }
}

#[test]
fn file_command_parser_matches_the_runner() {
    let parsed = parse_file_command("a=1\n\nb<<EOF\nx=y\nz\nEOF\nc=d<<e\n");
    assert_eq!(parsed.get("a").map(String::as_str), Some("1"));
    assert_eq!(parsed.get("b").map(String::as_str), Some("x=y\nz"));
    assert_eq!(parsed.get("c").map(String::as_str), Some("d<<e"));
}
