//! GitHub Actions runner I/O: workflow commands (masks, annotations, groups) with the runner's
//! escaping rules, and the file commands (`GITHUB_OUTPUT`, `GITHUB_STATE`, `GITHUB_STEP_SUMMARY`).
//!
//! Outside Actions the same [`Console`] prints plain lines. Everything goes to stderr, which the
//! runner scans for commands too, so stdout stays clean for `--json`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::outside::clip;

/// Escapes workflow-command data: `%`, CR, LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes workflow-command property values: as data, plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The most characters of an annotation's message (the runner keeps 4,096).
pub(crate) const MAX_ANNOTATION_CHARS: usize = 3_000;
/// The most characters of an annotation's title.
pub(crate) const MAX_TITLE_CHARS: usize = 200;

/// Where progress, masks and annotations go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Console {
    actions: bool,
}

impl Console {
    /// A console that speaks workflow commands when `actions` is true.
    pub(crate) fn new(actions: bool) -> Self {
        Self { actions }
    }

    /// Reads `GITHUB_ACTIONS=true` from the environment.
    pub(crate) fn from_env() -> Self {
        Self::new(std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"))
    }

    /// Whether we run inside GitHub Actions.
    pub(crate) fn in_actions(&self) -> bool {
        self.actions
    }

    /// Asks the runner to hide `secret` from all later log output.
    pub(crate) fn mask(&self, secret: &str) {
        if self.actions && !secret.is_empty() {
            crate::output::command(format_args!("::add-mask::{}", escape_data(secret)));
        }
    }

    /// A progress line.
    pub(crate) fn info(&self, message: &str) {
        crate::output::err(format_args!("{message}"));
    }

    /// A warning (an annotation in Actions).
    pub(crate) fn warning(&self, title: &str, message: &str) {
        self.annotate("warning", title, message);
    }

    /// An error (an annotation in Actions).
    pub(crate) fn error(&self, title: &str, message: &str) {
        self.annotate("error", title, message);
    }

    fn annotate(&self, level: &str, title: &str, message: &str) {
        if self.actions {
            // The runner cuts a message at 4,096 characters; clip below that, visibly.
            let message = clip(message, MAX_ANNOTATION_CHARS);
            crate::output::command(format_args!(
                "::{level} title={}::{}",
                escape_property(&clip(title, MAX_TITLE_CHARS)),
                escape_data(&message)
            ));
        } else {
            crate::output::err(format_args!("{level}: {title}: {message}"));
        }
    }

    /// Starts a collapsible group (Actions only).
    pub(crate) fn group(&self, name: &str) {
        if self.actions {
            crate::output::command(format_args!("::group::{}", escape_data(name)));
        }
    }

    /// Ends the group started by [`Console::group`].
    pub(crate) fn end_group(&self) {
        if self.actions {
            crate::output::command(format_args!("::endgroup::"));
        }
    }
}

/// Appends `name=value` (heredoc with a random delimiter for multi-line values) to the
/// file command named by the environment variable `env_var`, if the runner set it.
pub(crate) fn append_file_command(env_var: &str, name: &str, value: &str) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os(env_var).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    append(Path::new(&path), &file_command_entry(name, value))
        .with_context(|| format!("writing {name} to {env_var}"))
}

/// One file-command entry, LF line endings only: `name=value\n`, or for multi-line values
/// `name<<DELIM\nvalue\nDELIM\n` with a random delimiter that does not occur in the value.
pub fn file_command_entry(name: &str, value: &str) -> String {
    if value.contains('\n') || value.contains('\r') {
        let delimiter = loop {
            let candidate = format!(
                "ghadelimiter_{:016x}",
                (crate::backoff::unit_random() * 2f64.powi(53)) as u64
            );
            if !value.contains(&candidate) {
                break candidate;
            }
        };
        let value = value.replace("\r\n", "\n").replace('\r', "\n");
        format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
    } else {
        format!("{name}={value}\n")
    }
}

/// Sets a step output (`GITHUB_OUTPUT`).
pub(crate) fn set_output(name: &str, value: &str) -> anyhow::Result<()> {
    append_file_command("GITHUB_OUTPUT", name, value)
}

/// Saves state for the post step (`GITHUB_STATE`); post reads it as `STATE_<name>`.
pub(crate) fn save_state(name: &str, value: &str) -> anyhow::Result<()> {
    append_file_command("GITHUB_STATE", name, value)
}

/// In the post step: the state main saved under `name` with [`save_state`], unless unset or empty.
pub(crate) fn saved_state(name: &str) -> Option<String> {
    std::env::var(format!("STATE_{name}"))
        .ok()
        .filter(|v| !v.is_empty())
}

/// Appends Markdown to the job summary (`GITHUB_STEP_SUMMARY`), if the runner set it.
pub(crate) fn append_summary(markdown: &str) -> anyhow::Result<()> {
    match std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        Some(path) => append(Path::new(&path), markdown).context("writing the job summary"),
        None => Ok(()),
    }
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().append(true).create(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// Text for the job summary (a table cell or a paragraph) that shows as written, never as
/// Markdown or HTML: `&`, `<`, `>` as entities; `\`, `[`, `]`, `|`, `@` escaped with a backslash
/// (no link, image, mention or cell break); the `:` of `://` and the `.` of `www.` escaped so no
/// bare URL becomes a link; line breaks as spaces. Backticks stay: a code span shows its text
/// literally, so the worst an outside backtick can do is change which part is monospace.
pub fn md_cell(text: &str) -> String {
    let mut shown = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        match c {
            '\r' | '\n' => shown.push(' '),
            '&' => shown.push_str("&amp;"),
            '<' => shown.push_str("&lt;"),
            '>' => shown.push_str("&gt;"),
            '\\' | '[' | ']' | '|' | '@' => {
                shown.push('\\');
                shown.push(c);
            }
            ':' if text[i..].starts_with("://") => shown.push_str("\\:"),
            '.' if text
                .get(i.saturating_sub(3)..i)
                .is_some_and(|w| w.eq_ignore_ascii_case("www")) =>
            {
                shown.push_str("\\.")
            }
            c => shown.push(c),
        }
    }
    shown
}

/// Text for the job summary as a code span (monospace, shown literally: no Markdown, no HTML),
/// fenced with more backticks than it holds; `|` escaped for the table, line breaks as spaces.
pub fn md_code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ").replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_command_entries() {
        assert_eq!(file_command_entry("state", "false"), "state=false\n");
        let entry = file_command_entry("note", "line 1\r\nline 2");
        let (header, rest) = entry.split_once('\n').unwrap();
        let delimiter = header.strip_prefix("note<<").unwrap();
        assert!(delimiter.starts_with("ghadelimiter_"));
        assert_eq!(rest, format!("line 1\nline 2\n{delimiter}\n"));
        assert!(!entry.contains('\r'));
        assert_ne!(
            file_command_entry("a", "x\ny"),
            file_command_entry("a", "x\ny"),
            "random delimiter"
        );
    }

    #[test]
    fn summary_text_is_text() {
        let evil =
            "Jane [docs](https://evil.example/x) <img src=https://evil.example/p.png> `x` | y";
        let cell = md_cell(evil);
        assert_eq!(
            cell,
            "Jane \\[docs\\](https\\://evil.example/x) &lt;img src=https\\://evil.example/p.png&gt; `x` \\| y"
        );
        assert_eq!(
            md_cell("see www.evil.example & a@b.c"),
            "see www\\.evil.example &amp; a\\@b.c"
        );
        assert_eq!(md_code("s_c__Setting__mdt"), "`s_c__Setting__mdt`");
        assert_eq!(md_code("a``b|c"), "```a``b\\|c```");
        assert_eq!(md_code("`x"), "`` `x ``");
    }

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a: b, 100%\n"), "a%3A b%2C 100%25%0A");
    }
}
