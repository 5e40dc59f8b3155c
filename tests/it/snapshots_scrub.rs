//! Turns a run into stable snapshot text: the org's address becomes `[SERVER]`, and our version,
//! durations and dates become placeholders, so a snapshot changes only when the words do.
//! (Access tokens are masked by the caller; other random ids never reach what users read.)

use crate::common::{Run, SimOrg};

/// Exit code and both streams of `run`, with volatile parts replaced.
pub fn shown(org: &SimOrg, run: &Run) -> String {
    let text = format!(
        "exit code: {}\n--- stdout\n{}\n--- stderr\n{}",
        run.code,
        run.stdout.trim_end(),
        run.stderr.trim_end()
    );
    scrub(org, &text)
}

/// `text` with the org's URLs, loopback addresses, our version, durations and dates replaced.
pub fn scrub(org: &SimOrg, text: &str) -> String {
    let text = text
        .replace(&org.instance_url(), "[SERVER]")
        .replace(&org.url(), "[SERVER]");
    let version = concat!("storeconnect-triggers ", env!("CARGO_PKG_VERSION"));
    let text = text.replace(version, "storeconnect-triggers [VERSION]");
    let text = replace_loopback(&text);
    let text = replace_dates(&text);
    replace_durations(&text)
}

/// `127.0.0.1:PORT` (with any scheme before it) → `[SERVER]`.
fn replace_loopback(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let mut start = at;
        for scheme in ["http://", "https://"] {
            if rest[..at].ends_with(scheme) {
                start = at - scheme.len();
            }
        }
        out.push_str(&rest[..start]);
        let after = &rest[at + "127.0.0.1:".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str("[SERVER]");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// ISO 8601 timestamps (`2026-12-01T02:33:09.000Z`, `2026-12-01 02:33 UTC`) → `[DATE]`.
fn replace_dates(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = date_len(&bytes[i..]) {
            out.push_str("[DATE]");
            i += len;
        } else {
            let c = text[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Length of the date-time at the start of `b`, if one starts there.
fn date_len(b: &[u8]) -> Option<usize> {
    let shape = b"dddd-dd-dd";
    if b.len() < shape.len() || !fits(b, shape) {
        return None;
    }
    let mut len = shape.len();
    if b.len() >= len + 6 && matches!(b[len], b'T' | b' ') && fits(&b[len + 1..], b"dd:dd") {
        len += 6;
        while len < b.len() && (b[len].is_ascii_digit() || matches!(b[len], b':' | b'.')) {
            len += 1;
        }
        if len < b.len() && b[len] == b'Z' {
            len += 1;
        } else if b[len..].starts_with(b"+00:00") {
            len += 6;
        } else if b[len..].starts_with(b" UTC") {
            len += 4;
        }
    }
    Some(len)
}

/// Whether `b` starts with `shape`, where `d` stands for any digit.
fn fits(b: &[u8], shape: &[u8]) -> bool {
    b.len() >= shape.len()
        && shape.iter().zip(b).all(|(s, c)| {
            if *s == b'd' {
                c.is_ascii_digit()
            } else {
                s == c
            }
        })
}

/// A number directly followed by a time unit (`1.2s`, `350 ms`, `3 seconds`) → `[DURATION]`.
fn replace_durations(text: &str) -> String {
    const UNITS: [&str; 6] = ["ms", "seconds", "second", "s", "minutes", "minute"];
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let boundary = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let number = rest[at..].len()
            - rest[at..]
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                .len();
        let after = &rest[at + number..];
        let spaced = after.strip_prefix(' ').unwrap_or(after);
        let unit = UNITS.iter().find(|u| {
            spaced.starts_with(*u)
                && spaced[u.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '_')
        });
        out.push_str(&rest[..at]);
        match unit {
            Some(unit) if boundary => {
                out.push_str("[DURATION]");
                rest = &spaced[unit.len()..];
            }
            _ => {
                out.push_str(&rest[at..at + number]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn scrub_replaces_servers_dates_and_durations() {
    let org = crate::common::start_org(
        crate::common::FieldKind::Checkbox,
        crate::common::RecordKind::Packaged,
        true,
    );
    let text = format!(
        "at {}/x and http://127.0.0.1:9/y on 2026-12-01T02:33:09.000Z after 1.5s (3 seconds); v66.0, 3 tries",
        org.instance_url()
    );
    assert_eq!(
        scrub(&org, &text),
        "at [SERVER]/x and [SERVER]/y on [DATE] after [DURATION] ([DURATION]); v66.0, 3 tries"
    );
}
