//! Bad input fails fast with exit 2 and no request.

use crate::common::*;

/// (case, settings, args, expected message)
type Case<'a> = (&'a str, Vec<(&'static str, String)>, Vec<&'a str>, &'a str);

#[test]
fn bad_input_exits_2_without_any_request() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let jwt = auth_settings(&org, Auth::Jwt);
    let secret_token = "00DSECRET!TOKENVALUE";
    let cases: Vec<Case> = vec![
        (
            "no credentials",
            vec![],
            vec!["status"],
            "no Salesforce credentials",
        ),
        (
            "two methods",
            vec![
                ("access-token", secret_token.into()),
                ("instance-url", org.url()),
                ("auth-url", org.auth_url()),
            ],
            vec!["status"],
            "access-token and auth-url select different sign-in methods",
        ),
        (
            "malformed auth URL",
            vec![("auth-url", "force://justgarbageSECRET".into())],
            vec!["status"],
            "auth-url has no @host part",
        ),
        (
            "malformed PEM",
            jwt.iter()
                .map(|(k, v)| {
                    if *k == "jwt-key" {
                        (
                            *k,
                            "-----BEGIN PRIVATE KEY-----\nQUJDRA==\n-----END PRIVATE KEY-----"
                                .to_string(),
                        )
                    } else {
                        (*k, v.clone())
                    }
                })
                .collect(),
            vec!["status"],
            "jwt-key is not a usable RSA private key",
        ),
        (
            "http to a non-loopback host",
            vec![
                ("access-token", secret_token.into()),
                ("instance-url", "http://acme.my.salesforce.com".into()),
            ],
            vec!["status"],
            "uses plain http",
        ),
        (
            "unknown command",
            auth_settings(&org, Auth::AuthUrl),
            vec!["frobnicate"],
            "unknown command `frobnicate`",
        ),
        (
            "missing piece",
            vec![("client-secret", "s".into()), ("instance-url", org.url())],
            vec!["status"],
            "client-secret also needs client-id",
        ),
        (
            "foreign piece",
            vec![
                ("auth-url", org.auth_url()),
                ("username", "u@example.com".into()),
            ],
            vec!["status"],
            "username is not used with auth-url",
        ),
        (
            "bad timeout",
            [
                auth_settings(&org, Auth::AuthUrl),
                vec![("timeout", "soon".into())],
            ]
            .concat(),
            vec!["status"],
            "timeout `soon`",
        ),
        (
            "auth URL copied from sf org display",
            vec![(
                "auth-url",
                "[REDACTED] Use 'sf org auth show-sfdx-auth-url' to view".into(),
            )],
            vec!["status"],
            "get the value with `sf org auth show-sfdx-auth-url --target-org ALIAS --json`",
        ),
        (
            "access token copied from sf org display",
            vec![
                (
                    "access-token",
                    "[REDACTED] Use 'sf org auth show-access-token' to view".into(),
                ),
                ("instance-url", org.url()),
            ],
            vec!["status"],
            "get the value with `sf org auth show-access-token --target-org ALIAS --json`",
        ),
        (
            "run without a command",
            auth_settings(&org, Auth::AuthUrl),
            vec!["run", "--"],
            "run needs a command",
        ),
    ];
    for (case, settings, args, message) in cases {
        let mut cli = Cli::new(&args);
        cli.settings(&settings);
        let run = cli.run();
        run.expect(2).contains(message).contains("help:");
        assert!(
            !run.all().contains("SECRET"),
            "{case}: secrets stay out of errors"
        );
        assert!(org.requests().is_empty(), "{case}: no request was sent");
    }
}

#[test]
fn empty_values_count_as_unset() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = Cli::for_org(&org, Auth::AuthUrl, &["status"]);
    cli.setting("access-token", "")
        .setting("client-secret", "  ")
        .setting("setting-type", "");
    cli.run().expect(0);
}

#[test]
fn help_and_version() {
    Cli::new(&["--help"])
        .run()
        .expect(0)
        .contains("STORECONNECT_AUTH_URL")
        .contains("EXIT CODES");
    Cli::new(&["--version"])
        .run()
        .expect(0)
        .contains(env!("CARGO_PKG_VERSION"));
}

#[test]
fn errors_become_annotations_in_github_actions() {
    let mut cli = Cli::new(&["status"]);
    cli.env("GITHUB_ACTIONS", "true");
    cli.run()
        .expect(2)
        .contains("::error title=storeconnect-triggers failed::no Salesforce credentials");
}

#[test]
fn run_refuses_a_command_that_cannot_start_before_touching_the_org() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for command in ["no-such-command-sct", "/nonexistent/tool"] {
        Cli::for_org(&org, Auth::Jwt, &["run", "--", command, "--flag"])
            .run()
            .expect(2)
            .contains("is not an executable file");
        assert!(org.requests().is_empty(), "{command}: nothing was sent");
        assert!(enabled(&org));
    }
}

#[test]
fn an_empty_flag_keeps_the_environments_value() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    org.set_last_modified(
        "Jane Admin",
        std::time::SystemTime::now() - std::time::Duration::from_secs(10 * 60),
    );
    let mut cli = pinned(
        &org,
        Auth::AccessToken,
        &["check", "--max-disabled-minutes="],
    );
    cli.setting("max-disabled-minutes", "120");
    cli.run()
        .expect(0)
        .contains("inside max-disabled-minutes (120)");
    let mut plus = pinned(
        &org,
        Auth::AccessToken,
        &["check", "--max-disabled-minutes", "+5"],
    );
    let before = org.requests().len();
    plus.run().expect(2).contains("max-disabled-minutes `+5`");
    assert_eq!(org.requests().len(), before, "no request for bad input");
}

#[test]
fn a_token_with_a_control_character_is_bad_input_named_not_shown() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for token in ["00DSECRET\u{1}TOKEN", "00DSECRET\nTOKEN", "00DSECRET\u{7f}"] {
        let mut cli = Cli::for_org(&org, Auth::AccessToken, &["status"]);
        cli.setting("access-token", token);
        let run = cli.run();
        run.expect(2)
            .contains("STORECONNECT_ACCESS_TOKEN holds a control character");
        assert!(!run.all().contains("SECRET"), "{}", run.all());
    }
    let mut with = crate::action::with_org(&org, Auth::AccessToken, &[("mode", "check")]);
    with.retain(|(name, _)| *name != "access-token");
    with.push(("access-token", "00DSECRET\u{1}TOKEN".into()));
    let mut job = crate::action::Job::new(&with);
    let main = job.main();
    main.run
        .expect(2)
        .contains("INPUT_ACCESS-TOKEN holds a control character");
    assert!(!main.run.all().contains("TOKEN\u{1}"));
    assert!(org.requests().is_empty(), "no request for bad input");
}
