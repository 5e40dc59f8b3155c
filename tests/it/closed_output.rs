//! Output to a reader that went away (`… | head -1`, a closed log pipe) must not stop the tool:
//! above all not between turning the triggers off and turning them back on.

use std::process::Stdio;

use crate::common::*;

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn help_into_a_closed_pipe_is_not_a_crash() {
    let mut cli = Cli::new(&["help"]);
    cli.command().stdout(closed_pipe()).stderr(Stdio::piped());
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.all().contains("internal error"), "{}", run.all());
}

#[test]
fn run_restores_the_triggers_when_nobody_reads_its_output() {
    // stdout alone closed: its first line is the report that the triggers are now off.
    // Both closed: every progress line fails too.
    for stderr_closed in [false, true] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let mut cli = Cli::for_org(&org, Auth::AuthUrl, &["run", "--", "true"]);
        let stderr = if stderr_closed {
            closed_pipe()
        } else {
            Stdio::piped()
        };
        cli.command().stdout(closed_pipe()).stderr(stderr);
        let run = cli.run();
        assert!(enabled(&org), "the triggers were left off\n{}", run.all());
        assert_eq!(run.code, 0, "{}", run.all());
        assert_eq!(
            ops(&org)
                .iter()
                .filter(|op| **op == Op::UpdateMetadata)
                .count(),
            2,
            "disabled, then enabled"
        );
    }
}
