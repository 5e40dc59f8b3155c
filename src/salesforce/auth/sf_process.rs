//! Asking the Salesforce CLI: running it as a child process we can always stop, and reading
//! its JSON answer. `sf` is a Node program that starts children of its own, so it runs in a
//! process group of its own and the whole group is killed when the deadline passes, when it
//! prints more than we read, or when it exits while a child of it still holds its output
//! open. Its output is read on two threads, each stopping at [`MAX_OUTPUT_BYTES`].

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The most bytes read from each of sf's stdout and stderr. sf's JSON answers here are a few
/// KB; anything past this is not an answer (a runaway process must not fill our memory).
pub(crate) const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// How often the process is checked while its output is still open.
const POLL: Duration = Duration::from_millis(20);

/// How long the readers may take to see the end of the output once the group was killed (a
/// child that left the group can hold it open forever; we do not wait for that one).
const DRAIN: Duration = Duration::from_secs(2);

/// How an sf without a command says so (oclif's plugin-not-found), besides exiting 127.
const NOT_A_COMMAND: &str = "is not a sf command";

/// The exit code of a command that does not exist (oclif, and any shell).
const NO_SUCH_COMMAND: i32 = 127;

/// One answer of `sf … --json`.
pub(crate) enum Reply {
    /// `status` 0: the command's `result`.
    Done(Value),
    /// A non-zero `status`: sf's error name and message.
    Refused { name: String, message: String },
    /// This sf has no such command (exit 127, or "… is not a sf command").
    Missing { stderr: String },
    /// Anything else without a JSON envelope: sf failed in some other way.
    NotJson { stderr: String },
}

/// What a finished process printed and how it ended.
#[derive(Debug)]
struct Finished {
    /// Its exit code; `None` when a signal ended it.
    code: Option<i32>,
    /// Its standard output (invalid UTF-8 replaced).
    stdout: String,
    /// Its standard error (invalid UTF-8 replaced).
    stderr: String,
}

/// Why a process gave no output to read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RunError {
    /// The program is not on `PATH`.
    NotFound,
    /// It could not be started for another reason.
    Start(std::io::ErrorKind),
    /// It was still running at the deadline; its process group was killed.
    TimedOut,
    /// It printed more than [`MAX_OUTPUT_BYTES`] on one stream; its process group was killed.
    TooMuchOutput,
}

/// A stream that went past [`MAX_OUTPUT_BYTES`].
struct Overflow;

/// One stream's bytes, or [`Overflow`].
type Captured = Result<Vec<u8>, Overflow>;

/// Runs `sf … --json` (`command`) until `deadline` and reads its answer.
pub(crate) fn ask(command: Command, deadline: Instant) -> Result<Reply, RunError> {
    run(command, deadline).map(reply)
}

/// Runs `command` with no input (it cannot prompt) until it ends or `deadline` passes, and
/// returns what it printed. Nothing of its process group outlives this call unless it left
/// the group itself.
fn run(mut command: Command, deadline: Instant) -> Result<Finished, RunError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RunError::NotFound,
            kind => RunError::Start(kind),
        })?;
    let (sender, results) = mpsc::channel();
    let stdout = child
        .stdout
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    let stderr = child
        .stderr
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    read_on_thread(0, stdout, sender.clone());
    read_on_thread(1, stderr, sender);
    let mut streams: [Option<Vec<u8>>; 2] = [None, None];
    let mut status: Option<ExitStatus> = None;
    while streams.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(stop(&mut child, &results, RunError::TimedOut));
        }
        match results.recv_timeout(POLL.min(left)) {
            Ok((i, Ok(bytes))) => streams[i] = Some(bytes),
            Ok((_, Err(Overflow))) => {
                return Err(stop(&mut child, &results, RunError::TooMuchOutput));
            }
            Err(RecvTimeoutError::Timeout) => {}
            // Both readers are gone (they always send first): nothing to wait on but the clock.
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(POLL.min(left)),
        }
        if status.is_none()
            && let Ok(Some(exited)) = child.try_wait()
        {
            // sf has exited; a child of it may still hold its output open. Such stragglers
            // keep the group's id in use, so the kill reaches only them; with none left it
            // finds no group (ids are handed out in turn, so not reused this soon).
            status = Some(exited);
            kill_group(child.id());
        }
    }
    let status = match status {
        Some(status) => status,
        None => wait_until(&mut child, deadline)
            .ok_or_else(|| stop(&mut child, &results, RunError::TimedOut))?,
    };
    let [stdout, stderr] = streams.map(|s| String::from_utf8_lossy(&s.unwrap_or_default()).into());
    Ok(Finished {
        code: status.code(),
        stdout,
        stderr,
    })
}

/// What a finished sf answered: its JSON envelope, or whether it lacks the command.
fn reply(finished: Finished) -> Reply {
    let missing = finished.code == Some(NO_SUCH_COMMAND)
        || [&finished.stdout, &finished.stderr]
            .iter()
            .any(|text| text.contains(NOT_A_COMMAND));
    let Finished { stdout, stderr, .. } = finished;
    match envelope(&stdout).or_else(|| envelope(&stderr)) {
        Some(json) => match answer(&json) {
            Reply::Refused { .. } if missing => Reply::Missing { stderr },
            reply => reply,
        },
        None if missing => Reply::Missing { stderr },
        None => Reply::NotJson { stderr },
    }
}

/// The JSON object in sf's output (it starts at the first `{`; text may follow it), if any.
fn envelope(output: &str) -> Option<Value> {
    let start = output.find('{')?;
    serde_json::Deserializer::from_str(&output[start..])
        .into_iter::<Value>()
        .next()?
        .ok()
        .filter(Value::is_object)
}

/// `{"status":0,"result":{…}}` or `{"status":1,"name":"…","message":"…"}`.
fn answer(json: &Value) -> Reply {
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_string);
    match (
        json.get("status").and_then(Value::as_i64),
        json.get("result"),
    ) {
        (Some(0), Some(result)) => Reply::Done(result.clone()),
        _ => Reply::Refused {
            name: text("name").unwrap_or_else(|| "an error".into()),
            message: text("message").unwrap_or_else(|| "(no message)".into()),
        },
    }
}

/// Reads `pipe` to its end (at most [`MAX_OUTPUT_BYTES`] + 1) on a thread and sends the
/// result, tagged `index`.
fn read_on_thread(
    index: usize,
    pipe: Option<Box<dyn Read + Send>>,
    sender: Sender<(usize, Captured)>,
) {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = pipe {
            // A read error ends the stream like its end does: what came so far is the answer.
            let _ = pipe
                .take(MAX_OUTPUT_BYTES as u64 + 1)
                .read_to_end(&mut bytes);
        }
        let result = if bytes.len() > MAX_OUTPUT_BYTES {
            Err(Overflow)
        } else {
            Ok(bytes)
        };
        let _ = sender.send((index, result));
    });
}

/// Polls until the (already silent) process exits or `deadline` passes.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::sleep(POLL.min(left));
    }
}

/// Kills the process group (a leader still running is not reaped, so the id is still ours),
/// reaps the leader and waits a little for the readers to see the end of the output, so the
/// group is gone when this returns.
fn stop(child: &mut Child, results: &Receiver<(usize, Captured)>, why: RunError) -> RunError {
    kill_group(child.id());
    let _ = child.wait();
    let drained = Instant::now() + DRAIN;
    // Ends when both readers are done (the channel disconnects) or at `drained`.
    while results
        .recv_timeout(drained.saturating_duration_since(Instant::now()))
        .is_ok()
    {}
    why
}

/// SIGKILL to every process of the group `leader` started (`process_group(0)`).
#[allow(unsafe_code)]
fn kill_group(leader: u32) {
    let Ok(group) = libc::pid_t::try_from(leader) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of ours. A negative pid
    // names the process group; an error (the group is already gone) needs no handling.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, within: Duration) -> Result<Finished, RunError> {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        run(command, Instant::now() + within)
    }

    #[test]
    fn reads_sf_envelopes() {
        let ok = envelope(
            "Warning: x\n{\"status\":0,\"result\":{\"accessToken\":\"t\"},\"warnings\":[]}\n",
        );
        assert!(matches!(ok.as_ref().map(answer), Some(Reply::Done(r)) if r["accessToken"] == "t"));
        let refused = envelope(
            r#"{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for staging."}"#,
        )
        .map(|j| answer(&j));
        assert!(
            matches!(refused, Some(Reply::Refused { name, message }) if name == "NamedOrgNotFoundError" && message.starts_with("No authorization"))
        );
        assert!(
            envelope(" ›   Warning: org auth show-sfdx-auth-url is not a sf command.").is_none()
        );
    }

    #[test]
    fn only_a_missing_command_counts_as_missing() {
        let finished = |code, stdout: &str, stderr: &str| Finished {
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        };
        let missing = |f| matches!(reply(f), Reply::Missing { .. });
        let warning = " ›   Warning: org auth show-sfdx-auth-url is not a sf command.\n";
        assert!(missing(finished(127, "", "Error: Run sf help org")));
        assert!(missing(finished(2, "", warning)));
        assert!(missing(finished(127, r#"{"status":127,"name":"X"}"#, "")));
        assert!(matches!(
            reply(finished(1, "", "TypeError: x")),
            Reply::NotJson { .. }
        ));
        let not_found = r#"{"status":1,"name":"NamedOrgNotFoundError","message":"m"} trailing"#;
        assert!(matches!(
            reply(finished(1, not_found, "")),
            Reply::Refused { name, .. } if name == "NamedOrgNotFoundError"
        ));
    }

    #[test]
    fn reads_both_streams_and_the_exit_code() {
        let done = sh("echo out; echo err >&2; exit 3", Duration::from_secs(20)).expect("ran");
        assert_eq!(
            (done.code, done.stdout.as_str(), done.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
    }

    #[test]
    fn stops_a_runaway_printer_at_the_cap() {
        let too_much = sh("exec yes", Duration::from_secs(60));
        assert_eq!(too_much.err(), Some(RunError::TooMuchOutput));
    }

    #[test]
    fn a_missing_program_is_not_found() {
        let command = Command::new("/nonexistent/sf");
        assert_eq!(
            run(command, Instant::now() + Duration::from_secs(5)).err(),
            Some(RunError::NotFound)
        );
    }
}
