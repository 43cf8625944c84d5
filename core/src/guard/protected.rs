//! The paths self-protection guards, and how a path, or a glob, reaches one of them.

use std::path::{Component, Path, PathBuf};

use crate::preprocess::paths;

/// What an action does to a path it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Writes or changes the path (or something below it).
    Write,
    /// Deletes, moves or re-permissions the path with everything below it, so naming an
    /// ancestor of a protected path reaches it too (`rm -rf .` removes `.cupcake`).
    Destroy,
}

/// One protected file or directory.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Absolute, lexically clean, and physical (symlinks followed) where it exists.
    pub path: PathBuf,
    /// What it is, for the message.
    pub what: String,
}

/// Every protected path of one engine.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    entries: Vec<Entry>,
}

impl Protected {
    /// Protects `path` (and, when it is a directory, everything below it).
    pub fn add(&mut self, path: &Path, what: &str) {
        if !path.is_absolute() {
            return;
        }
        // Both spellings: the one given and the physical one, so neither a symlinked
        // directory nor a path through it slips past.
        for spelling in [paths::lexical(path), paths::resolve(path)] {
            if !self.entries.iter().any(|entry| entry.path == spelling) {
                self.entries.push(Entry {
                    path: spelling,
                    what: what.to_string(),
                });
            }
        }
    }

    /// The protected entry an absolute `path` reaches in `mode`, checking the path as written
    /// and with symlinks followed.
    pub fn reached(&self, path: &Path, mode: Mode) -> Option<&Entry> {
        let spellings = [paths::lexical(path), paths::resolve(path)];
        spellings.iter().find_map(|spelling| {
            let spelling = fold(spelling);
            self.entries.iter().find(|entry| {
                let protected = fold(&entry.path);
                spelling.starts_with(&protected)
                    || (mode == Mode::Destroy && protected.starts_with(&spelling))
            })
        })
    }

    /// Whether the file name alone marks an agent's hook configuration, wherever it sits:
    /// `.claude/settings*.json`, `.cursor/hooks.json`, `.gemini/settings.json`,
    /// `.windsurf/hooks.json` (and Devin Desktop's `.devin/hooks.json`, the user-level
    /// `.codeium/windsurf/hooks.json`), `.factory/settings*.json`, `.github/hooks/*.json`,
    /// the `opencode.json` of `OpenCode` and its `.opencode/plugin(s)/*`, and `.clinerules/hooks/*`.
    pub fn is_hook_config(path: &Path) -> bool {
        let folded = fold(path);
        let name = folded.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let parent_dir = folded.parent();
        let parent = parent_dir
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let grandparent = parent_dir
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let json = Path::new(name)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        match (grandparent, parent) {
            (_, ".claude" | ".copilot") | (".github", "copilot") => {
                name.starts_with("settings") && json
            }
            (_, ".factory") => (name.starts_with("settings") || name == "hooks.json") && json,
            (_, ".cursor" | ".windsurf" | ".devin" | ".codeium") | (".codeium", "windsurf") => {
                name == "hooks.json"
            }
            (_, ".gemini") => name == "settings.json",
            (".github" | ".copilot", "hooks") => json,
            (".opencode" | "opencode", "plugin" | "plugins")
            | (".clinerules" | ".cline" | "Cline", "hooks" | "Hooks") => !name.is_empty(),
            _ => name == "opencode.json" || name == "opencode.jsonc",
        }
    }

    /// The protected entry a glob reaches: `dir` is the directory written before the first
    /// glob character and `pattern` the rest (`*`, `a*/b`, …).
    pub fn reached_by_glob(
        &self,
        dir: &Path,
        pattern: &str,
        mode: Mode,
        dotglob: bool,
    ) -> Option<&Entry> {
        let wanted: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
        let dirs = [fold(&paths::lexical(dir)), fold(&paths::resolve(dir))];
        self.entries.iter().find(|entry| {
            let protected = fold(&entry.path);
            dirs.iter().any(|dir| {
                if protected.starts_with(dir) {
                    let below: Vec<String> = protected
                        .strip_prefix(dir)
                        .map(|rest| {
                            rest.components()
                                .filter_map(|c| match c {
                                    Component::Normal(name) => Some(name.to_string_lossy().into()),
                                    _ => None,
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let matched = wanted
                        .iter()
                        .zip(&below)
                        .all(|(pattern, name)| glob_match(pattern, name, dotglob));
                    // The glob names the entry or something inside it; or, with fewer parts,
                    // an ancestor of it.
                    matched && (wanted.len() >= below.len() || mode == Mode::Destroy)
                } else {
                    // The directory is already inside the entry.
                    dir.starts_with(&protected)
                }
            })
        })
    }

    /// Absolute protected paths as text, for spotting them inside strings (interpreter code).
    pub fn spellings(&self) -> impl Iterator<Item = String> + '_ {
        self.entries
            .iter()
            .map(|entry| entry.path.to_string_lossy().into_owned())
    }
}

/// Case-folds a path where the filesystem usually ignores case (macOS, Windows), so `.CUPCAKE`
/// is `.cupcake` there; elsewhere the path as it is.
fn fold(path: &Path) -> PathBuf {
    if cfg!(any(target_os = "macos", windows)) {
        PathBuf::from(path.to_string_lossy().to_lowercase())
    } else {
        path.to_path_buf()
    }
}

/// Shell glob matching of one path component: `*`, `?`, `[...]` (with `!`/`^` and ranges) and
/// `\` escapes. A leading dot must be matched literally unless `dotglob` is on, as in bash.
pub fn glob_match(pattern: &str, name: &str, dotglob: bool) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    if name.first() == Some(&'.') && !dotglob && pattern.first() != Some(&'.') {
        return false;
    }
    matches(&pattern, &name)
}

fn matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => {
            (0..=name.len()).any(|skip| matches(rest, name.get(skip..).unwrap_or_default()))
        }
        Some(('?', rest)) => name
            .split_first()
            .is_some_and(|(_, name_rest)| matches(rest, name_rest)),
        Some(('[', rest)) => match (class(rest), name.split_first()) {
            (Some((set, after)), Some((c, name_rest))) => set(*c) && matches(after, name_rest),
            // An unclosed `[` is a literal.
            (None, Some(('[', name_rest))) => matches(rest, name_rest),
            _ => false,
        },
        Some(('\\', rest)) => match (rest.split_first(), name.split_first()) {
            (Some((p, rest)), Some((c, name_rest))) => p == c && matches(rest, name_rest),
            _ => false,
        },
        Some((p, rest)) => name
            .split_first()
            .is_some_and(|(c, name_rest)| p == c && matches(rest, name_rest)),
    }
}

/// A bracket expression after its `[`: the membership test and the pattern after its `]`.
fn class(pattern: &[char]) -> Option<(impl Fn(char) -> bool, &[char])> {
    let (negated, start) = match pattern.first() {
        Some('!' | '^') => (true, 1),
        _ => (false, 0),
    };
    let body = pattern.get(start..)?;
    // A `]` right after the opening is a member, not the end.
    let close = body.iter().skip(1).position(|c| *c == ']')? + 1;
    let members = body.get(..close)?;
    let mut ranges = Vec::new();
    let mut rest = members;
    while let Some((&low, after)) = rest.split_first() {
        if let ['-', high, tail @ ..] = after {
            ranges.push((low, *high));
            rest = tail;
        } else {
            ranges.push((low, low));
            rest = after;
        }
    }
    let test =
        move |c: char| ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)) != negated;
    Some((test, body.get(close + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_bash() {
        assert!(glob_match("*", "src", false));
        assert!(!glob_match("*", ".cupcake", false));
        assert!(glob_match("*", ".cupcake", true));
        assert!(glob_match(".c*", ".cupcake", false));
        assert!(glob_match(".[c]upcake", ".cupcake", false));
        assert!(glob_match(".cupcak?", ".cupcake", false));
        assert!(glob_match(".[a-d]upcake", ".cupcake", false));
        assert!(!glob_match(".[!c]upcake", ".cupcake", false));
        assert!(!glob_match("*.rs", ".cupcake", true));
        assert!(glob_match("\\*", "*", false));
    }

    #[test]
    fn reach_inside_and_ancestors() {
        let mut protected = Protected::default();
        protected.add(Path::new("/p/.cupcake"), "the policies");
        let inside = Path::new("/p/.cupcake/policies/a.rego");
        assert!(protected.reached(inside, Mode::Write).is_some());
        assert!(protected.reached(Path::new("/p"), Mode::Write).is_none());
        assert!(protected.reached(Path::new("/p"), Mode::Destroy).is_some());
        assert!(protected
            .reached(Path::new("/p/.cupcakes"), Mode::Destroy)
            .is_none());
        let dir = Path::new("/p");
        assert!(protected
            .reached_by_glob(dir, "*", Mode::Destroy, false)
            .is_none());
        assert!(protected
            .reached_by_glob(dir, ".*", Mode::Destroy, false)
            .is_some());
        assert!(protected
            .reached_by_glob(dir, ".c*/policies", Mode::Write, false)
            .is_some());
        assert!(protected
            .reached_by_glob(Path::new("/"), "*", Mode::Destroy, false)
            .is_some());
        assert!(protected
            .reached_by_glob(Path::new("/"), "*", Mode::Write, false)
            .is_none());
        assert!(protected
            .reached_by_glob(Path::new("/p/.cupcake"), "*", Mode::Write, false)
            .is_some());
    }

    #[test]
    fn hook_configuration_by_name() {
        assert!(Protected::is_hook_config(Path::new(
            "/x/.claude/settings.json"
        )));
        assert!(Protected::is_hook_config(Path::new(
            "/x/.claude/settings.local.json"
        )));
        assert!(Protected::is_hook_config(Path::new(
            "/x/.cursor/hooks.json"
        )));
        assert!(!Protected::is_hook_config(Path::new("/x/.claude/notes.md")));
        for config in [
            "/x/.gemini/settings.json",
            "/x/.windsurf/hooks.json",
            "/x/.devin/hooks.json",
            "/home/u/.codeium/windsurf/hooks.json",
            "/x/.factory/settings.json",
            "/x/.github/hooks/cupcake.json",
            "/x/.opencode/plugin/cupcake.ts",
            "/x/opencode.json",
            "/x/.clinerules/hooks/PreToolUse",
            "/x/.factory/hooks.json",
            "/x/.github/copilot/settings.json",
            "/home/u/.copilot/hooks/cupcake.json",
            "/home/u/.cline/hooks/PreToolUse",
            "/home/u/Documents/Cline/Hooks/PreToolUse",
            "/home/u/.config/opencode/plugins/cupcake.ts",
            "/home/u/.codeium/hooks.json",
        ] {
            assert!(Protected::is_hook_config(Path::new(config)), "{config}");
        }
        assert!(!Protected::is_hook_config(Path::new(
            "/x/.github/workflows/ci.yml"
        )));
        assert!(!Protected::is_hook_config(Path::new("/x/.gemini/notes.md")));
    }
}
