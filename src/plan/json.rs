//! The JSON plan: the types (their doc comments are the field descriptions of the checked-in
//! `schema/plan.schema.json`), [`render`] and [`schema`]. Output is deterministic: no
//! timestamps, steps in document order, params in order of first use.

use super::{Analysis, PLAN_SCHEMA_VERSION, analyze};
use crate::config::PlanConfig;
use crate::model::{self, Runbook, StepKind};
use schemars::JsonSchema;
use serde::Serialize;

/// A plan generated from one runbook by `runbook plan --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "runbook plan", deny_unknown_fields)]
pub struct Plan {
    /// Version of this JSON shape. Always 1; bumped on any incompatible change.
    #[schemars(extend("const" = 1))]
    pub schema_version: u32,
    /// The runbook the plan was made from.
    pub runbook: RunbookInfo,
    /// The `[plan]` settings the plan was made with.
    pub settings: Settings,
    /// Values the steps need from the person running them, in order of first use.
    pub params: Vec<Param>,
    /// Severity tables the runbook defines, in document order.
    pub severity: Vec<SeverityTable>,
    /// Every step except severity tables, in document order.
    pub steps: Vec<PlanStep>,
}

/// Title, source and metadata of the runbook.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RunbookInfo {
    /// Front matter `title`, else the first level-1 heading, else the file name.
    pub title: String,
    /// Path of the Markdown file, `/`-separated.
    pub source: String,
    /// Front matter and `**Key:** value` lines.
    pub metadata: Metadata,
}

/// Runbook metadata: the well-known keys, then every entry as written.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Metadata {
    /// `Version`.
    pub version: Option<String>,
    /// `Owner` (or `Team`, `Maintainer`).
    pub owner: Option<String>,
    /// `Risk Level` (or `Risk`), as written.
    pub risk_level: Option<String>,
    /// `Estimated Time` (or `Duration`), as written.
    pub estimated_time: Option<String>,
    /// `Last Updated`, as `YYYY-MM-DD`.
    pub last_updated: Option<String>,
    /// `Next Review`, as `YYYY-MM-DD`.
    pub next_review: Option<String>,
    /// Front matter `tags`.
    pub tags: Vec<String>,
    /// Every entry in document order.
    pub entries: Vec<MetaEntry>,
}

/// One `key: value` pair of the metadata.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MetaEntry {
    /// Normalised key: lower case, words joined by `_` (`last_updated`).
    pub name: String,
    /// Key as written (`Last Updated`).
    pub key: String,
    /// Value as text; lists are joined with `, `.
    pub value: String,
    /// 1-based line where it is written.
    pub line: usize,
}

/// The settings of `[plan]` in `book.toml` that shape the plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Settings {
    /// Command risks that need a yes from the user before they run.
    pub confirm: Vec<Risk>,
    /// Per-step timeout as written in `[plan] timeout` (such as `10m`); null when unset.
    pub timeout: Option<String>,
}

/// A value the steps need.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Param {
    /// Bash-safe name: the environment variable's own name, or the upper-snake form of the
    /// placeholder (`<REVISION>` → `REVISION`, `{{ release_tag }}` → `RELEASE_TAG`).
    pub name: String,
    /// The placeholders this param fills in, exactly as written in the commands; empty for a
    /// param that is only an environment variable.
    pub placeholders: Vec<String>,
    /// True when some command reads it as an environment variable (`$NAME`).
    pub env: bool,
    /// False only for a variable that every command reads with a default (`${NAME:-x}`).
    pub required: bool,
    /// A value of the right shape that the runbook shows elsewhere (for `app-xxxxx-xxxxx`, a
    /// real pod name from an example output); never used as a default.
    pub example: Option<String>,
    /// The steps that use it, in document order.
    pub used_in: Vec<ParamUse>,
}

/// Where a param is used.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ParamUse {
    /// Id of the step.
    pub step: String,
    /// Number of the step.
    pub number: usize,
    /// 1-based source line of the step.
    pub line: usize,
}

/// A severity table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SeverityTable {
    /// Where the table is.
    pub source: SourceRef,
    /// Header cells as written.
    pub header: Vec<String>,
    /// The levels, in table order.
    pub levels: Vec<SeverityLevel>,
}

/// One severity level.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SeverityLevel {
    /// Short name: `P1`, `SEV2`, or a word such as `Critical` when no code is given.
    pub name: String,
    /// 1 is the most severe; `P0`/`SEV0` give 0.
    pub rank: u32,
    /// The word label, such as `Critical`.
    pub label: Option<String>,
    /// Response time as written.
    pub response_time: Option<String>,
    /// Response time in seconds, when it parses.
    pub response_secs: Option<u64>,
    /// What the level means.
    pub description: Option<String>,
    /// What to do.
    pub action: Option<String>,
    /// 1-based line of the row.
    pub line: usize,
}

/// Where something is in the runbook.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SourceRef {
    /// Path of the Markdown file, `/`-separated.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// How much harm running a command can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Only reads.
    ReadOnly,
    /// Changes state but can be undone or repeated.
    Mutating,
    /// Loses data or capacity, or cannot be undone.
    Destructive,
}

impl From<model::Risk> for Risk {
    fn from(risk: model::Risk) -> Self {
        match risk {
            model::Risk::ReadOnly => Risk::ReadOnly,
            model::Risk::Mutating => Risk::Mutating,
            model::Risk::Destructive => Risk::Destructive,
        }
    }
}

/// One step.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PlanStep {
    /// Stable id (`step-` and 8 hex digits), unchanged while the step's section, kind and
    /// text do not change.
    pub id: String,
    /// 1-based position in the runbook (the number `--from`/`--only` of the script take).
    pub number: usize,
    /// Short human title.
    pub title: String,
    /// Titles of the enclosing headings, outermost first.
    pub section: Vec<String>,
    /// Where the step is.
    pub source: SourceRef,
    /// What kind of step it is, with its data.
    #[serde(flatten)]
    pub kind: PlanStepKind,
}

/// The kinds of step, tagged by `kind`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanStepKind {
    /// A shell command.
    Command {
        /// The command exactly as written (continuation lines and heredoc bodies included).
        command: String,
        /// Words after shell quoting rules; empty when the quotes do not balance.
        argv: Vec<String>,
        /// The program (`kubectl`, `docker compose`, `psql`...).
        program: String,
        /// The highest risk of any part of the command.
        risk: Risk,
        /// Why that risk (`kubectl delete`); empty for read-only commands.
        risk_reason: String,
        /// Needs a person at a terminal, or never ends by itself: never run unattended.
        interactive: bool,
        /// Never ends by itself (`logs -f`, `watch`).
        never_ending: bool,
        /// Needs a yes before it runs (its risk is in `settings.confirm`).
        confirm: bool,
        /// Names of the params it uses, in order of first use.
        params: Vec<String>,
        /// Why it cannot run as written (quotes that do not close, a placeholder where a
        /// value cannot be inserted safely); null when it can.
        not_runnable: Option<String>,
    },
    /// A checklist item: the user confirms it is done.
    Check {
        /// The item.
        text: String,
        /// Ticked in the document.
        checked: bool,
    },
    /// An instruction for a person.
    Manual {
        /// The instruction.
        text: String,
        /// Its list number, for numbered lists.
        ordinal: Option<u64>,
        /// Nesting depth, 1 for a top-level item.
        depth: usize,
    },
    /// Code that is not a shell command (SQL, YAML, JSON...). Never executed.
    Snippet {
        /// Language.
        lang: String,
        /// The code.
        text: String,
        /// True when it sat in a shell fence.
        in_shell_fence: bool,
    },
    /// Output a command is expected to print. Never executed.
    ExpectedOutput {
        /// The output.
        text: String,
    },
}

/// Builds the plan of `runbook`.
pub fn plan(runbook: &Runbook, config: &PlanConfig) -> Plan {
    from_analysis(&analyze(runbook, config))
}

/// Builds the plan from an analysis.
pub fn from_analysis(analysis: &Analysis<'_>) -> Plan {
    let runbook = analysis.runbook;
    let file = runbook.path.clone();
    let source = |line: usize| SourceRef {
        file: file.clone(),
        line,
    };
    let meta = &runbook.meta;
    let metadata = Metadata {
        version: meta.version.clone(),
        owner: meta.owner.clone(),
        risk_level: meta.risk_level.clone(),
        estimated_time: meta.estimated_time.clone(),
        last_updated: meta.last_updated.map(|d| d.to_string()),
        next_review: meta.next_review.map(|d| d.to_string()),
        tags: meta.tags.clone(),
        entries: meta
            .entries
            .iter()
            .map(|e| MetaEntry {
                name: e.name.clone(),
                key: e.key.clone(),
                value: e.value.clone(),
                line: e.span.line,
            })
            .collect(),
    };
    let params = analysis
        .params
        .list
        .iter()
        .map(|p| Param {
            name: p.name.clone(),
            placeholders: p.placeholders.clone(),
            env: p.env,
            required: p.required,
            example: p.example.clone(),
            used_in: p
                .uses
                .iter()
                .map(|u| ParamUse {
                    step: runbook.steps[u.index].id.clone(),
                    number: runbook.steps[u.index].number,
                    line: u.line,
                })
                .collect(),
        })
        .collect();
    let severity = runbook
        .severity_tables()
        .map(|(step, table)| SeverityTable {
            source: source(step.span.line),
            header: table.header.clone(),
            levels: table
                .levels
                .iter()
                .map(|l| SeverityLevel {
                    name: l.name.clone(),
                    rank: l.rank,
                    label: l.label.clone(),
                    response_time: l.response_time.clone(),
                    response_secs: l.response_secs,
                    description: l.description.clone(),
                    action: l.action.clone(),
                    line: l.span.line,
                })
                .collect(),
        })
        .collect();
    let steps = analysis
        .steps
        .iter()
        .enumerate()
        .filter_map(|(index, sp)| {
            let step = sp.step;
            let kind = match &step.kind {
                StepKind::Command(cmd) => PlanStepKind::Command {
                    command: cmd.text.clone(),
                    argv: cmd.argv.clone(),
                    program: cmd.program.clone(),
                    risk: cmd.risk.into(),
                    risk_reason: cmd.risk_reason.clone(),
                    interactive: cmd.interactive || cmd.never_ending,
                    never_ending: cmd.never_ending,
                    confirm: sp.confirm,
                    params: analysis.params.per_step[index].names.clone(),
                    not_runnable: sp.code.as_ref().and_then(|c| c.as_ref().err()).cloned(),
                },
                StepKind::Check { text, checked } => PlanStepKind::Check {
                    text: text.clone(),
                    checked: *checked,
                },
                StepKind::Manual {
                    text,
                    ordinal,
                    depth,
                } => PlanStepKind::Manual {
                    text: text.clone(),
                    ordinal: *ordinal,
                    depth: *depth,
                },
                StepKind::Snippet {
                    lang,
                    text,
                    in_shell_fence,
                } => PlanStepKind::Snippet {
                    lang: lang.clone(),
                    text: text.clone(),
                    in_shell_fence: *in_shell_fence,
                },
                StepKind::ExpectedOutput { text } => {
                    PlanStepKind::ExpectedOutput { text: text.clone() }
                }
                StepKind::Severity(_) => return None,
            };
            Some(PlanStep {
                id: step.id.clone(),
                number: step.number,
                title: step.title.clone(),
                section: step.section_path.to_vec(),
                source: source(step.span.line),
                kind,
            })
        })
        .collect();
    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        runbook: RunbookInfo {
            title: runbook.title.clone(),
            source: runbook.path.clone(),
            metadata,
        },
        settings: Settings {
            confirm: analysis.confirm.iter().map(|&r| r.into()).collect(),
            timeout: analysis.timeout.clone(),
        },
        params,
        severity,
        steps,
    }
}

/// The plan of `runbook` as pretty-printed JSON, ending in a newline.
pub fn render(runbook: &Runbook, config: &PlanConfig) -> String {
    render_analysis(&analyze(runbook, config))
}

/// The JSON plan text from an analysis (the site renders both plans from one analysis).
///
/// Written by hand, field by field in the order of [`Plan`], exactly as
/// `serde_json::to_string_pretty(&from_analysis(analysis))` writes it (a test checks the two
/// agree): building the owned [`Plan`] copied every string of the runbook, and the generic
/// serializer (the flattened, tagged step kind in particular) was most of the time of a
/// `runbook build`'s JSON plans.
pub fn render_analysis(analysis: &Analysis<'_>) -> String {
    let runbook = analysis.runbook;
    let mut w = Pretty {
        out: String::with_capacity(4096 + 1024 * runbook.steps.len()),
        depth: 0,
        first: true,
    };
    w.open('{');
    w.key("schema_version");
    w.num(u64::from(PLAN_SCHEMA_VERSION));
    w.key("runbook");
    w.open('{');
    w.key("title");
    w.str(&runbook.title);
    w.key("source");
    w.str(&runbook.path);
    w.key("metadata");
    write_metadata(&mut w, &runbook.meta);
    w.close('}');
    w.key("settings");
    w.open('{');
    w.key("confirm");
    w.open('[');
    for &risk in &analysis.confirm {
        w.item();
        w.str(risk.as_str());
    }
    w.close(']');
    w.key("timeout");
    w.opt_str(analysis.timeout.as_deref());
    w.close('}');
    w.key("params");
    w.open('[');
    for p in &analysis.params.list {
        w.item();
        w.open('{');
        w.key("name");
        w.str(&p.name);
        w.key("placeholders");
        w.strs(&p.placeholders);
        w.key("env");
        w.bool(p.env);
        w.key("required");
        w.bool(p.required);
        w.key("example");
        w.opt_str(p.example.as_deref());
        w.key("used_in");
        w.open('[');
        for u in &p.uses {
            let step = &runbook.steps[u.index];
            w.item();
            w.open('{');
            w.key("step");
            w.str(&step.id);
            w.key("number");
            w.num(step.number as u64);
            w.key("line");
            w.num(u.line as u64);
            w.close('}');
        }
        w.close(']');
        w.close('}');
    }
    w.close(']');
    w.key("severity");
    w.open('[');
    for (step, table) in runbook.severity_tables() {
        w.item();
        w.open('{');
        w.key("source");
        w.source(&runbook.path, step.span.line);
        w.key("header");
        w.strs(&table.header);
        w.key("levels");
        w.open('[');
        for l in &table.levels {
            w.item();
            w.open('{');
            w.key("name");
            w.str(&l.name);
            w.key("rank");
            w.num(u64::from(l.rank));
            w.key("label");
            w.opt_str(l.label.as_deref());
            w.key("response_time");
            w.opt_str(l.response_time.as_deref());
            w.key("response_secs");
            w.opt_num(l.response_secs);
            w.key("description");
            w.opt_str(l.description.as_deref());
            w.key("action");
            w.opt_str(l.action.as_deref());
            w.key("line");
            w.num(l.span.line as u64);
            w.close('}');
        }
        w.close(']');
        w.close('}');
    }
    w.close(']');
    w.key("steps");
    w.open('[');
    for (index, sp) in analysis.steps.iter().enumerate() {
        write_step(&mut w, analysis, index, sp);
    }
    w.close(']');
    w.close('}');
    w.out.push('\n');
    w.out
}

fn write_metadata(w: &mut Pretty, meta: &model::Metadata) {
    w.open('{');
    w.key("version");
    w.opt_str(meta.version.as_deref());
    w.key("owner");
    w.opt_str(meta.owner.as_deref());
    w.key("risk_level");
    w.opt_str(meta.risk_level.as_deref());
    w.key("estimated_time");
    w.opt_str(meta.estimated_time.as_deref());
    w.key("last_updated");
    w.opt_str(meta.last_updated.map(|d| d.to_string()).as_deref());
    w.key("next_review");
    w.opt_str(meta.next_review.map(|d| d.to_string()).as_deref());
    w.key("tags");
    w.strs(&meta.tags);
    w.key("entries");
    w.open('[');
    for e in &meta.entries {
        w.item();
        w.open('{');
        w.key("name");
        w.str(&e.name);
        w.key("key");
        w.str(&e.key);
        w.key("value");
        w.str(&e.value);
        w.key("line");
        w.num(e.span.line as u64);
        w.close('}');
    }
    w.close(']');
    w.close('}');
}

/// One element of `steps` (nothing for a severity table), as [`PlanStep`] serializes.
fn write_step(w: &mut Pretty, analysis: &Analysis<'_>, index: usize, sp: &super::StepPlan<'_>) {
    let step = sp.step;
    if matches!(step.kind, StepKind::Severity(_)) {
        return;
    }
    w.item();
    w.open('{');
    w.key("id");
    w.str(&step.id);
    w.key("number");
    w.num(step.number as u64);
    w.key("title");
    w.str(&step.title);
    w.key("section");
    w.strs(&step.section_path);
    w.key("source");
    w.source(&analysis.runbook.path, step.span.line);
    // The tag first, then the variant's fields: what `#[serde(flatten)]` of the internally
    // tagged `PlanStepKind` gives.
    w.key("kind");
    w.str(step.kind.name());
    match &step.kind {
        StepKind::Command(cmd) => {
            w.key("command");
            w.str(&cmd.text);
            w.key("argv");
            w.strs(&cmd.argv);
            w.key("program");
            w.str(&cmd.program);
            w.key("risk");
            w.str(cmd.risk.as_str());
            w.key("risk_reason");
            w.str(&cmd.risk_reason);
            w.key("interactive");
            w.bool(cmd.interactive || cmd.never_ending);
            w.key("never_ending");
            w.bool(cmd.never_ending);
            w.key("confirm");
            w.bool(sp.confirm);
            w.key("params");
            w.strs(&analysis.params.per_step[index].names);
            w.key("not_runnable");
            w.opt_str(
                sp.code
                    .as_ref()
                    .and_then(|c| c.as_ref().err())
                    .map(String::as_str),
            );
        }
        StepKind::Check { text, checked } => {
            w.key("text");
            w.str(text);
            w.key("checked");
            w.bool(*checked);
        }
        StepKind::Manual {
            text,
            ordinal,
            depth,
        } => {
            w.key("text");
            w.str(text);
            w.key("ordinal");
            w.opt_num(*ordinal);
            w.key("depth");
            w.num(*depth as u64);
        }
        StepKind::Snippet {
            lang,
            text,
            in_shell_fence,
        } => {
            w.key("lang");
            w.str(lang);
            w.key("text");
            w.str(text);
            w.key("in_shell_fence");
            w.bool(*in_shell_fence);
        }
        StepKind::ExpectedOutput { text } => {
            w.key("text");
            w.str(text);
        }
        StepKind::Severity(_) => {}
    }
    w.close('}');
}

/// serde_json's pretty printer, by hand: two-space indent, `"key": value`, an empty object
/// or array as `{}` / `[]`, strings escaped as serde_json escapes them.
struct Pretty {
    out: String,
    /// Containers open.
    depth: usize,
    /// Nothing written yet in the innermost open container.
    first: bool,
}

impl Pretty {
    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if !self.first {
            self.newline();
        }
        self.out.push(bracket);
        // The container just closed is a value of its parent, which is therefore not empty.
        self.first = false;
    }

    fn newline(&mut self) {
        // Plans nest six deep at most; deeper would only take the loop.
        const SPACES: &str = "\n                ";
        match SPACES.get(..1 + 2 * self.depth) {
            Some(indent) => self.out.push_str(indent),
            None => {
                self.out.push('\n');
                for _ in 0..self.depth {
                    self.out.push_str("  ");
                }
            }
        }
    }

    /// Starts an element of an array.
    fn item(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.newline();
    }

    /// Starts a field of an object; `name` needs no escaping.
    fn key(&mut self, name: &str) {
        self.item();
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\": ");
    }

    fn num(&mut self, n: u64) {
        push_number(&mut self.out, n);
    }

    fn bool(&mut self, value: bool) {
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn opt_num(&mut self, n: Option<u64>) {
        match n {
            Some(n) => self.num(n),
            None => self.out.push_str("null"),
        }
    }

    fn opt_str(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.str(text),
            None => self.out.push_str("null"),
        }
    }

    fn strs(&mut self, items: &[String]) {
        self.open('[');
        for item in items {
            self.item();
            self.str(item);
        }
        self.close(']');
    }

    fn source(&mut self, file: &str, line: usize) {
        self.open('{');
        self.key("file");
        self.str(file);
        self.key("line");
        self.num(line as u64);
        self.close('}');
    }

    fn str(&mut self, text: &str) {
        push_string(&mut self.out, text);
    }
}

/// Appends `n` in decimal, as serde_json (and `Display`) write it, without the formatting
/// machinery: with `itoa` (what serde_json itself uses), two digits per step and one copy,
/// where dividing by ten and pushing each digit as a `char` showed in every posting of the
/// search index.
pub(crate) fn push_number(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Appends `text` as a JSON string, as serde_json writes it: `"` and `\\` escaped, the
/// control characters below U+0020 as `\b \t \n \f \r` or `\u00XX` (lower-case hex),
/// everything else as is.
pub(crate) fn push_string(out: &mut String, text: &str) {
    out.push('"');
    // Most strings need no escape: one pass that does not stop early (so it vectorises),
    // then one copy.
    if !text.bytes().fold(false, |seen, b| {
        seen | (b < 0x20) | (b == b'"') | (b == b'\\')
    }) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\t' => "\\t",
            b'\r' => "\\r",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        last = i + 1;
    }
    out.push_str(&text[last..]);
    out.push('"');
}

/// The JSON Schema of the plan (draft 2020-12), as checked in at `schema/plan.schema.json`.
pub fn schema() -> String {
    let settings = schemars::generate::SchemaSettings::draft2020_12().for_serialize();
    let schema = settings.into_generator().into_root_schema_for::<Plan>();
    let mut json = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|err| format!("{{\"error\": {:?}}}", err.to_string()));
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `render_analysis` wrote before it was written by hand.
    fn reference(analysis: &Analysis<'_>) -> String {
        serde_json::to_string_pretty(&from_analysis(analysis)).unwrap() + "\n"
    }

    fn configs() -> [PlanConfig; 3] {
        [
            PlanConfig::default(),
            PlanConfig {
                confirm: Vec::new(),
                timeout: Some("10m".into()),
                ..PlanConfig::default()
            },
            PlanConfig {
                confirm: vec!["mutating".into(), "read-only".into(), "destructive".into()],
                timeout: Some("90 \"s\"\t".into()),
                ..PlanConfig::default()
            },
        ]
    }

    fn check(path: &str, text: &str) {
        let runbook = crate::parse::parse_runbook(&crate::source::SourceFile::new(path, text));
        for config in configs() {
            let analysis = analyze(&runbook, &config);
            assert_eq!(render_analysis(&analysis), reference(&analysis), "{path}");
        }
    }

    #[test]
    fn hand_written_plan_is_what_serde_json_writes_for_every_book_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in ["content", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
                let entry = entry.unwrap();
                if entry.path().extension().is_some_and(|e| e == "md") {
                    let text = std::fs::read_to_string(entry.path()).unwrap();
                    check(&entry.path().display().to_string(), &text);
                    seen += 1;
                }
            }
        }
        assert!(seen > 20, "{seen} runbooks");
    }

    #[test]
    fn hand_written_plan_escapes_like_serde_json() {
        check(
            "we\"ird\\path\u{1}.md",
            "---\ntitle: \"T \\\"q\\\" \\u0007 é\"\ntags: [a\\b]\n---\n\n# H \u{7f}\u{85}\n\n**Owner:** x\u{c}y\n\n\
             | Severity | Response |\n|---|---|\n| P1 - Critical | 15 minutes |\n\n\
             1. Run `a\tb`:\n   ```bash\n   echo \"<NAME>\" '\\' $HOME\u{1b}[0m\n   ```\n\
             - [x] done\r\n\n```sql\nselect '\u{8}';\n```\n\n```console\n$ ls\nout\u{0}put\n```\n",
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Strings and numbers come out as serde_json writes them.
        #[test]
        fn strings_and_numbers_match_serde_json(text in ".{0,24}|[\"\\\\\u{0}-\u{1f}\u{7f}a é]{0,24}", n: u64) {
            let mut out = String::new();
            push_string(&mut out, &text);
            proptest::prop_assert_eq!(out, serde_json::to_string(&text).unwrap());
            let mut out = String::new();
            push_number(&mut out, n);
            proptest::prop_assert_eq!(out, n.to_string());
        }

        /// Short numbers too (the index writes mostly those), after other text.
        #[test]
        fn short_numbers_match_display(
            n in proptest::prop_oneof![0u64..200, 0u64..100_000],
            before in "[a-z,]{0,3}",
        ) {
            let mut out = before.clone();
            push_number(&mut out, n);
            proptest::prop_assert_eq!(out, format!("{before}{n}"));
        }

        /// Any Markdown gives the plan serde_json would write.
        #[test]
        fn hand_written_plan_matches_serde_json(text in markdownish()) {
            check("p.md", &text);
        }
    }

    /// Markdown made of pieces that make steps of every kind, and characters JSON escapes.
    fn markdownish() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pieces = vec![
            "# Title\n",
            "## Section\n",
            "\n",
            "- [ ] check\n",
            "- [x] done\n",
            "1. do it\n",
            "   2. nested\n",
            "```bash\n",
            "```\n",
            "```sql\n",
            "```console\n",
            "$ kubectl get pods\n",
            "kubectl delete pod app-xxxxx-xxxxx\n",
            "echo \"$DB_HOST\" <REVISION>\n",
            "'",
            "\"",
            "\\",
            "\t",
            "\r",
            "\u{1}",
            "\u{1f}",
            "\u{7f}",
            "é",
            "**Owner:** team\n",
            "| P1 - Critical | 15 minutes |\n",
            "| Severity | Response |\n|---|---|\n",
        ];
        proptest::collection::vec(proptest::sample::select(pieces), 0..40).prop_map(|p| p.concat())
    }

    #[test]
    fn schema_names_the_version_and_the_kinds() {
        let schema = schema();
        assert!(schema.contains("\"const\": 1"), "{schema}");
        for kind in ["command", "check", "manual", "snippet", "expected_output"] {
            assert!(schema.contains(&format!("\"const\": \"{kind}\"")), "{kind}");
        }
    }
}
