//! Arguments and help: `help` as a command, "did you mean", boolean flags with a
//! value after a space, `login-url` ignored by the methods that do not use it, and the README's
//! settings table generated from the one table of settings.

use std::path::Path;

use storeconnect_triggers::testing::config::settings;

use crate::common::*;

#[test]
fn help_is_a_command_and_shows_defaults_and_run_exit_codes() {
    let command = Cli::new(&["help"]).run();
    command
        .expect(0)
        .contains("EXIT CODES")
        .contains("128+N")
        .contains("STORECONNECT_API_VERSION (default 66.0)")
        .contains("STORECONNECT_TIMEOUT (default 120)")
        .contains("--dry-run [BOOL]");
    let flag = Cli::new(&["--help"]).run();
    assert_eq!(
        command.stdout, flag.stdout,
        "`help` and `--help` print the same"
    );
    for s in &settings::SETTINGS {
        assert!(command.stdout.contains(s.flag), "{} in help", s.flag);
        assert!(command.stdout.contains(s.env), "{} in help", s.env);
    }
}

#[test]
fn unknown_commands_and_flags_suggest_the_closest() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for (args, near) in [
        (&["stauts"][..], "did you mean status?"),
        (&["enabel"], "did you mean enable?"),
        (&["hlep"], "did you mean help?"),
        (&["status", "--dryrun"], "did you mean --dry-run?"),
        (&["check", "--heall"], "did you mean --heal?"),
        (&["status", "--jsno"], "did you mean --json?"),
        (&["status", "--timeot", "5"], "did you mean --timeout?"),
    ] {
        let mut cli = Cli::for_org(&org, Auth::AuthUrl, args);
        cli.run().expect(2).contains(near);
    }
    // Nothing near: no guess.
    let run = Cli::for_org(&org, Auth::AuthUrl, &["frobnicate"]).run();
    run.expect(2).contains("unknown command `frobnicate`");
    assert!(!run.all().contains("did you mean"), "{}", run.all());
    assert!(org.requests().is_empty(), "no request for bad input");
}

#[test]
fn boolean_flags_take_a_value_after_a_space() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for value in ["true", "TRUE", "yes", "1"] {
        Cli::for_org(&org, Auth::AuthUrl, &["disable", "--dry-run", value])
            .run()
            .expect(0)
            .contains("would set false");
        assert!(enabled(&org), "--dry-run {value} changes nothing");
    }
    // `--dry-run status`: the flag, then the command.
    Cli::for_org(&org, Auth::AuthUrl, &["--dry-run", "status"])
        .run()
        .expect(0)
        .contains("enabled");
    // A word that is not a boolean is not taken as the value.
    Cli::for_org(&org, Auth::AuthUrl, &["status", "--dry-run", "maybe"])
        .run()
        .expect(2)
        .contains("unexpected argument `maybe`");
    // After `run`, the next word is the command to run.
    Cli::for_org(&org, Auth::AuthUrl, &["run", "--dry-run", "true"])
        .run()
        .expect(0);
    assert!(enabled(&org));
    // `--dry-run false` and `--dry-run=no` really change the org.
    Cli::for_org(&org, Auth::AuthUrl, &["disable", "--dry-run", "false"])
        .run()
        .expect(0);
    assert!(!enabled(&org), "--dry-run false disables");
    Cli::for_org(&org, Auth::AuthUrl, &["enable", "--dry-run=no"])
        .run()
        .expect(0);
    assert!(enabled(&org), "--dry-run=no enables");
    // The env forms the README lists.
    for value in ["Yes", "1", "TRUE"] {
        let mut cli = Cli::for_org(&org, Auth::AuthUrl, &["disable"]);
        cli.setting("dry-run", value);
        cli.run().expect(0).contains("would set false");
        assert!(enabled(&org), "STORECONNECT_DRY_RUN={value}");
    }
}

#[test]
fn login_url_is_ignored_by_the_methods_that_do_not_use_it() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    for auth in [Auth::AccessToken, Auth::AuthUrl, Auth::ClientCredentials] {
        for login in ["http://login.example.com", "not a url"] {
            let mut cli = Cli::for_org(&org, auth, &["status"]);
            cli.setting("login-url", login);
            cli.run().expect(0).contains("enabled");
        }
    }
    // The JWT flow uses it, so there it is still checked, before any request.
    let before = org.requests().len();
    let mut jwt = Cli::for_org(&org, Auth::Jwt, &["status"]);
    jwt.setting("login-url", "http://login.example.com");
    jwt.run().expect(2).contains("login-url");
    assert_eq!(org.requests().len(), before, "no request for bad input");
}

#[test]
fn readme_settings_table_is_generated_from_the_settings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let table = settings::readme_table();
    let start = readme
        .find("| Setting | Environment variable |")
        .expect("README has a settings table");
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |n| start + n + 1);
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    assert_eq!(
        &readme[start..end],
        table,
        "README's settings table differs from src/config/settings.rs; run \
         `UPDATE_README=1 cargo test --test it readme_settings_table` to regenerate it"
    );
}
