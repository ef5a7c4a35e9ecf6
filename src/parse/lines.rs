//! Line splitting with `memchr`: what `str::split('\n')` and `split_inclusive('\n')` give.
//! Code blocks and paragraphs are split line by line on every file, and the standard
//! library's character searcher sets up a search per line, which cost more than the lines'
//! own processing.

/// The pieces of `text` between line feeds, as `text.split('\n')` gives them.
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut feeds = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match feeds.next() {
            Some(at) => {
                let line = &text[start..at];
                start = at + 1;
                Some(line)
            }
            None => {
                done = true;
                Some(&text[start..])
            }
        }
    })
}

/// The lines of `text` with their line feeds, as `text.split_inclusive('\n')` gives them.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut feeds = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || match feeds.next() {
        Some(at) => {
            let line = &text[start..=at];
            start = at + 1;
            Some(line)
        }
        None if start < text.len() => {
            let line = &text[start..];
            start = text.len();
            Some(line)
        }
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn splits_as_the_standard_library_does(text in "(a|é|\n|\r| ){0,12}") {
            proptest::prop_assert_eq!(
                split_lines(&text).collect::<Vec<_>>(),
                text.split('\n').collect::<Vec<_>>()
            );
            proptest::prop_assert_eq!(
                lines_inclusive(&text).collect::<Vec<_>>(),
                text.split_inclusive('\n').collect::<Vec<_>>()
            );
        }
    }
}
