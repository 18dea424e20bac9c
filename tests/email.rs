//! Email through the real HTTP server and a real SMTP server (`scripts/mail_sink.py`, aiosmtpd):
//! the confirmation link, notices mailed with a one-click unsubscribe, the hourly gate and the
//! saved-search digest, the password reset that ends every session, and a site without email.
//! Each test reads the messages that arrived: recipients, subjects, links (followed), headers,
//! escaping.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mail::{path_of, Mail, MailSink, SinkTls, TEST_CA};
use common::server::{
    call, create_item, created_id, get, location, plain_post, session_cookie, sign_up, Server,
};
use std::time::Duration;

fn server_with(sink: &MailSink, extra: &[(&str, &str)]) -> Server {
    let url = sink.url();
    let mut env = vec![("RBAY_SMTP_URL", url.as_str())];
    env.extend_from_slice(extra);
    Server::for_test_with(&common::fresh_prefix(), &env)
}

/// A unique address for a user of this test.
fn address(name: &str) -> String {
    format!(
        "{name}.{}@example.com",
        common::fresh_prefix()
            .trim_start_matches("test:")
            .trim_end_matches(':')
    )
}

/// Signs up with an address (the JSON call, as the hydrated form makes it); the cookie.
fn sign_up_with(server: &Server, name: &str, email: &str) -> String {
    let r = call(
        server,
        "/api/auth/signup",
        &format!(
            "username={name}&password=long-enough-pw&confirm=long-enough-pw&email={}",
            email.replace('+', "%2B")
        ),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    session_cookie(&r)
}

/// The `t` of a link.
fn token(link: &str) -> String {
    link.split_once("t=").unwrap().1.to_string()
}

/// Follows the confirmation link of the newest mail to `email`.
fn confirm(server: &Server, sink: &MailSink, email: &str, nth: usize) -> Mail {
    let mail = sink.wait_for(email, nth).pop().unwrap();
    let link = mail.link("/email/confirm?t=");
    let done = plain_post(
        server,
        "/api/email/confirm",
        &format!("t={}", token(&link)),
        None,
    );
    assert_eq!(location(&done), "/email/confirm");
    mail
}

/// Whether the settings page's checkbox `name` is ticked.
fn checked(page: &str, name: &str) -> bool {
    let at = page
        .find(&format!(r#"name="{name}""#))
        .unwrap_or_else(|| panic!("no {name} box"));
    let start = page[..at].rfind('<').unwrap();
    let end = at + page[at..].find('>').unwrap();
    page[start..end].contains("checked")
}

fn bid(server: &Server, cookie: &str, item: &str, amount: &str) {
    let r = call(
        server,
        "/api/items/bid",
        &format!("item_id={item}&amount={amount}"),
        Some(cookie),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Accepted"), "{}", r.body);
}

#[test]
fn an_address_is_confirmed_by_its_own_link_once_even_through_a_relay_that_refuses_at_first() {
    // The relay answers the first message with "try later": the job retries with backoff.
    let sink = MailSink::start(1);
    let server = server_with(&sink, &[]);
    let ann = address("ann");
    assert!(get(&server, "/auth/signup", None)
        .body
        .contains(r#"name="email""#));
    // A second header or recipient in the address is refused before anything is stored.
    let injected = call(
        &server,
        "/api/auth/signup",
        "username=eve&password=long-enough-pw&confirm=long-enough-pw&email=eve%40x.com%0d%0aBcc%3a%20all%40x.com",
        None,
    );
    assert!(injected.body.contains("EmailInvalid"), "{}", injected.body);
    let cookie = sign_up_with(&server, "ann_mail", &ann);
    let status = get(&server, "/my/email", Some(&cookie)).body;
    assert!(
        status.contains("is waiting for you to follow the link"),
        "{status}"
    );

    let mail = sink.wait_for(&ann, 1).pop().unwrap();
    assert_eq!(mail.rcpt_tos, vec![ann.clone()]);
    assert_eq!(mail.subject, "Confirm your email address for Rbay");
    assert!(mail.text.contains("Hello ann_mail"), "{}", mail.text);
    assert!(
        !mail.headers.contains_key("List-Unsubscribe"),
        "account mail is not optional"
    );
    let link = mail.link("/email/confirm?t=");
    assert!(
        mail.html.contains(&link.replace('&', "&amp;")),
        "{}",
        mail.html
    );
    // The link opens a page that asks before acting.
    let page = get(&server, &path_of(&link), None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Confirm this address"));

    // A forged or altered link does nothing.
    let t = token(&link);
    let mut forged = t.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        get(&server, &format!("/email/confirm?t={forged}"), None).status,
        404
    );
    let refused = plain_post(&server, "/api/email/confirm", &format!("t={forged}"), None);
    assert!(location(&refused).contains("link"));
    assert!(get(&server, "/my/email", Some(&cookie))
        .body
        .contains("is waiting"));

    // The real one works, once.
    let done = plain_post(&server, "/api/email/confirm", &format!("t={t}"), None);
    assert_eq!(location(&done), "/email/confirm");
    let settings = get(&server, "/my/email", Some(&cookie)).body;
    assert!(
        settings.contains(&format!("Email goes to {ann}.")),
        "{settings}"
    );
    let again = plain_post(&server, "/api/email/confirm", &format!("t={t}"), None);
    assert!(location(&again).contains("link"), "replayed");

    // No one else sees the address: not another user's settings, not the profile.
    let bea = sign_up(&server, "bea_mail");
    assert!(!get(&server, "/my/email", Some(&bea)).body.contains(&ann));
    let me: serde_json::Value =
        serde_json::from_str(&call(&server, "/api/auth/me", "", Some(&cookie)).body).unwrap();
    let id = me["id"].as_u64().unwrap();
    for viewer in [None, Some(bea.as_str())] {
        let profile = get(&server, &format!("/users/{id}"), viewer).body;
        assert!(!profile.contains(&ann), "{profile}");
    }

    // A link mailed to an address that was replaced before it was followed confirms nothing.
    let second = address("ann2");
    let third = address("ann3");
    // Changing where mail (and so password resets) go asks for the password: a stolen
    // session alone cannot.
    let without = plain_post(
        &server,
        "/api/email/address",
        &format!("email={}", address("thief")),
        Some(&cookie),
    );
    assert!(
        location(&without).contains("password"),
        "{}",
        location(&without)
    );
    let wrong = plain_post(
        &server,
        "/api/email/address",
        &format!("email={}&password=not-the-password", address("thief")),
        Some(&cookie),
    );
    assert!(location(&wrong).contains("password"));
    let set = |to: &str| {
        let r = plain_post(
            &server,
            "/api/email/address",
            &format!("email={to}&password=long-enough-pw"),
            Some(&cookie),
        );
        assert_eq!(location(&r), "/my/email");
    };
    set(&second);
    let stale = sink.wait_for(&second, 1).pop().unwrap();
    set(&third);
    let stale = plain_post(
        &server,
        "/api/email/confirm",
        &format!("t={}", token(&stale.link("/email/confirm?t="))),
        None,
    );
    assert!(location(&stale).contains("link"));
    confirm(&server, &sink, &third, 1);
    assert!(get(&server, "/my/email", Some(&cookie))
        .body
        .contains(&format!("Email goes to {third}.")));
    // The address that stopped receiving is told, without the new one.
    let told = sink.wait_for(&ann, 2).pop().unwrap();
    assert_eq!(told.subject, "Your Rbay account has a new email address");
    assert!(!told.text.contains(&third) && !told.html.contains(&third));

    // Visitors cannot change anyone's address.
    let visitor = plain_post(&server, "/api/email/address", "email=x%40y.com", None);
    assert!(location(&visitor).starts_with("/auth/signin"));
    // Nothing went to the addresses never confirmed but the one link each asked for.
    assert_eq!(sink.to(&address("thief")).len(), 0);
}

#[test]
fn one_address_gets_few_confirmation_mails_however_many_accounts_give_it() {
    let sink = MailSink::start(0);
    let server = server_with(&sink, &[]);
    let victim = address("victim");
    for n in 0..5 {
        sign_up_with(&server, &format!("flooder_{n}"), &victim);
    }
    sink.wait_for(&victim, 3);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(sink.to(&victim).len(), 3, "three an hour per address");
}

#[test]
fn a_notice_is_mailed_once_an_hour_escaped_with_a_one_click_unsubscribe() {
    let sink = MailSink::start(0);
    let server = server_with(&sink, &[]);
    let ann = address("ann");
    let ann_cookie = sign_up_with(&server, "ann_bidder", &ann);
    confirm(&server, &sink, &ann, 1);
    let bea = sign_up(&server, "bea_bidder");
    let seller = sign_up(&server, "lamp_seller");
    let first = created_id(&create_item(
        &server,
        &seller,
        "Brass <b>lamp</b> & shade",
        "A brass lamp with its shade.",
        None,
    ));
    bid(&server, &ann_cookie, &first, "20");
    bid(&server, &bea, &first, "30");

    let mails = sink.wait_for(&ann, 2);
    let outbid = &mails[1];
    assert_eq!(outbid.rcpt_tos, vec![ann.clone()]);
    assert!(
        outbid
            .subject
            .starts_with("You were outbid on Brass <b>lamp</b> & shade"),
        "{}",
        outbid.subject
    );
    assert!(outbid
        .html
        .contains("Brass &lt;b&gt;lamp&lt;/b&gt; &amp; shade"));
    assert!(!outbid.html.contains("<b>lamp"), "{}", outbid.html);
    assert!(outbid.text.contains(&format!("/items/{first}")));
    let item_page = get(&server, &path_of(&outbid.link("/items/")), None);
    assert_eq!(item_page.status, 200);
    assert_eq!(
        outbid.headers["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let one_click = outbid.headers["List-Unsubscribe"]
        .trim_matches(|c| c == '<' || c == '>')
        .to_string();

    // Outbid again within the hour: no second email (the inbox has it).
    bid(&server, &ann_cookie, &first, "40");
    bid(&server, &bea, &first, "50");

    // The footer's link opens a page that asks; a tampered link does nothing.
    let page = get(&server, &path_of(&outbid.link("/email/unsubscribe?")), None);
    assert!(page.body.contains("Someone outbids you"), "{}", page.body);
    let tampered = one_click.replace("k=outbid", "k=won");
    let refused = server.request(
        "POST",
        &path_of(&tampered),
        &[("Content-Type", common::server::FORM)],
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(refused.status, 404);
    // Another user's signature does not work for ann, nor ann's for someone else.
    let other = address("cat");
    let cat = sign_up_with(&server, "cat_bidder", &other);
    confirm(&server, &sink, &other, 1);
    let me: serde_json::Value =
        serde_json::from_str(&call(&server, "/api/auth/me", "", Some(&cat)).body).unwrap();
    let cat_id = me["id"].as_u64().unwrap();
    let (ann_u, _) = one_click.split_once("&k=").unwrap();
    let ann_u = ann_u.rsplit("u=").next().unwrap();
    let swapped = one_click.replace(&format!("u={ann_u}&"), &format!("u={cat_id}&"));
    assert_ne!(swapped, one_click);
    let refused = server.request(
        "POST",
        &path_of(&swapped),
        &[("Content-Type", common::server::FORM)],
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(refused.status, 404, "a signature is for one user");
    assert!(checked(
        &get(&server, "/my/email", Some(&cat)).body,
        "outbid"
    ));
    // The mail client's one-click POST (no session, no Origin): done.
    let done = server.request(
        "POST",
        &path_of(&one_click),
        &[("Content-Type", common::server::FORM)],
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(done.status, 200, "{}", done.body);
    let settings = get(&server, "/my/email", Some(&ann_cookie)).body;
    assert!(!checked(&settings, "outbid"), "{settings}");
    assert!(checked(&settings, "saved_search"), "{settings}");

    // Outbid on another item: no email now; a saved-search alert (still on) still comes.
    let second = created_id(&create_item(
        &server,
        &seller,
        "Copper kettle",
        "A copper kettle for tea.",
        None,
    ));
    bid(&server, &ann_cookie, &second, "20");
    bid(&server, &bea, &second, "30");
    let saved = plain_post(
        &server,
        "/api/saved-searches/save",
        "q=sextant&category=&sort=&name=",
        Some(&ann_cookie),
    );
    assert_eq!(location(&saved), "/my/searches");
    created_id(&create_item(
        &server,
        &seller,
        "Brass sextant",
        "A brass sextant for sailors.",
        None,
    ));
    let mails = sink.wait_for(&ann, 3);
    assert!(
        mails[2].subject.contains("Brass sextant"),
        "{:?}",
        mails[2].subject
    );
    std::thread::sleep(Duration::from_millis(500));
    let outbids = sink
        .to(&ann)
        .iter()
        .filter(|m| m.subject.starts_with("You were outbid"))
        .count();
    assert_eq!(outbids, 1, "once an hour, and none after unsubscribing");
    // Nothing went to anyone else (but cat's own confirmation).
    assert_eq!(sink.all().len(), sink.to(&ann).len() + 1);
}

#[test]
fn saved_search_matches_within_the_gate_come_as_one_digest() {
    let sink = MailSink::start(0);
    let server = server_with(&sink, &[("RBAY_MAIL_GATE_SECS", "3")]);
    let ann = address("ann");
    let cookie = sign_up_with(&server, "ann_saver", &ann);
    confirm(&server, &sink, &ann, 1);
    let saved = plain_post(
        &server,
        "/api/saved-searches/save",
        "q=telescope&category=&sort=&name=Scopes",
        Some(&cookie),
    );
    assert_eq!(location(&saved), "/my/searches");
    let seller = sign_up(&server, "scope_seller");
    let ids: Vec<String> = ["Brass telescope", "Tiny telescope", "Great telescope"]
        .iter()
        .map(|name| {
            created_id(&create_item(
                &server,
                &seller,
                name,
                "A telescope for the stars.",
                None,
            ))
        })
        .collect();
    let mails = sink.wait_for(&ann, 3);
    // The matching jobs run side by side: whichever listing took the gate was mailed alone, and
    // the digest names the other two.
    let alone: Vec<&String> = ids
        .iter()
        .filter(|id| mails[1].text.contains(&format!("/items/{id}")))
        .collect();
    assert_eq!(alone.len(), 1, "{:?}", mails[1]);
    assert!(mails[1].subject.starts_with("New for your search “Scopes”"));
    let digest = &mails[2];
    assert_eq!(digest.subject, "2 new listings for your search “Scopes”");
    for id in ids.iter().filter(|id| !alone.contains(id)) {
        assert!(
            digest.text.contains(&format!("/items/{id}")),
            "{}",
            digest.text
        );
    }
    assert!(digest.headers.contains_key("List-Unsubscribe"));
    // One digest: nothing more arrives for the same matches.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(sink.to(&ann).len(), 3);
}

#[test]
fn a_forgotten_password_is_reset_by_mail_and_every_session_ends() {
    let sink = MailSink::start(0);
    let server = server_with(&sink, &[]);
    let ann = address("ann");
    let first_session = sign_up_with(&server, "ann_reset", &ann);
    confirm(&server, &sink, &ann, 1);
    let sign_in = |password: &str| {
        call(
            &server,
            "/api/auth/signin",
            &format!("username=ann_reset&password={password}"),
            None,
        )
    };
    let second_session = session_cookie(&sign_in("long-enough-pw"));
    let signed_in = |cookie: &str| {
        call(&server, "/api/auth/me", "", Some(cookie))
            .body
            .contains("ann_reset")
    };
    assert!(signed_in(&first_session) && signed_in(&second_session));

    // The same answer for an account, an unknown name and an account without an address.
    sign_up(&server, "no_address");
    for name in ["ann_reset", "nobody_here", "no_address"] {
        let r = plain_post(
            &server,
            "/api/auth/forgot",
            &format!("username={name}"),
            None,
        );
        assert_eq!(location(&r), "/auth/forgot");
    }
    let mail = sink.wait_for(&ann, 2).pop().unwrap();
    assert_eq!(mail.subject, "Set a new Rbay password");
    let link = mail.link("/auth/reset?t=");
    let t = token(&link);
    let form = get(&server, &path_of(&link), None);
    assert!(form.body.contains("Set the new password"), "{}", form.body);

    let mismatch = plain_post(
        &server,
        "/api/auth/reset",
        &format!("t={t}&password=brand-new-pw&confirm=other-pw"),
        None,
    );
    assert!(location(&mismatch).contains("password-mismatch"));
    let done = plain_post(
        &server,
        "/api/auth/reset",
        &format!("t={t}&password=brand-new-pw&confirm=brand-new-pw"),
        None,
    );
    assert_eq!(location(&done), "/auth/signin");
    // Every session of the account ended; the old password is gone, the new one works.
    assert!(!signed_in(&first_session) && !signed_in(&second_session));
    assert!(sign_in("long-enough-pw").body.contains("BadCredentials"));
    assert!(sign_in("brand-new-pw").body.contains("SignedIn"));
    // The link worked once.
    let replay = plain_post(
        &server,
        "/api/auth/reset",
        &format!("t={t}&password=third-new-pw&confirm=third-new-pw"),
        None,
    );
    assert!(location(&replay).contains("link"));
    assert_eq!(get(&server, &path_of(&link), None).status, 404);
    // Only the one account with an address got mail.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sink.all().len(), 2);

    // A reset link stops working when the address it went to is removed.
    let session = session_cookie(&sign_in("brand-new-pw"));
    let asked = plain_post(&server, "/api/auth/forgot", "username=ann_reset", None);
    assert_eq!(location(&asked), "/auth/forgot");
    let stale = sink.wait_for(&ann, 3).pop().unwrap().link("/auth/reset?t=");
    let removed = plain_post(
        &server,
        "/api/email/address",
        "email=&password=brand-new-pw",
        Some(&session),
    );
    assert_eq!(location(&removed), "/my/email");
    let refused = plain_post(
        &server,
        "/api/auth/reset",
        &format!(
            "t={}&password=fourth-new-pw&confirm=fourth-new-pw",
            token(&stale)
        ),
        None,
    );
    assert!(location(&refused).contains("link"));
    assert!(sign_in("brand-new-pw").body.contains("SignedIn"));
}

#[test]
fn mail_goes_to_a_tls_relay_with_a_login_and_never_to_one_whose_certificate_is_not_trusted() {
    // A provider's submission ports: STARTTLS required (587's way) and TLS from the first byte
    // (465's), both asking for a login, which the sink accepts only over TLS. The password
    // has characters a URL must percent-encode.
    for tls in [SinkTls::StartTls, SinkTls::Implicit] {
        let sink = MailSink::start_with(0, tls, Some(("relay-user", "p@ss:w/rd %")));
        let server = server_with(&sink, &[("RBAY_SMTP_CA_FILE", TEST_CA)]);
        let name = format!("ann_{tls:?}").to_lowercase();
        let ann = address(&name);
        sign_up_with(&server, &name, &ann);
        let mail = sink.wait_for(&ann, 1).pop().unwrap();
        assert_eq!(
            mail.subject, "Confirm your email address for Rbay",
            "{tls:?}"
        );
        assert!(mail.tls, "{tls:?}: not over TLS");
        assert_eq!(mail.login.as_deref(), Some("relay-user"), "{tls:?}");
    }

    // The same relays without their authority in RBAY_SMTP_CA_FILE: the certificate is refused
    // (at STARTTLS, or from the first byte), the job fails and is retried (the log says why), and
    // nothing reaches them.
    for tls in [SinkTls::StartTls, SinkTls::Implicit] {
        let sink = MailSink::start_with(0, tls, None);
        let log = std::env::temp_dir().join(format!(
            "rbay-untrusted-relay-{}.log",
            common::fresh_prefix().trim_end_matches(':')
        ));
        let log_path = log.to_string_lossy().to_string();
        let server = server_with(&sink, &[(common::server::LOG_FILE, &log_path)]);
        let name = format!("bob_{tls:?}").to_lowercase();
        let bob = address(&name);
        sign_up_with(&server, &name, &bob);
        let refused = common::server::wait_until(Duration::from_secs(20), || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("TLS with the relay failed")
        });
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(refused.is_ok(), "{tls:?}: no TLS failure logged: {text}");
        assert!(!text.contains(&bob), "the address reached the log: {text}");
        assert!(
            sink.all().is_empty(),
            "{tls:?}: mail reached an untrusted relay"
        );
        drop(server);
        let _ = std::fs::remove_file(&log);
    }
}

#[test]
fn a_relay_setting_that_would_send_a_password_in_the_clear_stops_the_server_at_start() {
    let start = |env: &[(&str, &str)]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rbay"))
            .env("RBAY_ADDR", "127.0.0.1:1")
            .env("REDIS_URL", "redis://127.0.0.1:1")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), said)
    };
    for (env, why) in [
        (
            vec![("RBAY_SMTP_URL", "smtp://ann:secret-pw@relay.example:25")],
            "in the clear",
        ),
        (
            vec![("RBAY_SMTP_URL", "smtp://relay.example?tls=opportunistic")],
            "stripped",
        ),
        (
            vec![
                ("RBAY_SMTP_URL", "smtps://ann:secret-pw@relay.example"),
                ("RBAY_SMTP_CA_FILE", "/nonexistent/ca.pem"),
            ],
            "can't be read",
        ),
        (
            vec![("RBAY_SMTP_CA_FILE", TEST_CA)],
            "without RBAY_SMTP_URL",
        ),
    ] {
        let (code, said) = start(&env);
        assert_eq!(code, Some(2), "{env:?}: {said}");
        assert!(said.contains(why), "{env:?}: {said}");
        assert!(
            !said.contains("secret-pw"),
            "the password was printed: {said}"
        );
    }
}

#[test]
fn without_an_smtp_server_the_site_says_email_is_off() {
    let server = Server::for_test(&common::fresh_prefix());
    assert!(!get(&server, "/auth/signup", None)
        .body
        .contains(r#"name="email""#));
    let cookie = sign_up(&server, "no_mail");
    let page = get(&server, "/my/email", Some(&cookie)).body;
    assert!(page.contains(r#"data-testid="email-off""#), "{page}");
    let refused = plain_post(
        &server,
        "/api/email/address",
        "email=a%40example.com",
        Some(&cookie),
    );
    assert!(location(&refused).contains("off"));
    // An unsubscribe link for someone without an address is refused here too.
    let r = server.request(
        "POST",
        "/email/unsubscribe/one-click?u=1&k=outbid&s=00000000000000000000000000000000",
        &[("Content-Type", common::server::FORM)],
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(r.status, 404);
}
