//! Sending: the SMTP transport (configured once per process by [`install`]), the mail jobs,
//! and the one-click unsubscribe route.
//!
//! Three job kinds run on the `mail` queue (`accounts::server::email::MAIL_QUEUE`):
//! - `account_mail` (asked for by accounts): a confirmation or password-reset link, minted as
//!   the job runs and sent to the pending or confirmed address;
//! - `notice_mail` (asked for by notifications, only for users with a confirmed address who
//!   want that kind): one notice as an email, through the hourly gate ([`gate`]);
//! - `mail_digest`: the saved-search matches the gate held back, as one email when the hour is
//!   up.
//!
//! A send that fails is retried with the queue's backoff (SMTP 5xx answers too, until the
//! attempts run out: a relay may refuse for a while) and ends in the dead letters.

pub mod compose;
pub mod gate;
pub mod keys;
pub mod relay;

use crate::accounts::server::email::{self as account, AccountMail, MAIL_QUEUE};
use crate::accounts::{MailKind, UserId};
use crate::email::{UnsubscribeLink, UNSUBSCRIBE_PAGE, UNSUBSCRIBE_POST};
use crate::server::jobs::{JobError, JobKind, JobRun, Registry};
use crate::server::redis::db::Db;
use compose::Letter;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::OnceLock;

/// The mail digest job kind.
pub const DIGEST_JOB: &str = "mail_digest";

/// How this process sends: the transport (`None`: email is off), the sender, and the site's
/// address for the links.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: lettre::message::Mailbox,
    public_url: String,
    /// At most one email per topic in this time (`RBAY_MAIL_GATE_SECS`).
    gate: std::time::Duration,
}

static MAILER: OnceLock<Mailer> = OnceLock::new();

/// Sets up sending for this process from the configuration. An unreadable `RBAY_SMTP_URL` or
/// `RBAY_MAIL_FROM` is an error at start, not a surprise at the first email.
pub fn install(config: &crate::server::config::Config) -> Result<(), String> {
    let from = config.mail_from.parse().map_err(|e| {
        format!(
            "RBAY_MAIL_FROM {:?} is not a mailbox: {e}",
            config.mail_from
        )
    })?;
    let relay = config
        .smtp_url
        .as_ref()
        .map(|url| relay::Relay::parse(url.as_str()))
        .transpose()?;
    let transport = match &relay {
        Some(relay) => Some(relay.transport(config.smtp_ca_file.as_deref())?),
        None if config.smtp_ca_file.is_some() => {
            return Err("RBAY_SMTP_CA_FILE is set without RBAY_SMTP_URL".to_string())
        }
        None => None,
    };
    let addr = config.listen_addr();
    if transport.is_some() && config.public_url.is_none() && addr.ip().is_unspecified() {
        return Err(format!(
            "RBAY_SMTP_URL is set but RBAY_PUBLIC_URL is not, and the listen address {addr} is no \
             address a browser can open: set RBAY_PUBLIC_URL to the site's address (https://…) \
             for the links in emails"
        ));
    }
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let mailer = Mailer {
        transport,
        from,
        public_url: public_url.trim_end_matches('/').to_string(),
        gate: config.mail_gate,
    };
    if let Some(relay) = &relay {
        // Where and how, never who: the login stays out of the log.
        tracing::info!(
            host = %relay.host,
            port = relay.port,
            protection = ?relay.protection,
            login = relay.login.is_some(),
            "email on (RBAY_SMTP_URL set)"
        );
    }
    let _ = MAILER.set(mailer);
    Ok(())
}

/// Why the TLS handshake with the relay failed, if that is what failed (rustls' reason, such as
/// an unknown issuer or a name mismatch: it names no recipient). lettre reports a handshake
/// refused by rustls as a connection error whose source is an `InvalidData` I/O error.
fn tls_failure(e: &lettre::transport::smtp::Error) -> Option<String> {
    use std::error::Error as _;
    if e.is_tls() {
        return Some("the relay's certificate".to_string());
    }
    std::iter::successors(e.source(), |s| (*s).source())
        .filter_map(|s| s.downcast_ref::<std::io::Error>())
        .find(|io| io.kind() == std::io::ErrorKind::InvalidData)
        .map(|io| io.to_string())
}

fn mailer() -> Option<&'static Mailer> {
    MAILER.get()
}

/// Whether this site sends email.
pub fn enabled() -> bool {
    mailer().is_some_and(|m| m.transport.is_some())
}

/// At most one email per topic in this time (an hour unless configured).
pub fn gate_window() -> std::time::Duration {
    mailer().map_or(gate::WINDOW, |m| m.gate)
}

/// The absolute URL of a path of this site (for links in emails).
pub fn absolute(path: &str) -> String {
    let base = mailer().map_or("", |m| m.public_url.as_str());
    format!("{base}{path}")
}

/// The mail jobs.
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: account::ACCOUNT_MAIL_JOB,
        queue: MAIL_QUEUE,
        run: |db, job| Box::pin(async move { run_account_mail(&db, &job).await }),
    });
    jobs.add(JobKind {
        name: crate::notifications::server::MAIL_JOB,
        queue: MAIL_QUEUE,
        run: |db, job| Box::pin(async move { gate::run_notice_mail(&db, &job).await }),
    });
    jobs.add(JobKind {
        name: account::ADDRESS_CHANGED_JOB,
        queue: MAIL_QUEUE,
        run: |db, job| Box::pin(async move { run_address_changed(&db, &job).await }),
    });
    jobs.add(JobKind {
        name: DIGEST_JOB,
        queue: MAIL_QUEUE,
        run: |db, job| Box::pin(async move { gate::run_digest(&db, &job).await }),
    });
}

/// Sends one letter. With email off it is dropped (logged): the site said so to the user.
pub async fn send(letter: Letter) -> Result<(), JobError> {
    let Some(mailer) = mailer() else {
        return Err(JobError::retry("email is not set up in this process"));
    };
    let Some(transport) = &mailer.transport else {
        tracing::info!(kind = letter.kind, "email is off: not sent");
        return Ok(());
    };
    let message = letter
        .message(&mailer.from)
        .map_err(|e| JobError::permanent(format!("unbuildable email: {e}")))?;
    match transport.send(message).await {
        Ok(_) => {
            tracing::info!(kind = letter.kind, "email sent");
            Ok(())
        }
        // Only the relay's status code: its text often repeats the recipient's address, which
        // must not reach a log line or the dead letters.
        Err(e) => Err(JobError::retry(match e.status() {
            Some(code) => format!(
                "smtp: the relay answered {code} ({})",
                if e.is_permanent() {
                    "refused"
                } else {
                    "try later"
                }
            ),
            None if e.is_timeout() => "smtp: timed out".to_string(),
            None => match tls_failure(&e) {
                Some(why) => format!("smtp: TLS with the relay failed: {why}"),
                None => "smtp: no answer from the relay".to_string(),
            },
        })),
    }
}

/// The `account_mail` job: mints the link as it runs (so a retry sends a link that works, and
/// replaces the one before) and mails it to the address it is for.
async fn run_account_mail(db: &Db, job: &JobRun) -> Result<(), JobError> {
    let mail: AccountMail = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::permanent(format!("unreadable account mail: {e}")))?;
    if !enabled() {
        tracing::info!(user_id = %mail.user, "email is off: no account mail sent");
        return Ok(());
    }
    let Some(minted) = account::mint(db, mail.user, mail.purpose).await? else {
        // The address went (removed, or replaced and confirmed) before the job ran.
        return Ok(());
    };
    let username = username(db, mail.user).await?;
    let link = absolute(&format!(
        "{}?t={}",
        mail.purpose.page(),
        crate::util::url::encode_query_value(&minted.token)
    ));
    send(compose::account(
        mail.purpose,
        &minted.address,
        &username,
        &link,
    ))
    .await
}

/// The `address_changed` job: tells the address a confirmation replaced that it no longer
/// receives this account's mail (and what to do if that was not its owner), then forgets it.
async fn run_address_changed(db: &Db, job: &JobRun) -> Result<(), JobError> {
    let changed: account::AddressChanged = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::permanent(format!("unreadable address change: {e}")))?;
    let key = db.keys().user(changed.user);
    let mut conn = db.raw_conn();
    let old: Option<String> = redis::cmd("HGET")
        .arg(&key)
        .arg("email_replaced")
        .query_async(&mut conn)
        .await?;
    let Some(old) = old else {
        return Ok(());
    };
    let username = username(db, changed.user).await?;
    send(compose::address_changed(
        &old,
        &username,
        &absolute("/auth/signin"),
    ))
    .await?;
    let _: () = redis::cmd("HDEL")
        .arg(&key)
        .arg("email_replaced")
        .query_async(&mut conn)
        .await?;
    Ok(())
}

/// A user's shown name (for the greeting).
async fn username(db: &Db, user: UserId) -> Result<String, JobError> {
    crate::accounts::server::username(&mut db.raw_conn(), db.keys(), user)
        .await?
        .ok_or_else(|| JobError::permanent("no such user"))
}

/// The unsubscribe link of `kind` for a user and the address a mail goes to: the page's URL
/// (for the mail's footer) and the one-click URL (for `List-Unsubscribe`).
pub fn unsubscribe_links(
    db: &Db,
    user: UserId,
    kind: MailKind,
    address: &str,
) -> Result<(String, String), JobError> {
    let link = UnsubscribeLink {
        u: user.to_string(),
        k: kind.as_str().to_string(),
        s: account::unsubscribe_signature(db, user, kind, address)?,
    };
    Ok((
        absolute(&format!("{UNSUBSCRIBE_PAGE}?{}", link.query())),
        absolute(&format!("{UNSUBSCRIBE_POST}?{}", link.query())),
    ))
}

/// `POST /email/unsubscribe/one-click?u=&k=&s=`: turns one kind of mail off, for the link's
/// user, without a session (the signature is the authority). A mail client's one-click
/// request (`List-Unsubscribe=One-Click`, RFC 8058) gets a short text answer; the page's own
/// button gets the page back, saying it is done. `GET` there (a client that only follows
/// links) shows the page, which asks before acting.
pub fn routes() -> axum::Router<crate::server::state::AppState> {
    axum::Router::new().route(
        UNSUBSCRIBE_POST,
        axum::routing::post(one_click).get(to_page),
    )
}

async fn to_page(
    axum::extract::Query(link): axum::extract::Query<UnsubscribeLink>,
) -> axum::response::Redirect {
    axum::response::Redirect::to(&format!("{UNSUBSCRIBE_PAGE}?{}", clipped(&link).query()))
}

fn clipped(link: &UnsubscribeLink) -> UnsubscribeLink {
    let clip = |s: &str| crate::util::url::clip(s, 80);
    UnsubscribeLink {
        u: clip(&link.u),
        k: clip(&link.k),
        s: clip(&link.s),
    }
}

async fn one_click(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    axum::extract::Query(link): axum::extract::Query<UnsubscribeLink>,
    body: String,
) -> Result<axum::response::Response, crate::error::AppError> {
    use axum::response::IntoResponse;
    let done = unsubscribe(&state.db, &link).await?;
    let by_client = body.trim() == "List-Unsubscribe=One-Click";
    Ok(match (by_client, done) {
        (true, true) => "Unsubscribed.".into_response(),
        (true, false) => (
            axum::http::StatusCode::NOT_FOUND,
            "This unsubscribe link is not valid.",
        )
            .into_response(),
        (false, _) => {
            let flag = if done { "done" } else { "invalid" };
            axum::response::Redirect::to(&format!(
                "{UNSUBSCRIBE_PAGE}?{}&r={flag}",
                clipped(&link).query()
            ))
            .into_response()
        }
    })
}

/// Acts on an unsubscribe link; `false` when it is not valid.
pub async fn unsubscribe(db: &Db, link: &UnsubscribeLink) -> Result<bool, crate::error::AppError> {
    let (Some(user), Some(kind)) = (UserId::parse(&link.u), MailKind::parse(&link.k)) else {
        return Ok(false);
    };
    if link.s.len() != 32 {
        return Ok(false);
    }
    let done = account::unsubscribe(db, user, kind, &link.s).await?;
    if done {
        tracing::info!(user_id = %user, kind = kind.as_str(), "unsubscribed");
    }
    Ok(done)
}
