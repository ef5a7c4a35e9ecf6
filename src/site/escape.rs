//! HTML escaping for text and attribute values. Every string that came from a document goes
//! through here (or through Tera's autoescape) before it reaches a page.

/// Escapes text for an HTML text node or a quoted attribute value.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_html(&mut out, text);
    out
}

/// The entity for a byte of text that needs one in a text node or a quoted attribute value.
/// Only ASCII bytes do, so runs between them are whole characters and are copied as they are.
fn entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Hands `push` the pieces of `text` escaped with `entity` (and, if `newlines`, `\n` as
/// `&#10;`): the runs between escaped bytes whole, and a text with nothing to escape, the
/// common case, in one piece after a single pass that does not stop early and so vectorises.
fn escape_pieces(text: &str, newlines: bool, mut push: impl FnMut(&str)) {
    let special = |b: u8| {
        (b == b'&')
            | (b == b'<')
            | (b == b'>')
            | (b == b'"')
            | (b == b'\'')
            | (newlines & (b == b'\n'))
    };
    if !text.bytes().fold(false, |seen, b| seen | special(b)) {
        push(text);
        return;
    }
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let Some(replacement) = entity(b).or((newlines && b == b'\n').then_some("&#10;")) else {
            continue;
        };
        push(&text[last..i]);
        push(replacement);
        last = i + 1;
    }
    push(&text[last..]);
}

/// Appends `text` escaped.
pub fn push_html(out: &mut String, text: &str) {
    escape_pieces(text, false, |piece| out.push_str(piece));
}

/// Tera's autoescape function, byte for byte what Tera's own `escape_html` writes (the same
/// five entities as [`html`]), but copying runs of text instead of writing every byte on
/// its own: that took a fifth of rendering a page's template.
pub fn tera_escape(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    escape_pieces(text, false, |piece| {
        if result.is_ok() {
            result = out.write_all(piece.as_bytes());
        }
    });
    result
}

/// Appends `text` escaped, in a `<span>` of `class` (the highlighters' tokens).
pub fn push_span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    push_html(out, text);
    out.push_str("</span>");
}

/// What a reader (and the copy button) sees of highlighted HTML: tags removed, entities
/// decoded. For the highlighters' tests, which check that no character is lost.
#[cfg(test)]
pub fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Escapes an attribute value that may span lines (a multi-line command to copy): newlines
/// become `&#10;` so no HTML tool normalises them away.
pub fn attr_multiline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_attr_multiline(&mut out, text);
    out
}

/// Appends `text` escaped as [`attr_multiline`] escapes it.
pub fn push_attr_multiline(out: &mut String, text: &str) {
    escape_pieces(text, true, |piece| out.push_str(piece));
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::html("<img src=x onerror='a'>&\""),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;"
        );
        assert_eq!(super::attr_multiline("a\nb"), "a&#10;b");
    }

    /// Tera's own escaping, which `tera_escape` replaces.
    fn tera_reference(text: &str) -> String {
        let mut out = Vec::new();
        tera::escape_html(text, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn char_reference(text: &str) -> String {
        let mut out = String::new();
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

    proptest::proptest! {
        /// The run-copying escapes give what Tera's and the first, character-wise one gave.
        #[test]
        fn escapes_match_the_references(text in "[a<>&\"'\n é\u{1}]{0,24}|.{0,24}") {
            let mut tera = Vec::new();
            super::tera_escape(&text, &mut tera).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(tera).unwrap(), tera_reference(&text));
            proptest::prop_assert_eq!(super::html(&text), char_reference(&text));
            proptest::prop_assert_eq!(
                super::attr_multiline(&text),
                char_reference(&text).replace('\n', "&#10;")
            );
        }
    }
}
