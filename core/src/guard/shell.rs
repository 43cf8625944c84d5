//! Which protected path a shell command would change. Stricter than the destructive-command
//! analysis on purpose: the guard knows exactly which paths matter, so any program that is not
//! known to only read is assumed to write every path it names, and anything that cannot be
//! resolved statically but spells a protected name counts as reaching it.

use std::path::{Path, PathBuf};

use super::protected::{Mode, Protected};
use super::Context;
use crate::preprocess::braces::expand as expand_braces;
use crate::preprocess::destructive::{
    change_dir, is_assignment, INTERPRETERS, RESERVED, SHELLS, WRAPPERS,
};
use crate::preprocess::lexer::{self, Expansion, Word};
use crate::preprocess::paths;

/// Nested `sh -c` and `eval` strings analysed before giving up (and refusing).
const MAX_DEPTH: usize = 8;

/// Programs that never change the files they name (some only without certain options, see
/// [`reads_only`]).
const READ_ONLY: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ls",
    "stat",
    "file",
    "wc",
    "diff",
    "cmp",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "b2sum",
    "cksum",
    "readlink",
    "realpath",
    "basename",
    "dirname",
    "tree",
    "echo",
    "printf",
    "test",
    "[",
    "jq",
    "bat",
    "od",
    "xxd",
    "hexdump",
    "strings",
    "du",
    "pwd",
    "true",
    "false",
    "type",
    "which",
    "uniq",
    "cut",
    "tr",
    "nl",
    "column",
    "sort",
    "sed",
    "find",
    "git",
    "cupcake",
];

/// Programs that delete, move or re-permission what they name, with everything below it.
const DESTROYING: &[&str] = &[
    "rm", "rmdir", "unlink", "shred", "mv", "chmod", "chown", "chgrp", "chattr", "truncate",
    "rsync", "find",
];

/// Git subcommands that leave the working tree alone.
const GIT_READ_ONLY: &[&str] = &[
    "status",
    "log",
    "diff",
    "show",
    "blame",
    "ls-files",
    "grep",
    "rev-parse",
    "add",
    "commit",
    "describe",
    "shortlog",
];

/// Where the analysis stands while it walks a command line.
struct Walk<'a> {
    context: &'a Context<'a>,
    /// The working directory, or `None` after a `cd` whose target is unknown.
    base: Option<PathBuf>,
    /// Whether the command turns on dot-globbing, so `*` matches `.cupcake`.
    dotglob: bool,
}

/// The first protected path `command` would change, as text for the message.
pub(super) fn reached(command: &str, context: &Context<'_>) -> Option<String> {
    let mut walk = Walk {
        context,
        base: Some(context.cwd.to_path_buf()),
        dotglob: command.contains("dotglob") || command.contains("GLOBIGNORE"),
    };
    walk.script(command, 0)
}

impl Walk<'_> {
    fn script(&mut self, script: &str, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return self
                .marked(script)
                .or_else(|| Some("a command nested too deeply to analyse".into()));
        }
        for simple in lexer::simple_commands(script) {
            for target in &simple.writes {
                if let Some(hit) = self.word(target, Mode::Write) {
                    return Some(hit);
                }
            }
            if let Some(hit) = self.simple(&simple.words, depth) {
                return Some(hit);
            }
        }
        None
    }

    fn simple(&mut self, words: &[Word], depth: usize) -> Option<String> {
        let start = program_index(words)?;
        let program = words.get(start)?;
        let args = words.get(start + 1..).unwrap_or_default();
        let name = base_name(&program.text);
        if name == "cd" || name == "pushd" {
            self.base = change_dir(self.base.as_deref(), args);
            return None;
        }
        if name == "eval" {
            let joined: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
            return self.script(&joined.join(" "), depth + 1);
        }
        if SHELLS.contains(&name.as_str()) {
            if let Some(code) = args
                .iter()
                .position(|w| w.text.starts_with('-') && w.text.contains('c'))
                .and_then(|at| args.get(at + 1))
            {
                return self.script(&code.text, depth + 1);
            }
        }
        // Interpreter code (and a sed script, whose `w` command writes files) can write
        // anywhere: a protected name in any word counts.
        if INTERPRETERS.contains(&name.as_str()) || name == "sed" {
            if let Some(hit) = words.iter().find_map(|w| self.marked(&w.text)) {
                return Some(hit);
            }
        }
        if reads_only(&name, args) {
            return None;
        }
        // Any word naming a destroying program (also after wrappers) makes ancestors count.
        let mode = if words
            .iter()
            .any(|w| DESTROYING.contains(&base_name(&w.text).as_str()))
        {
            Mode::Destroy
        } else {
            Mode::Write
        };
        args.iter().find_map(|word| self.word_and_value(word, mode))
    }

    /// A word, and for `--opt=value` or `of=value` also its value.
    fn word_and_value(&self, word: &Word, mode: Mode) -> Option<String> {
        self.word(word, mode).or_else(|| {
            let (_, value) = word.text.split_once('=')?;
            let skip = word.text.len() - value.len();
            self.word(&word.tail(skip), mode)
        })
    }

    /// The protected path one word reaches, literal, globbed or expanded.
    fn word(&self, word: &Word, mode: Mode) -> Option<String> {
        let text = word.text.as_str();
        if text.is_empty() || (text.starts_with('-') && !text.contains('/')) {
            return None;
        }
        match word.expansion {
            None => self.literal(text, mode),
            Some((at, Expansion::Glob)) => self.glob(text, at, mode),
            Some((_, Expansion::Other)) => {
                let expanded = expand_braces(text);
                let resolved = expanded.as_ref().and_then(|words| {
                    words
                        .iter()
                        .find_map(|w| self.expanded(&self.with_home(w), mode))
                });
                resolved
                    .or_else(|| {
                        expanded
                            .is_none()
                            .then(|| self.expanded(&self.with_home(text), mode))
                            .flatten()
                    })
                    .or_else(|| self.marked(text))
            }
        }
    }

    /// A word after brace and home expansion: literal, or a glob if it still has one.
    fn expanded(&self, text: &str, mode: Mode) -> Option<String> {
        if text.contains('$') || text.contains('`') || text.starts_with('~') {
            return self.marked(text);
        }
        match text.find(['*', '?', '[']) {
            Some(at) => self.glob(text, at, mode),
            None => self.literal(text, mode),
        }
    }

    fn literal(&self, text: &str, mode: Mode) -> Option<String> {
        let path = Path::new(text);
        let joined = match &self.base {
            _ if path.is_absolute() => path.to_path_buf(),
            Some(base) => base.join(path),
            None => return self.marked(text),
        };
        self.reached_path(&joined, mode)
    }

    fn reached_path(&self, path: &Path, mode: Mode) -> Option<String> {
        if let Some(entry) = self.context.protected.reached(path, mode) {
            return Some(entry.what.clone());
        }
        let resolved = paths::resolve(path);
        (Protected::is_hook_config(path) || Protected::is_hook_config(&resolved))
            .then(|| format!("an agent's hook configuration ({})", path.display()))
    }

    fn glob(&self, text: &str, at: usize, mode: Mode) -> Option<String> {
        let literal = text.get(..at).unwrap_or_default();
        let split = literal.rfind('/').map_or(0, |slash| slash + 1);
        let (dir, pattern) = text.split_at(split);
        let dir = Path::new(if dir.is_empty() { "." } else { dir });
        let dir = match &self.base {
            _ if dir.is_absolute() => dir.to_path_buf(),
            Some(base) => base.join(dir),
            None => return self.marked(text),
        };
        self.context
            .protected
            .reached_by_glob(&dir, pattern, mode, self.dotglob)
            .map(|entry| entry.what.clone())
            .or_else(|| {
                let config = ["settings.json", "settings.local.json", "hooks.json"];
                let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
                (matches!(name, ".claude" | ".cursor")
                    && config
                        .iter()
                        .any(|file| super::protected::glob_match(pattern, file, self.dotglob)))
                .then(|| format!("an agent's hook configuration ({text})"))
            })
    }

    /// `~` and `$HOME` at the start of a word, as the user's home directory.
    fn with_home(&self, text: &str) -> String {
        let Some(home) = self.context.home else {
            return text.to_string();
        };
        let home = home.to_string_lossy();
        for prefix in ["~/", "$HOME/", "${HOME}/"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return format!("{home}/{rest}");
            }
        }
        if matches!(text, "~" | "$HOME" | "${HOME}") {
            return home.into_owned();
        }
        text.to_string()
    }

    /// Whether text that cannot be resolved spells a protected name: `.cupcake`, a hook
    /// configuration, or a protected absolute path.
    fn marked(&self, text: &str) -> Option<String> {
        let folded = text.to_lowercase();
        let names = [".cupcake", ".claude/settings", ".cursor/hooks"];
        if let Some(name) = names.iter().find(|name| folded.contains(*name)) {
            return Some(format!("a protected path ({name} in `{text}`)"));
        }
        self.context
            .protected
            .spellings()
            .find(|spelling| text.contains(spelling.as_str()))
            .map(|spelling| format!("a protected path ({spelling})"))
    }
}

/// The index of the word that runs: after assignments, reserved words, wrappers and the
/// wrappers' options.
fn program_index(words: &[Word]) -> Option<usize> {
    let mut wrapped = false;
    for (index, word) in words.iter().enumerate() {
        let text = word.text.as_str();
        let name = base_name(text);
        if is_assignment(text) || RESERVED.contains(&text) {
            continue;
        }
        if wrapped
            && (text.starts_with('-') || text.chars().all(|c| c.is_ascii_digit() || c == '.'))
        {
            continue;
        }
        if WRAPPERS.contains(&name.as_str()) {
            wrapped = true;
            continue;
        }
        return Some(index);
    }
    None
}

/// Whether `program` with `args` only reads, for the programs whose options decide it.
fn reads_only(program: &str, args: &[Word]) -> bool {
    if !READ_ONLY.contains(&program) {
        return false;
    }
    let has = |flags: &[&str]| {
        args.iter().any(|w| {
            flags
                .iter()
                .any(|flag| w.text == *flag || (flag.len() > 2 && w.text.starts_with(flag)))
        })
    };
    match program {
        "sed" => !args.iter().any(|w| {
            w.text.starts_with("--in-place")
                || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('i'))
        }),
        "sort" => !has(&["-o", "--output"]),
        "find" => !has(&[
            "-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprint0", "-fprintf",
            "-fls",
        ]),
        "git" => args
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .is_some_and(|sub| GIT_READ_ONLY.contains(&sub.text.as_str())),
        "cupcake" => args
            .first()
            .is_some_and(|sub| matches!(sub.text.as_str(), "inspect" | "validate" | "eval")),
        _ => true,
    }
}

fn base_name(word: &str) -> String {
    word.rsplit('/').next().unwrap_or(word).to_ascii_lowercase()
}
