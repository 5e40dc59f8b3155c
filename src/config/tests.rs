//! Unit tests of reading and validating settings.

use super::settings::DEFAULT_LOGIN_URL;
use super::*;

fn read(pairs: &[(&str, &str)]) -> Result<RawSettings, Error> {
    RawSettings::from_pairs(
        "STORECONNECT_",
        pairs
            .iter()
            .map(|(k, v)| (format!("STORECONNECT_{k}"), v.to_string())),
    )
}

fn raw(pairs: &[(&str, &str)]) -> RawSettings {
    read(pairs).unwrap()
}

#[test]
fn reads_cli_and_action_names() {
    let r = raw(&[
        ("INSTANCE_URL", "https://x.my.salesforce.com"),
        ("ACCESS_TOKEN", "tok"),
        ("TIMEOUT", ""),
        ("OTHER", "x"),
    ]);
    let c = Config::from_raw(r).unwrap();
    assert!(matches!(c.credentials, Credentials::AccessToken { .. }));
    assert_eq!(c.timeout, Duration::from_secs(120));
    let input = RawSettings::from_pairs(
        "INPUT_",
        [
            ("INPUT_INSTANCE-URL", "https://x.my.salesforce.com"),
            ("INPUT_ACCESS-TOKEN", "tok"),
            ("INPUT_MODE", "check"),
            ("INPUT_ENTRYPOINT", ""),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .unwrap();
    assert_eq!(input.mode.as_deref(), Some("check"));
    assert!(input.get("mode").is_none(), "mode is not a setting");
    assert!(
        settings::find("mode").is_none(),
        "no setting may be named mode"
    );
    assert!(Config::from_raw(input).is_ok());
    // Two variables for mode are refused like two for a setting.
    let twice = RawSettings::from_pairs(
        "INPUT_",
        [("INPUT_MODE", "check"), ("INPUT_mode", "guard")]
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    assert!(twice.unwrap_err().to_string().contains("both set mode"));
}

#[test]
fn method_rules() {
    let err = |pairs: &[(&str, &str)]| Config::from_raw(raw(pairs)).unwrap_err().to_string();
    assert!(err(&[]).contains("no Salesforce credentials"));
    assert!(
        err(&[("ACCESS_TOKEN", "t"), ("AUTH_URL", "force://a:b:c@h")])
            .contains("access-token and auth-url")
    );
    assert!(err(&[("ACCESS_TOKEN", "t")]).contains("needs instance-url"));
    assert!(
        err(&[
            ("AUTH_URL", "force://a:b:c@h.my.salesforce.com"),
            ("USERNAME", "u")
        ])
        .contains("username is not used with auth-url")
    );
    assert!(err(&[("CLIENT_SECRET", "s"), ("CLIENT_ID", "c")]).contains("needs instance-url"));
    assert!(
        err(&[
            ("ACCESS_TOKEN", "t"),
            ("INSTANCE_URL", "http://x.example.com")
        ])
        .contains("plain http")
    );
    assert!(
        err(&[
            ("ACCESS_TOKEN", "t"),
            ("INSTANCE_URL", "https://x"),
            ("TIMEOUT", "0")
        ])
        .contains("timeout")
    );
    assert!(
        err(&[
            ("ACCESS_TOKEN", "t"),
            ("INSTANCE_URL", "https://x"),
            ("API_VERSION", "66")
        ])
        .contains("api-version")
    );
    assert!(
        err(&[
            ("ACCESS_TOKEN", "t"),
            ("INSTANCE_URL", "https://x"),
            ("SETTING_TYPE", "x' OR"),
        ])
        .contains("setting-type")
    );
    assert!(
        err(&[
            ("ACCESS_TOKEN", "t"),
            ("INSTANCE_URL", "https://x"),
            ("DRY_RUN", "maybe")
        ])
        .contains("dry-run")
    );
    // login-url is accepted with any method (the action always passes its default), and the
    // methods that do not use it do not check it either.
    for login in ["http://login.example.com", "not a url"] {
        assert!(
            Config::from_raw(raw(&[
                ("ACCESS_TOKEN", "t"),
                ("INSTANCE_URL", "https://x"),
                ("LOGIN_URL", login)
            ]))
            .is_ok(),
            "{login}"
        );
    }
    assert!(
        err(&[
            ("JWT_KEY", "k"),
            ("CLIENT_ID", "c"),
            ("USERNAME", "u"),
            ("LOGIN_URL", "http://login.example.com")
        ])
        .contains("login-url")
    );
    assert!(
        Config::from_raw(raw(&[
            ("ACCESS_TOKEN", "t"),
            ("INSTANCE_URL", "https://x"),
            ("LOGIN_URL", DEFAULT_LOGIN_URL)
        ]))
        .is_ok()
    );
}

#[test]
fn health_check_settings() {
    let base = [("ACCESS_TOKEN", "t"), ("INSTANCE_URL", "https://x")];
    let with = |extra: &[(&str, &str)]| {
        let mut pairs = base.to_vec();
        pairs.extend_from_slice(extra);
        Config::from_raw(raw(&pairs))
    };
    let c = with(&[]).unwrap();
    assert_eq!((c.max_disabled_minutes, c.heal), (0, false));
    let c = with(&[("MAX_DISABLED_MINUTES", " 90 "), ("HEAL", "TRUE")]).unwrap();
    assert_eq!((c.max_disabled_minutes, c.heal), (90, true));
    for bad in ["-1", "1.5", "soon", "525601"] {
        let e = with(&[("MAX_DISABLED_MINUTES", bad)]).unwrap_err();
        assert!(e.to_string().contains("max-disabled-minutes"), "{bad}: {e}");
    }
    assert!(
        with(&[("HEAL", "maybe")])
            .unwrap_err()
            .to_string()
            .contains("heal")
    );
}

#[test]
fn input_limits() {
    let base = [("ACCESS_TOKEN", "t"), ("INSTANCE_URL", "https://x")];
    let with = |k: &'static str, v: &str| {
        let mut pairs: Vec<(&str, String)> =
            base.iter().map(|(k, v)| (*k, v.to_string())).collect();
        pairs.push((k, v.to_string()));
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Config::from_raw(raw(&pairs))
    };
    assert_eq!(with("API_VERSION", "066.0").unwrap().api_version, "66.0");
    assert_eq!(with("API_VERSION", "v62.0").unwrap().api_version, "62.0");
    for bad in [
        "+66.0",
        "66.00",
        "-66.0",
        "0066666.0",
        "66.0.0",
        " .0",
        "1e2.0",
    ] {
        assert!(with("API_VERSION", bad).is_err(), "{bad}");
    }
    let forty = "A".repeat(40);
    assert!(with("SETTING_RECORD", &forty).is_ok());
    assert!(with("SETTING_RECORD", &format!("s_c__{forty}")).is_ok());
    assert!(with("SETTING_TYPE", &format!("abcdefghijklmno__{forty}__mdt")).is_ok());
    for (key, bad) in [
        ("SETTING_RECORD", format!("{forty}B")),
        ("SETTING_TYPE", format!("s_c__{forty}B__mdt")),
        ("SETTING_FIELD", "abcdefghijklmnop__X__c".to_string()),
        ("SETTING_FIELD", "a__b__c__c".to_string()),
        ("SETTING_RECORD", "Trailing_".to_string()),
    ] {
        let err = with(key, &bad).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{bad}: {err}");
    }
    let huge = "S".repeat(MAX_VALUE_CHARS + 1);
    let err = raw_err(&[("ACCESS_TOKEN", &huge)]);
    assert!(
        err.contains("STORECONNECT_ACCESS_TOKEN is 16385 characters long"),
        "{err}"
    );
    assert!(!err.contains("SSSS"));
    let mut flags = RawSettings::default();
    assert!(flags.set("client-id", huge.clone()).is_err());
}

fn raw_err(pairs: &[(&str, &str)]) -> String {
    read(pairs).unwrap_err().to_string()
}

#[test]
fn two_variables_for_one_setting_are_refused_by_name() {
    let err = raw_err(&[("DRY_RUN", "true"), ("dry-run", "false")]);
    assert!(
        err.contains("STORECONNECT_DRY_RUN and STORECONNECT_dry-run both set dry-run"),
        "{err}"
    );
}

#[test]
fn secrets_stay_hidden_in_debug() {
    let r = raw(&[
        ("CLIENT_SECRET", "SUPERSECRET"),
        ("CLIENT_ID", "c"),
        ("INSTANCE_URL", "https://x"),
    ]);
    assert!(!format!("{r:?}").contains("SUPERSECRET"));
    assert!(!format!("{:?}", Config::from_raw(r).unwrap()).contains("SUPERSECRET"));
}

#[test]
fn jwt_login_url_defaults_from_the_table() {
    let jwt = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("JWT_KEY", simorg::JWT_KEY_PEM),
            ("CLIENT_ID", "c"),
            ("USERNAME", "u"),
        ];
        pairs.extend_from_slice(extra);
        match Config::from_raw(raw(&pairs)).unwrap().credentials {
            Credentials::Jwt { login_url, .. } => login_url.to_string(),
            other => panic!("not JWT: {other:?}"),
        }
    };
    assert_eq!(jwt(&[]), format!("{DEFAULT_LOGIN_URL}/"));
    assert_eq!(
        jwt(&[("LOGIN_URL", "https://test.salesforce.com")]),
        "https://test.salesforce.com/"
    );
}

#[test]
fn an_empty_flag_keeps_the_environment_and_a_plus_is_not_a_number() {
    let base = [
        ("ACCESS_TOKEN", "t"),
        ("INSTANCE_URL", "https://x"),
        ("MAX_DISABLED_MINUTES", "120"),
    ];
    let mut r = raw(&base);
    r.set("max-disabled-minutes", String::new()).unwrap();
    r.set("timeout", "  ".into()).unwrap();
    let c = Config::from_raw(r).unwrap();
    assert_eq!(
        c.max_disabled_minutes, 120,
        "`--max-disabled-minutes=` is unset"
    );
    assert_eq!(c.timeout, Duration::from_secs(120));
    for (name, value) in [("max-disabled-minutes", "+5"), ("timeout", "+30")] {
        let mut r = raw(&base);
        r.set(name, value.into()).unwrap();
        let err = Config::from_raw(r).unwrap_err().to_string();
        assert!(err.contains(&format!("{name} `{value}`")), "{err}");
    }
}

#[test]
fn a_header_value_with_a_control_character_is_bad_input_named_not_shown() {
    for (key, value) in [
        ("ACCESS_TOKEN", "abc\u{1}defSECRET"),
        ("ACCESS_TOKEN", "abc\ndefSECRET"),
    ] {
        let err =
            Config::from_raw(raw(&[(key, value), ("INSTANCE_URL", "https://x")])).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Usage(_)), "{text}");
        assert!(
            text.contains("STORECONNECT_ACCESS_TOKEN holds a control character"),
            "{text}"
        );
        assert!(!text.contains("SECRET") && !text.contains("abc"), "{text}");
    }
    let input = RawSettings::from_pairs(
        "INPUT_",
        [
            ("INPUT_ACCESS-TOKEN", "abc\rdef"),
            ("INPUT_INSTANCE-URL", "https://x"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .unwrap();
    let err = Config::from_raw(input).unwrap_err().to_string();
    assert!(
        err.contains("INPUT_ACCESS-TOKEN holds a control character"),
        "{err}"
    );
    let mut flags = raw(&[
        ("CLIENT_ID", "c"),
        ("INSTANCE_URL", "https://x.my.salesforce.com"),
    ]);
    flags.set("client-secret", "s\u{7f}ecret".into()).unwrap();
    let err = Config::from_raw(flags).unwrap_err().to_string();
    assert!(
        err.contains("--client-secret holds a control character"),
        "{err}"
    );
}

#[test]
fn a_redacted_value_from_sf_org_display_names_the_command_to_use() {
    let token = Config::from_raw(raw(&[
        (
            "ACCESS_TOKEN",
            "[REDACTED] Use 'sf org auth show-access-token' to view",
        ),
        ("INSTANCE_URL", "https://x"),
    ]))
    .unwrap_err();
    assert!(matches!(token, Error::Usage(_)));
    assert!(
        token
            .to_string()
            .contains("sf org auth show-access-token --target-org ALIAS --json")
    );
    let url = Config::from_raw(raw(&[(
        "AUTH_URL",
        "[REDACTED] Use 'sf org auth show-sfdx-auth-url' to view",
    )]))
    .unwrap_err()
    .to_string();
    assert!(url.contains("auth-url is `[REDACTED] …`"), "{url}");
    assert!(
        url.contains("sf org auth show-sfdx-auth-url --target-org ALIAS --json"),
        "{url}"
    );
}

#[test]
fn sources_name_the_variable_or_the_flag() {
    let mut raw = RawSettings::from_pairs(
        "INPUT_",
        [("INPUT_TARGET-ORG", "prod"), ("INPUT_USERNAME", "u")]
            .map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .unwrap();
    raw.set("username", "v".into()).unwrap();
    assert_eq!(raw.source("target-org"), "INPUT_TARGET-ORG");
    assert_eq!(raw.source("username"), "--username");
    assert_eq!(raw.source("heal"), "heal");
}
