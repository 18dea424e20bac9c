//! A real SMTP server for the tests (`scripts/mail_sink.py`: aiosmtpd), and the messages it
//! received, decoded.

use super::server::{free_port, wait_until};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One message as the sink stored it.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub rcpt_tos: Vec<String>,
    pub headers: HashMap<String, String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Whether it came over TLS.
    pub tls: bool,
    /// Who logged in to send it (`None`: nobody).
    pub login: Option<String>,
}

impl Mail {
    /// The first link in the plain-text part that contains `part`.
    pub fn link(&self, part: &str) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http") && word.contains(part))
            .unwrap_or_else(|| panic!("no link with {part:?} in {}", self.text))
            .to_string()
    }
}

/// The path and query of an absolute URL (`http://host:port/a?b` → `/a?b`).
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/')
        .map_or("/".to_string(), |i| rest[i..].to_string())
}

/// How a sink takes mail: in the clear, or as a relay that only speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkTls {
    Plain,
    /// Every command but EHLO, STARTTLS and QUIT refused before STARTTLS (port 587's way).
    StartTls,
    /// TLS from the first byte (port 465's way).
    Implicit,
}

/// The test authority that signed the sink's certificate (`tests/fixtures/smtp-tls/`).
pub const TEST_CA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/smtp-tls/ca.pem"
);
const TEST_CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/smtp-tls/server.pem"
);
const TEST_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/smtp-tls/server.key"
);

/// Percent-encodes all but unreserved characters, as a user or password in a URL must be.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A running sink; killed when dropped.
pub struct MailSink {
    child: Child,
    pub port: u16,
    dir: PathBuf,
    tls: SinkTls,
    login: Option<(String, String)>,
}

impl MailSink {
    /// Starts a plain sink; `refuse` messages are answered with a temporary failure first.
    pub fn start(refuse: u32) -> Self {
        Self::start_with(refuse, SinkTls::Plain, None)
    }

    /// Starts a sink that speaks TLS as `tls` says and, with `login`, requires that user and
    /// password (over TLS only).
    pub fn start_with(refuse: u32, tls: SinkTls, login: Option<(&str, &str)>) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "rbay-mail-{}-{}",
            std::process::id(),
            super::fresh_prefix().trim_end_matches(':')
        ));
        let python = std::env::var("RBAY_PYTHON").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python3").to_string()
        });
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(&python)
                .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/mail_sink.py"))
                .arg(port.to_string())
                .arg(&dir)
                .arg("--refuse")
                .arg(refuse.to_string())
                .args(match tls {
                    SinkTls::Plain => vec![],
                    SinkTls::StartTls | SinkTls::Implicit => vec![
                        "--tls",
                        if tls == SinkTls::StartTls {
                            "starttls"
                        } else {
                            "implicit"
                        },
                        "--cert",
                        TEST_CERT,
                        "--key",
                        TEST_KEY,
                    ],
                })
                .args(
                    login
                        .map(|(user, password)| {
                            vec!["--login".to_string(), format!("{user}:{password}")]
                        })
                        .unwrap_or_default(),
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start scripts/mail_sink.py (is aiosmtpd in .venv? run scripts/setup.sh)");
            let mut line = String::new();
            let stdout = child.stdout.take().expect("sink stdout");
            let _ = BufReader::new(stdout).read_line(&mut line);
            if line.trim() == "ready" {
                return MailSink {
                    child,
                    port,
                    dir,
                    tls,
                    login: login.map(|(u, p)| (u.to_string(), p.to_string())),
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("the mail sink did not start");
    }

    /// `RBAY_SMTP_URL` for a server that sends here (its TLS needs `RBAY_SMTP_CA_FILE` =
    /// [`TEST_CA`]).
    pub fn url(&self) -> String {
        let login = self
            .login
            .as_ref()
            .map(|(user, password)| format!("{}:{}@", encoded(user), encoded(password)))
            .unwrap_or_default();
        match self.tls {
            SinkTls::Plain => format!("smtp://{login}127.0.0.1:{}", self.port),
            SinkTls::StartTls => format!("smtp://{login}127.0.0.1:{}?tls=required", self.port),
            SinkTls::Implicit => format!("smtps://{login}127.0.0.1:{}", self.port),
        }
    }

    /// Every message received so far, oldest first.
    pub fn all(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "json")
                            && !p
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.all()
            .into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r == address))
            .collect()
    }

    /// Waits (up to 20 s) until `address` has received `n` messages; returns them.
    pub fn wait_for(&self, address: &str, n: usize) -> Vec<Mail> {
        let mut found = Vec::new();
        let waited = wait_until(Duration::from_secs(20), || {
            found = self.to(address);
            found.len() >= n
        });
        assert!(
            waited.is_ok(),
            "{address} received {} of {n} messages: {found:#?}",
            found.len()
        );
        found
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
