//! Pretty-printing a JSON document whose one long list is printed item by item, on all cores:
//! a large book has tens of thousands of findings, and `serde_json::to_string_pretty` of
//! the whole document runs on one. The result is the same bytes.

use rayon::prelude::*;
use serde_json::Value;

/// `frame` pretty-printed, with a final newline, and with `items` (each pretty-printed by
/// `print`) in its list `key`, which must be empty in `frame` and sit at `depth` (how many
/// objects and arrays hold it: 1 for a top-level key).
pub fn with_list<T: Sync>(
    frame: &Value,
    key: &str,
    depth: usize,
    items: &[T],
    print: impl Fn(&T) -> String + Sync,
) -> String {
    let frame = pretty(frame);
    if items.is_empty() {
        return frame + "\n";
    }
    let indent = "  ".repeat(depth + 1);
    let newline = format!("\n{indent}");
    let texts: Vec<String> = items
        .par_iter()
        .map(|one| {
            // Strings in JSON have their newlines escaped, so every line break is layout.
            let mut text = indent.clone();
            text.push_str(&print(one).replace('\n', &newline));
            text
        })
        .collect();
    // Keys are strings, so `"key": []` unescaped can only be the empty list itself.
    let empty = format!("\"{key}\": []");
    let at = frame.find(&empty).expect("the frame holds the empty list");
    let size = frame.len() + texts.iter().map(|t| t.len() + 2).sum::<usize>() + 2 * indent.len();
    let mut out = String::with_capacity(size);
    out.push_str(&frame[..at]);
    out.push_str(&empty[..empty.len() - 1]);
    out.push('\n');
    for (n, text) in texts.iter().enumerate() {
        if n > 0 {
            out.push_str(",\n");
        }
        out.push_str(text);
    }
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
    out.push(']');
    out.push_str(&frame[at + empty.len()..]);
    out.push('\n');
    out
}

/// `serde_json`'s pretty printing.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always prints")
}
