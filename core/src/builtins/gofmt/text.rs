//! Strings under Go's `fmt` (`%s`, `%x`, `%q`) and Go's `strconv.Quote`, which Rego also uses
//! to print strings inside composite values.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use super::Printer;

impl Printer {
    /// Go's `fmt.fmtS`: a precision truncates to that many runes.
    pub(super) fn fmt_s(&mut self, s: &str) {
        let text = self.truncate(s).to_string();
        self.pad(&text);
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        if !self.f.prec_present {
            return s;
        }
        match s.char_indices().nth(self.f.prec) {
            Some((cut, _)) => s.get(..cut).unwrap_or(s),
            None => s,
        }
    }

    /// Go's `fmt.fmtSbx`: two hex digits per byte, `#` for `0x`, a space flag between bytes.
    pub(super) fn fmt_sx(&mut self, s: &str, upper: bool) {
        let length = if self.f.prec_present {
            s.len().min(self.f.prec)
        } else {
            s.len()
        };
        if length == 0 {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        let prefix = if upper { "0X" } else { "0x" };
        let mut text = String::new();
        if self.f.sharp {
            text.push_str(prefix);
        }
        for (index, byte) in s.bytes().take(length).enumerate() {
            if self.f.space && index > 0 {
                text.push(' ');
                if self.f.sharp {
                    text.push_str(prefix);
                }
            }
            if upper {
                let _ = write!(text, "{byte:02X}");
            } else {
                let _ = write!(text, "{byte:02x}");
            }
        }
        // The padding counts bytes of the encoding, not runes.
        let fill = if self.f.wid_present {
            self.f.wid.saturating_sub(text.len())
        } else {
            0
        };
        if !self.f.minus {
            self.write_padding(fill);
        }
        self.buf.push_str(&text);
        if self.f.minus {
            self.write_padding(fill);
        }
    }

    /// Go's `fmt.fmtQ`: a quoted Go string; backquoted with `#` when possible, ASCII with `+`.
    pub(super) fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        let text = if self.f.sharp && can_backquote(s) {
            format!("`{s}`")
        } else {
            quote_with(s, '"', self.f.plus)
        };
        self.pad(&text);
    }
}

/// Go's `strconv.Quote` with `quote` as the delimiter (`'` for `QuoteRune`); `ascii_only`
/// gives `QuoteToASCII`.
pub(crate) fn quote_with(s: &str, quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        if c == quote || c == '\\' {
            out.push('\\');
            out.push(c);
            continue;
        }
        if is_print(c) && (!ascii_only || c.is_ascii()) {
            out.push(c);
            continue;
        }
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c < ' ' || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push(quote);
    out
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
/// The regex crate carries the Unicode category tables, so it answers past Latin-1.
pub(super) fn is_print(c: char) -> bool {
    static PRINTABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\A[\p{L}\p{M}\p{N}\p{P}\p{S}]\z").expect("the category pattern is valid")
    });
    match u32::from(c) {
        0x20..=0x7e | 0xa1..=0xac | 0xae..=0xff => true,
        0..=0xff => false,
        _ => PRINTABLE.is_match(c.encode_utf8(&mut [0; 4])),
    }
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    !s.chars()
        .any(|c| (c < ' ' && c != '\t') || c == '`' || c == '\u{7f}' || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::super::{sprintf, GoArg};
    use super::*;

    fn strings(format: &str, values: &[&str]) -> String {
        let args: Vec<GoArg> = values.iter().map(|s| GoArg::Str((*s).into())).collect();
        sprintf(format, &args)
    }

    #[test]
    fn quoting_follows_strconv() {
        assert_eq!(
            quote_with("say \"hi\"\n\ttab\\", '"', false),
            r#""say \"hi\"\n\ttab\\""#
        );
        assert_eq!(
            quote_with("héllo \u{1} \u{a0} \u{200b} \u{7f}", '"', false),
            r#""héllo \x01 \u00a0 \u200b \x7f""#
        );
        assert_eq!(quote_with("hé😀", '"', true), r#""h\u00e9\U0001f600""#);
        assert_eq!(quote_with("'\"", '\'', false), r#"'\'"'"#);
        assert_eq!(quote_with("\u{378}", '"', false), r#""\u0378""#);
    }

    #[test]
    fn string_verbs() {
        assert_eq!(strings("%.3s|%.0s|", &["abcdef", "x"]), "abc||");
        assert_eq!(
            strings("[%5s] [%-6s] [%05s]", &["héé", "ab", "ab"]),
            "[  héé] [ab    ] [000ab]"
        );
        assert_eq!(
            strings("%x %X % x %#x", &["hi", "hi", "hi", "hi"]),
            "6869 6869 68 69 0x6869"
        );
        assert_eq!(
            strings("% #X|%6x|%-6x|", &["hi", "a", "a"]),
            "0X68 0X69|    61|61    |"
        );
        assert_eq!(
            strings("%q %+q %#q %#q", &["é", "é", "a\"b", "a`b"]),
            "\"é\" \"\\u00e9\" `a\"b` \"a`b\""
        );
        assert_eq!(strings("%#v", &["a"]), "\"a\"");
    }
}
