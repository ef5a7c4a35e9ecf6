//! HTML escaping for text and attribute values. Every string that came from a document goes
//! through here (or through Tera's autoescape) before it reaches a page.

/// Escapes text for an HTML text node or a quoted attribute value.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_html(&mut out, text);
    out
}

/// Appends `text` escaped.
pub fn push_html(out: &mut String, text: &str) {
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
    html(text).replace('\n', "&#10;")
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
}
