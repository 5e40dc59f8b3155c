//! A fake `sf` on PATH that answers `org auth show-sfdx-auth-url`, `org auth show-access-token`
//! and `org display` with the JSON of salesforcecli/plugin-org (SfCommand's
//! `{"status","result","warnings"}` envelope, errors as `{"status":1,"name","message"}`) and
//! logs every call.

use std::path::PathBuf;

use crate::common::*;

/// A fake `sf` in its own directory: per command a canned answer, per call a log line.
pub struct FakeSf {
    pub dir: PathBuf,
}

/// The script: the answer for `org auth X` is `X.json` (for the Nth call `X.N.json` when it
/// exists), for `org display` `display.json`, exit code in `X.N.code` or `X.code` (default 0).
/// `X.sh`, when present, is run first in the same shell (it may sleep, start children or exit).
/// A command with no answer file behaves like an sf without it: text on stderr, exit 127.
const SCRIPT: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/calls.log"
case "$1 $2" in
  "org auth") key=$3 ;;
  "org display") key=display ;;
  *) key=other ;;
esac
n=$(grep -c -- "$key" "$dir/calls.log")
[ -f "$dir/$key.sh" ] && . "$dir/$key.sh"
file="$dir/$key.$n.json"
[ -f "$file" ] || file="$dir/$key.json"
if [ ! -f "$file" ]; then
  echo " ›   Warning: $1 $2 $3 is not a sf command." >&2
  exit 127
fi
cat "$file"
code="$dir/$key.$n.code"
[ -f "$code" ] || code="$dir/$key.code"
exit "$(cat "$code" 2>/dev/null || echo 0)"
"#;

impl FakeSf {
    pub fn new() -> Self {
        let dir = temp_dir("sf");
        let sf = dir.join("sf");
        std::fs::write(&sf, SCRIPT).expect("fake sf");
        let mut perms = std::fs::metadata(&sf).expect("sf").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&sf, perms).expect("chmod sf");
        FakeSf { dir }
    }

    /// `sf … <key>` answers `result` with status 0.
    pub fn answers(&self, key: &str, result: serde_json::Value) -> &Self {
        let json = serde_json::json!({"status": 0, "result": result, "warnings": ["a warning"]});
        self.write(key, &json.to_string(), 0)
    }

    /// The `n`th call of `sf … <key>` answers `result`.
    pub fn answers_call(&self, key: &str, n: usize, result: serde_json::Value) -> &Self {
        let json = serde_json::json!({"status": 0, "result": result, "warnings": []});
        self.write(&format!("{key}.{n}"), &json.to_string(), 0)
    }

    /// `sf … <key>` fails as sf does with `--json`.
    pub fn refuses(&self, key: &str, name: &str, message: &str) -> &Self {
        self.write(key, &refusal(name, message), 1)
    }

    /// The `n`th call of `sf … <key>` fails as sf does with `--json`.
    pub fn refuses_call(&self, key: &str, n: usize, name: &str, message: &str) -> &Self {
        self.write(&format!("{key}.{n}"), &refusal(name, message), 1)
    }

    /// `sf … <key>` runs `shell` (in its own shell, `$dir` is this directory) before answering.
    pub fn runs(&self, key: &str, shell: &str) -> &Self {
        std::fs::write(self.dir.join(format!("{key}.sh")), shell).expect("script");
        self
    }

    fn write(&self, stem: &str, answer: &str, code: i32) -> &Self {
        std::fs::write(self.dir.join(format!("{stem}.json")), answer).expect("answer");
        std::fs::write(self.dir.join(format!("{stem}.code")), code.to_string()).expect("code");
        self
    }

    /// Every call, as its arguments.
    pub fn calls(&self) -> Vec<String> {
        read(&self.dir.join("calls.log"))
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// PATH with this sf first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// The CLI with this sf first on PATH and a timeout of 20 s.
    pub fn cli(&self, args: &[&str]) -> Cli {
        let mut cli = Cli::new(args);
        cli.env("PATH", &self.path()).setting("timeout", "20");
        cli
    }

    /// Whether the process whose id a script wrote to `file` is gone (or a zombie, which
    /// holds nothing open and runs nothing). Reads `/proc`: the tests run on Linux.
    pub fn is_gone(&self, file: &str) -> bool {
        let pid = read(&self.dir.join(file));
        let pid = pid.trim();
        assert!(!pid.is_empty(), "the fake sf wrote no pid to {file}");
        let stat = read(&PathBuf::from(format!("/proc/{pid}/stat")));
        // `pid (comm) STATE …`: the state follows the last `)`.
        stat.rsplit_once(')')
            .is_none_or(|(_, rest)| rest.trim_start().starts_with(['Z', 'X']))
    }
}

/// sf's `--json` error envelope.
fn refusal(name: &str, message: &str) -> String {
    serde_json::json!({
        "name": name, "message": message, "exitCode": 1, "status": 1,
        "context": "OrgAuthShowSfdxAuthUrl", "stack": format!("{name}: {message}\n    at x"),
        "warnings": [], "code": "1", "commandName": "OrgAuthShowSfdxAuthUrl",
    })
    .to_string()
}
