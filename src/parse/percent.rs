//! Percent-decoding of link targets and URL paths, shared by the parser (link paths), the
//! linter (anchors), the site (link rewriting) and the server (request paths).

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is, and invalid
/// UTF-8 is replaced. For text from documents, where being lenient is right.
pub fn decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes `%XX` escapes strictly: `None` for a bad escape or invalid UTF-8. For request
/// paths, where anything odd is refused.
pub fn decode_strict(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_and_strict() {
        assert_eq!(decode_lossy("caf%C3%A9 %20x 100% %zz"), "café  x 100% %zz");
        assert_eq!(decode_lossy("%ff"), "\u{FFFD}");
        assert_eq!(decode_strict("a%2Fb").as_deref(), Some("a/b"));
        assert_eq!(decode_strict("100%"), None);
        assert_eq!(decode_strict("%zz"), None);
        assert_eq!(decode_strict("%ff"), None);
    }
}
