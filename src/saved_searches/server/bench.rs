//! `rbay bench-alerts` (scripts/bench.sh alerts): many saved searches, then new listings at a
//! steady rate, each matched as its job would match it. Prints what the searches cost in Redis
//! memory and what matching cost per listing (time, candidates read, alerts, Redis CPU).
//! Writes into the configured namespace (the script purges it afterwards).

use crate::error::AppError;
use crate::saved_searches::server::{run_match, save, MatchReport};
use crate::saved_searches::SearchSpec;
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use std::time::{Duration, Instant};

/// Made-up words. `shared`: three of 20 syllables each, so that nearly every word shares its
/// first letters with a twentieth of the others — the worst case for the buckets; otherwise
/// 5–9 random letters, as varied as a real vocabulary's beginnings.
fn vocabulary(n: usize, shared: bool) -> Vec<String> {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ren", "tas", "vo", "quin", "bar", "del", "sor", "pem", "zu", "fa",
        "gol", "nix", "tre", "ul", "wen", "yas", "cho",
    ];
    let mut words = std::collections::BTreeSet::new();
    let mut pick = Pick(0x2545_f491_4f6c_dd1d);
    while words.len() < n {
        let mut word = String::new();
        if shared {
            for _ in 0..3 {
                word.push_str(SYLLABLES[pick.next(SYLLABLES.len())]);
            }
        } else {
            for _ in 0..5 + pick.next(5) {
                word.push((b'a' + pick.next(26) as u8) as char);
            }
        }
        words.insert(word);
    }
    words.into_iter().collect()
}

/// A tiny deterministic generator for picking words.
struct Pick(u64);

impl Pick {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Redis figures summed over the primaries: (used memory bytes, CPU seconds).
async fn redis_figures(db: &Db) -> Result<(u64, f64), AppError> {
    let mut memory = 0;
    let mut cpu = 0.0;
    let primaries = db
        .primaries()
        .await
        .map_err(|e| redis_error("bench primaries", e))?;
    for primary in primaries.iter() {
        let mut pipe = redis::pipe();
        pipe.cmd("INFO").arg("memory").cmd("INFO").arg("cpu");
        let replies = db
            .on_primary(primary, &pipe)
            .await
            .map_err(|e| redis_error("bench info", e))?;
        for reply in replies {
            let info: String =
                redis::from_redis_value(reply).map_err(|e| redis_error("bench info", e.into()))?;
            for line in info.lines() {
                let Some((k, v)) = line.split_once(':') else {
                    continue;
                };
                match k {
                    "used_memory" => memory += v.trim().parse::<u64>().unwrap_or(0),
                    "used_cpu_user" | "used_cpu_sys" => {
                        cpu += v.trim().parse::<f64>().unwrap_or(0.0)
                    }
                    _ => {}
                }
            }
        }
    }
    Ok((memory, cpu))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Saves `searches` searches for as many users, then lists `listings` items at `per_minute`
/// and matches each; returns the report to print.
pub async fn run(
    db: &Db,
    searches: u32,
    listings: u32,
    per_minute: u32,
    shared: bool,
) -> Result<String, AppError> {
    let words = if shared {
        vocabulary(2_000, true)
    } else {
        vocabulary(20_000, false)
    };
    let categories: Vec<&str> = crate::items::CATEGORIES.iter().map(|(s, _)| *s).collect();
    let (memory_before, _) = redis_figures(db).await?;
    let started = Instant::now();
    let mut pick = Pick(0x9e37_79b9_7f4a_7c15);
    let mut specs = Vec::with_capacity(searches as usize);
    for i in 0..searches {
        let n = 1 + pick.next(2);
        let q: Vec<&str> = (0..n)
            .map(|_| words[pick.next(words.len())].as_str())
            .collect();
        let category = if i % 5 == 0 {
            categories[pick.next(categories.len())].to_string()
        } else {
            String::new()
        };
        specs.push(SearchSpec {
            q: q.join(" "),
            category,
            sort: String::new(),
            filters: Default::default(),
        });
    }
    for (chunk_no, chunk) in specs.chunks(64).enumerate() {
        let saves = chunk.iter().enumerate().map(|(i, spec)| {
            let user = UserId(1_000_000 + (chunk_no * 64 + i) as u64);
            save(db, user, "", spec.clone())
        });
        for saved in futures_util::future::join_all(saves).await {
            saved?.map_err(|p| AppError::Invalid(format!("{p:?}")))?;
        }
    }
    let saved_in = started.elapsed();
    let (memory_after, _) = redis_figures(db).await?;

    let gap = Duration::from_millis(60_000 / u64::from(per_minute.max(1)));
    let mut times = Vec::new();
    let mut reports: Vec<MatchReport> = Vec::new();
    let mut match_cpu = 0.0;
    let run_started = Instant::now();
    let (_, cpu_start) = redis_figures(db).await?;
    for n in 0..listings {
        let tick = Instant::now();
        let name: Vec<&str> = (0..4)
            .map(|_| words[pick.next(words.len())].as_str())
            .collect();
        let description: Vec<&str> = (0..16)
            .map(|_| words[pick.next(words.len())].as_str())
            .collect();
        let item = crate::items::NewItem {
            name: name.join(" "),
            description: description.join(" "),
            start_cents: 1_000,
            category: categories[n as usize % categories.len()],
            ..Default::default()
        };
        let id =
            crate::items::server::create(db, UserId(999_999), "bench-seller", &item, None).await?;
        let (_, before) = redis_figures(db).await?;
        let began = Instant::now();
        let report = run_match(db, id)
            .await
            .map_err(|e| AppError::Invalid(format!("match: {e:?}")))?;
        times.push(began.elapsed().as_secs_f64() * 1000.0);
        let (_, after) = redis_figures(db).await?;
        match_cpu += after - before;
        reports.push(report);
        if let Some(rest) = gap.checked_sub(tick.elapsed()) {
            tokio::time::sleep(rest).await;
        }
    }
    let (_, cpu_end) = redis_figures(db).await?;
    let minutes = run_started.elapsed().as_secs_f64() / 60.0;
    times.sort_by(f64::total_cmp);
    let mut candidates: Vec<f64> = reports.iter().map(|r| r.candidates as f64).collect();
    candidates.sort_by(f64::total_cmp);
    let alerts: usize = reports.iter().map(|r| r.sent).sum();
    let confirmed: usize = reports.iter().map(|r| r.confirmed).sum();
    let per_search =
        (memory_after.saturating_sub(memory_before)) as f64 / f64::from(searches.max(1));
    Ok(format!(
        "vocabulary: {} words{}\n\
         saved searches: {searches} saved in {:.1} s; Redis memory for them {:.1} MiB ({per_search:.0} B a search)\n\
         listings: {listings} at {per_minute}/min over {:.1} min\n\
         matching per listing: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (alert latency: the job's run time after its turn)\n\
         candidates read per listing: p50 {:.0}, p99 {:.0}, max {:.0}; searches confirmed by the index: {confirmed}; alerts sent: {alerts}\n\
         Redis CPU: matching {:.2} s in all ({:.1} ms a listing); whole run (listing + matching) {:.2} s, {:.1}% of one core",
        words.len(),
        if shared { " sharing their first letters (worst case)" } else { " of random letters" },
        saved_in.as_secs_f64(),
        (memory_after.saturating_sub(memory_before)) as f64 / 1_048_576.0,
        minutes,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0),
        percentile(&candidates, 0.5),
        percentile(&candidates, 0.99),
        candidates.last().copied().unwrap_or(0.0),
        match_cpu,
        match_cpu * 1000.0 / f64::from(listings.max(1)),
        cpu_end - cpu_start,
        (cpu_end - cpu_start) * 100.0 / (minutes * 60.0).max(0.001),
    ))
}
