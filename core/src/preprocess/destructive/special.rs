//! Programs whose options decide what they change, each parsed on its own: `rsync --delete`,
//! `tar -x -C`, `git clean` and `git checkout --`, `sed -i`, `sort -o`, `curl -o`, `wget`.

use super::super::lexer::Word;

/// The path words `program` changes with `args`; empty when these options change nothing.
pub(super) fn operands(program: &str, args: &[Word]) -> Vec<Word> {
    match program {
        "rsync" => rsync(args),
        "tar" => tar(args),
        "git" => git(args),
        "sed" => sed(args),
        "sort" => output_option(args, &["-o"], &["--output"]),
        "curl" => curl(args),
        "wget" => wget(args),
        _ => Vec::new(),
    }
}

fn here() -> Word {
    Word {
        text: ".".to_string(),
        expansion: None,
    }
}

/// Words that are not options (everything after `--` counts).
fn plain(args: &[Word], valued_short: &str, valued_long: &[&str]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut done = false;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        if done || text == "-" || !text.starts_with('-') {
            out.push(word.clone());
        } else if text == "--" {
            done = true;
        } else if let Some(long) = text.strip_prefix("--") {
            if !long.contains('=') && valued_long.contains(&long) {
                words.next();
            }
        } else if text.len() == 2
            && text
                .chars()
                .nth(1)
                .is_some_and(|c| valued_short.contains(c))
        {
            words.next();
        }
    }
    out
}

/// The value of an option given as `-o FILE`, `-oFILE`, `--output=FILE` or `--output FILE`.
fn output_option(args: &[Word], short: &[&str], long: &[&str]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.text.as_str();
        for flag in short {
            if text == *flag {
                out.extend(words.clone().next().cloned());
            } else if text.starts_with(flag) && !text.starts_with("--") {
                out.push(word.tail(flag.len()));
            }
        }
        for flag in long {
            if text == *flag {
                out.extend(words.clone().next().cloned());
            } else if let Some(value) = text
                .strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
            {
                out.push(word.tail(text.len() - value.len()));
            }
        }
    }
    out
}

/// `rsync --delete*` empties what the destination has beyond the source; with
/// `--remove-source-files` the sources lose their files too.
fn rsync(args: &[Word]) -> Vec<Word> {
    let deletes = args
        .iter()
        .any(|w| w.text.starts_with("--delete") || w.text == "--del");
    let removes_sources = args.iter().any(|w| w.text == "--remove-source-files");
    let mut operands = plain(
        args,
        "eTfM",
        &["rsh", "exclude", "include", "filter", "temp-dir"],
    );
    let mut out = Vec::new();
    if removes_sources && operands.len() > 1 {
        out.extend(operands.iter().take(operands.len() - 1).cloned());
    }
    if deletes || removes_sources {
        out.extend(operands.pop());
    }
    out
}

/// `tar` extracting (`-x`, `x…` in the first word, `--extract`, `--get`) writes into `-C DIR`,
/// or the working directory.
fn tar(args: &[Word]) -> Vec<Word> {
    let first_bundle = args
        .first()
        .is_some_and(|w| !w.text.starts_with('-') && w.text.contains('x'));
    let extracts = first_bundle
        || args.iter().any(|w| {
            w.text == "--extract"
                || w.text == "--get"
                || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('x'))
        });
    if !extracts {
        return Vec::new();
    }
    let dirs = output_option(args, &["-C"], &["--directory"]);
    if dirs.is_empty() {
        vec![here()]
    } else {
        dirs
    }
}

/// `git clean` removes untracked files below its paths (or the working directory);
/// `git checkout -- paths` and `git restore paths` overwrite them. `git -C DIR` moves the base.
fn git(args: &[Word]) -> Vec<Word> {
    let mut base: Option<&Word> = None;
    let mut rest = args;
    while let Some((word, after)) = rest.split_first() {
        match word.text.as_str() {
            "-C" => {
                base = after.first();
                rest = after.get(1..).unwrap_or_default();
            }
            "-c" | "--git-dir" | "--work-tree" | "--namespace" => {
                rest = after.get(1..).unwrap_or_default();
            }
            text if text.starts_with('-') => rest = after,
            _ => break,
        }
    }
    let Some((subcommand, args)) = rest.split_first() else {
        return Vec::new();
    };
    let paths = match subcommand.text.as_str() {
        "clean" => {
            let paths = plain(args, "e", &["exclude"]);
            if paths.is_empty() {
                vec![here()]
            } else {
                paths
            }
        }
        "checkout" => args
            .iter()
            .position(|w| w.text == "--")
            .map(|at| args.get(at + 1..).unwrap_or_default().to_vec())
            .unwrap_or_default(),
        "restore" => plain(args, "s", &["source"]),
        _ => Vec::new(),
    };
    match base {
        None => paths,
        Some(base) => paths.into_iter().map(|path| under(base, &path)).collect(),
    }
}

/// `path` below `base` (`git -C base`), keeping the first expansion of either.
fn under(base: &Word, path: &Word) -> Word {
    if path.text.starts_with('/') {
        return path.clone();
    }
    let text = format!("{}/{}", base.text, path.text);
    let expansion = base.expansion.or_else(|| {
        path.expansion
            .map(|(at, kind)| (at + base.text.len() + 1, kind))
    });
    Word { text, expansion }
}

/// `sed -i` edits its files in place: every operand after the script (or every operand when the
/// script comes from `-e` or `-f`).
fn sed(args: &[Word]) -> Vec<Word> {
    let in_place = args.iter().any(|w| {
        w.text.starts_with("--in-place")
            || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('i'))
    });
    if !in_place {
        return Vec::new();
    }
    let script_given = args.iter().any(|w| {
        matches!(w.text.as_str(), "-e" | "-f" | "--expression" | "--file")
            || w.text.starts_with("--expression=")
            || w.text.starts_with("--file=")
    });
    let operands = plain(args, "efl", &["expression", "file", "line-length"]);
    operands
        .into_iter()
        .skip(usize::from(!script_given))
        .collect()
}

/// `curl -o FILE` / `--output FILE`, and `-O` (the remote name, in the working directory or
/// `--output-dir`).
fn curl(args: &[Word]) -> Vec<Word> {
    let mut out = output_option(args, &["-o"], &["--output"]);
    let remote_name = args.iter().any(|w| {
        w.text == "--remote-name"
            || w.text == "--remote-name-all"
            || (w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('O'))
    });
    if remote_name {
        let dirs = output_option(args, &[], &["--output-dir"]);
        if dirs.is_empty() {
            out.push(here());
        } else {
            out.extend(dirs);
        }
    }
    out
}

/// `wget` writes `-O FILE`, else into `-P DIR`, else the working directory.
fn wget(args: &[Word]) -> Vec<Word> {
    let named = output_option(args, &["-O"], &["--output-document"]);
    if !named.is_empty() {
        return named;
    }
    let dirs = output_option(args, &["-P"], &["--directory-prefix"]);
    if dirs.is_empty() {
        vec![here()]
    } else {
        dirs
    }
}
