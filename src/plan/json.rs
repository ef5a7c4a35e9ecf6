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
pub fn render_analysis(analysis: &Analysis<'_>) -> String {
    // Serializing plain strings, numbers and vectors cannot fail.
    let mut json = serde_json::to_string_pretty(&from_analysis(analysis))
        .unwrap_or_else(|err| format!("{{\"error\": {:?}}}", err.to_string()));
    json.push('\n');
    json
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

    #[test]
    fn schema_names_the_version_and_the_kinds() {
        let schema = schema();
        assert!(schema.contains("\"const\": 1"), "{schema}");
        for kind in ["command", "check", "manual", "snippet", "expected_output"] {
            assert!(schema.contains(&format!("\"const\": \"{kind}\"")), "{kind}");
        }
    }
}
