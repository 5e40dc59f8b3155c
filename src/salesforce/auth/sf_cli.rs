//! `target-org`: sign in with a login the Salesforce CLI (`sf`) already holds. sf is asked, in
//! order: `sf org auth show-sfdx-auth-url` (a refresh token: the tool then renews sessions
//! itself, as with `auth-url`); for a login without one (JWT), `sf org auth show-access-token`
//! plus the instance URL from `sf org display`; for a CLI older than the `org auth` commands,
//! `sf org display --verbose` while it still shows secrets. Every secret sf hands over is masked
//! in a runner at once and never printed.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Credentials;
use crate::github::Console;
use crate::salesforce::error::SfError;
use crate::salesforce::http::Deadline;
use crate::secret::Secret;
use crate::url_policy;

/// The Salesforce CLI's program name, looked up on `PATH`.
pub const PROGRAM: &str = "sf";

/// What sf shows instead of a secret it will not print (plugin-org 5.11 and later).
const REDACTED: &str = "[REDACTED]";

/// How a session from sf is renewed when the org refuses it (`INVALID_SESSION_ID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// `sf org auth show-access-token`, which refreshes the session first.
    ShowAccessToken,
    /// `sf org display`, on CLIs without the `org auth` commands (it refreshes too).
    Display,
}

/// One answer of `sf … --json`.
enum Reply {
    /// `status` 0: the command's `result`.
    Done(Value),
    /// A non-zero `status`: sf's error name and message.
    Refused { name: String, message: String },
    /// No JSON envelope at all: this sf does not know the command (it prints text, exits 127).
    NotJson { stderr: String },
}

/// Asks sf about one org.
struct Sf<'a> {
    target_org: &'a str,
    timeout: Duration,
}

/// The credentials of the sf login `target_org`. Errors are configuration errors (exit 2):
/// they come before any request to the org and say what to do.
pub fn credentials(target_org: &str, timeout: Duration) -> Result<Credentials, String> {
    let sf = Sf {
        target_org,
        timeout,
    };
    let command = "org auth show-sfdx-auth-url";
    match sf.ask(command)? {
        Reply::Done(result) => sf.via_auth_url(command, &result),
        Reply::Refused { name, .. } if name == "NoRefreshTokenError" => sf.via_access_token(),
        Reply::Refused { name, message } => Err(sf.refused(command, &name, &message)),
        Reply::NotJson { .. } => sf.via_display(),
    }
}

/// A fresh access token from sf, for a session the org refused.
pub async fn renew(
    target_org: &str,
    renewal: Renewal,
    timeout: Duration,
    deadline: &Deadline,
) -> Result<Secret, SfError> {
    let target_org = target_org.to_string();
    let timeout = timeout.min(deadline.remaining());
    let action = format!("asking the Salesforce CLI for a new session of `{target_org}`");
    let answer = tokio::task::spawn_blocking(move || {
        let sf = Sf {
            target_org: &target_org,
            timeout,
        };
        match renewal {
            Renewal::ShowAccessToken => sf.access_token("org auth show-access-token"),
            Renewal::Display => sf.access_token("org display"),
        }
    })
    .await
    .unwrap_or_else(|_| Err("the question to sf stopped unexpectedly".into()));
    answer.map_err(|answer| SfError {
        action,
        answer,
        code: None,
        hint: "check the login with `sf org display --target-org ALIAS`; log in again with `sf org login web --alias ALIAS` (or `sf org login jwt`)".into(),
    })
}

impl Sf<'_> {
    /// Credentials from an `sfdxAuthUrl` in `result`: the refresh-token flow.
    fn via_auth_url(&self, command: &str, result: &Value) -> Result<Credentials, String> {
        let url = self.secret(command, result, "sfdxAuthUrl")?;
        let mut credentials = Credentials::from_auth_url(url.expose()).map_err(|e| {
            format!(
                "`sf {command}` for `{}` gave an auth URL this tool cannot use: {e}",
                self.target_org
            )
        })?;
        if let Credentials::RefreshToken {
            target_org,
            client_secret,
            refresh_token,
            ..
        } = &mut credentials
        {
            mask(refresh_token);
            if let Some(secret) = client_secret {
                mask(secret);
            }
            *target_org = Some(self.target_org.to_string());
        }
        Ok(credentials)
    }

    /// Credentials from `show-access-token` and `display`: a login without a refresh token.
    fn via_access_token(&self) -> Result<Credentials, String> {
        let token = self.access_token("org auth show-access-token")?;
        let display = "org display";
        let instance_url = match self.ask(display)? {
            Reply::Done(result) => self.instance_url(display, &result)?,
            Reply::Refused { name, message } => return Err(self.refused(display, &name, &message)),
            Reply::NotJson { stderr } => return Err(self.not_json(display, &stderr)),
        };
        Ok(self.session(instance_url, token, Renewal::ShowAccessToken))
    }

    /// Credentials from `sf org display --verbose` (CLIs without `org auth`), while it shows secrets.
    fn via_display(&self) -> Result<Credentials, String> {
        let command = "org display --verbose";
        let result = match self.ask(command)? {
            Reply::Done(result) => result,
            Reply::Refused { name, message } => return Err(self.refused(command, &name, &message)),
            Reply::NotJson { stderr } => return Err(self.not_json(command, &stderr)),
        };
        if result.get("sfdxAuthUrl").is_some_and(Value::is_string) {
            return self.via_auth_url(command, &result);
        }
        let token = self.secret(command, &result, "accessToken")?;
        let instance_url = self.instance_url(command, &result)?;
        Ok(self.session(instance_url, token, Renewal::Display))
    }

    fn session(&self, instance_url: reqwest::Url, token: Secret, renewal: Renewal) -> Credentials {
        Credentials::SalesforceCli {
            target_org: self.target_org.to_string(),
            instance_url,
            token: Some(token),
            renewal,
            timeout: self.timeout,
        }
    }

    /// `result.accessToken` of `command`.
    fn access_token(&self, command: &str) -> Result<Secret, String> {
        match self.ask(command)? {
            Reply::Done(result) => self.secret(command, &result, "accessToken"),
            Reply::Refused { name, message } => Err(self.refused(command, &name, &message)),
            Reply::NotJson { stderr } => Err(self.not_json(command, &stderr)),
        }
    }

    /// The secret `result.<field>`, masked at once; a redacted one is refused.
    fn secret(&self, command: &str, result: &Value, field: &str) -> Result<Secret, String> {
        let Some(value) = result.get(field).and_then(Value::as_str) else {
            return Err(format!(
                "`sf {command} --target-org {} --json` answered without result.{field}; check the login with `sf org display --target-org {0}`",
                self.target_org
            ));
        };
        let secret = Secret::new(value.trim());
        mask(&secret);
        if secret.expose().starts_with(REDACTED) {
            return Err(format!(
                "`sf {command}` redacts {field} and this sf has no `sf org auth` commands: update the Salesforce CLI (`sf update`, or npm install -g @salesforce/cli)"
            ));
        }
        if secret.expose().is_empty() || secret.expose().chars().any(char::is_control) {
            return Err(format!(
                "`sf {command}` answered with an empty or malformed {field} (not shown); log in again with `sf org login web --alias {}`",
                self.target_org
            ));
        }
        Ok(secret)
    }

    /// `result.instanceUrl` (never redacted), checked like `instance-url`.
    fn instance_url(&self, command: &str, result: &Value) -> Result<reqwest::Url, String> {
        let url = result
            .get("instanceUrl")
            .and_then(Value::as_str)
            .unwrap_or_default();
        url_policy::secure_url(&format!("`sf {command}`'s instanceUrl"), url)
    }

    /// sf's refusal, with its name and message and what to do.
    fn refused(&self, command: &str, name: &str, message: &str) -> String {
        let org = self.target_org;
        let todo = if name.contains("NotFound") || name.contains("NoAuthInfo") {
            format!(
                "log in with `sf org login web --alias {org}` (`sf org list` shows the logins sf has), or use another sign-in method"
            )
        } else {
            format!(
                "check the login with `sf org display --target-org {org}`; log in again with `sf org login web --alias {org}`"
            )
        };
        format!(
            "the Salesforce CLI could not give the login `{org}`: `sf {command}` answered {}: {}; {todo}",
            shown(name, 100),
            shown(message, 500)
        )
    }

    fn not_json(&self, command: &str, stderr: &str) -> String {
        format!(
            "`sf {command} --target-org {} --json` did not answer with JSON ({}); check that `sf` on PATH is the Salesforce CLI (`sf --version`) and up to date (`sf update`)",
            self.target_org,
            shown(
                stderr
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("no output"),
                300
            )
        )
    }

    /// Runs `sf <command> --target-org ORG --json` with no input (so it cannot prompt) and
    /// reads its JSON envelope. `Err`: sf could not be run or did not finish in time.
    fn ask(&self, command: &str) -> Result<Reply, String> {
        let mut child = Command::new(PROGRAM)
            .args(command.split(' '))
            .args(["--target-org", self.target_org, "--json"])
            // Errors too as JSON on stdout; no telemetry or update check on our behalf.
            .env("SF_JSON_TO_STDOUT", "true")
            .env("SF_DISABLE_TELEMETRY", "true")
            .env("SF_AUTOUPDATE_DISABLE", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "target-org needs the Salesforce CLI, but `{PROGRAM}` is not on PATH: install it (npm install -g @salesforce/cli) and log in (`sf org login web --alias {}`), or use another sign-in method",
                    self.target_org
                ),
                kind => format!("the Salesforce CLI (`{PROGRAM}`) could not be started ({kind})"),
            })?;
        let read = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_string(&mut text);
                }
                text
            })
        };
        let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
        let start = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if start.elapsed() < self.timeout => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "`sf {command} --target-org {}` did not finish within {} s (timeout); check that `sf org display --target-org {0}` works",
                        self.target_org,
                        self.timeout.as_secs()
                    ));
                }
            }
        }
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        Ok(envelope(&stdout)
            .or_else(|| envelope(&stderr))
            .map_or(Reply::NotJson { stderr }, |json| reply(&json)))
    }
}

/// The JSON object in sf's output (it starts at the first `{`), if any.
fn envelope(output: &str) -> Option<Value> {
    let start = output.find('{')?;
    serde_json::from_str::<Value>(output[start..].trim_end())
        .ok()
        .filter(Value::is_object)
}

/// `{"status":0,"result":{…}}` or `{"status":1,"name":"…","message":"…"}`.
fn reply(json: &Value) -> Reply {
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_string);
    match (
        json.get("status").and_then(Value::as_i64),
        json.get("result"),
    ) {
        (Some(0), Some(result)) => Reply::Done(result.clone()),
        _ => Reply::Refused {
            name: text("name").unwrap_or_else(|| "an error".into()),
            message: text("message").unwrap_or_else(|| "(no message)".into()),
        },
    }
}

/// Text from sf on one line, control characters escaped, at most `max` characters.
fn shown(text: &str, max: usize) -> String {
    let one_line: String = text
        .trim()
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    match one_line.char_indices().nth(max) {
        None => one_line,
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
    }
}

/// Masks a secret from sf in a GitHub runner (`::add-mask::`) before anything can print it.
fn mask(secret: &Secret) {
    Console::from_env().mask(secret.expose());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sf_envelopes() {
        let ok = envelope(
            "Warning: x\n{\"status\":0,\"result\":{\"accessToken\":\"t\"},\"warnings\":[]}\n",
        );
        assert!(matches!(ok.as_ref().map(reply), Some(Reply::Done(r)) if r["accessToken"] == "t"));
        let refused = envelope(
            r#"{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for staging."}"#,
        )
        .map(|j| reply(&j));
        assert!(
            matches!(refused, Some(Reply::Refused { name, message }) if name == "NamedOrgNotFoundError" && message.starts_with("No authorization"))
        );
        assert!(
            envelope(" ›   Warning: org auth show-sfdx-auth-url is not a sf command.").is_none()
        );
    }

    #[test]
    fn sf_text_is_shown_on_one_line_and_clipped() {
        assert_eq!(shown("a\nb\u{1}", 100), "a\\nb\\u{1}");
        assert_eq!(shown(&"x".repeat(600), 500).chars().count(), 501);
    }
}
