//! Placeholder substitution in command text, without ever evaluating a user's value.
//!
//! A command such as `kubectl rollout undo deployment/x --to-revision=<REVISION>` is document
//! text meant to run, but `<REVISION>` is not: it must become the value the user gives. Pasting
//! the value into the text would let `5; rm -rf /` run. Instead the placeholder is replaced by a
//! *reference* to the param's shell variable, written so that bash expands it to exactly one
//! literal word whatever the value holds:
//!
//! | where the placeholder sits          | becomes          |
//! |-------------------------------------|------------------|
//! | unquoted                            | `"${NAME}"`      |
//! | inside `"..."`                      | `${NAME}`        |
//! | inside `'...'`                      | `'"${NAME}"'`    |
//! | in an unquoted heredoc body         | `${NAME}`        |
//! | in a comment                        | left as written  |
//!
//! The result of a parameter expansion is never parsed again as shell code, so a value of
//! `$(touch /tmp/pwned)` stays those 18 characters. Places where that does not hold, or where
//! a reference cannot be written (backquotes, `$'...'`, `${...}`, arithmetic, `[[ ]]`, a quoted
//! heredoc body), make the step "run by hand" rather than guessing.
//!
//! The scanner here is deliberately small: it only tracks quoting, which is all substitution
//! needs. It also says whether the text is complete (quotes closed, heredocs terminated).

/// Where a byte of command text sits, as far as substitution cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Outside any quotes (also inside `$(...)` or `(...)`).
    Unquoted,
    /// Inside double quotes.
    Double,
    /// Inside single quotes.
    Single,
    /// In the body of a heredoc whose delimiter is unquoted (expansions happen).
    Heredoc,
    /// In a comment.
    Comment,
    /// Somewhere a safe reference cannot be written.
    Other(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Top,
    /// `$(` or `(`, with nested unquoted parentheses counted.
    Paren(u32),
    /// `$((` or `((`: arithmetic, which evaluates values as expressions.
    Arith(u32),
    /// `[[ ... ]]`, whose `-eq` and friends also evaluate values.
    Test,
    Double,
    Single,
    AnsiC,
    Backtick,
    /// `${...}`, with nested braces counted.
    Brace(u32),
    Comment,
}

impl Frame {
    fn poison(self) -> Option<&'static str> {
        match self {
            Frame::Arith(_) => Some("arithmetic"),
            Frame::Test => Some("a [[ ]] test"),
            Frame::AnsiC => Some("$'...' quotes"),
            Frame::Backtick => Some("backquotes"),
            Frame::Brace(_) => Some("a ${...} expansion"),
            _ => None,
        }
    }
}

struct Pending {
    delimiter: String,
    strip_tabs: bool,
    quoted: bool,
}

/// The context of every byte of `text`, and whether the text is complete shell (every quote,
/// parenthesis and heredoc closed).
pub struct Scan {
    ctx: Vec<Ctx>,
    /// True when the text ends outside any quote, substitution or heredoc.
    pub complete: bool,
}

impl Scan {
    /// Scans `text`.
    pub fn new(text: &str) -> Self {
        Self::scan_text(text, true)
    }

    /// Whether `text` is complete shell, without recording the context of each byte: a
    /// plan asks this of every command, and most have no placeholder to place, where the
    /// contexts (a 24-byte `Ctx` written for every byte) cost most of the scan.
    pub fn is_complete(text: &str) -> bool {
        // Only these bytes open a frame that must close (a comment closes itself), so a
        // text without any is complete: one pass that does not stop early (it vectorises).
        let opens = text.bytes().fold(false, |seen, b| {
            seen | matches!(b, b'\'' | b'"' | b'`' | b'$' | b'(' | b'[' | b'<')
        });
        !opens || Self::scan_text(text, false).complete
    }

    /// Scans `text`; with `record_contexts` false, `ctx` stays empty (every write to it is
    /// a checked one that then does nothing) and only `complete` means anything.
    fn scan_text(text: &str, record_contexts: bool) -> Self {
        let bytes = text.as_bytes();
        let mut ctx = if record_contexts {
            vec![Ctx::Unquoted; bytes.len()]
        } else {
            Vec::new()
        };
        let mut stack = vec![Frame::Top];
        let mut pending: Vec<Pending> = Vec::new();
        let mut i = 0;
        // The context depends on the frames, and between two bytes the stack changes by at
        // most one push or pop (a changed counter of `Paren`, `Arith` or `Brace` keeps the
        // context): so it is computed again only when the stack's length changed.
        let mut here = context(&stack);
        let mut here_len = stack.len();
        while i < bytes.len() {
            if stack.len() != here_len {
                here = context(&stack);
                here_len = stack.len();
            }
            mark(&mut ctx, i, here);
            let b = bytes[i];
            let top = *stack.last().unwrap_or(&Frame::Top);
            let at_word_start = i == 0
                || matches!(
                    bytes[i - 1],
                    b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'('
                );
            match top {
                Frame::Single => {
                    if b == b'\'' {
                        stack.pop();
                    }
                }
                Frame::Comment => {
                    if b == b'\n' {
                        stack.pop();
                        continue; // the newline is handled by the frame below
                    }
                }
                Frame::AnsiC | Frame::Backtick => {
                    if b == b'\\' {
                        mark(&mut ctx, i + 1, here);
                        i += 2;
                        continue;
                    }
                    if (top == Frame::AnsiC && b == b'\'') || (top == Frame::Backtick && b == b'`')
                    {
                        stack.pop();
                    }
                }
                Frame::Double => match b {
                    b'\\' => {
                        mark(&mut ctx, i + 1, here);
                        i += 2;
                        continue;
                    }
                    b'"' => {
                        stack.pop();
                    }
                    b'`' => stack.push(Frame::Backtick),
                    b'$' => {
                        i += dollar(bytes, i, &mut stack, &mut ctx, here);
                        continue;
                    }
                    _ => {}
                },
                Frame::Top | Frame::Paren(_) | Frame::Arith(_) | Frame::Test | Frame::Brace(_) => {
                    match b {
                        b'\\' => {
                            mark(&mut ctx, i + 1, here);
                            i += 2;
                            continue;
                        }
                        b'\'' => stack.push(Frame::Single),
                        b'"' => stack.push(Frame::Double),
                        b'`' => stack.push(Frame::Backtick),
                        b'$' => {
                            i += dollar(bytes, i, &mut stack, &mut ctx, here);
                            continue;
                        }
                        b'#' if at_word_start && !matches!(top, Frame::Brace(_)) => {
                            stack.push(Frame::Comment);
                            mark(&mut ctx, i, Ctx::Comment);
                        }
                        b'{' => {
                            if let Frame::Brace(d) = top {
                                replace_top(&mut stack, Frame::Brace(d + 1));
                            }
                        }
                        b'}' => {
                            if let Frame::Brace(d) = top {
                                if d == 0 {
                                    stack.pop();
                                } else {
                                    replace_top(&mut stack, Frame::Brace(d - 1));
                                }
                            }
                        }
                        b'(' => match top {
                            Frame::Paren(d) => replace_top(&mut stack, Frame::Paren(d + 1)),
                            Frame::Arith(d) => replace_top(&mut stack, Frame::Arith(d + 1)),
                            _ if at_word_start && bytes.get(i + 1) == Some(&b'(') => {
                                stack.push(Frame::Arith(0));
                                mark(&mut ctx, i + 1, Ctx::Other("arithmetic"));
                                i += 2;
                                continue;
                            }
                            _ => stack.push(Frame::Paren(0)),
                        },
                        b')' => match top {
                            Frame::Paren(0) => {
                                stack.pop();
                            }
                            Frame::Paren(d) => replace_top(&mut stack, Frame::Paren(d - 1)),
                            Frame::Arith(0) => {
                                stack.pop();
                                if bytes.get(i + 1) == Some(&b')') {
                                    mark(&mut ctx, i + 1, here);
                                    i += 2;
                                    continue;
                                }
                            }
                            Frame::Arith(d) => replace_top(&mut stack, Frame::Arith(d - 1)),
                            _ => {}
                        },
                        b'[' if at_word_start
                            && bytes.get(i + 1) == Some(&b'[')
                            && bytes
                                .get(i + 2)
                                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n')) =>
                        {
                            stack.push(Frame::Test);
                            mark(&mut ctx, i, Ctx::Other("a [[ ]] test"));
                        }
                        b']' if top == Frame::Test && bytes.get(i + 1) == Some(&b']') => {
                            stack.pop();
                            mark(&mut ctx, i + 1, here);
                            i += 2;
                            continue;
                        }
                        b'<' if matches!(top, Frame::Top | Frame::Paren(_))
                            && bytes.get(i + 1) == Some(&b'<')
                            && bytes.get(i + 2) != Some(&b'<') =>
                        {
                            let (used, heredoc) = heredoc_operator(text, i);
                            for k in i..i + used {
                                mark(&mut ctx, k, here);
                            }
                            if let Some(h) = heredoc {
                                pending.push(h);
                            }
                            i += used;
                            continue;
                        }
                        b'\n' if !pending.is_empty() => {
                            i += 1;
                            for h in pending.drain(..) {
                                let body = if h.quoted {
                                    Ctx::Other("a quoted heredoc")
                                } else {
                                    Ctx::Heredoc
                                };
                                match heredoc_body(text, i, &h) {
                                    Some(end) => {
                                        fill(&mut ctx, i..end, body);
                                        i = end;
                                    }
                                    None => {
                                        fill(&mut ctx, i..bytes.len(), body);
                                        return Scan {
                                            ctx,
                                            complete: false,
                                        };
                                    }
                                }
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            i += 1;
        }
        let complete = pending.is_empty()
            && stack
                .iter()
                .all(|f| matches!(f, Frame::Top | Frame::Comment));
        Scan { ctx, complete }
    }

    /// The context of the byte at `offset`.
    pub fn at(&self, offset: usize) -> Ctx {
        self.ctx.get(offset).copied().unwrap_or(Ctx::Unquoted)
    }

    /// The context of `start..end` when every byte shares it, else `Other`.
    pub fn span(&self, start: usize, end: usize) -> Ctx {
        let first = self.at(start);
        if (start..end).all(|k| self.at(k) == first) {
            first
        } else {
            Ctx::Other("a place that changes quoting")
        }
    }
}

fn context(stack: &[Frame]) -> Ctx {
    if let Some(reason) = stack.iter().find_map(|f| f.poison()) {
        return Ctx::Other(reason);
    }
    match stack.last() {
        Some(Frame::Double) => Ctx::Double,
        Some(Frame::Single) => Ctx::Single,
        Some(Frame::Comment) => Ctx::Comment,
        _ => Ctx::Unquoted,
    }
}

fn mark(ctx: &mut [Ctx], at: usize, value: Ctx) {
    if let Some(slot) = ctx.get_mut(at) {
        *slot = value;
    }
}

/// `ctx[range].fill(value)`, doing nothing when `ctx` is not recorded (empty).
fn fill(ctx: &mut [Ctx], range: std::ops::Range<usize>, value: Ctx) {
    if let Some(slots) = ctx.get_mut(range) {
        slots.fill(value);
    }
}

fn replace_top(stack: &mut [Frame], frame: Frame) {
    if let Some(top) = stack.last_mut() {
        *top = frame;
    }
}

/// Handles `$` at `i`; returns how many bytes were consumed.
fn dollar(bytes: &[u8], i: usize, stack: &mut Vec<Frame>, ctx: &mut [Ctx], here: Ctx) -> usize {
    let in_double = stack.last() == Some(&Frame::Double);
    match bytes.get(i + 1) {
        Some(b'(') if bytes.get(i + 2) == Some(&b'(') => {
            mark(ctx, i + 1, here);
            mark(ctx, i + 2, here);
            stack.push(Frame::Arith(0));
            3
        }
        Some(b'(') => {
            mark(ctx, i + 1, here);
            stack.push(Frame::Paren(0));
            2
        }
        Some(b'{') => {
            mark(ctx, i + 1, here);
            stack.push(Frame::Brace(0));
            2
        }
        Some(b'\'') if !in_double => {
            mark(ctx, i + 1, here);
            stack.push(Frame::AnsiC);
            2
        }
        _ => 1,
    }
}

/// Reads `<<WORD` / `<<-'WORD'` at `i`; returns the bytes consumed and the heredoc, if a
/// delimiter word follows.
fn heredoc_operator(text: &str, i: usize) -> (usize, Option<Pending>) {
    let bytes = text.as_bytes();
    let mut j = i + 2;
    let strip_tabs = bytes.get(j) == Some(&b'-');
    if strip_tabs {
        j += 1;
    }
    while matches!(bytes.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    let start = j;
    let mut delimiter = String::new();
    let mut quoted = false;
    let mut quote: Option<u8> = None;
    while let Some(&c) = bytes.get(j) {
        match quote {
            Some(q) if c == q => {
                quote = None;
                j += 1;
                continue;
            }
            Some(_) => {}
            None => {
                if c == b'\'' || c == b'"' {
                    quoted = true;
                    quote = Some(c);
                    j += 1;
                    continue;
                }
                if c == b'\\' {
                    quoted = true;
                    j += 1;
                    continue;
                }
                if matches!(
                    c,
                    b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
                ) {
                    break;
                }
            }
        }
        j += 1;
    }
    if quote.is_some() || j == start {
        return (j - i, None);
    }
    // Quotes were skipped byte by byte above; rebuild the word without them.
    for ch in text[start..j].chars() {
        if !matches!(ch, '\'' | '"' | '\\') {
            delimiter.push(ch);
        }
    }
    (
        j - i,
        Some(Pending {
            delimiter,
            strip_tabs,
            quoted,
        }),
    )
}

/// The offset just past the delimiter line of a heredoc whose body starts at `start`.
fn heredoc_body(text: &str, start: usize, h: &Pending) -> Option<usize> {
    let mut pos = start;
    while pos <= text.len() {
        let rest = &text[pos..];
        let line_end = rest.find('\n').map_or(text.len(), |k| pos + k);
        let mut line = &text[pos..line_end];
        if h.strip_tabs {
            line = line.trim_start_matches('\t');
        }
        if line == h.delimiter {
            return Some((line_end + 1).min(text.len()));
        }
        if line_end >= text.len() {
            return None;
        }
        pos = line_end + 1;
    }
    None
}

/// Why a placeholder could not be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe {
    /// The placeholder as written.
    pub placeholder: String,
    /// Where it sits, such as `backquotes`.
    pub place: &'static str,
}

/// Replaces every occurrence of each `(placeholder, variable)` in `text` by a reference to the
/// variable, as the module documentation describes.
pub fn substitute(text: &str, replacements: &[(String, String)]) -> Result<String, Unsafe> {
    substitute_scanned(text, &Scan::new(text), replacements)
}

/// [`substitute`] with the [`Scan`] of `text` already made (a plan scans each command once,
/// to learn whether it is complete, and substitutes with the same scan).
pub fn substitute_scanned(
    text: &str,
    scan: &Scan,
    replacements: &[(String, String)],
) -> Result<String, Unsafe> {
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    for (placeholder, var) in replacements {
        for (start, _) in text.match_indices(placeholder.as_str()) {
            let end = start + placeholder.len();
            if bounded(text, start, end) {
                found.push((start, end, var));
            }
        }
    }
    // Longest first at the same place, then drop overlaps.
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len() + 16 * found.len());
    let mut last = 0;
    for (start, end, var) in found {
        if start < last {
            continue;
        }
        let placeholder = &text[start..end];
        if placeholder.contains(['\'', '"', '\\', '$', '`', '\n']) {
            return Err(Unsafe {
                placeholder: placeholder.to_owned(),
                place: "quoting characters of its own",
            });
        }
        let reference = match scan.span(start, end) {
            Ctx::Unquoted => format!("\"${{{var}}}\""),
            Ctx::Double | Ctx::Heredoc => format!("${{{var}}}"),
            Ctx::Single => format!("'\"${{{var}}}\"'"),
            Ctx::Comment => placeholder.to_owned(),
            Ctx::Other(place) => {
                return Err(Unsafe {
                    placeholder: placeholder.to_owned(),
                    place,
                });
            }
        };
        out.push_str(&text[last..start]);
        out.push_str(&reference);
        last = end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// A placeholder that begins or ends with a word character must not be part of a longer word
/// (`YOUR_TOKEN` inside `YOUR_TOKEN_FILE`).
fn bounded(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let placeholder = &text[start..end];
    let first_word = placeholder.chars().next().is_some_and(word);
    let last_word = placeholder.chars().last().is_some_and(word);
    let before_ok = !first_word || !text[..start].chars().last().is_some_and(word);
    let after_ok = !last_word || !text[end..].chars().next().is_some_and(word);
    before_ok && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(text: &str, placeholder: &str) -> Result<String, Unsafe> {
        substitute(text, &[(placeholder.to_owned(), "V".to_owned())])
    }

    #[test]
    fn reference_matches_quoting() {
        assert_eq!(
            sub(
                "kubectl rollout undo x --to-revision=<REVISION>",
                "<REVISION>"
            )
            .unwrap(),
            "kubectl rollout undo x --to-revision=\"${V}\""
        );
        assert_eq!(
            sub(
                "curl -H \"Authorization: Bearer YOUR_TOKEN\" x",
                "YOUR_TOKEN"
            )
            .unwrap(),
            "curl -H \"Authorization: Bearer ${V}\" x"
        );
        assert_eq!(
            sub("kubectl get pods -o jsonpath='{.items[<N>]}'", "<N>").unwrap(),
            "kubectl get pods -o jsonpath='{.items['\"${V}\"']}'"
        );
        assert_eq!(
            sub("echo $(kubectl get pod <P> -o name)", "<P>").unwrap(),
            "echo $(kubectl get pod \"${V}\" -o name)"
        );
        assert_eq!(
            sub("cat <<EOF > f\ntag: {{ tag }}\nEOF", "{{ tag }}").unwrap(),
            "cat <<EOF > f\ntag: ${V}\nEOF"
        );
        assert_eq!(
            sub("kubectl delete pod pod/app-xxxxx-xxxxx", "app-xxxxx-xxxxx").unwrap(),
            "kubectl delete pod pod/\"${V}\""
        );
    }

    #[test]
    fn every_occurrence_and_only_whole_words() {
        assert_eq!(
            sub("a YOUR_TOKEN YOUR_TOKEN_FILE YOUR_TOKEN", "YOUR_TOKEN").unwrap(),
            "a \"${V}\" YOUR_TOKEN_FILE \"${V}\""
        );
    }

    #[test]
    fn refuses_places_without_a_safe_reference() {
        for (text, place) in [
            ("echo `kubectl get <P>`", "backquotes"),
            ("echo $'<P>'", "$'...' quotes"),
            ("echo ${X:-<P>}", "a ${...} expansion"),
            ("echo $(( <P> + 1 ))", "arithmetic"),
            ("(( <P> > 1 )) && echo", "arithmetic"),
            ("[[ <P> -eq 1 ]] && echo", "a [[ ]] test"),
            ("cat <<'EOF'\n<P>\nEOF", "a quoted heredoc"),
        ] {
            let err = sub(text, "<P>").unwrap_err();
            assert_eq!(err.place, place, "{text}");
        }
    }

    #[test]
    fn comments_are_left_alone() {
        assert_eq!(sub("ls # then <P>", "<P>").unwrap(), "ls # then <P>");
    }

    #[test]
    fn completeness() {
        for text in [
            "echo 'a'",
            "a && b | c",
            "cat <<'EOF' > /tmp/x\n{\"a\": 1}\nEOF",
            "cat <<-EOF\n\tx\n\tEOF",
            "echo $((1 << 2))",
            "echo \"$(date) `id`\" ${X:-y} $'\\''",
            "[[ -f x ]] && echo ok",
            "case x in a) echo a ;; esac",
            "ls # it's fine",
        ] {
            assert!(Scan::new(text).complete, "{text}");
        }
        for text in [
            "echo 'a",
            "echo \"a",
            "echo $(date",
            "cat <<EOF\nno end",
            "echo `id",
        ] {
            assert!(!Scan::new(text).complete, "{text}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Scanning without contexts finds the same completeness as the full scan, also for
        /// texts with only one or two of the bytes that open a frame (the fast path's edge).
        #[test]
        fn completeness_without_contexts_agrees(text in r#"(?s).{0,60}|[<>P$`'"\\(){}\n#\[\];&|a -]{0,60}|[a-z ;&|#\n]{0,20}[<$`'"\\(){}\[\]]{0,2}[a-z <\[(\n]{0,20}|[a-z ]{0,10}(\$[{('(]|<<|\[\[ |[`'"(])[a-z ]{0,10}|(cat <<-?'?EOF'? *\n[a-z<P>\n]{0,20}(EOF)?\n?){1,2}"#) {
            proptest::prop_assert_eq!(Scan::is_complete(&text), Scan::new(&text).complete);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Any text scans and substitutes without panicking.
        #[test]
        fn never_panics(text in r#"(?s).{0,60}|[<>P$`'"\\(){}\n#\[\] -]{0,60}"#) {
            let scan = Scan::new(&text);
            let _ = scan.span(0, text.len());
            let _ = sub(&text, "<P>");
        }

        /// Whatever the value, bash passes it on as literal text in every context a
        /// placeholder can be replaced in: nothing in it is run or split.
        #[test]
        fn values_stay_literal(value in r#"[^\x00]{0,24}|[$`'"\\;|&()<> \n*-]{1,24}"#) {
            let cases = [
                ("printf '%s' <P>", value.clone()),
                ("printf '%s' \"x <P> y\"", format!("x {value} y")),
                ("printf '%s' 'x<P>y'", format!("x{value}y")),
                ("printf '%s' pre/<P>", format!("pre/{value}")),
                ("cat <<EOF\n<P>\nEOF", format!("{value}\n")),
            ];
            for (template, expected) in cases {
                let code = sub(template, "<P>").unwrap();
                let out = std::process::Command::new("bash")
                    .arg("-c")
                    .arg(&code)
                    .env("V", &value)
                    .output()
                    .expect("run bash");
                proptest::prop_assert!(out.status.success(), "{code}");
                proptest::prop_assert_eq!(String::from_utf8_lossy(&out.stdout), expected.as_str());
            }
        }
    }
}
