//! Seeded randomized guard cycles against simorg with injected faults: the action's main then
//! post, as the runner runs them, with the invariants that must hold whatever the faults:
//!
//! - post exit 0 ⇒ the org holds `true` once every request of the job has finished;
//! - the org not `true` ⇒ post exited non-zero with an `::error` annotation;
//! - the record's other values are preserved; `upsertMetadata` is never sent;
//! - no secret appears in any output, state or summary;
//! - no line the org controls is a workflow command (injection payloads are fault kinds too).
//!
//! And one bound: post fails for a write in doubt while the org ends `true` (a false alarm) in
//! at most 3 cycles in 200 ([`in_doubt_noise_bound`]). What may remain is a write that reached
//! the org and left no trace, which no client can tell from one still queued.
//!
//! `CHAOS_SEED=<n>` replays a run (the seed is printed); `CHAOS_CYCLES=<n>` runs longer.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::action::{Job, assert_no_secrets, pinned_with, with_org};
use crate::common::*;
use crate::rng::{Rng, env_number};

/// Cycles per `cargo test` run: enough to meet most fault kinds in most runs, short enough for CI.
const DEFAULT_CYCLES: usize = 20;
/// Cycles run at once (each has its own org; they mostly wait on timers).
const PARALLEL: usize = 4;
/// In this simulated world, the server's limit for one call: no fault delays an answer longer,
/// and the binary is told so (debug builds), as Salesforce's 10 minutes are in production.
const CALL_LIMIT: Duration = Duration::from_millis(1_500);

const OPS: [Op; 4] = [Op::Token, Op::Query, Op::ReadMetadata, Op::UpdateMetadata];

fn session_expired(op: Op) -> Fault {
    match op {
        Op::ReadMetadata | Op::UpdateMetadata => Fault::status(
            op,
            1,
            500,
            &soap_fault(
                "INVALID_SESSION_ID",
                "Invalid Session ID found in SessionHeader: Illegal Session",
            ),
        ),
        _ => Fault::status(
            Op::Query,
            1,
            401,
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        ),
    }
}

fn failed_save(org: &SimOrg, times: usize) -> Fault {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><updateMetadataResponse><result><errors><message>Unable to lock row</message><statusCode>UNABLE_TO_LOCK_ROW</statusCode></errors><fullName>{}</fullName><success>false</success></result></updateMetadataResponse></soapenv:Body></soapenv:Envelope>"#,
        org.full_name()
    );
    Fault::status(Op::UpdateMetadata, times, 200, &body)
}

/// One random fault, described for the log.
fn random_fault(rng: &mut Rng, org: &SimOrg) -> (String, Fault) {
    let op = rng.pick(&OPS);
    let times = 1 + rng.below(2) as usize;
    match rng.below(12) {
        0 => (
            format!("{times}x 503 on {op:?}"),
            Fault::status(op, times, 503, ""),
        ),
        1 => (
            format!("{times}x 500 maintenance page on {op:?}"),
            Fault::new(
                op,
                times,
                FaultAction::Respond {
                    status: 500,
                    content_type: "text/html;charset=UTF-8".into(),
                    body: "<html><head><title>Maintenance</title></head><body><h1>Down for maintenance</h1></body></html>".into(),
                },
            ),
        ),
        2 => (
            format!("{times}x 429 on {op:?}"),
            Fault::status(op, times, 429, "Too Many Requests"),
        ),
        3 => (
            format!("drop before applying {op:?}"),
            Fault::new(op, 1, FaultAction::Drop),
        ),
        4 => {
            let op = rng.pick(&[Op::UpdateMetadata, Op::UpdateMetadata, op]);
            (
                format!("drop after applying {op:?}"),
                Fault::new(op, 1, FaultAction::ApplyThenDrop),
            )
        }
        5 => {
            let ms = 200 + rng.below(CALL_LIMIT.as_millis() as u64 - 300);
            let op = rng.pick(&[Op::UpdateMetadata, op]);
            (
                format!("{ms} ms slow answer on {op:?}"),
                Fault::new(op, 1, FaultAction::Delay(Duration::from_millis(ms))),
            )
        }
        6 => {
            let op = rng.pick(&[Op::Query, Op::ReadMetadata, Op::UpdateMetadata]);
            (format!("expired session on {op:?}"), session_expired(op))
        }
        7 => {
            let times = rng.pick(&[1, 1, 10]);
            (format!("{times}x failed SaveResult"), failed_save(org, times))
        }
        // Issue 14: outside text that tries to speak in the tool's voice.
        10 | 11 => injection_fault(rng, org),
        8 => (
            "late write: updateMetadata applied after 1.4 s, main's timeout is 1 s".into(),
            Fault::new(
                Op::UpdateMetadata,
                1,
                FaultAction::Delay(CALL_LIMIT - Duration::from_millis(100)),
            ),
        ),
        _ => (
            "invalid_grant once".into(),
            Fault::status(
                Op::Token,
                1,
                400,
                r#"{"error":"invalid_grant","error_description":"authentication failure"}"#,
            ),
        ),
    }
}

// ---- Injection payloads as fault kinds (issue 14) -------------------------------------------

/// Text that would be a workflow command if it reached a line raw.
const PAYLOADS: [&str; 4] = [
    "busy\n::stop-commands::zz",
    "\n::warning::INJ\n::set-output name=state::false",
    "\r::error title=INJ::x",
    "##[set-output name=state;]INJ",
];

/// A fault whose error body, fault string or name carries a payload, or a lastModifiedByName
/// that does.
fn injection_fault(rng: &mut Rng, org: &SimOrg) -> (String, Fault) {
    let payload = rng.pick(&PAYLOADS);
    let json = serde_json::to_string(payload).expect("JSON string");
    let xml = payload.replace('\n', "&#10;").replace('\r', "&#13;");
    match rng.below(4) {
        0 => {
            let op = rng.pick(&[Op::Token, Op::Query]);
            let body = match op {
                Op::Token => {
                    format!(r#"{{"error":"temporarily_unavailable","error_description":{json}}}"#)
                }
                _ => format!(r#"[{{"errorCode":"SERVER_UNAVAILABLE","message":{json}}}]"#),
            };
            (
                format!("503 with a payload on {op:?}"),
                Fault::status(op, 1, 503, &body),
            )
        }
        1 => {
            let op = rng.pick(&[Op::ReadMetadata, Op::UpdateMetadata]);
            let fault = Fault::status(op, 1, 500, &soap_fault("INVALID_SESSION_ID", &xml));
            (format!("expired session with a payload on {op:?}"), fault)
        }
        2 => {
            let record = format!("{}{payload}", org.record_name());
            let body = serde_json::json!({"totalSize": 1, "done": true, "records": [{
                "DeveloperName": "Triggers_Enabled", "QualifiedApiName": record,
                "MasterLabel": "StoreConnect Triggers Enabled", org.field_name(): true,
            }]})
            .to_string();
            (
                "a record name with a payload".into(),
                Fault::status(Op::Query, 1, 200, &body),
            )
        }
        _ => {
            org.set_last_modified(&format!("Jane{payload}"), SystemTime::now());
            let noop = Fault::new(Op::ListMetadata, 1, FaultAction::Delay(Duration::ZERO));
            ("lastModifiedByName with a payload".into(), noop)
        }
    }
}

// ---- End of injection payloads ----------------------------------------------------------------

/// The most cycles of `cycles` whose post may fail for a write in doubt while the org ends
/// `true`: 3 in 200, rounded up, plus one for short runs (a rare fault met early).
fn in_doubt_noise_bound(cycles: usize) -> usize {
    (3 * cycles).div_ceil(200) + usize::from(cycles < 200)
}

/// What post says when it fails because a write could still land (see `ops::restore`).
const IN_DOUBT_FAILURE: &str = "could still turn them OFF until";

/// One cycle's log, and whether it was in-doubt noise (post failed for a write in doubt, the
/// org ended `true`).
struct Cycle {
    log: String,
    noise: bool,
}

/// Runs one cycle; returns its log, or panics with it when an invariant breaks.
fn cycle(seed: u64, index: usize) -> Cycle {
    let mut rng = Rng(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let lag = Duration::from_millis(rng.pick(&[0, 0, 300, 1_500, 3_000]));
    let expiring = rng.chance(25);
    let org = SimOrg::start(OrgConfig {
        field_kind: rng.pick(&[FieldKind::Checkbox, FieldKind::Text]),
        record_kind: rng.pick(&[RecordKind::Packaged, RecordKind::Subscriber]),
        enabled: rng.chance(85),
        readback_lag: lag,
        // Sessions that really expire, at whatever call comes next.
        token_lifetime: expiring.then_some(Duration::from_millis(800)),
        ..OrgConfig::default()
    });
    let auth = rng.pick(&[
        Auth::Jwt,
        Auth::AuthUrl,
        Auth::ClientCredentials,
        Auth::AccessToken,
    ]);
    let mut timeout = rng.pick(&[2, 3, 4]);
    let mut described = String::new();
    for _ in 0..1 + rng.below(3) {
        let (what, fault) = random_fault(&mut rng, &org);
        if what.starts_with("late write") {
            // Main gives up on the write (1 s) before the org applies it (1.4 s).
            timeout = 1;
        }
        let _ = write!(described, "; {what}");
        org.inject(fault);
    }
    let mut log = format!(
        "cycle {index} (CHAOS_SEED={seed}): {auth:?}, timeout {timeout}s, read-back lag {lag:?}, enabled {}{}{described}",
        enabled(&org),
        if expiring {
            ", sessions expire after 0.8 s"
        } else {
            ""
        }
    );
    let before = other_values(&org);
    let timeout_text = timeout.to_string();
    let extra = [("timeout", timeout_text.as_str())];
    let with = if rng.chance(50) {
        pinned_with(&org, auth, &extra)
    } else {
        with_org(&org, auth, &extra)
    };
    let mut job = Job::new(&with);
    job.env(
        "STORECONNECT_TEST_CALL_LIMIT_MS",
        &CALL_LIMIT.as_millis().to_string(),
    );
    let main = job.main();
    if rng.chance(30) {
        // The job's own steps.
        std::thread::sleep(Duration::from_millis(rng.below(1_000)));
    }
    let post = job.post(Some(&main));
    let idle = org.wait_idle(Duration::from_secs(30));
    let value = org.setting();
    let is_true = enabled_value(&value);
    let in_doubt = main
        .state
        .get("write-in-doubt")
        .is_some_and(|v| !v.is_empty());
    let _ = write!(
        log,
        " => main {}{}, post {}, org {value:?}",
        main.run.code,
        if in_doubt { " (write in doubt)" } else { "" },
        post.run.code
    );
    let context = || {
        format!(
            "{log}\n--- main stderr\n{}\n--- post stderr\n{}\n--- post summary\n{}",
            main.run.stderr, post.run.stderr, post.summary
        )
    };
    assert!(idle, "requests still in flight after 30 s\n{}", context());
    if post.run.code == 0 {
        assert!(
            is_true,
            "post exited 0 but the org holds {value:?}\n{}",
            context()
        );
    }
    if !is_true {
        assert_ne!(post.run.code, 0, "{}", context());
        assert!(
            post.run.stderr.contains("::error title="),
            "the org is not true and post said nothing\n{}",
            context()
        );
    }
    assert_eq!(
        other_values(&org),
        before,
        "other values changed\n{}",
        context()
    );
    assert!(
        !ops(&org).contains(&Op::UpsertMetadata),
        "upsertMetadata was sent\n{}",
        context()
    );
    assert_no_secrets(&org, &[&main, &post]);
    crate::injection::assert_no_injected_command(&main.run.all());
    crate::injection::assert_no_injected_command(&post.run.all());
    let noise = is_true && post.run.code != 0 && post.run.stderr.contains(IN_DOUBT_FAILURE);
    if noise {
        // With CHAOS_VERBOSE set, the phases' output too.
        let shown = std::env::var_os("CHAOS_VERBOSE").map(|_| context());
        log = format!("{} (in-doubt noise)", shown.unwrap_or(log));
    }
    Cycle { log, noise }
}

fn enabled_value(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Text(t) => t == "true",
        Value::Nil | Value::Number(_) | Value::Date(_) => false,
    }
}

#[test]
fn guard_cycles_with_random_faults_keep_the_invariants() {
    let seed = env_number("CHAOS_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let cycles = env_number("CHAOS_CYCLES").map_or(DEFAULT_CYCLES, |n| n as usize);
    eprintln!("chaos: CHAOS_SEED={seed} CHAOS_CYCLES={cycles}");
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let logs = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(cycles) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= cycles {
                        break;
                    }
                    let done = cycle(seed, index);
                    logs.lock().unwrap_or_else(|e| e.into_inner()).push(done);
                }
            });
        }
    });
    let mut done = logs.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by(|a, b| a.log.cmp(&b.log));
    for cycle in &done {
        eprintln!("{}", cycle.log);
    }
    let noise = done.iter().filter(|c| c.noise).count();
    eprintln!(
        "chaos: {cycles} cycles in {:.1}s, in-doubt noise {noise} (CHAOS_SEED={seed})",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(done.len(), cycles);
    assert!(
        noise <= in_doubt_noise_bound(cycles),
        "{noise} of {cycles} cycles failed post for a write in doubt while the org ended true (at most {} allowed; CHAOS_SEED={seed})",
        in_doubt_noise_bound(cycles)
    );
}

#[test]
fn the_noise_bound_is_3_in_200() {
    assert_eq!(in_doubt_noise_bound(200), 3);
    assert_eq!(in_doubt_noise_bound(400), 6);
    assert_eq!(in_doubt_noise_bound(20), 2);
    assert_eq!(in_doubt_noise_bound(1), 2);
}
