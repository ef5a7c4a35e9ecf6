//! `[site] allow_html = true`: raw HTML from runbooks passes through ammonia. The whole
//! rendered content region is cleaned, so the allow-list must also keep what runbook itself
//! generates (step anchors, checkboxes, copy buttons, token classes); none of that can run
//! code. Scripts, event handlers, `style`, and `javascript:` URLs are removed.

use std::sync::OnceLock;

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags([
            "input", "button", "mark", "details", "summary", "kbd", "samp",
        ])
        .add_generic_attributes(["id", "class", "title", "aria-label", "aria-hidden"])
        .add_generic_attribute_prefixes(["data-"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("button", ["type"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(["text-align"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
        b
    })
}

/// Cleans an HTML fragment.
pub fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn removes_scripts_handlers_and_javascript_links_but_keeps_generated_markup() {
        let out = super::clean(
            "<p onclick=\"x()\">hi<script>alert(1)</script><a href=\"javascript:alert(1)\">j</a>\
             <img src=x onerror=alert(1)></p>\
             <div class=\"step\" id=\"step-1\" data-lang=\"bash\"><input type=\"checkbox\" checked>\
             <button type=\"button\" data-copy=\"ls\">Copy</button></div>",
        );
        assert!(!out.contains("script"), "{out}");
        assert!(
            !out.contains("onclick") && !out.contains("onerror"),
            "{out}"
        );
        assert!(!out.contains("javascript"), "{out}");
        assert!(
            out.contains("id=\"step-1\"") && out.contains("data-copy=\"ls\""),
            "{out}"
        );
        assert!(out.contains("type=\"checkbox\""), "{out}");
    }
}
