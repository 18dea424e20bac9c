//! Account rules shared by the server and the browser: what a valid username and password
//! are, and the problems a sign-in or sign-up form can report, each with a stable code (used
//! in redirect URLs when JavaScript is off) and a message.

use serde::{Deserialize, Serialize};

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;

/// Where users land after signing in when no other page sent them.
pub const DEFAULT_AFTER_SIGN_IN: &str = "/dashboard";

/// One thing wrong with a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    UsernameMissing,
    UsernameLength,
    UsernameChars,
    UsernameTaken,
    PasswordMissing,
    PasswordLength,
    PasswordMismatch,
    BadCredentials,
    RateLimited { retry_after_secs: u64 },
    Unavailable,
    Internal,
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::UsernameMissing => "Enter a username.".into(),
            Problem::UsernameLength => {
                format!("Usernames are {USERNAME_MIN}–{USERNAME_MAX} characters long.")
            }
            Problem::UsernameChars => {
                "Use only letters a–z, digits 0–9, underscore and hyphen.".into()
            }
            Problem::UsernameTaken => "That username is taken. Try another one.".into(),
            Problem::PasswordMissing => "Enter a password.".into(),
            Problem::PasswordLength => {
                format!("Passwords are {PASSWORD_MIN}–{PASSWORD_MAX} characters long.")
            }
            Problem::PasswordMismatch => "The passwords don't match.".into(),
            Problem::BadCredentials => "Wrong username or password.".into(),
            Problem::RateLimited { retry_after_secs } => {
                format!("Too many attempts. Please wait {retry_after_secs} seconds and try again.")
            }
            Problem::Unavailable => {
                "Rbay is temporarily unavailable. Please try again in a moment.".into()
            }
            Problem::Internal => "Something went wrong on our side. Please try again.".into(),
        }
    }

    /// Stable code for URLs (`rate-30` carries its seconds).
    pub fn code(&self) -> String {
        match self {
            Problem::UsernameMissing => "username-missing".into(),
            Problem::UsernameLength => "username-length".into(),
            Problem::UsernameChars => "username-chars".into(),
            Problem::UsernameTaken => "username-taken".into(),
            Problem::PasswordMissing => "password-missing".into(),
            Problem::PasswordLength => "password-length".into(),
            Problem::PasswordMismatch => "password-mismatch".into(),
            Problem::BadCredentials => "credentials".into(),
            Problem::RateLimited { retry_after_secs } => format!("rate-{retry_after_secs}"),
            Problem::Unavailable => "unavailable".into(),
            Problem::Internal => "internal".into(),
        }
    }

    pub fn from_code(code: &str) -> Option<Problem> {
        Some(match code {
            "username-missing" => Problem::UsernameMissing,
            "username-length" => Problem::UsernameLength,
            "username-chars" => Problem::UsernameChars,
            "username-taken" => Problem::UsernameTaken,
            "password-missing" => Problem::PasswordMissing,
            "password-length" => Problem::PasswordLength,
            "password-mismatch" => Problem::PasswordMismatch,
            "credentials" => Problem::BadCredentials,
            "unavailable" => Problem::Unavailable,
            "internal" => Problem::Internal,
            other => {
                let secs = other.strip_prefix("rate-")?.parse::<u64>().ok()?;
                Problem::RateLimited {
                    retry_after_secs: secs.clamp(1, 86_400),
                }
            }
        })
    }
}

/// The problems of one form submission, by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    pub username: Option<Problem>,
    pub password: Option<Problem>,
    pub confirm: Option<Problem>,
    /// Not about one field: wrong credentials, rate limit, outage.
    pub form: Option<Problem>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self == &FormErrors::default()
    }

    pub fn form(problem: Problem) -> Self {
        FormErrors {
            form: Some(problem),
            ..Default::default()
        }
    }

    /// `username:username-taken,password:password-length` for a redirect URL.
    pub fn to_codes(&self) -> String {
        [
            ("username", self.username),
            ("password", self.password),
            ("confirm", self.confirm),
            ("form", self.form),
        ]
        .iter()
        .filter_map(|(field, p)| p.map(|p| format!("{field}:{}", p.code())))
        .collect::<Vec<_>>()
        .join(",")
    }

    /// Inverse of [`FormErrors::to_codes`]; unknown parts are ignored.
    pub fn from_codes(codes: &str) -> Self {
        let mut errors = FormErrors::default();
        for part in codes.split(',').take(4) {
            let Some((field, code)) = part.split_once(':') else {
                continue;
            };
            let Some(problem) = Problem::from_code(code) else {
                continue;
            };
            match field {
                "username" => errors.username = Some(problem),
                "password" => errors.password = Some(problem),
                "confirm" => errors.confirm = Some(problem),
                "form" => errors.form = Some(problem),
                _ => {}
            }
        }
        errors
    }
}

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

/// All field problems of a sign-up form, found without touching the database.
pub fn check_sign_up(username: &str, password: &str, confirm: &str) -> FormErrors {
    FormErrors {
        username: validate_username(username).err(),
        password: validate_password(password).err(),
        confirm: (password != confirm).then_some(Problem::PasswordMismatch),
        form: None,
    }
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

/// The signed-in user as pages and islands see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: u64,
    pub username: String,
}

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters pass through).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The sign-in page URL that returns to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    format!("/auth/signin?next={}", encode_query_value(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/items/3?x=1&y"),
            "%2Fitems%2F3%3Fx%3D1%26y"
        );
        assert_eq!(encode_query_value("bob_1-x"), "bob_1-x");
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
        let errors = FormErrors {
            username: Some(Problem::UsernameTaken),
            password: Some(Problem::PasswordLength),
            confirm: Some(Problem::PasswordMismatch),
            form: Some(Problem::RateLimited {
                retry_after_secs: 42,
            }),
        };
        assert_eq!(FormErrors::from_codes(&errors.to_codes()), errors);
        assert_eq!(
            FormErrors::from_codes("junk,form:nope,x:credentials"),
            FormErrors::default()
        );
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
