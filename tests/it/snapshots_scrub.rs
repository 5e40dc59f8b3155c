//! Turns a run into stable snapshot text: [`shown`] lays out the exit code and both streams, and
//! insta's filters ([`FILTERS`]) replace the org's address, our version, durations, dates and
//! masked tokens with placeholders, so a snapshot changes only when the words do.

use crate::common::Run;

/// Regex and replacement, applied in this order to every snapshot (the model is uv's
/// `INSTA_FILTERS`). Digits are `[0-9]`: only ASCII digits vary.
pub const FILTERS: &[(&str, &str)] = &[
    // simorg's `http://localhost:PORT` and `http://127.0.0.1:PORT`, with or without a scheme.
    (
        r"(?:https?://)?(?:localhost|127\.0\.0\.1):[0-9]+",
        "[SERVER]",
    ),
    (
        concat!("storeconnect-triggers ", env!("CARGO_PKG_VERSION")),
        "storeconnect-triggers [VERSION]",
    ),
    // `2026-12-01`, `2026-12-01T02:33:09.000Z`, `2026-12-01 02:33 UTC`, `…T02:33:09+00:00`.
    (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}[0-9:.]*(?:Z|\+00:00| UTC)?)?",
        "[DATE]",
    ),
    // A number directly followed by a time unit: `1.2s`, `350 ms`, `3 seconds`.
    (
        r"\b[0-9][0-9.]* ?(?:ms|seconds?|s|minutes?)\b",
        "[DURATION]",
    ),
    // Each run mints new access tokens, which the action masks.
    (r"(?m)^::add-mask::.*$", "::add-mask::[TOKEN]"),
];

/// insta settings with [`FILTERS`]; a test binds them for its snapshots with
/// `let _scrub = scrubbing().bind_to_scope();` (add a filter of its own first if it needs one).
pub fn scrubbing() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_filters(FILTERS.iter().copied());
    settings
}

/// Exit code and both streams of `run`, as the user reads them.
pub fn shown(run: &Run) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}\n--- stderr\n{}",
        run.code,
        run.stdout.trim_end(),
        run.stderr.trim_end()
    )
}

#[test]
fn filters_replace_servers_versions_dates_durations_and_tokens() {
    let _scrub = scrubbing().bind_to_scope();
    let text = concat!(
        "storeconnect-triggers ",
        env!("CARGO_PKG_VERSION"),
        " at http://localhost:4711/x, http://127.0.0.1:9/y and 127.0.0.1:80 (Org | localhost)\n",
        "on 2026-12-01T02:33:09.000Z, 2026-12-01 02:33 UTC and 2026-12-01\n",
        "after 1.5s (3 seconds, 350 ms, 2 minutes); v66.0, 3 tries, x1s\n",
        "::add-mask::00DSIM000000001!token"
    );
    insta::assert_snapshot!(text, @r"
    storeconnect-triggers [VERSION] at [SERVER]/x, [SERVER]/y and [SERVER] (Org | localhost)
    on [DATE], [DATE] and [DATE]
    after [DURATION] ([DURATION], [DURATION], [DURATION]); v66.0, 3 tries, x1s
    ::add-mask::[TOKEN]
    ");
}
