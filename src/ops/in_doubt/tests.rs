//! The write-in-doubt value: recording attempts, its step-state text, and deciding.

use super::*;

fn at(ms: u64) -> SystemTime {
    from_unix_ms(ms)
}

fn sending(doubt: &mut InDoubt, now: u64, latest: u64) {
    doubt.record(
        WriteStage::Sending {
            latest_send: at(latest),
        },
        at(now),
    );
}

#[test]
fn an_answered_write_leaves_nothing_in_doubt() {
    let mut doubt = InDoubt::none(false);
    sending(&mut doubt, 1_000, 121_000);
    assert_eq!(
        doubt.to_text(),
        "false 1000-121000",
        "in doubt while in flight"
    );
    doubt.record(WriteStage::Answered, at(1_500));
    assert!(doubt.is_empty());
    assert_eq!(doubt.to_text(), "");
    assert!(doubt.is_over(at(0)));
}

#[test]
fn a_lost_attempt_is_in_doubt_until_its_send_plus_the_call_limit() {
    let mut doubt = InDoubt::none(false);
    sending(&mut doubt, 1_000, 121_000);
    doubt.record(WriteStage::Lost, at(3_000));
    assert_eq!(doubt.to_text(), "false 1000-3000");
    assert_eq!(doubt.until(), Some(at(3_000) + server_call_limit()));
    assert!(!doubt.is_over(at(3_000)));
    assert!(doubt.is_over(at(3_000) + server_call_limit()));
    // Read back before anything else was sent: it landed.
    doubt.record(WriteStage::Landed, at(3_200));
    assert!(doubt.is_empty());
}

#[test]
fn the_org_settles_one_unobserved_attempt_with_nothing_of_ours_after_it() {
    let mut doubt = InDoubt::none(false);
    sending(&mut doubt, 10_400, 130_000);
    doubt.record(WriteStage::Lost, at(12_000));
    let off = State::Valid(false);
    assert!(doubt.shown_by(&off, Some(at(10_000))), "same second");
    assert!(doubt.shown_by(&off, Some(at(22_000))));
    assert!(!doubt.shown_by(&off, Some(at(9_999))), "changed before");
    assert!(!doubt.shown_by(&off, None), "no time: unknown");
    assert!(!doubt.shown_by(&State::Valid(true), Some(at(22_000))));
    // Round trip through the step state decides the same.
    let again = InDoubt::from_state(Some(&doubt.to_text()), at(0));
    assert_eq!(again, doubt);
}

#[test]
fn an_answered_attempt_after_a_lost_one_proves_nothing_about_it() {
    let mut doubt = InDoubt::none(false);
    sending(&mut doubt, 1_000, 121_000);
    doubt.record(WriteStage::Lost, at(2_000));
    sending(&mut doubt, 3_000, 121_000);
    doubt.record(WriteStage::Answered, at(3_500));
    assert_eq!(doubt.to_text(), "false 1000-2000 then-answered");
    assert!(!doubt.can_be_shown());
    assert!(!doubt.shown_by(&State::Valid(false), Some(at(3_400))));
    assert_eq!(
        InDoubt::from_state(Some(&doubt.to_text()), at(0)),
        doubt,
        "round trip"
    );
}

#[test]
fn two_lost_attempts_stay_in_doubt_when_one_is_seen_landed() {
    let mut doubt = InDoubt::none(false);
    for (send, lost) in [(1_000, 2_000), (3_000, 4_000)] {
        sending(&mut doubt, send, 121_000);
        doubt.record(WriteStage::Lost, at(lost));
    }
    doubt.record(WriteStage::Landed, at(4_500));
    assert_eq!(doubt.unobserved(), 2);
    assert!(!doubt.shown_by(&State::Valid(false), Some(at(5_000))));
    assert_eq!(doubt.until(), Some(at(4_000) + server_call_limit()));
}

#[test]
fn unreadable_state_is_the_worst_case() {
    let now = at(50_000);
    assert!(InDoubt::from_state(None, now).is_empty());
    assert!(InDoubt::from_state(Some("  "), now).is_empty());
    for bad in [
        "x",
        "false",
        "false 12",
        "false 3-2",
        "maybe 1-2",
        "false then-answered 1-2",
        "1796086923456",
    ] {
        let doubt = InDoubt::from_state(Some(bad), now);
        assert_eq!(doubt.until(), Some(now + server_call_limit()), "{bad}");
        assert!(!doubt.can_be_shown(), "{bad}");
    }
}
