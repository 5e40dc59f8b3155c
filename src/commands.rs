//! The CLI commands (`status`, `enable`, `disable`, `run`) and the operations they share with
//! the GitHub Action.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::config::Config;
use crate::error::{EXIT_OK, EXIT_WRONG_STATE, Error, Result};
use crate::github::{Console, md_cell};
use crate::salesforce::http::Transport;
use crate::salesforce::{Deadline, Salesforce};
use crate::setting::{self, Located, Prepared, State};

/// Opens a connection for `config` (no request is sent yet).
pub fn connect(config: &Config, console: Console) -> Result<Salesforce> {
    let transport =
        Transport::new().map_err(|e| Error::Local(e.context("setting up the HTTP client")))?;
    Ok(Salesforce::new(
        transport,
        config.credentials.clone(),
        config.api_version.clone(),
        console,
    ))
}

/// The result of reading or changing the setting, for terminal output and job summaries.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Heading, e.g. "disable" or "guard (post)".
    pub title: String,
    /// The org host, once known.
    pub org: Option<String>,
    /// The resolved names, once known.
    pub located: Option<Located>,
    /// The value before.
    pub before: Option<State>,
    /// The value read back at the end.
    pub after: Option<State>,
    /// Whether a write was sent.
    pub changed: bool,
    /// What was done, in words.
    pub action: String,
    /// How long it took.
    pub duration: Duration,
    /// The failure and what to do next.
    pub failure: Option<(String, Option<String>)>,
    /// For guard's post: the value main saved before the job changed anything.
    pub before_job: Option<String>,
    /// Extra `(label, value)` rows, e.g. a health check's who/when/healed.
    pub details: Vec<(String, String)>,
}

impl Report {
    /// Starts a report.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            ..Self::default()
        }
    }

    /// Records a failure.
    pub fn fail(&mut self, error: &Error) {
        self.failure = Some((error.to_string(), error.hint().map(str::to_string)));
    }

    /// Markdown for `GITHUB_STEP_SUMMARY`.
    pub fn to_markdown(&self) -> String {
        let cell = |v: &Option<State>| {
            v.as_ref().map_or("—".to_string(), |s| {
                format!("`{}`", md_cell(&s.to_string()))
            })
        };
        let mut md = format!(
            "### StoreConnect triggers — {}\n\n| | |\n|---|---|\n",
            self.title
        );
        md.push_str(&format!(
            "| Org | {} |\n",
            self.org.as_deref().map_or("—".into(), md_cell)
        ));
        if let Some(l) = &self.located {
            md.push_str(&format!(
                "| Record | `{}` field `{}` |\n| Pin with | `{}` |\n",
                md_cell(&l.full_name()),
                md_cell(&l.field),
                md_cell(&l.pin_line())
            ));
        }
        if let Some(value) = &self.before_job {
            md.push_str(&format!("| Before the job | `{}` |\n", md_cell(value)));
        }
        md.push_str(&format!(
            "| Before | {} |\n| After | {} |\n",
            cell(&self.before),
            cell(&self.after)
        ));
        for (label, value) in &self.details {
            md.push_str(&format!("| {} | {} |\n", md_cell(label), md_cell(value)));
        }
        md.push_str(&format!(
            "| Done | {} |\n| Duration | {:.1} s |\n",
            md_cell(&self.action),
            self.duration.as_secs_f64()
        ));
        if let Some((message, hint)) = &self.failure {
            md.push_str(&format!("\n**Failed:** {}\n", md_cell(message)));
            if let Some(hint) = hint {
                md.push_str(&format!("\n**What to do:** {}\n", md_cell(hint)));
            }
        }
        md.push('\n');
        md
    }
}

/// Starts one operation: its deadline, a signed-in session, the org host in the report.
async fn start(sf: &mut Salesforce, config: &Config, report: &mut Report) -> Result<Deadline> {
    let deadline = Deadline::after(config.timeout);
    sf.connect(&deadline).await?;
    report.org = sf.org_host();
    Ok(deadline)
}

/// Prints the resolved names (in the form users pin them) and records them in the report.
fn resolved(sf: &Salesforce, report: &mut Report, located: &Located) {
    sf.console().info(&format!(
        "Resolved: {} (fullName {})",
        located.pin_line(),
        located.full_name()
    ));
    report.located = Some(located.clone());
}

/// Finds and reads the setting through SOQL.
pub async fn read(sf: &mut Salesforce, config: &Config, report: &mut Report) -> Result<State> {
    let deadline = start(sf, config, report).await?;
    let observed = setting::status(sf, &deadline, &config.pins).await?;
    resolved(sf, report, &observed.located);
    report.before = Some(observed.state.clone());
    report.after = Some(observed.state.clone());
    report.action = "read".into();
    Ok(observed.state)
}

/// Sets the setting to `wanted` and verifies it by reading back (honouring dry-run).
/// `before_write` runs after the value was read and before anything is written.
pub async fn change(
    sf: &mut Salesforce,
    config: &Config,
    wanted: bool,
    report: &mut Report,
    before_write: impl FnOnce(&Prepared) -> Result<()>,
) -> Result<State> {
    change_with(sf, config, wanted, report, before_write, false).await
}

/// Like [`change`], but writes `wanted` even when the record already reads so (a read cannot
/// be trusted while an earlier write may still land).
pub async fn overwrite(
    sf: &mut Salesforce,
    config: &Config,
    wanted: bool,
    report: &mut Report,
) -> Result<State> {
    change_with(sf, config, wanted, report, |_| Ok(()), true).await
}

async fn change_with(
    sf: &mut Salesforce,
    config: &Config,
    wanted: bool,
    report: &mut Report,
    before_write: impl FnOnce(&Prepared) -> Result<()>,
    force: bool,
) -> Result<State> {
    let deadline = start(sf, config, report).await?;
    let prepared = setting::prepare(sf, &deadline, &config.pins).await?;
    resolved(sf, report, &prepared.located);
    report.before = Some(prepared.state.clone());
    if let State::Invalid(raw) = &prepared.state {
        sf.console().warning("Unexpected value", &format!("{} holds {raw}, which is neither true nor false; it will be overwritten with {wanted}", prepared.located.full_name()));
    }
    before_write(&prepared)?;
    if config.dry_run {
        report.after = Some(prepared.state.clone());
        report.action = if prepared.state == State::Valid(wanted) {
            format!("dry run: already {wanted}, nothing would be written")
        } else {
            format!("dry run: would set {wanted}; nothing written")
        };
        return Ok(prepared.state);
    }
    let applied = if force {
        setting::rewrite(sf, &deadline, &prepared, wanted).await?
    } else {
        setting::apply(sf, &deadline, &prepared, wanted).await?
    };
    report.changed = applied.changed;
    report.after = Some(applied.after.clone());
    report.action = if applied.changed {
        format!("set {wanted}; verified by read-back")
    } else {
        format!("already {wanted}; nothing written")
    };
    Ok(applied.after)
}

/// How long after it was sent Salesforce may still apply a request whose answer never came:
/// its documented limit for one API call (REST and SOAP calls time out after 10 minutes).
pub const SERVER_CALL_LIMIT: Duration = Duration::from_secs(600);

/// [`SERVER_CALL_LIMIT`]; debug builds (the test suite) may shorten it with
/// `STORECONNECT_TEST_CALL_LIMIT_MS`, so tests need not wait 10 minutes. Release builds ignore it.
pub fn server_call_limit() -> Duration {
    #[cfg(debug_assertions)]
    {
        if let Some(ms) = std::env::var("STORECONNECT_TEST_CALL_LIMIT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            return Duration::from_millis(ms);
        }
    }
    SERVER_CALL_LIMIT
}

/// `2026-12-01T02:03:04Z` for a time (UTC, to the second).
pub fn utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// Restores `true` while an earlier write (`what`, e.g. "main's write") may still be applied by
/// Salesforce until `until`: a read proves nothing then. Writes `true` regardless, then reads back
/// again once that write can no longer land, rewriting if it did; or, if that is further away than
/// `timeout`, fails (exit 1) with the time to check again.
pub async fn restore_in_doubt(
    sf: &mut Salesforce,
    config: &Config,
    console: Console,
    report: &mut Report,
    until: SystemTime,
    what: &str,
) -> Result<State> {
    console.warning(
        "Write in doubt",
        &format!(
            "{what} got no answer; Salesforce may still apply it until {}. Writing true regardless and reading back again after that time.",
            utc(until)
        ),
    );
    overwrite(sf, config, true, report).await?;
    // A little past the limit, for the clock's resolution.
    let wait =
        until.duration_since(SystemTime::now()).unwrap_or_default() + Duration::from_millis(250);
    if wait > config.timeout {
        report.action = format!(
            "set true; verified by read-back; NOT re-verified: {what} may still land until {}",
            utc(until)
        );
        return Err(Error::WrongState {
            message: format!(
                "the triggers are true now (written and read back), but {what} got no answer and Salesforce may still apply it until {}: waiting {:.0}s for that is beyond the {}s timeout",
                utc(until),
                wait.as_secs_f64(),
                config.timeout.as_secs()
            ),
            hint: format!(
                "after {}, check the triggers (the action's mode: check, or `storeconnect-triggers status`) and enable them if they are off; to have this wait instead, raise timeout above {}s",
                utc(until),
                SERVER_CALL_LIMIT.as_secs()
            ),
        });
    }
    console.info(&format!(
        "Waiting {:.1}s until {what} can no longer land, then reading back again",
        wait.as_secs_f64()
    ));
    tokio::time::sleep(wait).await;
    let mut again_config = config.clone();
    if let Some(located) = &report.located {
        again_config.pins = located.as_pins();
    }
    let wrote_before = report.changed;
    let after = change(sf, &again_config, true, report, |_| Ok(())).await?;
    report.action = if report.changed {
        format!("set true; {what} landed afterwards, so set true again; verified by read-back")
    } else {
        format!("set true; verified by read-back, again after {what} could no longer land")
    };
    report.changed |= wrote_before;
    Ok(after)
}

fn print_report(report: &Report) {
    let before = report.before.as_ref().map_or("?".into(), State::to_string);
    let after = report.after.as_ref().map_or("?".into(), State::to_string);
    let org = report.org.as_deref().unwrap_or("?");
    if report.changed {
        println!(
            "StoreConnect triggers on {org}: {before} -> {after} ({})",
            report.action
        );
    } else {
        println!(
            "StoreConnect triggers on {org}: {after} ({})",
            report.action
        );
    }
}

/// `status`: exit 0 when enabled, 1 when disabled.
pub async fn status(config: &Config, console: Console, json: bool) -> Result<u8> {
    let mut sf = connect(config, console)?;
    let mut report = Report::new("status");
    let state = read(&mut sf, config, &mut report).await?;
    let located = report
        .located
        .clone()
        .ok_or_else(|| Error::Local(anyhow::anyhow!("no setting located")))?;
    let word = match &state {
        State::Valid(true) => "enabled",
        State::Valid(false) => "disabled",
        State::Invalid(_) => "invalid",
    };
    if json {
        let object = serde_json::json!({
            "state": word,
            "value": state.to_string(),
            "org": report.org,
            "setting_type": located.type_name,
            "setting_record": located.record,
            "setting_field": located.field,
        });
        println!("{object}");
    } else {
        println!(
            "StoreConnect triggers are {word} on {} ({} = {state})",
            report.org.as_deref().unwrap_or("?"),
            located.full_name()
        );
    }
    match state {
        State::Valid(true) => Ok(EXIT_OK),
        State::Valid(false) => Ok(EXIT_WRONG_STATE),
        State::Invalid(raw) => Err(Error::WrongState {
            message: format!(
                "field {} of {} holds {raw}, neither true nor false",
                located.field,
                located.full_name()
            ),
            hint:
                "set it with `storeconnect-triggers enable` (or in Setup > Custom Metadata Types)"
                    .into(),
        }),
    }
}

/// `enable` / `disable`.
pub async fn set(config: &Config, console: Console, wanted: bool) -> Result<u8> {
    let mut sf = connect(config, console)?;
    let mut report = Report::new(if wanted { "enable" } else { "disable" });
    let changed = change(&mut sf, config, wanted, &mut report, |_| Ok(())).await;
    warn_in_doubt(&sf, console, None);
    changed?;
    print_report(&report);
    Ok(EXIT_OK)
}

/// Warns when a write got no answer and may still be applied; `follow_up` says who will deal
/// with it (otherwise the user is told when to check).
pub fn warn_in_doubt(sf: &Salesforce, console: Console, follow_up: Option<&str>) {
    let Some(since) = sf.write_in_doubt_since() else {
        return;
    };
    let until = utc(since + server_call_limit());
    let next = follow_up.map_or_else(
        || format!("Check the triggers after {until} (`storeconnect-triggers status`, or the action's mode: check) and set them again if needed."),
        str::to_string,
    );
    console.warning(
        "Write in doubt",
        &format!(
            "A write of the StoreConnect setting got no answer, so Salesforce may still apply it, until {until}. {next}"
        ),
    );
}

/// The signals a long-running phase listens for. Registering them also stops them from
/// killing the process, which matters for PID 1 in a container.
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

/// Which signal arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caught {
    /// SIGINT.
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Caught {
    /// The signal number.
    pub fn number(self) -> i32 {
        match self {
            Caught::Interrupt => 2,
            Caught::Terminate => 15,
        }
    }

    /// The conventional exit code for a process stopped by this signal.
    pub fn exit_code(self) -> u8 {
        128 + self.number() as u8
    }

    /// The signal's name.
    pub fn name(self) -> &'static str {
        match self {
            Caught::Interrupt => "SIGINT",
            Caught::Terminate => "SIGTERM",
        }
    }
}

impl Signals {
    /// Installs handlers for SIGINT and SIGTERM.
    pub fn install() -> Result<Self> {
        let make = |kind| {
            signal(kind).map_err(|e| {
                Error::Local(anyhow::Error::new(e).context("installing signal handlers"))
            })
        };
        Ok(Self {
            interrupt: make(SignalKind::interrupt())?,
            terminate: make(SignalKind::terminate())?,
        })
    }

    /// Waits for the next SIGINT or SIGTERM.
    pub async fn next(&mut self) -> Caught {
        tokio::select! {
            _ = self.interrupt.recv() => Caught::Interrupt,
            _ = self.terminate.recv() => Caught::Terminate,
        }
    }
}

/// Sends `signal` to process `pid`.
#[allow(unsafe_code)]
fn send_signal(pid: u32, signal: Caught) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe {
        libc::kill(pid, signal.number());
    }
}

/// Quotes an argument for display the way a POSIX shell would need it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// The executable `program` names: a path (with `/`) or a name looked up on `PATH`.
fn find_program(program: &OsString) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &std::path::Path| {
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let path = std::path::Path::new(program);
    if program.to_string_lossy().contains('/') {
        return executable(path).then(|| path.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| executable(candidate))
}

/// `run -- CMD`: disable, run CMD, then always enable and verify. Exits with CMD's code unless
/// restoring failed.
pub async fn run(config: &Config, console: Console, argv: &[OsString]) -> Result<u8> {
    let shown = argv
        .iter()
        .map(|a| shell_quote(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    // Bad input: never turn the triggers off for a command that cannot start.
    if find_program(&argv[0]).is_none() {
        return Err(Error::usage(format!(
            "cannot run `{shown}`: `{}` is not an executable file{}",
            argv[0].to_string_lossy(),
            if argv[0].to_string_lossy().contains('/') {
                ""
            } else {
                " on PATH"
            }
        )));
    }
    let mut signals = Signals::install()?;
    let mut sf = connect(config, console)?;
    let mut report = Report::new("run: disable");
    let disabled = tokio::select! {
        r = change(&mut sf, config, false, &mut report, |_| Ok(())) => Some(r),
        caught = signals.next() => {
            console.warning("Interrupted", &format!("{} while disabling; restoring before exit", caught.name()));
            None
        }
    };
    let previous = report.before.clone();
    if config.dry_run {
        print_report(&report);
        println!(
            "dry run: would run `{shown}`, then set true and verify; nothing was run or written"
        );
        return match disabled {
            Some(result) => result.map(|_| EXIT_OK),
            None => Err(Error::Local(anyhow::anyhow!(
                "interrupted during the dry run"
            ))),
        };
    }
    let outcome = match disabled {
        // Nothing was located or read: nothing to restore, and CMD must not run unguarded.
        Some(Err(e)) if report.before.is_none() => return Err(e),
        Some(Err(e)) => Err(e),
        Some(Ok(_)) => {
            print_report(&report);
            run_child(argv, &shown, &mut signals, console).await
        }
        None => Err(Error::Local(anyhow::anyhow!(
            "interrupted before `{shown}` started"
        ))),
    };
    // Restore whatever happened above, under a fresh deadline, with the names already found.
    let mut restore_config = config.clone();
    if let Some(located) = &report.located {
        restore_config.pins = located.as_pins();
    }
    let mut restore = Report::new("run: enable");
    let in_doubt_until = sf
        .write_in_doubt_since()
        .map(|since| since + server_call_limit())
        .filter(|until| *until > SystemTime::now());
    let restored = match in_doubt_until {
        Some(until) => {
            restore_in_doubt(
                &mut sf,
                &restore_config,
                console,
                &mut restore,
                until,
                "the write that disabled them",
            )
            .await
        }
        None => change(&mut sf, &restore_config, true, &mut restore, |_| Ok(())).await,
    };
    match &restored {
        Ok(_) => {
            print_report(&restore);
            console.info(&format!(
                "Triggers restored to true (verified); before the run they were {}",
                previous.map_or("unknown".into(), |p| p.to_string())
            ));
        }
        Err(e) => console.error(
            "Triggers NOT restored",
            &format!("{e}; the org may be left with triggers off"),
        ),
    }
    match (outcome, restored) {
        (_, Err(e)) => Err(e),
        (Err(e), Ok(_)) => Err(e),
        (Ok(code), Ok(_)) => Ok(code),
    }
}

async fn run_child(
    argv: &[OsString],
    shown: &str,
    signals: &mut Signals,
    console: Console,
) -> Result<u8> {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        .spawn()
        .map_err(|e| {
            Error::Local(anyhow::Error::new(e).context(format!("could not start `{shown}`")))
        })?;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.map_err(|e| Error::Local(anyhow::Error::new(e).context(format!("waiting for `{shown}`"))))?,
            caught = signals.next() => {
                // Ctrl-C in a terminal already reached the command (same process group); a
                // second SIGINT could make it abort its own cleanup. Without a terminal (CI,
                // a container's PID 1) only we got the signal, so pass it on.
                let from_terminal = caught == Caught::Interrupt && std::io::stdin().is_terminal();
                console.warning("Interrupted", &format!("{} received: {} `{shown}` and restoring the triggers when it exits", caught.name(), if from_terminal { "waiting for" } else { "passing it to" }));
                if let (false, Some(pid)) = (from_terminal, child.id()) {
                    send_signal(pid, caught);
                }
            }
        }
    };
    use std::os::unix::process::ExitStatusExt;
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(sig)) => 128u8.saturating_add(sig as u8),
        _ => 1,
    };
    console.info(&format!(
        "`{shown}` exited with code {code} after {:.1}s",
        started.elapsed().as_secs_f64()
    ));
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_times() {
        let at = |secs: u64| utc(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_090_766), "2026-12-01T02:06:06Z");
        assert_eq!(at(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn quotes_commands_for_display() {
        assert_eq!(shell_quote("sf"), "sf");
        assert_eq!(shell_quote("--file=data/a.csv"), "--file=data/a.csv");
        assert_eq!(shell_quote("echo hi; exit 7"), "'echo hi; exit 7'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn finds_programs_on_path_or_by_path() {
        assert!(find_program(&OsString::from("sh")).is_some());
        assert!(find_program(&OsString::from("/bin/sh")).is_some());
        let not_executable = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        assert!(find_program(&OsString::from(not_executable)).is_none());
        assert!(find_program(&OsString::from("no-such-program-sct")).is_none());
    }
}
