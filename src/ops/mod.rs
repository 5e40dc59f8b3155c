//! The operations both front ends (the CLI's commands and the GitHub Action) share, on one
//! context ([`Op`]): connect, read, change and verify, their [`Report`], a write in doubt
//! ([`InDoubt`]) and restoring after one, and the health check.

pub(crate) mod health;
pub(crate) mod in_doubt;
mod report;
mod restore;

pub(crate) use in_doubt::{InDoubt, Writes};
pub use report::Report;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::github::Console;
use crate::salesforce::Deadline;
use crate::salesforce::Salesforce;
use crate::salesforce::http::{Event, Transport};
use crate::salesforce::tls::CaFileError;
use crate::setting::{self, Applied, Located, Observed, Prepared, State};

/// One operation's context: the connection, the validated settings (names pinned once found,
/// see [`Op::pin`]), where progress is printed, and the report it fills in.
pub(crate) struct Op<'r> {
    /// The connection (signed in by the first operation).
    pub(crate) sf: Salesforce,
    /// The settings.
    pub(crate) config: Config,
    /// Where progress, masks and warnings go.
    pub(crate) console: Console,
    /// What was found and done, for the front end to print.
    pub(crate) report: &'r mut Report,
}

impl<'r> Op<'r> {
    /// Opens a connection for `config` (no request is sent yet); what it reports while it works
    /// is printed on `console`.
    pub(crate) fn new(config: &Config, console: Console, report: &'r mut Report) -> Result<Self> {
        let mut transport = Transport::new().map_err(|e| match e.downcast::<CaFileError>() {
            Ok(bad_ca_file) => Error::Usage(bad_ca_file.to_string()),
            Err(e) => Error::Local(e.context("setting up the HTTP client")),
        })?;
        transport.set_listener(Box::new(move |event| print_event(console, &event)));
        let sf = Salesforce::new(
            transport,
            config.credentials.clone(),
            config.api_version.clone(),
        );
        Ok(Op {
            sf,
            config: config.clone(),
            console,
            report,
        })
    }

    /// Pins the names the report resolved (if any), so the operations that follow (a restore,
    /// a heal, a second read-back) find the same record with no second discovery.
    pub(crate) fn pin(&mut self) {
        if let Some(located) = &self.report.located {
            self.config.pins = located.as_pins();
        }
    }

    /// Starts one operation: its deadline, a signed-in session, the org host in the report.
    async fn start(&mut self) -> Result<Deadline> {
        let deadline = Deadline::after(self.config.timeout);
        self.sf.connect(&deadline).await?;
        self.report.org = self.sf.org_host();
        Ok(deadline)
    }

    /// Prints the resolved names (in the form users pin them) and records them in the report.
    /// A report that holds these names already (a restore after the change that found them, a
    /// second read-back) prints nothing: the names are shown once per run.
    fn resolved(&mut self, located: &Located) {
        if self.report.resolved(located) {
            self.console.info(&format!(
                "Resolved: {} (fullName {})",
                located.pin_line(),
                located.full_name()
            ));
        }
    }

    /// Finds and reads the setting through SOQL.
    pub(crate) async fn read(&mut self) -> Result<Observed> {
        let deadline = self.start().await?;
        let observed = setting::status(&mut self.sf, &deadline, &self.config.pins).await?;
        self.resolved(&observed.located);
        self.report.read(&observed.state);
        Ok(observed)
    }

    /// Sets the setting to `wanted` and verifies it by reading back (honouring dry-run).
    /// `before_write` runs after the value was read and before anything is written.
    pub(crate) async fn change(
        &mut self,
        wanted: bool,
        before_write: impl FnOnce(&Prepared) -> Result<()>,
    ) -> Result<Applied> {
        self.change_with(wanted, before_write, false).await
    }

    /// Like [`Op::change`], but writes `wanted` even when the record already reads so (a read
    /// cannot be trusted while an earlier write may still land).
    pub(crate) async fn overwrite(&mut self, wanted: bool) -> Result<Applied> {
        self.change_with(wanted, |_| Ok(()), true).await
    }

    async fn change_with(
        &mut self,
        wanted: bool,
        before_write: impl FnOnce(&Prepared) -> Result<()>,
        force: bool,
    ) -> Result<Applied> {
        let deadline = self.start().await?;
        let prepared = setting::prepare(&mut self.sf, &deadline, &self.config.pins).await?;
        self.resolved(&prepared.located);
        self.report.found(&prepared.state);
        if let State::Invalid(raw) = &prepared.state {
            self.console.warning("Unexpected value", &format!("{} holds {raw}, which is neither true nor false; it will be overwritten with {wanted}", prepared.located.full_name()));
        }
        before_write(&prepared)?;
        let applied = if self.config.dry_run {
            Applied {
                changed: false,
                after: prepared.state,
            }
        } else if force {
            setting::rewrite(&mut self.sf, &deadline, &prepared, wanted).await?
        } else {
            setting::apply(&mut self.sf, &deadline, &prepared, wanted).await?
        };
        self.report.applied(&applied, wanted, self.config.dry_run);
        Ok(applied)
    }
}

/// Prints what the connection reported: a new token as a mask, the rest as lines.
fn print_event(console: Console, event: &Event) {
    match event {
        Event::Token(token) => console.mask(token.expose()),
        Event::RefreshTokenRotated(_) => {
            console.warning("Refresh token rotated", &event.to_string())
        }
        Event::Retrying { .. }
        | Event::SessionExpired { .. }
        | Event::SignedIn { .. }
        | Event::ReadBack { .. }
        | Event::WriteUnanswered { .. } => console.info(&event.to_string()),
    }
}
