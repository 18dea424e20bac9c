//! Free text typed by people (item names, descriptions, comments): one cleaning rule for every
//! field, shared by the server and the browser, and the one way user text reaches raw HTML.
//!
//! Cleaning, in order:
//! 1. line breaks become `\n` (single-line fields: a space);
//! 2. control characters and bidirectional overrides/isolates (which can make text read
//!    backwards, "Trojan Source" style) are dropped;
//! 3. on the server, Unicode NFC normalisation, so `é` typed two ways is one character and
//!    lengths are counted the same way for everyone (the browser skips this step: its checks
//!    are a courtesy, the server's are the rule);
//! 4. surrounding whitespace is trimmed; runs of spaces in single-line fields and of blank
//!    lines in multi-line fields are collapsed;
//! 5. the text must contain at least one *visible* character: text made only of zero-width
//!    spaces, joiners, soft hyphens, Hangul fillers, braille blanks and the like is refused;
//! 6. no letter may carry more than [`MAX_STACKED_MARKS`] combining marks ("Zalgo" text that
//!    draws over its neighbours);
//! 7. the length, in characters after all of the above, must be within the field's limits.

use serde::{Deserialize, Serialize};

/// Most combining marks one character may carry.
pub const MAX_STACKED_MARKS: usize = 4;

/// The limits of one free-text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub min: usize,
    pub max: usize,
    pub multiline: bool,
}

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextProblem {
    /// Nothing (or only whitespace) was typed.
    Empty,
    /// Only invisible characters.
    Invisible,
    /// Shorter or longer than the rule allows.
    Length,
    /// Too many combining marks on one character.
    StackedMarks,
}

/// Cleans `input` by the rule above; the result is what gets stored.
pub fn clean(input: &str, rule: TextRule) -> Result<String, TextProblem> {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter_map(|c| match c {
            '\n' if rule.multiline => Some('\n'),
            '\n' | '\t' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect();
    let normalised = normalise(&kept);
    let collapsed = if rule.multiline {
        collapse_blank_lines(normalised.trim())
    } else {
        collapse_spaces(normalised.trim())
    };
    if collapsed.is_empty() {
        return Err(TextProblem::Empty);
    }
    if !collapsed.chars().any(is_visible) {
        return Err(TextProblem::Invisible);
    }
    if stacked_marks(&collapsed) > MAX_STACKED_MARKS {
        return Err(TextProblem::StackedMarks);
    }
    let len = collapsed.chars().count();
    if len < rule.min || len > rule.max {
        return Err(TextProblem::Length);
    }
    Ok(collapsed)
}

#[cfg(feature = "ssr")]
fn normalise(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

/// In the browser the text is checked as typed (NFC tables would double the WASM size).
#[cfg(not(feature = "ssr"))]
fn normalise(s: &str) -> String {
    s.to_string()
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Trailing spaces go from every line, and at most one blank line separates paragraphs.
fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for (i, line) in s.split('\n').enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// Bidirectional embeddings, overrides and isolates (LRE … RLO, LRI … PDI).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Default-ignorable code points (Unicode's DerivedCoreProperties) and characters that are
/// drawn as nothing although they are not spaces.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Combining marks of the common blocks (diacritics, extended, supplement, for symbols, half marks).
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// A character that puts ink on the screen by itself.
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !is_invisible(c) && !is_combining_mark(c)
}

/// The longest run of combining marks in `s`.
fn stacked_marks(s: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in s.chars() {
        if is_combining_mark(c) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// Escapes text for the places where HTML is written without Leptos' escaping (the document
/// `<title>`, `<textarea>` content): `&`, `<`, `>` and quotes become entities. Everywhere else,
/// user text goes into views as plain strings, which Leptos escapes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: TextRule = TextRule {
        min: 3,
        max: 10,
        multiline: false,
    };
    const BLOCK: TextRule = TextRule {
        min: 1,
        max: 100,
        multiline: true,
    };

    #[test]
    fn invisible_only_text_is_refused() {
        for invisible in [
            "\u{200B}\u{200B}\u{200B}",
            "\u{200C}\u{200D}\u{2060}",
            "\u{FEFF}\u{00AD}\u{3164}",
            "\u{2800}\u{2800}\u{2800}",
            "\u{115F}\u{1160}\u{FFA0}",
            "\u{E0020}\u{E0041}\u{E0042}",
            " \u{200B} \u{3000} \u{200B} ",
        ] {
            assert_eq!(
                clean(invisible, LINE),
                Err(TextProblem::Invisible),
                "{invisible:?}"
            );
        }
        assert_eq!(clean("   \n\t ", LINE), Err(TextProblem::Empty));
        // Visible text may contain joiners (emoji sequences, some scripts).
        assert!(clean("👩\u{200D}💻 desk", LINE).is_ok());
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped_and_spaces_collapsed() {
        assert_eq!(
            clean("  a\u{0}b\u{202E}c  d\t\te ", LINE),
            Ok("abc d e".into())
        );
        assert_eq!(clean("one\r\ntwo", LINE), Ok("one two".into()));
        assert_eq!(
            clean("one\r\n\r\n\n\n two  \r\nthree", BLOCK),
            Ok("one\n\n two\nthree".into())
        );
    }

    #[test]
    fn lengths_count_characters_after_cleaning() {
        assert_eq!(clean("ab", LINE), Err(TextProblem::Length));
        assert_eq!(clean("a\u{200B}b", LINE), Ok("a\u{200B}b".into()));
        assert_eq!(
            clean(&"é".repeat(10), LINE).map(|s| s.chars().count()),
            Ok(10)
        );
        assert_eq!(clean(&"x".repeat(11), LINE), Err(TextProblem::Length));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn text_is_nfc_normalised_before_counting() {
        // "e" + combining acute, ten times: 20 code points, 10 characters after NFC.
        let decomposed = "e\u{0301}".repeat(10);
        assert_eq!(clean(&decomposed, LINE), Ok("é".repeat(10)));
    }

    #[test]
    fn stacked_marks_are_refused() {
        let zalgo = format!("ab{}", "\u{0300}".repeat(12));
        assert_eq!(clean(&zalgo, LINE), Err(TextProblem::StackedMarks));
        assert!(clean("a\u{0300}\u{0301}bc", LINE).is_ok());
    }

    #[test]
    fn markup_is_kept_as_text_and_escaped_for_raw_html() {
        let hostile = "</title></textarea><script>alert('x')</script>&";
        assert_eq!(clean(hostile, BLOCK).as_deref(), Ok(hostile));
        let escaped = escape_html(hostile);
        assert!(!escaped.contains('<') && !escaped.contains('>'));
        assert_eq!(
            escaped,
            "&lt;/title&gt;&lt;/textarea&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
    }
}
