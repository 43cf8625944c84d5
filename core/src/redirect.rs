//! Builtins that OPA's WebAssembly implements itself, but not as OPA does: its regex engine
//! rejects patterns Go's RE2 accepts (`(?<name>…)`, newer Unicode scripts, `\pL{500}`), accepts
//! some Go rejects (`\C`), and answers *undefined* for a pattern it cannot compile, so a deny
//! built on one silently never fires. Before compiling, cupcake renames each call of these
//! builtins in (a copy of) the policy text to a host builtin with Go's semantics, declared to
//! OPA through a capabilities file (`opa::build::write_capabilities`); an invalid pattern there is an evaluation error, which
//! blocks in hook mode. Constant patterns are checked at load.

use serde_json::{json, Value};

/// OPA builtin → cupcake's host builtin, with the argument types OPA needs to type-check calls.
const REDIRECTS: [(&str, &str, &[&str], &str); 3] = [
    (
        "regex.match",
        "cupcake_re2.match",
        &["string", "string"],
        "boolean",
    ),
    (
        "regex.is_valid",
        "cupcake_re2.is_valid",
        &["any"],
        "boolean",
    ),
    (
        "regex.find_all_string_submatch_n",
        "cupcake_re2.find_all_string_submatch_n",
        &["string", "string", "number"],
        "array",
    ),
];

/// A pattern written as a string literal in a redirected call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstantPattern {
    /// 1-based line of the call.
    pub line: u32,
    /// The OPA builtin called.
    pub builtin: &'static str,
    /// The pattern's value.
    pub pattern: String,
}

/// `source` with every call of a redirected builtin renamed (strings and comments are left
/// alone, and lines keep their numbers), and the constant patterns found in those calls.
pub fn rewrite(source: &str) -> (String, Vec<ConstantPattern>) {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len() + 64);
    let mut patterns = Vec::new();
    let mut line = 1_u32;
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        match c {
            '#' => {
                let end = chars
                    .iter()
                    .skip(at)
                    .position(|&c| c == '\n')
                    .map_or(chars.len(), |n| at + n);
                out.extend(chars.get(at..end).unwrap_or_default());
                at = end;
            }
            '"' | '`' => {
                let end = literal_end(&chars, at);
                let text: String = chars.get(at..end).unwrap_or_default().iter().collect();
                line += u32::try_from(text.matches('\n').count()).unwrap_or(0);
                out.push_str(&text);
                at = end;
            }
            _ if starts_name(&chars, at) => {
                let redirected = REDIRECTS.iter().find(|(from, ..)| {
                    matches_word(&chars, at, from) && next_is_call(&chars, at + from.len())
                });
                if let Some((from, to, ..)) = redirected {
                    out.push_str(to);
                    at += from.len();
                    if let Some(pattern) = first_literal(&chars, at) {
                        patterns.push(ConstantPattern {
                            line,
                            builtin: from,
                            pattern,
                        });
                    }
                } else {
                    // Copy the whole identifier, so `xregex.match` is not taken apart.
                    let end = chars
                        .iter()
                        .skip(at)
                        .position(|&c| !is_name_char(c))
                        .map_or(chars.len(), |n| at + n);
                    out.extend(chars.get(at..end).unwrap_or_default());
                    at = end;
                }
            }
            _ => {
                if c == '\n' {
                    line += 1;
                }
                out.push(c);
                at += 1;
            }
        }
    }
    (out, patterns)
}

/// The host name a message may mention, back in the user's words.
pub fn restore_names(text: &str) -> String {
    REDIRECTS
        .iter()
        .fold(text.to_string(), |text, (from, to, ..)| {
            text.replace(to, from)
        })
}

/// The host builtins' declarations for OPA's capabilities file: name, argument types, result
/// type.
pub fn declarations() -> impl Iterator<Item = (&'static str, Vec<Value>, Value)> {
    REDIRECTS.iter().map(|(_, to, args, result)| {
        (
            *to,
            args.iter().map(|kind| type_of(kind)).collect(),
            type_of(result),
        )
    })
}

fn type_of(kind: &str) -> Value {
    match kind {
        "array" => json!({"type": "array", "dynamic": {"type": "any"}}),
        other => json!({"type": other}),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Whether an identifier (possibly dotted) starts at `at`.
fn starts_name(chars: &[char], at: usize) -> bool {
    chars
        .get(at)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
        && !at
            .checked_sub(1)
            .and_then(|before| chars.get(before))
            .is_some_and(|c| is_name_char(*c))
}

fn matches_word(chars: &[char], at: usize, word: &str) -> bool {
    let len = word.chars().count();
    chars
        .get(at..at + len)
        .is_some_and(|found| found.iter().copied().eq(word.chars()))
        && !chars.get(at + len).is_some_and(|c| is_name_char(*c))
}

fn next_is_call(chars: &[char], at: usize) -> bool {
    chars
        .iter()
        .skip(at)
        .find(|c| !c.is_whitespace())
        .is_some_and(|c| *c == '(')
}

/// Where the string literal starting at `at` ends (one past its closing quote).
fn literal_end(chars: &[char], at: usize) -> usize {
    let quote = chars.get(at).copied().unwrap_or('"');
    let mut index = at + 1;
    while let Some(&c) = chars.get(index) {
        if quote == '"' && c == '\\' {
            index += 2;
            continue;
        }
        index += 1;
        if c == quote || (quote == '"' && c == '\n') {
            break;
        }
    }
    index.min(chars.len())
}

/// The value of a string literal that is the first argument of the call whose name ends at
/// `at`, if it is one.
fn first_literal(chars: &[char], at: usize) -> Option<String> {
    let open = at + chars.iter().skip(at).position(|c| *c == '(')?;
    let start = open
        + 1
        + chars
            .iter()
            .skip(open + 1)
            .position(|c| !c.is_whitespace())?;
    let quote = *chars.get(start)?;
    if quote != '"' && quote != '`' {
        return None;
    }
    let end = literal_end(chars, start);
    let text: String = chars.get(start..end)?.iter().collect();
    let after = chars.iter().skip(end).find(|c| !c.is_whitespace())?;
    if *after != ',' && *after != ')' {
        // A concatenation or other expression: not constant.
        return None;
    }
    if quote == '`' {
        return text.get(1..text.len().checked_sub(1)?).map(str::to_string);
    }
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_renamed_and_strings_comments_kept() {
        let source = "# regex.match(x)\nallow if regex.match(`(?<n>a)`, input.x)\nr := \"regex.match(\"\nok if regex.is_valid(\"a\\\\d\")\nno if xregex.match(1)\n";
        let (rewritten, patterns) = rewrite(source);
        assert_eq!(
            rewritten,
            "# regex.match(x)\nallow if cupcake_re2.match(`(?<n>a)`, input.x)\nr := \"regex.match(\"\nok if cupcake_re2.is_valid(\"a\\\\d\")\nno if xregex.match(1)\n"
        );
        assert_eq!(
            patterns,
            [
                ConstantPattern {
                    line: 2,
                    builtin: "regex.match",
                    pattern: "(?<n>a)".into()
                },
                ConstantPattern {
                    line: 4,
                    builtin: "regex.is_valid",
                    pattern: "a\\d".into()
                },
            ]
        );
        assert_eq!(rewritten.lines().count(), source.lines().count());
    }

    #[test]
    fn dynamic_patterns_are_not_constants() {
        let (_, patterns) =
            rewrite("x if regex.match(concat(\"\", [\"a\"]), y)\nz if regex.match(\"a\" + p, y)\n");
        assert!(patterns.is_empty());
    }

    #[test]
    fn names_are_restored_in_messages() {
        assert_eq!(restore_names("cupcake_re2.match: bad"), "regex.match: bad");
    }
}
