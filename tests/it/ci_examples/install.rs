//! The examples' install steps: they download a release and check its checksum.

use super::*;

/// The text of the install script marked `[test:install]`: a YAML block scalar (`|`) or a
/// Jenkins `sh '''…'''`.
fn install_script(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let (_, j) = marked_lines(text)
        .into_iter()
        .find(|(p, _)| p == "install")
        .expect("an install step");
    let body: Vec<&str> = if lines[j].trim_end().ends_with("'''") {
        lines[j + 1..]
            .iter()
            .take_while(|l| l.trim() != "'''")
            .copied()
            .collect()
    } else {
        assert!(lines[j].trim_end().ends_with('|'), "{}", lines[j]);
        let first = lines[j + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .expect("a script");
        let depth = indent(first);
        lines[j + 1..]
            .iter()
            .take_while(|l| l.trim().is_empty() || indent(l) >= depth)
            .copied()
            .collect()
    };
    let depth = body.iter().map(|l| indent(l)).min().unwrap_or(0);
    body.iter()
        .map(|l| l.get(depth..).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A release as the convention lays it out, for this machine's target, under `root/download/`,
/// with its attestation bundle. `tamper` changes the archive after its checksum was taken.
/// Returns the SHA-256 of the archive as built (what a user pins).
fn fake_release(root: &Path, tamper: bool) -> String {
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let dir = root.join("download/v1.0.0");
    let stage = root.join("stage");
    std::fs::create_dir_all(&dir).expect("release dir");
    std::fs::create_dir_all(&stage).expect("stage dir");
    std::fs::write(
        stage.join("storeconnect-triggers"),
        "#!/bin/sh\necho fake-release\n",
    )
    .expect("fake binary");
    std::fs::write(
        dir.join("storeconnect-triggers-1.0.0.sigstore.jsonl"),
        "{\"bundle\":\"fake\"}\n",
    )
    .expect("fake bundle");
    let asset = format!("storeconnect-triggers-1.0.0-{target}.tar.gz");
    let script = format!(
        "set -eu; chmod +x {stage}/storeconnect-triggers; \
         tar -czf {dir}/{asset} -C {stage} storeconnect-triggers; cd {dir}; \
         sha256sum {asset} > SHA256SUMS; \
         if {tamper}; then echo x >> {asset}; fi",
        stage = stage.display(),
        dir = dir.display(),
    );
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .status()
        .expect("sh runs");
    assert!(status.success(), "fake release built");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    sums.split_whitespace().next().expect("a sum").to_string()
}

/// A PATH of only what the install steps may use, and a fake `gh` when `gh` is `Some(exit)`:
/// it logs its arguments and the bundle it was given, then exits with that code.
fn tools_path(root: &Path, gh: Option<i32>) -> String {
    let bin = root.join("tools");
    std::fs::create_dir_all(&bin).expect("tools dir");
    for tool in [
        "sh",
        "curl",
        "sha256sum",
        "tar",
        "gzip",
        "install",
        "mktemp",
        "uname",
        "mkdir",
    ] {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{tool} on PATH"));
        std::os::unix::fs::symlink(found, bin.join(tool)).expect("symlink");
    }
    if let Some(code) = gh {
        let log = root.join("gh.log");
        let script = format!(
            "#!/bin/sh\necho \"$*\" >> {log}\nwhile [ $# -gt 0 ]; do \
             if [ \"$1\" = --bundle ]; then echo \"bundle: $(cat \"$2\")\" >> {log}; fi; shift; done\n\
             exit {code}\n",
            log = log.display()
        );
        let gh = bin.join("gh");
        std::fs::write(&gh, script).expect("fake gh");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::os::unix::fs::symlink(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|d| d.join("cat"))
                .find(|p| p.is_file())
                .expect("cat on PATH"),
            bin.join("cat"),
        )
        .expect("symlink cat");
    }
    bin.display().to_string()
}

/// How the download is verified in one case.
#[derive(Clone, Copy, Debug)]
enum Verify {
    /// STORECONNECT_TRIGGERS_SHA256 holds the archive's checksum as released.
    Pinned,
    /// No pin; a `gh` that exits with this code.
    Gh(i32),
    /// No pin, no `gh`.
    Nothing,
}

#[test]
fn the_install_steps_verify_the_download_against_a_pin_or_its_attestation() {
    // (file, where the step leaves the binary, relative to the test's root)
    let cases = [
        ("templates/storeconnect-triggers-guard.yml", "usr/local/bin"),
        ("templates/storeconnect-triggers-check.yml", "usr/local/bin"),
        ("docs/ci/bitbucket-pipelines.yml", "usr/local/bin"),
        (
            "docs/ci/azure-pipelines.yml",
            "agent-temp/storeconnect-triggers",
        ),
        ("docs/ci/Jenkinsfile", "workspace/.storeconnect-triggers"),
        ("docs/ci/circleci-config.yml", "home/.storeconnect-triggers"),
    ];
    let variants = [
        (Verify::Pinned, false, true),
        (Verify::Pinned, true, false),
        (Verify::Gh(0), false, true),
        (Verify::Gh(1), false, false),
        (Verify::Nothing, false, false),
    ];
    for (path, installed) in cases {
        for (verify, tamper, installs) in variants {
            let root = temp_dir("ci-install");
            let sha = fake_release(&root, tamper);
            for d in ["usr/local/bin", "agent-temp", "workspace", "home", "tmp"] {
                std::fs::create_dir_all(root.join(d)).unwrap();
            }
            // The download host becomes a file:// URL; the system's own paths, temp dirs.
            let script = install_script(&read_example(path))
                .replace(
                    "https://github.com/storeconnect/storeconnect-triggers/releases/download",
                    &format!("file://{}/download", root.display()),
                )
                .replace(
                    "/usr/local/bin",
                    &root.join("usr/local/bin").to_string_lossy(),
                )
                .replace(
                    "$(Agent.TempDirectory)",
                    &root.join("agent-temp").to_string_lossy(),
                );
            let r = |d: &str| root.join(d).to_string_lossy().into_owned();
            let gh = match verify {
                Verify::Gh(code) => Some(code),
                _ => None,
            };
            let pin = match verify {
                Verify::Pinned => sha.clone(),
                _ => String::new(),
            };
            let out = Command::new(root.join("tools/sh").to_string_lossy().as_ref())
                .arg("-c")
                .arg(&script)
                .env_clear()
                .env("PATH", tools_path(&root, gh))
                .env("STORECONNECT_TRIGGERS_VERSION", "1.0.0")
                .env("STORECONNECT_TRIGGERS_SHA256", &pin)
                .env("WORKSPACE", r("workspace"))
                .env("HOME", r("home"))
                .env("TMPDIR", r("tmp"))
                .env("BASH_ENV", r("bash_env"))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let run = Run::from_output(out);
            let binary = root.join(installed).join("storeconnect-triggers");
            let case = format!("{path} ({verify:?}, tampered: {tamper})");
            let gh_log = std::fs::read_to_string(root.join("gh.log")).unwrap_or_default();
            if installs {
                assert_eq!(run.code, 0, "{case}: installs\n{}", run.all());
                let ran = Command::new(&binary)
                    .output()
                    .expect("installed binary runs");
                assert_eq!(
                    String::from_utf8_lossy(&ran.stdout),
                    "fake-release\n",
                    "{case}"
                );
            } else {
                assert_ne!(run.code, 0, "{case}: must fail\n{}", run.all());
                assert!(!binary.exists(), "{case}: nothing installed");
            }
            match verify {
                Verify::Pinned => {
                    assert!(gh_log.is_empty(), "{case}: a pin needs no gh");
                    if tamper {
                        assert!(
                            run.all().contains("FAILED"),
                            "{case}: sha256sum says so\n{}",
                            run.all()
                        );
                    }
                }
                Verify::Gh(_) => {
                    let target = if cfg!(target_arch = "aarch64") {
                        "aarch64-unknown-linux-musl"
                    } else {
                        "x86_64-unknown-linux-musl"
                    };
                    assert!(
                        gh_log.contains(&format!(
                            "attestation verify storeconnect-triggers-1.0.0-{target}.tar.gz \
                             --repo storeconnect/storeconnect-triggers --bundle attestation.jsonl"
                        )),
                        "{case}: gh verifies the archive's provenance\n{gh_log}"
                    );
                    assert!(
                        gh_log.contains("bundle: {\"bundle\":\"fake\"}"),
                        "{case}: with the release's bundle\n{gh_log}"
                    );
                }
                Verify::Nothing => assert!(
                    run.all().contains("cannot verify"),
                    "{case}: says why\n{}",
                    run.all()
                ),
            }
        }
    }
}
