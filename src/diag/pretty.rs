//! Pretty-printing a JSON document whose one long list is printed item by item, on all cores:
//! a large book has tens of thousands of findings, and `serde_json::to_string_pretty` of
//! the whole document runs on one. The result is the same bytes.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use std::io;

/// A document printed in pieces, in order. A long list is printed on all cores a stretch
/// of items at a time, and the stretches are written out one after another: joining them
/// first copied megabytes into a buffer as large as the document, on one core.
#[derive(Debug, Default)]
pub struct Printed(Vec<Vec<u8>>);

impl Printed {
    /// Writes every piece to `out`, in order.
    pub fn write_to(&self, out: &mut impl io::Write) -> io::Result<()> {
        self.0.iter().try_for_each(|piece| out.write_all(piece))
    }

    /// The whole text.
    pub fn into_string(self) -> String {
        String::from_utf8(self.0.concat()).expect("pieces are whole UTF-8 texts")
    }
}

impl From<String> for Printed {
    fn from(text: String) -> Self {
        Printed(vec![text.into_bytes()])
    }
}

/// Items printed per piece: enough that a piece is one allocation among few, small enough
/// that the cores share a list of a few thousand items evenly.
const ITEMS_PER_PIECE: usize = 256;

/// `frame` pretty-printed, with a final newline, and with `items` (each pretty-printed by
/// `print`) in its list `key`, which must be empty in `frame` and sit at `depth` (how many
/// objects and arrays hold it: 1 for a top-level key). `print` appends one item to a buffer,
/// given the depth of the list's items (see [`write_indented`]).
pub fn with_list<T: Sync>(
    frame: &Value,
    key: &str,
    depth: usize,
    items: &[T],
    print: impl Fn(&T, usize, &mut Vec<u8>) + Sync,
) -> Printed {
    let frame = pretty(frame);
    if items.is_empty() {
        return Printed::from(frame + "\n");
    }
    let indent = "  ".repeat(depth + 1);
    // Keys are strings, so `"key": []` unescaped can only be the empty list itself.
    let empty = format!("\"{key}\": []");
    let at = frame.find(&empty).expect("the frame holds the empty list");
    let mut head = Vec::with_capacity(at + empty.len());
    head.extend_from_slice(&frame.as_bytes()[..at]);
    head.extend_from_slice(&empty.as_bytes()[..empty.len() - 1]);
    head.push(b'\n');
    let mut pieces = vec![head];
    pieces.par_extend(
        items
            .par_chunks(ITEMS_PER_PIECE)
            .enumerate()
            .map(|(n, chunk)| {
                let mut text = Vec::new();
                for (i, one) in chunk.iter().enumerate() {
                    if n > 0 || i > 0 {
                        text.extend_from_slice(b",\n");
                    }
                    text.extend_from_slice(indent.as_bytes());
                    print(one, depth + 1, &mut text);
                }
                text
            }),
    );
    let mut tail = b"\n".to_vec();
    tail.extend_from_slice("  ".repeat(depth).as_bytes());
    tail.push(b']');
    tail.extend_from_slice(&frame.as_bytes()[at + empty.len()..]);
    tail.push(b'\n');
    pieces.push(tail);
    Printed(pieces)
}

/// `serde_json`'s pretty printing.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always prints")
}

/// Appends `value` pretty-printed to `out` as it reads inside a document that holds it
/// `depth` levels deep: every line after the first indented by `depth` more steps. Written
/// straight out, instead of printed to a string and re-indented with `replace`, which copied
/// every item twice.
pub fn write_indented(value: &impl Serialize, depth: usize, out: &mut Vec<u8>) {
    let formatter = Indented {
        depth,
        has_value: false,
    };
    value
        .serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
        .expect("writing to memory does not fail");
}

/// `serde_json`'s `PrettyFormatter` (two spaces a level), starting `depth` levels deep: it
/// has no way to start anywhere but the left margin. Its layout is copied call for call
/// (a test compares the two).
struct Indented {
    /// Levels of the line being written.
    depth: usize,
    /// Whether the innermost array or object written has a value (else it closes on the
    /// same line it opened on: `[]`, `{}`).
    has_value: bool,
}

impl Indented {
    fn open<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn next<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }

    fn indent<W: ?Sized + io::Write>(&self, writer: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
