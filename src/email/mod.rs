//! Email: what Rbay mails and how a user controls it.
//!
//! - `/my/email`: the address (confirmed by a link; a new one waits for its own link while the
//!   confirmed one keeps receiving), and a switch per kind of mail (outbid, won, sold, saved
//!   searches, order steps). The address and the switches are the account's
//!   (`accounts::server::email`); this slice sends.
//! - Every mail is a job on the `mail` queue, composed when it runs (the address is read then:
//!   none is ever in a job or a log line), sent over SMTP with a plain-text and an HTML part
//!   (user text escaped by the same Leptos views as the pages) and, for every optional kind, a
//!   one-click unsubscribe link (`List-Unsubscribe` + `List-Unsubscribe-Post`, RFC 8058),
//!   signed for that user, kind and address. A failure is retried with backoff and ends in the
//!   dead letters like any job.
//! - At most one mail per topic an hour (an item's outbids, a saved search's matches): more
//!   saved-search matches within the hour are batched into one digest sent when the hour is
//!   up (`lua/mail_gate.lua`, `lua/mail_digest.lua`).
//! - Without `RBAY_SMTP_URL` email is off: the settings page and the sign-up form say so (no
//!   address is asked), `/my/email` refuses a new address, and a mail job that still comes
//!   (an address given before email was turned off) is dropped with a log line.
//!
//! [`api`] has the server functions, `server` (feature `ssr`) the sending, `ui` the pages.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::accounts::AccountEmail;
use serde::{Deserialize, Serialize};

/// What `/my/email` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPage {
    /// Whether this site sends email at all (`RBAY_SMTP_URL`).
    pub enabled: bool,
    pub email: AccountEmail,
}

crate::problems! {
    /// What can go wrong on the email pages.
    pub enum EmailProblem {
        SignIn = "sign-in" => "Sign in to change your email settings.",
        Address = "address" =>
            format!("Enter an address like name@example.com (at most {} characters).", crate::accounts::EMAIL_MAX),
        NothingPending = "nothing-pending" => "There is no address waiting for confirmation.",
        Password = "password" =>
            "Enter your current password: it is asked before the address that receives your password resets changes.",
        Off = "off" => "This site does not send email: its operator has not set up a mail server.",
        Link = "link" =>
            "This link does not work any more: it was used, it expired, or a newer one was sent.",
    }
}

/// The query parameter carrying a refused form's problem back to its page.
pub const PROBLEMS_PARAM: &str = "e";
/// The settings page, where its forms come back to.
pub const PAGE: &str = "/my/email";
/// The confirmation link's page (`?t=`).
pub const CONFIRM_PAGE: &str = "/email/confirm";
/// The unsubscribe link's page (`?u=&k=&s=`), and where it posts (also the one-click URL).
pub const UNSUBSCRIBE_PAGE: &str = "/email/unsubscribe";
pub const UNSUBSCRIBE_POST: &str = "/email/unsubscribe/one-click";

/// The parameters of an unsubscribe link: user, kind, signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeLink {
    #[serde(default)]
    pub u: String,
    #[serde(default)]
    pub k: String,
    #[serde(default)]
    pub s: String,
}

impl UnsubscribeLink {
    /// `u=…&k=…&s=…`.
    pub fn query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        crate::util::problem::assert_codes_round_trip::<EmailProblem>();
    }

    #[test]
    fn unsubscribe_links_carry_their_three_parts() {
        let link = UnsubscribeLink {
            u: "7".into(),
            k: "outbid".into(),
            s: "ab12".into(),
        };
        assert_eq!(link.query(), "u=7&k=outbid&s=ab12");
        let back: UnsubscribeLink = serde_urlencoded::from_str(&link.query()).unwrap();
        assert_eq!(back, link);
    }
}
