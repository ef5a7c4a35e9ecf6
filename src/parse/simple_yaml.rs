//! A fast path for the front matter most runbooks have: a flat mapping of plain words
//! (`title: Restart parcel-api`, `owner: team-logistics`, `tags: [restart, kubernetes]`).
//! Starting the YAML parser costs about 0.2 ms per document, a tenth of parsing a whole
//! runbook; this reads such a mapping directly. It accepts only what YAML certainly reads as
//! strings, and returns `None` for anything else (numbers, dates, quotes, nesting, comments,
//! `true`/`null`...), which then goes to the YAML parser. A property test checks that the two
//! agree on everything this accepts.

use serde_json::{Map, Value};

/// The mapping, when `body` is a flat mapping of plain strings and flow lists of them.
pub fn parse(body: &str) -> Option<Value> {
    let mut map = Map::new();
    for line in body.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        // `key:` with nothing after it (null, or a nested block) is not for this path.
        let (key, value) = line.split_once(": ")?;
        if !is_key(key) {
            return None;
        }
        let value = value.trim();
        let value = if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            let mut items = Vec::new();
            if !inner.trim().is_empty() {
                for item in inner.split(',') {
                    items.push(Value::String(plain(item.trim())?.to_owned()));
                }
            }
            Value::Array(items)
        } else {
            Value::String(plain(value)?.to_owned())
        };
        if map.insert(key.to_owned(), value).is_some() {
            // A duplicate key is an error for the YAML parser: let it say so.
            return None;
        }
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

/// A key of ASCII letters, digits, `_` and `-`, starting with a letter, that YAML reads as
/// a string.
fn is_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !RESERVED.contains(&key.to_ascii_lowercase().as_str())
}

/// `text` if YAML certainly reads it as this very string: it starts with a letter, holds
/// only letters, digits, spaces and `-_./@()`, has no double space or trailing space, and is
/// not a word YAML gives another meaning (`true`, `null`, `yes`...).
fn plain(text: &str) -> Option<&str> {
    let ok = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" -_./@()".contains(&b))
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str());
    ok.then_some(text)
}

/// Words a YAML 1.1 or 1.2 parser may read as something other than a string.
const RESERVED: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_front_matter() {
        let body =
            "title: Restart parcel-api\nowner: team-logistics\ntags: [restart, kubernetes]\n";
        let value = parse(body).expect("simple");
        assert_eq!(value["title"], "Restart parcel-api");
        assert_eq!(value["tags"][1], "kubernetes");
        let yaml: Value = serde_norway::from_str(body).unwrap();
        assert_eq!(value, yaml);
    }

    #[test]
    fn leaves_everything_else_to_the_yaml_parser() {
        for body in [
            "version: 1.3\n",
            "last_updated: 2026-01-15\n",
            "title: \"Quoted\"\n",
            "enabled: true\n",
            "owner: No\n",
            "a: b # comment\n",
            "nested:\n  key: value\n",
            "title: a\ntitle: b\n",
            "title:\n",
            "list:\n- a\n",
            "title: a: b\n",
            "",
        ] {
            assert_eq!(parse(body), None, "{body:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever this accepts, the YAML parser reads the same way.
        #[test]
        fn agrees_with_the_yaml_parser(body in "([a-zA-Z][a-zA-Z0-9_-]{0,6}: ([a-zA-Z0-9 ._/@()-]{0,12}|\\[[a-zA-Z0-9 ,._-]{0,16}\\])\r?\n){1,5}") {
            if let Some(fast) = parse(&body) {
                let yaml: Value = serde_norway::from_str(&body).unwrap();
                proptest::prop_assert_eq!(fast, yaml);
            }
        }
    }
}
