//! A seller's visitors and bidders as people: a person who comes to three of the seller's items
//! is one visitor of the seller, not three. The item scripts name the person with the new
//! visitor or bidder they log; the fold (`lua/stats_fold.lua`) moves those entries to the
//! shard's people log; [`count_people`] adds each person to a HyperLogLog per seller, metric and
//! bucket, then deletes what it counted. A `PFADD` of the same person twice changes nothing, so
//! instances counting the same entries at once, or again after a crash between the adds and the
//! delete, never count anyone twice. A span's figure is one `PFCOUNT` over its buckets' logs.

use super::super::{Metric, Scale, Span};
use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::Keys;
use crate::util::id::UserId;

/// Entries one count takes from a shard's people log.
pub const BATCH: usize = 500;

/// One person who became a visitor or bidder of a seller's item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person<'a> {
    pub seller: UserId,
    pub item: Option<u64>,
    pub at_ms: i64,
    pub person: &'a str,
    pub metrics: Vec<Metric>,
}

/// Reads one people log entry, `<seller> <item> <time ms> <person> <metric letters>`.
pub fn parse(line: &str) -> Option<Person<'_>> {
    let mut parts = line.split(' ');
    let seller = UserId(parts.next()?.parse().ok()?);
    let item = match parts.next()? {
        "-" => None,
        id => Some(id.parse().ok()?),
    };
    let at_ms = parts.next()?.parse().ok()?;
    let person = parts.next().filter(|p| !p.is_empty())?;
    let metrics = parts
        .next()?
        .chars()
        .map(|c| match c {
            'q' => Some(Metric::Visitors),
            'u' => Some(Metric::Bidders),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    if parts.next().is_some() || metrics.is_empty() {
        return None;
    }
    Some(Person {
        seller,
        item,
        at_ms,
        person,
        metrics,
    })
}

/// Whether a seller's `metric` counts people (read from their logs, not summed over items).
pub fn counts_people(metric: Metric) -> bool {
    matches!(metric, Metric::Visitors | Metric::Bidders)
}

/// How long a bucket's log is kept after the bucket ends: as long as a span can show it.
fn kept_ms(scale: Scale) -> i64 {
    let longest = Span::ALL
        .into_iter()
        .filter(|s| s.scale() == scale)
        .map(|s| s.buckets() as i64)
        .max()
        .unwrap_or(1);
    longest * scale.width_ms()
}

/// The `<metric>:<scale>` part of a seller's people log key.
fn series_code(metric: Metric, scale: Scale) -> String {
    format!("{}:{}", metric.code(), scale.code())
}

/// The scales a person is counted at.
const SCALES: [Scale; 3] = [Scale::Minute, Scale::Hour, Scale::Day];

/// Counts one shard's people log into the sellers' logs (one round trip for the adds, one for
/// the delete and the live pages' pings); returns the entries counted.
pub async fn count_people(db: &Db, shard: u64) -> Result<usize, AppError> {
    let keys = db.keys();
    let log = keys.people_log(shard);
    let mut conn = db.conn()?;
    let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg(&log)
        .arg("-")
        .arg("+")
        .arg("COUNT")
        .arg(BATCH)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read people log", e))?;
    let Some((last, _)) = entries.last() else {
        return Ok(0);
    };
    let mut adds = redis::pipe();
    let mut sellers = std::collections::BTreeMap::new();
    for (id, fields) in &entries {
        let line = fields
            .iter()
            .find(|(f, _)| f == "e")
            .map(|(_, v)| v.as_str());
        let Some(person) = line.and_then(parse) else {
            // Written only by the fold, so this is a bug: say so and do not block the log on it.
            tracing::warn!(entry = %id, ?line, "people log entry not understood; dropped");
            continue;
        };
        add(&mut adds, keys, &person);
        sellers.insert(person.seller, person.item);
    }
    if !sellers.is_empty() {
        adds.query_async::<()>(&mut conn)
            .await
            .map_err(|e| redis_error("count people", e))?;
    }
    // Only what was counted goes; the log only grows at its end.
    let mut done = redis::pipe();
    done.cmd("XTRIM")
        .arg(&log)
        .arg("MINID")
        .arg(last)
        .ignore()
        .cmd("XDEL")
        .arg(&log)
        .arg(last)
        .ignore();
    for (seller, item) in sellers {
        let ping = match item {
            Some(item) => format!(r#"stats {{"item":{item}}}"#),
            None => "stats {}".to_string(),
        };
        done.cmd("PUBLISH")
            .arg(keys.user_channel(seller))
            .arg(ping)
            .ignore();
    }
    done.query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("trim people log", e))?;
    Ok(entries.len())
}

/// Adds one person to the seller's log of every bucket the event falls in, each kept as long
/// as a chart can show it.
fn add(pipe: &mut redis::Pipeline, keys: &Keys, p: &Person<'_>) {
    for metric in &p.metrics {
        for scale in SCALES {
            let bucket = scale.bucket(p.at_ms);
            let key = keys.seller_people(p.seller, &series_code(*metric, scale), bucket);
            let expires = (bucket + 1) * scale.width_ms() + kept_ms(scale);
            pipe.cmd("PFADD")
                .arg(&key)
                .arg(p.person)
                .ignore()
                .cmd("PEXPIREAT")
                .arg(&key)
                .arg(expires)
                .ignore();
        }
    }
}

/// The people of `metric` per bucket over `buckets` (of `scale`) and over all of them at once,
/// in one round trip on the seller's slot.
pub async fn people_series(
    db: &Db,
    seller: UserId,
    metric: Metric,
    scale: Scale,
    buckets: &[i64],
) -> Result<(Vec<i64>, i64), AppError> {
    let keys = db.keys();
    let series = series_code(metric, scale);
    let names: Vec<String> = buckets
        .iter()
        .map(|b| keys.seller_people(seller, &series, *b))
        .collect();
    let mut pipe = redis::pipe();
    for name in &names {
        pipe.cmd("PFCOUNT").arg(name);
    }
    pipe.cmd("PFCOUNT").arg(&names);
    let mut conn = db.conn()?;
    let mut counts: Vec<i64> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("count seller people", e))?;
    let all = counts.pop();
    let Some(all) = all.filter(|_| counts.len() == names.len()) else {
        tracing::error!(replies = counts.len(), "PFCOUNT pipeline: replies missing");
        return Err(AppError::Internal);
    };
    Ok((counts, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_entry_and_refuses_anything_else() {
        let p = parse("7 23 1796000000000 u:12 qu").unwrap();
        assert_eq!(p.seller, UserId(7));
        assert_eq!(p.item, Some(23));
        assert_eq!(p.person, "u:12");
        assert_eq!(p.metrics, vec![Metric::Visitors, Metric::Bidders]);
        assert_eq!(parse("7 - 1 a:x u").unwrap().item, None);
        for bad in [
            "",
            "7 23 1796000000000 u:12",
            "7 23 1796000000000 u:12 v",
            "7 23 1796000000000 u:12 ",
            "x 23 1 u:12 q",
            "7 23 1 u:12 q extra",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn buckets_are_kept_as_long_as_a_span_shows_them() {
        assert_eq!(kept_ms(Scale::Minute), 60 * 60_000);
        assert_eq!(kept_ms(Scale::Hour), 24 * 3_600_000);
        assert_eq!(kept_ms(Scale::Day), 30 * 86_400_000);
    }
}
