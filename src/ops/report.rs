//! The job summary (and terminal) report of one operation.

use std::time::Duration;

use crate::github::{md_cell, md_code};
use crate::setting::{Applied, Located, State};

/// The result of reading or changing the setting, for terminal output and job summaries.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Heading, e.g. "disable" or "guard (post)".
    pub(crate) title: String,
    /// The org host, once known.
    pub(crate) org: Option<String>,
    /// The resolved names, once known.
    pub(crate) located: Option<Located>,
    /// The value before.
    pub(crate) before: Option<State>,
    /// The value read back at the end.
    pub(crate) after: Option<State>,
    /// Whether a write was sent.
    pub(crate) changed: bool,
    /// What was done, in words.
    pub action: String,
    /// How long it took.
    pub(crate) duration: Duration,
    /// The failure and what to do next.
    pub failure: Option<(String, Option<String>)>,
    /// For guard's post: the value main saved before the job changed anything.
    pub(crate) before_job: Option<String>,
    /// Extra `(label, value)` rows, e.g. a health check's who/when/healed.
    pub details: Vec<(String, String)>,
}

/// The head of a two-column table without column titles.
const TABLE: &str = "| | |\n|---|---|\n";

impl Report {
    /// Starts a report.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            ..Self::default()
        }
    }

    /// Starts over as the report of the operation that follows this one (`title`, e.g. a
    /// restore after a change), keeping the names already resolved so they are not shown again.
    pub(crate) fn follow_with(&mut self, title: &str) {
        *self = Report {
            located: self.located.take(),
            ..Report::new(title)
        };
    }

    /// Records the resolved names; `false` when it holds them already.
    pub(super) fn resolved(&mut self, located: &Located) -> bool {
        let known = self.located.as_ref();
        if known.is_some_and(|known| known.pin_line() == located.pin_line()) {
            return false;
        }
        self.located = Some(located.clone());
        true
    }

    /// Records a read: the value is both before and after.
    pub(super) fn read(&mut self, state: &State) {
        self.before = Some(state.clone());
        self.after = Some(state.clone());
        self.action = "read".into();
    }

    /// Records the value found before a change.
    pub(super) fn found(&mut self, state: &State) {
        self.before = Some(state.clone());
    }

    /// Records a change to `wanted` (`dry_run`: one that was only looked at): what it read
    /// back, whether it wrote (over the report's life) and what was done, in words.
    pub(super) fn applied(&mut self, applied: &Applied, wanted: bool, dry_run: bool) {
        self.after = Some(applied.after.clone());
        self.changed |= applied.changed;
        self.action = match (dry_run, applied.changed) {
            (true, _) if applied.after == State::Valid(wanted) => {
                format!("dry run: already {wanted}, nothing would be written")
            }
            (true, _) => format!("dry run: would set {wanted}; nothing written"),
            (false, true) => format!("set {wanted}; verified by read-back"),
            (false, false) => format!("already {wanted}; nothing written"),
        };
    }

    /// Markdown for `GITHUB_STEP_SUMMARY`.
    pub fn to_markdown(&self) -> String {
        let cell = |v: &Option<State>| {
            v.as_ref()
                .map_or("—".to_string(), |s| md_code(&s.to_string()))
        };
        let mut md = format!("### StoreConnect triggers — {}\n\n", self.title);
        if let Some(value) = &self.before_job {
            // Main's saved value, apart from what this phase itself read and wrote.
            md.push_str(&format!(
                "Saved by main before it changed anything:\n\n{TABLE}| Before the job | {} |\n\nRead and written by this step:\n\n",
                md_code(value)
            ));
        }
        md.push_str(TABLE);
        md.push_str(&format!(
            "| Org | {} |\n",
            self.org.as_deref().map_or("—".into(), md_cell)
        ));
        if let Some(l) = &self.located {
            md.push_str(&format!(
                "| Record | {} field {} |\n| Pin with | {} |\n",
                md_code(&l.full_name()),
                md_code(&l.field),
                md_code(&l.pin_line())
            ));
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
