//! `strings` builtins: `sprintf`, with Go's `fmt` verbs as OPA applies them to Rego values.

use std::fmt::Write as _;

use serde_json::Value;

use super::args;
use super::BuiltinTable;

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("sprintf", sprintf);
}

/// `sprintf(format, values)`.
fn sprintf(args: &[Value]) -> Result<Value, String> {
    let format = args::string(args, 0)?;
    let values = args::array(args, 1)?;
    Ok(Value::String(format_go(format, values)))
}

/// One parsed `%` directive.
#[derive(Default)]
#[expect(clippy::struct_excessive_bools, reason = "one field per Go fmt flag")]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Formats like Go's `fmt.Sprintf`, with OPA's conversion of operands (integers stay exact,
/// other numbers become float64, composites print in Rego syntax).
pub(crate) fn format_go(format: &str, values: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = read_number(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(read_number(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(value) = values.get(next) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        next += 1;
        let body = format_one(verb, &spec, value);
        pad(&mut out, &body, &spec, verb);
    }
    if next < values.len() {
        out.push_str("%!(EXTRA ");
        let extras: Vec<String> = values[next..]
            .iter()
            .map(|v| format!("{}={}", go_type(v), rego_text(v, true)))
            .collect();
        out.push_str(&extras.join(", "));
        out.push(')');
    }
    out
}

fn read_number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut number: Option<usize> = None;
    while let Some(digit) = chars.peek().and_then(|c| c.to_digit(10)) {
        number = Some(
            number
                .unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(digit as usize),
        );
        chars.next();
    }
    number
}

/// The Go type OPA hands to `fmt` for a value, for `%!verb(type=value)` diagnostics.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "*big.Int",
        Value::Number(_) => "float64",
        Value::Null => "ast.Null",
        Value::Array(_) => "ast.Array",
        Value::Object(_) => "ast.Object",
    }
}

fn bad_verb(verb: char, value: &Value) -> String {
    format!("%!{verb}({}={})", go_type(value), rego_text(value, true))
}

fn format_one(verb: char, spec: &Spec, value: &Value) -> String {
    match (verb, value) {
        ('v' | 's', Value::String(s)) => match spec.precision {
            Some(p) => s.chars().take(p).collect(),
            None => s.clone(),
        },
        ('v' | 's', Value::Number(n)) if !(n.is_i64() || n.is_u64()) => {
            float_g(n.as_f64().unwrap_or(f64::NAN), spec.precision, spec)
        }
        ('v' | 's', _) => rego_text(value, true),
        ('q', Value::String(s)) => go_quote(s),
        ('t', Value::Bool(b)) => b.to_string(),
        ('d', Value::Number(n)) if n.is_i64() || n.is_u64() => signed(&n.to_string(), spec),
        ('x' | 'X' | 'o' | 'b', Value::Number(n)) if n.is_i64() || n.is_u64() => {
            integer_radix(verb, n, spec)
        }
        ('x', Value::String(s)) => hex(s, false),
        ('X', Value::String(s)) => hex(s, true),
        ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            match verb {
                'f' | 'F' => signed(&format!("{:.*}", spec.precision.unwrap_or(6), f), spec),
                'e' | 'E' => {
                    let text = float_e(f, spec.precision.unwrap_or(6));
                    signed(
                        &if verb == 'E' {
                            text.to_uppercase()
                        } else {
                            text
                        },
                        spec,
                    )
                }
                _ => float_g(f, spec.precision, spec),
            }
        }
        _ => bad_verb(verb, value),
    }
}

/// Go's `%x` of a string: two hex digits per byte.
fn hex(s: &str, upper: bool) -> String {
    s.bytes()
        .fold(String::with_capacity(s.len() * 2), |mut out, byte| {
            let _ = if upper {
                write!(out, "{byte:02X}")
            } else {
                write!(out, "{byte:02x}")
            };
            out
        })
}

/// Applies `+` and space flags to an unsigned-or-signed decimal text.
fn signed(text: &str, spec: &Spec) -> String {
    if text.starts_with('-') {
        return text.to_string();
    }
    if spec.plus {
        format!("+{text}")
    } else if spec.space {
        format!(" {text}")
    } else {
        text.to_string()
    }
}

fn integer_radix(verb: char, n: &serde_json::Number, spec: &Spec) -> String {
    let (negative, magnitude) = match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => (i < 0, i.unsigned_abs()),
        (None, Some(u)) => (false, u),
        _ => (false, 0),
    };
    let digits = match verb {
        'x' => format!("{magnitude:x}"),
        'X' => format!("{magnitude:X}"),
        'o' => format!("{magnitude:o}"),
        _ => format!("{magnitude:b}"),
    };
    let prefix = match (spec.sharp, verb) {
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        (true, 'o') => "0",
        _ => "",
    };
    signed(
        &format!("{}{prefix}{digits}", if negative { "-" } else { "" }),
        spec,
    )
}

/// Go's `%e`: mantissa with `precision` decimals and an exponent of at least two digits.
fn float_e(f: f64, precision: usize) -> String {
    let text = format!("{f:.precision$e}");
    go_exponent(&text)
}

/// Rewrites Rust's `1.5e3` exponent into Go's `1.5e+03`.
fn go_exponent(text: &str) -> String {
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return text.to_string();
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(rest) => ('-', rest),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Go's `%g` (and `%v` for floats): shortest representation, exponent form when the exponent
/// is below -4 or at least the precision (6 when shortest, as Go decides).
fn float_g(f: f64, precision: Option<usize>, spec: &Spec) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let shortest = format!("{:e}", f.abs());
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits = mantissa.replace('.', "");
    let (digits, exponent) = match precision {
        Some(p) if p > 0 && p < digits.len() => {
            let rounded = format!("{:.*e}", p - 1, f.abs());
            let (m, e) = rounded.split_once('e').unwrap_or((&rounded, "0"));
            (m.replace('.', ""), e.parse().unwrap_or(exponent))
        }
        _ => (digits, exponent),
    };
    let threshold = match precision {
        Some(p) if p > 0 => i32::try_from(p).unwrap_or(i32::MAX),
        _ => 6,
    };
    let body = if exponent < -4 || exponent >= threshold {
        let (head, tail) = digits.split_at(1);
        let mantissa = if tail.is_empty() {
            head.to_string()
        } else {
            format!("{head}.{tail}")
        };
        go_exponent(&format!("{mantissa}e{exponent}"))
    } else if exponent < 0 {
        let zeros = "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0));
        format!("0.{zeros}{digits}")
    } else {
        let point = usize::try_from(exponent + 1).unwrap_or(0);
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    let text = if f.is_sign_negative() {
        format!("-{body}")
    } else {
        body
    };
    signed(&text, spec)
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_control() => {
                let code = c as u32;
                if code < 0x80 {
                    let _ = write!(out, "\\x{code:02x}");
                } else if code < 0x10000 {
                    let _ = write!(out, "\\u{code:04x}");
                } else {
                    let _ = write!(out, "\\U{code:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as Rego prints it; strings are bare at the top level and quoted inside composites.
fn rego_text(value: &Value, top: bool) -> String {
    match value {
        Value::String(s) if top => s.clone(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            float_g(n.as_f64().unwrap_or(f64::NAN), None, &Spec::default())
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(|v| rego_text(v, false)).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::to_string(k).unwrap_or_default(),
                        rego_text(v, false)
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// Pads to the spec's width: spaces on the left (or right with `-`), zeros after the sign for
/// numeric verbs with `0`.
fn pad(out: &mut String, body: &str, spec: &Spec, verb: char) {
    let width = spec.width.unwrap_or(0);
    let len = body.chars().count();
    if len >= width {
        out.push_str(body);
        return;
    }
    let fill = width - len;
    if spec.minus {
        out.push_str(body);
        out.push_str(&" ".repeat(fill));
    } else if spec.zero && "dfFeEgGxXob".contains(verb) {
        let (sign, digits) = match body.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (c.to_string(), &body[1..]),
            _ => (String::new(), body),
        };
        out.push_str(&sign);
        out.push_str(&"0".repeat(fill));
        out.push_str(digits);
    } else {
        out.push_str(&" ".repeat(fill));
        out.push_str(body);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn f(format: &str, values: &Value) -> String {
        format_go(format, values.as_array().expect("test values are an array"))
    }

    #[test]
    fn common_verbs() {
        assert_eq!(f("%v and %s", &json!(["a", "b"])), "a and b");
        assert_eq!(f("%d items", &json!([3])), "3 items");
        assert_eq!(f("%q", &json!(["say \"hi\"\n"])), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(f("%.2f", &json!([1.23456])), "1.23");
        assert_eq!(f("%v", &json!([1.5])), "1.5");
        assert_eq!(f("%v", &json!([1_234_567.5])), "1.2345675e+06");
        assert_eq!(f("%v", &json!([["a", 1]])), "[\"a\", 1]");
        assert_eq!(f("%v", &json!([{"k": true}])), "{\"k\": true}");
        assert_eq!(f("100%%", &json!([])), "100%");
        assert_eq!(
            f("%5d|%-4s|%05d", &json!([42, "ab", -7])),
            "   42|ab  |-0007"
        );
    }

    #[test]
    fn missing_and_wrong_operands() {
        assert_eq!(f("%s %s", &json!(["a"])), "a %!s(MISSING)");
        assert_eq!(f("%d", &json!(["x"])), "%!d(string=x)");
    }
}
