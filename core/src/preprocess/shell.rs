//! Whitespace normalisation of shell commands, so `rm   -rf` or `rm<TAB>-rf` cannot slip past
//! a policy's `contains(cmd, "rm -rf")`.
//!
//! Outside quotes, a run of spaces and tabs becomes one space, and a run of blanks that holds
//! a newline becomes one newline: a newline ends a command in the shell, so turning it into a
//! space would glue two commands into one and change what the text means. Backslash-newline
//! (a line continuation) vanishes, as the shell removes it before splitting words. Leading and
//! trailing whitespace is trimmed. Carriage returns and Unicode spaces are left alone because
//! the shell does not split on them either (`rm\u{a0}-rf` is one word, a missing program).
//!
//! Text in single, double and `$'…'` quotes is kept byte for byte. The parts the shell treats
//! as code even inside double quotes, `$(…)` and backticks, are normalised like any other code,
//! and so are comments and here-document bodies, where a quote character is no quote at all:
//! when unsure, this collapses more, never less. Body lines keep their indentation. Unterminated
//! quotes run to the end; the shell refuses such a command, so nothing is lost. A backtick
//! substitution ends at the first unescaped backtick, whatever quote or comment it seems to be
//! in, as the shell reads it. The result is a fixed point: normalising it again changes nothing.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Single,
    AnsiC,
    Double,
    /// `$(…)`, or `((…))` when `arithmetic`; `parens` and `cases` count what its `)` may close.
    Substitution {
        parens: usize,
        cases: usize,
        arithmetic: bool,
    },
    Backtick,
    Comment,
}

/// Pending whitespace, the stronger kind winning.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    Space,
    Newline,
}

/// `command` with whitespace outside quotes collapsed, as described in the module doc.
pub(super) fn normalize_whitespace(command: &str) -> String {
    let chars: Vec<char> = command.chars().collect();
    let mut normalizer = Normalizer {
        chars: &chars,
        pos: 0,
        out: String::with_capacity(command.len()),
        stack: Vec::new(),
        gap: None,
        heredocs: Vec::new(),
    };
    normalizer.run();
    normalizer.out
}

struct Normalizer<'a> {
    chars: &'a [char],
    pos: usize,
    out: String,
    stack: Vec<Context>,
    gap: Option<Gap>,
    /// Delimiters (and whether `<<-` strips tabs) of here-documents whose bodies start after
    /// the current line.
    heredocs: Vec<(String, bool)>,
}

impl Normalizer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    /// Where the code character `ahead` places from here sits (see `continuation`).
    fn code_index(&self, ahead: usize) -> usize {
        super::continuation::code_index(self.chars, self.pos, ahead)
    }

    fn peek_code(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.code_index(ahead)).copied()
    }

    /// Emits the next `count` code characters, dropping line continuations between them.
    fn copy_code(&mut self, count: usize) {
        self.flush_gap();
        for _ in 0..count {
            let at = self.code_index(0);
            if let Some(&c) = self.chars.get(at) {
                self.out.push(c);
                self.pos = at + 1;
            }
        }
    }

    fn flush_gap(&mut self) {
        if let Some(gap) = self.gap.take() {
            if !self.out.is_empty() {
                self.out.push(if gap == Gap::Newline { '\n' } else { ' ' });
            }
        }
    }

    /// Emits the next `count` characters unchanged.
    fn copy(&mut self, count: usize) {
        self.flush_gap();
        for _ in 0..count {
            if let Some(c) = self.peek(0) {
                self.out.push(c);
                self.pos += 1;
            }
        }
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            // The shell ends a backtick substitution at the first unescaped backtick, before it
            // reads the quotes and comments inside (`# c` ends there, as does an unclosed `'`).
            if self.stack.contains(&Context::Backtick) {
                match c {
                    '\\' if self.peek(1) == Some('`') => {
                        self.copy(2);
                        continue;
                    }
                    '`' => {
                        let opened = self
                            .stack
                            .iter()
                            .rposition(|&context| context == Context::Backtick);
                        self.stack.truncate(opened.unwrap_or_default());
                        self.copy(1);
                        continue;
                    }
                    _ => {}
                }
            }
            match self.stack.last().copied() {
                Some(Context::Single) => {
                    self.copy(1);
                    if c == '\'' {
                        self.stack.pop();
                    }
                }
                Some(Context::AnsiC) => match c {
                    '\\' => self.copy(2),
                    '\'' => {
                        self.copy(1);
                        self.stack.pop();
                    }
                    _ => self.copy(1),
                },
                Some(Context::Double) => self.double_quoted(c),
                Some(Context::Comment) => match c {
                    '\n' => {
                        self.stack.pop();
                    }
                    ' ' | '\t' => self.blank(Gap::Space),
                    _ => self.copy(1),
                },
                None | Some(Context::Substitution { .. } | Context::Backtick) => self.code(c),
            }
        }
        // Outside quotes a trailing newline can only come from an empty here-document line
        // at the very end: trailing whitespace, trimmed like any other.
        if !matches!(
            self.stack.last(),
            Some(Context::Single | Context::AnsiC | Context::Double)
        ) {
            let kept = self.out.trim_end_matches('\n').len();
            self.out.truncate(kept);
        }
    }

    fn blank(&mut self, gap: Gap) {
        self.gap = self.gap.max(Some(gap));
        self.pos += 1;
    }

    fn double_quoted(&mut self, c: char) {
        match c {
            '"' => {
                self.copy(1);
                self.stack.pop();
            }
            '\\' => self.copy(2),
            '`' => {
                self.copy(1);
                self.stack.push(Context::Backtick);
            }
            // Double quotes drop line continuations too, so `"$\<newline>(…)"` substitutes.
            '$' if self.peek_code(1) == Some('(') => self.open_substitution(),
            _ => self.copy(1),
        }
    }

    fn open_substitution(&mut self) {
        let arithmetic = self.peek_code(2) == Some('(');
        self.copy_code(2);
        self.stack.push(Context::Substitution {
            parens: 0,
            cases: 0,
            arithmetic,
        });
    }

    fn at_word_start(&self) -> bool {
        if self.gap.is_some() {
            return true;
        }
        let mut before = self.out.chars().rev();
        let last = before.next();
        // An escaped operator (`\)`) is a literal character inside a word.
        let escaped = before.take_while(|&c| c == '\\').count() % 2 == 1;
        !escaped
            && matches!(
                last,
                None | Some(' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' | '`')
            )
    }

    /// Whether the keyword `word` starts here, as a whole word.
    fn keyword(&self, word: &str) -> bool {
        let count = word.chars().count();
        self.at_word_start()
            && word
                .chars()
                .enumerate()
                .all(|(i, c)| self.peek_code(i) == Some(c))
            && matches!(
                self.peek_code(count),
                None | Some(' ' | '\t' | '\n' | ';' | ')')
            )
    }

    fn code(&mut self, c: char) {
        match c {
            ' ' | '\t' => self.blank(Gap::Space),
            '\n' => {
                self.blank(Gap::Newline);
                if !self.heredocs.is_empty() {
                    self.heredoc_bodies();
                }
            }
            '\\' if self.peek(1) == Some('\n') => self.pos += 2,
            '\\' => self.copy(2),
            '\'' => {
                self.copy(1);
                self.stack.push(Context::Single);
            }
            '"' => {
                self.copy(1);
                self.stack.push(Context::Double);
            }
            '`' => {
                self.copy(1);
                self.stack.push(Context::Backtick);
            }
            '$' if self.peek_code(1) == Some('\'') => {
                self.copy_code(2);
                self.stack.push(Context::AnsiC);
            }
            '$' if self.peek_code(1) == Some('(') => self.open_substitution(),
            '#' if self.at_word_start() => {
                self.copy(1);
                self.stack.push(Context::Comment);
            }
            '(' => self.open_paren(),
            ')' => self.close_paren(),
            '<' if self.peek_code(1) == Some('<') => self.heredoc_operator(),
            'c' | 'e' => {
                let delta = if self.keyword("case") {
                    1
                } else if self.keyword("esac") {
                    -1
                } else {
                    0
                };
                if let Some(Context::Substitution { cases, .. }) = self.stack.last_mut() {
                    *cases = cases.saturating_add_signed(delta);
                }
                self.copy(1);
            }
            _ => self.copy(1),
        }
    }

    fn open_paren(&mut self) {
        if let Some(Context::Substitution { parens, .. }) = self.stack.last_mut() {
            *parens += 1;
        } else if self.peek_code(1) == Some('(') && self.at_word_start() {
            // `((…))`: an arithmetic command, whose `<<` is a shift.
            self.stack.push(Context::Substitution {
                parens: 0,
                cases: 0,
                arithmetic: true,
            });
        }
        self.copy(1);
    }

    fn close_paren(&mut self) {
        self.copy(1);
        if let Some(Context::Substitution { parens, cases, .. }) = self.stack.last_mut() {
            if *parens > 0 {
                *parens -= 1;
            } else if *cases == 0 {
                self.stack.pop();
            }
        }
    }

    /// At `<<`: a here-string (`<<<`), a shift inside arithmetic, or a here-document whose
    /// delimiter is read ahead (quotes removed) while the text itself is copied as code.
    fn heredoc_operator(&mut self) {
        if self.peek_code(2) == Some('<') {
            self.copy_code(3);
            return;
        }
        self.copy_code(2);
        // Only the innermost context counts: `$(( $(cat <<E …) ))` does open a here-document.
        if matches!(
            self.stack.last(),
            Some(Context::Substitution {
                arithmetic: true,
                ..
            })
        ) {
            return;
        }
        let strip_tabs = self.peek_code(0) == Some('-');
        if strip_tabs {
            self.copy_code(1);
        }
        // No word after the operator (the shell refuses that), no here-document.
        if let Some(delimiter) = self.delimiter_ahead() {
            self.heredocs.push((delimiter, strip_tabs));
        }
    }

    fn delimiter_ahead(&self) -> Option<String> {
        let mut at = self.code_index(0);
        let get = |at: usize| self.chars.get(at).copied();
        while matches!(get(at), Some(' ' | '\t')) {
            at += 1;
        }
        let mut delimiter = String::new();
        let mut quote = None;
        // A quoted empty word (`<<''`) is a delimiter; nothing, or a continuation, is none.
        let mut quoted = false;
        while let Some(c) = get(at) {
            at += 1;
            match (quote, c) {
                (None, ' ' | '\t' | '\n' | ';' | '|' | '&' | '(' | ')' | '<' | '>') => break,
                (None, '\'' | '"') => {
                    quote = Some(c);
                    quoted = true;
                }
                (Some(open), _) if c == open => quote = None,
                (None, '\\') if get(at) == Some('\n') => at += 1,
                (None, '\\') => {
                    if let Some(next) = get(at) {
                        delimiter.push(next);
                        at += 1;
                    }
                }
                _ => delimiter.push(c),
            }
        }
        (quoted || !delimiter.is_empty()).then_some(delimiter)
    }

    /// Copies the bodies of the here-documents opened on the line just ended. Lines keep
    /// their indentation; later runs of blanks become one space; the terminator line is
    /// copied as is.
    fn heredoc_bodies(&mut self) {
        for (delimiter, strip_tabs) in std::mem::take(&mut self.heredocs) {
            while self.peek(0).is_some() {
                let mut line = String::new();
                let mut at = self.pos;
                while let Some(c) = self.chars.get(at).copied().filter(|&c| c != '\n') {
                    line.push(c);
                    at += 1;
                }
                let ended = self.chars.get(at).is_some();
                self.pos = at + usize::from(ended);
                self.flush_gap();
                let candidate = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line.as_str()
                };
                let terminated = candidate == delimiter;
                if terminated {
                    self.out.push_str(&line);
                } else {
                    push_body_line(&mut self.out, &line);
                }
                if ended {
                    self.gap = Some(Gap::Newline);
                }
                if terminated {
                    break;
                }
            }
        }
    }
}

fn push_body_line(out: &mut String, line: &str) {
    let body = line.trim_start_matches([' ', '\t']);
    out.push_str(line.get(..line.len() - body.len()).unwrap_or_default());
    let mut blank = false;
    for c in body.chars() {
        if c == ' ' || c == '\t' {
            blank = true;
        } else {
            if blank {
                out.push(' ');
                blank = false;
            }
            out.push(c);
        }
    }
    if blank {
        out.push(' ');
    }
}

#[cfg(test)]
pub(super) mod tests;
