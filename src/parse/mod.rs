//! Markdown → model. One parser constructor with one set of options (`markdown_parser`), so
//! every back end sees the same events and spans; one walker (`walk.rs`) that turns the
//! event stream of a file into a `Runbook`.

mod argv;
pub mod classify;
mod lines;
mod meta;
pub mod percent;
pub(crate) mod regex_ascii;
pub mod severity;
pub mod shell;
pub mod shell_lex;
mod simple_yaml;
pub mod slug;
mod walk;

pub use meta::{normalize_key, parse_date};
pub use slug::slugify;

use crate::model::Runbook;
use crate::source::SourceFile;
use pulldown_cmark::{Options, Parser};

/// The Markdown options every part of runbook uses.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
}

/// The one Markdown parser constructor.
pub fn markdown_parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, markdown_options())
}

/// Parses one file into a runbook. Never fails: problems become diagnostics on the runbook.
pub fn parse_runbook(file: &SourceFile) -> Runbook {
    walk::Walker::new(file).run()
}

/// One Markdown event of a file and its byte range, as `markdown_parser` gives them.
pub type Parsed<'t> = (pulldown_cmark::Event<'t>, std::ops::Range<usize>);

/// The Markdown events of a file, in order.
pub type Events<'t> = Vec<Parsed<'t>>;

/// `parse_runbook`, also giving the Markdown events the runbook was built from: the page
/// renderer reads the same events, and parsing the text twice was 3% of a site build.
pub fn parse_runbook_with_events(file: &SourceFile) -> (Runbook, Events<'_>) {
    walk::Walker::new(file).run_keeping_events()
}
