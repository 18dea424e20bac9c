//! Accounts and sessions against a real Redis.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::server::sessions;
use rbay::accounts::server::{self as accounts, AuthPolicy};
use rbay::accounts::UserId;
use rbay::accounts::{FormErrors, Problem, CONFIRM, PASSWORD as PASSWORD_FIELD, USERNAME};
use rbay::server::redis::rate_limit::Limit;
use rbay::util::problem::FORM;
use std::time::Duration;

fn policy() -> AuthPolicy {
    AuthPolicy {
        per_ip: Limit::per_secs(1000, 60),
        per_username: Limit::per_secs(1000, 60),
        session_ttl: Duration::from_secs(3600),
    }
}

const PASSWORD: &str = "correct horse battery";

fn problems(result: Result<sessions::NewSession, FormErrors>) -> FormErrors {
    match result {
        Ok(s) => panic!("expected a refusal, got a session for {}", s.username),
        Err(errors) => errors,
    }
}

/// The errors of a form, field by field.
fn errors(pairs: &[(&str, Problem)]) -> FormErrors {
    let mut errors = FormErrors::default();
    for (field, problem) in pairs {
        errors.set(field, *problem);
    }
    errors
}

#[tokio::test]
async fn sign_up_then_sign_in_and_the_session_names_the_user() {
    let db = test_db().await;
    let created = accounts::sign_up(
        &db,
        &policy(),
        "1.1.1.1",
        accounts::SignUp::new("Alice_01", PASSWORD, PASSWORD),
    )
    .await
    .unwrap();
    assert_eq!(created.username, "Alice_01");
    let user = sessions::lookup(&db, &created.token, policy().session_ttl)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.user_id, user.username.as_str()),
        (created.user_id, "Alice_01")
    );

    // Case-insensitive login, argon2id stored, never the password itself.
    let signed_in = accounts::sign_in(&db, &policy(), "1.1.1.1", "alice_01", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(signed_in.user_id, created.user_id);
    let mut conn = db.raw_conn();
    let phc: String = redis::cmd("HGET")
        .arg(db.keys().user(created.user_id))
        .arg("password")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    assert!(!phc.contains(PASSWORD));
}

#[tokio::test]
async fn simultaneous_sign_ups_with_one_name_let_exactly_one_win() {
    let db = test_db().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let db = db.clone();
        // Same name in different cases: still one account.
        let name = if i % 2 == 0 { "racer" } else { "RACER" };
        tasks.push(tokio::spawn(async move {
            accounts::sign_up(
                &db,
                &policy(),
                &format!("10.0.0.{i}"),
                accounts::SignUp::new(name, PASSWORD, PASSWORD),
            )
            .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(f) => assert_eq!(f.get(USERNAME), Some(Problem::UsernameTaken)),
        }
    }
    assert_eq!(won, 1);
    let mut conn = db.raw_conn();
    let ids: i64 = redis::cmd("HLEN")
        .arg(db.keys().usernames())
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(ids, 1);
}

#[tokio::test]
async fn bad_sign_up_input_is_refused_and_writes_nothing() {
    let db = test_db().await;
    let cases: [(&str, &str, &str, FormErrors); 4] = [
        (
            "",
            "",
            "",
            errors(&[
                (USERNAME, Problem::UsernameMissing),
                (PASSWORD_FIELD, Problem::PasswordMissing),
            ]),
        ),
        (
            "<script>alert(1)</script>",
            PASSWORD,
            PASSWORD,
            errors(&[(USERNAME, Problem::UsernameChars)]),
        ),
        (
            "bob",
            "short",
            "short",
            errors(&[(PASSWORD_FIELD, Problem::PasswordLength)]),
        ),
        (
            "bob",
            PASSWORD,
            "different one",
            errors(&[(CONFIRM, Problem::PasswordMismatch)]),
        ),
    ];
    for (user, pass, confirm, expected) in cases {
        let got = problems(
            accounts::sign_up(
                &db,
                &policy(),
                "1.1.1.1",
                accounts::SignUp::new(user, pass, confirm),
            )
            .await,
        );
        assert_eq!(got, expected, "{user:?}");
    }
    let huge = "x".repeat(1_000_000);
    let got = problems(
        accounts::sign_up(
            &db,
            &policy(),
            "1.1.1.1",
            accounts::SignUp::new(&huge, &huge, &huge),
        )
        .await,
    );
    assert_eq!(got.get(USERNAME), Some(Problem::UsernameLength));
    assert!(
        keys_in_namespace(&db)
            .await
            .iter()
            .all(|k| !k.contains("users")),
        "nothing written"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let db = test_db().await;
    accounts::sign_up(
        &db,
        &policy(),
        "1.1.1.1",
        accounts::SignUp::new("carol", PASSWORD, PASSWORD),
    )
    .await
    .unwrap();
    let wrong = problems(
        accounts::sign_in(&db, &policy(), "1.1.1.1", "carol", "not the password", None).await,
    );
    let unknown =
        problems(accounts::sign_in(&db, &policy(), "1.1.1.1", "nobody", PASSWORD, None).await);
    let odd = problems(
        accounts::sign_in(&db, &policy(), "1.1.1.1", "no such <user>", PASSWORD, None).await,
    );
    assert_eq!(wrong, FormErrors::form(Problem::BadCredentials));
    assert_eq!(unknown, wrong);
    assert_eq!(odd, wrong);
}

#[tokio::test]
async fn sign_in_rate_limit_trips_per_username_and_per_ip_and_resets() {
    let db = test_db().await;
    let strict = AuthPolicy {
        per_ip: Limit {
            max: 5,
            window: Duration::from_millis(900),
        },
        per_username: Limit {
            max: 3,
            window: Duration::from_millis(900),
        },
        ..policy()
    };
    accounts::sign_up(
        &db,
        &policy(),
        "9.9.9.9",
        accounts::SignUp::new("dave", PASSWORD, PASSWORD),
    )
    .await
    .unwrap();

    // Per username: the 4th try within the window is refused, even with the right password.
    for _ in 0..3 {
        let e = problems(
            accounts::sign_in(&db, &strict, "2.2.2.2", "dave", "wrong password", None).await,
        );
        assert_eq!(e.get(FORM), Some(Problem::BadCredentials));
    }
    let limited =
        problems(accounts::sign_in(&db, &strict, "3.3.3.3", "DAVE", PASSWORD, None).await);
    assert_eq!(limited.get(FORM), Some(Problem::RateLimited(1)));

    // Per IP: many names from one address.
    for name in ["u1", "u2", "u3", "u4", "u5"] {
        let _ = accounts::sign_in(&db, &strict, "4.4.4.4", name, PASSWORD, None).await;
    }
    let limited = problems(accounts::sign_in(&db, &strict, "4.4.4.4", "u6", PASSWORD, None).await);
    assert!(matches!(limited.get(FORM), Some(Problem::RateLimited(_))));

    // After the window, the right password works again (refused attempts are not counted,
    // so trying until it works does not push the window out).
    let works_again = eventually(5, || {
        let db = db.clone();
        async move {
            accounts::sign_in(&db, &strict, "2.2.2.2", "dave", PASSWORD, None)
                .await
                .is_ok()
        }
    })
    .await;
    assert!(works_again);
}

#[tokio::test]
async fn a_fresh_session_is_read_without_a_write() {
    let db = test_db().await;
    let ttl = Duration::from_secs(600);
    let s = sessions::create(&db, UserId(43), "fern", ttl, 0)
        .await
        .unwrap();
    let key = keys_in_namespace(&db)
        .await
        .into_iter()
        .find(|k| k.contains("session:"))
        .unwrap();
    let pttl = || {
        let (db, key) = (db.clone(), key.clone());
        async move {
            let mut conn = db.conn().unwrap();
            redis::cmd("PTTL")
                .arg(&key)
                .query_async::<i64>(&mut conn)
                .await
                .unwrap()
        }
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sessions::lookup(&db, &s.token, ttl)
        .await
        .unwrap()
        .is_some());
    // Younger than the renewal gap: the visit did not renew it (no write per page view).
    assert!(sessions::renewal_gap(ttl) > Duration::from_millis(300));
    assert!(pttl().await <= 600_000 - 250, "not renewed");
}

#[tokio::test]
async fn sessions_expire_and_visits_renew_them() {
    let db = test_db().await;
    let short = Duration::from_millis(400);
    let s = sessions::create(&db, UserId(42), "erin", short, 0)
        .await
        .unwrap();
    // A visit renews the idle lifetime.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(sessions::lookup(&db, &s.token, short)
        .await
        .unwrap()
        .is_some());
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(
        sessions::lookup(&db, &s.token, short)
            .await
            .unwrap()
            .is_some(),
        "renewed by the last visit"
    );
    // Idle past the TTL: gone, and the lookup does not resurrect it.
    let gone = eventually(3, || {
        let db = db.clone();
        async move {
            let key_left = keys_in_namespace(&db)
                .await
                .iter()
                .any(|k| k.contains("session:"));
            !key_left
        }
    })
    .await;
    assert!(gone, "the idle session expired");
    assert!(sessions::lookup(&db, &s.token, short)
        .await
        .unwrap()
        .is_none());
    assert!(keys_in_namespace(&db)
        .await
        .iter()
        .all(|k| !k.contains("session:")));
}

#[tokio::test]
async fn sign_in_mints_a_new_token_and_kills_the_one_presented() {
    let db = test_db().await;
    let first = accounts::sign_up(
        &db,
        &policy(),
        "1.1.1.1",
        accounts::SignUp::new("frank", PASSWORD, PASSWORD),
    )
    .await
    .unwrap();
    let second = accounts::sign_in(
        &db,
        &policy(),
        "1.1.1.1",
        "frank",
        PASSWORD,
        Some(&first.token),
    )
    .await
    .unwrap();
    assert_ne!(first.token, second.token);
    // The cookie is `<user id>.<token>`: the token is 256 random bits as hex.
    let (user, token) = second.token.split_once('.').unwrap();
    assert_eq!(user, second.user_id.to_string());
    assert_eq!(token.len(), 64, "256 bits as hex");
    assert!(sessions::lookup(&db, &first.token, policy().session_ttl)
        .await
        .unwrap()
        .is_none());
    assert!(sessions::lookup(&db, &second.token, policy().session_ttl)
        .await
        .unwrap()
        .is_some());
    // Tokens are stored hashed: no key contains the token.
    assert!(keys_in_namespace(&db)
        .await
        .iter()
        .all(|k| !k.contains(token)));
}

#[tokio::test]
async fn sign_out_makes_the_old_cookie_useless() {
    let db = test_db().await;
    let s = accounts::sign_up(
        &db,
        &policy(),
        "1.1.1.1",
        accounts::SignUp::new("grace", PASSWORD, PASSWORD),
    )
    .await
    .unwrap();
    sessions::destroy(&db, &s.token).await.unwrap();
    assert!(sessions::lookup(&db, &s.token, policy().session_ttl)
        .await
        .unwrap()
        .is_none());
    // Garbage tokens are simply "signed out".
    for junk in ["", "abc", "*", &"g".repeat(64)] {
        assert!(sessions::lookup(&db, junk, policy().session_ttl)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn an_older_password_hash_is_made_again_at_sign_in_and_sessions_stay() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let db = test_db().await;
    let created = accounts::sign_up(
        &db,
        &policy(),
        "1.1.1.1",
        accounts::SignUp::new("Olive", PASSWORD, PASSWORD),
    )
    .await
    .unwrap();
    let user = db.keys().user(created.user_id);
    let stored = |db: rbay::server::Db, key: String| async move {
        let mut conn = db.raw_conn();
        redis::cmd("HGET")
            .arg(key)
            .arg("password")
            .query_async::<String>(&mut conn)
            .await
            .unwrap()
    };
    // The account as an earlier release left it: 12 MiB x 3.
    let params = argon2::Params::new(12 * 1024, 3, 1, None).unwrap();
    let old = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(
            PASSWORD.as_bytes(),
            &SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap(),
        )
        .unwrap()
        .to_string();
    let mut conn = db.raw_conn();
    let _: () = redis::cmd("HSET")
        .arg(&user)
        .arg("password")
        .arg(&old)
        .query_async(&mut conn)
        .await
        .unwrap();

    // A wrong password changes nothing.
    problems(accounts::sign_in(&db, &policy(), "1.1.1.1", "olive", "not it at all", None).await);
    assert_eq!(stored(db.clone(), user.clone()).await, old);
    // The right one signs in and leaves today's hash of the same password behind.
    accounts::sign_in(&db, &policy(), "1.1.1.1", "olive", PASSWORD, None)
        .await
        .unwrap();
    let upgraded = stored(db.clone(), user.clone()).await;
    assert!(upgraded.contains("m=7168,t=5,p=1"), "{upgraded}");
    assert!(!accounts::passwords::needs_rehash(&upgraded));
    // Same password: the sessions granted before stay alive.
    assert!(sessions::lookup(&db, &created.token, policy().session_ttl)
        .await
        .unwrap()
        .is_some());
    // It verifies, and is not made again.
    accounts::sign_in(&db, &policy(), "1.1.1.1", "olive", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(stored(db.clone(), user.clone()).await, upgraded);
    // A hash that changed since the check (a reset in between) is left alone.
    let outcome = accounts::passwords::rehash(&db, created.user_id, &old, PASSWORD.to_string())
        .await
        .unwrap();
    assert_eq!(outcome, accounts::passwords::Rehash::Changed);
    assert_eq!(stored(db.clone(), user).await, upgraded);
}
