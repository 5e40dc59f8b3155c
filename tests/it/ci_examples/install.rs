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

/// A release as the convention lays it out, for this machine's target, under `root/download/`.
/// `tamper` changes the archive after its checksum was taken.
fn fake_release(root: &Path, tamper: bool) {
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
    let asset = format!("storeconnect-triggers-1.0.0-{target}.tar.gz");
    let script = format!(
        "set -eu; chmod +x {stage}/storeconnect-triggers; \
         tar -czf {dir}/{asset} -C {stage} storeconnect-triggers; cd {dir}; \
         sha256sum {asset} > SHA256SUMS; \
         echo '{zeros}  storeconnect-triggers-1.0.0-aarch64-apple-darwin.tar.gz' >> SHA256SUMS; \
         if {tamper}; then echo x >> {asset}; fi",
        stage = stage.display(),
        dir = dir.display(),
        zeros = "0".repeat(64),
    );
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .status()
        .expect("sh runs");
    assert!(status.success(), "fake release built");
}

#[test]
fn the_install_steps_check_the_release_checksum() {
    // (file, where the step leaves the binary, relative to the test's root)
    let cases = [
        ("templates/storeconnect-triggers-guard.yml", "usr/local/bin"),
        (
            "docs/ci/azure-pipelines.yml",
            "agent-temp/storeconnect-triggers",
        ),
        ("docs/ci/Jenkinsfile", "workspace/.storeconnect-triggers"),
        ("docs/ci/circleci-config.yml", "home/.storeconnect-triggers"),
    ];
    for (path, installed) in cases {
        for tamper in [false, true] {
            let root = temp_dir("ci-install");
            fake_release(&root, tamper);
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
            let out = Command::new("sh")
                .arg("-c")
                .arg(&script)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("STORECONNECT_TRIGGERS_VERSION", "1.0.0")
                .env("WORKSPACE", r("workspace"))
                .env("HOME", r("home"))
                .env("TMPDIR", r("tmp"))
                .env("BASH_ENV", r("bash_env"))
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let run = Run::from_output(out);
            let binary = root.join(installed).join("storeconnect-triggers");
            if tamper {
                assert_ne!(run.code, 0, "{path}: a tampered archive must fail");
                assert!(
                    run.all().contains("FAILED"),
                    "{path}: sha256sum says so\n{}",
                    run.all()
                );
                assert!(!binary.exists(), "{path}: nothing installed");
            } else {
                assert_eq!(run.code, 0, "{path}: installs\n{}", run.all());
                let ran = Command::new(&binary)
                    .output()
                    .expect("installed binary runs");
                assert_eq!(
                    String::from_utf8_lossy(&ran.stdout),
                    "fake-release\n",
                    "{path}"
                );
            }
        }
    }
}
