//! Property tests of outside text through every place the tool prints it or writes it to a file
//! command (issue 14, "keep it so"): random text with control characters, `::`, `##[`, `%0A`,
//! heredoc delimiters, Markdown, HTML and great length never starts a workflow command, always
//! stays on one line where a line is promised, and leaves `GITHUB_OUTPUT`/`GITHUB_STATE`
//! parseable.

use std::time::Duration;

use storeconnect_triggers::testing::github::{file_command_entry, md_cell, md_code};
use storeconnect_triggers::testing::ops::Report;
use storeconnect_triggers::testing::output::defuse;
use storeconnect_triggers::testing::outside::{MESSAGE_CHARS, NAME_CHARS, Outside};
use storeconnect_triggers::testing::salesforce::error::{Api, Failure, classify};
use storeconnect_triggers::testing::salesforce::http::Event;

use super::{ROUNDS, text};
use crate::action::parse_file_command;
use crate::rng::{Rng, seed};

/// What an attacker in front of the org would send.
const PAYLOADS: &[&str] = &[
    "\n::warning::INJ",
    "\r::error::INJ",
    "::stop-commands::zz",
    "  ::add-mask::x",
    "##[set-output name=state;]true",
    "#",
    "%0A::warning::INJ",
    "%0D%0A",
    "\nstate<<EOF\ntrue\nEOF\n",
    "ghadelimiter_0",
    "[docs](https://evil.example/x)",
    "![i](https://evil.example/p.png)",
    "<img src=https://evil.example/p.png>",
    "<script>",
    "www.evil.example",
    "`code`",
    "|",
    "\\",
    "&amp;",
    "\u{85}",
    "\u{2028}",
    "\u{202e}",
    "\u{1b}[2J",
    "\u{7f}",
];

/// Random outside text: printable ASCII, nasty pieces and payloads; sometimes very long.
fn outside_text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(8) {
        if rng.chance(50) {
            s.push_str(rng.pick(PAYLOADS));
        } else {
            s.push_str(&text(rng, 12));
        }
    }
    if rng.chance(5) {
        s.push_str(&"y".repeat(5_000));
    }
    s
}

/// Fails if the runner would read any line of `text` (split on LF and CR) as a workflow command.
#[track_caller]
fn assert_no_command(text: &str) {
    for line in text.split(['\n', '\r']) {
        assert!(!line.trim_start().starts_with("::"), "{line:?} in {text:?}");
        assert!(!line.contains("##["), "{line:?} in {text:?}");
    }
}

#[track_caller]
fn assert_one_line(text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
        "{text:?}"
    );
}

#[test]
fn outside_text_is_shown_on_one_line_clipped_and_never_as_a_command() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    for _ in 0..ROUNDS {
        let raw = outside_text(&mut rng);
        for (shown, max) in [
            (Outside::name(raw.as_str()).to_string(), NAME_CHARS),
            (Outside::message(raw.as_str()).to_string(), MESSAGE_CHARS),
        ] {
            assert_one_line(&shown);
            assert_no_command(&shown);
            // Each character shows as at most `\u{10ffff}`, plus the clipping mark.
            assert!(shown.chars().count() <= max * 10 + 1, "{}", shown.len());
            for prefix in ["", " ", "Resolved: ", "a #", "#"] {
                assert_no_command(&format!("{prefix}{shown}"));
            }
        }
        // Whatever reaches a line unescaped, the printer defuses; text without commands is kept.
        let defused = defuse(&raw);
        assert_no_command(&defused);
        if !raw.contains("##[")
            && !raw
                .split(['\n', '\r'])
                .any(|l| l.trim_start().starts_with("::"))
        {
            assert_eq!(defused, raw.as_str());
        }
    }
}

#[test]
fn error_answers_and_progress_lines_stay_one_line() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    for _ in 0..ROUNDS {
        let message = outside_text(&mut rng);
        let code = outside_text(&mut rng);
        let json = |s: &str| serde_json::to_string(s).expect("JSON string");
        let xml = storeconnect_triggers::testing::salesforce::xml::escape;
        let (api, body) = match rng.below(4) {
            0 => (
                Api::OAuth,
                format!(
                    r#"{{"error":{},"error_description":{}}}"#,
                    json(&code),
                    json(&message)
                ),
            ),
            1 => (
                Api::Rest,
                format!(
                    r#"[{{"errorCode":{},"message":{}}}]"#,
                    json(&code),
                    json(&message)
                ),
            ),
            2 => (
                Api::Soap,
                format!(
                    "<Envelope><Body><Fault><faultcode>{}</faultcode><faultstring>{}</faultstring></Fault></Body></Envelope>",
                    xml(&code),
                    xml(&message)
                ),
            ),
            _ => (rng.pick(&[Api::Rest, Api::Soap]), message.clone()),
        };
        let status = rng.pick(&[400, 401, 403, 429, 500, 503]);
        let Some(Failure::Transient(e) | Failure::SessionExpired(e) | Failure::Permanent(e)) =
            classify(api, status, &body, "fuzz")
        else {
            panic!("an error status is a failure");
        };
        for line in [
            e.to_string(),
            e.answer.clone(),
            Event::Retrying {
                attempt: 1,
                pause: Duration::from_millis(300),
                answer: e.answer.clone(),
            }
            .to_string(),
            Event::SessionExpired {
                action: "readMetadata".into(),
                answer: e.answer.clone(),
            }
            .to_string(),
        ] {
            assert_one_line(&line);
            assert_no_command(&line);
        }
    }
}

#[test]
fn org_text_in_the_job_summary_stays_text_and_outputs_stay_parseable() {
    let mut rng = Rng(seed("FUZZ_SEED"));
    let rows = |md: &str| md.lines().count();
    let plain = Report::new("check");
    for _ in 0..ROUNDS {
        let raw = outside_text(&mut rng);
        let cell = md_cell(&raw);
        assert!(!cell.contains(['<', '>', '\n', '\r']), "{cell:?}");
        let unlinked = cell.replace("\\://", "").to_ascii_lowercase();
        assert!(
            !unlinked.contains("://") && !unlinked.contains("www."),
            "{cell:?}"
        );
        // Every `[`, `]` and `|` is escaped: an odd run of backslashes precedes it.
        for (i, c) in cell.char_indices() {
            if matches!(c, '[' | ']' | '|') {
                let slashes = cell[..i].chars().rev().take_while(|&b| b == '\\').count();
                assert!(slashes % 2 == 1, "unescaped {c} in {cell:?}");
            }
        }
        let code = md_code(&raw);
        assert!(!code.contains(['\n', '\r']), "{code:?}");

        // The summary keeps its shape: org text adds no row and no line.
        let mut report = Report::new("check");
        report.details = vec![("Last changed by".into(), raw.clone())];
        report.action = raw.clone();
        report.failure = Some((raw.clone(), None));
        let mut expected = plain.clone();
        expected.details = vec![("Last changed by".into(), "x".into())];
        expected.action = "x".into();
        expected.failure = Some(("x".into(), None));
        let md = report.to_markdown();
        assert_eq!(rows(&md), rows(&expected.to_markdown()), "{md}");
        assert!(!md.contains("<img") && !md.contains("<script"), "{md}");

        // An output written from org text (escaped, or raw with a heredoc) reads back as sent.
        let shown = Outside::name(raw.as_str()).to_string();
        let mut file = file_command_entry("last-modified-by", &shown);
        file.push_str(&file_command_entry("raw", &raw));
        file.push_str(&file_command_entry("state", "false"));
        let parsed = parse_file_command(&file);
        assert_eq!(parsed.len(), 3, "{file:?}");
        assert_eq!(parsed["last-modified-by"], shown);
        assert_eq!(parsed["raw"], raw.replace("\r\n", "\n").replace('\r', "\n"));
        assert_eq!(parsed["state"], "false");
    }
}

#[test]
fn random_outside_text_through_the_binary_in_a_runner_never_speaks() {
    use crate::common::*;
    use crate::injection::assert_no_injected_command;
    let mut rng = Rng(seed("FUZZ_SEED"));
    for round in 0..24 {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, rng.chance(50));
        let said = format!("{}INJ{}", outside_text(&mut rng), rng.pick(PAYLOADS));
        let json = serde_json::to_string(&said).expect("JSON string");
        let xml = storeconnect_triggers::testing::salesforce::xml::escape(&said);
        let (what, fault) = match rng.below(5) {
            0 => (
                "token error",
                Some(Fault::status(
                    Op::Token,
                    1,
                    503,
                    &format!(r#"{{"error":"temporarily_unavailable","error_description":{json}}}"#),
                )),
            ),
            1 => (
                "REST error",
                Some(Fault::status(
                    Op::Query,
                    1,
                    rng.pick(&[400, 503]),
                    &format!(r#"[{{"errorCode":"X","message":{json}}}]"#),
                )),
            ),
            2 => (
                "fault string",
                Some(Fault::status(
                    Op::ReadMetadata,
                    1,
                    500,
                    &soap_fault(
                        rng.pick(&["INVALID_SESSION_ID", "INSUFFICIENT_ACCESS"]),
                        &xml,
                    ),
                )),
            ),
            3 => (
                "record name",
                Some(Fault::status(
                    Op::Query,
                    1,
                    200,
                    &format!(
                        r#"{{"totalSize":1,"done":true,"records":[{{"QualifiedApiName":{json},"MasterLabel":"StoreConnect Triggers Enabled","s_c__Setting__c":true}}]}}"#
                    ),
                )),
            ),
            _ => {
                org.set_last_modified(&said, std::time::SystemTime::now());
                ("lastModifiedByName", None)
            }
        };
        if let Some(fault) = fault {
            org.inject(fault);
        }
        let command = rng.pick(&["status", "check", "disable"]);
        let mut cli = Cli::for_org(&org, Auth::AuthUrl, &[command]);
        cli.env("GITHUB_ACTIONS", "true").setting("timeout", "5");
        let run = cli.run();
        assert!(
            [0, 1, 3].contains(&run.code),
            "round {round} ({what}, {command}): exit {}\n{}",
            run.code,
            run.all()
        );
        assert_no_injected_command(&run.all());
    }
}
