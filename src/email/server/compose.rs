//! The emails themselves: a plain-text part and an HTML part saying the same, the HTML
//! rendered by Leptos views like every page (so user text — item names, usernames, search
//! names — is escaped), and for optional kinds the unsubscribe links.

use crate::accounts::server::email::Purpose;
use crate::util::html::{render_alone, to_html};
use leptos::prelude::*;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

/// One email, ready to send.
#[derive(Debug, Clone)]
pub struct Letter {
    /// What it is (for the log: never the address).
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe URL (`List-Unsubscribe`), for optional kinds.
    pub one_click: Option<String>,
}

impl Letter {
    /// The message from `from`. An address that does not parse (it was checked when saved)
    /// is an error, never a header of its own: lettre encodes every header value.
    pub fn message(&self, from: &Mailbox) -> Result<Message, String> {
        let to: Mailbox = self.to.parse().map_err(|e| format!("recipient: {e}"))?;
        let mut builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(one_line(&self.subject))
            .date_now()
            .message_id(None);
        if let Some(url) = &self.one_click {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_string(),
                ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                self.text.clone(),
                self.html.clone(),
            ))
            .map_err(|e| e.to_string())
    }
}

/// A subject on one line, without control characters, at most 150 characters.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::util::url::clip(flat.trim(), 150)
}

/// What an email says: a heading, paragraphs, a button, and its footer lines (each optionally
/// a link).
pub struct Body {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub action: Option<(String, String)>,
    /// Items listed under the paragraphs (a digest): text and link.
    pub list: Vec<(String, String)>,
    pub footer: Vec<(String, Option<String>)>,
}

impl Body {
    /// The plain-text part.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.heading);
        for p in &self.paragraphs {
            out.push_str(p);
            out.push_str("\n\n");
        }
        for (text, link) in &self.list {
            out.push_str(&format!("- {text}\n  {link}\n"));
        }
        if !self.list.is_empty() {
            out.push('\n');
        }
        if let Some((label, link)) = &self.action {
            out.push_str(&format!("{label}: {link}\n\n"));
        }
        out.push_str("-- \n");
        for (line, link) in &self.footer {
            match link {
                Some(link) => out.push_str(&format!("{line}: {link}\n")),
                None => out.push_str(&format!("{line}\n")),
            }
        }
        out
    }

    /// The HTML part.
    pub fn html(&self) -> String {
        render_alone(|| {
            let page = view! {
                <div style="font-family:system-ui,sans-serif;max-width:36rem;margin:0 auto;color:#1d2433">
                    <h1 style="font-size:1.3rem">{self.heading.clone()}</h1>
                    {self.paragraphs.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
                    {(!self.list.is_empty()).then(|| view! {
                        <ul>
                            {self.list.iter().map(|(text, link)| view! {
                                <li><a href=link.clone()>{text.clone()}</a></li>
                            }).collect_view()}
                        </ul>
                    })}
                    {self.action.as_ref().map(|(label, link)| view! {
                        <p>
                            <a href=link.clone() style="display:inline-block;padding:.6rem 1rem;background:#1f5fbf;color:#fff;text-decoration:none;border-radius:.4rem">
                                {label.clone()}
                            </a>
                        </p>
                    })}
                    <hr/>
                    {self.footer.iter().map(|(line, link)| view! {
                        <p style="font-size:.85rem;color:#5a6478">
                            {match link {
                                Some(link) => view! { <a href=link.clone()>{line.clone()}</a> }.into_any(),
                                None => line.clone().into_any(),
                            }}
                        </p>
                    }).collect_view()}
                </div>
            };
            format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{}</body></html>",
                to_html(page)
            )
        })
    }

    /// The letter of this body.
    pub fn letter(
        self,
        kind: &'static str,
        to: &str,
        subject: String,
        one_click: Option<String>,
    ) -> Letter {
        Letter {
            kind,
            to: to.to_string(),
            subject,
            text: self.text(),
            html: self.html(),
            one_click,
        }
    }
}

/// The confirmation or password-reset email.
pub fn account(purpose: Purpose, to: &str, username: &str, link: &str) -> Letter {
    let hours = purpose.lifetime().as_secs() / 3600;
    let (kind, subject, paragraphs, label) = match purpose {
        Purpose::Confirm => (
            "confirm",
            "Confirm your email address for Rbay".to_string(),
            vec![
                format!("Hello {username}, please confirm that this address is yours: Rbay will send your alerts here."),
                format!("The link works once, for {hours} hours. If you did not ask for this, ignore this email: nothing changes."),
            ],
            "Confirm this address",
        ),
        Purpose::Reset => (
            "reset",
            "Set a new Rbay password".to_string(),
            vec![
                format!("Hello {username}, someone (we hope you) asked to set a new password for your Rbay account."),
                format!("The link works once, for {hours} hour{}. Setting a new password signs your account out everywhere. If you did not ask, ignore this email: your password stays as it is.", if hours == 1 { "" } else { "s" }),
            ],
            "Set a new password",
        ),
    };
    Body {
        heading: subject.clone(),
        paragraphs,
        action: Some((label.to_string(), link.to_string())),
        list: Vec::new(),
        footer: vec![(
            "You get this email because of your Rbay account.".into(),
            None,
        )],
    }
    .letter(kind, to, subject, None)
}

/// To the address a confirmation replaced: it no longer gets this account's mail. Says nothing
/// of the new address.
pub fn address_changed(to: &str, username: &str, sign_in: &str) -> Letter {
    let subject = "Your Rbay account has a new email address".to_string();
    Body {
        heading: subject.clone(),
        paragraphs: vec![
            format!("Hello {username}, the Rbay account {username} now sends its email, and its password resets, to another address, confirmed just now. This address gets no more mail from it."),
            "If that was you, there is nothing to do. If it was not, someone knows your password: sign in, change the address back and choose a new password.".to_string(),
        ],
        action: Some(("Sign in to Rbay".to_string(), sign_in.to_string())),
        list: Vec::new(),
        footer: vec![("You get this email because this address was the account's.".into(), None)],
    }
    .letter("address_changed", to, subject, None)
}

/// The footer of an optional kind of mail: why it came, and how to stop it.
pub fn optional_footer(
    why: &str,
    settings: &str,
    unsubscribe: &str,
) -> Vec<(String, Option<String>)> {
    vec![
        (why.to_string(), None),
        (
            "Unsubscribe from these emails".to_string(),
            Some(unsubscribe.to_string()),
        ),
        (
            "All your email settings".to_string(),
            Some(settings.to_string()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(name: &str) -> Body {
        Body {
            heading: format!("New for {name}"),
            paragraphs: vec![format!("{name} is listed.")],
            action: Some(("See it".into(), "http://x/items/1".into())),
            list: vec![(name.to_string(), "http://x/items/1".into())],
            footer: optional_footer("Why", "http://x/my/email", "http://x/u"),
        }
    }

    #[test]
    fn user_text_is_escaped_in_html_and_plain_in_text() {
        let b = body("<script>alert(1)</script> & co");
        let html = b.html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(b.text().contains("<script>alert(1)</script> & co"));
        assert!(b
            .text()
            .contains("Unsubscribe from these emails: http://x/u"));
    }

    #[test]
    fn subjects_stay_on_one_line_and_messages_carry_both_parts() {
        assert_eq!(one_line("a\r\nBcc: eve@x.y"), "a  Bcc: eve@x.y");
        let letter = body("Lamp").letter(
            "test",
            "ann@example.com",
            "New\r\nBcc: eve@evil.example".into(),
            Some("http://x/one-click?u=1".into()),
        );
        let from: Mailbox = "Rbay <no-reply@rbay.invalid>".parse().unwrap();
        let raw = String::from_utf8(letter.message(&from).unwrap().formatted()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(
            raw.contains("List-Unsubscribe: <http://x/one-click?u=1>"),
            "{raw}"
        );
        assert!(
            raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{raw}"
        );
        assert!(raw.contains("text/plain"), "{raw}");
        assert!(raw.contains("text/html"), "{raw}");
        let bad = Letter {
            to: "ann@example.com\r\nBcc: eve@evil.example".into(),
            ..letter
        };
        assert!(bad.message(&from).is_err());
    }
}
