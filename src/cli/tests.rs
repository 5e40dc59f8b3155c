//! Unit tests of command-line parsing.

use super::*;

fn p(args: &[&str]) -> Result<Cli, Error> {
    parse(args.iter().map(OsString::from))
}

#[test]
fn commands_and_flags() {
    assert_eq!(
        p(&["status", "--json"]).unwrap().command,
        Command::Status { json: true }
    );
    let cli = p(&[
        "--timeout",
        "5",
        "enable",
        "--dry-run",
        "--setting-type=s_c__Setting__mdt",
    ])
    .unwrap();
    assert_eq!(cli.command, Command::Enable);
    assert_eq!(
        cli.overrides,
        vec![
            ("timeout".into(), "5".into()),
            ("dry-run".into(), "true".into()),
            ("setting-type".into(), "s_c__Setting__mdt".into())
        ]
    );
    let run = p(&["run", "--", "sh", "-c", "exit 3"]).unwrap();
    assert_eq!(
        run.command,
        Command::Run {
            argv: ["sh", "-c", "exit 3"].map(OsString::from).to_vec()
        }
    );
    let run = p(&["run", "make", "--load"]).unwrap();
    assert_eq!(
        run.command,
        Command::Run {
            argv: ["make", "--load"].map(OsString::from).to_vec()
        }
    );
}

#[test]
fn check_command_and_its_flags() {
    let cli = p(&["check", "--json", "--heal", "--max-disabled-minutes", "30"]).unwrap();
    assert_eq!(cli.command, Command::Check { json: true });
    assert_eq!(
        cli.overrides,
        vec![
            ("heal".into(), "true".into()),
            ("max-disabled-minutes".into(), "30".into())
        ]
    );
    let cli = p(&["check", "--heal=false"]).unwrap();
    assert_eq!(cli.overrides, vec![("heal".into(), "false".into())]);
    assert!(matches!(
        p(&["check", "--max-disabled-minutes"]),
        Err(Error::Usage(_))
    ));
}

#[test]
fn rejects_bad_input() {
    for bad in [
        &[][..],
        &["frobnicate"],
        &["status", "--nope"],
        &["run"],
        &["enable", "--json"],
        &["status", "extra"],
        &["status", "--timeout"],
    ] {
        assert!(matches!(p(bad), Err(Error::Usage(_))), "{bad:?}");
    }
}

#[test]
fn the_command_can_come_from_the_environment() {
    let env = |args: &[&str], value: Option<&str>| {
        args_or_env_command(
            args.iter().map(OsString::from).collect(),
            value.map(OsString::from),
        )
    };
    let args = |args: &[&str], value: Option<&str>| env(args, value).unwrap().args;
    for name in COMMANDS.iter().filter(|c| c.from_env).map(|c| c.name) {
        assert_eq!(env(&[], Some(name)).unwrap().warning, None);
        assert_eq!(args(&[], Some(name)), vec![OsString::from(name)]);
    }
    assert_eq!(
        args(&[], Some(" disable\n")),
        vec![OsString::from("disable")]
    );
    // Arguments win, with a warning that does not repeat the value; unset or blank leaves them
    // (and so "no command given") alone, without one.
    let ignored = env(&["status"], Some("disable-secret")).unwrap();
    assert_eq!(ignored.args, vec![OsString::from("status")]);
    let warning = ignored.warning.expect("a warning");
    assert!(warning.contains("unset STORECONNECT_COMMAND"), "{warning}");
    assert!(!warning.contains("secret"), "{warning}");
    for quiet in [None, Some("  ")] {
        assert!(args(&[], quiet).is_empty());
        assert_eq!(env(&["status"], quiet).unwrap().warning, None);
    }
    for bad in ["run", "frobnicate", "--help", "status --json", "help"] {
        assert!(matches!(env(&[], Some(bad)), Err(Error::Usage(_))), "{bad}");
    }
}

#[test]
fn help_is_a_command() {
    assert_eq!(p(&["help"]).unwrap().command, Command::Help);
    assert_eq!(p(&["status", "--help"]).unwrap().command, Command::Help);
    for args in [&["help", "--json"][..], &["enable", "--json", "--help"]] {
        assert_eq!(p(args).unwrap().command, Command::Help, "{args:?}");
    }
    for args in [&["--version", "--json"][..], &["status", "-V", "--json"]] {
        assert!(matches!(p(args), Err(Error::Usage(_))), "{args:?}");
    }
}

#[test]
fn boolean_flags_take_a_boolean_word_after_a_space() {
    let overrides = |args: &[&str]| p(args).unwrap().overrides;
    assert_eq!(
        overrides(&["--dry-run", "FALSE", "status"]),
        vec![("dry-run".into(), "FALSE".into())]
    );
    assert_eq!(
        overrides(&["check", "--heal", "no", "--dry-run"]),
        vec![
            ("heal".into(), "no".into()),
            ("dry-run".into(), "true".into())
        ]
    );
    // Not a boolean word: the flag alone, then the command.
    let cli = p(&["--dry-run", "status"]).unwrap();
    assert_eq!(cli.command, Command::Status { json: false });
    assert_eq!(cli.overrides, vec![("dry-run".into(), "true".into())]);
    // After `run`, the next word is the command to run.
    let cli = p(&["run", "--dry-run", "true"]).unwrap();
    assert_eq!(
        cli.command,
        Command::Run {
            argv: vec![OsString::from("true")]
        }
    );
}

#[test]
fn suggestions_name_the_closest_command_or_flag() {
    let err = |args: &[&str]| p(args).unwrap_err().to_string();
    assert!(err(&["stauts"]).contains("did you mean status?"));
    assert!(err(&["disabel"]).contains("did you mean disable?"));
    assert!(err(&["stat"]).contains("did you mean status?"));
    assert!(err(&["status", "--setting-typ", "x"]).contains("did you mean --setting-type?"));
    assert!(err(&["status", "--dry"]).contains("did you mean --dry-run?"));
    assert!(!err(&["frobnicate"]).contains("did you mean"));
    assert!(!err(&["status", "--nope"]).contains("did you mean"));
    assert!(!err(&["x"]).contains("did you mean"));
}

#[test]
fn command_errors_list_the_commands() {
    let err = |args: &[&str]| {
        parse(args.iter().map(OsString::from))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(&[]),
        "no command given: use status, check, enable, disable or run"
    );
    assert!(
        err(&["nope"]).ends_with(": use status, check, enable, disable, run or help"),
        "{}",
        err(&["nope"])
    );
}

#[test]
fn dash_o_names_the_target_org_as_sf_does() {
    let cli = p(&["status", "-o", "prod"]).unwrap();
    assert_eq!(cli.overrides, vec![("target-org".into(), "prod".into())]);
    let long = p(&["--target-org=prod", "status"]).unwrap();
    assert_eq!(long.overrides, cli.overrides);
    let err = p(&["status", "-o"]).unwrap_err().to_string();
    assert!(err.contains("-o (--target-org) needs a value"), "{err}");
    assert!(usage().contains("-o, --target-org TEXT"));
}

#[test]
fn the_table_of_commands_is_what_parse_and_help_know() {
    let text = usage();
    for command in COMMANDS {
        let tail: &[&str] = if command.name == "run" {
            &["--", "true"]
        } else {
            &[]
        };
        assert!(
            p(&[&[command.name], tail].concat()).is_ok(),
            "{}",
            command.name
        );
        // Help takes any flag; the others take --json when the table says so.
        let json = p(&[&[command.name, "--json"], tail].concat());
        let help = command.name == "help";
        assert_eq!(
            json.is_ok(),
            command.json || help,
            "--json with {}",
            command.name
        );
        let line = format!("storeconnect-triggers {} {}", command.name, command.args);
        assert!(text.contains(line.trim_end()), "{line} in help");
        for about in command.about {
            assert!(text.contains(about), "{about} in help");
        }
    }
    assert_eq!(
        p(&["enable", "--json"]).unwrap_err().to_string(),
        "--json goes with status or check"
    );
}

#[test]
fn names_are_listed_as_a_sentence() {
    assert_eq!(names(|c| c.name == "run"), "run");
    assert_eq!(names(|c| c.json), "status or check");
    assert_eq!(names(|_| false), "");
}
