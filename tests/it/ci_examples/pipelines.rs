//! Each example's marked steps run as its CI system runs them: the org ends `true` and the
//! pipeline's outcome is right; secrets, settings and the command come from where the examples say.

use super::*;

/// Runs every example around `command` on a fresh org: the triggers are off during the command,
/// back on after it, and the pipeline fails exactly when `fails`.
fn round_trip(field: FieldKind, record: RecordKind, command: &'static str, fails: bool) {
    for example in EXAMPLES {
        let steps = steps_of(example);
        let org = start_org(field, record, true);
        let out = run_pipeline(&steps, &org, Work::Exit(command), |_| {});
        assert!(
            out.off_during_work,
            "{}: off during the command\n{}",
            example.path, out.log
        );
        assert!(enabled(&org), "{}: back on\n{}", example.path, out.log);
        let verdict = if fails { "fails" } else { "passes" };
        assert!(
            out.failed == fails,
            "{}: the pipeline {verdict}\n{}",
            example.path,
            out.log
        );
    }
}

#[test]
fn a_failing_command_leaves_the_org_on_and_fails_the_pipeline() {
    round_trip(FieldKind::Checkbox, RecordKind::Packaged, "exit 1", true);
}

#[test]
fn a_passing_command_leaves_the_org_on_and_passes() {
    round_trip(FieldKind::Text, RecordKind::Subscriber, "exit 0", false);
}

#[test]
fn a_restore_the_org_refuses_fails_the_pipeline_even_after_a_passing_command() {
    // GitLab and Bitbucket ignore after_script's exit code: their verify step must catch this.
    for example in EXAMPLES {
        let steps = steps_of(example);
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let out = run_pipeline(&steps, &org, Work::Exit("exit 0"), |org| {
            org.inject(Fault::status(
                Op::UpdateMetadata,
                100,
                500,
                &soap_fault(
                    "INSUFFICIENT_ACCESS",
                    "use of the Metadata API requires a user with the ModifyAllData permission",
                ),
            ));
        });
        assert!(!enabled(&org), "{}: the fault kept it off", example.path);
        assert!(
            out.failed,
            "{}: the pipeline fails when the final state is not true\n{}",
            example.path, out.log
        );
        assert!(out.log.contains("INSUFFICIENT_ACCESS"), "{}", out.log);
    }
}

#[test]
fn a_killed_run_is_restored_by_the_always_run_backstop_and_fails_the_pipeline() {
    // A cancel that kills the step outright (or a timeout): `run` never restores; the
    // system's always-run place does, and the pipeline still fails.
    for example in EXAMPLES {
        let steps = steps_of(example);
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
        let out = run_pipeline(&steps, &org, Work::Killed, |_| {});
        assert!(
            out.off_during_work,
            "{}: off during the command\n{}",
            example.path, out.log
        );
        assert!(
            enabled(&org),
            "{}: the backstop restored\n{}",
            example.path,
            out.log
        );
        assert!(
            out.failed,
            "{}: a killed step fails the pipeline\n{}",
            example.path, out.log
        );
    }
}

#[test]
fn the_gitlab_health_check_fails_when_off_and_heals_when_asked() {
    let text = read_example("templates/storeconnect-triggers-check.yml");
    let steps: Vec<_> = marked_steps(&text)
        .into_iter()
        .filter(|(phase, _)| phase != "install")
        .collect();
    let [(phase, step)] = &steps[..] else {
        panic!("one marked step: {steps:?}");
    };
    assert_eq!(phase, "check");
    for (enabled_before, heal, code, enabled_after) in [
        (true, "true", 0, true),
        (false, "true", 1, true),
        (false, "false", 1, false),
    ] {
        let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, enabled_before);
        let run = run_step(step, &secret_store(&org), &[("HEAL", heal)]);
        run.expect(code);
        assert_eq!(enabled(&org), enabled_after, "heal={heal}: {}", run.all());
    }
}

#[test]
fn every_example_reads_the_secrets_from_its_store() {
    for example in EXAMPLES {
        let text = read_example(example.path);
        let names: &[&str] = if example.path.contains("bitbucket") {
            // Repository variables under the binary's own names, passed on to the pipes.
            &[
                "$STORECONNECT_CLIENT_ID",
                "$STORECONNECT_CLIENT_SECRET",
                "$STORECONNECT_INSTANCE_URL",
            ]
        } else if example.path.contains("templates/") {
            // GitLab CI/CD variables carry the binary's own names; nothing to map.
            &["STORECONNECT_CLIENT_SECRET"]
        } else if example.path.contains("azure") {
            // Key Vault secret names allow letters, digits and `-` only.
            &[
                "STORECONNECT_CLIENT_ID: $(sf-client-id)",
                "STORECONNECT_CLIENT_SECRET: $(sf-client-secret)",
                "STORECONNECT_INSTANCE_URL: $(sf-instance-url)",
            ]
        } else {
            &[
                "STORECONNECT_CLIENT_ID",
                "STORECONNECT_CLIENT_SECRET",
                "STORECONNECT_INSTANCE_URL",
            ]
        };
        for name in names {
            assert!(text.contains(name), "{}: {name}", example.path);
        }
        assert!(
            !text.contains("client_secret=") && !text.contains("force://"),
            "{}: no literal credentials",
            example.path
        );
    }
}

#[test]
fn the_pipe_lists_every_setting_as_a_variable() {
    let pipe = read_example("pipe.yml");
    let names = ["STORECONNECT_COMMAND".to_string()].into_iter().chain(
        storeconnect_triggers::testing::config::SETTING_NAMES
            .iter()
            // target-org asks `sf`, which the pipe's image does not have.
            .filter(|n| **n != "target-org")
            .map(|n| env_name(n)),
    );
    for name in names {
        assert!(
            pipe.contains(&format!("- name: {name}\n")),
            "pipe.yml lists {name}"
        );
    }
}

#[test]
fn the_command_can_come_from_storeconnect_command() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let cli = |command: &str, args: &[&str]| {
        let mut cli = Cli::for_org(&org, Auth::ClientCredentials, args);
        cli.env("STORECONNECT_COMMAND", command);
        cli.run()
    };
    cli("disable", &[]).expect(0).contains("true -> false");
    assert!(!enabled(&org));
    cli("status", &[]).expect(1).contains("disabled");
    // Arguments win over the variable.
    cli("disable", &["enable"])
        .expect(0)
        .contains("false -> true");
    assert!(enabled(&org));
    cli(" status\n", &[]).expect(0).contains("enabled");
}

#[test]
fn a_bad_storeconnect_command_exits_2_before_any_request() {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, false);
    for bad in ["frobnicate", "run", "status --json", "help"] {
        org.clear_requests();
        let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &[]);
        cli.env("STORECONNECT_COMMAND", bad);
        cli.run()
            .expect(2)
            .contains("STORECONNECT_COMMAND")
            .contains("use status, check, enable, disable");
        assert!(org.requests().is_empty(), "{bad}: no request");
    }
    // Unset or blank: no command, as before.
    let mut cli = Cli::for_org(&org, Auth::ClientCredentials, &[]);
    cli.env("STORECONNECT_COMMAND", " ");
    cli.run().expect(2).contains("no command given");
    assert!(!enabled(&org));
}

#[test]
fn every_restore_sits_where_its_system_always_runs_it() {
    for example in EXAMPLES {
        let text = read_example(example.path);
        let lines: Vec<&str> = text.lines().collect();
        let marked = marked_lines(&text);
        for (phase, want, evidence) in example.places {
            let (_, j) = marked
                .iter()
                .find(|(p, _)| p == phase)
                .unwrap_or_else(|| panic!("{}: no {phase}", example.path));
            let chain = enclosing(&lines, *j);
            // Each wanted line must enclose the step, in this order, nearest first.
            let mut found = Vec::new();
            let mut rest = chain.iter();
            for prefix in *want {
                let k = rest
                    .find(|&&k| lines[k].trim().starts_with(prefix))
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: {phase} is not inside `{prefix}` (enclosed by {:?})",
                            example.path,
                            chain.iter().map(|&k| lines[k].trim()).collect::<Vec<_>>()
                        )
                    });
                found.push(*k);
            }
            assert!(
                block(&lines, found[0]).contains(evidence),
                "{}: `{}` lacks `{evidence}`",
                example.path,
                lines[found[0]].trim()
            );
        }
    }
}
