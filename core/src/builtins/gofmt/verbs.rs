//! Verb dispatch per operand type, padding, and Go's integer printing (`fmt.fmtInteger`,
//! `math/big.Int.Format`, `%c`, `%q`, `%U`).

use std::fmt::Write as _;

use super::{GoArg, Printer};

impl Printer {
    pub(super) fn print_arg(&mut self, arg: &GoArg, verb: char) {
        if verb == 'T' {
            self.fmt_s(arg.type_name());
            return;
        }
        match arg {
            GoArg::Int(n) => self.int_verb(*n, arg, verb),
            GoArg::BigInt { negative, digits } => self.big_int(*negative, digits, verb),
            GoArg::Float(x) => match verb {
                'v' => self.fmt_float(*x, 'g', -1),
                'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(*x, verb, -1),
                'f' | 'e' | 'E' => self.fmt_float(*x, verb, 6),
                'F' => self.fmt_float(*x, 'f', 6),
                _ => self.bad_verb(verb, arg),
            },
            GoArg::Str(s) => match verb {
                'v' if self.f.sharp_v => self.fmt_q(s),
                'v' | 's' => self.fmt_s(s),
                'x' => self.fmt_sx(s, false),
                'X' => self.fmt_sx(s, true),
                'q' => self.fmt_q(s),
                _ => self.bad_verb(verb, arg),
            },
        }
    }

    /// `%!verb(type=value)`, the value printed with `%v` under the directive's flags.
    pub(super) fn bad_verb(&mut self, verb: char, arg: &GoArg) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        self.buf.push_str(arg.type_name());
        self.buf.push('=');
        self.print_arg(arg, 'v');
        self.buf.push(')');
    }

    fn int_verb(&mut self, n: i64, arg: &GoArg, verb: char) {
        let magnitude = n.unsigned_abs();
        let negative = n < 0;
        // %c, %q and %U see the int64's bits as a uint64, so negatives become huge.
        let bits = n.cast_unsigned();
        match verb {
            'v' | 'd' => self.fmt_integer(magnitude, negative, 10, verb, false),
            'b' => self.fmt_integer(magnitude, negative, 2, verb, false),
            'o' | 'O' => self.fmt_integer(magnitude, negative, 8, verb, false),
            'x' => self.fmt_integer(magnitude, negative, 16, verb, false),
            'X' => self.fmt_integer(magnitude, negative, 16, verb, true),
            'c' => self.pad(&to_rune(bits).to_string()),
            'q' => {
                let text = super::quote_with(&to_rune(bits).to_string(), '\'', self.f.plus);
                self.pad(&text);
            }
            'U' => self.fmt_unicode(bits),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// Go's `fmt.writePadding`: zeros only when padding on the left.
    pub(super) fn write_padding(&mut self, count: usize) {
        let fill = if self.f.zero && !self.f.minus {
            '0'
        } else {
            ' '
        };
        self.buf.extend(std::iter::repeat_n(fill, count));
    }

    /// Go's `fmt.pad`: the width counts runes.
    pub(super) fn pad(&mut self, text: &str) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.push_str(text);
            return;
        }
        let fill = self.f.wid.saturating_sub(text.chars().count());
        if self.f.minus {
            self.buf.push_str(text);
            self.write_padding(fill);
        } else {
            self.write_padding(fill);
            self.buf.push_str(text);
        }
    }

    /// `pad` with the zero flag off, for numbers that placed their zeros themselves.
    pub(super) fn pad_without_zero(&mut self, text: &str) {
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(text);
        self.f.zero = zero;
    }

    /// Go's `fmt.fmtInteger`. Zero padding becomes a precision, so the sign and `0x` end up
    /// before the zeros, except that Go puts `0x` before them (`%#08x` is `0x000000ff`).
    fn fmt_integer(&mut self, u: u64, negative: bool, base: u32, verb: char, upper: bool) {
        let mut precision = 0usize;
        if self.f.prec_present {
            precision = self.f.prec;
            // Precision 0 and value 0 print nothing but padding.
            if precision == 0 && u == 0 {
                let zero = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            precision = self.f.wid;
            if negative || self.f.plus || self.f.space {
                precision = precision.saturating_sub(1);
            }
        }
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        if digits.len() < precision {
            digits.insert_str(0, &"0".repeat(precision - digits.len()));
        }
        // Go builds right to left: the octal `#` zero sits next to the digits, inside `0o`.
        if self.f.sharp && base == 8 && !digits.starts_with('0') {
            digits.insert(0, '0');
        }
        let mut prefix = String::new();
        if negative {
            prefix.push('-');
        } else if self.f.plus {
            prefix.push('+');
        } else if self.f.space {
            prefix.push(' ');
        }
        if self.f.sharp {
            match base {
                2 => prefix.push_str("0b"),
                16 if upper => prefix.push_str("0X"),
                16 => prefix.push_str("0x"),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix.push_str("0o");
        }
        self.pad_without_zero(&format!("{prefix}{digits}"));
    }

    /// `math/big.Int.Format`, which `*big.Int` uses instead of `fmt`'s integer code.
    fn big_int(&mut self, negative: bool, decimal: &str, verb: char) {
        let digits = match verb {
            'b' => to_base(decimal, 2, false),
            'o' | 'O' => to_base(decimal, 8, false),
            'd' | 's' | 'v' => decimal.to_string(),
            'x' => to_base(decimal, 16, false),
            'X' => to_base(decimal, 16, true),
            _ => {
                let minus = if negative { "-" } else { "" };
                let _ = write!(self.buf, "%!{verb}(big.Int={minus}{decimal})");
                return;
            }
        };
        let sharp = self.f.sharp || self.f.sharp_v;
        let sign = if negative {
            "-"
        } else if self.f.plus || self.f.plus_v {
            "+"
        } else if self.f.space {
            " "
        } else {
            ""
        };
        let prefix = match verb {
            'O' => "0o",
            'b' if sharp => "0b",
            'o' if sharp => "0",
            'x' if sharp => "0x",
            'X' if sharp => "0X",
            _ => "",
        };
        let mut zeros = 0;
        if self.f.prec_present && digits.len() < self.f.prec {
            zeros = self.f.prec - digits.len();
        }
        let length = sign.len() + prefix.len() + zeros + digits.len();
        let (mut left, mut right) = (0, 0);
        if self.f.wid_present && length < self.f.wid {
            let extra = self.f.wid - length;
            if self.f.minus {
                right = extra;
            } else if self.f.zero && !self.f.prec_present {
                zeros = extra;
            } else {
                left = extra;
            }
        }
        self.buf.push_str(&" ".repeat(left));
        self.buf.push_str(sign);
        self.buf.push_str(prefix);
        self.buf.push_str(&"0".repeat(zeros));
        self.buf.push_str(&digits);
        self.buf.push_str(&" ".repeat(right));
    }

    /// Go's `fmt.fmtUnicode`: `U+00E9`, and with `#` the quoted character too.
    fn fmt_unicode(&mut self, u: u64) {
        let precision = if self.f.prec_present && self.f.prec > 4 {
            self.f.prec
        } else {
            4
        };
        let mut text = format!("U+{u:0precision$X}");
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if super::text::is_print(c) {
                    let _ = write!(text, " '{c}'");
                }
            }
        }
        self.pad_without_zero(&text);
    }
}

/// A non-negative decimal integer of any length in another base, by long division.
fn to_base(decimal: &str, base: u32, upper: bool) -> String {
    let mut number: Vec<u32> = decimal.bytes().map(|b| u32::from(b - b'0')).collect();
    let mut digits = Vec::new();
    while number.iter().any(|&d| d != 0) {
        let mut remainder = 0;
        for digit in &mut number {
            let current = remainder * 10 + *digit;
            *digit = current / base;
            remainder = current % base;
        }
        digits.push(char::from_digit(remainder, base).unwrap_or('0'));
    }
    if digits.is_empty() {
        digits.push('0');
    }
    let text: String = digits.into_iter().rev().collect();
    if upper {
        text.to_ascii_uppercase()
    } else {
        text
    }
}

/// `rune(u)` as Go prints it: anything that is not a valid code point becomes U+FFFD.
fn to_rune(u: u64) -> char {
    u32::try_from(u)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::super::{sprintf, GoArg};

    fn ints(format: &str, values: &[i64]) -> String {
        let args: Vec<GoArg> = values.iter().copied().map(GoArg::Int).collect();
        sprintf(format, &args)
    }

    #[test]
    fn integers() {
        assert_eq!(ints("%d|%d|%v", &[3, -42, 7]), "3|-42|7");
        assert_eq!(
            ints("[%5d] [%-5d] [%05d]", &[42, 42, -7]),
            "[   42] [42   ] [-0007]"
        );
        assert_eq!(
            ints("%x %X %#x %o %#o %b %O", &[255, 255, 255, 8, 8, 5, 8]),
            "ff FF 0xff 10 010 101 0o10"
        );
        assert_eq!(ints("% #O|%#o", &[1, 0]), " 0o01|0");
        assert_eq!(ints("%x", &[-255]), "-ff");
        assert_eq!(ints("[%#08x]", &[255]), "[0x000000ff]");
        assert_eq!(ints("%+d % d %+v", &[5, 5, 5]), "+5  5 5");
        assert_eq!(
            ints("[%.3d] [%.0d] [%5.0d]", &[7, 0, 0]),
            "[007] [] [     ]"
        );
    }

    #[test]
    fn characters() {
        assert_eq!(
            ints("%c%c %U %#U", &[72, 105, 233, 233]),
            "Hi U+00E9 U+00E9 'é'"
        );
        assert_eq!(ints("%q %+q", &[65, 233]), "'A' '\\u00e9'");
        assert_eq!(ints("%c", &[-1]), "\u{fffd}");
    }

    #[test]
    fn big_integers() {
        let big = GoArg::BigInt {
            negative: false,
            digits: "12345678901234567890".into(),
        };
        let args = [big.clone(), big.clone(), big.clone(), big];
        assert_eq!(
            sprintf("%d %v %x [%25d]", &args),
            "12345678901234567890 12345678901234567890 ab54a98ceb1f0ad2 [     12345678901234567890]"
        );
        let negative = GoArg::BigInt {
            negative: true,
            digits: "123456789012345678901234567890".into(),
        };
        assert_eq!(
            sprintf(
                "%x|%+d|%o|%q",
                &[
                    negative.clone(),
                    negative.clone(),
                    negative.clone(),
                    negative
                ]
            ),
            "-18ee90ff6c373e0ee4e3f0ad2|-123456789012345678901234567890|\
             -143564417755415637016711617605322|%!q(big.Int=-123456789012345678901234567890)"
        );
    }
}
