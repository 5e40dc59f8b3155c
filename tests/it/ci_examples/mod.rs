//! The examples for CI systems other than GitHub (`templates/`, `docs/ci/`) and the Bitbucket pipe.
//!
//! Each example marks its steps with a comment line, `# [test:PHASE]` (`// [test:PHASE]` in the
//! Jenkinsfile), right above the step. These tests read the marked steps, check that each example
//! has the phases its system needs in the right order (`run`: the command through
//! `storeconnect-triggers run --`; `restore`: the always-run `enable`; `verify` where the restore's
//! exit code is ignored), and run them in that order through the compiled binary against the
//! simulated org — the maintenance command replaced by one that fails (or succeeds) — applying the
//! system's own rule for which steps run after a failure and whose exit code counts. They prove
//! that the org ends `true` and the pipeline's outcome is right.

mod harness;
mod install;
mod pipelines;

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;
use harness::*;

/// When a step runs, and whether its exit code decides the pipeline's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Runs only while nothing before it has failed; its failure fails the pipeline.
    Main,
    /// Runs whatever happened before it (`condition: always()`, `post { always }`,
    /// `when: always`, a GitLab job with `when: always`, a Bitbucket `final` step); its
    /// failure fails the pipeline.
    Always,
    /// Runs whatever happened before it, but the system ignores its exit code: GitLab's
    /// `after_script` and Bitbucket's `after-script`.
    AlwaysIgnored,
}

use Kind::*;

/// An example file and the phases it must mark, in order, with the kind its system gives them.
struct Example {
    path: &'static str,
    phases: &'static [(&'static str, Kind)],
    /// Where each always-run phase must sit: `(phase, enclosing lines, nearest first, each
    /// matched by prefix, the first one's block holding `evidence`)`. This ties the kinds
    /// above to the file: moving the restore out of its always-run place fails the test.
    places: &'static [(&'static str, &'static [&'static str], &'static str)],
}

/// `run --` the command, restore in a place whose exit code is ignored, so a later always-run
/// step verifies.
const RUN_RESTORE_IGNORED_THEN_VERIFY: &[(&str, Kind)] = &[
    ("run", Main),
    ("restore", AlwaysIgnored),
    ("verify", Always),
];

/// `run --` the command, then restore in an always-run step whose failure fails the pipeline.
const RUN_RESTORE_COUNTS: &[(&str, Kind)] = &[("run", Main), ("restore", Always)];

const EXAMPLES: &[Example] = &[
    Example {
        path: "templates/storeconnect-triggers-guard.yml",
        phases: RUN_RESTORE_IGNORED_THEN_VERIFY,
        places: &[
            ("run", &["script:", "\"$[[ inputs.job-name ]]\":"], ""),
            ("restore", &["after_script:"], ""),
            (
                "verify",
                &["script:", "\"$[[ inputs.job-name ]]-verify\":"],
                "",
            ),
            (
                "verify",
                &["\"$[[ inputs.job-name ]]-verify\":"],
                "when: always",
            ),
        ],
    },
    Example {
        path: "docs/ci/bitbucket-pipelines.yml",
        phases: RUN_RESTORE_IGNORED_THEN_VERIFY,
        places: &[
            ("run", &["script:", "- step:"], ""),
            ("restore", &["after-script:"], ""),
            ("verify", &["script:", "- final:"], ""),
        ],
    },
    Example {
        path: "docs/ci/azure-pipelines.yml",
        phases: RUN_RESTORE_COUNTS,
        places: &[("restore", &["- script:"], "condition: always()")],
    },
    Example {
        path: "docs/ci/Jenkinsfile",
        phases: RUN_RESTORE_COUNTS,
        places: &[
            ("run", &["steps {", "stage("], ""),
            ("restore", &["always {", "post {"], ""),
        ],
    },
    Example {
        path: "docs/ci/circleci-config.yml",
        phases: RUN_RESTORE_COUNTS,
        places: &[("restore", &["- run:"], "when: always")],
    },
];

/// A marked step.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A shell command line.
    Shell(String),
    /// A Bitbucket pipe: the release image, run with these variables and no arguments.
    Pipe(Vec<(String, String)>),
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

/// The marked steps of a file, in file order: `(phase, step)`.
fn marked_steps(text: &str) -> Vec<(String, Step)> {
    marked_lines(text)
        .into_iter()
        .map(|(phase, j)| {
            let lines: Vec<&str> = text.lines().collect();
            (phase, parse_step(&lines, j))
        })
        .collect()
}

/// The marked lines of a file, in file order: `(phase, index of the marked line)`.
fn marked_lines(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut steps = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(rest) = t
            .strip_prefix("# [test:")
            .or_else(|| t.strip_prefix("// [test:"))
        else {
            continue;
        };
        let phase = rest.split(']').next().unwrap_or_default().to_string();
        let j = (i + 1..lines.len())
            .find(|&j| !is_comment(lines[j]) && !lines[j].trim().is_empty())
            .unwrap_or_else(|| panic!("marker {phase} marks nothing"));
        steps.push((phase, j));
    }
    steps
}

/// The step on line `j`: a YAML list item or key (`- cmd`, `script: cmd`, `command: cmd`,
/// `- pipe: …` with its `variables:`), or a Jenkins `sh 'cmd'` or `sh(script: 'cmd', …)`.
fn parse_step(lines: &[&str], j: usize) -> Step {
    let mut t = lines[j].trim();
    if let Some((_, rest)) = t.split_once("sh(script: '") {
        let command = rest.split_once('\'').map_or(rest, |(c, _)| c);
        return Step::Shell(command.to_string());
    }
    t = t.strip_prefix("- ").unwrap_or(t);
    if t.starts_with("pipe: ") {
        let mut vars = Vec::new();
        for line in &lines[j + 1..] {
            if line.trim().is_empty() || indent(line) <= indent(lines[j]) {
                break;
            }
            if let Some((k, v)) = line.trim().split_once(": ") {
                vars.push((k.to_string(), v.trim().to_string()));
            }
        }
        return Step::Pipe(vars);
    }
    for prefix in ["script: ", "command: ", "sh "] {
        t = t.strip_prefix(prefix).unwrap_or(t);
    }
    Step::Shell(t.trim_matches(|c| c == '\'' || c == '"').to_string())
}

/// Line `j` and the lines that enclose it (each the nearest earlier line indented less than
/// the one before), nearest first.
fn enclosing(lines: &[&str], j: usize) -> Vec<usize> {
    let mut chain = vec![j];
    let mut level = indent(lines[j]);
    for k in (0..j).rev() {
        let line = lines[k];
        if !line.trim().is_empty() && !is_comment(line) && indent(line) < level {
            chain.push(k);
            level = indent(line);
        }
    }
    chain
}

/// Line `k` and every later line indented more (its YAML block, or Groovy block by layout).
fn block(lines: &[&str], k: usize) -> String {
    let mut text = lines[k].to_string();
    for line in &lines[k + 1..] {
        if !line.trim().is_empty() && indent(line) <= indent(lines[k]) {
            break;
        }
        text.push('\n');
        text.push_str(line);
    }
    text
}

fn read_example(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The steps of `example` with their kinds, checked against what it must mark.
fn steps_of(example: &Example) -> Vec<(&'static str, Kind, Step)> {
    let marked: Vec<(String, Step)> = marked_steps(&read_example(example.path))
        .into_iter()
        .filter(|(phase, _)| phase != "install")
        .collect();
    let names: Vec<&str> = marked.iter().map(|(p, _)| p.as_str()).collect();
    let want: Vec<&str> = example.phases.iter().map(|(p, _)| *p).collect();
    assert_eq!(names, want, "{}: marked phases", example.path);
    example
        .phases
        .iter()
        .zip(marked)
        .map(|(&(phase, kind), (_, step))| (phase, kind, step))
        .collect()
}
