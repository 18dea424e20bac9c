//! What changed, as this instance heard it: what lets an instance use something it remembers
//! without asking Redis.
//!
//! - **Users** ([`UserVersions`]): whoever changes what a remembered session says (it ended,
//!   the account was suspended or its password reset, the unread count moved) announces it on
//!   the user's pub/sub channel (`accounts::server::sessions::recall`).
//! - **Items** ([`ItemVersions`]): every write of an item's that its page shows is published on
//!   the item's channel — a live event (a new visitor's view too), or a bare `touch` for what
//!   has no event (a like, a watch, a maximum raised without moving the price, a seller's
//!   revision) — so what an item page remembers of a viewer (`items::ui::item`) is read again
//!   after it.
//!
//! The instance's one subscription (`live::server::LiveHub::spawn`) hears every message and
//! moves the user's or item's version here. Ids share one of [`SLOTS`] counters (a shared one
//! only makes something remembered be read again sooner); a generation moves whenever the
//! subscription is made or lost, and while it is lost there is no version at all, since a
//! change could go unheard.

use crate::util::id::{ItemId, UserId};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How long an announcement waits for this instance's subscription to hear it.
pub const HEARD_WITHIN: Duration = Duration::from_millis(200);

/// Counters ids share.
const SLOTS: usize = 4096;

/// Users' versions (see the module docs).
pub type UserVersions = Versions<UserId>;
/// Items' versions (see the module docs).
pub type ItemVersions = Versions<ItemId>;

/// See the module docs. One of each per `Db` (per instance).
pub struct Versions<K> {
    /// Tells one instance's versions from another's (tests run several in a process).
    instance: u64,
    subscribed: AtomicBool,
    generation: AtomicU64,
    slots: Box<[AtomicU64]>,
    /// Woken whenever a change is heard (an announcer waits for its own).
    heard: tokio::sync::Notify,
    key: PhantomData<fn(K)>,
}

/// A user's or item's version: equal versions mean nothing was heard to change between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    instance: u64,
    generation: u64,
    slot: u64,
}

impl<K> Default for Versions<K> {
    fn default() -> Self {
        Versions {
            instance: rand::random(),
            subscribed: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            heard: tokio::sync::Notify::new(),
            key: PhantomData,
        }
    }
}

impl<K: Copy + Into<u64>> Versions<K> {
    fn slot(&self, id: K) -> &AtomicU64 {
        &self.slots[(id.into() % SLOTS as u64) as usize]
    }

    /// The id's version now; `None` while the subscription is not standing (nothing
    /// remembered may be used then).
    pub fn of(&self, user: K) -> Option<Version> {
        if !self.subscribed.load(Ordering::Acquire) {
            return None;
        }
        Some(Version {
            instance: self.instance,
            generation: self.generation.load(Ordering::Acquire),
            slot: self.slot(user).load(Ordering::Acquire),
        })
    }

    /// Heard: something of the user's (or item's) changed somewhere.
    pub fn changed(&self, user: K) {
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

    /// Runs `write`, a change of `id`'s that is announced on its channel, and — when
    /// `announced` says it was (a refused write announces nothing) — returns its result once
    /// this instance's subscription heard of `id` since ([`Versions::await_heard`], at most
    /// [`HEARD_WITHIN`]).
    pub async fn heard_after<T>(
        &self,
        id: K,
        write: impl std::future::Future<Output = T>,
        announced: impl FnOnce(&T) -> bool,
    ) -> T {
        let was = self.of(id);
        let done = write.await;
        if announced(&done) {
            self.await_heard(id, was, HEARD_WITHIN).await;
        }
        done
    }

    /// After announcing a change of `user`'s (`was`: their version before): waits, at most
    /// `limit`, until this instance's subscription has heard it — every subscription was sent
    /// the announcement together, so the others have it about as soon — and then marks the
    /// change heard here in any case, so this instance never answers from the old memory.
    pub async fn await_heard(&self, user: K, was: Option<Version>, limit: Duration) {
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
