//! `run`'s pre-flight: before any request, what the kernel would refuse to start. A command
//! that cannot start must not turn the triggers off (exit 2, nothing touched).
//!
//! Checked, as `execve` would: the program is found (a path, or a name on `PATH`), is a file
//! with an execute bit, and is either a `#!` script whose interpreter can start (followed as
//! deep as the kernel follows them; a carriage return ending the line is named: Windows line
//! endings), an ELF program for this machine, or a file a registered `binfmt_misc` handler
//! takes. What still fails at spawn is restored and reported by `run` as before.

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::outside::Outside;

/// How many bytes of the file the kernel looks at to decide how to run it (`BINPRM_BUF_SIZE`).
const HEAD_BYTES: usize = 256;

/// Refuses (exit 2) a `program` the kernel would not start, saying why.
pub(crate) fn check(program: &OsStr) -> Result<()> {
    let shown = Outside::name(program.to_string_lossy().into_owned());
    let refuse = |why: String| Err(Error::usage(format!("cannot run `{shown}`: {why}")));
    let path = match find(program) {
        Found::Program(path) => path,
        Found::NotExecutable(path) => {
            let path = Outside::name(path.display().to_string());
            return refuse(format!(
                "{path} is not an executable file: it lacks the execute permission (chmod +x {path})"
            ));
        }
        Found::Nothing => {
            return refuse(if has_slash(program) && Path::new(program).is_dir() {
                "it is not an executable file: it is a directory".into()
            } else if has_slash(program) {
                "it is not an executable file: there is no such file".into()
            } else {
                "it is not an executable file on PATH".into()
            });
        }
    };
    startable(&path, 0).map_or(Ok(()), refuse)
}

/// How many interpreters deep the kernel follows `#!` lines (the script's, its interpreter's, …).
const MAX_NESTING: u32 = 4;

/// Why the kernel would not start the executable file `path` (`None` when it would, or when
/// that cannot be told from here). `depth`: how many `#!` lines led here.
fn startable(path: &Path, depth: u32) -> Option<String> {
    // An execute-only file cannot be read here; the kernel may still start it.
    let head = read_head(path).ok()?;
    if binfmt_misc_takes(&head, path) {
        return None;
    }
    match kind(&head) {
        Kind::Script(line) => {
            let interpreter = match interpreter(&line) {
                Ok(interpreter) => interpreter,
                Err(why) => return Some(why),
            };
            if depth >= MAX_NESTING {
                return None;
            }
            let why = startable(Path::new(&interpreter), depth + 1)?;
            Some(format!(
                "its #! line names the interpreter `{}`, which cannot start: {why}",
                Outside::name(interpreter)
            ))
        }
        Kind::Elf { machine } => foreign(machine).map(|name| {
            format!(
                "it is a program for {name}, not for this machine ({}) (Exec format error)",
                std::env::consts::ARCH
            )
        }),
        Kind::Other => Some(
            "it is not a program: it has no #! line and is not a binary for this machine (Exec format error); start it with its interpreter, e.g. `run -- sh script`".into(),
        ),
    }
}

fn has_slash(program: &OsStr) -> bool {
    program.as_encoded_bytes().contains(&b'/')
}

enum Found {
    Program(PathBuf),
    NotExecutable(PathBuf),
    Nothing,
}

/// The file `execvp` would start: `program` itself when it has a `/`, else the first file of
/// that name on `PATH` with an execute bit.
fn find(program: &OsStr) -> Found {
    let candidates: Vec<PathBuf> = if has_slash(program) {
        vec![PathBuf::from(program)]
    } else {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join(program))
            .collect()
    };
    let mut not_executable = None;
    for candidate in candidates {
        match std::fs::metadata(&candidate) {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => {
                return Found::Program(candidate);
            }
            Ok(m) if m.is_file() => {
                not_executable.get_or_insert(candidate);
            }
            _ => {}
        }
    }
    not_executable.map_or(Found::Nothing, Found::NotExecutable)
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    std::fs::File::open(path)?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

enum Kind {
    /// A `#!` line (without `#!` and the line feed).
    Script(Vec<u8>),
    /// An ELF file for `machine` (`e_machine`).
    Elf {
        machine: u16,
    },
    Other,
}

fn kind(head: &[u8]) -> Kind {
    if let Some(rest) = head.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
        return Kind::Script(line.to_vec());
    }
    if head.len() >= 20 && head.starts_with(b"\x7fELF") {
        let bytes = [head[18], head[19]];
        // EI_DATA: 2 = big-endian.
        let machine = if head[5] == 2 {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        };
        return Kind::Elf { machine };
    }
    Kind::Other
}

/// The interpreter a `#!` line names, when it is an executable file; else what is wrong.
fn interpreter(line: &[u8]) -> std::result::Result<String, String> {
    if line.ends_with(b"\r") {
        return Err("its #! line ends with a carriage return: the file has Windows line endings (CRLF); convert it to Unix line endings (e.g. `sed -i 's/\\r$//' FILE` or dos2unix)".into());
    }
    let text = String::from_utf8_lossy(line);
    let Some(interpreter) = text.split([' ', '\t']).find(|t| !t.is_empty()) else {
        return Err("its #! line names no interpreter".into());
    };
    let shown = Outside::name(interpreter);
    match std::fs::metadata(interpreter) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(interpreter.to_string()),
        Ok(_) => Err(format!(
            "its #! line names the interpreter `{shown}`, which is not an executable file"
        )),
        Err(_) => Err(format!(
            "its #! line names the interpreter `{shown}`, which does not exist on this machine"
        )),
    }
}

/// The name of an ELF `e_machine` this machine cannot run, or `None` when it can (or when
/// this machine's architecture is not one this check knows).
///
/// "This machine" is what the kernel runs natively (`/proc/sys/kernel/arch`) and what this
/// program was built for: under user-mode emulation (qemu-user running this binary on another
/// host) the two differ, and the kernel still runs the host's own programs.
fn foreign(machine: u16) -> Option<String> {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/arch").ok();
    foreign_to(
        machine,
        &[
            kernel.as_deref().map_or("", str::trim),
            std::env::consts::ARCH,
        ],
    )
}

/// [`foreign`] for the machines named in `arches` (`uname -m` or Rust's names).
fn foreign_to(machine: u16, arches: &[&str]) -> Option<String> {
    const KNOWN: [(u16, &str); 8] = [
        (3, "x86"),
        (8, "mips"),
        (20, "powerpc"),
        (21, "powerpc64"),
        (22, "s390x"),
        (40, "arm"),
        (62, "x86_64"),
        (183, "aarch64"),
    ];
    let mut known_arch = false;
    for arch in arches {
        let runs: &[u16] = match *arch {
            "x86_64" => &[62, 3],
            "x86" | "i686" | "i386" => &[3],
            "aarch64" | "arm64" => &[183, 40],
            "arm" | "armv7l" | "armv8l" => &[40],
            _ => continue,
        };
        known_arch = true;
        if runs.contains(&machine) {
            return None;
        }
    }
    if !known_arch {
        return None;
    }
    Some(KNOWN.iter().find(|(m, _)| *m == machine).map_or_else(
        || format!("another machine (ELF e_machine {machine})"),
        |(_, name)| (*name).to_string(),
    ))
}

/// Whether an enabled `binfmt_misc` handler (e.g. qemu-user for foreign programs) takes this
/// file, by magic bytes or by extension: the kernel then starts it through that handler.
fn binfmt_misc_takes(head: &[u8], path: &Path) -> bool {
    let dir = Path::new("/proc/sys/fs/binfmt_misc");
    let enabled = std::fs::read_to_string(dir.join("status")).is_ok_and(|s| s.trim() == "enabled");
    let Ok(entries) = std::fs::read_dir(dir).map(|d| d.flatten()) else {
        return false;
    };
    enabled
        && entries.into_iter().any(|entry| {
            std::fs::read_to_string(entry.path()).is_ok_and(|text| handler_takes(&text, head, path))
        })
}

/// Whether one `binfmt_misc` entry (its file's text) takes the file.
fn handler_takes(entry: &str, head: &[u8], path: &Path) -> bool {
    if entry.lines().next() != Some("enabled") {
        return false;
    }
    let field = |name: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
    };
    if let Some(extension) = field("extension") {
        let wanted = extension.trim_start_matches('.');
        return path.extension().is_some_and(|e| e == wanted);
    }
    let hex = |s: &str| -> Option<Vec<u8>> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
            .collect()
    };
    let (Some(magic), Some(offset)) = (
        field("magic").and_then(hex),
        field("offset").and_then(|o| o.parse::<usize>().ok()),
    ) else {
        return false;
    };
    let mask = field("mask")
        .and_then(hex)
        .unwrap_or_else(|| vec![0xff; magic.len()]);
    let Some(bytes) = head.get(offset..offset + magic.len()) else {
        return false;
    };
    bytes
        .iter()
        .zip(&magic)
        .zip(mask.iter().chain(std::iter::repeat(&0xff)))
        .all(|((b, m), k)| b & k == m & k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_binfmt_misc_entries() {
        let qemu = "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
        let mut arm = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
        arm.extend([0; 8]);
        arm.extend([2, 0, 183, 0]);
        let path = Path::new("x");
        assert!(handler_takes(qemu, &arm, path));
        arm[18] = 62;
        assert!(!handler_takes(qemu, &arm, path));
        assert!(!handler_takes(
            &qemu.replacen("enabled", "disabled", 1),
            &arm,
            path
        ));
        let exe = "enabled\ninterpreter /usr/bin/wine\nflags: \nextension .exe\n";
        assert!(handler_takes(exe, b"MZ", Path::new("setup.exe")));
        assert!(!handler_takes(exe, b"MZ", Path::new("setup.sh")));
    }

    #[test]
    fn knows_what_this_machine_runs() {
        let own = match std::env::consts::ARCH {
            "x86_64" => 62,
            "aarch64" => 183,
            _ => return,
        };
        assert_eq!(foreign(own), None);
        assert_eq!(foreign(22).as_deref(), Some("s390x"));
        assert!(foreign(0x9999).unwrap().contains("e_machine 39321"));
    }

    #[test]
    fn under_emulation_the_hosts_own_programs_still_run() {
        // This binary built for aarch64, run by qemu-user on an x86_64 kernel: the kernel starts
        // x86_64 programs itself.
        assert_eq!(foreign_to(62, &["x86_64", "aarch64"]), None);
        assert_eq!(foreign_to(183, &["x86_64", "aarch64"]), None);
        assert_eq!(
            foreign_to(62, &["aarch64", "aarch64"]).as_deref(),
            Some("x86_64")
        );
        // An architecture the check does not know refuses nothing.
        assert_eq!(foreign_to(62, &["riscv64", "riscv64"]), None);
    }
}
