//! The 404 page. A web server answers any missing URL with it (`/ops/runbooks/db/nope.html`),
//! so relative links, which are right everywhere else, are wrong here. With `[site] url` the
//! page links to the site by absolute paths under it; without, it depends on nothing outside
//! itself: the theme's stylesheet is inlined and a small script in the template finds the
//! site root for the links back.

use super::pipeline::SiteInfo;
use super::theme::Theme;
use serde::Serialize;

/// What `404.html` gets.
#[derive(Debug, Serialize)]
pub struct NotFoundPage<'a> {
    /// Book-wide values.
    pub site: &'a SiteInfo,
    /// `[site] url`'s absolute path (`/runbooks/`), or `""`.
    pub root: &'a str,
    /// The theme's `style.css`, to inline when there is no `[site] url`; empty otherwise.
    pub inline_css: String,
}

impl<'a> NotFoundPage<'a> {
    /// The page for a site published at absolute path `base` (`""` when unknown).
    pub fn new(site: &'a SiteInfo, base: &'a str, theme: &Theme) -> Self {
        let inline_css = if base.is_empty() {
            theme
                .statics
                .get("style.css")
                .map(|css| style_element_safe(&String::from_utf8_lossy(css)))
                .unwrap_or_else(|| "body{font-family:sans-serif}".to_owned())
        } else {
            String::new()
        };
        Self {
            site,
            root: base,
            inline_css,
        }
    }
}

/// CSS made safe to place inside `<style>`: nothing in it can close the element.
fn style_element_safe(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("</") {
        out.push_str(&rest[..i]);
        // `\/` is `/` in CSS, and `<\/style` does not end the element.
        out.push_str("<\\/");
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlined_css_cannot_close_the_style_element() {
        assert_eq!(
            style_element_safe("a::after{content:\"</style><script>\"}"),
            "a::after{content:\"<\\/style><script>\"}"
        );
    }
}
