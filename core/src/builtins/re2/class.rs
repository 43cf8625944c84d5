//! Bracketed character classes: items are POSIX, Unicode and Perl classes, characters and
//! ranges; every literal is escaped so the `regex` crate's class operators never apply.

use std::fmt::Write as _;

use super::escape::perl_class;
use super::{consumed, syntax_error, Translator};

const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

impl<'p> Translator<'p> {
    /// A bracketed class; `before` starts at the `[`.
    pub(super) fn class(&mut self, before: &'p str) -> Result<(), String> {
        self.out.push('[');
        if self.peek() == Some('^') {
            self.bump();
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(syntax_error("missing closing ]", before));
            };
            // A `]` right after the opening bracket is a literal.
            if c == ']' && !first {
                self.bump();
                self.out.push(']');
                return Ok(());
            }
            first = false;
            if self.posix_class()? {
                continue;
            }
            if self.rest.starts_with("\\p") || self.rest.starts_with("\\P") {
                self.unicode_class(self.rest)?;
                continue;
            }
            let class = self
                .rest
                .strip_prefix('\\')
                .and_then(|rest| rest.chars().next())
                .and_then(perl_class);
            if let Some(class) = class {
                self.rest = self.rest.get(2..).unwrap_or_default();
                self.out.push_str(class);
                continue;
            }
            let item = self.rest;
            let low = self.class_char(before)?;
            let range = self
                .rest
                .strip_prefix('-')
                .filter(|after| !after.is_empty() && !after.starts_with(']'));
            if let Some(after) = range {
                self.rest = after;
                let high = self.class_char(before)?;
                if high < low {
                    return Err(syntax_error(
                        "invalid character class range",
                        consumed(item, self.rest),
                    ));
                }
                self.literal(low);
                self.out.push('-');
                self.literal(high);
            } else {
                self.literal(low);
            }
        }
    }

    /// `[:alpha:]` and `[:^alpha:]`; Go rejects unknown names once it sees the closing `:]`.
    fn posix_class(&mut self) -> Result<bool, String> {
        let Some(body) = self.rest.strip_prefix("[:") else {
            return Ok(false);
        };
        let Some((name, rest)) = body.split_once(":]") else {
            return Ok(false);
        };
        if !POSIX_CLASSES.contains(&name.strip_prefix('^').unwrap_or(name)) {
            return Err(syntax_error(
                "invalid character class range",
                &format!("[:{name}:]"),
            ));
        }
        let _ = write!(self.out, "[:{name}:]");
        self.rest = rest;
        Ok(true)
    }

    fn class_char(&mut self, class_start: &'p str) -> Result<char, String> {
        let before = self.rest;
        match self.bump() {
            None => Err(syntax_error("missing closing ]", class_start)),
            Some('\\') => self.escaped_char(before),
            Some(c) => Ok(c),
        }
    }
}
