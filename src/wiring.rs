//! The one place that mounts the features on the server: the routes each feature serves
//! besides its pages and server functions, and the job kinds each runs. (Pages are mounted by
//! the router in `app`; server functions register themselves.) Adding a feature adds its line
//! here; nothing else outside the feature's folder names it.

use crate::server::jobs::Registry;
use crate::server::state::AppState;
use axum::Router;
use std::sync::LazyLock;

/// Every job kind, registered by the feature that owns it.
pub fn jobs() -> &'static Registry {
    static JOBS: LazyLock<Registry> = LazyLock::new(|| {
        let mut jobs = Registry::default();
        crate::auction::server::register_jobs(&mut jobs);
        crate::email::server::register_jobs(&mut jobs);
        crate::engagement::server::register_jobs(&mut jobs);
        crate::listings::server::register_jobs(&mut jobs);
        crate::notifications::server::register_jobs(&mut jobs);
        crate::orders::server::register_jobs(&mut jobs);
        crate::saved_searches::server::register_jobs(&mut jobs);
        crate::jobs::server::register_jobs(&mut jobs);
        jobs
    });
    &JOBS
}

/// Starts the workers for every queue of every registered kind (see `server::jobs::start`).
pub fn start_workers(
    db: &crate::server::redis::Db,
    settings: crate::server::jobs::Settings,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let jobs = jobs();
    crate::server::jobs::start(db, &jobs.queues(), jobs.handler(db), settings, stop)
}

/// The features' own routes (photos, live streams, plain-text answers for islands, panels).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::items::server::routes::routes())
        .merge(crate::catalog::server::routes::routes())
        .merge(crate::seller::server::stats::routes())
        .merge(crate::notifications::server::routes())
        .merge(crate::orders::server::routes())
        .merge(crate::email::server::routes())
}

/// Sets up what features need from the configuration before serving or working (the mail
/// transport, how long buyers have to pay). An error names the setting to fix.
pub fn configure(config: &crate::server::config::Config) -> Result<(), String> {
    crate::orders::server::set_pay_within(config.unpaid_after);
    crate::email::server::install(config)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_queue_has_its_kinds_and_the_order_is_stable() {
        let jobs = super::jobs();
        assert_eq!(jobs.queues(), ["auctions", "mail", "photos", "notify"]);
        for kind in [
            "close_auction",
            "cancel_bids",
            "order_auto_receive",
            "order_offer_expiry",
            "order_payment_reminder",
            "saved_search_match",
            "watch_reminder",
            "thumbnail",
            "notify",
            "account_mail",
            "address_changed",
            "notice_mail",
            "mail_digest",
            "probe",
        ] {
            assert!(jobs.kind(kind).is_some(), "{kind}");
        }
        assert!(jobs.kind("close").is_none());
    }
}
