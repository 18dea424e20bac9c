//! Configuration from environment variables, each with a default that works on a laptop.

use crate::server::redis::rate_limit::Limit;
use std::net::SocketAddr;
use std::time::Duration;

/// Default Redis: the one `scripts/redis.sh` starts on the project port.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6380";
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_KEY_PREFIX: &str = "rbay:";

/// Every environment variable Rbay reads: its name, its default (empty: none) and what it
/// sets. `rbay --help` prints this table ([`help_table`]); docs/architecture.md lists the same
/// names, and tests check both that and that these defaults are the ones applied.
pub const VARIABLES: [(&str, &str, &str); 17] = [
    (
        "REDIS_URL",
        DEFAULT_REDIS_URL,
        "Redis 8 with the search module",
    ),
    (
        "RBAY_ADDR",
        DEFAULT_LISTEN_ADDR,
        "listen address (or LEPTOS_SITE_ADDR)",
    ),
    (
        "RBAY_KEY_PREFIX",
        DEFAULT_KEY_PREFIX,
        "namespace of every Redis key",
    ),
    ("LEPTOS_SITE_ROOT", "target/site", "built assets"),
    ("RBAY_SECURE_COOKIES", "0", "1 when served over https"),
    (
        "RBAY_TRUST_PROXY",
        "0",
        "1 behind a reverse proxy (X-Forwarded-For)",
    ),
    (
        "RBAY_AUTH_IP_LIMIT",
        "30/600",
        "sign-in/up attempts per IP (MAX/SECONDS)",
    ),
    (
        "RBAY_AUTH_USER_LIMIT",
        "10/600",
        "sign-in/up attempts per username",
    ),
    ("RBAY_BID_LIMIT", "20/10", "bids per user"),
    ("RBAY_COMMENT_LIMIT", "5/60", "comments per user"),
    ("RBAY_LISTING_LIMIT", "10/600", "new listings per user"),
    (
        "RBAY_SESSION_DAYS",
        "7",
        "idle lifetime of a session (1-365)",
    ),
    (
        "RBAY_ADMINS",
        "",
        "usernames allowed on /ops (comma-separated)",
    ),
    ("RBAY_WORKERS", "1", "0: `serve` runs no job workers"),
    (
        "RBAY_WORKER_CONCURRENCY",
        "8",
        "jobs one process runs at once (1-256)",
    ),
    (
        "RBAY_JOB_VISIBILITY_MS",
        "30000",
        "a silent job is taken over after this",
    ),
    ("RUST_LOG", "info", "log filter"),
];

/// The configuration table for `rbay --help`.
pub fn help_table() -> String {
    let mut out = String::from("Configuration comes from environment variables, all optional:\n");
    for (name, default, meaning) in VARIABLES {
        let default = if default.is_empty() {
            String::new()
        } else {
            format!(" [{default}]")
        };
        out.push_str(&format!("  {name:<24} {meaning}{default}\n"));
    }
    out.push_str("See docs/architecture.md, \"Configuration\".");
    out
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `REDIS_URL`: where Redis (with the search module) lives.
    pub redis_url: String,
    /// `RBAY_ADDR` (or `LEPTOS_SITE_ADDR`, which cargo-leptos sets): where the HTTP server listens.
    pub listen_addr: SocketAddr,
    /// `RBAY_KEY_PREFIX`: prepended to every Redis key and index name, so several apps or
    /// tests can share one Redis without seeing each other's data.
    pub key_prefix: String,
    /// `LEPTOS_SITE_ROOT`: folder with the built `pkg/` (JS, WASM, CSS) and public assets.
    pub site_root: String,
    /// `RBAY_SECURE_COOKIES=1` when served over https.
    pub secure_cookies: bool,
    /// `RBAY_TRUST_PROXY=1` when behind a reverse proxy: the client IP is then taken from the
    /// last `X-Forwarded-For` entry instead of the TCP peer.
    pub trust_proxy: bool,
    /// `RBAY_AUTH_IP_LIMIT` (`MAX/SECONDS`, default `30/600`): sign-in or sign-up attempts per
    /// client IP.
    pub auth_ip_limit: Limit,
    /// `RBAY_AUTH_USER_LIMIT` (`MAX/SECONDS`, default `10/600`): attempts per username.
    pub auth_user_limit: Limit,
    /// `RBAY_BID_LIMIT` (`MAX/SECONDS`, default `20/10`): bids per user.
    pub bid_limit: Limit,
    /// `RBAY_COMMENT_LIMIT` (`MAX/SECONDS`, default `5/60`): comments per user.
    pub comment_limit: Limit,
    /// `RBAY_LISTING_LIMIT` (`MAX/SECONDS`, default `10/600`): new listings per user.
    pub listing_limit: Limit,
    /// `RBAY_SESSION_DAYS` (default 7): idle lifetime of a session; every visit renews it.
    pub session_ttl: Duration,
    /// Usernames (lowercase) that may open the operations page (`RBAY_ADMINS`, comma-separated).
    pub admins: Vec<String>,
    /// Whether `rbay serve` also runs the job workers (`RBAY_WORKERS`, default 1; 0 when the
    /// workers run as `rbay worker` processes of their own).
    pub run_workers: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {why}")]
    Invalid {
        name: &'static str,
        value: String,
        why: String,
    },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let addr = get("RBAY_ADDR")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_string());
        let listen_addr = addr.parse().map_err(|e| ConfigError::Invalid {
            name: "RBAY_ADDR",
            value: addr.clone(),
            why: format!("{e}; expected HOST:PORT such as 127.0.0.1:3000"),
        })?;
        let key_prefix = get("RBAY_KEY_PREFIX").unwrap_or_else(|| DEFAULT_KEY_PREFIX.to_string());
        // Braces would make Redis Cluster hash the prefix instead of each key's own hash tag,
        // putting every key in one slot (and breaking every script that relies on its keys
        // sharing the item's or the user's slot).
        if key_prefix.len() > 64
            || key_prefix
                .chars()
                .any(|c| c.is_whitespace() || c == '{' || c == '}')
        {
            return Err(ConfigError::Invalid {
                name: "RBAY_KEY_PREFIX",
                value: key_prefix,
                why: "use at most 64 characters, no spaces and no braces, e.g. rbay:".into(),
            });
        }
        let flag = |name: &'static str| match get(name).as_deref() {
            None | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(other) => Err(ConfigError::Invalid {
                name,
                value: other.to_string(),
                why: "use 1 or 0".into(),
            }),
        };
        let limit = |name: &'static str, default: Limit| match get(name) {
            None => Ok(default),
            Some(value) => parse_limit(&value).ok_or(ConfigError::Invalid {
                name,
                value,
                why: "use MAX/SECONDS with both above zero, e.g. 30/600".into(),
            }),
        };
        let session_days = match get("RBAY_SESSION_DAYS") {
            None => 7,
            Some(value) => match value.parse::<u64>() {
                Ok(days @ 1..=365) => days,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "RBAY_SESSION_DAYS",
                        value,
                        why: "use a whole number of days from 1 to 365".into(),
                    })
                }
            },
        };
        Ok(Config {
            secure_cookies: flag("RBAY_SECURE_COOKIES")?,
            trust_proxy: flag("RBAY_TRUST_PROXY")?,
            auth_ip_limit: limit("RBAY_AUTH_IP_LIMIT", Limit::per_secs(30, 600))?,
            auth_user_limit: limit("RBAY_AUTH_USER_LIMIT", Limit::per_secs(10, 600))?,
            bid_limit: limit("RBAY_BID_LIMIT", Limit::per_secs(20, 10))?,
            comment_limit: limit("RBAY_COMMENT_LIMIT", Limit::per_secs(5, 60))?,
            listing_limit: limit("RBAY_LISTING_LIMIT", Limit::per_secs(10, 600))?,
            session_ttl: Duration::from_secs(session_days * 86_400),
            admins: get("RBAY_ADMINS")
                .map(|v| {
                    v.split(',')
                        .map(|name| name.trim().to_lowercase())
                        .filter(|name| !name.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            run_workers: get("RBAY_WORKERS").is_none() || flag("RBAY_WORKERS")?,
            redis_url: get("REDIS_URL").unwrap_or_else(|| DEFAULT_REDIS_URL.to_string()),
            listen_addr,
            key_prefix,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_string()),
        })
    }
}

/// `30/600` → 30 hits per 600 seconds.
fn parse_limit(value: &str) -> Option<Limit> {
    let (max, secs) = value.split_once('/')?;
    let max: u32 = max.trim().parse().ok().filter(|m| *m > 0)?;
    let secs: u64 = secs
        .trim()
        .parse()
        .ok()
        .filter(|s| *s > 0 && *s <= 86_400)?;
    Some(Limit::per_secs(max, secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = config(&[]).unwrap();
        assert_eq!(c.redis_url, DEFAULT_REDIS_URL);
        assert_eq!(c.listen_addr.to_string(), DEFAULT_LISTEN_ADDR);
        assert_eq!(c.key_prefix, DEFAULT_KEY_PREFIX);
        assert!(!c.secure_cookies);
    }

    #[test]
    fn variables_override_defaults() {
        let c = config(&[
            ("REDIS_URL", "redis://10.0.0.1:7000"),
            ("RBAY_ADDR", "0.0.0.0:8080"),
            ("RBAY_KEY_PREFIX", "t1:"),
            ("RBAY_SECURE_COOKIES", "1"),
        ])
        .unwrap();
        assert_eq!(c.redis_url, "redis://10.0.0.1:7000");
        assert_eq!(c.listen_addr.port(), 8080);
        assert_eq!(c.key_prefix, "t1:");
        assert!(c.secure_cookies);
        let c = config(&[("RBAY_AUTH_USER_LIMIT", "5/60"), ("RBAY_SESSION_DAYS", "2")]).unwrap();
        assert_eq!(c.auth_user_limit.max, 5);
        assert_eq!(c.auth_user_limit.window, Duration::from_secs(60));
        assert_eq!(c.session_ttl, Duration::from_secs(2 * 86_400));
    }

    #[test]
    fn the_table_says_the_defaults_that_apply() {
        let default = |name: &str| {
            VARIABLES
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|(_, d, _)| *d)
                .unwrap()
        };
        let c = config(&[]).unwrap();
        assert_eq!(c.redis_url, default("REDIS_URL"));
        assert_eq!(c.listen_addr.to_string(), default("RBAY_ADDR"));
        assert_eq!(c.key_prefix, default("RBAY_KEY_PREFIX"));
        assert_eq!(c.site_root, default("LEPTOS_SITE_ROOT"));
        assert_eq!(c.secure_cookies, default("RBAY_SECURE_COOKIES") == "1");
        assert_eq!(c.trust_proxy, default("RBAY_TRUST_PROXY") == "1");
        assert_eq!(c.run_workers, default("RBAY_WORKERS") == "1");
        assert!(c.admins.is_empty() && default("RBAY_ADMINS").is_empty());
        for (name, limit) in [
            ("RBAY_AUTH_IP_LIMIT", c.auth_ip_limit),
            ("RBAY_AUTH_USER_LIMIT", c.auth_user_limit),
            ("RBAY_BID_LIMIT", c.bid_limit),
            ("RBAY_COMMENT_LIMIT", c.comment_limit),
            ("RBAY_LISTING_LIMIT", c.listing_limit),
        ] {
            let table = parse_limit(default(name)).unwrap();
            assert_eq!(
                (limit.max, limit.window),
                (table.max, table.window),
                "{name}"
            );
        }
        let days: u64 = default("RBAY_SESSION_DAYS").parse().unwrap();
        assert_eq!(c.session_ttl, Duration::from_secs(days * 86_400));
        let jobs = crate::server::jobs::Settings::default();
        assert_eq!(
            jobs.concurrency.to_string(),
            default("RBAY_WORKER_CONCURRENCY")
        );
        assert_eq!(
            jobs.visibility.as_millis().to_string(),
            default("RBAY_JOB_VISIBILITY_MS")
        );
        let help = help_table();
        let docs = include_str!("../../docs/architecture.md");
        for (name, _, _) in VARIABLES {
            assert!(help.contains(name), "{name} in --help");
            assert!(
                docs.contains(&format!("`{name}`")),
                "{name} in docs/architecture.md"
            );
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_name() {
        let err = config(&[("RBAY_ADDR", "nowhere")]).unwrap_err().to_string();
        assert!(err.contains("RBAY_ADDR"), "{err}");
        let err = config(&[("RBAY_KEY_PREFIX", "has space")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("RBAY_KEY_PREFIX"), "{err}");
        for braces in ["{rbay}:", "rbay{:", "rbay}:"] {
            let err = config(&[("RBAY_KEY_PREFIX", braces)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("braces"), "{braces}: {err}");
        }
        assert!(config(&[("RBAY_SECURE_COOKIES", "yes please")]).is_err());
        for bad in ["10", "0/60", "10/0", "x/60", "10/-1"] {
            let err = config(&[("RBAY_AUTH_IP_LIMIT", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("RBAY_AUTH_IP_LIMIT"), "{err}");
        }
        assert!(config(&[("RBAY_SESSION_DAYS", "0")]).is_err());
    }
}
