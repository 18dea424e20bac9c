//! The SMTP relay email goes out through, read from `RBAY_SMTP_URL` (and `RBAY_SMTP_CA_FILE`).
//!
//! The URL takes lettre's grammar for connection URLs, minus its one downgradable mode:
//! - `smtp://host[:port]`: plain SMTP (port 25), for a relay on this host or a trusted network;
//! - `smtp://host[:port]?tls=required`: STARTTLS, refused if the relay does not offer it (587);
//! - `smtps://host[:port]`: TLS from the first byte (465).
//!
//! `user:password@` before the host logs in (percent-encoded as in any URL). A password is
//! never sent in the clear: with credentials, plain SMTP is refused unless the relay is on
//! this host. `tls=opportunistic` is refused too: anyone on the path can strip STARTTLS from
//! the relay's answer and read what follows. The relay's certificate is checked against
//! Mozilla's roots (built in) plus, with `RBAY_SMTP_CA_FILE`, the PEM certificates of that
//! file (a private relay's own authority).
//!
//! Every mistake is an error at start that says what is wrong, never a surprise at the first
//! email; the password is never part of it.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// No TLS (a relay on this host or a trusted network).
    Plain,
    /// STARTTLS, required.
    StartTls,
    /// TLS from the first byte.
    Implicit,
}

/// What `RBAY_SMTP_URL` says, checked. Its `Debug` shows the user, never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub protection: Protection,
    /// User and password, decoded.
    pub login: Option<(String, String)>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("protection", &self.protection)
            .field("user", &self.login.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

const CERT_BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const GRAMMAR: &str =
    "smtp://[user:password@]host[:port][?tls=required] or smtps://[user:password@]host[:port]";

impl Relay {
    /// Reads and checks a relay URL.
    pub fn parse(raw: &str) -> Result<Relay, String> {
        let bad = |why: &str| format!("RBAY_SMTP_URL is not {GRAMMAR}: {why}");
        // `Url`'s own errors quote nothing of the input, so the password cannot leak here.
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        let mut tls = None;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), tls) {
                ("tls", None) => tls = Some(value.into_owned()),
                _ => return Err(bad("the only query parameter is one tls=required")),
            }
        }
        let (protection, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Protection::Plain, 25),
            ("smtp", Some("required")) => (Protection::StartTls, 587),
            ("smtp", Some("opportunistic")) => {
                return Err(bad(
                    "tls=opportunistic can be stripped by anyone on the path: use tls=required",
                ))
            }
            ("smtps", None) => (Protection::Implicit, 465),
            ("smtp" | "smtps", Some(_)) => return Err(bad("tls= takes only required, on smtp://")),
            _ => return Err(bad("the scheme is smtp or smtps")),
        };
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(bad("no host")),
        };
        if !url.path().trim_matches('/').is_empty() || url.fragment().is_some() {
            return Err(bad(
                "nothing may follow the host and port but ?tls=required",
            ));
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| bad("the user or password is not UTF-8 once decoded"))
        };
        let login = match (url.username(), url.password()) {
            ("", None) => None,
            (_, None) => return Err(bad("a user without :password")),
            ("", Some(_)) => return Err(bad("a password without a user")),
            (user, Some(password)) => Some((decode(user)?, decode(password)?)),
        };
        let relay = Relay {
            host,
            port: url.port().unwrap_or(default_port),
            protection,
            login,
        };
        if relay.login.is_some() && relay.protection == Protection::Plain && !relay.is_local() {
            return Err(format!(
                "RBAY_SMTP_URL logs in to {} without TLS, which would send the password in the \
                 clear: use smtps:// or ?tls=required (plain SMTP with a login only to a relay \
                 on this host)",
                relay.host
            ));
        }
        Ok(relay)
    }

    /// Whether the relay runs on this host (a plain connection never leaves it).
    fn is_local(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The transport, trusting the certificates in `ca_file` besides Mozilla's roots.
    pub fn transport(
        &self,
        ca_file: Option<&Path>,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let tls = match self.protection {
            Protection::Plain => {
                if ca_file.is_some() {
                    return Err(
                        "RBAY_SMTP_CA_FILE is set but RBAY_SMTP_URL uses no TLS: use \
                                smtps:// or ?tls=required"
                            .to_string(),
                    );
                }
                Tls::None
            }
            Protection::StartTls => Tls::Required(self.tls_parameters(ca_file)?),
            Protection::Implicit => Tls::Wrapper(self.tls_parameters(ca_file)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(10)));
        if let Some((user, password)) = &self.login {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }

    fn tls_parameters(&self, ca_file: Option<&Path>) -> Result<TlsParameters, String> {
        let mut parameters = TlsParameters::builder(self.host.clone());
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("RBAY_SMTP_CA_FILE {} can't be read: {e}", path.display()))?;
            // lettre reads a file without any certificate as an empty list: refuse it here.
            let certificate = Some(&pem)
                .filter(|pem| pem.windows(CERT_BEGIN.len()).any(|w| w == CERT_BEGIN))
                .map(|pem| Certificate::from_pem(pem))
                .and_then(Result::ok)
                .ok_or_else(|| {
                    format!(
                        "RBAY_SMTP_CA_FILE {} holds no PEM certificate",
                        path.display()
                    )
                })?;
            parameters = parameters.add_root_certificate(certificate);
        }
        parameters
            .build_rustls()
            .map_err(|e| format!("TLS for the relay {}: {e}", self.host))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn relay(host: &str, port: u16, protection: Protection, login: Option<(&str, &str)>) -> Relay {
        Relay {
            host: host.to_string(),
            port,
            protection,
            login: login.map(|(u, p)| (u.to_string(), p.to_string())),
        }
    }

    #[test]
    fn the_three_ways_to_a_relay_and_their_ports() {
        use Protection::*;
        for (url, want) in [
            (
                "smtp://relay.example",
                relay("relay.example", 25, Plain, None),
            ),
            (
                "smtp://127.0.0.1:2525",
                relay("127.0.0.1", 2525, Plain, None),
            ),
            (
                "smtp://relay.example/",
                relay("relay.example", 25, Plain, None),
            ),
            (
                "smtp://relay.example?tls=required",
                relay("relay.example", 587, StartTls, None),
            ),
            (
                "smtps://relay.example",
                relay("relay.example", 465, Implicit, None),
            ),
            (
                "smtps://ann%40shop:p%3Ass%20w@relay.example:1465",
                relay(
                    "relay.example",
                    1465,
                    Implicit,
                    Some(("ann@shop", "p:ss w")),
                ),
            ),
            (
                "smtp://ann:pw@localhost:25",
                relay("localhost", 25, Plain, Some(("ann", "pw"))),
            ),
            (
                "smtp://ann:pw@[::1]:25",
                relay("::1", 25, Plain, Some(("ann", "pw"))),
            ),
        ] {
            assert_eq!(Relay::parse(url).unwrap(), want, "{url}");
        }
    }

    #[test]
    fn a_password_never_goes_in_the_clear_and_mistakes_are_refused_without_echoing_it() {
        for url in [
            "smtp://ann:secret-pw@relay.example",
            "smtp://ann:secret-pw@10.0.0.5:25",
            "smtp://relay.example?tls=opportunistic",
            "smtps://relay.example?tls=required",
            "smtp://relay.example?tls=none",
            "smtp://relay.example?tls=required&tls=required",
            "smtp://relay.example?x=1",
            "http://relay.example",
            "relay.example:25",
            "smtp://",
            "smtp://ann@relay.example",
            "smtp://:secret-pw@relay.example",
            "smtp://relay.example/helo",
            "smtp://relay.example:99999",
        ] {
            let error = Relay::parse(url).unwrap_err();
            assert!(!error.contains("secret-pw"), "{url}: {error}");
        }
        let relay = Relay::parse("smtps://ann:secret-pw@relay.example").unwrap();
        assert!(!format!("{relay:?}").contains("secret-pw"));
    }

    #[test]
    fn tls_settings_are_checked_at_start() {
        let plain = Relay::parse("smtp://127.0.0.1:25").unwrap();
        assert!(plain.transport(None).is_ok());
        let ca = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/smtp-tls/ca.pem"
        ));
        assert!(plain.transport(Some(ca)).unwrap_err().contains("no TLS"));
        let tls = Relay::parse("smtps://localhost").unwrap();
        assert!(tls.transport(None).is_ok());
        assert!(tls.transport(Some(ca)).is_ok());
        let missing = Path::new("/nonexistent/ca.pem");
        assert!(tls
            .transport(Some(missing))
            .unwrap_err()
            .contains("can't be read"));
        let not_pem = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
        assert!(tls.transport(Some(not_pem)).unwrap_err().contains("no PEM"));
    }
}
