//! Notices as emails, at most one per topic an hour, and the digests of what the hour held
//! back (`lua/mail_gate.lua`, `lua/mail_digest.lua`).

use super::compose::{optional_footer, Body};
use super::{absolute, send, unsubscribe_links, DIGEST_JOB};
use crate::accounts::server::email::MAIL_QUEUE;
use crate::accounts::{MailKind, UserId};
use crate::notifications::server::NewNotice;
use crate::notifications::{Notice, NoticeKind};
use crate::server::jobs::{self, JobError, JobRun};
use crate::server::redis::db::Db;
use crate::server::redis::reply::Fields;
use redis::{FromRedisValue, ParsingError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `lua/mail_gate.lua`: send now, drop, or batch into the topic's digest.
pub static MAIL_GATE: std::sync::LazyLock<redis::Script> = crate::lua_script!("mail_gate");
/// `lua/mail_digest.lua`: after a digest went out.
pub static MAIL_DIGEST: std::sync::LazyLock<redis::Script> = crate::lua_script!("mail_digest");

/// At most one email per topic in this time, unless configured (`super::gate_window`).
pub const WINDOW: Duration = Duration::from_secs(3600);
/// The most listings a digest names (the rest are counted: "and 12 more").
pub const DIGEST_MAX: usize = 20;

/// What an email is about, for the hourly gate: a saved search (`ss:<search id>`, from the
/// notice's once-only key `ss:<search>:<item>`), else the kind and the item.
pub fn topic(notice: &NewNotice) -> String {
    if notice.kind == NoticeKind::SavedSearch {
        if let Some(search) = notice
            .once
            .as_deref()
            .and_then(|once| once.strip_prefix("ss:"))
            .and_then(|rest| rest.split(':').next())
        {
            return format!("ss:{search}");
        }
    }
    format!("{}:{}", notice.kind.as_str(), notice.item_id)
}

/// One listing held for a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub id: u64,
    pub name: String,
    pub price_cents: i64,
}

/// A topic's held digest (as `lua/mail_gate.lua` keeps it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub items: Vec<Held>,
    pub more: u64,
}

/// `lua/mail_gate.lua`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Off,
    Send,
    Held,
    Batched { holder: String, wait_ms: u64 },
}

impl FromRedisValue for Gate {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("mail_gate", v)?;
        Ok(match f.status()?.as_str() {
            "off" => Gate::Off,
            "send" => Gate::Send,
            "held" => Gate::Held,
            "batched" => {
                f.expect_len(3)?;
                Gate::Batched {
                    holder: f.get(1)?,
                    wait_ms: f.get(2)?,
                }
            }
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// `lua/mail_digest.lua`'s answer: how many entries are still held.
struct DigestDone {
    left: u64,
}

impl FromRedisValue for DigestDone {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("mail_digest", v)?;
        f.expect_len(2)?;
        match f.status()?.as_str() {
            "done" => Ok(DigestDone { left: f.get(1)? }),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// The digest job's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestJob {
    pub user: UserId,
    pub topic: String,
    /// The saved search's name, as the notices carried it.
    pub name: String,
}

fn token(job: &JobRun) -> String {
    format!("{}:{}", job.queue, job.id)
}

/// Passes a notice through its topic's gate.
pub async fn pass(
    db: &Db,
    notice: &NewNotice,
    kind: MailKind,
    token: &str,
) -> Result<Gate, JobError> {
    let keys = db.keys();
    let entry = (kind == MailKind::SavedSearch).then(|| {
        serde_json::json!(Held {
            id: notice.item_id,
            name: notice.item_name.clone(),
            price_cents: notice.price_cents,
        })
        .to_string()
    });
    let mut conn = db.raw_conn();
    Ok(MAIL_GATE
        .key(keys.user(notice.user_id))
        .key(keys.mail_gate(notice.user_id))
        .key(keys.mail_digest(notice.user_id))
        .arg(kind.as_str())
        .arg(topic(notice))
        .arg(super::gate_window().as_millis() as u64)
        .arg(token)
        .arg(entry.unwrap_or_default())
        .arg(DIGEST_MAX)
        .invoke_async(&mut conn)
        .await?)
}

/// The `notice_mail` job: one notice as an email, unless its topic was mailed within the hour
/// (then dropped, or held for the digest, which is scheduled for when the hour is up).
pub async fn run_notice_mail(db: &Db, job: &JobRun) -> Result<(), JobError> {
    let notice: NewNotice = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::permanent(format!("unreadable notice: {e}")))?;
    let Some(kind) = notice.kind.mail_kind() else {
        return Err(JobError::permanent("this kind of notice is not mailed"));
    };
    match pass(db, &notice, kind, &token(job)).await? {
        Gate::Off | Gate::Held => Ok(()),
        Gate::Batched { holder, wait_ms } => {
            let payload = serde_json::json!(DigestJob {
                user: notice.user_id,
                topic: topic(&notice),
                name: notice.actor.clone(),
            })
            .to_string();
            // One digest per gate period: keyed by the gate's holder.
            let key = format!("digest:{}:{}:{holder}", notice.user_id, topic(&notice));
            let at = crate::util::time::now_ms() + wait_ms as i64 + 1;
            jobs::enqueue(db, MAIL_QUEUE, DIGEST_JOB, &payload, Some(at), Some(&key)).await?;
            Ok(())
        }
        Gate::Send => {
            let email = crate::accounts::server::email::account_email(db, notice.user_id).await?;
            let Some(address) = email.address else {
                return Ok(());
            };
            let shown = Notice {
                id: 0,
                kind: notice.kind,
                item_id: notice.item_id,
                item_name: notice.item_name.clone(),
                price_cents: notice.price_cents,
                actor: notice.actor.clone(),
                count: 1,
                at_ms: crate::util::time::now_ms(),
                read: false,
            };
            let (page, one_click) = unsubscribe_links(db, notice.user_id, kind, &address)?;
            let text = shown.text();
            let body = Body {
                heading: text.clone(),
                paragraphs: vec![
                    "Open Rbay to see it, and everything else that happened while you were away."
                        .to_string(),
                ],
                action: Some(("See it on Rbay".to_string(), absolute(&shown.link()))),
                list: Vec::new(),
                footer: footer(kind, &page),
            };
            send(body.letter(kind.as_str(), &address, text, Some(one_click))).await
        }
    }
}

fn footer(kind: MailKind, unsubscribe: &str) -> Vec<(String, Option<String>)> {
    optional_footer(
        &format!(
            "You get this email because “{}” is on in your Rbay email settings.",
            kind.label()
        ),
        &absolute(crate::email::PAGE),
        unsubscribe,
    )
}

/// The `mail_digest` job: what a saved search found while its gate was closed, as one email;
/// then the gate closes for another hour (and a digest is scheduled again if more arrived).
pub async fn run_digest(db: &Db, job: &JobRun) -> Result<(), JobError> {
    let digest_job: DigestJob = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::permanent(format!("unreadable digest: {e}")))?;
    let user = digest_job.user;
    let keys = db.keys();
    let mut conn = db.raw_conn();
    let raw: Option<String> = redis::cmd("HGET")
        .arg(keys.mail_digest(user))
        .arg(&digest_job.topic)
        .query_async(&mut conn)
        .await?;
    let Some(raw) = raw else {
        return Ok(());
    };
    let digest: Digest = serde_json::from_str(&raw)
        .map_err(|e| JobError::permanent(format!("unreadable held digest: {e}")))?;
    let kind = MailKind::SavedSearch;
    let email = crate::accounts::server::email::account_email(db, user).await?;
    let sent = digest.items.len();
    if let (Some(address), false) = (email.address, email.off.contains(&kind)) {
        let (page, one_click) = unsubscribe_links(db, user, kind, &address)?;
        let total = digest.items.len() as u64 + digest.more;
        let subject = format!(
            "{} for your search “{}”",
            crate::util::time::plural(total as i64, "new listing", "new listings"),
            digest_job.name
        );
        let mut paragraphs = vec![format!(
            "Since the last email, your saved search “{}” found these.",
            digest_job.name
        )];
        if digest.more > 0 {
            paragraphs.push(format!("And {} more: see them all on Rbay.", digest.more));
        }
        let body = Body {
            heading: subject.clone(),
            paragraphs,
            action: Some(("Your saved searches".to_string(), absolute("/my/searches"))),
            list: digest
                .items
                .iter()
                .map(|held| {
                    (
                        format!(
                            "{}, {}",
                            held.name,
                            crate::util::money::format_cents(held.price_cents)
                        ),
                        absolute(&format!("/items/{}", held.id)),
                    )
                })
                .collect(),
            footer: footer(kind, &page),
        };
        send(body.letter("digest", &address, subject, Some(one_click))).await?;
    }
    let DigestDone { left } = MAIL_DIGEST
        .key(keys.mail_gate(user))
        .key(keys.mail_digest(user))
        .arg(&digest_job.topic)
        .arg(sent)
        .arg(super::gate_window().as_millis() as u64)
        .arg(token(job))
        .invoke_async(&mut conn)
        .await?;
    if left > 0 {
        let key = format!("digest:{user}:{}:{}", digest_job.topic, token(job));
        let at = crate::util::time::now_ms() + super::gate_window().as_millis() as i64 + 1;
        jobs::enqueue(
            db,
            MAIL_QUEUE,
            DIGEST_JOB,
            &job.payload,
            Some(at),
            Some(&key),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, once: Option<&str>) -> NewNotice {
        NewNotice {
            user_id: UserId(3),
            kind,
            item_id: 17,
            item_name: "Lamp".into(),
            price_cents: 100,
            actor: "lamps".into(),
            once: once.map(str::to_string),
        }
    }

    #[test]
    fn topics_group_what_is_mailed_once_an_hour() {
        assert_eq!(topic(&notice(NoticeKind::Outbid, None)), "outbid:17");
        assert_eq!(
            topic(&notice(NoticeKind::SavedSearch, Some("ss:4:17"))),
            "ss:4"
        );
        assert_eq!(
            topic(&notice(NoticeKind::OrderPaid, Some("paid:17"))),
            "order_paid:17"
        );
    }
}
