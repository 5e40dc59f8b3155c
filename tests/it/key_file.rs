//! `jwt-key-file`: the JWT key as a file, as `sf org login jwt --jwt-key-file` takes it. Bad
//! files fail with exit 2 naming the path, never the contents, before any request.

use crate::action::{Job, with_org};
use crate::common::*;

/// JWT settings for `org` with the key given as the file `path`.
fn jwt_with_file(org: &SimOrg, path: &str) -> Vec<(&'static str, String)> {
    let mut settings: Vec<_> = auth_settings(org, Auth::Jwt)
        .into_iter()
        .filter(|(name, _)| *name != "jwt-key")
        .collect();
    settings.push(("jwt-key-file", path.to_string()));
    settings
}

#[test]
fn a_key_file_signs_in_from_an_absolute_or_a_relative_path() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let dir = temp_dir("key-file");
    std::fs::write(dir.join("server.key"), simorg::JWT_KEY_PEM).expect("key");
    let absolute = dir.join("server.key").display().to_string();
    let mut cli = Cli::new(&["status"]);
    cli.settings(&jwt_with_file(&org, &absolute));
    cli.run().expect(0).contains("JWT bearer");

    let mut relative = Cli::new(&["status", "--jwt-key-file", "server.key"]);
    relative.settings(&jwt_with_file(&org, "elsewhere.key"));
    relative.command().current_dir(&dir);
    relative.run().expect(0);
}

#[test]
fn bad_key_files_are_named_never_shown_and_nothing_is_sent() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let dir = temp_dir("bad-key-file");
    let not_pem = dir.join("notes.txt");
    std::fs::write(&not_pem, "SECRET-CONTENT not a key").expect("file");
    let binary = dir.join("key.der");
    std::fs::write(&binary, [0x30, 0x82, 0xff, 0xfe, 0x00]).expect("file");
    let truncated = dir.join("truncated.key");
    std::fs::write(
        &truncated,
        &simorg::JWT_KEY_PEM[..simorg::JWT_KEY_PEM.len() / 2],
    )
    .expect("file");
    let missing = dir.join("missing.key");
    let path = |p: &std::path::Path| p.display().to_string();
    for (file, message) in [
        (path(&not_pem), "is not PEM text"),
        (path(&binary), "is not a PEM private key: it is not text"),
        (path(&truncated), "has no END line"),
        (path(&missing), "does not exist"),
        (path(&dir), "cannot be read"),
    ] {
        let mut cli = Cli::new(&["disable"]);
        cli.settings(&jwt_with_file(&org, &file));
        let run = cli.run();
        run.expect(2)
            .contains(&format!("jwt-key-file `{file}` {message}"));
        assert!(!run.all().contains("SECRET-CONTENT"), "{}", run.all());
        assert!(!run.all().contains("MII"), "no key material: {}", run.all());
    }
    // Both the key and a key file: refused, naming the path.
    let mut both = Cli::for_org(&org, Auth::Jwt, &["status"]);
    both.setting("jwt-key-file", &path(&not_pem));
    let run = both.run();
    run.expect(2).contains(&format!(
        "jwt-key and jwt-key-file (`{}`) both give the JWT private key",
        path(&not_pem)
    ));
    assert!(!run.all().contains("SECRET-CONTENT"));
    assert!(org.requests().is_empty(), "no request for bad input");
}

#[test]
fn the_action_reads_the_key_file_relative_to_the_workspace() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    // A workspace that is not the current directory: only GITHUB_WORKSPACE leads to the key.
    let workspace = temp_dir("workspace");
    std::fs::create_dir_all(workspace.join("keys")).expect("dir");
    std::fs::write(workspace.join("keys/server.key"), simorg::JWT_KEY_PEM).expect("key");
    let mut with: Vec<(&str, String)> = with_org(&org, Auth::Jwt, &[("mode", "check")])
        .into_iter()
        .filter(|(name, _)| *name != "jwt-key")
        .collect();
    with.push(("jwt-key-file", "keys/server.key".into()));
    let mut job = Job::new(&with);
    job.env("GITHUB_WORKSPACE", &workspace.display().to_string());
    job.main().run.expect(0);

    with.pop();
    with.push(("jwt-key-file", "keys/other.key".into()));
    let mut missing = Job::new(&with);
    missing.env("GITHUB_WORKSPACE", &workspace.display().to_string());
    let other = workspace.join("keys/other.key").display().to_string();
    missing
        .main()
        .run
        .expect(2)
        .contains(&format!("jwt-key-file `{other}` does not exist"));
}
