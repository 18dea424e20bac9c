//! What a refused plain form post (JavaScript off) sends back to its page: the problem (one
//! parameter, named by a constant of the feature, holding the problem's code) and what was
//! typed, in the page's query string. Each form has one serde type for what was typed
//! ([`Echo`]); the server writes it with [`url`] and the page reads it with [`read`], so the
//! two ends share one definition of the parameters, and every echoed field is clipped to its
//! limit on both sides (a URL stays short whatever was typed; the page renders it escaped).

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A form's echo: its problem parameter(s) and typed fields.
pub trait Echo: Serialize + DeserializeOwned + Default {
    /// The echo with each field cut to its limit.
    fn clipped(self) -> Self;
}

/// A form that echoes nothing but its problem.
impl Echo for () {
    fn clipped(self) -> Self {}
}

/// `page?<problem param>=<code>&<echo>#anchor`: where a refused plain form post goes back to.
pub fn url<T: Echo>(page: &str, (param, code): (&str, &str), echo: T, anchor: &str) -> String {
    let mut url = format!(
        "{page}?{}",
        serde_urlencoded::to_string([(param, code)]).unwrap_or_default()
    );
    let typed = serde_urlencoded::to_string(echo.clipped()).unwrap_or_default();
    if !typed.is_empty() {
        url.push('&');
        url.push_str(&typed);
    }
    if !anchor.is_empty() {
        url.push('#');
        url.push_str(anchor);
    }
    url
}

/// The echo in a page's query string (without the `?`); a fresh form (no echo, or one that
/// does not read) is the default.
pub fn read<T: Echo>(query: &str) -> T {
    serde_urlencoded::from_str::<T>(query.trim_start_matches('?'))
        .map(Echo::clipped)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Demo {
        text: String,
        on: bool,
    }

    impl Echo for Demo {
        fn clipped(self) -> Self {
            Demo {
                text: crate::util::url::clip(&self.text, 5),
                ..self
            }
        }
    }

    #[test]
    fn an_echo_goes_to_the_page_and_back_clipped_and_encoded() {
        let echo = Demo {
            text: "a&b=c#d<e>".into(),
            on: true,
        };
        let url = url("/items/7", ("err", "low"), echo, "bid");
        assert_eq!(url, "/items/7?err=low&text=a%26b%3Dc&on=true#bid");
        let query = &url[url.find('?').unwrap()..url.find('#').unwrap()];
        assert_eq!(
            read::<Demo>(query),
            Demo {
                text: "a&b=c".into(),
                on: true
            }
        );
        assert_eq!(read::<Demo>(""), Demo::default());
        assert_eq!(
            read::<Demo>("text=x&other=1").text,
            "x",
            "unknown parameters are ignored"
        );
        assert_eq!(
            read::<Demo>("on=maybe"),
            Demo::default(),
            "an unreadable echo is a fresh form"
        );
        assert_eq!(
            super::url("/items/7", ("err", "a b"), (), ""),
            "/items/7?err=a+b"
        );
    }
}
