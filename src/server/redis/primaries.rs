//! Every primary of the deployment, for the questions each primary answers alone.
//!
//! RediSearch here (2.10, without the cluster coordinator of Redis 8's query engine) indexes
//! the hashes of its own shard only. So on a Redis Cluster every index is created on every
//! primary (`indexes::ensure`), and a search asks every primary and merges what they found
//! (`items::server::index`), as Redis' own coordinator does. On one Redis, "every primary" is
//! that Redis.
//!
//! Redis Cluster treats an index name as a key: a node answers `FT.CREATE` or `FT.SEARCH`
//! only for a name whose slot it serves, and redirects the rest (`MOVED`). So on a cluster
//! each primary's copy of an index has a name of its own: the index's name and a hash tag
//! that falls in one of that primary's slots ([`Primary::index_name`]), the first of `{i0}`,
//! `{i1}`, … that does. A primary given other slots (resharding) gets a new name, and the
//! bootstrap creates the index under it.
//!
//! The primaries are read from `CLUSTER SLOTS` and read again after at most [`REFRESH`] or
//! after any failure, so a failover or a new primary is seen within a second. The slots they
//! serve must add up to all 16,384: a cluster with an unserved slot gets an error, never a
//! search that silently misses a shard.

use super::db::{Db, RedisConn};
use super::topology::{primaries_of, Known, Primary};
use futures_util::future::try_join_all;
use redis::cluster_routing::SingleNodeRoutingInfo;
use redis::{ConnectionAddr, Pipeline, RedisResult, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a read of the cluster's primaries is trusted.
const REFRESH: Duration = Duration::from_secs(1);

impl Db {
    /// Every primary, in address order: a cluster's, or the one Redis.
    pub async fn primaries(&self) -> RedisResult<Arc<[Primary]>> {
        let RedisConn::Cluster(mut conn) = self.raw_conn() else {
            let (host, port) = match self.node_client(0).get_connection_info().addr() {
                ConnectionAddr::Tcp(host, port) | ConnectionAddr::TcpTls { host, port, .. } => {
                    (host.clone(), *port)
                }
                other => (other.to_string(), 0),
            };
            return Ok(Arc::new([Primary::only(host, port)]));
        };
        if let Some(known) = self
            .primaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            if known.read_at.elapsed() < REFRESH {
                return Ok(known.primaries.clone());
            }
        }
        let slots: Value = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query_async(&mut conn)
            .await?;
        let primaries: Arc<[Primary]> = primaries_of(slots)?.into();
        let before = self
            .primaries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(Known {
                read_at: Instant::now(),
                primaries: primaries.clone(),
            });
        // A primary joined, left or was given other slots (its index copy's name may have
        // changed): look for missing copies now rather than when a search trips on one.
        if before.is_some_and(|known| known.primaries != primaries) {
            self.request_index_check();
        }
        Ok(primaries)
    }

    /// Runs a pipeline on every primary at once (`build` makes each primary's: its index
    /// names differ): the replies of each primary, in the order of [`Db::primaries`]. A reply
    /// that is an error fails the whole call, as it would in a plain pipeline.
    pub async fn on_every_primary(
        &self,
        build: impl Fn(&Primary) -> Pipeline,
    ) -> RedisResult<Vec<Vec<Value>>> {
        let primaries = self.primaries().await?;
        let pipes: Vec<Pipeline> = primaries.iter().map(&build).collect();
        let runs = primaries
            .iter()
            .zip(&pipes)
            .map(|(primary, pipe)| self.on_primary(primary, pipe));
        let replies = try_join_all(runs).await;
        if replies.is_err() {
            // A failover or a slot move: read the primaries again next time.
            self.forget_primaries();
        }
        replies
    }

    /// Runs `pipe` on one primary of [`Db::primaries`].
    pub async fn on_primary(&self, primary: &Primary, pipe: &Pipeline) -> RedisResult<Vec<Value>> {
        let RedisConn::Cluster(mut conn) = self.raw_conn() else {
            let mut conn = self.raw_conn();
            return pipe.query_async(&mut conn).await;
        };
        let route = SingleNodeRoutingInfo::ByAddress {
            host: primary.host.clone(),
            port: primary.port,
        };
        let replies = conn
            .route_pipeline(pipe.clone(), 0, pipe.len(), route)
            .await?;
        replies.into_iter().map(Value::extract_error).collect()
    }

    /// One `SCAN` step on one primary: the next cursor (0 at the end) and the keys matching
    /// `pattern` in this step.
    pub async fn scan_primary(
        &self,
        primary: &Primary,
        cursor: u64,
        pattern: &str,
        count: usize,
    ) -> RedisResult<(u64, Vec<String>)> {
        let mut scan = redis::pipe();
        scan.cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(count);
        let reply = self.on_primary(primary, &scan).await?;
        Ok(redis::from_redis_value(
            reply.into_iter().next().unwrap_or(Value::Nil),
        )?)
    }

    /// Makes the next call read the primaries again.
    pub fn forget_primaries(&self) {
        *self.primaries.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
