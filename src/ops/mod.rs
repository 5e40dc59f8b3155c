//! The operations both front ends (the CLI's commands and the GitHub Action) share: connect,
//! read, change and verify, their [`Report`], a write in doubt ([`InDoubt`]) and restoring
//! after one, and the health check.

pub mod health;
pub mod in_doubt;
mod report;
mod restore;

pub use in_doubt::{InDoubt, Writes};
pub use report::Report;
pub use restore::restore;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::github::Console;
use crate::salesforce::Deadline;
use crate::salesforce::Salesforce;
use crate::salesforce::http::{Event, Transport};
use crate::salesforce::tls::CaFileError;
use crate::setting::{self, Located, Observed, Prepared, State};

/// Opens a connection for `config` (no request is sent yet); what it reports while it works is
/// printed on `console`.
pub fn connect(config: &Config, console: Console) -> Result<Salesforce> {
    let mut transport = Transport::new().map_err(|e| match e.downcast::<CaFileError>() {
        Ok(bad_ca_file) => Error::Usage(bad_ca_file.to_string()),
        Err(e) => Error::Local(e.context("setting up the HTTP client")),
    })?;
    transport.set_listener(Box::new(move |event| print_event(console, &event)));
    Ok(Salesforce::new(
        transport,
        config.credentials.clone(),
        config.api_version.clone(),
        console,
    ))
}

/// Prints what the connection reported: a new token as a mask, the rest as lines.
fn print_event(console: Console, event: &Event) {
    match event {
        Event::Token(token) => console.mask(token.expose()),
        Event::RefreshTokenRotated(_) => {
            console.warning("Refresh token rotated", &event.to_string())
        }
        Event::Retrying { .. } | Event::SessionExpired { .. } | Event::SignedIn { .. } => {
            console.info(&event.to_string())
        }
    }
}

/// Starts one operation: its deadline, a signed-in session, the org host in the report.
async fn start(sf: &mut Salesforce, config: &Config, report: &mut Report) -> Result<Deadline> {
    let deadline = Deadline::after(config.timeout);
    sf.connect(&deadline).await?;
    report.org = sf.org_host();
    Ok(deadline)
}

/// `config` with the names already resolved (if any) pinned, so a follow-up operation (a
/// restore, a heal, a second read-back) finds the same record with no second discovery.
pub fn pinned(config: &Config, located: Option<&Located>) -> Config {
    let mut config = config.clone();
    if let Some(located) = located {
        config.pins = located.as_pins();
    }
    config
}

/// Prints the resolved names (in the form users pin them) and records them in the report.
/// A report that holds these names already (a restore after the change that found them, a
/// second read-back) prints nothing: the names are shown once per run.
fn resolved(sf: &Salesforce, report: &mut Report, located: &Located) {
    if report
        .located
        .as_ref()
        .is_some_and(|known| known.pin_line() == located.pin_line())
    {
        return;
    }
    sf.console().info(&format!(
        "Resolved: {} (fullName {})",
        located.pin_line(),
        located.full_name()
    ));
    report.located = Some(located.clone());
}

/// Finds and reads the setting through SOQL.
pub async fn read(sf: &mut Salesforce, config: &Config, report: &mut Report) -> Result<Observed> {
    let deadline = start(sf, config, report).await?;
    let observed = setting::status(sf, &deadline, &config.pins).await?;
    resolved(sf, report, &observed.located);
    report.before = Some(observed.state.clone());
    report.after = Some(observed.state.clone());
    report.action = "read".into();
    Ok(observed)
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
