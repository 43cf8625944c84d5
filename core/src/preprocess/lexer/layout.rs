//! How each character of the script reads for whitespace: the lexer marks the blanks it
//! skips between words, the newlines that end commands and the line continuations it
//! removes, so the whitespace normaliser can collapse exactly those and nothing the shell
//! reads as quoted text. One scanner decides both what the words are and what may be
//! collapsed, so normalising can never change the words.

use super::Lexer;

/// What the normaliser does with one character. Characters the lexer does not mark are
/// kept as written: quoted text, words, operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Mark {
    #[default]
    Keep,
    /// A space or tab outside quotes (between words, in a comment, in arithmetic): a run of
    /// them becomes one space.
    Blank,
    /// A newline ending a command: a run of blanks holding one becomes one newline.
    Break,
    /// Part of a line continuation, which the shell removes before it reads words.
    Gone,
    /// The first blank of a run inside a here-document body line, written as one space.
    Space,
    /// A newline inside a here-document body: each one is kept.
    Line,
}

impl Lexer<'_> {
    pub(super) fn mark(&mut self, at: usize, mark: Mark) {
        if let Some(slot) = self.marks.get_mut(at) {
            *slot = mark;
        }
    }

    /// The code character `ahead` places from here, line continuations before and between
    /// them skipped: the shell removes a backslash-newline before it reads operators and
    /// words, so `<\<newline><` is `<<` and `$\<newline>HOME` expands.
    pub(super) fn peek_code(&self, ahead: usize) -> Option<char> {
        let mut at = self.pos;
        let mut left = ahead;
        loop {
            while self.chars.get(at) == Some(&'\\') && self.chars.get(at + 1) == Some(&'\n') {
                at += 2;
            }
            if left == 0 {
                return self.chars.get(at).copied();
            }
            at += 1;
            left -= 1;
        }
    }

    /// Moves past the next `count` code characters, removing the line continuations before
    /// and among them (see `continuation`); what follows reads its own (inside `$'…'` a
    /// backslash-newline is text).
    pub(super) fn skip_code(&mut self, count: usize) {
        for _ in 0..count {
            while self.at_continuation() {
                self.skip_continuation();
            }
            self.pos += 1;
        }
    }

    pub(super) fn at_continuation(&self) -> bool {
        self.peek(0) == Some('\\') && self.peek(1) == Some('\n')
    }

    pub(super) fn skip_continuation(&mut self) {
        self.mark(self.pos, Mark::Gone);
        self.mark(self.pos + 1, Mark::Gone);
        self.pos += 2;
    }

    /// Moves past a blank (`Blank`) or newline (`Break`) outside quotes.
    pub(super) fn skip_blank(&mut self) {
        let mark = if self.peek(0) == Some('\n') {
            Mark::Break
        } else {
            Mark::Blank
        };
        self.mark(self.pos, mark);
        self.pos += 1;
    }

    /// Marks the blanks of a here-document body line from `start` to `end` (its newline, or
    /// the end of the script): the indentation stays, each later run becomes one space; the
    /// newline stays. Positions inside substitutions, which the lexer has marked as code,
    /// are left as they are.
    pub(super) fn mark_body_line(&mut self, start: usize, end: usize, code: &[(usize, usize)]) {
        let mut at = start;
        while matches!(self.chars.get(at), Some(' ' | '\t')) && at < end {
            at += 1;
        }
        let mut in_run = false;
        // The spans come in order and do not overlap: one pass over both.
        let mut spans = code.iter().peekable();
        while at < end {
            while spans.next_if(|&&(_, to)| to <= at).is_some() {}
            let inside_code = spans.peek().is_some_and(|&&(from, _)| from <= at);
            if self.marks.get(at) == Some(&Mark::Gone) {
                // A removed continuation joins the blanks on either side into one run.
            } else if !inside_code && matches!(self.chars.get(at), Some(' ' | '\t')) {
                self.mark(at, if in_run { Mark::Gone } else { Mark::Space });
                in_run = true;
            } else {
                in_run = false;
            }
            at += 1;
        }
        if self.chars.get(end) == Some(&'\n') {
            self.mark(end, Mark::Line);
        }
    }
}

/// Each character of `script` with its mark.
pub(crate) fn layout(script: &str) -> Vec<(char, Mark)> {
    let chars: Vec<char> = script.chars().collect();
    let mut lexer = Lexer::new(&chars, 0);
    lexer.list(false);
    let marks = lexer.marks;
    chars.into_iter().zip(marks).collect()
}
