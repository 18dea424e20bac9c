//! Which users' session state changed, as this instance heard it: what lets an instance use a
//! session it remembers (`accounts::server::sessions::recall`) without asking Redis.
//!
//! Whoever changes what a remembered session says (it ended, the account was suspended or its
//! password reset, the unread count moved) announces it on the user's pub/sub channel; the
//! instance's one subscription (`live::server::LiveHub::spawn`) hears every announcement and
//! moves the user's version here. Users share one of [`USER_SLOTS`] counters (a shared one
//! only makes a remembered session be read again sooner); a generation moves whenever the
//! subscription is made or lost, and while it is lost there is no version at all, since a
//! change could go unheard.

use crate::util::id::UserId;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Counters users share.
const USER_SLOTS: usize = 4096;

/// See the module docs. One per `Db` (per instance).
pub struct UserVersions {
    /// Tells one instance's versions from another's (tests run several in a process).
    instance: u64,
    subscribed: AtomicBool,
    generation: AtomicU64,
    slots: Box<[AtomicU64]>,
    /// Woken whenever a change is heard (an announcer waits for its own).
    heard: tokio::sync::Notify,
}

/// A user's version: equal versions mean nothing was heard to change between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserVersion {
    instance: u64,
    generation: u64,
    slot: u64,
}

impl Default for UserVersions {
    fn default() -> Self {
        UserVersions {
            instance: rand::random(),
            subscribed: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            slots: (0..USER_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            heard: tokio::sync::Notify::new(),
        }
    }
}

impl UserVersions {
    fn slot(&self, user: UserId) -> &AtomicU64 {
        &self.slots[(u64::from(user) % USER_SLOTS as u64) as usize]
    }

    /// The user's version now; `None` while the subscription is not standing (nothing
    /// remembered may be used then).
    pub fn of(&self, user: UserId) -> Option<UserVersion> {
        if !self.subscribed.load(Ordering::Acquire) {
            return None;
        }
        Some(UserVersion {
            instance: self.instance,
            generation: self.generation.load(Ordering::Acquire),
            slot: self.slot(user).load(Ordering::Acquire),
        })
    }

    /// Heard: something of the user's changed somewhere.
    pub fn changed(&self, user: UserId) {
        self.slot(user).fetch_add(1, Ordering::AcqRel);
        self.heard.notify_waiters();
    }

    /// The subscription stands (again): what was remembered before may have missed changes.
    pub fn subscribed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.subscribed.store(true, Ordering::Release);
    }

    /// The subscription is lost: changes go unheard until it stands again.
    pub fn lost(&self) {
        self.subscribed.store(false, Ordering::Release);
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// After announcing a change of `user`'s (`was`: their version before): waits, at most
    /// `limit`, until this instance's subscription has heard it — every subscription was sent
    /// the announcement together, so the others have it about as soon — and then marks the
    /// change heard here in any case, so this instance never answers from the old memory.
    pub async fn await_heard(&self, user: UserId, was: Option<UserVersion>, limit: Duration) {
        if let Some(was) = was {
            let _ = tokio::time::timeout(limit, async {
                loop {
                    let waiting = self.heard.notified();
                    if self.of(user) != Some(was) {
                        return;
                    }
                    waiting.await;
                }
            })
            .await;
        }
        self.changed(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_move_with_changes_and_vanish_without_a_subscription() {
        let versions = UserVersions::default();
        let (ann, bea) = (UserId(7), UserId(8));
        assert_eq!(
            versions.of(ann),
            None,
            "nothing before the subscription stands"
        );
        versions.subscribed();
        let first = versions.of(ann).unwrap();
        assert_eq!(versions.of(ann), Some(first));
        versions.changed(bea);
        assert_eq!(versions.of(ann), Some(first), "another user's change");
        versions.changed(ann);
        let second = versions.of(ann).unwrap();
        assert_ne!(second, first);
        versions.lost();
        assert_eq!(versions.of(ann), None);
        versions.subscribed();
        assert_ne!(
            versions.of(ann),
            Some(second),
            "a new subscription starts over"
        );
        assert_ne!(
            UserVersions::default().of(ann),
            versions.of(ann),
            "another instance's"
        );
    }

    #[tokio::test]
    async fn an_announcer_waits_for_its_own_subscription_then_marks_the_change() {
        let versions = std::sync::Arc::new(UserVersions::default());
        versions.subscribed();
        let ann = UserId(7);
        let was = versions.of(ann);
        let hearing = {
            let versions = std::sync::Arc::clone(&versions);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                versions.changed(ann);
            })
        };
        let started = std::time::Instant::now();
        versions.await_heard(ann, was, Duration::from_secs(5)).await;
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "it returned once heard"
        );
        hearing.await.unwrap();
        // Unheard (no subscription message): still marked, after the limit.
        let was = versions.of(ann);
        versions
            .await_heard(ann, was, Duration::from_millis(10))
            .await;
        assert_ne!(versions.of(ann), was);
    }
}
