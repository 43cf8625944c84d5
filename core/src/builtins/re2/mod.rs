//! Go's RE2 syntax, which OPA's regex builtins accept, rewritten for the `regex` crate. The two
//! dialects share most syntax but differ where it matters to policies: Go's `\d \w \s \b` are
//! ASCII-only (the crate's are Unicode), Go reads `x{,3}` and `x{01}` literally, allows `\Q…\E`
//! and octal escapes, and rejects `a**`, `a{1001}` and `(?x)`; inside a class the crate gives
//! `&&`, `--`, `~~` and `[` meanings Go does not. Every literal punctuation character is
//! therefore emitted as a `\x{..}` escape, and everything else is checked the way Go's parser
//! checks it, with Go's error wording.
//!
//! `escape` handles backslash sequences and `class` bracketed classes.

use std::fmt::Write as _;

mod class;
mod escape;

/// A Go pattern rewritten for the `regex` crate.
pub(crate) struct Translation {
    /// The crate's pattern.
    pub pattern: String,
    /// The name of each capture group, in order (group 1 first). Go allows names the crate
    /// refuses (duplicates, a leading digit), so every group is emitted unnamed and the names
    /// live here.
    pub names: Vec<Option<String>>,
}

/// Rewrites a Go pattern into an equivalent `regex` crate pattern, or reports Go's error.
pub(crate) fn translate(pattern: &str) -> Result<Translation, String> {
    let mut translator = Translator {
        rest: pattern,
        out: String::with_capacity(pattern.len() + 16),
        names: Vec::new(),
        ungreedy: false,
        scopes: Vec::new(),
        pending_flags: String::new(),
        ungreedy_before_flags: None,
    };
    translator.run()?;
    Ok(Translation {
        pattern: translator.out,
        names: translator.names,
    })
}

fn syntax_error(code: &str, expr: &str) -> String {
    format!("error parsing regexp: {code}: `{expr}`")
}

/// The part of `before` that was consumed to reach `rest`.
fn consumed<'p>(before: &'p str, rest: &str) -> &'p str {
    before
        .get(..before.len().saturating_sub(rest.len()))
        .unwrap_or(before)
}

/// Walks the Go pattern (`rest`) and writes the crate's pattern (`out`).
struct Translator<'p> {
    rest: &'p str,
    out: String,
    names: Vec<Option<String>>,
    /// Whether `(?U)` is in force, and its value outside each open group.
    ungreedy: bool,
    scopes: Vec<bool>,
    /// Flag groups like `(?i)` not yet written. In Go they are not operands, so `b(?i)*`
    /// repeats `b`; the crate refuses that, so they are written after a following repetition.
    pending_flags: String,
    /// `ungreedy` before the pending flags, when they are pending.
    ungreedy_before_flags: Option<bool>,
}

impl<'p> Translator<'p> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = self.rest.get(c.len_utf8()..).unwrap_or_default();
        Some(c)
    }

    /// A literal character, escaped unless it is alphanumeric or non-ASCII.
    fn literal(&mut self, c: char) {
        if c.is_ascii_alphanumeric() || !c.is_ascii() {
            self.out.push(c);
        } else {
            let _ = write!(self.out, "\\x{{{:02X}}}", u32::from(c));
        }
    }

    fn run(&mut self) -> Result<(), String> {
        // Where the previous token started, when it was a repetition: Go forbids stacking them.
        let mut last_repeat: Option<&'p str> = None;
        while !self.rest.is_empty() {
            let before = self.rest;
            let mut repeat = None;
            if !self.at_repeat_or_flags() {
                self.write_pending_flags();
            }
            match self.bump() {
                Some('\\') => self.escape(before)?,
                Some('[') => self.class(before)?,
                Some('(') => self.group(before)?,
                Some(c @ ('*' | '+' | '?')) => {
                    self.out.push(c);
                    self.repetition(last_repeat)?;
                    repeat = Some(before);
                }
                Some('{') => match parse_repeat(before) {
                    Some((min, max, after)) => {
                        if !(0..=1000).contains(&min) || max > 1000 || (max >= 0 && min > max) {
                            return Err(syntax_error(
                                "invalid repeat count",
                                consumed(before, after),
                            ));
                        }
                        self.rest = after;
                        let _ = match max {
                            -1 => write!(self.out, "{{{min},}}"),
                            max if max == min => write!(self.out, "{{{min}}}"),
                            max => write!(self.out, "{{{min},{max}}}"),
                        };
                        self.repetition(last_repeat)?;
                        repeat = Some(before);
                    }
                    // Go reads a brace that does not form a repeat as a literal.
                    None => self.literal('{'),
                },
                Some(')') => {
                    self.out.push(')');
                    self.ungreedy = self.scopes.pop().unwrap_or(self.ungreedy);
                }
                Some(c @ ('.' | '^' | '$' | '|')) => self.out.push(c),
                Some(c) => self.literal(c),
                None => break,
            }
            last_repeat = repeat;
        }
        self.write_pending_flags();
        Ok(())
    }

    /// Whether the next token is a repetition operator or a flag group like `(?i)`: tokens
    /// that pending flag groups may still move past.
    fn at_repeat_or_flags(&self) -> bool {
        let flag_group = self
            .rest
            .strip_prefix("(?")
            .and_then(|body| body.split_once(')'))
            .is_some_and(|(flags, _)| flags.chars().all(|c| "imsU-".contains(c)));
        flag_group || self.rest.starts_with(['*', '+', '?']) || parse_repeat(self.rest).is_some()
    }

    fn write_pending_flags(&mut self) {
        self.out.push_str(&self.pending_flags);
        self.pending_flags.clear();
        self.ungreedy_before_flags = None;
    }

    /// After a repetition operator: an optional lazy `?`, and Go's ban on `a**`. When flag
    /// groups are pending the crate reads this operator before them, so a `(?U)` among them
    /// is applied here by flipping the lazy suffix.
    fn repetition(&mut self, last_repeat: Option<&'p str>) -> Result<(), String> {
        let lazy = self.peek() == Some('?');
        if lazy {
            self.bump();
        }
        let flipped = self
            .ungreedy_before_flags
            .is_some_and(|before| before != self.ungreedy);
        if lazy != flipped {
            self.out.push('?');
        }
        if let Some(previous) = last_repeat {
            return Err(syntax_error(
                "invalid nested repetition operator",
                consumed(previous, self.rest),
            ));
        }
        Ok(())
    }

    /// `(`, `(?P<name>`, `(?<name>`, `(?flags)` or `(?flags:`; `before` starts at the `(`.
    fn group(&mut self, before: &'p str) -> Result<(), String> {
        let Some(after) = self.rest.strip_prefix('?') else {
            self.out.push('(');
            self.names.push(None);
            self.scopes.push(self.ungreedy);
            return Ok(());
        };
        if let Some(body) = after.strip_prefix("P<").or_else(|| after.strip_prefix('<')) {
            let Some((name, rest)) = body.split_once('>') else {
                return Err(syntax_error("invalid named capture", before));
            };
            if name.is_empty() || !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
                return Err(syntax_error(
                    "invalid named capture",
                    consumed(before, rest),
                ));
            }
            self.rest = rest;
            self.out.push('(');
            self.names.push(Some(name.to_string()));
            self.scopes.push(self.ungreedy);
            return Ok(());
        }
        self.rest = after;
        let mut flags = String::new();
        let mut negated = false;
        let mut saw_flag = false;
        while let Some(c) = self.bump() {
            match c {
                'i' | 'm' | 's' | 'U' => {
                    flags.push(c);
                    saw_flag = true;
                }
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                    flags.push('-');
                }
                ':' | ')' if !negated || saw_flag => {
                    let ungreedy = match flags.find('U') {
                        Some(at) => !flags.get(..at).unwrap_or_default().contains('-'),
                        None => self.ungreedy,
                    };
                    if c == ':' {
                        let _ = write!(self.out, "(?{flags}:");
                        self.scopes.push(self.ungreedy);
                    } else if !flags.is_empty() {
                        let _ = write!(self.pending_flags, "(?{flags})");
                        self.ungreedy_before_flags.get_or_insert(self.ungreedy);
                    }
                    self.ungreedy = ungreedy;
                    return Ok(());
                }
                _ => break,
            }
        }
        Err(syntax_error(
            "invalid or unsupported Perl syntax",
            consumed(before, self.rest),
        ))
    }
}

/// Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` at the start of `s` (max -1 when open; a
/// count of 10^8 or more reads as -1, which the caller rejects).
fn parse_repeat(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (mut min, s) = parse_int(s)?;
    let (max, s) = match s.strip_prefix(',') {
        Some(after) if after.starts_with('}') => (-1, after),
        Some(after) => {
            let (max, after) = parse_int(after)?;
            if max < 0 {
                min = -1;
            }
            (max, after)
        }
        None => (min, s),
    };
    let rest = s.strip_prefix('}')?;
    Some((min, max, rest))
}

/// Decimal digits without a leading zero (Go reads `{01}` literally).
fn parse_int(s: &str) -> Option<(i64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let digits = s.get(..end).filter(|d| !d.is_empty())?;
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    let value = digits
        .parse::<i64>()
        .ok()
        .filter(|v| *v < 100_000_000)
        .unwrap_or(-1);
    Some((value, s.get(end..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(pattern: &str) -> String {
        translate(pattern)
            .expect("pattern is valid Go syntax")
            .pattern
    }

    #[test]
    fn ascii_classes_and_boundaries() {
        assert_eq!(ok(r"\d+\W"), "[0-9]+[^0-9A-Za-z_]");
        assert_eq!(ok(r"[\d_\S]"), r"[[0-9]\x{5F}[^\t\n\f\r ]]");
        assert_eq!(ok(r"\bx\B"), r"(?-u:\b)x(?-u:\B)");
        assert_eq!(ok(r"[[:alpha:][:^digit:]]"), "[[:alpha:][:^digit:]]");
        assert_eq!(ok(r"\pL\p{^Greek}\P{Lu}"), r"\p{L}\P{Greek}\P{Lu}");
    }

    #[test]
    fn literals_go_reads_differently() {
        assert_eq!(ok("x{,3}"), r"x\x{7B}\x{2C}3\x{7D}");
        assert_eq!(ok("x{01}"), r"x\x{7B}01\x{7D}");
        assert_eq!(ok(r"\Q.b*\E+"), r"\x{2E}b\x{2A}+");
        assert_eq!(ok(r"\101\0\x41\x{1F600}"), "A\\x{00}A\u{1F600}");
        assert_eq!(ok(r"[a&&b~-]"), r"[a\x{26}\x{26}b\x{7E}\x{2D}]");
        assert_eq!(ok(r"[]a-c^]"), r"[\x{5D}a-c\x{5E}]");
        assert_eq!(ok(r"\<\>"), r"\x{3C}\x{3E}");
    }

    #[test]
    fn repeats_flags_and_groups() {
        assert_eq!(ok("a{2}b{2,}c{2,5}?d*?"), "a{2}b{2,}c{2,5}?d*?");
        assert_eq!(
            ok("(?i)(?P<y>a)(?<m>b)(?s-m:.)(?:c)"),
            "(?i)(a)(b)(?s-m:.)(?:c)"
        );
        assert_eq!(ok("(?)a"), "a");
        // Go repeats the atom before a flag group; a (?U) there changes that repeat.
        assert_eq!(ok("b(?i)?c"), "b?(?i)c");
        assert_eq!(ok("b(?U)*(?-U)+?c"), "b*?+?(?U)(?-U)c");
        assert_eq!(ok("b(?i)*(?s)+"), "b*+(?i)(?s)");
        assert_eq!(ok("(?U:a(b)*)c*"), "(?U:a(b)*)c*");
        let names = translate("(a)(?P<n>b)(?<1x>c)(?P<n>d)")
            .expect("Go accepts duplicate and digit-first names")
            .names;
        let names: Vec<Option<&str>> = names.iter().map(Option::as_deref).collect();
        assert_eq!(names, [None, Some("n"), Some("1x"), Some("n")]);
    }

    #[test]
    fn errors_use_go_wording() {
        let err = |p: &str| {
            translate(p)
                .map(|t| t.pattern)
                .expect_err("pattern is invalid in Go")
        };
        assert_eq!(
            err("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("a*?+"),
            "error parsing regexp: invalid nested repetition operator: `*?+`"
        );
        assert_eq!(
            err("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            err("a{3,2}"),
            "error parsing regexp: invalid repeat count: `{3,2}`"
        );
        assert_eq!(
            err(r"\1"),
            "error parsing regexp: invalid escape sequence: `\\1`"
        );
        assert_eq!(
            err(r"\8"),
            "error parsing regexp: invalid escape sequence: `\\8`"
        );
        assert_eq!(
            err(r"a\C"),
            "error parsing regexp: invalid escape sequence: `\\C`"
        );
        assert_eq!(
            err("(?x)a"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(err("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(
            err("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(
            err("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
        assert_eq!(
            err("(?P<a-b>x)"),
            "error parsing regexp: invalid named capture: `(?P<a-b>`"
        );
    }
}
