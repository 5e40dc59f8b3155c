//! `--target-org`: the Salesforce CLI's login, asked from a fake `sf` on PATH that answers
//! `org auth show-sfdx-auth-url`, `org auth show-access-token` and `org display` with the JSON
//! of salesforcecli/plugin-org (SfCommand's `{"status","result","warnings"}` envelope, errors as
//! `{"status":1,"name","message"}`) and logs every call.

use std::path::{Path, PathBuf};

use crate::action::{Job, with_org};
use crate::common::*;

/// A fake `sf` in its own directory: per command a canned answer, per call a log line.
struct FakeSf {
    dir: PathBuf,
}

/// The script: the answer for `org auth X` is `X.json` (for the Nth call `X.N.json` when it
/// exists), for `org display` `display.json`, exit code in `X.code` (default 0). A command with
/// no answer file behaves like an sf without it: text on stderr, exit 127.
const SCRIPT: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/calls.log"
case "$1 $2" in
  "org auth") key=$3 ;;
  "org display") key=display ;;
  *) key=other ;;
esac
n=$(grep -c -- "$key" "$dir/calls.log")
file="$dir/$key.$n.json"
[ -f "$file" ] || file="$dir/$key.json"
if [ ! -f "$file" ]; then
  echo " ›   Warning: $1 $2 $3 is not a sf command." >&2
  exit 127
fi
cat "$file"
exit "$(cat "$dir/$key.code" 2>/dev/null || echo 0)"
"#;

impl FakeSf {
    fn new() -> Self {
        let dir = temp_dir("sf");
        let sf = dir.join("sf");
        std::fs::write(&sf, SCRIPT).expect("fake sf");
        let mut perms = std::fs::metadata(&sf).expect("sf").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&sf, perms).expect("chmod sf");
        FakeSf { dir }
    }

    /// `sf … <key>` answers `result` with status 0.
    fn answers(&self, key: &str, result: serde_json::Value) -> &Self {
        let json = serde_json::json!({"status": 0, "result": result, "warnings": ["a warning"]});
        std::fs::write(self.dir.join(format!("{key}.json")), json.to_string()).expect("answer");
        self
    }

    /// The `n`th call of `sf … <key>` answers `result`.
    fn answers_call(&self, key: &str, n: usize, result: serde_json::Value) -> &Self {
        let json = serde_json::json!({"status": 0, "result": result, "warnings": []});
        std::fs::write(self.dir.join(format!("{key}.{n}.json")), json.to_string()).expect("answer");
        self
    }

    /// `sf … <key>` fails as sf does with `--json`.
    fn refuses(&self, key: &str, name: &str, message: &str) -> &Self {
        let json = serde_json::json!({
            "name": name, "message": message, "exitCode": 1, "status": 1,
            "context": "OrgAuthShowSfdxAuthUrl", "stack": format!("{name}: {message}\n    at x"),
            "warnings": [], "code": "1", "commandName": "OrgAuthShowSfdxAuthUrl",
        });
        std::fs::write(self.dir.join(format!("{key}.json")), json.to_string()).expect("answer");
        std::fs::write(self.dir.join(format!("{key}.code")), "1").expect("code");
        self
    }

    /// Every call, as its arguments.
    fn calls(&self) -> Vec<String> {
        read(&self.dir.join("calls.log"))
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// PATH with this sf first.
    fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn cli(&self, args: &[&str]) -> Cli {
        let mut cli = Cli::new(args);
        cli.env("PATH", &self.path()).setting("timeout", "20");
        cli
    }
}

fn dir(path: &Path) -> String {
    path.display().to_string()
}

/// The refresh token inside simorg's auth URL (the part a leak would show).
fn refresh_token(org: &SimOrg) -> String {
    let url = org.auth_url();
    let creds = &url["force://".len()..url.rfind('@').expect("@")];
    creds.rsplit(':').next().expect("token").to_string()
}

#[test]
fn a_web_login_is_used_through_its_auth_url_and_its_secrets_are_masked() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.answers(
        "show-sfdx-auth-url",
        serde_json::json!({ "sfdxAuthUrl": org.auth_url() }),
    );
    let mut cli = sf.cli(&["status", "--target-org", "prod"]);
    cli.env("GITHUB_ACTIONS", "true");
    let run = cli.run();
    run.expect(0)
        .contains("the Salesforce CLI's login (refresh token)");
    assert_eq!(
        sf.calls(),
        ["org auth show-sfdx-auth-url --target-org prod --json"],
        "one question to sf"
    );
    assert_eq!(
        count(&org, Op::Token),
        1,
        "the tool renews the session itself"
    );
    let token = refresh_token(&org);
    assert!(
        run.stderr.starts_with("::add-mask::"),
        "masked first:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("::add-mask::{token}\n")));
    only_in_masks(&run, &token);
}

/// `secret` shows up only in `::add-mask::` lines.
#[track_caller]
fn only_in_masks(run: &Run, secret: &str) {
    for line in run.all().lines().filter(|l| l.contains(secret)) {
        assert!(line.starts_with("::add-mask::"), "leaked: {line}");
    }
}

#[test]
fn a_jwt_login_uses_the_access_token_and_asks_sf_again_when_the_session_expires() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    let stale = org.issue_access_token();
    org.expire_sessions();
    let fresh = org.issue_access_token();
    sf.refuses(
        "show-sfdx-auth-url",
        "NoRefreshTokenError",
        "An SFDX Auth URL is not available for \"ci@acme.example\". This URL is only available for orgs authenticated via a web-based login flow.",
    )
    .answers_call("show-access-token", 1, serde_json::json!({ "accessToken": stale }))
    .answers_call("show-access-token", 2, serde_json::json!({ "accessToken": fresh }))
    .answers(
        "display",
        serde_json::json!({
            "accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view",
            "instanceUrl": org.instance_url(),
            "username": "ci@acme.example",
            "alias": "ci",
        }),
    );
    let mut cli = sf.cli(&["status", "-o", "ci"]);
    cli.env("GITHUB_ACTIONS", "true");
    let run = cli.run();
    run.expect(0).contains("session expired");
    assert_eq!(
        sf.calls(),
        [
            "org auth show-sfdx-auth-url --target-org ci --json",
            "org auth show-access-token --target-org ci --json",
            "org display --target-org ci --json",
            "org auth show-access-token --target-org ci --json",
        ],
        "sf is asked once more after INVALID_SESSION_ID"
    );
    assert_eq!(count(&org, Op::Token), 0, "no token request of our own");
    for token in [&stale, &fresh] {
        assert!(run.stderr.contains(&format!("::add-mask::{token}")));
        only_in_masks(&run, token);
    }
}

#[test]
fn an_older_cli_without_org_auth_is_read_through_org_display_unless_it_redacts() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.answers(
        "display",
        serde_json::json!({
            "accessToken": org.issue_access_token(),
            "instanceUrl": org.instance_url(),
            "sfdxAuthUrl": org.auth_url(),
        }),
    );
    sf.cli(&["status", "--target-org", "old"]).run().expect(0);
    assert_eq!(
        sf.calls(),
        [
            "org auth show-sfdx-auth-url --target-org old --json",
            "org display --verbose --target-org old --json",
        ]
    );
    assert_eq!(count(&org, Op::Token), 1, "its auth URL was used");

    let redacting = FakeSf::new();
    redacting.answers(
        "display",
        serde_json::json!({
            "accessToken": "[REDACTED] Use 'sf org auth show-access-token' to view",
            "instanceUrl": org.instance_url(),
        }),
    );
    org.clear_requests();
    redacting
        .cli(&["status", "--target-org", "old"])
        .run()
        .expect(2)
        .contains("update the Salesforce CLI");
    assert!(org.requests().is_empty());
}

#[test]
fn sf_refusing_or_missing_is_bad_input_before_any_request() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let sf = FakeSf::new();
    sf.refuses(
        "show-sfdx-auth-url",
        "NamedOrgNotFoundError",
        "No authorization information found for staging.",
    );
    sf.cli(&["enable", "--target-org", "staging"])
        .run()
        .expect(2)
        .contains("`sf org auth show-sfdx-auth-url` answered NamedOrgNotFoundError: No authorization information found for staging.")
        .contains("sf org login web --alias staging");
    assert_eq!(sf.calls().len(), 1);

    // No sf on PATH at all.
    let empty = temp_dir("no-sf");
    let mut cli = Cli::new(&["status", "--target-org", "prod"]);
    cli.env("PATH", &dir(&empty));
    cli.run()
        .expect(2)
        .contains("`sf` is not on PATH")
        .contains("npm install -g @salesforce/cli");

    // Exactly one sign-in method: sf is not even asked.
    let mut both = sf.cli(&["status", "--target-org", "prod"]);
    both.setting("auth-url", &org.auth_url());
    both.run()
        .expect(2)
        .contains("auth-url and target-org select different sign-in methods");
    assert_eq!(sf.calls().len(), 1, "sf was not asked");
    assert!(org.requests().is_empty(), "no request to the org");
}

#[test]
fn the_action_refuses_target_org_and_says_what_to_use() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let with: Vec<(&str, String)> = with_org(&org, Auth::AuthUrl, &[("mode", "check")])
        .into_iter()
        .filter(|(k, _)| *k != "auth-url")
        .collect();
    // Not an input of action.yml: a step that passes it anyway still sets INPUT_TARGET-ORG.
    let mut job = Job::new(&with);
    job.env("INPUT_TARGET-ORG", "prod");
    job.main()
        .run
        .expect(2)
        .contains("INPUT_TARGET-ORG: target-org works with the command-line tool only")
        .contains("pass it as auth-url");
    assert!(org.requests().is_empty());
}

#[test]
fn an_sf_that_does_not_answer_is_stopped_at_the_timeout() {
    let sf = FakeSf::new();
    std::fs::write(sf.dir.join("sf"), "#!/bin/sh\nexec sleep 30\n").expect("slow sf");
    let started = std::time::Instant::now();
    let mut cli = sf.cli(&["status", "--target-org", "prod"]);
    cli.setting("timeout", "1");
    cli.run().expect(2).contains("did not finish within 1 s");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_rotated_refresh_token_says_the_cli_login_must_be_renewed() {
    let org = SimOrg::start(OrgConfig {
        rotate_refresh_tokens: true,
        ..OrgConfig::default()
    });
    let sf = FakeSf::new();
    sf.answers(
        "show-sfdx-auth-url",
        serde_json::json!({ "sfdxAuthUrl": org.auth_url() }),
    );
    sf.cli(&["status", "-o", "prod"])
        .run()
        .expect(0)
        .contains("the Salesforce CLI's login `prod` is now invalid: log in again with `sf org login web --alias prod`");
}
