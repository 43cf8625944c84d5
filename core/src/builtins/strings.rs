//! `strings` builtins: `sprintf`. OPA converts each operand to a Go value — integers to `int64`
//! (or `*big.Int`), numbers with a fraction or exponent to `float64`, strings to `string`, and
//! every other value to its Rego text — and calls Go's `fmt.Sprintf`, which `gofmt` mirrors.

use serde_json::{Number, Value};

use super::gofmt::{self, GoArg};
use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("sprintf", sprintf);
}

/// `sprintf(format, values)`.
fn sprintf(args: &[Value]) -> Result<Value, String> {
    let format = args::string(args, 0)?;
    let values: Vec<GoArg> = args::array(args, 1)?.iter().map(go_arg).collect();
    Ok(Value::String(gofmt::sprintf(format, &values)))
}

/// The Go value OPA passes to `fmt.Sprintf` for one operand. OPA decides by the number's
/// text: a fraction or exponent makes a float. The wasm module's JSON dump keeps that text and
/// serde applies the same rule, except that serde reads `-0` as the float -0.0; OPA's `-0` is
/// an integer, and a negative zero written `-0.0` is rarer, so negative zero becomes `0`. A
/// positive zero float (`0.0`) stays a float, as in OPA.
fn go_arg(value: &Value) -> GoArg {
    match value {
        Value::String(s) => GoArg::Str(s.clone()),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => GoArg::Int(i),
            (None, Some(u), _) => GoArg::BigInt(u),
            (None, None, Some(f)) if f != 0.0 || f.is_sign_positive() => GoArg::Float(f),
            _ => GoArg::Int(0),
        },
        other => GoArg::Str(rego_text(other)),
    }
}

/// A value as Rego prints it (`ast.Value.String`): strings Go-quoted, object keys sorted.
pub(crate) fn rego_text(value: &Value) -> String {
    let mut out = String::new();
    write_rego(&mut out, value);
    out
}

fn write_rego(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => out.push_str(&gofmt::quote_with(s, '"', false)),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_rego(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(&gofmt::quote_with(key, '"', false));
                out.push_str(": ");
                write_rego(out, item);
            }
            out.push('}');
        }
    }
}

fn number_text(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if !(n.is_i64() || n.is_u64()) => gofmt::plain_float(f),
        _ => n.to_string(),
    }
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
            .map(go_arg)
            .collect();
        gofmt::sprintf(format, &values)
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
