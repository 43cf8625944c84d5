//! `affected_parent_directories`: the canonical directories a shell command changes, so a
//! policy can protect a directory against `rm`, `mv` and friends whatever path spelling,
//! symlink or `cd` the agent uses; and `affected_directories_unknown`, set whenever the command
//! may change something the list cannot name, so a policy can refuse what it cannot check.
//!
//! Programs and the operands that count (a program is found after assignments, reserved words,
//! `function NAME`, and wrappers such as `sudo`, `env`, `xargs`, `strace`, `flock`, `taskset`,
//! `unshare`, `runuser`, `coproc`, `parallel`; by its base name in any ASCII case, so `/bin/rm`,
//! `\rm` and, for case-insensitive filesystems, `RM` count):
//! - every path operand: `rm`, `rmdir`, `unlink`, `shred`, `truncate`, `mv`, `tee`;
//! - after the mode or owner (unless `--reference` replaces it): `chmod`, `chown`, `chgrp`;
//! - the destination (`-t DIR`, else the last operand): `cp`, `ln`, `install`;
//! - `of=` of `dd`; the starting points of a `find` that runs `-delete` or `-exec rm …`;
//! - what the options say (see the `special` module): `rsync --delete`, `tar -x -C`,
//!   `git clean`, `git checkout --`, `git restore`, `sed -i`, `sort -o`, `curl -o`/`-O`, `wget`;
//! - in any command, the targets of output redirections (`>`, `>>`, `&>`, …).
//!
//! Command strings are analysed as commands too: `eval …`, `sh -c '…'` (any shell), `env -S
//! '…'`, `su -c '…'`, `watch …`. Brace lists expand first (`p{,}` is `p`). A symlink made
//! earlier in the same command (`ln -s p d && rm -r -f d/*`) is followed as if it existed.
//!
//! For each operand the list gets the directory holding its entry (`rm file` → its parent),
//! the directory holding its target when it is a symlink (`chmod` and `truncate` follow
//! links), and the operand itself when it is an existing directory (`rm -rf dir` empties
//! `dir`). An operand with a glob counts as the directory written before the glob
//! (`rm -rf dir/*` → `dir`). Operands the shell alone can expand — `$VAR`, `~`, `$(…)` — give
//! the directory written before the expansion and mark the result unknown. `cd DIR` moves the
//! base for later relative operands; after a `cd` whose target is unknown (`cd -`, `cd "$X"`),
//! relative operands mark the result unknown, as do programs computed at run time (`$(echo
//! rm)`), interpreters (`python`, `node`, `perl`, …), shells running a script file, and `xargs`
//! (whose operands arrive on stdin).

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
    /// Parsed by the `special` module.
    Special,
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
    Program::new("rsync", Operands::Special, ""),
    Program::new("tar", Operands::Special, ""),
    Program::new("git", Operands::Special, ""),
    Program::new("sed", Operands::Special, ""),
    Program::new("sort", Operands::Special, ""),
    Program::new("curl", Operands::Special, ""),
    Program::new("wget", Operands::Special, ""),
];

/// Shells whose `-c` string is itself a command.
pub(crate) const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "busybox",
];

/// Interpreters whose code (a string or a script file) can change any file.
pub(crate) const INTERPRETERS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "node",
    "nodejs",
    "deno",
    "bun",
    "perl",
    "ruby",
    "php",
    "lua",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "tclsh",
    "pwsh",
    "powershell",
    "osascript",
];

/// Nested command strings (`eval`, `sh -c`) analysed before the result is marked unknown.
const MAX_DEPTH: usize = 8;

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

/// What a command changes, as far as can be told without running it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// The canonical directories it changes, deduplicated in first-seen order.
    pub directories: Vec<String>,
    /// Whether it may change something else too (see the module documentation).
    pub unknown: bool,
}

/// Analyses `command`; relative operands are taken from `cwd`.
pub(crate) fn analyse(command: &str, cwd: Option<&Path>) -> Analysis {
    let mut affected = Affected::default();
    let mut base = cwd.map(paths::resolve);
    affected.script(command, &mut base, 0);
    Analysis {
        directories: affected.list,
        unknown: affected.unknown,
    }
}

/// The directories `command` changes (see [`analyse`]).
#[cfg(test)]
pub(super) fn affected_parent_directories(command: &str, cwd: Option<&Path>) -> Vec<String> {
    analyse(command, cwd).directories
}

impl Affected {
    /// Walks the simple commands of `script`, moving `base` along `cd`s.
    fn script(&mut self, script: &str, base: &mut Option<PathBuf>, depth: usize) {
        if depth > MAX_DEPTH {
            self.unknown = true;
            return;
        }
        for simple in lexer::simple_commands(script) {
            for target in &simple.writes {
                self.operand(target, base.as_deref());
            }
            match find_program(&simple.words) {
                Some(Found::ChangeDir(args)) => *base = change_dir(base.as_deref(), args),
                Some(Found::Program(program, args, via_xargs)) => {
                    self.unknown |= via_xargs;
                    let operands = match program.operands {
                        Operands::Special => special::operands(program.name, args),
                        _ => operands(program, args),
                    };
                    for operand in operands {
                        self.operand(&operand, base.as_deref());
                    }
                    // After its own operands: the link exists only for later commands.
                    if program.name == "ln" {
                        self.record_link(args, base.as_deref());
                    }
                }
                // `eval` runs in this shell (its `cd` moves on); `sh -c` in a child.
                Some(Found::Script(text, Shell::Same)) => self.script(&text, base, depth + 1),
                Some(Found::Script(text, Shell::Child)) => {
                    self.script(&text, &mut base.clone(), depth + 1);
                }
                Some(Found::Opaque) => self.unknown = true,
                None => {}
            }
        }
    }

    /// Remembers `ln -s TARGET LINK`, so later operands through `LINK` reach `TARGET`.
    fn record_link(&mut self, args: &[Word], base: Option<&Path>) {
        let symbolic = args.iter().any(|w| {
            w.text == "--symbolic"
                || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('s'))
        });
        let plain: Vec<&Word> = args.iter().filter(|w| !w.text.starts_with('-')).collect();
        let (Some(target), Some(link), true) = (plain.first(), plain.get(1), symbolic) else {
            return;
        };
        if plain.len() != 2 || target.expansion.is_some() || link.expansion.is_some() {
            return;
        }
        let link_path = paths::join(base, Path::new(&link.text));
        let link_path = if paths::is_dir(&paths::resolve(&link_path)) {
            link_path.join(Path::new(&target.text).file_name().unwrap_or_default())
        } else {
            link_path
        };
        // A relative target is relative to the link's directory.
        let target_path = match link_path.parent() {
            Some(dir) if !Path::new(&target.text).is_absolute() => dir.join(&target.text),
            _ => PathBuf::from(&target.text),
        };
        if link_path.is_absolute() {
            let link_path = paths::resolve(&link_path);
            self.links.push((link_path, paths::resolve(&target_path)));
        }
    }
}

/// How a command string runs.
enum Shell {
    /// In this shell (`eval`): its `cd` moves later commands.
    Same,
    /// In a child shell.
    Child,
}

enum Found<'w> {
    ChangeDir(&'w [Word]),
    /// A listed program, its arguments, and whether `xargs` feeds it more.
    Program(&'static Program, &'w [Word], bool),
    /// A command string to analyse as a command.
    Script(String, Shell),
    /// Runs something whose effects cannot be read from the command line.
    Opaque,
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
    let mut via_xargs = false;
    let mut skip_name = false;
    for (index, word) in words.iter().enumerate() {
        let text = word.text.as_str();
        let rest = words.get(index + 1..).unwrap_or_default();
        if std::mem::take(&mut skip_name) {
            continue;
        }
        if let Some(program) = Program::named(text) {
            return Some(Found::Program(program, rest, via_xargs));
        }
        if is_assignment(text) || RESERVED.contains(&text) {
            skip_name = text == "function";
            continue;
        }
        // A program computed at run time: `$(echo rm)`, `$cmd`, `` `x` ``, `rm${IFS}-rf`.
        if word
            .expansion
            .is_some_and(|(_, kind)| kind == Expansion::Other)
        {
            return Some(Found::Opaque);
        }
        let base = text.rsplit('/').next().unwrap_or(text).to_ascii_lowercase();
        let base = base.as_str();
        if base == "cd" || base == "pushd" {
            return Some(Found::ChangeDir(rest));
        }
        if let Some(found) = command_string(base, rest) {
            return Some(found);
        }
        if WRAPPERS.contains(&base) {
            wrapped = true;
            via_xargs |= base == "xargs";
            continue;
        }
        if !wrapped {
            return None;
        }
    }
    None
}

/// The command string a word runs (`eval`, `sh -c`, `env -S`, `su -c`, `watch`), or
/// [`Found::Opaque`] for interpreters and shells reading a script.
fn command_string<'w>(program: &str, rest: &'w [Word]) -> Option<Found<'w>> {
    let joined = || {
        rest.iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let after_flag = |flags: &[&str]| {
        rest.iter()
            .position(|w| flags.contains(&w.text.as_str()))
            .and_then(|at| rest.get(at + 1))
            .map(|w| w.text.clone())
    };
    match program {
        "eval" => Some(Found::Script(joined(), Shell::Same)),
        // `watch [-n SECONDS] COMMAND…` runs its words through `sh -c`.
        "watch" => {
            let mut words = rest.iter();
            let mut command = Vec::new();
            while let Some(word) = words.next() {
                match word.text.as_str() {
                    "-n" | "--interval" | "-q" | "--equexit" => {
                        words.next();
                    }
                    text if text.starts_with('-') && command.is_empty() => {}
                    text => command.push(text),
                }
            }
            Some(Found::Script(command.join(" "), Shell::Child))
        }
        "env" => rest
            .iter()
            .find_map(|w| {
                w.text
                    .strip_prefix("--split-string=")
                    .or_else(|| w.text.strip_prefix("-S").filter(|s| !s.is_empty()))
                    .map(str::to_string)
            })
            .or_else(|| after_flag(&["-S", "--split-string"]))
            .map(|text| Found::Script(text, Shell::Child)),
        "su" | "runuser" => {
            after_flag(&["-c", "--command"]).map(|text| Found::Script(text, Shell::Child))
        }
        _ if SHELLS.contains(&program) => {
            let code = rest
                .iter()
                .position(|w| {
                    w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c')
                })
                .and_then(|at| rest.get(at + 1));
            Some(match code {
                Some(code) => Found::Script(code.text.clone(), Shell::Child),
                // A script file, or commands on stdin.
                None => Found::Opaque,
            })
        }
        _ if INTERPRETERS.contains(&program) => Some(Found::Opaque),
        _ => None,
    }
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
    /// Whether something may change that the list cannot name.
    unknown: bool,
    /// Symlinks the command makes before later operands (`ln -s`): link → target.
    links: Vec<(PathBuf, PathBuf)>,
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
        if word
            .expansion
            .is_some_and(|(_, kind)| kind == Expansion::Other)
        {
            if let Some(words) = super::braces::expand(&word.text) {
                for text in words {
                    let expansion = text
                        .find(['*', '?', '['])
                        .map(|at| (at, Expansion::Glob))
                        .or_else(|| text.find(['$', '`', '~']).map(|at| (at, Expansion::Other)));
                    self.operand(&Word { text, expansion }, base);
                }
                return;
            }
            self.unknown = true;
        }
        if base.is_none() && !Path::new(&word.text).is_absolute() {
            // Relative to a directory nobody can name here.
            self.unknown = true;
        }
        let word = &self.through_links(word, base);
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

impl Affected {
    /// `word` rewritten through a symlink the command made earlier, if it passes one.
    fn through_links(&self, word: &Word, base: Option<&Path>) -> Word {
        let joined = paths::join(base, Path::new(&word.text));
        let lexical = paths::lexical(&joined);
        for (link, target) in &self.links {
            if let Ok(rest) = lexical.strip_prefix(link) {
                let text = target.join(rest).to_string_lossy().into_owned();
                let shift = text.len().saturating_sub(word.text.len());
                return Word {
                    expansion: word.expansion.map(|(at, kind)| (at + shift, kind)),
                    text,
                };
            }
        }
        word.clone()
    }
}

mod special;

// The cases build symlinks and compare Unix paths.
#[cfg(all(test, unix))]
mod tests;
