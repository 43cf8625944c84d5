//! The one shell scanner. Splits a shell command line into simple commands (a program and its
//! words) the way a POSIX shell would tokenise it, for the destructive-command analysis and the
//! self-protection guard; while reading, it marks which characters are blanks outside quotes,
//! for the whitespace normaliser (`layout`). Commands are split on `;`, `&`, `&&`, `|`, `||`,
//! newlines and parentheses; words lose their quotes and escapes (so `\rm`, `"rm"` and `r'm'`
//! all read `rm`); commands inside `$(…)`, backticks and `<(…)` are listed too, as are the
//! bodies' substitutions of unquoted here-documents. Output redirection targets are kept per
//! command, since `> file` truncates it.
//!
//! This is a tokeniser, not a shell: nothing is expanded. A word records where its first
//! unquoted expansion (glob, `$`, `~`, braces, substitution) begins, so callers can tell the
//! literal part from what only the shell will know. It never fails: unterminated quotes run
//! to the end of the input.

/// Deepest nesting of command substitutions read as such; deeper ones are skipped, which
/// only needs a command line nobody writes by hand.
const MAX_DEPTH: usize = 64;

mod expansion;
mod layout;

pub(crate) use layout::{layout, Mark};

/// What kind of expansion a word contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Expansion {
    /// `*`, `?` or `[`: matches names inside the directory written before it.
    Glob,
    /// Anything else the shell substitutes (`$`, `~`, braces, command substitution).
    Other,
}

/// One word after quote removal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Word {
    /// The text with quotes and escapes removed.
    pub text: String,
    /// Byte offset in `text` where the first unquoted expansion starts, and its kind.
    pub expansion: Option<(usize, Expansion)>,
}

impl Word {
    /// The part of the word after its first `skip` bytes (an option's attached value).
    pub fn tail(&self, skip: usize) -> Self {
        Self {
            text: self.text.get(skip..).unwrap_or_default().to_string(),
            expansion: self
                .expansion
                .map(|(at, kind)| (at.saturating_sub(skip), kind)),
        }
    }

    fn mark(&mut self, kind: Expansion) {
        if self.expansion.is_none() {
            self.expansion = Some((self.text.len(), kind));
        }
    }
}

/// A program with its arguments, plus the files its output redirections write.
#[derive(Debug, Default)]
pub(crate) struct SimpleCommand {
    /// Words in order: assignments, the program, its arguments.
    pub words: Vec<Word>,
    /// Targets of `>`, `>>`, `>|`, `&>`, `<>` and friends.
    pub writes: Vec<Word>,
}

/// Every simple command in `script`, in the order the shell would meet them.
pub(crate) fn simple_commands(script: &str) -> Vec<SimpleCommand> {
    let chars: Vec<char> = script.chars().collect();
    let mut lexer = Lexer::new(&chars, 0);
    lexer.list(false);
    lexer.out
}

struct Heredoc {
    delimiter: String,
    strip_tabs: bool,
    expands: bool,
}

/// A word as read, with what the caller needs to know about how it was written.
#[derive(Default)]
struct Lexed {
    word: Word,
    quoted: bool,
    digits_only: bool,
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    depth: usize,
    out: Vec<SimpleCommand>,
    heredocs: Vec<Heredoc>,
    /// One per character: how it reads for whitespace (see `layout`).
    marks: Vec<Mark>,
}

impl<'a> Lexer<'a> {
    fn new(chars: &'a [char], depth: usize) -> Self {
        Self {
            chars,
            pos: 0,
            depth,
            out: Vec::new(),
            heredocs: Vec::new(),
            marks: vec![Mark::Keep; chars.len()],
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn finish(&mut self, command: &mut SimpleCommand) {
        if !command.words.is_empty() || !command.writes.is_empty() {
            self.out.push(std::mem::take(command));
        }
    }

    /// Reads commands until the end, or (when `nested`) the `)` closing a substitution.
    fn list(&mut self, nested: bool) {
        let mut command = SimpleCommand::default();
        // Subshell parentheses and `case` patterns (`a)`) must not close the substitution.
        let mut parens = 0_usize;
        let mut cases = 0_usize;
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' => self.skip_blank(),
                // A continuation between words vanishes, so a `#` after it starts a comment.
                '\\' if self.peek(1) == Some('\n') => self.skip_continuation(),
                '\n' => {
                    self.skip_blank();
                    self.finish(&mut command);
                    self.heredoc_bodies();
                }
                '&' if self.peek_code(1) == Some('>') => self.redirect(&mut command),
                ';' | '|' | '&' => {
                    self.pos += 1;
                    self.finish(&mut command);
                }
                '(' if self.peek_code(1) == Some('(') && command.words.is_empty() => {
                    self.skip_code(2);
                    self.arithmetic();
                }
                '(' => {
                    self.pos += 1;
                    parens += 1;
                    self.finish(&mut command);
                }
                ')' => {
                    self.pos += 1;
                    self.finish(&mut command);
                    if parens > 0 {
                        parens -= 1;
                    } else if cases == 0 && nested {
                        return;
                    }
                }
                // A comment's quotes are no quotes: its blanks collapse like code.
                '#' => {
                    while let Some(c) = self.peek(0).filter(|&c| c != '\n') {
                        if c == ' ' || c == '\t' {
                            self.skip_blank();
                        } else {
                            self.pos += 1;
                        }
                    }
                }
                '<' | '>' if self.peek_code(1) != Some('(') => self.redirect(&mut command),
                _ => {
                    let start = self.pos;
                    let lexed = self.word();
                    if self.pos == start {
                        // Defensive: every character must be consumed to make progress.
                        self.pos += 1;
                    } else if lexed.digits_only && matches!(self.peek(0), Some('<' | '>')) {
                        // `2>file`: a file descriptor number, not an argument.
                    } else if lexed.word.text.is_empty()
                        && !lexed.quoted
                        && lexed.word.expansion.is_none()
                    {
                        // Only line continuations: no word at all (`""` would be one).
                    } else {
                        if command.words.is_empty() {
                            match lexed.word.text.as_str() {
                                "case" => cases += 1,
                                "esac" => cases = cases.saturating_sub(1),
                                _ => {}
                            }
                        }
                        command.words.push(lexed.word);
                    }
                }
            }
        }
        self.finish(&mut command);
    }

    fn redirect(&mut self, command: &mut SimpleCommand) {
        // Continuations inside the operator vanish first: `<\<newline><` is `<<`.
        let (width, writes, heredoc) =
            match (self.peek_code(0), self.peek_code(1), self.peek_code(2)) {
                (Some('&'), _, Some('>')) => (3, true, None),
                (Some('<'), Some('<'), Some('<')) => (3, false, None),
                (Some('<'), Some('<'), Some('-')) => (3, false, Some(true)),
                (Some('<'), Some('<'), _) => (2, false, Some(false)),
                (Some('&' | '>'), Some('>' | '|' | '&'), _) | (Some('<'), Some('>'), _) => {
                    (2, true, None)
                }
                (Some('<'), Some('&'), _) => (2, false, None),
                _ => (1, self.peek_code(0) == Some('>'), None),
            };
        let duplicates = width == 2 && self.peek_code(1) == Some('&');
        self.skip_code(width);
        loop {
            match self.peek(0) {
                Some(' ' | '\t') => self.skip_blank(),
                Some('\\') if self.at_continuation() => self.skip_continuation(),
                _ => break,
            }
        }
        // No target; `#` starts a comment here as anywhere a word could start (`>#f` is
        // a syntax error in the shell, not a file named `#f`).
        if matches!(
            self.peek(0),
            None | Some('\n' | ';' | '|' | '&' | '(' | ')' | '<' | '>' | '#')
        ) {
            return;
        }
        let lexed = self.word();
        if let Some(strip_tabs) = heredoc {
            self.heredocs.push(Heredoc {
                delimiter: lexed.word.text,
                strip_tabs,
                expands: !lexed.quoted,
            });
        } else if writes {
            let text = lexed.word.text.as_str();
            let descriptor = text == "-" || (!text.is_empty() && lexed.digits_only);
            if !(duplicates && descriptor) {
                command.writes.push(lexed.word);
            }
        }
    }

    fn word(&mut self) -> Lexed {
        let mut lexed = Lexed {
            digits_only: true,
            ..Lexed::default()
        };
        while let Some(c) = self.peek(0) {
            // Gone before the word is read: `2\<newline>>f` redirects descriptor 2.
            if self.at_continuation() {
                self.skip_continuation();
                continue;
            }
            match c {
                '<' | '>' if self.peek_code(1) == Some('(') && lexed.word.text.is_empty() => {
                    self.skip_code(2);
                    lexed.word.mark(Expansion::Other);
                    self.nested();
                }
                ' ' | '\t' | '\n' | ';' | '|' | '&' | '(' | ')' | '<' | '>' => break,
                '\\' => {
                    self.pos += 1;
                    match self.peek(0) {
                        Some(next) => {
                            lexed.word.text.push(next);
                            lexed.quoted = true;
                            self.pos += 1;
                        }
                        None => lexed.word.text.push('\\'),
                    }
                }
                '\'' => {
                    self.pos += 1;
                    lexed.quoted = true;
                    while let Some(c) = self.peek(0) {
                        self.pos += 1;
                        if c == '\'' {
                            break;
                        }
                        lexed.word.text.push(c);
                    }
                }
                '"' => {
                    self.pos += 1;
                    lexed.quoted = true;
                    self.double_quoted(&mut lexed);
                }
                '`' => {
                    self.pos += 1;
                    lexed.word.mark(Expansion::Other);
                    self.backtick();
                }
                '$' => self.dollar(&mut lexed, false),
                '*' | '?' | '[' => {
                    lexed.word.mark(Expansion::Glob);
                    lexed.word.text.push(c);
                    self.pos += 1;
                }
                '{' | '~' => {
                    if c == '{' || (lexed.word.text.is_empty() && !lexed.quoted) {
                        lexed.word.mark(Expansion::Other);
                    }
                    lexed.word.text.push(c);
                    self.pos += 1;
                }
                _ => {
                    lexed.word.text.push(c);
                    self.pos += 1;
                }
            }
            if !c.is_ascii_digit() {
                lexed.digits_only = false;
            }
        }
        lexed.digits_only &= !lexed.word.text.is_empty();
        lexed
    }

    fn double_quoted(&mut self, lexed: &mut Lexed) {
        while let Some(c) = self.peek(0) {
            match c {
                '"' => {
                    self.pos += 1;
                    return;
                }
                '\\' => match self.peek(1) {
                    Some(next @ ('$' | '`' | '"' | '\\')) => {
                        lexed.word.text.push(next);
                        self.pos += 2;
                    }
                    Some('\n') => self.pos += 2,
                    _ => {
                        lexed.word.text.push('\\');
                        self.pos += 1;
                    }
                },
                '`' => {
                    self.pos += 1;
                    lexed.word.mark(Expansion::Other);
                    self.backtick();
                }
                '$' => self.dollar(lexed, true),
                _ => {
                    lexed.word.text.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
