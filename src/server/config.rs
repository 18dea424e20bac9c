//! Configuration: one clap table. Every setting is an environment variable (what operators
//! and the scripts set) and the same option on the command line; each has a default that
//! works on a laptop, and `rbay --help` lists them all with their variables and defaults.

use crate::server::jobs::Settings as JobSettings;
use crate::server::redis::rate_limit::Limit;
use std::net::SocketAddr;
use std::time::Duration;

/// Default Redis: the one `scripts/redis.sh` starts on the project port.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6380";
pub const DEFAULT_LISTEN_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 3000);
pub const DEFAULT_KEY_PREFIX: &str = "rbay:";

#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Configuration (each option also from its environment variable)")]
pub struct Config {
    /// Redis 8 with the search module (a cluster: its nodes' URLs, comma-separated)
    #[arg(long, env = "REDIS_URL", value_name = "REDIS_URL", default_value = DEFAULT_REDIS_URL)]
    pub redis_url: String,

    /// Listen address [default: 127.0.0.1:3000, or LEPTOS_SITE_ADDR, which cargo-leptos sets]
    #[arg(long, env = "RBAY_ADDR", value_name = "RBAY_ADDR")]
    addr: Option<SocketAddr>,

    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        value_name = "LEPTOS_SITE_ADDR",
        hide = true
    )]
    leptos_site_addr: Option<SocketAddr>,

    /// Namespace of every Redis key and index (no spaces, no braces)
    #[arg(long, env = "RBAY_KEY_PREFIX", value_name = "RBAY_KEY_PREFIX",
          default_value = DEFAULT_KEY_PREFIX, value_parser = key_prefix)]
    pub key_prefix: String,

    /// Built assets (`pkg/`) and public files
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        value_name = "LEPTOS_SITE_ROOT",
        default_value = "target/site"
    )]
    pub site_root: String,

    /// 1 when served over https (cookies get `Secure`)
    #[arg(long, env = "RBAY_SECURE_COOKIES", value_name = "RBAY_SECURE_COOKIES",
          default_value = "0", value_parser = flag, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,

    /// 1 behind a reverse proxy: the client IP comes from the last X-Forwarded-For hop
    #[arg(long, env = "RBAY_TRUST_PROXY", value_name = "RBAY_TRUST_PROXY",
          default_value = "0", value_parser = flag, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Sign-in / sign-up attempts per client IP (MAX/SECONDS)
    #[arg(long, env = "RBAY_AUTH_IP_LIMIT", value_name = "RBAY_AUTH_IP_LIMIT",
          default_value = "30/600", value_parser = limit)]
    pub auth_ip_limit: Limit,

    /// Sign-in / sign-up attempts per username (MAX/SECONDS)
    #[arg(long, env = "RBAY_AUTH_USER_LIMIT", value_name = "RBAY_AUTH_USER_LIMIT",
          default_value = "10/600", value_parser = limit)]
    pub auth_user_limit: Limit,

    /// Bids per user (MAX/SECONDS)
    #[arg(long, env = "RBAY_BID_LIMIT", value_name = "RBAY_BID_LIMIT",
          default_value = "20/10", value_parser = limit)]
    pub bid_limit: Limit,

    /// Comments per user (MAX/SECONDS)
    #[arg(long, env = "RBAY_COMMENT_LIMIT", value_name = "RBAY_COMMENT_LIMIT",
          default_value = "5/60", value_parser = limit)]
    pub comment_limit: Limit,

    /// Replicas that must hold a bid (or a Buy It Now) before it is acknowledged (0-5; 0: none,
    /// as on one Redis without replicas). On a deployment with replicas, 1 keeps every
    /// acknowledged bid through the failover of its primary (`WAIT`, see docs/deploy.md)
    #[arg(long, env = "RBAY_REPLICA_ACKS", value_name = "RBAY_REPLICA_ACKS",
          default_value = "0", value_parser = clap::value_parser!(u8).range(0..=5))]
    pub replica_acks: u8,

    /// New listings per user (MAX/SECONDS)
    #[arg(long, env = "RBAY_LISTING_LIMIT", value_name = "RBAY_LISTING_LIMIT",
          default_value = "10/600", value_parser = limit)]
    pub listing_limit: Limit,

    /// Idle lifetime of a session in days (1-365); every visit renews it
    #[arg(long = "session-days", env = "RBAY_SESSION_DAYS", value_name = "RBAY_SESSION_DAYS",
          default_value = "7", value_parser = days)]
    pub session_ttl: Duration,

    /// Seconds after a sale before its seller may cancel it unpaid (1-31536000; 4 days)
    #[arg(long = "unpaid-after-secs", env = "RBAY_UNPAID_AFTER_SECS",
          value_name = "RBAY_UNPAID_AFTER_SECS", default_value = "345600", value_parser = secs)]
    pub unpaid_after: Duration,

    /// Seconds after shipping before receipt is confirmed for the buyer (1-31536000; 21 days)
    #[arg(long = "auto-receive-secs", env = "RBAY_AUTO_RECEIVE_SECS",
          value_name = "RBAY_AUTO_RECEIVE_SECS", default_value = "1814400", value_parser = secs)]
    pub auto_receive_after: Duration,

    /// Seconds a second-chance offer stays open (1-31536000; 3 days)
    #[arg(long = "offer-secs", env = "RBAY_OFFER_SECS", value_name = "RBAY_OFFER_SECS",
          default_value = "259200", value_parser = secs)]
    pub offer_for: Duration,

    /// Usernames allowed on /ops (comma-separated)
    #[arg(long, env = "RBAY_ADMINS", value_name = "RBAY_ADMINS", default_value = "",
          value_parser = admins)]
    pub admins: Admins,

    /// The bearer token a Prometheus scraper must send for /metrics (16-256 visible ASCII
    /// characters, no spaces); unset: /metrics answers 404
    #[arg(long = "metrics-token", env = "RBAY_METRICS_TOKEN", value_name = "RBAY_METRICS_TOKEN",
          value_parser = metrics_token, hide_env_values = true)]
    pub metrics_token: Option<MetricsToken>,

    /// The SMTP relay email goes out through: `smtp://host[:port]` (plain, to a relay on this
    /// host or a trusted network), `smtp://[user:password@]host[:port]?tls=required`
    /// (STARTTLS) or `smtps://[user:password@]host[:port]` (TLS); a login needs TLS unless the
    /// relay is on this host; unset: email is off and the site says so
    #[arg(long = "smtp-url", env = "RBAY_SMTP_URL", value_name = "RBAY_SMTP_URL",
          value_parser = smtp_url, hide_env_values = true)]
    pub smtp_url: Option<SmtpUrl>,

    /// PEM certificates of an authority to trust for the relay's TLS certificate, besides
    /// Mozilla's roots (a private relay's own CA)
    #[arg(
        long = "smtp-ca-file",
        env = "RBAY_SMTP_CA_FILE",
        value_name = "RBAY_SMTP_CA_FILE"
    )]
    pub smtp_ca_file: Option<std::path::PathBuf>,

    /// The sender of every email
    #[arg(
        long = "mail-from",
        env = "RBAY_MAIL_FROM",
        value_name = "RBAY_MAIL_FROM",
        default_value = "Rbay <no-reply@rbay.invalid>"
    )]
    pub mail_from: String,

    /// At most one email per topic (an item's outbids, a saved search's matches) in this many
    /// seconds; saved-search matches in between come as one digest (1-31536000)
    #[arg(long = "mail-gate-secs", env = "RBAY_MAIL_GATE_SECS", value_name = "RBAY_MAIL_GATE_SECS",
          default_value = "3600", value_parser = secs)]
    pub mail_gate: Duration,

    /// The site's address as users reach it, for the links in emails [default: http://RBAY_ADDR]
    #[arg(
        long = "public-url",
        env = "RBAY_PUBLIC_URL",
        value_name = "RBAY_PUBLIC_URL"
    )]
    pub public_url: Option<String>,

    /// 0: `rbay serve` runs no job workers (run `rbay worker` processes instead)
    #[arg(long = "workers", env = "RBAY_WORKERS", value_name = "RBAY_WORKERS",
          default_value = "1", value_parser = flag, action = clap::ArgAction::Set)]
    pub run_workers: bool,

    /// Jobs one process runs at once (1-256)
    #[arg(long, env = "RBAY_WORKER_CONCURRENCY", value_name = "RBAY_WORKER_CONCURRENCY",
          default_value = "8", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub worker_concurrency: u16,

    /// A running job without a heartbeat for this many ms is taken over (200-3600000)
    #[arg(long = "job-visibility-ms", env = "RBAY_JOB_VISIBILITY_MS",
          value_name = "RBAY_JOB_VISIBILITY_MS", default_value = "30000", value_parser = visibility)]
    pub job_visibility: Duration,

    /// Log filter (tracing's EnvFilter syntax) [default: info,redis::cluster_handling=error;
    /// warn for `seed`]
    #[arg(long, env = "RUST_LOG", value_name = "RUST_LOG")]
    pub log: Option<String>,
}

impl Config {
    /// Where the HTTP server listens: `RBAY_ADDR`, else `LEPTOS_SITE_ADDR`, else the default.
    pub fn listen_addr(&self) -> SocketAddr {
        self.addr
            .or(self.leptos_site_addr)
            .unwrap_or(DEFAULT_LISTEN_ADDR)
    }

    /// How this process's job workers behave: the operator's choices over the defaults.
    pub fn job_settings(&self) -> JobSettings {
        JobSettings {
            concurrency: usize::from(self.worker_concurrency),
            visibility: self.job_visibility,
            ..JobSettings::default()
        }
    }
}

/// Usernames (lowercase) that may open the operations page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admins(Vec<String>);

impl Admins {
    /// Whether `username` (any case) is one of them.
    pub fn contains(&self, username: &str) -> bool {
        let lower = username.to_lowercase();
        self.0.contains(&lower)
    }
}

fn admins(value: &str) -> Result<Admins, String> {
    Ok(Admins(
        value
            .split(',')
            .map(|name| name.trim().to_lowercase())
            .filter(|name| !name.is_empty())
            .collect(),
    ))
}

/// The secret a scraper presents for `/metrics`. Its `Debug` hides it, so a logged
/// configuration never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// Whether `presented` is the token, compared in time that does not depend on where the
    /// two first differ.
    pub fn accepts(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(hidden)")
    }
}

/// `RBAY_SMTP_URL`, which may hold the relay's password. Its `Debug` hides it; it is read
/// (and refused with a message that does not repeat it) by `email::server::relay`, not here,
/// since a refused value would be quoted by clap's error.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpUrl(hidden)")
    }
}

fn smtp_url(value: &str) -> Result<SmtpUrl, String> {
    Ok(SmtpUrl(value.to_string()))
}

fn metrics_token(value: &str) -> Result<MetricsToken, String> {
    let visible = |c: char| c.is_ascii_graphic();
    if !(16..=256).contains(&value.len()) || !value.chars().all(visible) {
        return Err("use 16 to 256 visible ASCII characters, no spaces".into());
    }
    Ok(MetricsToken(value.to_string()))
}

/// Braces would make Redis Cluster hash the prefix instead of each key's own hash tag,
/// putting every key in one slot (and breaking every script that relies on its keys sharing
/// the item's or the user's slot).
fn key_prefix(value: &str) -> Result<String, String> {
    let bad = |c: char| c.is_whitespace() || c == '{' || c == '}';
    if value.is_empty() || value.len() > 64 || value.chars().any(bad) {
        return Err("use 1 to 64 characters, no spaces and no braces, e.g. rbay:".into());
    }
    Ok(value.to_string())
}

fn flag(value: &str) -> Result<bool, String> {
    match value.trim() {
        "0" | "false" => Ok(false),
        "1" | "true" => Ok(true),
        _ => Err("use 1 or 0".into()),
    }
}

/// `30/600` → 30 hits per 600 seconds (a day at most).
fn limit(value: &str) -> Result<Limit, String> {
    let parse = || {
        let (max, secs) = value.split_once('/')?;
        let max: u32 = max.trim().parse().ok().filter(|m| *m > 0)?;
        let secs: u64 = secs
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=86_400).contains(s))?;
        Some(Limit::per_secs(max, secs))
    };
    parse().ok_or_else(|| "use MAX/SECONDS with both above zero, e.g. 30/600".into())
}

fn days(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(days @ 1..=365) => Ok(Duration::from_secs(days * 86_400)),
        _ => Err("use a whole number of days from 1 to 365".into()),
    }
}

fn secs(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(secs @ 1..=31_536_000) => Ok(Duration::from_secs(secs)),
        _ => Err("use a number of seconds from 1 to 31536000 (a year)".into()),
    }
}

fn visibility(value: &str) -> Result<Duration, String> {
    match value.trim().parse::<u64>() {
        Ok(ms @ 200..=3_600_000) => Ok(Duration::from_millis(ms)),
        _ => Err("use a number of milliseconds from 200 to 3600000".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args, Command, FromArgMatches};

    /// The table as a command, with its environment fallbacks dropped: tests set options on
    /// the command line (the same fields), so the test process's own variables (REDIS_URL...)
    /// cannot leak in.
    fn command() -> Command {
        let command = Config::augment_args(Command::new("rbay"));
        let ids: Vec<_> = command
            .get_arguments()
            .map(|a| a.get_id().clone())
            .collect();
        ids.into_iter().fold(command, |command, id| {
            command.mut_arg(id, |arg| arg.env(None::<&str>))
        })
    }

    fn config(args: &[&str]) -> Result<Config, String> {
        let matches = command()
            .try_get_matches_from(std::iter::once("rbay").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        Config::from_arg_matches(&matches).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = config(&[]).unwrap();
        assert_eq!(c.redis_url, DEFAULT_REDIS_URL);
        assert_eq!(c.listen_addr().to_string(), "127.0.0.1:3000");
        assert_eq!(c.key_prefix, DEFAULT_KEY_PREFIX);
        assert_eq!(c.site_root, "target/site");
        assert!(!c.secure_cookies && !c.trust_proxy && c.run_workers);
        assert_eq!(c.admins, Admins::default());
        assert_eq!(c.session_ttl, Duration::from_secs(7 * 86_400));
        for (limit, max, secs) in [
            (c.auth_ip_limit, 30, 600),
            (c.auth_user_limit, 10, 600),
            (c.bid_limit, 20, 10),
            (c.comment_limit, 5, 60),
            (c.listing_limit, 10, 600),
        ] {
            assert_eq!((limit.max, limit.window), (max, Duration::from_secs(secs)));
        }
        // The job settings' own defaults are the table's.
        let jobs = c.job_settings();
        let defaults = JobSettings::default();
        assert_eq!(
            (jobs.concurrency, jobs.visibility),
            (defaults.concurrency, defaults.visibility)
        );
    }

    #[test]
    fn options_override_defaults() {
        let c = config(&[
            "--redis-url=redis://10.0.0.1:7000",
            "--addr=0.0.0.0:8080",
            "--key-prefix=t1:",
            "--secure-cookies=1",
            "--auth-user-limit=5/60",
            "--session-days=2",
            "--admins=Ann, bea,",
            "--workers=0",
            "--worker-concurrency=3",
            "--job-visibility-ms=1000",
        ])
        .unwrap();
        assert_eq!(c.redis_url, "redis://10.0.0.1:7000");
        assert_eq!(c.listen_addr().port(), 8080);
        assert_eq!(c.key_prefix, "t1:");
        assert!(c.secure_cookies && !c.run_workers);
        assert_eq!(c.auth_user_limit.max, 5);
        assert_eq!(c.auth_user_limit.window, Duration::from_secs(60));
        assert_eq!(c.session_ttl, Duration::from_secs(2 * 86_400));
        assert!(c.admins.contains("ANN") && c.admins.contains("bea"));
        assert!(!c.admins.contains(""));
        let jobs = c.job_settings();
        assert_eq!((jobs.concurrency, jobs.visibility.as_millis()), (3, 1000));
        // cargo-leptos' address is used only when RBAY_ADDR is not set.
        let c = config(&["--leptos-site-addr=127.0.0.1:3999"]).unwrap();
        assert_eq!(c.listen_addr().port(), 3999);
    }

    #[test]
    fn the_metrics_token_is_checked_whole_and_never_shown() {
        let secret = "s3cret-token-for-prometheus";
        let c = config(&[&format!("--metrics-token={secret}")]).unwrap();
        let token = c.metrics_token.clone().unwrap();
        assert!(token.accepts(secret));
        for wrong in [
            "",
            "s3cret-token-for-prometheu",
            "s3cret-token-for-prometheusX",
            "S3cret-token-for-prometheus",
        ] {
            assert!(!token.accepts(wrong), "{wrong}");
        }
        assert!(!format!("{c:?}").contains(secret));
        assert!(config(&[]).unwrap().metrics_token.is_none());
    }

    #[test]
    fn the_relay_password_is_never_shown() {
        let url = "smtps://ann:s3cret-relay-pw@smtp.example";
        let c = config(&[&format!("--smtp-url={url}")]).unwrap();
        assert_eq!(c.smtp_url.as_ref().map(SmtpUrl::as_str), Some(url));
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn every_variable_is_in_the_help_and_the_docs() {
        let mut command = Config::augment_args(Command::new("rbay"));
        let help = command.render_long_help().to_string();
        let docs = include_str!("../../docs/architecture.md");
        let names: Vec<String> = command
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 28, "{names:?}");
        for name in &names {
            assert!(
                docs.contains(&format!("`{name}`")),
                "{name} in docs/architecture.md"
            );
            if name != "LEPTOS_SITE_ADDR" {
                assert!(help.contains(&format!("env: {name}")), "{name} in --help");
            }
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_name() {
        let refused = |arg: &str, name: &str| {
            let err = config(&[arg]).unwrap_err();
            assert!(err.contains(name), "{arg}: {err}");
        };
        refused("--addr=nowhere", "RBAY_ADDR");
        refused("--key-prefix=has space", "RBAY_KEY_PREFIX");
        for braces in ["{rbay}:", "rbay{:", "rbay}:"] {
            let err = config(&[&format!("--key-prefix={braces}")]).unwrap_err();
            assert!(err.contains("braces"), "{braces}: {err}");
        }
        refused("--secure-cookies=yes please", "RBAY_SECURE_COOKIES");
        for bad in ["10", "0/60", "10/0", "x/60", "10/-1", "10/86401"] {
            refused(&format!("--auth-ip-limit={bad}"), "RBAY_AUTH_IP_LIMIT");
        }
        refused("--session-days=0", "RBAY_SESSION_DAYS");
        for bad in ["short", "sixteen chars ok", &"x".repeat(257)] {
            refused(&format!("--metrics-token={bad}"), "RBAY_METRICS_TOKEN");
        }
        refused("--worker-concurrency=0", "RBAY_WORKER_CONCURRENCY");
        refused("--job-visibility-ms=10", "RBAY_JOB_VISIBILITY_MS");
        refused("--unpaid-after-secs=0", "RBAY_UNPAID_AFTER_SECS");
        refused("--auto-receive-secs=31536001", "RBAY_AUTO_RECEIVE_SECS");
        refused("--offer-secs=x", "RBAY_OFFER_SECS");
    }
}
