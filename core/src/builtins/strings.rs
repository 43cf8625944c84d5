//! `sprintf`. OPA converts each operand to a Go value — integers to `int64` (or `*big.Int`),
//! other numbers to `float64`, strings to `string`, every other value to its Rego text — and
//! calls Go's `fmt.Sprintf`, which `gofmt` mirrors. Operands arrive as [`Term`]s, so sets,
//! non-string keys and number text print exactly as OPA prints them.

use serde_json::Value;

use super::gofmt::{self, GoArg};
use super::term::Term;
use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add_terms("sprintf", sprintf);
}

/// `sprintf(format, values)`.
fn sprintf(operands: &[Term]) -> Result<Value, String> {
    let format = match operands.first() {
        Some(Term::String(s)) => s,
        Some(other) => return Err(args::mismatch(0, "string", &other.to_json())),
        None => return Err("operand 1 missing".to_string()),
    };
    let values = match operands.get(1) {
        Some(Term::Array(items)) => items,
        Some(other) => return Err(args::mismatch(1, "array", &other.to_json())),
        None => return Err("operand 2 missing".to_string()),
    };
    let values: Vec<GoArg> = values.iter().map(go_arg).collect();
    Ok(Value::String(gofmt::sprintf(format, &values)))
}

/// The Go value OPA passes to `fmt.Sprintf` for one operand (`builtinSprintf`): a number whose
/// text `strconv.ParseInt` reads is an `int64`, else one `big.Int` reads is a `*big.Int`, else
/// one `strconv.ParseFloat` reads in range is a `float64`, else its text; a string is itself;
/// every other value is its Rego text.
fn go_arg(term: &Term) -> GoArg {
    match term {
        Term::String(s) => GoArg::Str(s.clone()),
        Term::Number(text) => number_arg(text),
        other => GoArg::Str(rego_text(other)),
    }
}

fn number_arg(text: &str) -> GoArg {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(n) => GoArg::Int(n),
            Err(_) => GoArg::BigInt {
                negative: text.starts_with('-'),
                digits: unsigned.trim_start_matches('0').to_string(),
            },
        };
    }
    match go_parse_float(text) {
        Some(f) => GoArg::Float(f),
        None => GoArg::Str(text.to_string()),
    }
}

/// `strconv.ParseFloat(text, 64)` when it succeeds: Rust reads the same decimal syntax, but
/// gives infinity where Go reports a range error.
fn go_parse_float(text: &str) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    let spelled_infinite = text
        .trim_start_matches(['-', '+'])
        .to_ascii_lowercase()
        .starts_with("inf");
    (value.is_finite() || spelled_infinite).then_some(value)
}

/// A value as Rego prints it (`ast.Value.String`): strings Go-quoted, numbers as written,
/// objects and sets in Rego's order.
pub(crate) fn rego_text(term: &Term) -> String {
    let mut out = String::new();
    write_rego(&mut out, &term.sorted());
    out
}

fn write_rego(out: &mut String, term: &Term) {
    match term {
        Term::Null => out.push_str("null"),
        Term::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Term::Number(text) => out.push_str(text),
        Term::String(s) => out.push_str(&gofmt::quote_with(s, '"', false)),
        Term::Array(items) => write_list(out, '[', items, ']'),
        Term::Set(items) if items.is_empty() => out.push_str("set()"),
        Term::Set(items) => write_list(out, '{', items, '}'),
        Term::Object(entries) => {
            out.push('{');
            for (index, (key, value)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_rego(out, key);
                out.push_str(": ");
                write_rego(out, value);
            }
            out.push('}');
        }
    }
}

fn write_list(out: &mut String, open: char, items: &[Term], close: char) {
    out.push(open);
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_rego(out, item);
    }
    out.push(close);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn f(format: &str, values: &Value) -> String {
        let values: Vec<GoArg> = values
            .as_array()
            .expect("test values are an array")
            .iter()
            .map(|value| go_arg(&Term::from_json(value)))
            .collect();
        gofmt::sprintf(format, &values)
    }

    fn term(text: &str) -> Term {
        Term::parse(text).expect("test terms parse")
    }

    fn t(format: &str, values: &str) -> String {
        let Term::Array(values) = term(values) else {
            unreachable!("test values are an array")
        };
        gofmt::sprintf(format, &values.iter().map(go_arg).collect::<Vec<_>>())
    }

    #[test]
    fn rego_values_print_as_opa_prints_them() {
        // Expectations from `opa eval` (OPA 1.22.2).
        assert_eq!(
            t("%v", r#"[{3, "a", 1, [1], {"k": 1}, null, true, 2.5}]"#),
            r#"{null, true, 1, 2.5, 3, "a", [1], {"k": 1}}"#
        );
        assert_eq!(
            t("%v", r#"[{"b": 2, [1]: 3, 1: "a"}]"#),
            r#"{1: "a", "b": 2, [1]: 3}"#
        );
        assert_eq!(t("%v", "[[1.0, -0.0, 1e400]]"), "[1.0, -0.0, 1e400]");
        assert_eq!(t("%v|%d|%v", "[-0.0, -0, [-0]]"), "-0|0|[-0]");
        assert_eq!(
            t(
                "%d|%x",
                "[123456789012345678901234567890, -123456789012345678901234567890]"
            ),
            "123456789012345678901234567890|-18ee90ff6c373e0ee4e3f0ad2"
        );
        assert_eq!(t("%v|%d", "[1e400, 1e400]"), "1e400|%!d(string=1e400)");
        assert_eq!(t("%v", "[.0]"), "0");
        assert_eq!(t("%v", "[{set(): 1}]"), "{set(): 1}");
    }

    #[test]
    fn operands_convert_like_opa() {
        assert_eq!(f("%d items", &json!([3])), "3 items");
        assert_eq!(f("%v|%d", &json!([1.0, 1.0])), "1|%!d(float64=1)");
        assert_eq!(
            f("%t %d %v", &json!([true, null, false])),
            "%!t(string=true) %!d(string=null) false"
        );
        assert_eq!(f("%s", &json!([5])), "%!s(int64=5)");
        let negative_zero: Value = serde_json::from_str("[-0]").expect("valid JSON");
        assert_eq!(f("%d", &negative_zero), "0");
        assert_eq!(t("%v", "[-0.0]"), "-0");
        assert_eq!(
            f("%d", &json!([12_345_678_901_234_567_890_u64])),
            "12345678901234567890"
        );
    }

    #[test]
    fn composites_print_as_rego() {
        assert_eq!(
            f("%v", &json!([["a", 1, true, null]])),
            "[\"a\", 1, true, null]"
        );
        assert_eq!(
            f("%v", &json!([{"b": 1, "a": [2], "c": {"z": "y"}}])),
            "{\"a\": [2], \"b\": 1, \"c\": {\"z\": \"y\"}}"
        );
        assert_eq!(f("%v %v", &json!([[], {}])), "[] {}");
        assert_eq!(
            f("%v", &json!([[1_234_567.5, 0.000_012]])),
            "[1234567.5, 0.000012]"
        );
        assert_eq!(
            f("%v", &json!([["tab\there", "é"]])),
            "[\"tab\\there\", \"é\"]"
        );
        assert_eq!(
            f("x", &json!([1.5, [1], {"a": 1}])),
            "x%!(EXTRA float64=1.5, string=[1], string={\"a\": 1})"
        );
        assert_eq!(f("%q", &json!([["a"]])), "\"[\\\"a\\\"]\"");
    }
}

#[cfg(test)]
mod properties;
