//! Saved searches with alerts: from any search or browse page (words, category, order), "Save
//! this search" (up to [`MAX_SAVED`] per user); `/my/searches` renames, pauses, resumes and
//! deletes them. When a new listing matches a saved search, its owner gets one notice for it
//! (in the inbox, counted live in the header), never twice for the same listing.
//!
//! Matching runs on the job queue when an item is listed, and its Redis work is bounded by the
//! listing, not by how many searches are saved: each active search is filed under the first
//! letters of its most telling word ([`bucket`]), so a listing reads only the buckets of its
//! own words' beginnings; the candidates are checked here by the search's own rules (every
//! word: exactly, as a prefix, or with one typo; the category), and what passes is confirmed
//! by the items index itself, so an alert is never for a listing the search would not show.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::id::UserId;
use serde::{Deserialize, Serialize};

/// Saved searches per user.
pub const MAX_SAVED: usize = 50;
/// The longest name of a saved search.
pub const NAME_MAX: usize = 60;
/// How many letters of a word file a search (see [`bucket`]).
pub const BUCKET_CHARS: usize = 3;

/// What a saved search asks, as the search page takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SearchSpec {
    /// The words as typed (clipped).
    pub q: String,
    /// A category slug, or empty for all.
    pub category: String,
    /// The order (a value of the search page's sort control), or empty.
    pub sort: String,
    /// Price range, Buy It Now only, condition, delivery, returns (a new listing must pass them
    /// to alert; ending within applies to the results page only).
    #[serde(default)]
    pub filters: crate::catalog::SearchFilters,
}

impl SearchSpec {
    /// The search page showing its results.
    pub fn href(&self) -> String {
        use crate::util::url::encode_query_value as enc;
        format!(
            "/search?q={}&category={}&sort={}{}",
            enc(&self.q),
            enc(&self.category),
            enc(&self.sort),
            self.filters.query_string()
        )
    }

    /// The words, as search splits them (lowercase letters and digits).
    pub fn terms(&self) -> Vec<String> {
        crate::items::query_terms(&self.q)
    }

    /// A name for it when none is given: its words, in its category.
    pub fn default_name(&self) -> String {
        let category = crate::items::category(&self.category).map(|(_, name)| name);
        let words = self.q.split_whitespace().collect::<Vec<_>>().join(" ");
        let name = match (words.is_empty(), category) {
            (false, Some(category)) => format!("{words} in {category}"),
            (false, None) => words,
            (true, Some(category)) => category.to_string(),
            (true, None) => "Everything".to_string(),
        };
        name.chars().take(NAME_MAX).collect()
    }

    /// Whether a listing with these words (its name's and description's) and category is one
    /// this search finds, by search's rules for words: each must match a word of the listing
    /// exactly, as its beginning, or (4 letters or more) with one letter changed, added or
    /// removed. (Search also matches stems; the items index confirms what passes here.)
    pub fn could_match(&self, listing_words: &[String], category: &str) -> bool {
        if !self.category.is_empty() && self.category != category {
            return false;
        }
        self.terms().iter().all(|term| {
            listing_words.iter().any(|word| {
                word.starts_with(term.as_str())
                    || (term.chars().count() >= 4 && within_one_edit(term, word))
            })
        })
    }
}

/// One saved search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub id: u64,
    pub name: String,
    pub spec: SearchSpec,
    pub paused: bool,
    pub created_ms: i64,
}

/// A saved search with what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRow {
    pub search: SavedSearch,
    /// New listings it alerted about.
    pub matches: u64,
    pub last_match_ms: Option<i64>,
}

/// A user's saved searches and the page's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPage {
    pub rows: Vec<SavedRow>,
    pub now_ms: i64,
    pub owner: UserId,
}

crate::problems! {
    /// What stops saving, renaming, pausing or deleting a saved search.
    pub enum SavedProblem {
        SignIn = "signin" => "Sign in to save searches.",
        Empty = "empty" => "Search for some words or pick a category first: there is nothing to save.",
        NameLong = "name-long" => format!("Keep the name under {NAME_MAX} characters."),
        NameChars = "name-chars" => "The name can't contain control characters.",
        TooMany = "too-many" => format!("You have {MAX_SAVED} saved searches: delete one first."),
        Gone = "gone" => "That saved search no longer exists.",
        Category = "category" => "There is no such category.",
        Filters = "filters" => "The search's filters could not be read: search again and save it from there.",
    }
}

/// A name as given: trimmed, at most [`NAME_MAX`] characters, no control characters; empty
/// means "make one up".
pub fn check_name(name: &str) -> Result<String, SavedProblem> {
    let name = name.trim();
    if name.chars().count() > NAME_MAX {
        return Err(SavedProblem::NameLong);
    }
    if name.chars().any(char::is_control) {
        return Err(SavedProblem::NameChars);
    }
    Ok(name.to_string())
}

/// The distinct words of a listing (its name and description), at most `max`.
pub fn listing_words(name: &str, description: &str, max: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for text in [name, description] {
        for word in text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let word: String = word.chars().take(40).collect();
            if !words.contains(&word) {
                words.push(word);
                if words.len() == max {
                    return words;
                }
            }
        }
    }
    words
}

/// The bucket a search is filed under: the first [`BUCKET_CHARS`] letters of its longest word
/// (the most telling; every listing it can match has a word that starts with them, but for a
/// typo in those first letters). `None` for a search without words (filed by category).
pub fn bucket(spec: &SearchSpec) -> Option<String> {
    let terms = spec.terms();
    let longest = terms.iter().max_by_key(|t| t.chars().count())?;
    Some(longest.chars().take(BUCKET_CHARS).collect())
}

/// The buckets a listing's words reach: every beginning of each word up to [`BUCKET_CHARS`]
/// letters (a search filed under "ca" or "cam" finds "camera").
pub fn listing_buckets(words: &[String]) -> Vec<String> {
    let mut buckets: Vec<String> = Vec::new();
    for word in words {
        for n in 1..=BUCKET_CHARS.min(word.chars().count()) {
            let b: String = word.chars().take(n).collect();
            if !buckets.contains(&b) {
                buckets.push(b);
            }
        }
    }
    buckets
}

/// Whether `a` becomes `b` by changing, adding or removing at most one character.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < short.len() && j < long.len() {
        if short[i] == long[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        if short.len() == long.len() {
            i += 1;
        }
        j += 1;
    }
    edits + (long.len() - j) + (short.len() - i) <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(q: &str, category: &str) -> SearchSpec {
        SearchSpec {
            q: q.into(),
            category: category.into(),
            sort: String::new(),
            filters: Default::default(),
        }
    }

    #[test]
    fn a_search_matches_by_words_prefixes_one_typo_and_category() {
        let words = listing_words("Vintage Leica camera", "A fine M3 body, with case.", 200);
        let s = spec("leica cam", "");
        assert!(s.could_match(&words, "electronics"));
        assert!(
            spec("camra", "").could_match(&words, "x"),
            "one letter missing"
        );
        assert!(
            spec("cameras", "").could_match(&words, "x"),
            "one letter more"
        );
        assert!(spec("m3", "electronics").could_match(&words, "electronics"));
        assert!(!spec("m3", "books").could_match(&words, "electronics"));
        assert!(
            !spec("leica nikon", "").could_match(&words, "x"),
            "every word"
        );
        assert!(
            !spec("cmr", "").could_match(&words, "x"),
            "short words: no typo"
        );
        assert!(spec("", "electronics").could_match(&words, "electronics"));
    }

    #[test]
    fn a_search_is_filed_where_every_listing_it_finds_looks() {
        let s = spec("old Leica camera", "");
        assert_eq!(bucket(&s).as_deref(), Some("cam"));
        assert_eq!(bucket(&spec("tv", "")).as_deref(), Some("tv"));
        assert_eq!(bucket(&spec("", "books")), None);
        let words = listing_words("Camera bag", "", 200);
        let reached = listing_buckets(&words);
        assert!(reached.contains(&"cam".to_string()) && reached.contains(&"c".to_string()));
        assert!(reached.contains(&"ba".to_string()));
        assert_eq!(listing_words("a a b", "B c", 2), vec!["a", "b"]);
    }

    #[test]
    fn names_and_problems() {
        crate::util::problem::assert_codes_round_trip::<SavedProblem>();
        assert_eq!(check_name("  Leicas "), Ok("Leicas".into()));
        assert_eq!(
            check_name(&"x".repeat(NAME_MAX + 1)),
            Err(SavedProblem::NameLong)
        );
        assert_eq!(check_name("a\u{7}"), Err(SavedProblem::NameChars));
        assert_eq!(
            spec("leica  m3", "electronics").default_name(),
            "leica m3 in Electronics"
        );
        assert_eq!(spec("", "").default_name(), "Everything");
        assert_eq!(spec("a b", "").href(), "/search?q=a%20b&category=&sort=");
        for (a, b, one) in [
            ("camera", "camra", true),
            ("camera", "cameras", true),
            ("camera", "canera", true),
            ("camera", "cmra", false),
            ("abc", "abc", true),
        ] {
            assert_eq!(within_one_edit(a, b), one, "{a} {b}");
        }
    }
}
