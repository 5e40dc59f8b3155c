//! UTC timestamps as the Metadata API writes them (`2026-12-01T01:02:03.000Z`): parsing,
//! formatting and whole minutes elapsed. Days-from-civil arithmetic, no date crate needed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count since 1970-01-01 (civil_from_days).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Parses `YYYY-MM-DDThh:mm:ss[.fff]Z` (UTC; a `+00:00` offset is accepted too).
/// `None` for anything else: a time we cannot read is reported as unknown, never guessed.
pub(crate) fn parse(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let rest = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = rest.split_once('T')?;
    let mut d = date.splitn(3, '-');
    let number = |s: Option<&str>, len: usize| -> Option<i64> {
        let s = s?;
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (year, month, day) = (
        number(d.next(), 4)?,
        number(d.next(), 2)?,
        number(d.next(), 2)?,
    );
    let (clock, fraction) = match time.split_once('.') {
        Some((c, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (c, f),
        Some(_) => return None,
        None => (time, ""),
    };
    let mut t = clock.splitn(3, ':');
    let (hour, minute, second) = (
        number(t.next(), 2)?,
        number(t.next(), 2)?,
        number(t.next(), 2)?,
    );
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid || year < 1970 {
        return None;
    }
    let millis: u64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    let days = days_from_civil(year, month, day);
    let secs = u64::try_from(days * 86_400 + hour * 3600 + minute * 60 + second).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
}

/// Formats as ISO 8601 UTC with seconds: `2026-12-01T01:02:03Z`.
pub fn format(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        .min(i64::MAX as u64 / 2) as i64;
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Milliseconds since the Unix epoch (0 before it), as the step state stores times.
pub(crate) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The time `ms` milliseconds after the Unix epoch.
pub(crate) fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// `t` rounded down to the whole second: the precision Salesforce keeps `lastModifiedDate` at.
pub(crate) fn whole_second(t: SystemTime) -> SystemTime {
    from_unix_ms(unix_ms(t) / 1000 * 1000)
}

/// Whole minutes from `since` to `now` (0 when `since` lies in the future: clocks differ).
pub(crate) fn minutes_between(since: SystemTime, now: SystemTime) -> u64 {
    now.duration_since(since).unwrap_or_default().as_secs() / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_metadata_api_dates() {
        let t = parse("2026-12-01T01:02:03.000Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_796_086_923
        );
        assert_eq!(format(t), "2026-12-01T01:02:03Z");
        let leap = parse("2024-02-29T23:59:59.5Z").unwrap();
        assert_eq!(format(leap), "2024-02-29T23:59:59Z");
        assert_eq!(
            leap.duration_since(UNIX_EPOCH).unwrap().subsec_millis(),
            500
        );
        assert_eq!(
            parse("1970-01-01T00:00:00Z"),
            Some(UNIX_EPOCH),
            "no fraction"
        );
        assert_eq!(
            parse("2000-03-01T00:00:00+00:00"),
            parse("2000-03-01T00:00:00.000Z")
        );
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T01:02:03",
            "2026-13-01T01:02:03Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T01:02:03.Z",
            "26-12-01T01:02:03Z",
            "2026-12-01T01:02:03+02:00",
            "garbage",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_known_dates() {
        let at = |secs: u64| format(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_090_766), "2026-12-01T02:06:06Z");
        assert_eq!(at(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn formats_and_round_trips() {
        for secs in [0u64, 951_782_400, 1_796_086_923, 4_102_444_800] {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(parse(&format(t)), Some(t), "{secs}");
        }
    }

    #[test]
    fn unix_milliseconds_round_trip_and_round_down_to_seconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_796_086_923_456);
        assert_eq!(unix_ms(t), 1_796_086_923_456);
        assert_eq!(from_unix_ms(unix_ms(t)), t);
        assert_eq!(unix_ms(whole_second(t)), 1_796_086_923_000);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }

    #[test]
    fn counts_whole_minutes() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(minutes_between(start, start + Duration::from_secs(59)), 0);
        assert_eq!(minutes_between(start, start + Duration::from_secs(125)), 2);
        assert_eq!(minutes_between(start + Duration::from_secs(60), start), 0);
    }
}
