//! Go's `fmt.Sprintf`, for the four operand types OPA's `sprintf` hands it: `int64`, `*big.Int`,
//! `float64` and `string` (every other Rego value arrives as its Rego text). The directive
//! parser, padding and diagnostics (`%!d(string=x)`, `%!(EXTRA …)`) follow Go's `fmt` package
//! step by step, because policies show these strings to users and tests compare them exactly.
//! This file parses directives; `verbs` prints integers, `text` strings, `float` floats
//! (with `strconv` beneath).

use std::fmt::Write as _;

mod float;
mod strconv;
mod text;
mod verbs;

pub(crate) use text::quote_with;

/// One `sprintf` operand as Go sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoArg {
    /// An integer that fits `int64`.
    Int(i64),
    /// A larger integer (`*big.Int` in OPA): its sign and decimal digits.
    BigInt {
        /// Below zero.
        negative: bool,
        /// The magnitude's decimal digits, without leading zeros.
        digits: String,
    },
    /// A number written with a fraction or exponent.
    Float(f64),
    /// A string, or the Rego text of any other value.
    Str(String),
}

impl GoArg {
    fn type_name(&self) -> &'static str {
        match self {
            Self::Int(_) => "int64",
            Self::BigInt { .. } => "*big.Int",
            Self::Float(_) => "float64",
            Self::Str(_) => "string",
        }
    }
}

/// Go's per-directive state (`fmt.fmtFlags` plus width and precision).
#[derive(Default, Clone, Copy)]
#[expect(clippy::struct_excessive_bools, reason = "one field per Go fmt flag")]
struct Flags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: usize,
    prec: usize,
}

/// The output and the state of the directive being printed.
#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
    reordered: bool,
    good_arg_num: bool,
}

/// Go treats widths, precisions and indexes above this as "crazy long".
const TOO_LARGE: usize = 1_000_000;

/// `fmt.Sprintf(format, args...)`.
pub(crate) fn sprintf(format: &str, args: &[GoArg]) -> String {
    let mut p = Printer {
        buf: String::with_capacity(format.len() + 16),
        ..Printer::default()
    };
    let bytes = format.as_bytes();
    let end = bytes.len();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut arg_num = 0usize;
    let mut i = 0usize;
    'directives: while i < end {
        p.good_arg_num = true;
        let start = i;
        while i < end && at(i) != b'%' {
            i += 1;
        }
        p.buf.push_str(format.get(start..i).unwrap_or_default());
        if i >= end {
            break;
        }
        i += 1;
        p.f = Flags::default();
        while i < end {
            match at(i) {
                b'#' => p.f.sharp = true,
                b'0' => p.f.zero = true,
                b'+' => p.f.plus = true,
                b'-' => p.f.minus = true,
                b' ' => p.f.space = true,
                verb if verb.is_ascii_lowercase() && arg_num < args.len() => {
                    // Go's fast path: flags and a lower-case verb, nothing else.
                    p.print_directive(args.get(arg_num), char::from(verb));
                    arg_num += 1;
                    i += 1;
                    continue 'directives;
                }
                _ => break,
            }
            i += 1;
        }
        (arg_num, i) = p.width_and_precision(bytes, i, arg_num, args);
        let Some(verb) = format.get(i..).and_then(|rest| rest.chars().next()) else {
            p.buf.push_str("%!(NOVERB)");
            break;
        };
        i += verb.len_utf8();
        match verb {
            '%' => p.buf.push('%'),
            _ if !p.good_arg_num => {
                let _ = write!(p.buf, "%!{verb}(BADINDEX)");
            }
            _ if arg_num >= args.len() => {
                let _ = write!(p.buf, "%!{verb}(MISSING)");
            }
            _ => {
                p.print_directive(args.get(arg_num), verb);
                arg_num += 1;
            }
        }
    }
    // Go only reports unused operands when no directive picked operands by index.
    if !p.reordered && arg_num < args.len() {
        p.f = Flags::default();
        p.buf.push_str("%!(EXTRA ");
        for (index, arg) in args.iter().skip(arg_num).enumerate() {
            if index > 0 {
                p.buf.push_str(", ");
            }
            p.buf.push_str(arg.type_name());
            p.buf.push('=');
            p.print_arg(arg, 'v');
        }
        p.buf.push(')');
    }
    p.buf
}

/// Go's `parsenum`: digits from `start`, or "no number" (and the rest of the format skipped)
/// when the number is absurdly large.
fn parse_number(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    let mut number = 0usize;
    let mut found = false;
    let mut i = start;
    while i < end {
        let Some(digit) = s.get(i).filter(|b| b.is_ascii_digit()) else {
            break;
        };
        if number > TOO_LARGE {
            return (0, false, end);
        }
        number = number * 10 + usize::from(digit - b'0');
        found = true;
        i += 1;
    }
    (number, found, i)
}

/// Go's `intFromArg`: a `*` width or precision taken from an integer operand.
fn int_from_arg(args: &[GoArg], arg_num: usize) -> (i64, bool, usize) {
    match args.get(arg_num) {
        Some(GoArg::Int(n)) if usize::try_from(n.unsigned_abs()).is_ok_and(|n| n <= TOO_LARGE) => {
            (*n, true, arg_num + 1)
        }
        Some(_) => (0, false, arg_num + 1),
        None => (0, false, arg_num),
    }
}

impl Printer {
    /// The rest of a directive's spec after its flags: an optional `[n]` index, a width (`*`
    /// takes it from an operand), a precision, and another index. Returns the new format
    /// operand number and format position.
    fn width_and_precision(
        &mut self,
        bytes: &[u8],
        mut i: usize,
        mut arg_num: usize,
        args: &[GoArg],
    ) -> (usize, usize) {
        let p = self;
        let end = bytes.len();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let mut after_index;
        (arg_num, i, after_index) = p.arg_number(arg_num, bytes, i, args.len());
        if i < end && at(i) == b'*' {
            i += 1;
            let (width, ok, next) = int_from_arg(args, arg_num);
            arg_num = next;
            p.f.wid_present = ok;
            if !ok {
                p.buf.push_str("%!(BADWIDTH)");
            }
            // A negative width means left-justify.
            if width < 0 {
                p.f.minus = true;
                p.f.zero = false;
            }
            p.f.wid = usize::try_from(width.unsigned_abs()).unwrap_or(0);
            after_index = false;
        } else {
            (p.f.wid, p.f.wid_present, i) = parse_number(bytes, i, end);
            if after_index && p.f.wid_present {
                p.good_arg_num = false;
            }
        }
        if i + 1 < end && at(i) == b'.' {
            i += 1;
            if after_index {
                p.good_arg_num = false;
            }
            (arg_num, i, after_index) = p.arg_number(arg_num, bytes, i, args.len());
            if i < end && at(i) == b'*' {
                i += 1;
                let (precision, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                p.f.prec_present = ok && precision >= 0;
                p.f.prec = usize::try_from(precision).unwrap_or(0);
                if !p.f.prec_present {
                    p.buf.push_str("%!(BADPREC)");
                }
                after_index = false;
            } else {
                (p.f.prec, p.f.prec_present, i) = parse_number(bytes, i, end);
                // `%.d` means precision 0.
                p.f.prec_present = true;
            }
        }
        if !after_index {
            (arg_num, i, _) = p.arg_number(arg_num, bytes, i, args.len());
        }
        (arg_num, i)
    }

    /// Go's `argNumber`: an explicit one-based `[n]` operand index at `i`.
    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        i: usize,
        count: usize,
    ) -> (usize, usize, bool) {
        if format.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let rest = format.get(i..).unwrap_or_default();
        let close = rest
            .iter()
            .skip(1)
            .position(|&b| b == b']')
            .map(|at| at + 1);
        let (index, width, ok) = match close {
            _ if rest.len() < 3 => (None, 1, false),
            None => (None, 1, false),
            Some(close) => match parse_number(rest, 1, close) {
                // `[0]` parses but names no operand.
                (n, true, next) if next == close => (n.checked_sub(1), close + 1, true),
                _ => (None, close + 1, false),
            },
        };
        match index {
            Some(index) if ok && index < count => (index, i + width, true),
            _ => {
                self.good_arg_num = false;
                (arg_num, i + width, ok)
            }
        }
    }

    /// Prints one operand for a directive; `%v` moves `#` and `+` to their `%v` meanings.
    fn print_directive(&mut self, arg: Option<&GoArg>, verb: char) {
        let Some(arg) = arg else {
            return;
        };
        if verb == 'v' || verb == 'w' {
            self.f.sharp_v = self.f.sharp;
            self.f.sharp = false;
            self.f.plus_v = self.f.plus;
            self.f.plus = false;
        }
        self.print_arg(arg, verb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(format: &str, args: &[GoArg]) -> String {
        sprintf(format, args)
    }

    fn s(text: &str) -> GoArg {
        GoArg::Str(text.into())
    }

    #[test]
    fn directives_and_operands() {
        assert_eq!(f("%v and %s", &[s("a"), s("b")]), "a and b");
        assert_eq!(f("%s and %s", &[s("a")]), "a and %!s(MISSING)");
        assert_eq!(
            f("%s", &[s("a"), GoArg::Int(2), s("b")]),
            "a%!(EXTRA int64=2, string=b)"
        );
        assert_eq!(f("100%% %5%", &[]), "100% %");
        assert_eq!(f("trailing %", &[]), "trailing %!(NOVERB)");
        assert_eq!(f("%[2]s %[1]s", &[s("a"), s("b")]), "b a");
        assert_eq!(f("%[3]s", &[s("a")]), "%!s(BADINDEX)");
        assert_eq!(f("%[0]s", &[s("a")]), "%!s(BADINDEX)");
        assert_eq!(
            f("[%*d] [%-*d]", &[5, 42, 4, 7].map(GoArg::Int)),
            "[   42] [7   ]"
        );
        assert_eq!(f("%*d", &[s("x"), GoArg::Int(1)]), "%!(BADWIDTH)1");
        assert_eq!(f("%.*d", &[GoArg::Int(-1), GoArg::Int(1)]), "%!(BADPREC)1");
    }

    #[test]
    fn wrong_verbs_print_the_operand_with_the_flags() {
        assert_eq!(f("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(f("%5t", &[s("x")]), "%!t(string=    x)");
        assert_eq!(f("%.2f", &[GoArg::Int(3)]), "%!f(int64=03)");
        assert_eq!(f("%d", &[GoArg::Float(1.5)]), "%!d(float64=1.5)");
        assert_eq!(
            f(
                "%q",
                &[GoArg::BigInt {
                    negative: false,
                    digits: u64::MAX.to_string()
                }]
            ),
            "%!q(big.Int=18446744073709551615)"
        );
        assert_eq!(
            f(
                "%T %T %T %T",
                &[
                    GoArg::Int(1),
                    GoArg::Float(1.5),
                    s("s"),
                    GoArg::BigInt {
                        negative: false,
                        digits: "1".into()
                    }
                ]
            ),
            "int64 float64 string *big.Int"
        );
    }
}
