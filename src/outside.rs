//! Text from outside: what the org, a proxy or a server's error body said. It can hold anything
//! (line breaks, escape sequences, `::stop-commands::`, Markdown), so it travels in [`Outside`],
//! whose only `Display` shows it escaped to one line and clipped. A raw org string cannot be
//! printed by accident: it is not a `String` until someone asks for [`Outside::raw`].

use std::borrow::Cow;
use std::fmt::{self, Write};

/// The most characters of an outside name or value any line shows.
pub const NAME_CHARS: usize = 200;
/// The most characters of an outside message (an error body, a fault string) any line shows.
pub const MESSAGE_CHARS: usize = 500;

/// Text that came from outside, shown only escaped to one line and clipped.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Outside {
    text: String,
    max: usize,
}

impl Outside {
    /// A name or value (clipped at [`NAME_CHARS`] when shown).
    pub fn name(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            max: NAME_CHARS,
        }
    }

    /// A message (clipped at [`MESSAGE_CHARS`] when shown).
    pub fn message(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            max: MESSAGE_CHARS,
        }
    }

    /// The text as received, for comparing and branching, never for printing.
    pub(crate) fn raw(&self) -> &str {
        &self.text
    }

    /// The shown form (escaped, one line, clipped) as a `String`.
    pub(crate) fn shown(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.text, self.max)
    }
}

impl fmt::Debug for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Outside({self})")
    }
}

impl serde::Serialize for Outside {
    /// JSON gets the text itself (JSON escapes line breaks and control characters), clipped.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&clip(&self.text, self.max))
    }
}

impl<'de> serde::Deserialize<'de> for Outside {
    /// A JSON string from the org, held as a name.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Outside::name)
    }
}

impl From<&str> for Outside {
    /// A name or value from outside.
    fn from(text: &str) -> Self {
        Outside::name(text)
    }
}

/// Characters shown as `\u{…}`: controls (C0, DEL, C1), line and paragraph separators, and the
/// invisible format characters that reorder or hide text (bidi overrides, zero widths, BOM).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// Writes `text` on one line: CR, LF and tab as `\r`, `\n`, `\t`, other hidden characters as
/// `\u{…}`, a leading `::` (after white space) and every `##[` defused so the runner never reads
/// a workflow command in it; at most `max` characters of `text`, then `…`.
fn write_escaped(out: &mut impl Write, text: &str, max: usize) -> fmt::Result {
    let mut leading = true;
    let mut hashes = 0;
    for (i, c) in text.chars().enumerate() {
        if i == max {
            return out.write_char('…');
        }
        match c {
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            ':' if leading && text[text.len() - text.trim_start().len()..].starts_with("::") => {
                out.write_str("\\u{3a}")?
            }
            // `##[` starts a legacy command; after one `#` too, in case a `#` precedes the text.
            '[' if hashes >= 1 => out.write_str("\\u{5b}")?,
            c if is_hidden(c) => write!(out, "\\u{{{:x}}}", u32::from(c))?,
            c => out.write_char(c)?,
        }
        leading &= c.is_whitespace() && !is_hidden(c);
        hashes = if c == '#' { hashes + 1 } else { 0 };
    }
    Ok(())
}

/// At most `max` characters of `text`, then `…` (no escaping: for text escaped later, such as
/// workflow-command data, or JSON).
pub(crate) fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
    }
}

/// [`clip`], saying how long `text` was when it was cut: `abc… (5000 characters in all)`.
pub(crate) fn clip_counted(text: &str, max: usize) -> String {
    match clip(text, max) {
        Cow::Borrowed(whole) => whole.to_string(),
        Cow::Owned(cut) => format!("{cut} ({} characters in all)", text.chars().count()),
    }
}

/// `text` escaped to one line and clipped at `max` characters, as [`Outside`] shows it.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut shown = String::new();
    let _ = write_escaped(&mut shown, text, max);
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_one_line_with_visible_escapes() {
        let shown = Outside::name("busy\n::stop-commands::zz\r\u{1b}[31m\u{2028}x\ty").to_string();
        assert_eq!(
            shown,
            "busy\\n::stop-commands::zz\\r\\u{1b}[31m\\u{2028}x\\ty"
        );
    }

    #[test]
    fn never_starts_or_smuggles_a_command() {
        assert_eq!(
            Outside::name("::warning::x").to_string(),
            "\\u{3a}:warning::x"
        );
        assert_eq!(Outside::name("  ::x").to_string(), "  \\u{3a}:x");
        assert_eq!(Outside::name("a ::x").to_string(), "a ::x");
        assert_eq!(
            Outside::name("a ##[set-output name=x;]y").to_string(),
            "a ##\\u{5b}set-output name=x;]y"
        );
        assert_eq!(Outside::name("#[x] ##").to_string(), "#\\u{5b}x] ##");
        assert_eq!(Outside::name("[x] #").to_string(), "[x] #");
    }

    #[test]
    fn clips_names_and_messages() {
        let long = "é".repeat(1000);
        assert_eq!(
            Outside::name(long.clone()).to_string().chars().count(),
            NAME_CHARS + 1
        );
        assert_eq!(
            Outside::message(long.clone()).to_string().chars().count(),
            MESSAGE_CHARS + 1
        );
        assert_eq!(Outside::name("short").to_string(), "short");
        let json = serde_json::to_string(&Outside::name(long)).unwrap();
        assert_eq!(json.chars().count(), NAME_CHARS + 3);
    }

    #[test]
    fn clipping_can_say_how_long_the_text_was() {
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(clip("abcdé", 4), "abcd…");
        assert_eq!(clip_counted("abcd", 4), "abcd");
        assert_eq!(clip_counted("abcdé", 4), "abcd… (5 characters in all)");
    }
}
