//! GitHub-compatible heading slugs, so `[x](#monitoring--alerts)` written for GitHub works here.

/// GitHub's rule: lower-case; keep letters, digits, `-`, `_` and spaces; spaces become `-`.
pub fn slugify(text: &str) -> String {
    if text.is_ascii() {
        // Nearly every heading: the same rule on bytes, where lower-casing is one table.
        let text = text.trim();
        let mut slug = String::with_capacity(text.len());
        for b in text.bytes() {
            match b {
                b' ' => slug.push('-'),
                b'-' | b'_' => slug.push(char::from(b)),
                b if b.is_ascii_alphanumeric() => slug.push(char::from(b.to_ascii_lowercase())),
                _ => {}
            }
        }
        return slug;
    }
    slugify_chars(text)
}

/// The rule on characters, for any text (and the reference for the ASCII path above).
fn slugify_chars(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Hands out unique slugs in document order: the second `Setup` becomes `setup-1`.
#[derive(Debug, Default)]
pub struct SlugSet {
    // Only looked up, never iterated, so the hasher's seed cannot change any output.
    seen: foldhash::HashMap<String, usize>,
}

impl SlugSet {
    /// A unique slug for `base` (an explicit `{#id}` is reserved as given).
    pub fn unique(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let Some(mut count) = self.seen.get(base).copied() else {
            self.seen.insert(base.to_owned(), 1);
            return base.to_owned();
        };
        loop {
            let candidate = format!("{base}-{count}");
            count += 1;
            if !self.seen.contains_key(&candidate) {
                self.seen.insert(base.to_owned(), count);
                self.seen.insert(candidate.clone(), 1);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_slugs() {
        assert_eq!(slugify("Monitoring & Alerts"), "monitoring--alerts");
        assert_eq!(
            slugify("Rolling Restart (Recommended)"),
            "rolling-restart-recommended"
        );
        assert_eq!(slugify("P1 Procedure"), "p1-procedure");
        assert_eq!(slugify("Ünïcode Über"), "ünïcode-über");
        assert_eq!(
            slugify("<img src=x onerror=alert(1)>"),
            "img-srcx-onerroralert1"
        );
    }

    proptest::proptest! {
        #[test]
        fn ascii_slugs_follow_the_rule(text in "[ -~\t\n\u{b}\u{c}]{0,30}") {
            proptest::prop_assert_eq!(slugify(&text), slugify_chars(&text));
        }
    }

    #[test]
    fn duplicates_get_suffixes() {
        let mut set = SlugSet::default();
        assert_eq!(set.unique("steps"), "steps");
        assert_eq!(set.unique("steps"), "steps-1");
        assert_eq!(set.unique("steps-1"), "steps-1-1");
        assert_eq!(set.unique("steps"), "steps-2");
    }
}
