//! Accounts: signing up, signing in and out, and who is signed in.
//!
//! This file holds the rules shared by the server and the browser: what a valid username and
//! password are, the problems a sign-in or sign-up form can report, safe redirects.
//! [`api`] has the server functions, `server` (feature `ssr`) the Redis side.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::problem::FieldErrors;
use serde::{Deserialize, Serialize};

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;

/// Where users land after signing in when no other page sent them.
pub const DEFAULT_AFTER_SIGN_IN: &str = "/dashboard";

pub use crate::util::id::UserId;

crate::problems! {
    /// One thing wrong with a sign-in or sign-up form.
    pub enum Problem {
        UsernameMissing = "username-missing" => "Enter a username.",
        UsernameLength = "username-length" =>
            format!("Usernames are {USERNAME_MIN}–{USERNAME_MAX} characters long."),
        UsernameChars = "username-chars" =>
            "Use only letters a–z, digits 0–9, underscore and hyphen.",
        UsernameTaken = "username-taken" => "That username is taken. Try another one.",
        PasswordMissing = "password-missing" => "Enter a password.",
        PasswordLength = "password-length" =>
            format!("Passwords are {PASSWORD_MIN}–{PASSWORD_MAX} characters long."),
        PasswordMismatch = "password-mismatch" => "The passwords don't match.",
        BadCredentials = "credentials" => "Wrong username or password.",
        /// A moderator suspended the account (`moderation`).
        Suspended = "suspended" => "This account is suspended: a moderator found it broke the rules.",
        EmailInvalid = "email-invalid" =>
            format!("Enter an address like name@example.com (at most {EMAIL_MAX} characters), or leave it empty."),
        /// A confirmation or password-reset link that is forged, expired, used, or replaced.
        LinkInvalid = "link" =>
            "This link does not work any more: it was used, it expired, or a newer one was sent. Ask for a new one.",
    }
}

/// The fields of the sign-in and sign-up forms.
pub const USERNAME: &str = "username";
pub const PASSWORD: &str = "password";
pub const CONFIRM: &str = "confirm";
pub const EMAIL: &str = "email";
pub const FIELDS: [&str; 4] = [USERNAME, PASSWORD, CONFIRM, EMAIL];

/// The longest email address accepted (RFC 5321's limit on a path).
pub const EMAIL_MAX: usize = 254;

/// The problems of one form submission, by field.
pub type FormErrors = FieldErrors<Problem>;

/// The answer to a sign-in or sign-up form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthReply {
    /// Signed in: the session cookie is set; go to `redirect`.
    SignedIn { username: String, redirect: String },
    /// Nothing changed; show these errors.
    Rejected(FormErrors),
}

/// Checks a username; returns its canonical (lowercase) form, the unique key.
pub fn validate_username(username: &str) -> Result<String, Problem> {
    let trimmed = username.trim();
    if trimmed.is_empty() {
        return Err(Problem::UsernameMissing);
    }
    let len = trimmed.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
        return Err(Problem::UsernameLength);
    }
    let lower = trimmed.to_ascii_lowercase();
    if !lower
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(Problem::UsernameChars);
    }
    Ok(lower)
}

/// Checks a new password's length (in characters, not bytes).
pub fn validate_password(password: &str) -> Result<(), Problem> {
    if password.is_empty() {
        return Err(Problem::PasswordMissing);
    }
    let len = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
        return Err(Problem::PasswordLength);
    }
    Ok(())
}

/// Checks an email address: `None` for an empty field (email is optional), else the address
/// as stored, its domain lowercased. Deliberately narrower than RFC 5322: plain ASCII
/// `local@domain.tld`, no quoting, comments, spaces or control characters, so an address can
/// never carry a second header or a second recipient into a message.
pub fn validate_email(address: &str) -> Result<Option<String>, Problem> {
    let address = address.trim();
    if address.is_empty() {
        return Ok(None);
    }
    let invalid = Err(Problem::EmailInvalid);
    if address.len() > EMAIL_MAX {
        return invalid;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return invalid;
    };
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !local_ok || !domain_ok {
        return invalid;
    }
    Ok(Some(format!("{local}@{}", domain.to_ascii_lowercase())))
}

/// All field problems of a sign-up form, found without touching the database.
pub fn check_sign_up(username: &str, password: &str, confirm: &str, email: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.check(USERNAME, validate_username(username).err());
    errors.check(PASSWORD, validate_password(password).err());
    errors.check(
        CONFIRM,
        (password != confirm).then_some(Problem::PasswordMismatch),
    );
    errors.check(EMAIL, validate_email(email).err());
    errors
}

/// The kinds of email a user can turn on or off (every one is on once an address is
/// confirmed). Account mail — confirmation and password reset — is not optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    Outbid,
    Won,
    Sold,
    SavedSearch,
    Orders,
}

impl MailKind {
    pub const ALL: [MailKind; 5] = [
        MailKind::Outbid,
        MailKind::Won,
        MailKind::Sold,
        MailKind::SavedSearch,
        MailKind::Orders,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Outbid => "outbid",
            MailKind::Won => "won",
            MailKind::Sold => "sold",
            MailKind::SavedSearch => "saved_search",
            MailKind::Orders => "orders",
        }
    }

    pub fn parse(name: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What the preference is, as the settings page and the unsubscribe page say it.
    pub fn label(self) -> &'static str {
        match self {
            MailKind::Outbid => "Someone outbids you",
            MailKind::Won => "You win an auction",
            MailKind::Sold => "Your item sells",
            MailKind::SavedSearch => "New listings for your saved searches",
            MailKind::Orders => {
                "Your orders move on: paid, shipped, received, second-chance offers"
            }
        }
    }
}

/// A user's email address and what they want sent to it (the `/my/email` page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEmail {
    /// The confirmed address, where mail goes.
    pub address: Option<String>,
    /// An address waiting for its confirmation link to be followed.
    pub pending: Option<String>,
    /// The kinds turned off.
    pub off: Vec<MailKind>,
}

/// The field problems of a sign-in form: both fields are needed.
pub fn check_sign_in(username: &str, password: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.check(
        USERNAME,
        username
            .trim()
            .is_empty()
            .then_some(Problem::UsernameMissing),
    );
    errors.check(
        PASSWORD,
        password.is_empty().then_some(Problem::PasswordMissing),
    );
    errors
}

/// A local path to go back to after signing in; anything else (other sites, `//host`,
/// schemes, backslashes) becomes the default, so the parameter cannot redirect off-site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_control())
                && path.len() <= 512
                && !path.starts_with("/auth/") =>
        {
            path.to_string()
        }
        _ => DEFAULT_AFTER_SIGN_IN.to_string(),
    }
}

/// Which form: sign in or sign up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMode {
    SignIn,
    SignUp,
}

impl AuthMode {
    pub fn page(self) -> &'static str {
        match self {
            AuthMode::SignIn => "/auth/signin",
            AuthMode::SignUp => "/auth/signup",
        }
    }
}

/// The sign-in and sign-up pages' parameter for the problems of a form refused without
/// JavaScript (`field:code,…`, see `FieldErrors::to_codes`).
pub const AUTH_PROBLEMS_PARAM: &str = "e";

/// What a sign-in or sign-up refused without JavaScript sends back to its page: the username
/// typed (never the password) and where to go afterwards (see `util::echo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthEcho {
    pub username: String,
    pub next: String,
}

impl crate::util::echo::Echo for AuthEcho {
    fn clipped(self) -> Self {
        AuthEcho {
            username: crate::util::url::clip(self.username.trim(), USERNAME_MAX * 2),
            next: crate::util::url::clip(&self.next, 512),
        }
    }
}

/// The signed-in user as pages and islands see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    /// Unread notifications, for the header's badge.
    pub unread: u32,
}

/// A user's rating as a seller and buyer: counts over the last 12 months (what the percentage is
/// of) and ever. Kept by the orders' feedback script (`orders::server::feedback`); read here,
/// with the account, by every feature that shows it (item pages, cards, profiles).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSummary {
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Ratings received ever.
    pub total: u64,
}

impl RatingSummary {
    /// Positive share of the last 12 months' positive and negative ratings (neutral ones do
    /// not count either way), rounded down; `None` without any.
    pub fn percent_positive(&self) -> Option<u64> {
        let rated = self.positive + self.negative;
        (rated > 0).then(|| self.positive * 100 / rated)
    }
}

/// The clock the signed-in viewer of the page being rendered chose for their charts, else UTC
/// (it comes with their session: no round trip more). Pages render on the server; the browser
/// build has UTC only.
pub async fn viewer_clock() -> Result<crate::util::zone::Zone, crate::error::AppError> {
    #[cfg(feature = "ssr")]
    {
        let state = crate::server::state::current()?;
        Ok(server::chosen_zone(&state).await?.unwrap_or_default())
    }
    #[cfg(not(feature = "ssr"))]
    Ok(crate::util::zone::Zone::utc())
}

/// The sign-in page URL that returns to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    format!(
        "/auth/signin?next={}",
        crate::util::url::encode_query_value(next)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::problem::{Problem as _, FORM};

    #[test]
    fn sign_in_urls_carry_next() {
        assert_eq!(sign_in_url("/dashboard"), "/auth/signin?next=%2Fdashboard");
    }

    #[test]
    fn usernames_follow_the_rules() {
        assert_eq!(validate_username("Bob_1-x").unwrap(), "bob_1-x");
        assert_eq!(validate_username("  alice  ").unwrap(), "alice");
        assert_eq!(validate_username(""), Err(Problem::UsernameMissing));
        assert_eq!(validate_username("ab"), Err(Problem::UsernameLength));
        assert_eq!(
            validate_username(&"a".repeat(33)),
            Err(Problem::UsernameLength)
        );
        assert!(validate_username(&"a".repeat(32)).is_ok());
        for bad in ["bob smith", "bob!", "<script>", "bøb", "bob.x"] {
            assert_eq!(validate_username(bad), Err(Problem::UsernameChars), "{bad}");
        }
    }

    #[test]
    fn passwords_follow_the_rules() {
        assert_eq!(validate_password(""), Err(Problem::PasswordMissing));
        assert_eq!(validate_password("1234567"), Err(Problem::PasswordLength));
        assert!(validate_password("12345678").is_ok());
        assert!(
            validate_password(&"é".repeat(256)).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            validate_password(&"x".repeat(257)),
            Err(Problem::PasswordLength)
        );
    }

    #[test]
    fn codes_round_trip() {
        crate::util::problem::assert_codes_round_trip::<Problem>();
        let mut errors = FormErrors::default();
        errors.set(USERNAME, Problem::UsernameTaken);
        errors.set(PASSWORD, Problem::PasswordLength);
        errors.set(CONFIRM, Problem::PasswordMismatch);
        errors.set(FORM, Problem::RateLimited(42));
        assert_eq!(FormErrors::from_codes(&errors.to_codes(), &FIELDS), errors);
        assert_eq!(
            FormErrors::from_codes("junk,form:nope,x:credentials", &FIELDS),
            FormErrors::default()
        );
        assert_eq!(
            Problem::from_code("credentials"),
            Some(Problem::BadCredentials)
        );
    }

    #[test]
    fn email_addresses_are_plain_and_single() {
        assert_eq!(validate_email(""), Ok(None));
        assert_eq!(validate_email("   "), Ok(None));
        assert_eq!(
            validate_email(" Ann.Lee+rbay@Example.COM ")
                .unwrap()
                .as_deref(),
            Some("Ann.Lee+rbay@example.com")
        );
        let long_local = format!("{}@example.com", "a".repeat(65));
        let too_long = format!("a@{}.com", "b".repeat(250));
        for bad in [
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann lee@example.com",
            "ann@exa mple.com",
            "ann@example.com\r\nBcc: eve@evil.com",
            "ann@example.com\nBcc:x@y.z",
            "Ann <ann@example.com>",
            "ann@example.com, eve@evil.com",
            "\"ann\"@example.com",
            "ann..lee@example.com",
            ".ann@example.com",
            "ann@-example.com",
            "ann@example..com",
            "änn@example.com",
            long_local.as_str(),
            too_long.as_str(),
        ] {
            assert_eq!(validate_email(bad), Err(Problem::EmailInvalid), "{bad:?}");
        }
        assert_eq!(
            check_sign_up("ann", "12345678", "12345678", "nope").get(EMAIL),
            Some(Problem::EmailInvalid)
        );
        assert!(check_sign_up("ann", "12345678", "12345678", "").is_empty());
    }

    #[test]
    fn mail_kinds_round_trip() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("account"), None);
    }

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/items/3?x=1")), "/items/3?x=1");
        for bad in [
            None,
            Some(""),
            Some("https://evil.example"),
            Some("//evil.example"),
            Some("/\\evil.example"),
            Some("javascript:alert(1)"),
            Some("/auth/signin"),
        ] {
            assert_eq!(safe_next(bad), DEFAULT_AFTER_SIGN_IN, "{bad:?}");
        }
    }
}
