//! Model snapshot tests: every shape the parser knows, from `tests/fixtures/model/*.md`.
//! Spans are shown as `line:column` so the snapshots stay readable; the byte offsets are
//! covered by the CRLF test below, which compares positions between line-ending styles.

use runbook::model::{Runbook, StepKind};
use runbook::parse::parse_runbook;
use runbook::source::SourceFile;
use serde_json::Value;

fn parse_fixture(name: &str) -> (String, Runbook) {
    let path = super::util::fixtures().join("model").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let runbook = parse_runbook(&SourceFile::new(name, text.clone()));
    (text, runbook)
}

/// The runbook as JSON with every span shortened to `"line:column"`.
fn readable(runbook: &Runbook) -> Value {
    fn shorten(value: &mut Value) {
        match value {
            Value::Object(map) => {
                let is_span = map.len() == 4
                    && ["start", "end", "line", "column"]
                        .iter()
                        .all(|k| map.contains_key(*k));
                if is_span {
                    *value = Value::String(format!("{}:{}", map["line"], map["column"]));
                    return;
                }
                map.values_mut().for_each(shorten);
            }
            Value::Array(items) => items.iter_mut().for_each(shorten),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(runbook).unwrap();
    shorten(&mut value);
    value
}

macro_rules! model_snapshot {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            let (_, runbook) = parse_fixture($file);
            insta::assert_json_snapshot!(stringify!($test), readable(&runbook));
        }
    };
}

model_snapshot!(fences_in_lists, "fences_in_lists.md");
model_snapshot!(prompts, "prompts.md");
model_snapshot!(continuations, "continuations.md");
model_snapshot!(mixed_fence, "mixed_fence.md");
model_snapshot!(metadata, "metadata.md");
model_snapshot!(toml_front_matter, "toml_front_matter.md");
model_snapshot!(bad_front_matter, "bad_front_matter.md");
model_snapshot!(severity, "severity.md");
model_snapshot!(links_and_slugs, "links_and_slugs.md");
model_snapshot!(classification, "classification.md");
model_snapshot!(checklists_manual, "checklists_manual.md");
model_snapshot!(unclosed_fence, "unclosed_fence.md");

/// What a step is and where, independent of byte offsets.
fn step_shapes(runbook: &Runbook) -> Vec<(String, usize, usize, String, String)> {
    runbook
        .steps
        .iter()
        .map(|s| {
            let text = match &s.kind {
                StepKind::Command(c) => format!("{} {:?} {:?}", c.text, c.argv, c.risk),
                StepKind::ExpectedOutput { text }
                | StepKind::Check { text, .. }
                | StepKind::Manual { text, .. }
                | StepKind::Snippet { text, .. } => text.clone(),
                StepKind::Severity(t) => format!(
                    "{:?}",
                    t.levels
                        .iter()
                        .map(|l| (&l.name, l.response_secs))
                        .collect::<Vec<_>>()
                ),
            };
            (
                s.kind.name().to_owned(),
                s.span.line,
                s.span.column,
                s.id.clone(),
                text,
            )
        })
        .collect()
}

#[test]
fn crlf_files_parse_like_lf_files() {
    let dir = super::util::fixtures().join("model");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in names {
        let (text, lf) = parse_fixture(&name);
        let crlf = parse_runbook(&SourceFile::new(name.as_str(), text.replace('\n', "\r\n")));
        assert_eq!(
            step_shapes(&lf),
            step_shapes(&crlf),
            "{name}: steps differ with CRLF"
        );
        assert_eq!(lf.title, crlf.title, "{name}");
        let slugs = |r: &Runbook| {
            r.sections
                .iter()
                .map(|s| (s.slug.clone(), s.span.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(slugs(&lf), slugs(&crlf), "{name}");
        let meta = |r: &Runbook| {
            r.meta
                .entries
                .iter()
                .map(|e| (e.name.clone(), e.value.clone(), e.span.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(meta(&lf), meta(&crlf), "{name}");
    }
}

#[test]
fn spans_point_at_the_text_they_describe() {
    let (text, runbook) = parse_fixture("fences_in_lists.md");
    let file = SourceFile::new("x", text);
    for step in &runbook.steps {
        if let StepKind::Command(cmd) = &step.kind {
            let line = file.line_text(step.span.line).unwrap();
            let at: String = line.chars().skip(step.span.column - 1).collect();
            assert!(
                at.starts_with(cmd.text.lines().next().unwrap()),
                "step {} points at {at:?}",
                step.number
            );
        }
    }
}

#[test]
fn step_ids_do_not_move_when_another_step_changes() {
    let (text, before) = parse_fixture("classification.md");
    let edited = text.replace(
        "kubectl get pods -n prod -l app=api",
        "kubectl get pods -n prod -l app=api-v2",
    );
    let after = parse_runbook(&SourceFile::new("classification.md", edited));
    assert_eq!(before.steps.len(), after.steps.len());
    let changed: Vec<usize> = before
        .steps
        .iter()
        .zip(&after.steps)
        .filter(|(a, b)| a.id != b.id)
        .map(|(a, _)| a.number)
        .collect();
    assert_eq!(changed, vec![1], "only the edited step gets a new id");
    let mut ids: Vec<&str> = before.steps.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), before.steps.len(), "ids are unique");
}

/// Fragments real runbooks are made of, including broken ones; random documents built from
/// them must parse without panicking, with every span inside the file.
const FRAGMENTS: &[&str] = &[
    "# Title\n",
    "## Section\n",
    "### Sub {#custom}\n",
    "\n",
    "text with `code` and **bold**\n",
    "- [ ] check\n",
    "- [x] done\n",
    "1. step\n",
    "   - nested\n",
    "      1. deeper\n",
    "```bash\n",
    "```\n",
    "~~~sh\n",
    "~~~\n",
    "```console\n",
    "$ kubectl get pods -n prod\n",
    "NAME READY\n",
    "# comment\n",
    "kubectl delete pod x-xxxxx --force \\\n",
    "  -n prod\n",
    "curl -d '{\n",
    "\"a\": 1}'\n",
    "cat <<EOF\n",
    "EOF\n",
    "SELECT 1;\n",
    "spec:\n",
    "| Level | Response Time |\n",
    "|---|---|\n",
    "| P1 - Critical | 15 minutes |\n",
    "| x |\n",
    "**Owner:** @team\n",
    "**Next Review:** someday\n",
    "---\n",
    "title: [x\n",
    "+++\n",
    "[link](other.md#a) [x](#b) <https://e.example>\n",
    "> quote\n",
    "<div>html</div>\n",
    "\r\n",
    "é ü 日本 🚀\n",
    "\t\tindented\n",
    "    indented code\n",
    "\\\n",
    "'\n",
    "\"\n",
    "$(\n",
    "<<<\n",
    "`\n",
    "{{ x }}\n",
    "<PLACEHOLDER>\n",
    "[POD_NAME]\n",
];

#[test]
fn random_documents_never_panic_and_spans_stay_in_bounds() {
    // A fixed linear congruential generator: the same documents on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for case in 0..3000 {
        let len = next() % 40;
        let text: String = (0..len)
            .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
            .collect();
        let file = SourceFile::new("fuzz.md", text.clone());
        let runbook = parse_runbook(&file);
        let lines = file.line_count().max(1);
        let check = |span: &runbook::source::Span, what: &str| {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "case {case}: {what} span {span:?} outside {} bytes:\n{text:?}",
                text.len()
            );
            assert!(
                span.line >= 1 && span.line <= lines + 1,
                "case {case}: {what} line {} of {lines}:\n{text:?}",
                span.line
            );
        };
        for step in &runbook.steps {
            check(&step.span, step.kind.name());
        }
        for section in &runbook.sections {
            check(&section.span, "section");
        }
        for link in &runbook.links {
            check(&link.span, "link");
        }
        for entry in &runbook.meta.entries {
            check(&entry.span, "meta");
        }
        let _ = serde_json::to_string(&runbook).unwrap();
    }
}
