//! `affected_parent_directories`: the canonical directories a shell command changes, so a
//! policy can protect a directory against `rm`, `mv` and friends whatever path spelling,
//! symlink or `cd` the agent uses.
//!
//! Programs and the operands that count (a program is found after assignments, `sudo`,
//! `env`, `xargs` and similar wrappers, and by its base name in any ASCII case, so `/bin/rm`,
//! `\rm` and, for case-insensitive filesystems, `RM` count):
//! - every path operand: `rm`, `rmdir`, `unlink`, `shred`, `truncate`, `mv`, `tee`;
//! - after the mode or owner (unless `--reference` replaces it): `chmod`, `chown`, `chgrp`;
//! - the destination (`-t DIR`, else the last operand): `cp`, `ln`, `install`;
//! - `of=` of `dd`; the starting points of a `find` that runs `-delete` or `-exec rm …`;
//! - in any command, the targets of output redirections (`>`, `>>`, `&>`, …).
//!
//! For each operand the list gets the directory holding its entry (`rm file` → its parent),
//! the directory holding its target when it is a symlink (`chmod` and `truncate` follow
//! links), and the operand itself when it is an existing directory (`rm -rf dir` empties
//! `dir`). An operand with a glob counts as the directory written before the glob
//! (`rm -rf dir/*` → `dir`). Operands the shell alone can expand — `$VAR`, `~`, `$(…)` — give
//! the directory written before the expansion, and nothing when that is empty: where they
//! point is unknown here. `cd DIR` moves the base for later relative operands; a `cd` whose
//! target is unknown leaves later relative operands relative, which marks them unresolved.
//! Not analysed: interpreters (`python -c`), `sed -i`, `git`, archives, `rsync`, and what
//! `xargs` reads from its input.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::lexer::{self, Expansion, Word};
use super::paths;

/// How a program's non-option words map to the paths it changes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Operands {
    All,
    AfterMode,
    Destination,
    DdOutput,
    FindRoots,
}

struct Program {
    name: &'static str,
    operands: Operands,
    /// Short options that take a value (`-t DIR`, `-s SIZE`), which is then no operand.
    valued: &'static str,
}

const PROGRAMS: &[Program] = &[
    Program::new("rm", Operands::All, ""),
    Program::new("rmdir", Operands::All, ""),
    Program::new("unlink", Operands::All, ""),
    Program::new("shred", Operands::All, "ns"),
    Program::new("truncate", Operands::All, "sr"),
    Program::new("mv", Operands::All, "tS"),
    Program::new("tee", Operands::All, ""),
    Program::new("chmod", Operands::AfterMode, ""),
    Program::new("chown", Operands::AfterMode, ""),
    Program::new("chgrp", Operands::AfterMode, ""),
    Program::new("cp", Operands::Destination, "tS"),
    Program::new("ln", Operands::Destination, "tS"),
    Program::new("install", Operands::Destination, "tSmog"),
    Program::new("dd", Operands::DdOutput, ""),
    Program::new("find", Operands::FindRoots, ""),
];

/// Long options that take a value, given as `--name=value` or `--name value`.
const LONG_VALUED: &[&str] = &[
    "reference",
    "target-directory",
    "suffix",
    "size",
    "mode",
    "owner",
    "group",
    "iterations",
    "random-source",
    "from",
];

/// Words that run the program named after them (with their own options in between).
pub(crate) const WRAPPERS: &[&str] = &[
    "sudo", "doas", "env", "command", "builtin", "exec", "nohup", "nice", "ionice", "timeout",
    "stdbuf", "xargs", "busybox", "time", "chroot", "setsid", "unbuffer", "strace", "ltrace",
    "flock", "taskset", "unshare", "runuser", "coproc", "watch", "parallel", "nsenter", "chrt",
    "su",
];

/// Reserved words that may precede a command without being it.
pub(crate) const RESERVED: &[&str] = &[
    "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time",
    "function",
];

impl Program {
    const fn new(name: &'static str, operands: Operands, valued: &'static str) -> Self {
        Self {
            name,
            operands,
            valued,
        }
    }

    /// The listed program `word` runs, by base name in any ASCII case: on a case-insensitive
    /// filesystem (macOS, Windows) `RM` runs rm, and where it runs nothing a stray match only
    /// adds directories.
    fn named(word: &str) -> Option<&'static Self> {
        let base = word.rsplit('/').next().unwrap_or(word);
        PROGRAMS
            .iter()
            .find(|program| program.name.eq_ignore_ascii_case(base))
    }
}

/// The directories `command` changes, canonical and deduplicated in first-seen order.
/// Relative operands are taken from `cwd`.
pub(super) fn affected_parent_directories(command: &str, cwd: Option<&Path>) -> Vec<String> {
    let mut affected = Affected::default();
    let mut base = cwd.map(paths::resolve);
    for simple in lexer::simple_commands(command) {
        for target in &simple.writes {
            affected.operand(target, base.as_deref());
        }
        match find_program(&simple.words) {
            Some(Found::ChangeDir(args)) => base = change_dir(base.as_deref(), args),
            Some(Found::Program(program, args)) => {
                for operand in operands(program, args) {
                    affected.operand(&operand, base.as_deref());
                }
            }
            None => {}
        }
    }
    affected.list
}

enum Found<'w> {
    ChangeDir(&'w [Word]),
    Program(&'static Program, &'w [Word]),
}

/// Whether `word` is a shell variable assignment (`NAME=value`, `NAME+=value`).
pub(crate) fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        let name = name.strip_suffix('+').unwrap_or(name);
        name.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The program a simple command runs, with the words after it. After a wrapper, its own
/// options and arguments cannot be told from the program without knowing every wrapper's
/// syntax, so the first later word naming a listed program is taken: a stray match only
/// adds directories, a missed one would drop them.
fn find_program(words: &[Word]) -> Option<Found<'_>> {
    let mut wrapped = false;
    for (index, word) in words.iter().enumerate() {
        let text = word.text.as_str();
        let rest = words.get(index + 1..).unwrap_or_default();
        if let Some(program) = Program::named(text) {
            return Some(Found::Program(program, rest));
        }
        if wrapped || is_assignment(text) || RESERVED.contains(&text) {
            continue;
        }
        let base = text.rsplit('/').next().unwrap_or(text);
        if base == "cd" || base == "pushd" {
            return Some(Found::ChangeDir(rest));
        }
        if !WRAPPERS
            .iter()
            .any(|wrapper| wrapper.eq_ignore_ascii_case(base))
        {
            return None;
        }
        wrapped = true;
    }
    None
}

/// The working directory after `cd args`, or `None` when it cannot be known (`cd`, `cd ~`,
/// `cd -`, `cd $DIR`).
pub(crate) fn change_dir(base: Option<&Path>, args: &[Word]) -> Option<PathBuf> {
    let target = args
        .iter()
        .find(|word| !word.text.starts_with('-') || word.text == "-")?;
    if target.expansion.is_some() || target.text == "-" || target.text.is_empty() {
        return None;
    }
    let joined = paths::join(base, Path::new(&target.text));
    joined.is_absolute().then(|| paths::resolve(&joined))
}

/// The path words of `program`'s arguments, per its [`Operands`].
fn operands(program: &Program, args: &[Word]) -> Vec<Word> {
    match program.operands {
        Operands::DdOutput => {
            return args
                .iter()
                .filter(|word| word.text.starts_with("of="))
                .map(|word| word.tail(3))
                .collect();
        }
        Operands::FindRoots => return find_roots(args),
        _ => {}
    }
    let mut plain = Vec::new();
    let mut targets = Vec::new();
    let mut reference = false;
    let mut options_done = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let text = arg.text.as_str();
        if options_done || text == "-" || !text.starts_with('-') {
            plain.push(arg.clone());
        } else if text == "--" {
            options_done = true;
        } else if program.name == "chmod" && is_symbolic_mode(text) {
            // `chmod -w file`: `-w` is the mode, not an option.
            plain.push(arg.clone());
        } else if let Some(long) = text.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((name, _)) => (name, Some(arg.tail(name.len() + 3))),
                None => (long, None),
            };
            reference |= name == "reference";
            let value = match attached {
                Some(value) => Some(value),
                None if LONG_VALUED.contains(&name) => args.next().cloned(),
                None => None,
            };
            if name == "target-directory" {
                targets.extend(value);
            }
        } else {
            for (offset, flag) in text.char_indices().skip(1) {
                if program.valued.contains(flag) {
                    let rest = offset + flag.len_utf8();
                    let value = if rest < text.len() {
                        Some(arg.tail(rest))
                    } else {
                        args.next().cloned()
                    };
                    if flag == 't' {
                        targets.extend(value);
                    }
                    break;
                }
            }
        }
    }
    match program.operands {
        Operands::AfterMode if !reference => plain.into_iter().skip(1).collect(),
        Operands::Destination if !targets.is_empty() => targets,
        Operands::Destination => match plain.len() {
            0 => Vec::new(),
            // `ln -s /etc/passwd` links into the current directory.
            1 => vec![Word {
                text: ".".to_string(),
                expansion: None,
            }],
            _ => plain.pop().into_iter().collect(),
        },
        _ => {
            plain.extend(targets);
            plain
        }
    }
}

fn is_symbolic_mode(text: &str) -> bool {
    text.len() > 1
        && text
            .chars()
            .skip(1)
            .all(|c| "rwxXstugoa+-=,01234567".contains(c))
}

/// The starting points of a `find` that deletes what it finds; `.` when none is given.
fn find_roots(args: &[Word]) -> Vec<Word> {
    let deletes = args.iter().enumerate().any(|(index, word)| {
        word.text == "-delete"
            || (matches!(word.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
                && args
                    .get(index + 1)
                    .is_some_and(|next| Program::named(&next.text).is_some()))
    });
    if !deletes {
        return Vec::new();
    }
    let roots: Vec<Word> = args
        .iter()
        .take_while(|word| !word.text.starts_with(['-', '(', '!']))
        .cloned()
        .collect();
    if roots.is_empty() {
        vec![Word {
            text: ".".to_string(),
            expansion: None,
        }]
    } else {
        roots
    }
}

/// The growing, deduplicated list.
#[derive(Default)]
struct Affected {
    list: Vec<String>,
    listed: HashSet<String>,
    /// Operands already handled against a base, so repeated ones cost nothing.
    seen: HashSet<(Option<PathBuf>, Word)>,
    /// Directories already resolved: a long command's operands mostly share a few parents,
    /// and each resolution costs an `lstat` per component.
    resolved: HashMap<PathBuf, PathBuf>,
}

impl Affected {
    fn push(&mut self, dir: &Path) {
        let text = dir.to_string_lossy().into_owned();
        if self.listed.insert(text.clone()) {
            self.list.push(text);
        }
    }

    fn resolve(&mut self, path: &Path) -> PathBuf {
        self.resolved
            .entry(path.to_path_buf())
            .or_insert_with(|| paths::resolve(path))
            .clone()
    }

    /// Lists what `target` (already canonical) adds beyond the directory holding its entry:
    /// its own directory when it is one.
    fn push_if_directory(&mut self, target: &Path) {
        if paths::is_dir(target) {
            self.push(target);
        }
    }

    fn operand(&mut self, word: &Word, base: Option<&Path>) {
        if word.text.is_empty() && word.expansion.is_none() {
            return;
        }
        if !self
            .seen
            .insert((base.map(Path::to_path_buf), word.clone()))
        {
            return;
        }
        if let Some((at, kind)) = word.expansion {
            let literal = word.text.get(..at).unwrap_or_default();
            let dir = match literal.rfind('/') {
                Some(0) => "/",
                Some(slash) => literal.get(..slash).unwrap_or_default(),
                None if kind == Expansion::Glob => ".",
                None => return,
            };
            let dir = self.resolve(&paths::join(base, Path::new(dir)));
            self.push(&dir);
            return;
        }
        let joined = paths::join(base, Path::new(&word.text));
        let (Some(Component::Normal(name)), Some(parent)) =
            (joined.components().next_back(), joined.parent())
        else {
            // `..`, `.` or `/`: a directory, whose entry lives in its parent.
            let target = self.resolve(&joined);
            self.push(target.parent().unwrap_or(&target));
            self.push_if_directory(&target);
            return;
        };
        let entry_dir = self.resolve(parent);
        self.push(&entry_dir);
        let entry = entry_dir.join(name);
        match paths::kind(&entry) {
            // `chmod` and `truncate` follow links: the target's directory changes too.
            paths::Kind::Symlink => {
                let target = paths::resolve(&entry);
                self.push(target.parent().unwrap_or(&target));
                self.push_if_directory(&target);
            }
            paths::Kind::Directory => self.push(&entry),
            paths::Kind::Missing | paths::Kind::Other => {}
        }
    }
}

// The cases build symlinks and compare Unix paths.
#[cfg(all(test, unix))]
mod tests;
