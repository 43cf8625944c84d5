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
//! as code even inside double quotes, `$(…)`, `$((…))` and backticks, are normalised like any
//! other code, and so are comments and here-document bodies, where a quote character is no
//! quote at all: when unsure, this collapses more, never less. Body lines keep their
//! indentation and their empty lines. Unterminated quotes run to the end; the shell refuses
//! such a command, so nothing is lost.
//!
//! Which characters are blanks outside quotes is the lexer's reading (`lexer::layout`), the
//! same reading the destructive-command analysis splits words with: normalising cannot change
//! the words it finds. The result is a fixed point: normalising it again changes nothing.

use super::lexer::{layout, Mark};

/// `command` with whitespace outside quotes collapsed, as described in the module doc.
pub(super) fn normalize_whitespace(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut gap = Gap::default();
    for (c, mark) in layout(command) {
        match mark {
            Mark::Blank => gap.space = true,
            Mark::Break => gap.newline = true,
            Mark::Line => gap.lines += 1,
            Mark::Gone => {}
            Mark::Keep | Mark::Space => {
                // Leading whitespace is dropped; trailing whitespace is a gap never written.
                if !out.is_empty() {
                    gap.write(&mut out);
                }
                gap = Gap::default();
                out.push(if mark == Mark::Space { ' ' } else { c });
            }
        }
    }
    out
}

/// The whitespace met since the last character written.
#[derive(Default)]
struct Gap {
    space: bool,
    /// A newline ending a command, however many blanks and newlines surround it.
    newline: bool,
    /// Here-document body newlines, each of which is kept.
    lines: usize,
}

impl Gap {
    fn write(&self, out: &mut String) {
        let newlines = usize::from(self.newline) + self.lines;
        if newlines > 0 {
            out.extend(std::iter::repeat_n('\n', newlines));
        } else if self.space {
            out.push(' ');
        }
    }
}

#[cfg(test)]
pub(super) mod tests;
