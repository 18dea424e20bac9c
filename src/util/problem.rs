//! Problems: what a form or an action reports instead of doing what was asked.
//!
//! Each feature declares **one** enum with [`problems!`](crate::problems): every variant gets a
//! stable code (used in no-JavaScript redirects such as `?e=username:username-taken`) and a
//! message, and every such enum also gets the three problems all features share:
//! `RateLimited(seconds)` (code `rate-30`), `Unavailable`, `Full` and `Internal`.
//! [`FieldErrors`] holds a form's problems by field and turns them into codes and back.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

pub const UNAVAILABLE_MESSAGE: &str =
    "Rbay is temporarily unavailable. Please try again in a moment.";
pub const FULL_MESSAGE: &str =
    "Rbay cannot save anything new right now, so nothing was changed. Please try again later.";
pub const INTERNAL_MESSAGE: &str = "Something went wrong on our side. Please try again.";

/// The message of a rate limit.
pub fn rate_message(retry_after_secs: u64) -> String {
    format!("Too many attempts. Please wait {retry_after_secs} seconds and try again.")
}

/// Reads `rate-30` (seconds clamped to one second … one day).
pub fn parse_rate(code: &str) -> Option<u64> {
    let secs: u64 = code.strip_prefix("rate-")?.parse().ok()?;
    Some(secs.clamp(1, 86_400))
}

/// What every problem enum can do (implemented by [`problems!`](crate::problems)).
pub trait Problem: Copy + Sized {
    fn code(&self) -> String;
    fn from_code(code: &str) -> Option<Self>;
    fn message(&self) -> String;
    /// The shared problem for an error of the server layer.
    fn from_error(error: &AppError) -> Self;
    /// Every problem of the enum (a rate limit once, as 30 seconds): for tests that must cover
    /// each variant, including the ones added later.
    fn all() -> Vec<Self>;
}

/// Checks that every problem of `P` has its own code and reads back from it (test helper).
pub fn assert_codes_round_trip<P: Problem + PartialEq + std::fmt::Debug>() {
    let all = P::all();
    let mut seen = std::collections::HashSet::new();
    for p in &all {
        let code = p.code();
        assert!(seen.insert(code.clone()), "{p:?}: code {code} used twice");
        assert_eq!(
            P::from_code(&code),
            Some(*p),
            "{p:?} does not read back from {code}"
        );
        assert!(!p.message().is_empty(), "{p:?} has no message");
    }
    assert!(all.len() > 4, "the feature's own problems are listed too");
    assert_eq!(P::from_code("<script>"), None);
}

/// Declares a feature's problem enum: `Variant = "code" => message expression`.
#[macro_export]
macro_rules! problems {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $message:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// Too many attempts: retry after this many seconds.
            RateLimited(u64),
            /// Redis is unreachable.
            Unavailable,
            /// Redis is out of memory: the write was refused and changed nothing.
            Full,
            /// A bug; the detail is in the server log.
            Internal,
        }

        impl $crate::util::problem::Problem for $name {
            fn code(&self) -> String {
                match self {
                    $( Self::$variant => $code.to_string(), )+
                    Self::RateLimited(secs) => format!("rate-{secs}"),
                    Self::Unavailable => "unavailable".to_string(),
                    Self::Full => "full".to_string(),
                    Self::Internal => "internal".to_string(),
                }
            }

            fn from_code(code: &str) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )+
                    "unavailable" => Some(Self::Unavailable),
                    "full" => Some(Self::Full),
                    "internal" => Some(Self::Internal),
                    other => $crate::util::problem::parse_rate(other).map(Self::RateLimited),
                }
            }

            fn message(&self) -> String {
                match self {
                    $( Self::$variant => ($message).to_string(), )+
                    Self::RateLimited(secs) => $crate::util::problem::rate_message(*secs),
                    Self::Unavailable => $crate::util::problem::UNAVAILABLE_MESSAGE.to_string(),
                    Self::Full => $crate::util::problem::FULL_MESSAGE.to_string(),
                    Self::Internal => $crate::util::problem::INTERNAL_MESSAGE.to_string(),
                }
            }

            fn all() -> Vec<Self> {
                vec![
                    $( Self::$variant, )+
                    Self::RateLimited(30),
                    Self::Unavailable,
                    Self::Full,
                    Self::Internal,
                ]
            }

            fn from_error(error: &$crate::error::AppError) -> Self {
                use $crate::error::AppError;
                match error {
                    AppError::RateLimited { retry_after_secs } => Self::RateLimited(*retry_after_secs),
                    AppError::Unavailable | AppError::Network(_) => Self::Unavailable,
                    AppError::StorageFull => Self::Full,
                    _ => Self::Internal,
                }
            }
        }
    };
}

/// What a plain form's server function answers a script; a plain form post (JavaScript off)
/// gets a redirect to its page instead (`server::http::forms::{form_done, form_refused}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormReply {
    /// Whether it was done.
    pub done: bool,
    /// `field:code,…` when refused (empty when done).
    pub problems: String,
}

impl FormReply {
    /// A form sent without a session (a plain form post is off to sign in already): refused
    /// with the feature's "sign in" problem.
    pub fn signed_out<P: Problem>(sign_in: P) -> Self {
        FormReply {
            done: false,
            problems: format!("{FORM}:{}", sign_in.code()),
        }
    }
}

/// A form's problems, at most one per field (`form` for those about the whole form).
/// Two are equal when they hold the same problems, in whatever order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldErrors<P> {
    errors: Vec<(String, P)>,
}

impl<P: PartialEq> PartialEq for FieldErrors<P> {
    fn eq(&self, other: &Self) -> bool {
        self.errors.len() == other.errors.len()
            && self
                .errors
                .iter()
                .all(|(field, p)| other.errors.iter().any(|(f, q)| f == field && q == p))
    }
}

impl<P: Eq> Eq for FieldErrors<P> {}

impl<P> Default for FieldErrors<P> {
    fn default() -> Self {
        FieldErrors { errors: Vec::new() }
    }
}

/// The field name of problems about the whole form.
pub const FORM: &str = "form";

impl<P: Problem> FieldErrors<P> {
    /// One problem about the whole form.
    pub fn form(problem: P) -> Self {
        let mut errors = Self::default();
        errors.set(FORM, problem);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<P> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, p)| *p)
    }

    /// Sets (or replaces) the problem of `field`.
    pub fn set(&mut self, field: &str, problem: P) {
        match self.errors.iter_mut().find(|(f, _)| f == field) {
            Some(slot) => slot.1 = problem,
            None => self.errors.push((field.to_string(), problem)),
        }
    }

    /// Forgets the problem of `field` (it was changed).
    pub fn clear(&mut self, field: &str) {
        self.errors.retain(|(f, _)| f != field);
    }

    /// Sets the problem of `field` when there is one.
    pub fn check(&mut self, field: &str, problem: Option<P>) {
        if let Some(problem) = problem {
            self.set(field, problem);
        }
    }

    /// The message for `field`, if it has a problem.
    pub fn message(&self, field: &str) -> Option<String> {
        self.get(field).map(|p| p.message())
    }

    /// `username:username-taken,password:password-length` for a redirect URL.
    pub fn to_codes(&self) -> String {
        self.errors
            .iter()
            .map(|(field, p)| format!("{field}:{}", p.code()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Inverse of [`FieldErrors::to_codes`] for a form with these fields (and `form`);
    /// unknown fields and codes are dropped.
    pub fn from_codes(codes: &str, fields: &[&str]) -> Self {
        let mut errors = Self::default();
        for part in codes.split(',').take(fields.len() + 1) {
            let Some((field, code)) = part.split_once(':') else {
                continue;
            };
            if field != FORM && !fields.contains(&field) {
                continue;
            }
            if let Some(problem) = P::from_code(code) {
                errors.set(field, problem);
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::problems! {
        enum Demo {
            Short = "short" => "Too short.",
            Taken = "taken" => format!("Taken ({}).", 1),
        }
    }

    #[test]
    fn codes_and_messages_are_derived_and_shared_ones_added() {
        for p in [
            Demo::Short,
            Demo::Taken,
            Demo::RateLimited(9),
            Demo::Unavailable,
            Demo::Full,
            Demo::Internal,
        ] {
            assert_eq!(Demo::from_code(&p.code()), Some(p));
        }
        // A full Redis reads the same as a form problem and as an error page.
        assert_eq!(Demo::from_error(&AppError::StorageFull), Demo::Full);
        assert_eq!(Demo::Full.message(), AppError::StorageFull.to_string());
        assert_eq!(
            Demo::Unavailable.message(),
            AppError::Unavailable.to_string()
        );
        assert_eq!(Demo::Taken.message(), "Taken (1).");
        assert_eq!(Demo::from_code("rate-0"), Some(Demo::RateLimited(1)));
        assert_eq!(
            Demo::from_code("rate-999999"),
            Some(Demo::RateLimited(86_400))
        );
        assert_eq!(Demo::from_code("<script>"), None);
        assert!(Demo::RateLimited(4).message().contains("wait 4 seconds"));
        assert_eq!(
            Demo::from_error(&AppError::RateLimited {
                retry_after_secs: 3
            }),
            Demo::RateLimited(3)
        );
    }

    #[test]
    fn field_errors_round_trip_through_codes() {
        let mut e = FieldErrors::<Demo>::default();
        e.set("name", Demo::Short);
        e.set(FORM, Demo::RateLimited(5));
        e.set("name", Demo::Taken);
        assert_eq!(e.to_codes(), "name:taken,form:rate-5");
        assert_eq!(FieldErrors::from_codes(&e.to_codes(), &["name"]), e);
        assert!(
            FieldErrors::<Demo>::from_codes("other:taken,name:nope,junk", &["name"]).is_empty()
        );
        assert_eq!(e.message("name").as_deref(), Some("Taken (1)."));
    }
}
