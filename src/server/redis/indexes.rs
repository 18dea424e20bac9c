//! RediSearch indexes, created automatically when the app connects.
//!
//! Each index is described by an [`IndexDef`]. Its schema's fingerprint is stored in Redis
//! next to the index; on connect [`ensure`] creates a missing index, leaves an unchanged one
//! alone and re-creates one whose schema in code changed (documents are kept: `FT.DROPINDEX`
//! without `DD`, then `FT.CREATE` re-indexes the existing hashes). A distributed lock makes
//! sure only one app instance does this at a time. On a Redis Cluster every primary holds
//! the index of its own shard (see `super::primaries`).

use crate::server::redis::db::Db;
use crate::server::redis::lock::Lock;
use crate::server::redis::topology::Primary;
use std::time::Duration;

/// One RediSearch index over hashes under one key prefix.
#[derive(Debug, Clone)]
pub struct IndexDef {
    /// Index name (already namespaced).
    pub name: String,
    /// Key prefix of the hashes to index (already namespaced).
    pub prefix: String,
    /// Which documents under the prefix are indexed (`FT.CREATE … FILTER`), if not all.
    pub filter: Option<&'static str>,
    /// The arguments after `SCHEMA`.
    pub schema: Vec<&'static str>,
}

/// What [`ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexOutcome {
    Created,
    Recreated,
    Unchanged,
}

impl IndexDef {
    /// Fingerprint of everything that defines the index; a change means "re-create".
    pub fn version(&self) -> String {
        // Stable across builds and platforms; each part ends with a 0 byte, so argument
        // boundaries count.
        let filter = self.filter.map(|f| ["FILTER", f]).into_iter().flatten();
        let parts = std::iter::once(self.prefix.as_str())
            .chain(filter)
            .chain(self.schema.iter().copied());
        let hash = crate::util::hash::fnv1a(
            parts.flat_map(|part| part.bytes().chain(std::iter::once(0u8))),
        );
        format!("{hash:016x}")
    }
}

/// The items index over the item documents: full-text name (weighted) and description, the
/// seller, the category and the condition as tags, sortable numbers for search sorting,
/// filters and the dashboard (copies refreshed in batches by `items::server::index_sync`; the
/// home rankings are sorted sets), the shipping cost, Buy It Now price and returns (days)
/// for filters, and the location's comma-separated parts as tags (a tag, not text: a place's
/// name is not a word of search, nor of "did you mean").
/// A listing a moderator hid (its document has `hidden`, see `moderation`) is not indexed:
/// RediSearch drops it the moment the field is set and takes it back when it goes.
#[rustfmt::skip]
pub fn items_index(db: &Db) -> IndexDef {
    let keys = db.keys();
    IndexDef {
        name: keys.items_index(),
        prefix: keys.items_prefix(),
        filter: Some("!exists(@hidden)"),
        schema: vec![
            "name", "TEXT", "WEIGHT", "5.0", "SORTABLE",
            "description", "TEXT",
            "seller_id", "TAG",
            "category", "TAG", "SORTABLE",
            "price", "NUMERIC", "SORTABLE",
            "ends_at", "NUMERIC", "SORTABLE",
            "views", "NUMERIC", "SORTABLE",
            "bids", "NUMERIC", "SORTABLE",
            "likes", "NUMERIC", "SORTABLE",
            "created_at", "NUMERIC", "SORTABLE",
            "condition", "TAG",
            "shipping", "NUMERIC",
            "buy_now", "NUMERIC",
            "returns", "NUMERIC",
            "location", "TAG", "SEPARATOR", ",",
        ],
    }
}

/// Every index the app needs, in creation order.
pub fn all(db: &Db) -> Vec<IndexDef> {
    vec![items_index(db)]
}

/// Makes sure every index of [`all`] exists with its current schema.
pub async fn ensure_all(db: &Db) -> redis::RedisResult<()> {
    for def in all(db) {
        let outcome = ensure(db, &def).await?;
        match outcome {
            IndexOutcome::Unchanged => tracing::debug!(index = %def.name, "index up to date"),
            _ => tracing::info!(index = %def.name, ?outcome, "index ready"),
        }
    }
    Ok(())
}

/// Creates `def` if missing, re-creates it if its schema changed, otherwise does nothing.
/// On a Redis Cluster each primary indexes its own shard, so the index is made on every
/// primary, and one missing on any primary (a new one, or one restarted empty) is created
/// there.
pub async fn ensure(db: &Db, def: &IndexDef) -> redis::RedisResult<IndexOutcome> {
    let version = def.version();
    let version_key = db.keys().index_schema_version(&def.name);
    let survey = Survey::take(db, def, &version_key).await?;
    if survey.is_current(&version) {
        return Ok(IndexOutcome::Unchanged);
    }

    // Another instance may be doing the same right now: take turns, then look again.
    let lock_name = format!("index:{}", def.name);
    let lock = Lock::acquire_waiting(
        db,
        &lock_name,
        Duration::from_secs(30),
        Duration::from_secs(10),
    )
    .await?;
    let result = recreate_if_needed(db, def, &version, &version_key).await;
    if let Some(lock) = lock {
        lock.release(db).await?;
    }
    result
}

/// Where an index stands: the primaries that have it, those that do not, and the schema
/// fingerprint stored with it.
struct Survey {
    with: Vec<Primary>,
    without: Vec<Primary>,
    stored: Option<String>,
}

impl Survey {
    async fn take(db: &Db, def: &IndexDef, version_key: &str) -> redis::RedisResult<Self> {
        let mut survey = Survey {
            with: Vec::new(),
            without: Vec::new(),
            stored: None,
        };
        for primary in db.primaries().await?.iter() {
            if exists_on(db, primary, &primary.index_name(&def.name)).await? {
                survey.with.push(primary.clone());
            } else {
                survey.without.push(primary.clone());
            }
        }
        survey.stored = redis::cmd("GET")
            .arg(version_key)
            .query_async(&mut db.raw_conn())
            .await?;
        Ok(survey)
    }

    fn is_current(&self, version: &str) -> bool {
        self.without.is_empty() && self.stored.as_deref() == Some(version)
    }
}

async fn recreate_if_needed(
    db: &Db,
    def: &IndexDef,
    version: &str,
    version_key: &str,
) -> redis::RedisResult<IndexOutcome> {
    let survey = Survey::take(db, def, version_key).await?;
    if survey.is_current(version) {
        return Ok(IndexOutcome::Unchanged);
    }
    let schema_changed = survey.stored.as_deref() != Some(version);
    let to_create = if !schema_changed {
        survey.without.clone()
    } else {
        // The schema changed: drop the index definition only (the hashes stay and are
        // re-indexed below), wherever it exists.
        for primary in &survey.with {
            let name = primary.index_name(&def.name);
            on(db, primary, redis::cmd("FT.DROPINDEX").arg(name)).await?;
        }
        survey.with.iter().chain(&survey.without).cloned().collect()
    };
    for primary in &to_create {
        let mut create = redis::cmd("FT.CREATE");
        create
            .arg(primary.index_name(&def.name))
            .arg("ON")
            .arg("HASH")
            .arg("PREFIX")
            .arg(1)
            .arg(&def.prefix);
        if let Some(filter) = def.filter {
            create.arg("FILTER").arg(filter);
        }
        create.arg("SCHEMA").arg(&def.schema);
        on(db, primary, &create).await?;
    }
    let _: () = redis::cmd("SET")
        .arg(version_key)
        .arg(version)
        .query_async(&mut db.raw_conn())
        .await?;
    Ok(if schema_changed && !survey.with.is_empty() {
        IndexOutcome::Recreated
    } else {
        IndexOutcome::Created
    })
}

/// True if the index `name` exists on every primary.
pub async fn index_exists(db: &Db, name: &str) -> redis::RedisResult<bool> {
    for primary in db.primaries().await?.iter() {
        if !exists_on(db, primary, &primary.index_name(name)).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn exists_on(db: &Db, primary: &Primary, name: &str) -> redis::RedisResult<bool> {
    match on(db, primary, redis::cmd("FT.INFO").arg(name)).await {
        Ok(_) => Ok(true),
        Err(e) if is_unknown_index(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// One command on one primary.
async fn on(db: &Db, primary: &Primary, cmd: &redis::Cmd) -> redis::RedisResult<redis::Value> {
    let mut pipe = redis::pipe();
    pipe.add_command(cmd.clone());
    let mut replies = db.on_primary(primary, &pipe).await?;
    Ok(replies.pop().unwrap_or(redis::Value::Nil))
}

/// RediSearch's "no such index" reply (worded differently across versions).
pub fn is_unknown_index(e: &redis::RedisError) -> bool {
    let msg = e.to_string().to_lowercase();
    // RediSearch 2.x: "Unknown Index name" / "Unknown index name"; 8.x: "no such index".
    msg.contains("no such index")
        || msg.contains("unknown index")
        || (msg.contains("unknown") && msg.contains("index name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(schema: Vec<&'static str>) -> IndexDef {
        IndexDef {
            name: "t:idx".into(),
            prefix: "t:items:".into(),
            filter: None,
            schema,
        }
    }

    #[test]
    fn version_changes_with_the_schema_only() {
        let a = def(vec!["name", "TEXT"]);
        assert_eq!(a.version(), def(vec!["name", "TEXT"]).version());
        assert_ne!(a.version(), def(vec!["name", "TEXT", "SORTABLE"]).version());
        // Argument boundaries matter: ["ab","c"] is not ["a","bc"].
        assert_ne!(
            def(vec!["ab", "c"]).version(),
            def(vec!["a", "bc"]).version()
        );
        // The fingerprint of an unchanged schema never changes between builds (a new value
        // would make every deployment re-create its index).
        assert_eq!(def(vec!["name", "TEXT"]).version(), "de7707891ead76f9");
        let filtered = IndexDef {
            filter: Some("!exists(@hidden)"),
            ..def(vec!["name", "TEXT"])
        };
        assert_ne!(filtered.version(), def(vec!["name", "TEXT"]).version());
    }
}
