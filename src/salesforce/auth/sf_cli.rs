//! `target-org`: sign in with a login the Salesforce CLI (`sf`) already holds. sf is asked, in
//! order: `sf org auth show-sfdx-auth-url` (a refresh token: the tool then renews sessions
//! itself, as with `auth-url`); for a login without one (JWT), `sf org auth show-access-token`
//! plus the instance URL from `sf org display`; for a CLI older than the `org auth` commands,
//! `sf org display --verbose` while it still shows secrets. Every secret sf hands over is masked
//! in a runner at once and never printed.

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;

use super::Credentials;
use super::sf_process::{self, MAX_OUTPUT_BYTES, Reply, RunError};
use crate::github::Console;
use crate::salesforce::error::SfError;
use crate::salesforce::http::Deadline;
use crate::secret::Secret;
use crate::url_policy;

/// The Salesforce CLI's program name, looked up on `PATH`.
pub(crate) const PROGRAM: &str = "sf";

/// What sf shows instead of a secret it will not print (plugin-org 5.11 and later).
const REDACTED: &str = "[REDACTED]";

/// The question for a login's SFDX auth URL; an sf without it predates `org auth`.
const SHOW_AUTH_URL: &str = "org auth show-sfdx-auth-url";

/// How a session from sf is renewed when the org refuses it (`INVALID_SESSION_ID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// `sf org auth show-access-token`, which refreshes the session first.
    ShowAccessToken,
    /// `sf org display`, on CLIs without the `org auth` commands (it refreshes too).
    Display,
}

/// What sf handed over, checked; the credentials are built from it last (an auth URL is
/// parsed then, before any of its parts is handed on).
enum Login {
    /// An SFDX auth URL (refresh token), as `command` gave it.
    AuthUrl { url: Secret, command: &'static str },
    /// An access token and the org it is for.
    Session {
        token: Secret,
        instance_url: Url,
        renewal: Renewal,
    },
}

/// Asks sf about one org; all questions share one deadline.
struct Sf<'a> {
    target_org: &'a str,
    timeout: Duration,
    deadline: Instant,
}

/// The credentials of the sf login `target_org`; all questions to sf together get `timeout`.
/// Errors are configuration errors (exit 2): they come before any request to the org and say
/// what to do.
pub(crate) fn credentials(target_org: &str, timeout: Duration) -> Result<Credentials, String> {
    let sf = Sf::new(target_org, timeout);
    let login = sf.login()?;
    sf.build(login)
}

/// A fresh access token from sf, for a session the org refused.
pub(crate) async fn renew(
    target_org: &str,
    renewal: Renewal,
    timeout: Duration,
    deadline: &Deadline,
) -> Result<Secret, SfError> {
    let target_org = target_org.to_string();
    let timeout = timeout.min(deadline.remaining());
    let action = format!("asking the Salesforce CLI for a new session of `{target_org}`");
    let hint = format!(
        "check the login with `sf org display --target-org {target_org}`; log in again with `sf org login web --alias {target_org}` (or `sf org login jwt … --alias {target_org}`)"
    );
    let answer = tokio::task::spawn_blocking(move || {
        let sf = Sf::new(&target_org, timeout);
        match renewal {
            Renewal::ShowAccessToken => sf.access_token("org auth show-access-token"),
            Renewal::Display => sf.access_token("org display"),
        }
    })
    .await
    .unwrap_or_else(|_| Err("the question to sf stopped unexpectedly".into()));
    answer.map_err(|answer| SfError::new(action, answer, hint))
}

impl<'a> Sf<'a> {
    fn new(target_org: &'a str, timeout: Duration) -> Self {
        Sf {
            target_org,
            timeout,
            deadline: Instant::now() + timeout,
        }
    }

    /// Asks sf, in order, for the auth URL, else (a login without one) the access token, else
    /// (an sf without `org auth`, and only then) `org display --verbose`.
    fn login(&self) -> Result<Login, String> {
        match self.ask(SHOW_AUTH_URL)? {
            Reply::Done(result) => Ok(Login::AuthUrl {
                url: self.secret(SHOW_AUTH_URL, &result, "sfdxAuthUrl")?,
                command: SHOW_AUTH_URL,
            }),
            Reply::Refused { name, .. } if name == "NoRefreshTokenError" => self.via_access_token(),
            Reply::Missing { .. } => self.via_display(),
            other => Err(self.failed(SHOW_AUTH_URL, other)),
        }
    }

    /// `show-access-token` and `display`: a login without a refresh token.
    fn via_access_token(&self) -> Result<Login, String> {
        let token = self.access_token("org auth show-access-token")?;
        let display = "org display";
        let result = self.done(display)?;
        Ok(Login::Session {
            instance_url: self.instance_url(display, &result)?,
            token,
            renewal: Renewal::ShowAccessToken,
        })
    }

    /// `sf org display --verbose` (CLIs without `org auth`), while it shows secrets.
    fn via_display(&self) -> Result<Login, String> {
        const COMMAND: &str = "org display --verbose";
        let result = self.done(COMMAND)?;
        let auth_url = result.get("sfdxAuthUrl").and_then(Value::as_str);
        if auth_url.is_some_and(|url| !url.trim_start().starts_with(REDACTED)) {
            return Ok(Login::AuthUrl {
                url: self.secret(COMMAND, &result, "sfdxAuthUrl")?,
                command: COMMAND,
            });
        }
        Ok(Login::Session {
            token: self.secret(COMMAND, &result, "accessToken")?,
            instance_url: self.instance_url(COMMAND, &result)?,
            renewal: Renewal::Display,
        })
    }

    /// The credentials, built only now that every check passed. The parts of an auth URL are
    /// masked before they are returned (the URL as a whole already is).
    fn build(&self, login: Login) -> Result<Credentials, String> {
        let target_org = self.target_org.to_string();
        Ok(match login {
            Login::AuthUrl { url, command } => {
                let parsed = Credentials::from_auth_url(url.expose()).map_err(|e| {
                    format!("`sf {command}` for `{target_org}` gave an auth URL this tool cannot use: {e}")
                })?;
                let Credentials::RefreshToken {
                    token_host,
                    client_id,
                    client_secret,
                    refresh_token,
                    ..
                } = parsed
                else {
                    unreachable!("an auth URL is the refresh-token flow")
                };
                mask(&refresh_token);
                client_secret.iter().for_each(mask);
                Credentials::RefreshToken {
                    token_host,
                    client_id,
                    client_secret,
                    refresh_token,
                    target_org: Some(target_org),
                }
            }
            Login::Session {
                token,
                instance_url,
                renewal,
            } => Credentials::SalesforceCli {
                target_org,
                instance_url,
                token: Some(token),
                renewal,
                timeout: self.timeout,
            },
        })
    }

    /// `result.accessToken` of `command`.
    fn access_token(&self, command: &str) -> Result<Secret, String> {
        let result = self.done(command)?;
        self.secret(command, &result, "accessToken")
    }

    /// The `result` of `command`, or sf's answer as an error.
    fn done(&self, command: &str) -> Result<Value, String> {
        match self.ask(command)? {
            Reply::Done(result) => Ok(result),
            other => Err(self.failed(command, other)),
        }
    }

    /// The secret `result.<field>`, masked before anything can print it; a redacted one
    /// (not a secret: nothing to mask) is refused.
    fn secret(&self, command: &str, result: &Value, field: &str) -> Result<Secret, String> {
        let org = self.target_org;
        let Some(value) = result.get(field).and_then(Value::as_str) else {
            return Err(format!(
                "`sf {command} --target-org {org} --json` answered without result.{field}; check the login with `sf org display --target-org {org}`"
            ));
        };
        let value = value.trim();
        if value.starts_with(REDACTED) {
            return Err(format!(
                "`sf {command}` redacts {field} and this sf has no `sf org auth` commands: update the Salesforce CLI (`sf update`, or npm install -g @salesforce/cli)"
            ));
        }
        let secret = Secret::new(value);
        mask(&secret);
        if value.is_empty() || value.chars().any(char::is_control) {
            return Err(format!(
                "`sf {command}` answered with an empty or malformed {field} (not shown); log in again with `sf org login web --alias {org}`"
            ));
        }
        Ok(secret)
    }

    /// `result.instanceUrl` (never redacted), checked like `instance-url`.
    fn instance_url(&self, command: &str, result: &Value) -> Result<Url, String> {
        let url = result
            .get("instanceUrl")
            .and_then(Value::as_str)
            .unwrap_or_default();
        url_policy::secure_url(&format!("`sf {command}`'s instanceUrl"), url)
    }

    /// An answer of `command` that is not its result, in words.
    fn failed(&self, command: &str, reply: Reply) -> String {
        let org = self.target_org;
        let (what, stderr) = match reply {
            Reply::Refused { name, message } => return self.refused(command, &name, &message),
            Reply::Done(_) => return format!("`sf {command}` answered for `{org}` unexpectedly"),
            Reply::Missing { stderr } => ("is not a command of this sf", stderr),
            Reply::NotJson { stderr } => ("did not answer with JSON", stderr),
        };
        let first = stderr.lines().find(|l| !l.trim().is_empty());
        format!(
            "`sf {command} --target-org {org} --json` {what} ({}); check that `sf` on PATH is the Salesforce CLI (`sf --version`) and up to date (`sf update`)",
            shown(first.unwrap_or("nothing on stderr"), 300)
        )
    }

    /// sf's refusal, with its name and message and what to do.
    fn refused(&self, command: &str, name: &str, message: &str) -> String {
        let org = self.target_org;
        let todo = if name.contains("NotFound") || name.contains("NoAuthInfo") {
            format!(
                "log in with `sf org login web --alias {org}` (`sf org list` shows the logins sf has), or use another sign-in method"
            )
        } else if expired(name, message) {
            format!(
                "the Salesforce CLI's login `{org}` has expired or was revoked: log in again with `sf org login web --alias {org}` (`sf org login jwt … --alias {org}` for a JWT login)"
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

    /// Runs `sf <command> --target-org ORG --json` until the shared deadline and reads its
    /// JSON envelope. `Err`: sf could not be run, did not finish in time or printed too much.
    fn ask(&self, command: &str) -> Result<Reply, String> {
        let org = self.target_org;
        let mut sf = Command::new(PROGRAM);
        sf.args(command.split(' '))
            .args(["--target-org", org, "--json"])
            // Errors too as JSON on stdout; no telemetry or update check on our behalf.
            .env("SF_JSON_TO_STDOUT", "true")
            .env("SF_DISABLE_TELEMETRY", "true")
            .env("SF_AUTOUPDATE_DISABLE", "true");
        let asked = format!("`sf {command} --target-org {org} --json`");
        sf_process::ask(sf, self.deadline).map_err(|e| match e {
            RunError::NotFound => format!(
                "target-org needs the Salesforce CLI, but `{PROGRAM}` is not on PATH: install it (npm install -g @salesforce/cli) and log in (`sf org login web --alias {org}`), or use another sign-in method"
            ),
            RunError::Start(kind) => {
                format!("the Salesforce CLI (`{PROGRAM}`) could not be started ({kind})")
            }
            RunError::TimedOut => format!(
                "{asked} did not finish within the timeout of {} s (shared by all questions to sf) and was stopped with the processes it started; check that `sf org display --target-org {org}` answers, or raise timeout",
                self.timeout.as_secs()
            ),
            RunError::TooMuchOutput => format!(
                "{asked} printed more than {} MB, which is no answer, and was stopped; check that `sf` on PATH is the Salesforce CLI (`sf --version`)",
                MAX_OUTPUT_BYTES / (1024 * 1024)
            ),
        })
    }
}

/// Whether sf's error says the login's refresh token expired or was revoked.
fn expired(name: &str, message: &str) -> bool {
    name == "RefreshTokenAuthError"
        || ["expired access/refresh token", "RefreshTokenAuthError"]
            .iter()
            .any(|words| message.contains(words))
}

/// Text from sf on one line, control characters escaped, at most `max` characters.
fn shown(text: &str, max: usize) -> String {
    crate::outside::one_line(text.trim(), max)
}

/// Masks a secret from sf in a GitHub runner (`::add-mask::`) before anything can print it.
fn mask(secret: &Secret) {
    Console::from_env().mask(secret.expose());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sf_text_is_shown_on_one_line_and_clipped() {
        assert_eq!(shown("a\nb\u{1}", 100), "a\\nb\\u{1}");
        assert_eq!(shown(&"x".repeat(600), 500).chars().count(), 501);
    }
}
