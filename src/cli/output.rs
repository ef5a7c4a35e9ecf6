//! Writing to the terminal: stdout that treats a closed pipe as a normal end, and stderr
//! rendering of diagnostics.

use crate::LoadedBook;
use crate::diag::{Diagnostic, pretty::Printed, render::render_text};
use crate::source::SourceFile;
use std::io::{self, Write};

/// Writes `text` to stdout. A closed pipe (`runbook inspect | head`) is not an error.
pub fn stdout(text: &str) -> io::Result<()> {
    write_stdout(|out| out.write_all(text.as_bytes()))
}

/// Writes a document printed in pieces to stdout, like [`stdout`].
pub fn stdout_printed(text: &Printed) -> io::Result<()> {
    write_stdout(|out| text.write_to(out))
}

fn write_stdout(
    write: impl FnOnce(&mut io::StdoutLock<'static>) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints `error: message` on stderr.
pub fn error_line(message: &str) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}

/// Prints a line on stderr as it is (progress and logs).
pub fn error_line_plain(message: &str) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}

/// Prints diagnostics on stderr with source lines where the book has them.
pub fn diagnostics<'a>(book: Option<&LoadedBook>, diags: impl Iterator<Item = &'a Diagnostic>) {
    diagnostics_in(book.map_or(&[], |b| b.sources.as_slice()), diags);
}

/// Prints diagnostics on stderr with source lines taken from `sources`.
pub fn diagnostics_in<'a>(sources: &[SourceFile], diags: impl Iterator<Item = &'a Diagnostic>) {
    let mut err = io::stderr().lock();
    for diag in diags {
        let line = sources
            .iter()
            .find(|s| s.path == diag.location.file)
            .and_then(|s| s.line_text(diag.location.line));
        let _ = write!(err, "{}", render_text(diag, line));
    }
}
