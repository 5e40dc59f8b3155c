//! Lines to stdout and stderr that never stop the tool and never speak for it.
//!
//! `println!` panics when the reader went away (`… | head -1`, a closed log pipe); between
//! turning the triggers off and back on that panic would leave them off. A line nobody can read
//! is dropped instead.
//!
//! The GitHub runner reads both streams for workflow commands: a line starting with `::` (after
//! white space) or holding `##[` anywhere. Only [`command`], which [`crate::github`] alone calls
//! for the tool's own commands, may print one; [`out`] and [`err`] defuse any that slipped into a
//! line (text from outside should already be escaped by [`crate::outside::Outside`]; this is the
//! second wall).

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

/// Writes one line to stdout (results: the state, JSON, help); a write error is ignored.
pub(crate) fn out(line: fmt::Arguments<'_>) {
    let text = line.to_string();
    let _ = writeln!(std::io::stdout().lock(), "{}", defuse(&text));
}

/// Writes one line to stderr (progress, annotations, errors); a write error is ignored.
pub(crate) fn err(line: fmt::Arguments<'_>) {
    let text = line.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{}", defuse(&text));
}

/// Writes one of the tool's own workflow commands to stderr, as built (its data escaped by the
/// caller); a write error is ignored.
pub(crate) fn command(line: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// `text` with no line the runner would read as a workflow command: a line (split where the
/// runner splits: LF, CR) whose first non-blank characters are `::` gets its first colon as
/// `\u003a`, and every `##[` becomes `##\u005b` (a JSON string escape, so JSON output stays valid
/// and means the same). Text without either comes back unchanged.
pub fn defuse(text: &str) -> Cow<'_, str> {
    let starts_command = |line: &str| line.trim_start().starts_with("::");
    if !text.contains("##[") && !text.split(['\n', '\r']).any(starts_command) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    let mut rest = text;
    loop {
        let end = rest.find(['\n', '\r']).map_or(rest.len(), |i| i + 1);
        let (line, next) = rest.split_at(end);
        if starts_command(line) {
            let blank = line.len() - line.trim_start().len();
            shown.push_str(&line[..blank]);
            shown.push_str("\\u003a");
            shown.push_str(&line[blank + 1..]);
        } else {
            shown.push_str(line);
        }
        if next.is_empty() {
            break;
        }
        rest = next;
    }
    Cow::Owned(shown.replace("##[", "##\\u005b"))
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn no_line_speaks_a_command() {
        assert_eq!(defuse("plain: text :: here"), "plain: text :: here");
        assert_eq!(
            defuse("retrying (busy\n::stop-commands::zz)"),
            "retrying (busy\n\\u003a:stop-commands::zz)"
        );
        assert_eq!(defuse("a\r  ::warning::x"), "a\r  \\u003a:warning::x");
        assert_eq!(defuse("::x"), "\\u003a:x");
        assert_eq!(
            defuse(r###"{"by":"##[set-output name=a;]b"}"###),
            r###"{"by":"##\u005bset-output name=a;]b"}"###
        );
        let json: serde_json::Value =
            serde_json::from_str(&defuse(r###"{"by":"##[x"}"###)).unwrap();
        assert_eq!(json["by"], "##[x");
    }
}
