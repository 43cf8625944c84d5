//! The parts of a word the shell expands or substitutes: `$…`, `$(…)`, `$((…))`, `${…}`,
//! backticks, `$'…'` escapes and here-document bodies. Commands found inside substitutions
//! join the lexer's output; the rest is only skipped, with the word marked as expanded.

use super::{Expansion, Lexed, Lexer, Mark, MAX_DEPTH};

impl Lexer<'_> {
    pub(super) fn dollar(&mut self, lexed: &mut Lexed, in_double_quotes: bool) {
        match self.peek_code(1) {
            Some('(') if self.peek_code(2) == Some('(') => {
                self.skip_code(3);
                lexed.word.mark(Expansion::Other);
                self.arithmetic();
            }
            Some('(') => {
                self.skip_code(2);
                lexed.word.mark(Expansion::Other);
                self.nested();
            }
            Some('{') => {
                self.skip_code(2);
                lexed.word.mark(Expansion::Other);
                self.parameter(in_double_quotes);
            }
            Some('\'') if !in_double_quotes => {
                self.skip_code(2);
                lexed.quoted = true;
                self.ansi_c(&mut lexed.word.text);
            }
            // `$"…"` is a translatable string: the quote that follows is read normally.
            Some('"') if !in_double_quotes => self.skip_code(1),
            // The name's continuations are removed by whoever reads on: the word loop, or
            // the double-quoted one.
            Some(next) if next.is_ascii_alphanumeric() || "_@*#?$!-".contains(next) => {
                lexed.word.mark(Expansion::Other);
                lexed.word.text.push('$');
                self.pos += 1;
            }
            _ => {
                lexed.word.text.push('$');
                self.pos += 1;
            }
        }
    }

    /// Reads the commands of a `$(…)` or `<(…)` whose opening has been consumed.
    pub(super) fn nested(&mut self) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.list(true);
        self.depth -= 1;
    }

    /// Skips an arithmetic expression (after `$((` or `((`) up to its closing `))`, reading
    /// the command substitutions it may contain. Its `<<` is a shift, not a here-document.
    /// Its blanks are code, even inside double quotes; its quotes keep what they hold.
    pub(super) fn arithmetic(&mut self) {
        let mut open = 2_usize;
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\n' => self.skip_blank(),
                '\\' if self.at_continuation() => self.skip_continuation(),
                _ => {
                    self.pos += 1;
                    match c {
                        '(' => open += 1,
                        ')' => {
                            open -= 1;
                            if open == 0 {
                                return;
                            }
                        }
                        '\'' | '"' => self.quoted_in_expansion(c),
                        // Continuations go first here too: `$\<newline>(` substitutes.
                        '$' if self.peek_code(0) == Some('(') && self.peek_code(1) != Some('(') => {
                            self.skip_code(1);
                            self.nested();
                        }
                        '`' => self.backtick(),
                        '\\' => self.pos += 1,
                        _ => {}
                    }
                }
            }
        }
    }

    /// Skips a `${…}` whose opening has been consumed, reading substitutions inside it.
    /// Outside double quotes its blanks are code (the shell splits what it expands to).
    pub(super) fn parameter(&mut self, in_double_quotes: bool) {
        let mut open = 1_usize;
        while let Some(c) = self.peek(0) {
            if !in_double_quotes {
                match c {
                    ' ' | '\t' | '\n' => {
                        self.skip_blank();
                        continue;
                    }
                    '\\' if self.at_continuation() => {
                        self.skip_continuation();
                        continue;
                    }
                    _ => {}
                }
            }
            self.pos += 1;
            match c {
                '{' => open += 1,
                '}' => {
                    open -= 1;
                    if open == 0 {
                        return;
                    }
                }
                // Inside double quotes a single quote is a character like any other.
                '\'' if !in_double_quotes => self.quoted_in_expansion(c),
                '"' => self.quoted_in_expansion(c),
                '$' if self.peek_code(0) == Some('(') => {
                    self.skip_code(1);
                    self.nested();
                }
                '`' => self.backtick(),
                '\\' => self.pos += 1,
                _ => {}
            }
        }
    }

    /// Skips quoted text inside an expansion, whose opening `quote` has been consumed: its
    /// closing parenthesis or brace closes nothing, and its blanks are kept.
    fn quoted_in_expansion(&mut self, quote: char) {
        if quote == '"' {
            self.double_quoted(&mut Lexed::default());
            return;
        }
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            if c == quote {
                return;
            }
        }
    }

    /// Reads a backtick substitution whose opening backtick has been consumed. Inside it a
    /// backslash quotes only `` ` ``, `$` and `\`; the rest is a command line of its own.
    pub(super) fn backtick(&mut self) {
        let mut inner = Vec::new();
        // Where each inner character sits in the script, and whether a backslash escaped it.
        let mut origin = Vec::new();
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '`' => break,
                '\\' => {
                    if let Some(next @ ('`' | '$' | '\\')) = self.peek(0) {
                        inner.push(next);
                        origin.push((self.pos, true));
                        self.pos += 1;
                    } else {
                        inner.push('\\');
                        origin.push((self.pos - 1, false));
                    }
                }
                _ => {
                    inner.push(c);
                    origin.push((self.pos - 1, false));
                }
            }
        }
        if self.depth >= MAX_DEPTH {
            return;
        }
        let mut sub = Lexer::new(&inner, self.depth + 1);
        sub.list(false);
        self.out.append(&mut sub.out);
        for (&mark, &(at, escaped)) in sub.marks.iter().zip(&origin) {
            if mark != Mark::Keep {
                self.mark(at, mark);
                // `\\<newline>` is a continuation inside: both backslashes go.
                if escaped && mark == Mark::Gone {
                    self.mark(at - 1, mark);
                }
            }
        }
    }

    /// Skips the bodies of here-documents opened on the line just ended, looking only for
    /// command substitutions in the ones the shell expands. Body text is no code, yet its
    /// blank runs collapse too (see `mark_body_line`): a policy finds `rm -rf` in what
    /// `cat <<E | sh` runs however it is spaced.
    pub(super) fn heredoc_bodies(&mut self) {
        for doc in std::mem::take(&mut self.heredocs) {
            while self.pos < self.chars.len() {
                let start = self.pos;
                let (line, end, continuations) = self.body_line(start, doc.expands);
                let candidate = if doc.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line.as_str()
                };
                if candidate == doc.delimiter {
                    for at in continuations {
                        self.mark(at, Mark::Gone);
                        self.mark(at + 1, Mark::Gone);
                    }
                    // The terminator's newline ends the command line like any other; after
                    // an empty terminator (`<<''`) it must not merge with the newline before.
                    self.mark(
                        end,
                        if line.is_empty() {
                            Mark::Line
                        } else {
                            Mark::Break
                        },
                    );
                    self.pos = end + 1;
                    break;
                }
                let (end, code) = if doc.expands {
                    self.substitutions_in_line()
                } else {
                    self.pos = end + 1;
                    (end, Vec::new())
                };
                self.mark_body_line(start, end, &code);
            }
        }
    }

    /// The body line starting at `start` as the shell compares it with the delimiter, where
    /// it ends, and where its continuations start. In a body the shell expands (`joins`), a
    /// continuation is removed first, so `\\<newline>E` ends a here-document delimited by `E`.
    fn body_line(&self, start: usize, joins: bool) -> (String, usize, Vec<usize>) {
        let mut line = String::new();
        let mut continuations = Vec::new();
        let mut at = start;
        while let Some(&c) = self.chars.get(at) {
            match c {
                '\n' => break,
                '\\' if joins => {
                    match self.chars.get(at + 1) {
                        Some('\n') => continuations.push(at),
                        Some(&next) => {
                            line.push(c);
                            line.push(next);
                        }
                        None => line.push(c),
                    }
                    at += 2;
                    continue;
                }
                _ => line.push(c),
            }
            at += 1;
        }
        (line, at.min(self.chars.len()), continuations)
    }

    /// Reads the substitutions of one expanded body line, up to and past its newline.
    /// Returns where the line ends (an escaped newline joins the next line to it) and the
    /// spans of the substitutions, whose whitespace the lexer has marked as code.
    pub(super) fn substitutions_in_line(&mut self) -> (usize, Vec<(usize, usize)>) {
        let mut code = Vec::new();
        while let Some(c) = self.peek(0) {
            let start = self.pos;
            self.pos += 1;
            match c {
                '\n' => return (start, code),
                // The shell removes a continuation from a body it expands, joining the lines.
                '\\' if self.peek(0) == Some('\n') => {
                    self.mark(start, Mark::Gone);
                    self.mark(start + 1, Mark::Gone);
                    self.pos += 1;
                }
                '\\' => self.pos += 1,
                '$' if self.peek_code(0) == Some('(') => {
                    self.skip_code(1);
                    if self.peek_code(0) == Some('(') {
                        self.skip_code(1);
                        self.arithmetic();
                    } else {
                        self.nested();
                    }
                    code.push((start, self.pos));
                }
                '`' => {
                    self.backtick();
                    code.push((start, self.pos));
                }
                _ => {}
            }
        }
        (self.chars.len(), code)
    }

    /// Reads a `$'…'` string whose opening has been consumed, decoding its escapes, so
    /// `$'\x72m'` reads `rm` as the shell would run it.
    fn ansi_c(&mut self, text: &mut String) {
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '\'' => return,
                '\\' => {
                    let Some(escape) = self.peek(0) else {
                        text.push('\\');
                        return;
                    };
                    self.pos += 1;
                    let decoded = match escape {
                        'n' => Some('\n'),
                        't' => Some('\t'),
                        'r' => Some('\r'),
                        'a' => Some('\u{7}'),
                        'b' => Some('\u{8}'),
                        'e' | 'E' => Some('\u{1b}'),
                        'f' => Some('\u{c}'),
                        'v' => Some('\u{b}'),
                        '\\' | '\'' | '"' | '?' => Some(escape),
                        'x' => self.code_point(16, 2),
                        'u' => self.code_point(16, 4),
                        'U' => self.code_point(16, 8),
                        '0'..='7' => {
                            self.pos -= 1;
                            self.code_point(8, 3)
                        }
                        _ => {
                            text.push('\\');
                            Some(escape)
                        }
                    };
                    text.extend(decoded);
                }
                _ => text.push(c),
            }
        }
    }

    /// Up to `max` digits in `radix`, as a character; `None` when there are none or the
    /// value is no character.
    fn code_point(&mut self, radix: u32, max: usize) -> Option<char> {
        let mut value = 0_u32;
        let mut count = 0;
        while count < max {
            let Some(digit) = self.peek(0).and_then(|c| c.to_digit(radix)) else {
                break;
            };
            value = value.saturating_mul(radix).saturating_add(digit);
            self.pos += 1;
            count += 1;
        }
        if count == 0 {
            return None;
        }
        char::from_u32(value)
    }
}
