//! The CLI's commands for every sign-in method, field type and record kind.

use crate::common::*;

#[test]
fn every_auth_method_reads_flips_verifies_and_skips_no_ops() {
    for auth in ALL_AUTH {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let before = other_values(&org);
        let pinned = pins(&org);
        let cli = |args: &[&str]| {
            let mut c = Cli::for_org(&org, auth, args);
            c.settings(&pinned);
            c.run()
        };

        cli(&["status"]).expect(0).contains("enabled");

        org.clear_requests();
        cli(&["disable"]).expect(0).contains("true -> false");
        assert!(!enabled(&org), "{auth:?}: disabled");
        assert_eq!(
            other_values(&org),
            before,
            "{auth:?}: other values unchanged"
        );
        assert!(ops(&org).contains(&Op::UpdateMetadata));
        assert!(!ops(&org).contains(&Op::UpsertMetadata));

        cli(&["status"]).expect(1).contains("disabled");

        org.clear_requests();
        cli(&["disable"]).expect(0).contains("nothing written");
        assert!(
            !ops(&org).contains(&Op::UpdateMetadata),
            "{auth:?}: no-op writes nothing"
        );

        cli(&["enable"]).expect(0).contains("false -> true");
        assert!(enabled(&org), "{auth:?}: enabled");
        assert_eq!(
            other_values(&org),
            before,
            "{auth:?}: other values unchanged after enable"
        );
    }
}

#[test]
fn auth_url_without_client_secret_works() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::new(&["status"]);
    cli.setting("auth-url", &org.auth_url_without_secret())
        .setting("timeout", "20");
    cli.run().expect(0).contains("enabled");
}

#[test]
fn jwt_accepts_a_pkcs1_key() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    let mut cli = Cli::for_org(&org, Auth::Jwt, &["status"]);
    cli.setting("jwt-key", simorg::JWT_KEY_PKCS1_PEM);
    cli.run().expect(1).contains("disabled");
}

#[test]
fn discovery_finds_names_for_every_field_and_record_kind_and_pins_reuse_them() {
    for field_kind in [FieldKind::Checkbox, FieldKind::Text] {
        for record_kind in [RecordKind::Packaged, RecordKind::Subscriber] {
            let org = start_org(field_kind, record_kind, true);
            let before = other_values(&org);
            let case = format!("{field_kind:?}/{record_kind:?}");

            let status = Cli::for_org(&org, Auth::AccessToken, &["status", "--json"]).run();
            status.expect(0);
            let json: serde_json::Value =
                serde_json::from_str(status.stdout.trim()).expect("one JSON object on stdout");
            assert_eq!(json["state"], "enabled", "{case}");
            assert_eq!(json["value"], "true", "{case}");
            assert_eq!(json["setting_type"], org.type_name(), "{case}");
            assert_eq!(json["setting_record"], org.record_name(), "{case}");
            assert_eq!(json["setting_field"], org.field_name(), "{case}");
            assert_eq!(json["org"], "localhost", "{case}");
            let pin_line = format!(
                "setting-type={} setting-record={} setting-field={}",
                org.type_name(),
                org.record_name(),
                org.field_name()
            );
            status.contains(&pin_line);

            // Discovery: describeGlobal, describe, one record query (+ token for other methods).
            org.clear_requests();
            Cli::for_org(&org, Auth::AccessToken, &["disable"])
                .run()
                .expect(0);
            assert_eq!(
                ops(&org),
                vec![
                    Op::DescribeGlobal,
                    Op::Describe,
                    Op::Query,
                    Op::ReadMetadata,
                    Op::UpdateMetadata,
                    Op::Query
                ],
                "{case}"
            );
            let expected = match field_kind {
                FieldKind::Checkbox => Value::Bool(false),
                FieldKind::Text => Value::Text("false".into()),
            };
            assert_eq!(
                org.setting(),
                expected,
                "{case}: value keeps the field's type"
            );
            assert_eq!(other_values(&org), before, "{case}");
            let update = org
                .requests()
                .into_iter()
                .find(|r| r.op == Op::UpdateMetadata)
                .expect("update sent");
            assert!(
                update
                    .body
                    .contains(&format!("<met:fullName>{}</met:fullName>", org.full_name())),
                "{case}"
            );

            // Pinned: no discovery calls at all.
            org.clear_requests();
            let mut cli = pinned(&org, Auth::AccessToken, &["enable"]);
            cli.run().expect(0);
            assert_eq!(
                ops(&org),
                vec![Op::ReadMetadata, Op::UpdateMetadata, Op::Query],
                "{case}"
            );
            assert!(enabled(&org), "{case}");
            assert_eq!(other_values(&org), before, "{case}");
        }
    }
}

#[test]
fn flags_override_the_environment() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(
        &org,
        Auth::AccessToken,
        &[
            "status",
            "--setting-type",
            "s_c__Setting__mdt",
            "--setting-record=s_c__Triggers_Enabled",
        ],
    );
    cli.setting("setting-type", "Wrong__mdt")
        .setting("setting-field", "s_c__Setting__c");
    cli.run().expect(0);
    assert_eq!(ops(&org), vec![Op::Query]);
}

#[test]
fn dry_run_reads_and_changes_nothing() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for args in [
        &["disable", "--dry-run"][..],
        &["run", "--dry-run", "--", "false"],
    ] {
        org.clear_requests();
        Cli::for_org(&org, Auth::Jwt, args)
            .run()
            .expect(0)
            .contains("would");
        assert!(enabled(&org));
        assert!(ops(&org).contains(&Op::ReadMetadata));
        assert!(!ops(&org).contains(&Op::UpdateMetadata), "{args:?}");
    }
    let mut env_dry = Cli::for_org(&org, Auth::Jwt, &["disable"]);
    env_dry.setting("dry-run", "true");
    env_dry.run().expect(0).contains("would set false");
    assert!(enabled(&org));
}

#[test]
fn text_values_are_read_in_any_case_and_bad_values_are_quoted() {
    let org = start_org(FieldKind::Text, RecordKind::Subscriber, true);
    org.set_setting(Value::Text(" TRUE ".into()));
    Cli::for_org(&org, Auth::AccessToken, &["status"])
        .run()
        .expect(0);
    org.set_setting(Value::Text("maybe".into()));
    Cli::for_org(&org, Auth::AccessToken, &["status"])
        .run()
        .expect(1)
        .contains("\"maybe\"");
    // enable repairs it.
    Cli::for_org(&org, Auth::AccessToken, &["enable"])
        .run()
        .expect(0)
        .contains("neither true nor false");
    assert_eq!(org.setting(), Value::Text("true".into()));
}

#[test]
fn refresh_token_rotation_is_reported_loudly() {
    let org = SimOrg::start(OrgConfig {
        rotate_refresh_tokens: true,
        ..OrgConfig::default()
    });
    let mut cli = Cli::for_org(&org, Auth::AuthUrl, &["status"]);
    cli.env("GITHUB_ACTIONS", "true");
    cli.run()
        .expect(0)
        .contains("::warning title=Refresh token rotated::")
        .contains("JWT")
        .contains("::add-mask::00DSIM");
}

#[test]
fn discovery_works_with_every_auth_method() {
    for auth in ALL_AUTH {
        let org = start_org(FieldKind::Text, RecordKind::Subscriber, false);
        let run = Cli::for_org(&org, auth, &["status", "--json"]).run();
        run.expect(1);
        let json: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
        assert_eq!(json["state"], "disabled", "{auth:?}");
        assert_eq!(json["setting_record"], "Triggers_Enabled", "{auth:?}");
        Cli::for_org(&org, auth, &["enable"]).run().expect(0);
        assert_eq!(org.setting(), Value::Text("true".into()), "{auth:?}");
    }
}

#[test]
fn pins_in_another_letter_case_are_matched_like_salesforce_does() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let before = org.record().values.len();
    let pinned = [
        ("setting-type", "S_C__SETTING__MDT".to_string()),
        ("setting-record", "s_c__triggers_enabled".to_string()),
        ("setting-field", "s_c__setting__c".to_string()),
    ];
    let mut status = Cli::for_org(&org, Auth::Jwt, &["status"]);
    status.settings(&pinned);
    status.run().expect(0).contains("enabled");
    let mut disable = Cli::for_org(&org, Auth::Jwt, &["disable"]);
    disable.settings(&pinned);
    disable.run().expect(0);
    assert!(!enabled(&org));
    assert_eq!(
        org.record().values.len(),
        before,
        "no duplicate value entry was written"
    );
    let update = org
        .requests()
        .into_iter()
        .find(|r| r.op == Op::UpdateMetadata)
        .expect("update");
    assert!(
        update
            .body
            .contains("<met:field>s_c__Setting__c</met:field>"),
        "the org's spelling is written"
    );
}

#[test]
fn secrets_pasted_with_surrounding_whitespace_still_work() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::new(&["status"]);
    cli.setting("instance-url", &format!(" {}\n", org.instance_url()))
        .setting("access-token", &format!("{}\n", org.issue_access_token()))
        .setting("timeout", "10");
    cli.run().expect(0);
}

#[test]
fn arguments_win_over_storeconnect_command_with_a_warning() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &["status"]);
    cli.env("STORECONNECT_COMMAND", "disable");
    let run = cli.run();
    run.expect(0).contains("enabled");
    assert!(
        run.stderr.contains(
            "warning: STORECONNECT_COMMAND ignored: the arguments given name the command"
        ),
        "{}",
        run.stderr
    );
    assert!(enabled(&org), "the variable's command did not run");
    // Without arguments it names the command, and nothing is said about it.
    let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &[]);
    cli.env("STORECONNECT_COMMAND", "status");
    let run = cli.run();
    run.expect(0);
    assert!(!run.stderr.contains("ignored"), "{}", run.stderr);
}
