//! Saved searches on Redis: a user's list (`lua/saved_search.lua`, in their slot), the
//! buckets that file the active ones for matching, and the matching job that runs when an item
//! is listed.

pub mod bench;
pub mod keys;

use crate::error::AppError;
use crate::items::server::index::{find, text_query, IdQuery};
use crate::items::ItemId;
use crate::notifications::server::{deliver, NewNotice};
use crate::notifications::NoticeKind;
use crate::saved_searches::{
    bucket, listing_buckets, listing_words, SavedPage, SavedProblem, SavedRow, SavedSearch,
    SearchSpec, MAX_SAVED,
};
use crate::server::jobs::{self, JobError, JobKind, Registry};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use redis::{FromRedisValue, ParsingError};
use std::collections::{HashMap, HashSet};

/// `lua/saved_search.lua`: save, replace or delete one of a user's saved searches.
pub static SAVED_SEARCH: std::sync::LazyLock<redis::Script> = crate::lua_script!("saved_search");

/// The matching job: its queue (the notices' own) and kind.
pub const QUEUE: &str = "notify";
pub const JOB: &str = "saved_search_match";
/// A listing's words read for matching (its name's first, then its description's).
const WORDS_READ: usize = 200;
/// Candidates checked per listing at most (a bound on the work, whatever is saved).
const CANDIDATES_MAX: usize = 20_000;

/// The matching job kind.
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: JOB,
        queue: QUEUE,
        run: |db, job| {
            Box::pin(async move {
                let item = serde_json::from_str::<MatchJob>(&job.payload)
                    .map_err(|e| JobError::permanent(format!("unreadable match job: {e}")))?;
                run_match(&db, ItemId(item.item)).await.map(|_| ())
            })
        },
    });
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MatchJob {
    item: u64,
}

/// Queues the matching of a new listing against the saved searches (once per item).
pub async fn enqueue_match(db: &Db, item: ItemId) {
    let payload = serde_json::to_string(&MatchJob { item: item.0 }).unwrap_or_default();
    let key = format!("ss-match:{item}");
    if let Err(e) = jobs::enqueue(db, QUEUE, JOB, &payload, None, Some(&key)).await {
        tracing::warn!(item_id = %item, error = %e, "saved-search matching not queued");
    }
}

/// What `lua/saved_search.lua` answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Changed {
    Saved(u64),
    Full,
    /// Renamed or paused; whether it is paused now.
    Updated(bool),
    Done,
    Gone,
}

impl FromRedisValue for Changed {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("saved_search", v)?;
        Ok(match f.status()?.as_str() {
            "saved" => {
                f.expect_len(2)?;
                Changed::Saved(f.get(1)?)
            }
            "full" => Changed::Full,
            "updated" => {
                f.expect_len(2)?;
                Changed::Updated(f.flag(1)?)
            }
            "done" => Changed::Done,
            "gone" => Changed::Gone,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// How an active search is filed: its bucket's key (or its category's, without words) and
/// its member there, `<user>:<id>|<category>|<words>` (all a candidate needs to be checked).
fn filing(db: &Db, user: UserId, search: &SavedSearch) -> (String, String) {
    let spec = &search.spec;
    let key = filed_in(db.keys(), spec);
    let member = format!(
        "{user}:{}|{}|{}",
        search.id,
        spec.category,
        spec.terms().join(" ")
    );
    (key, member)
}

/// The set an active search with `spec` is filed in: its bucket, or its category's.
fn filed_in(keys: &crate::server::redis::Keys, spec: &SearchSpec) -> String {
    match bucket(spec) {
        Some(b) => keys.search_bucket(&b),
        None => keys.search_category(&spec.category),
    }
}

async fn file(db: &Db, user: UserId, search: &SavedSearch, on: bool) -> Result<(), AppError> {
    let (key, member) = filing(db, user, search);
    let mut conn = db.conn()?;
    redis::cmd(if on { "SADD" } else { "SREM" })
        .arg(key)
        .arg(member)
        .query_async::<i64>(&mut conn)
        .await
        .map_err(|e| redis_error("file saved search", e))?;
    Ok(())
}

/// Saves a search for `user`: in their list first, then filed for matching (a search that
/// failed to be filed is listed, and filed again when paused and resumed).
pub async fn save(
    db: &Db,
    user: UserId,
    name: &str,
    spec: SearchSpec,
) -> Result<Result<u64, SavedProblem>, AppError> {
    if spec.terms().is_empty() && spec.category.is_empty() {
        return Ok(Err(SavedProblem::Empty));
    }
    let mut search = SavedSearch {
        id: 0,
        name: if name.is_empty() {
            spec.default_name()
        } else {
            name.to_string()
        },
        spec,
        paused: false,
        created_ms: crate::util::time::now_ms(),
    };
    let json = serde_json::to_string(&search).map_err(|_| AppError::Internal)?;
    let mut conn = db.conn()?;
    let changed: Changed = SAVED_SEARCH
        .key(db.keys().saved_searches(user))
        .arg("save")
        .arg(json)
        .arg(MAX_SAVED)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("save search", e))?;
    let id = match changed {
        Changed::Saved(id) => id,
        Changed::Full => return Ok(Err(SavedProblem::TooMany)),
        other => return Err(unexpected(other)),
    };
    search.id = id;
    file(db, user, &search, true).await?;
    Ok(Ok(id))
}

fn unexpected(reply: Changed) -> AppError {
    tracing::error!(?reply, "saved_search: unexpected reply");
    AppError::Internal
}

/// One of `user`'s saved searches.
pub async fn get(db: &Db, user: UserId, id: u64) -> Result<Option<SavedSearch>, AppError> {
    let mut conn = db.conn()?;
    let raw: Option<String> = redis::cmd("HGET")
        .arg(db.keys().saved_searches(user))
        .arg(id)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("saved search", e))?;
    Ok(raw.and_then(|raw| read(id, &raw)))
}

fn read(id: u64, raw: &str) -> Option<SavedSearch> {
    let mut search: SavedSearch = serde_json::from_str(raw).ok()?;
    search.id = id;
    Some(search)
}

/// Renames one of `user`'s searches, or pauses or resumes it (filed for matching only while
/// active). The change itself is one step in Redis (`lua/saved_search.lua` reads and writes the
/// search), so a rename and a pause racing each other both land; the matcher reads the search
/// before it alerts, so a paused search is never alerted whatever its filing says.
pub async fn update(
    db: &Db,
    user: UserId,
    id: u64,
    name: Option<&str>,
    paused: Option<bool>,
) -> Result<Result<(), SavedProblem>, AppError> {
    let Some(search) = get(db, user, id).await? else {
        return Ok(Err(SavedProblem::Gone));
    };
    let name = match name {
        Some("") => search.spec.default_name(),
        Some(name) => name.to_string(),
        None => String::new(),
    };
    let paused_arg = match paused {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    };
    // Pausing: unfiled first (no alert after "paused").
    if paused == Some(true) {
        file(db, user, &search, false).await?;
    }
    let mut conn = db.conn()?;
    let changed: Changed = SAVED_SEARCH
        .key(db.keys().saved_searches(user))
        .arg("update")
        .arg(id)
        .arg(name)
        .arg(paused_arg)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("update saved search", e))?;
    match changed {
        Changed::Updated(true) => {}
        Changed::Updated(false) => file(db, user, &search, true).await?,
        Changed::Gone => return Ok(Err(SavedProblem::Gone)),
        other => return Err(unexpected(other)),
    }
    Ok(Ok(()))
}

/// Deletes one of `user`'s searches: unfiled first, so it never alerts once deleted.
pub async fn delete(db: &Db, user: UserId, id: u64) -> Result<Result<(), SavedProblem>, AppError> {
    let Some(search) = get(db, user, id).await? else {
        return Ok(Err(SavedProblem::Gone));
    };
    file(db, user, &search, false).await?;
    let mut conn = db.conn()?;
    let changed: Changed = SAVED_SEARCH
        .key(db.keys().saved_searches(user))
        .arg("delete")
        .arg(id)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("delete saved search", e))?;
    match changed {
        Changed::Done => Ok(Ok(())),
        Changed::Gone => Ok(Err(SavedProblem::Gone)),
        other => Err(unexpected(other)),
    }
}

/// `user`'s saved searches, newest first, with what each found.
pub async fn list(db: &Db, user: UserId) -> Result<SavedPage, AppError> {
    let mut conn = db.conn()?;
    let fields: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(db.keys().saved_searches(user))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("saved searches", e))?;
    let number = |k: String| fields.get(&k).and_then(|v| v.parse::<i64>().ok());
    let mut rows: Vec<SavedRow> = fields
        .iter()
        .filter_map(|(field, raw)| {
            let id: u64 = field.parse().ok()?;
            let search = read(id, raw)?;
            Some(SavedRow {
                matches: number(format!("n:{id}")).unwrap_or(0).max(0) as u64,
                last_match_ms: number(format!("last:{id}")),
                search,
            })
        })
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.search.id));
    Ok(SavedPage {
        rows,
        now_ms: crate::util::time::now_ms(),
        owner: user,
    })
}

/// A candidate read from a bucket: whose search, which, and what it asks.
struct Candidate {
    user: UserId,
    id: u64,
    spec: SearchSpec,
    /// Its member, as filed (to unfile a search deleted in a race with its resume).
    member: String,
}

fn candidate(member: &str) -> Option<Candidate> {
    let (who, rest) = member.split_once('|')?;
    let (category, words) = rest.split_once('|')?;
    let (user, id) = who.split_once(':')?;
    Some(Candidate {
        user: UserId::parse(user)?,
        id: id.parse().ok()?,
        spec: SearchSpec {
            q: words.to_string(),
            category: category.to_string(),
            sort: String::new(),
            filters: Default::default(),
        },
        member: member.to_string(),
    })
}

/// What matching one listing did: the work it took and the alerts it sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchReport {
    /// Buckets read (the listing's words' beginnings, and its category).
    pub buckets: usize,
    /// Saved searches read from them.
    pub candidates: usize,
    /// Distinct searches the items index was asked to confirm.
    pub confirmed: usize,
    /// Alerts sent (not counting those sent before for this listing).
    pub sent: usize,
}

/// Matches a new listing against the saved searches and tells each owner whose search finds
/// it, once per search and listing. Reads the listing's buckets (its words' beginnings) and its
/// category's, never every saved search; checks each candidate by the search's rules, then
/// asks the items index to confirm each distinct search that passed.
pub async fn run_match(db: &Db, item: ItemId) -> Result<MatchReport, JobError> {
    let mut report = MatchReport::default();
    let keys = db.keys();
    let mut conn = db.raw_conn();
    let doc: [Option<String>; 6] = redis::cmd("HMGET")
        .arg(keys.item(item))
        .arg(&[
            "name",
            "description",
            "category",
            "seller_id",
            "created_at",
            "hidden",
        ])
        .query_async(&mut conn)
        .await?;
    let [Some(name), description, category, seller, Some(created_at), None] = doc else {
        return Ok(report);
    };
    let category = category.unwrap_or_default();
    let seller = seller.as_deref().and_then(UserId::parse);
    let words = listing_words(&name, description.as_deref().unwrap_or(""), WORDS_READ);
    let mut pipe = redis::pipe();
    let buckets = listing_buckets(&words);
    for b in &buckets {
        pipe.cmd("SMEMBERS").arg(keys.search_bucket(b));
    }
    pipe.cmd("SMEMBERS").arg(keys.search_category(&category));
    let members: Vec<Vec<String>> = pipe.query_async(&mut conn).await?;
    report.buckets = buckets.len() + 1;
    report.candidates = members.iter().map(Vec::len).sum();
    // Each search once (a search may be read from its bucket and nowhere else, but members
    // repeat across a listing's reads only by accident), then the bound.
    let mut seen = HashSet::new();
    let unique: Vec<&String> = members
        .iter()
        .flatten()
        .filter(|m| seen.insert(m.as_str()))
        .collect();
    if unique.len() > CANDIDATES_MAX {
        tracing::warn!(item_id = %item, candidates = unique.len(), "saved-search candidates over the bound: some not checked");
    }
    let mut passed: Vec<Candidate> = unique
        .into_iter()
        .take(CANDIDATES_MAX)
        .filter_map(|m| candidate(m))
        .filter(|c| Some(c.user) != seller && c.spec.could_match(&words, &category))
        .collect();
    // The index confirms each distinct search once (as its results page would show it), a
    // few at a time.
    let mut distinct: Vec<(String, String)> = passed
        .iter()
        .map(|c| (c.spec.q.clone(), c.spec.category.clone()))
        .collect();
    distinct.sort();
    distinct.dedup();
    let mut confirmed: HashMap<(String, String), bool> = HashMap::new();
    let created_at = created_at.as_str();
    for batch in distinct.chunks(16) {
        let asks = batch.iter().map(|(q, category)| async move {
            let mut query = text_query(&crate::items::query_terms(q)).unwrap_or_default();
            if !category.is_empty() {
                query.push_str(&format!(" @category:{{{category}}}"));
            }
            query.push_str(&format!(" @created_at:[{created_at} {created_at}]"));
            let query = IdQuery {
                query: query.trim().to_string(),
                sort: None,
                offset: 0,
                count: 100,
            };
            find(db, "saved search match", query).await
        });
        let answers = futures_util::future::try_join_all(asks)
            .await
            .map_err(|e| JobError::retry(format!("saved search match: {e}")))?;
        for (spec_key, found) in batch.iter().zip(answers) {
            confirmed.insert(spec_key.clone(), found.ids.contains(&item));
        }
    }
    report.confirmed = confirmed.len();
    passed.retain(|c| confirmed[&(c.spec.q.clone(), c.spec.category.clone())]);
    // What a saved search's filters ask of the listing: its price, Buy It Now, condition,
    // shipping, returns and location.
    type Asked = (
        Option<i64>,
        Option<i64>,
        (Option<String>, Option<i64>, Option<u16>, Option<String>),
    );
    let (price, buy_now, (condition, shipping, returns, location)): Asked = redis::pipe()
        .cmd("HGET")
        .arg(keys.item_state(item))
        .arg("price")
        .cmd("HGET")
        .arg(keys.item_state(item))
        .arg("buy_now")
        .cmd("HMGET")
        .arg(keys.item(item))
        .arg(&["condition", "shipping", "returns", "location"])
        .query_async(&mut conn)
        .await?;
    let listing = crate::catalog::Admitted {
        price_cents: price.unwrap_or(0),
        buy_now_cents: buy_now.filter(|cents| *cents > 0),
        condition: condition
            .as_deref()
            .and_then(crate::items::Condition::parse)
            .unwrap_or_default(),
        shipping: shipping.and_then(crate::items::Shipping::from_field),
        returns_days: returns.unwrap_or(0),
        location: location.unwrap_or_default(),
    };
    for c in passed {
        let search = match get(db, c.user, c.id).await {
            Ok(Some(search)) => search,
            // Deleted while it was being resumed: its filing outlived it. Tidy it away.
            Ok(None) => {
                let _: i64 = redis::cmd("SREM")
                    .arg(filed_in(keys, &c.spec))
                    .arg(&c.member)
                    .query_async(&mut conn)
                    .await?;
                continue;
            }
            Err(_) => continue,
        };
        if search.paused || !search.spec.filters.admit(&listing) {
            continue;
        }
        let notice = NewNotice {
            user_id: c.user,
            kind: NoticeKind::SavedSearch,
            item_id: item.0,
            item_name: name.clone(),
            price_cents: listing.price_cents,
            actor: search.name.clone(),
            once: Some(format!("ss:{}:{item}", c.id)),
        };
        if deliver(db, &notice).await?.is_some() {
            report.sent += 1;
            let _: () = redis::pipe()
                .cmd("HINCRBY")
                .arg(keys.saved_searches(c.user))
                .arg(format!("n:{}", c.id))
                .arg(1)
                .ignore()
                .cmd("HSET")
                .arg(keys.saved_searches(c.user))
                .arg(format!("last:{}", c.id))
                .arg(crate::util::time::now_ms())
                .ignore()
                .query_async(&mut conn)
                .await?;
        }
    }
    Ok(report)
}
