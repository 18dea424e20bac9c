//! The clock a chart's times are shown on: the zone the signed-in viewer chose
//! (`seller::server::zone`, brought by their session), else the zone a request names
//! (`?tz=Asia/Tokyo` on the chart and panel fragments), else UTC, and the chart says which.
//! Without JavaScript a server cannot know a visitor's zone; the live islands then ask for the
//! item chart and the market board in the browser's (docs/architecture.md, "Whose clock").
//!
//! Zones are the IANA database's names, looked up in the copy built into the server (`jiff`,
//! feature `ssr`); the browser build only ever has UTC.

/// The longest zone name accepted (the database's longest is 32 bytes).
pub const MAX_ZONE_NAME: usize = 64;

/// A zone's name as people read it: `America/New_York` → `America/New York`.
pub fn shown(name: &str) -> String {
    name.replace('_', " ")
}

/// The query of a fragment that may be drawn in another zone (`?tz=Asia/Tokyo`): read with
/// [`Zone::from_param`].
#[cfg(feature = "ssr")]
#[derive(serde::Deserialize)]
pub struct ZoneQuery {
    pub tz: Option<String>,
}

/// A time zone: its name and (on the server) its rules.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    #[cfg(feature = "ssr")]
    rules: Option<jiff::tz::TimeZone>,
}

/// A moment's date and time of day on a zone's wall clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wall {
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Zone {
            name: "UTC".into(),
            #[cfg(feature = "ssr")]
            rules: None,
        }
    }

    /// The zone an IANA name names (`Europe/Paris`, `America/New_York`, `UTC`), by its
    /// database spelling; `None` for anything else: unknown names, file paths, POSIX rules,
    /// names over [`MAX_ZONE_NAME`].
    #[cfg(feature = "ssr")]
    pub fn named(name: &str) -> Option<Self> {
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+');
        if name.is_empty() || name.len() > MAX_ZONE_NAME || !name.chars().all(plain) {
            return None;
        }
        if name.eq_ignore_ascii_case("UTC") {
            return Some(Zone::utc());
        }
        let rules = jiff::tz::TimeZone::get(name).ok()?;
        let canonical = rules.iana_name()?.to_string();
        if canonical == "Etc/Unknown" {
            return None;
        }
        Some(Zone {
            name: canonical,
            rules: Some(rules),
        })
    }

    /// The zone of a request's `tz` parameter: UTC when there is none, `Err` when it names no
    /// zone (a client mistake: answered 400, never quietly shown in UTC).
    #[cfg(feature = "ssr")]
    pub fn from_param(param: Option<&str>) -> Result<Self, crate::error::AppError> {
        match param {
            None => Ok(Zone::utc()),
            Some(name) => Zone::named(name).ok_or_else(|| {
                crate::error::AppError::Invalid("No such time zone (tz=Region/City).".into())
            }),
        }
    }

    /// The zones a person may choose, by name: `UTC`, then the database's `Region/City` names
    /// in order (not its aliases such as `EST5EDT` or `Etc/GMT+5`, whose sign reads backwards).
    /// Read from the database once.
    #[cfg(feature = "ssr")]
    pub fn names() -> &'static [String] {
        static NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
            let mut names: Vec<String> = jiff::tz::db()
                .available()
                .map(|name| name.as_str().to_string())
                .filter(|name| name.contains('/') && !name.starts_with("Etc/"))
                .filter(|name| Zone::named(name).is_some_and(|zone| zone.name() == name))
                .collect();
            names.sort();
            names.dedup();
            names.insert(0, "UTC".to_string());
            names
        });
        &NAMES
    }

    /// The zone's name as the database spells it (`UTC`, `Europe/Paris`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether times are shown in UTC.
    pub fn is_utc(&self) -> bool {
        self.name == "UTC"
    }

    fn wall(&self, ms: i64) -> Wall {
        #[cfg(feature = "ssr")]
        if let Some(rules) = &self.rules {
            if let Ok(at) = jiff::Timestamp::from_millisecond(ms) {
                let t = rules.to_datetime(at);
                return Wall {
                    year: i64::from(t.year()),
                    month: t.month() as u8,
                    day: t.day() as u8,
                    hour: t.hour() as u8,
                    minute: t.minute() as u8,
                };
            }
        }
        let (year, month, day) = crate::util::time::civil_date(ms);
        let minutes = ms.div_euclid(60_000).rem_euclid(1_440);
        Wall {
            year,
            month,
            day,
            hour: (minutes / 60) as u8,
            minute: (minutes % 60) as u8,
        }
    }

    /// The time of day: `14:05`.
    pub fn clock(&self, ms: i64) -> String {
        let w = self.wall(ms);
        format!("{:02}:{:02}", w.hour, w.minute)
    }

    /// The date: `11-27` (month and day).
    pub fn month_day(&self, ms: i64) -> String {
        let w = self.wall(ms);
        format!("{:02}-{:02}", w.month, w.day)
    }

    /// The date and the time of day: `Nov 27 14:05`.
    pub fn stamp(&self, ms: i64) -> String {
        let w = self.wall(ms);
        let month = MONTHS[usize::from(w.month.clamp(1, 12)) - 1];
        format!("{month} {} {:02}:{:02}", w.day, w.hour, w.minute)
    }

    /// The year of `ms` on this zone's calendar.
    pub fn year(&self, ms: i64) -> i64 {
        self.wall(ms).year
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    // 2026-11-27 14:05 UTC and 2026-07-01 12:00 UTC.
    const WINTER: i64 = 1_795_788_300_000;
    const SUMMER: i64 = 1_782_907_200_000;

    #[test]
    fn utc_is_the_default_and_reads_the_wall_clock_of_greenwich() {
        let utc = Zone::default();
        assert!(utc.is_utc());
        assert_eq!(utc.clock(WINTER), "14:05");
        assert_eq!(utc.month_day(WINTER), "11-27");
        assert_eq!(utc.stamp(WINTER), "Nov 27 14:05");
        assert_eq!(utc.year(WINTER), 2026);
    }

    #[test]
    fn a_named_zone_follows_its_rules_through_summer_time() {
        let paris = Zone::named("Europe/Paris").expect("Paris");
        assert_eq!(paris.name(), "Europe/Paris");
        assert!(!paris.is_utc());
        assert_eq!(paris.clock(WINTER), "15:05");
        assert_eq!(paris.clock(SUMMER), "14:00");
        let tokyo = Zone::named("Asia/Tokyo").expect("Tokyo");
        // 14:05 UTC is 23:05 in Tokyo; 16:00 UTC is past midnight there: the next day.
        assert_eq!(tokyo.stamp(WINTER), "Nov 27 23:05");
        assert_eq!(tokyo.month_day(WINTER + 2 * 3_600_000), "11-28");
        let new_york = Zone::named("America/New_York").expect("New York");
        assert_eq!(new_york.stamp(WINTER), "Nov 27 09:05");
    }

    #[test]
    fn the_older_names_browsers_report_are_zones_too() {
        // Chromium reports ICU's names, some of which the database keeps only as links.
        for (name, clock) in [
            ("Asia/Calcutta", "19:35"),
            ("Asia/Katmandu", "19:50"),
            ("Europe/Kiev", "16:05"),
            ("America/Buenos_Aires", "11:05"),
            ("Etc/GMT+5", "09:05"),
            ("Etc/UTC", "14:05"),
        ] {
            let zone = Zone::named(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(zone.clock(WINTER), clock, "{name}");
        }
    }

    #[test]
    fn names_are_the_databases_spelling_and_nothing_else_gets_in() {
        assert_eq!(
            Zone::named("utc").map(|z| z.name().to_string()),
            Some("UTC".into())
        );
        assert_eq!(
            Zone::named("europe/paris").map(|z| z.name().to_string()),
            Some("Europe/Paris".into())
        );
        for bad in [
            "",
            "Nowhere/Else",
            "Etc/Unknown",
            "/etc/passwd",
            "../zoneinfo/UTC",
            "EST5EDT,M3.2.0,M11.1.0",
            "Europe/Paris<script>",
            &"A".repeat(MAX_ZONE_NAME + 1),
        ] {
            assert!(Zone::named(bad).is_none(), "{bad:?} was accepted");
        }
        assert!(Zone::from_param(None).expect("no tz").is_utc());
        let names = Zone::names();
        assert_eq!(names[0], "UTC");
        assert!(names.len() > 300, "{}", names.len());
        for name in [
            "Europe/Paris",
            "Asia/Tokyo",
            "America/Argentina/Buenos_Aires",
        ] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
        assert!(names
            .iter()
            .all(|n| Zone::named(n).is_some_and(|z| z.name() == n)));
        assert!(Zone::from_param(Some("Mars/Olympus")).is_err());
    }
}
