//! RediSearch indexes, created automatically when the app connects.
//!
//! Each index is described by an [`IndexDef`]. Its schema's fingerprint is stored in Redis
//! next to the index; on connect [`ensure`] creates a missing index, leaves an unchanged one
//! alone and re-creates one whose schema in code changed (documents are kept: `FT.DROPINDEX`
//! without `DD`, then `FT.CREATE` re-indexes the existing hashes). A distributed lock makes
//! sure only one app instance does this at a time.

use crate::server::redis::db::Db;
use crate::server::redis::lock::Lock;
use std::time::Duration;

/// One RediSearch index over hashes under one key prefix.
#[derive(Debug, Clone)]
pub struct IndexDef {
    /// Index name (already namespaced).
    pub name: String,
    /// Key prefix of the hashes to index (already namespaced).
    pub prefix: String,
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
        let parts = std::iter::once(self.prefix.as_str()).chain(self.schema.iter().copied());
        let hash = crate::util::hash::fnv1a(
            parts.flat_map(|part| part.bytes().chain(std::iter::once(0u8))),
        );
        format!("{hash:016x}")
    }
}

/// The items index over the item documents: full-text name (weighted) and description, the
/// seller and the category as tags, and sortable numbers for search sorting, filters and the dashboard (copies
/// refreshed in batches by `items::server::index_sync`; the home rankings are sorted sets).
#[rustfmt::skip]
pub fn items_index(db: &Db) -> IndexDef {
    let keys = db.keys();
    IndexDef {
        name: keys.items_index(),
        prefix: keys.items_prefix(),
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
pub async fn ensure(db: &Db, def: &IndexDef) -> redis::RedisResult<IndexOutcome> {
    let mut conn = db.raw_conn();
    let version = def.version();
    let version_key = db.keys().index_schema_version(&def.name);
    if index_exists(db, &def.name).await? {
        let stored: Option<String> = redis::cmd("GET")
            .arg(&version_key)
            .query_async(&mut conn)
            .await?;
        if stored.as_deref() == Some(version.as_str()) {
            return Ok(IndexOutcome::Unchanged);
        }
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

async fn recreate_if_needed(
    db: &Db,
    def: &IndexDef,
    version: &str,
    version_key: &str,
) -> redis::RedisResult<IndexOutcome> {
    let mut conn = db.raw_conn();
    let exists = index_exists(db, &def.name).await?;
    if exists {
        let stored: Option<String> = redis::cmd("GET")
            .arg(version_key)
            .query_async(&mut conn)
            .await?;
        if stored.as_deref() == Some(version) {
            return Ok(IndexOutcome::Unchanged);
        }
        // Drop the index definition only; the hashes stay and are re-indexed below.
        let _: () = redis::cmd("FT.DROPINDEX")
            .arg(&def.name)
            .query_async(&mut conn)
            .await?;
    }
    let _: () = redis::cmd("FT.CREATE")
        .arg(&def.name)
        .arg("ON")
        .arg("HASH")
        .arg("PREFIX")
        .arg(1)
        .arg(&def.prefix)
        .arg("SCHEMA")
        .arg(&def.schema)
        .query_async(&mut conn)
        .await?;
    let _: () = redis::cmd("SET")
        .arg(version_key)
        .arg(version)
        .query_async(&mut conn)
        .await?;
    Ok(if exists {
        IndexOutcome::Recreated
    } else {
        IndexOutcome::Created
    })
}

/// True if an index with this name exists.
pub async fn index_exists(db: &Db, name: &str) -> redis::RedisResult<bool> {
    let mut conn = db.raw_conn();
    let info: redis::RedisResult<redis::Value> =
        redis::cmd("FT.INFO").arg(name).query_async(&mut conn).await;
    match info {
        Ok(_) => Ok(true),
        Err(e) if is_unknown_index(&e) => Ok(false),
        Err(e) => Err(e),
    }
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
    }
}
