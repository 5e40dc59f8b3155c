//! `run` refuses a command the kernel would not start, before any request: exit 2 with the
//! cause, the triggers untouched.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::*;

/// Writes `content` to `name` in a new directory, with `mode`.
fn file(name: &str, content: &[u8], mode: u32) -> std::path::PathBuf {
    let path = temp_dir("preflight").join(name);
    std::fs::write(&path, content).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

/// Runs `run -- ./NAME` in `path`'s directory; expects exit 2 with `cause` and no request.
#[track_caller]
fn refused(path: &Path, cause: &str) {
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let program = format!("./{}", path.file_name().expect("a file").to_string_lossy());
    let mut cli = pinned(&org, Auth::AccessToken, &["run", "--", &program, "arg"]);
    cli.command().current_dir(path.parent().expect("a dir"));
    cli.run().expect(2).contains(cause);
    assert!(org.requests().is_empty(), "no request: {:?}", ops(&org));
    assert!(enabled(&org));
}

#[test]
fn a_script_with_windows_line_endings_is_refused_by_name() {
    let path = file("load.sh", b"#!/bin/sh\r\necho loaded\r\n", 0o755);
    refused(&path, "Windows line endings");
    let path = file("load.sh", b"#!/usr/bin/env sh\r\necho loaded\r\n", 0o755);
    refused(&path, "Windows line endings");
}

#[test]
fn a_missing_interpreter_is_refused() {
    let path = file(
        "load.sh",
        b"#!/nonexistent/bin/shell -e\necho loaded\n",
        0o755,
    );
    refused(
        &path,
        "the interpreter `/nonexistent/bin/shell`, which does not exist",
    );
}

#[test]
fn what_is_not_a_program_for_this_machine_is_refused() {
    let path = file("load", b"echo no shebang\n", 0o755);
    refused(&path, "it is not a program");
    let path = file("empty", b"", 0o755);
    refused(&path, "it is not a program");
    // A 64-bit little-endian ELF header for a machine no kernel here runs (e_machine 0x9999).
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend([0; 8]);
    elf.extend([2, 0, 0x99, 0x99]);
    elf.resize(64, 0);
    let path = file("tool", &elf, 0o755);
    refused(&path, "not for this machine");
}

#[test]
fn not_found_or_not_executable_is_refused() {
    let path = file("load.sh", b"#!/bin/sh\necho loaded\n", 0o644);
    refused(&path, "lacks the execute permission");
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    pinned(&org, Auth::AccessToken, &["run", "--", "no-such-tool-xyz"])
        .run()
        .expect(2)
        .contains("no-such-tool-xyz");
    assert!(org.requests().is_empty());
    let dir = temp_dir("preflight-dir").join("tools");
    std::fs::create_dir(&dir).expect("mkdir");
    refused(&dir, "it is a directory");
}

#[test]
fn a_good_script_still_runs() {
    let path = file("load.sh", b"#!/bin/sh\nexit 4\n", 0o755);
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(&org, Auth::AccessToken, &["run", "--", "./load.sh"]);
    cli.command().current_dir(path.parent().expect("a dir"));
    cli.run().expect(4);
    assert_eq!(count(&org, Op::UpdateMetadata), 2);
    assert!(enabled(&org));
}

#[test]
fn an_interpreter_that_cannot_start_is_refused() {
    // The script's interpreter is itself a script, whose interpreter is missing.
    let interpreter = file("interp", b"#!/nonexistent/deeper\n", 0o755);
    let script = interpreter.with_file_name("load.sh");
    std::fs::write(
        &script,
        format!("#!{}\necho loaded\n", interpreter.display()),
    )
    .expect("write");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    refused(&script, "`/nonexistent/deeper`, which does not exist");
}

#[test]
fn what_still_fails_at_spawn_is_restored_and_said() {
    // Open for writing while it is started: the kernel refuses it (ETXTBSY), which no
    // pre-flight can know in advance.
    let script = file("load.sh", b"#!/bin/sh\necho loaded\n", 0o755);
    let _writer = std::fs::OpenOptions::new()
        .append(true)
        .open(&script)
        .expect("open for writing");
    let org = start_org(FieldKind::Checkbox, RecordKind::Packaged, true);
    let mut cli = pinned(&org, Auth::AccessToken, &["run", "--", "./load.sh"]);
    cli.command().current_dir(script.parent().expect("a dir"));
    cli.run()
        .expect(3)
        .contains("could not start `./load.sh`")
        .contains("Triggers restored to true (verified)");
    assert!(enabled(&org));
}
