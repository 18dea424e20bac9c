//! A Redis deployment's primaries as Rbay sees them: where each is, and under which name it
//! holds its copy of an index (see `super::primaries` for why each primary has one).

use redis::{ErrorKind, RedisError, RedisResult, Value};
use std::sync::Arc;
use std::time::Instant;

/// The slots of a Redis Cluster.
pub const SLOTS: i64 = 16_384;

/// One primary, at the address the cluster gives for it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Primary {
    pub host: String,
    pub port: u16,
    /// On a cluster, the hash tag of its index names: one of its slots (`None` on one Redis).
    tag: Option<String>,
}

impl Primary {
    /// The one Redis of a deployment that is not a cluster: its index names are plain.
    pub fn only(host: String, port: u16) -> Self {
        Primary {
            host,
            port,
            tag: None,
        }
    }

    /// The name under which this primary holds the index named `base`.
    pub fn index_name(&self, base: &str) -> String {
        match &self.tag {
            Some(tag) => format!("{base}{{{tag}}}"),
            None => base.to_string(),
        }
    }
}

/// The first tag of `{i0}`, `{i1}`, … whose slot is in `ranges`.
fn tag_within(ranges: &[(u16, u16)]) -> Option<String> {
    (0..100_000u32).map(|n| format!("i{n}")).find(|tag| {
        let slot = slot_of(tag.as_bytes());
        ranges
            .iter()
            .any(|&(first, last)| (first..=last).contains(&slot))
    })
}

/// The cluster slot of a key without a hash tag: CRC16 (XMODEM) of its bytes, modulo 16,384.
fn slot_of(key: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in key {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % SLOTS as u16
}

impl std::fmt::Display for Primary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// The primaries as last read, and when.
pub struct Known {
    pub read_at: Instant,
    pub primaries: Arc<[Primary]>,
}

/// The primaries in a `CLUSTER SLOTS` reply (`[[first, last, [host, port, id, …], replica…],
/// …]`), each once, provided they serve every slot.
pub fn primaries_of(reply: Value) -> RedisResult<Vec<Primary>> {
    let bad = |what: &str| {
        RedisError::from((
            ErrorKind::Client,
            "unexpected CLUSTER SLOTS reply",
            what.to_string(),
        ))
    };
    let Value::Array(ranges) = reply else {
        return Err(bad("not an array"));
    };
    let mut served = 0i64;
    let mut slots: std::collections::BTreeMap<(String, u16), Vec<(u16, u16)>> = Default::default();
    for range in ranges {
        let Value::Array(parts) = range else {
            return Err(bad("a range is not an array"));
        };
        let mut parts = parts.into_iter();
        let first: u16 =
            redis::from_redis_value(parts.next().ok_or_else(|| bad("no first slot"))?)?;
        let last: u16 = redis::from_redis_value(parts.next().ok_or_else(|| bad("no last slot"))?)?;
        let Some(Value::Array(node)) = parts.next() else {
            return Err(bad("a range without its primary"));
        };
        let mut node = node.into_iter();
        let host: String = redis::from_redis_value(node.next().ok_or_else(|| bad("no host"))?)?;
        let port: u16 = redis::from_redis_value(node.next().ok_or_else(|| bad("no port"))?)?;
        served += i64::from(last) - i64::from(first) + 1;
        slots.entry((host, port)).or_default().push((first, last));
    }
    if served != SLOTS {
        return Err(RedisError::from((
            ErrorKind::ClusterConnectionNotFound,
            "the cluster's primaries do not serve every slot",
            format!("{served} of {SLOTS} slots served"),
        )));
    }
    Ok(slots
        .into_iter()
        .map(|((host, port), ranges)| Primary {
            host,
            port,
            tag: tag_within(&ranges),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first: i64, last: i64, port: i64) -> Value {
        let node = |port: i64| {
            Value::Array(vec![
                Value::BulkString(b"127.0.0.1".to_vec()),
                Value::Int(port),
                Value::BulkString(b"id".to_vec()),
            ])
        };
        Value::Array(vec![
            Value::Int(first),
            Value::Int(last),
            node(port),
            node(port + 100),
        ])
    }

    #[test]
    fn every_primary_once_and_never_its_replicas() {
        let reply = Value::Array(vec![
            range(0, 99, 7002),
            range(100, 8191, 7001),
            range(8192, 16383, 7002),
        ]);
        let found = primaries_of(reply).unwrap();
        let ports: Vec<u16> = found.iter().map(|p| p.port).collect();
        assert_eq!(ports, [7001, 7002]);
        // Each primary's index name has a tag in one of its own slots.
        for (primary, ranges) in found
            .iter()
            .zip([vec![(100, 8191)], vec![(0, 99), (8192, 16383)]])
        {
            let name = primary.index_name("p:idx");
            let tag = name
                .strip_prefix("p:idx{")
                .and_then(|t| t.strip_suffix('}'))
                .unwrap();
            let slot = slot_of(tag.as_bytes());
            assert!(
                ranges.iter().any(|&(a, b)| (a..=b).contains(&slot)),
                "{name}"
            );
        }
    }

    #[test]
    fn slots_are_the_clusters_own() {
        // `CLUSTER KEYSLOT foo` is 12182; the client library agrees on every tag.
        assert_eq!(slot_of(b"foo"), 12182);
        for n in 0..2_000 {
            let tag = format!("i{n}");
            assert_eq!(
                redis::cluster_routing::Slot::for_key(&tag),
                redis::cluster_routing::Slot::new(slot_of(tag.as_bytes())).unwrap()
            );
        }
    }

    #[test]
    fn one_redis_keeps_the_plain_name() {
        let only = Primary {
            host: "h".into(),
            port: 1,
            tag: None,
        };
        assert_eq!(only.index_name("p:idx"), "p:idx");
    }

    #[test]
    fn a_slot_nobody_serves_is_an_error_not_a_smaller_cluster() {
        let reply = Value::Array(vec![range(0, 8191, 7001), range(8193, 16383, 7002)]);
        let err = primaries_of(reply).unwrap_err();
        assert!(err.to_string().contains("16383 of 16384"), "{err}");
        assert!(primaries_of(Value::Nil).is_err());
    }
}
