//! Properties of preprocessing on generated events and commands: it never panics, whatever
//! the JSON (unicode, control characters, unbalanced quotes, fields of the wrong type); a
//! second pass changes nothing; fields it does not own pass through; and the whitespace
//! normalisation keeps its two promises, one space between words and quoted text untouched.
//!
//! Paths are drawn from directories every Unix system has and keeps still while the tests run
//! (never `/tmp` or `/proc`, which other tests and threads change under our feet), so a second
//! pass sees the same filesystem as the first.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::preprocess;
use super::shell::normalize_whitespace;
use crate::options::Harness;

/// Pieces that drive the normaliser and the command lexer through their states.
const SHELL_PIECES: &[&str] = &[
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "'",
    "\"",
    "\\",
    "\\\n",
    "$(",
    "$((",
    "))",
    ")",
    "(",
    "`",
    "#",
    "<<",
    "<<-",
    "<<<",
    "EOF",
    "E",
    "$'",
    "case ",
    " in ",
    "esac",
    ";;",
    ";",
    "|",
    "&&",
    ">",
    ">>",
    "<",
    "rm",
    " -rf ",
    "mv",
    "cd ",
    "chmod 777 ",
    "find . -delete",
    "dd of=",
    "/",
    "..",
    "*",
    "~",
    "$HOME",
    "${X}",
    "=",
    "sudo ",
    "\u{a0}",
    "\0",
    "\u{1b}[0m",
    "é",
    "🧁",
    "\u{202e}",
];

/// A shell command: mostly pieces above, with arbitrary characters mixed in.
fn command() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            4 => prop::sample::select(SHELL_PIECES).prop_map(str::to_string),
            1 => any::<char>().prop_map(String::from),
            1 => "\\PC{0,4}",
        ],
        0..24,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Path-like text: system directories that stay put, relative steps, oddities.
fn path() -> impl Strategy<Value = String> {
    vec(
        prop::sample::select(
            &[
                "/",
                "/usr",
                "/etc",
                "/bin",
                "/nonexistent",
                "..",
                ".",
                "a",
                "b c",
                "*",
                "~",
                "$X",
                "//",
                "é",
                "\0",
                "lib",
                "share",
            ][..],
        ),
        0..6,
    )
    .prop_map(|parts| parts.join("/"))
}

/// Any JSON value, small, with unicode and control characters in its strings.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,6}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map("\\PC{0,4}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A field preprocessing reads: usually the type it expects, sometimes anything.
fn field(expected: impl Strategy<Value = String>) -> impl Strategy<Value = Option<Value>> {
    proptest::option::weighted(
        0.7,
        prop_oneof![
            4 => expected.prop_map(Value::String),
            1 => any_json(),
        ],
    )
}

/// Whether to put `value` under `key`.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

fn tool_input() -> impl Strategy<Value = Value> {
    (
        field(command()),
        field(path()),
        field(path()),
        field(path()),
        field("\\PC{0,8}"),
        proptest::option::weighted(0.3, vec(any_json(), 0..3).prop_map(Value::Array)),
        btree_map("\\PC{0,4}", any_json(), 0..3),
    )
        .prop_map(
            |(command, file_path, path, notebook_path, content, edits, extra)| {
                let mut input: Map<String, Value> = extra.into_iter().collect();
                put(&mut input, "command", command);
                put(&mut input, "file_path", file_path);
                put(&mut input, "path", path);
                put(&mut input, "notebook_path", notebook_path);
                put(&mut input, "content", content);
                put(&mut input, "edits", edits);
                Value::Object(input)
            },
        )
}

/// An event with the fields preprocessing reads, each sometimes of the wrong type, plus
/// unknown fields.
fn event() -> impl Strategy<Value = Map<String, Value>> {
    let tool =
        prop::sample::select(&["Bash", "Write", "Edit", "MultiEdit", "Read", "bash", ""][..])
            .prop_map(str::to_string);
    let cwd = prop_oneof![path(), Just(String::new()), "\\PC{0,6}"];
    (
        field(tool),
        field(cwd),
        proptest::option::weighted(0.9, prop_oneof![4 => tool_input(), 1 => any_json()]),
        field(command()),
        field(path()),
        field("\\PC{0,6}"),
        btree_map("\\PC{0,6}", any_json(), 0..3),
    )
        .prop_map(|(tool, cwd, input, command, file_path, original, extra)| {
            let mut event: Map<String, Value> = extra.into_iter().collect();
            event.insert("hook_event_name".into(), Value::from("PreToolUse"));
            put(&mut event, "tool_name", tool);
            put(&mut event, "cwd", cwd);
            put(&mut event, "tool_input", input);
            put(&mut event, "command", command);
            put(&mut event, "file_path", file_path);
            put(&mut event, "original_command", original);
            event
        })
}

fn harness() -> impl Strategy<Value = Harness> {
    prop_oneof![Just(Harness::Claude), Just(Harness::Cursor)]
}

/// Top-level fields preprocessing may write.
const DERIVED: &[&str] = &[
    "command",
    "tool_input",
    "original_command",
    "affected_parent_directories",
    "resolved_file_path",
    "original_file_path",
    "is_symlink",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The normalised command is a fixed point, and it never starts with a blank.
    #[test]
    fn normalising_twice_changes_nothing(command in command()) {
        let once = normalize_whitespace(&command);
        prop_assert_eq!(&normalize_whitespace(&once), &once, "input {:?}", command);
        prop_assert!(!once.starts_with([' ', '\t', '\n']), "{:?}", once);
    }

    /// Words separated by any runs of spaces, tabs and line continuations come out separated
    /// by one space: `rm   -rf` cannot slip past `contains(cmd, "rm -rf")`.
    #[test]
    fn blank_runs_become_one_space(
        words in vec("[a-z0-9./_-]{1,6}", 1..6),
        gaps in vec(vec(prop::sample::select(&[" ", "\t", "\\\n"][..]), 1..4), 6),
        lead in vec(prop::sample::select(&[" ", "\t", "\n"][..]), 0..3),
    ) {
        let mut command = lead.concat();
        for (index, word) in words.iter().enumerate() {
            if index > 0 {
                let mut gap = gaps.get(index).cloned().unwrap_or_default().concat();
                // A line continuation alone would glue the words, as it does in the shell.
                gap.push(' ');
                command.push_str(&gap);
            }
            command.push_str(word);
        }
        prop_assert_eq!(normalize_whitespace(&command), words.join(" "));
    }

    /// Single-quoted text is kept byte for byte, whatever it holds.
    #[test]
    fn single_quoted_text_is_kept(text in "[^']{0,24}", prefix in "[a-z]{1,4}") {
        let command = format!("{prefix} '{text}'");
        prop_assert_eq!(normalize_whitespace(&command), command);
    }

    /// Preprocessing never panics, a second pass changes nothing, and fields it does not own
    /// pass through untouched (`original_command` is never overwritten).
    #[test]
    fn preprocessing_is_idempotent(event in event(), harness in harness()) {
        let mut once = event.clone();
        preprocess(&mut once, harness);
        let mut twice = once.clone();
        preprocess(&mut twice, harness);
        prop_assert_eq!(&twice, &once);
        for (key, value) in &event {
            if !DERIVED.contains(&key.as_str()) || key == "original_command" {
                prop_assert_eq!(once.get(key), Some(value), "field {}", key);
            }
        }
    }

    /// Arbitrary JSON objects, none of the expected shape: no panic, and still a fixed point.
    #[test]
    fn arbitrary_objects_are_safe(
        body in btree_map(
            prop_oneof![
                prop::sample::select(&[
                    "tool_name", "tool_input", "cwd", "command", "file_path", "edits",
                ][..]).prop_map(str::to_string),
                "\\PC{0,6}",
            ],
            any_json(),
            0..6,
        ),
        harness in harness(),
    ) {
        let mut once: Map<String, Value> = body.into_iter().collect();
        preprocess(&mut once, harness);
        let mut twice = once.clone();
        preprocess(&mut twice, harness);
        prop_assert_eq!(twice, once);
    }
}
