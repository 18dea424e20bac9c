//! Time: the server clock, and times and durations written for people.

/// Wall-clock time in Unix milliseconds (server side: the browser has no such clock in WASM).
#[cfg(feature = "ssr")]
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The server's clock while rendering (for "5 min ago"); `None` in the browser.
pub fn now_hint() -> Option<i64> {
    #[cfg(feature = "ssr")]
    {
        Some(now_ms())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Human time left until `ends_at_ms`, as seen at `now_ms`: `2d 4h`, `3h 12m`, `45s`, `Ended`.
pub fn format_time_left(ends_at_ms: i64, now_ms: i64) -> String {
    let left = ends_at_ms - now_ms;
    if left <= 0 {
        return "Ended".to_string();
    }
    // Round up: never say "Ended" (or "0s") while there is still time to bid.
    let secs = (left + 999) / 1000;
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// "3 min ago" style time.
pub fn ago(at_ms: i64, now_ms: i64) -> String {
    let secs = ((now_ms - at_ms) / 1000).max(0);
    match secs {
        0..=9 => "just now".into(),
        10..=59 => format!("{secs} seconds ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// `2026-11-25` from Unix milliseconds (UTC).
pub fn date(ms: i64) -> String {
    let (y, m, d) = civil_date(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The UTC calendar date (year, month, day) of Unix milliseconds (civil-from-days).
pub fn civil_date(ms: i64) -> (i64, u8, u8) {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u8, d as u8)
}

/// `1 bid`, `0 bids`, `2 bids`.
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_picks_the_two_largest_units() {
        let now = 1_000_000;
        assert_eq!(format_time_left(now - 1, now), "Ended");
        assert_eq!(format_time_left(now, now), "Ended");
        assert_eq!(format_time_left(now + 1, now), "1s");
        assert_eq!(format_time_left(now + 999, now), "1s");
        assert_eq!(format_time_left(now + 45_000, now), "45s");
        assert_eq!(format_time_left(now + 192_000, now), "3m 12s");
        assert_eq!(format_time_left(now + 3 * 3_600_000 + 60_000, now), "3h 1m");
        assert_eq!(
            format_time_left(now + 2 * 86_400_000 + 4 * 3_600_000, now),
            "2d 4h"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_764_028_800_000), "2025-11-25");
    }

    #[test]
    fn ago_and_plural() {
        assert_eq!(ago(0, 5_000), "just now");
        assert_eq!(ago(0, 120_000), "2 min ago");
        assert_eq!(plural(1, "bid", "bids"), "1 bid");
        assert_eq!(plural(0, "bid", "bids"), "0 bids");
    }
}
