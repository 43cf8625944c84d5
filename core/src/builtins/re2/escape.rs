//! Backslash sequences outside classes, and the character escapes shared with classes.

use std::fmt::Write as _;

use super::{consumed, syntax_error, Translator};

/// Go's ASCII-only Perl classes.
pub(super) fn perl_class(letter: char) -> Option<&'static str> {
    Some(match letter {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => r"[\t\n\f\r ]",
        'S' => r"[^\t\n\f\r ]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        _ => return None,
    })
}

impl<'p> Translator<'p> {
    /// An escape outside a class; `before` starts at the backslash.
    pub(super) fn escape(&mut self, before: &'p str) -> Result<(), String> {
        match self.peek() {
            None => Err(syntax_error("trailing backslash at end of expression", "")),
            Some(c @ ('A' | 'z')) => {
                self.bump();
                self.out.push('\\');
                self.out.push(c);
                Ok(())
            }
            Some(c @ ('b' | 'B')) => {
                self.bump();
                let _ = write!(self.out, "(?-u:\\{c})");
                Ok(())
            }
            Some('Q') => {
                self.bump();
                let (literal, rest) = self.rest.split_once("\\E").unwrap_or((self.rest, ""));
                self.rest = rest;
                for c in literal.chars() {
                    self.literal(c);
                }
                Ok(())
            }
            Some('p' | 'P') => self.unicode_class(before),
            Some(c) => {
                if let Some(class) = perl_class(c) {
                    self.bump();
                    self.out.push_str(class);
                    return Ok(());
                }
                let c = self.escaped_char(before)?;
                self.literal(c);
                Ok(())
            }
        }
    }

    /// Go's `parseEscape`: the character a backslash sequence stands for.
    pub(super) fn escaped_char(&mut self, before: &'p str) -> Result<char, String> {
        let invalid = |t: &Self| syntax_error("invalid escape sequence", consumed(before, t.rest));
        let octal = |t: &Self| t.peek().and_then(|c| c.to_digit(8));
        let Some(c) = self.bump() else {
            return Err(invalid(self));
        };
        let code = match c {
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => return Ok(c),
            // A lone \1..\7 would be a backreference, which RE2 lacks.
            '1'..='7' if octal(self).is_none() => return Err(invalid(self)),
            '0'..='7' => {
                let mut code = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    let Some(digit) = octal(self) else { break };
                    self.bump();
                    code = code * 8 + digit;
                }
                code
            }
            'x' => self.hex_escape().ok_or_else(|| invalid(self))?,
            'a' => 7,
            'f' => 12,
            'n' => 10,
            'r' => 13,
            't' => 9,
            'v' => 11,
            _ => return Err(invalid(self)),
        };
        char::from_u32(code).ok_or_else(|| invalid(self))
    }

    /// `\xHH` or `\x{H…}` after the `x`.
    fn hex_escape(&mut self) -> Option<u32> {
        let first = self.bump()?;
        if first != '{' {
            let second = self.bump()?;
            return Some(first.to_digit(16)? * 16 + second.to_digit(16)?);
        }
        let mut code = 0u32;
        let mut digits = 0;
        loop {
            let c = self.bump()?;
            if c == '}' {
                break;
            }
            code = code * 16 + c.to_digit(16)?;
            if code > 0x0010_FFFF {
                return None;
            }
            digits += 1;
        }
        (digits > 0).then_some(code)
    }

    /// `\pL`, `\p{Greek}`, `\P{^Greek}` (Go's negation, spelled with the opposite letter here).
    pub(super) fn unicode_class(&mut self, before: &'p str) -> Result<(), String> {
        let invalid =
            |t: &Self| syntax_error("invalid character class range", consumed(before, t.rest));
        if self.peek() == Some('\\') {
            self.bump();
        }
        let mut negated = self.bump() == Some('P');
        let name = match self.bump() {
            Some('{') => {
                let (name, rest) = self.rest.split_once('}').ok_or_else(|| invalid(self))?;
                self.rest = rest;
                name.to_string()
            }
            Some(c) => c.to_string(),
            None => return Err(invalid(self)),
        };
        let name = match name.strip_prefix('^') {
            Some(name) => {
                negated = !negated;
                name.to_string()
            }
            None => name,
        };
        if name.is_empty() {
            return Err(invalid(self));
        }
        let letter = if negated { 'P' } else { 'p' };
        let _ = write!(self.out, "\\{letter}{{{name}}}");
        Ok(())
    }
}
