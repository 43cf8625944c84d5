//! Properties of the `sprintf` builtin on generated formats and operands: it never fails or
//! panics once its operands have the right types, and where Go's output has a simple
//! description (integers, widths, string precision, shortest floats) it matches it.

use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::sprintf;
use crate::builtins::term::Term;

fn call(text: &str, values: &Value) -> Result<Value, String> {
    sprintf(&[Term::String(text.to_string()), Term::from_json(values)])
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "callers build the values inline"
)]
fn go(text: &str, values: Value) -> String {
    match call(text, &values) {
        Ok(Value::String(out)) => out,
        other => unreachable!("sprintf({text:?}) gave {other:?}"),
    }
}

/// Format text built from directive parts, so flags, widths, indexes and verbs meet.
fn format_text() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            3 => prop::sample::select(&[
                "%", "%%", "%v", "%d", "%s", "%q", "%x", "%X", "%o", "%b", "%c", "%U", "%e", "%E",
                "%f", "%F", "%g", "%G", "%t", "%T", "%p", "%#", "%+", "%-", "% ", "%0", "*", ".",
                "[", "]", "[1]", "[2]", "[0]", "[99]", "1", "9", "12", "999999999999", "!", "é",
                "🧁", "\0", "\n",
            ][..])
            .prop_map(str::to_string),
            1 => any::<char>().prop_map(String::from),
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

fn operand() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (-100i64..100).prop_map(Value::from),
        "\\PC{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            vec(("[a-c]{0,2}", inner), 0..3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Go prints a negative number in a non-decimal base as a sign and the magnitude.
fn signed(value: i64, digits: impl Fn(u64) -> String) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}", digits(value.unsigned_abs()))
}

/// Every finite float (JSON has no NaN or infinity): normal, subnormal and zero, either sign.
fn finite() -> impl Strategy<Value = f64> {
    use prop::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any format with any operands gives a string.
    #[test]
    fn never_fails_on_well_typed_operands(
        text in format_text(),
        values in vec(operand(), 0..4),
    ) {
        let out = call(&text, &Value::Array(values));
        prop_assert!(matches!(out, Ok(Value::String(_))), "{:?}", out);
    }

    /// Text without directives comes back as is; left-over operands are reported after it.
    #[test]
    fn plain_text_is_copied(text in "[^%]{0,16}", extra in 0usize..3) {
        let values: Vec<Value> = (0..extra).map(|i| json!(i)).collect();
        let out = go(&text, Value::Array(values));
        if extra == 0 {
            prop_assert_eq!(out, text);
        } else {
            prop_assert!(out.starts_with(&format!("{text}%!(EXTRA int64=0")), "{}", out);
        }
    }

    #[test]
    fn integers_print_like_go(value in any::<i64>(), width in 0usize..30) {
        let one = |verb: &str| go(verb, json!([value]));
        prop_assert_eq!(one("%d"), value.to_string());
        prop_assert_eq!(one("%v"), value.to_string());
        prop_assert_eq!(one("%x"), signed(value, |m| format!("{m:x}")));
        prop_assert_eq!(one("%X"), signed(value, |m| format!("{m:X}")));
        prop_assert_eq!(one("%o"), signed(value, |m| format!("{m:o}")));
        prop_assert_eq!(one("%b"), signed(value, |m| format!("{m:b}")));
        prop_assert_eq!(one(&format!("%{width}d")), format!("{value:>width$}"));
        prop_assert_eq!(one(&format!("%-{width}d")), format!("{value:<width$}"));
        prop_assert_eq!(one(&format!("%0{width}d")), format!("{value:0width$}"));
        prop_assert_eq!(one("%+d"), format!("{value:+}"));
    }

    #[test]
    fn large_integers_print_in_full(value in (1u64 << 63)..=u64::MAX) {
        prop_assert_eq!(go("%d", json!([value])), value.to_string());
    }

    /// `%v` and `%g` print the shortest text that reads back as the same float.
    #[test]
    fn floats_round_trip(value in finite()) {
        for verb in ["%v", "%g", "%G"] {
            let out = go(verb, json!([value]));
            let back: f64 = out.parse().map_err(|err| TestCaseError::fail(format!("{verb} gave {out:?}: {err}")))?;
            prop_assert_eq!(back.to_bits(), value.to_bits(), "{} gave {}", verb, out);
        }
    }

    /// Strings print as themselves; a precision keeps that many characters, not bytes.
    #[test]
    fn strings_print_as_themselves(text in "\\PC{0,12}", precision in 0usize..8, width in 0usize..16) {
        prop_assert_eq!(go("%s", json!([text])), text.clone());
        prop_assert_eq!(go("%v", json!([text])), text.clone());
        let kept: String = text.chars().take(precision).collect();
        prop_assert_eq!(go(&format!("%.{precision}s"), json!([text])), kept);
        let padding = width.saturating_sub(text.chars().count());
        prop_assert_eq!(
            go(&format!("%{width}s"), json!([text])),
            format!("{}{text}", " ".repeat(padding))
        );
    }

    /// Printable ASCII without quotes or backslashes is quoted without escapes.
    #[test]
    fn plain_ascii_quotes_plainly(text in "[ !#-\\[\\]-~]{0,16}") {
        prop_assert_eq!(go("%q", json!([text])), format!("\"{text}\""));
    }

    /// Explicit argument indexes pick operands, in any order.
    #[test]
    fn indexes_pick_operands(a in any::<i64>(), b in "[a-z]{0,4}") {
        prop_assert_eq!(go("%[2]s %[1]d %[2]v", json!([a, b])), format!("{b} {a} {b}"));
    }
}

/// Found by `floats_round_trip`: a zero written as a float, `0.0`, is a float64 to OPA's
/// `sprintf`, not an int64 (`opa eval` gives the string below); so is `-0.0`, while `-0` is an
/// integer.
#[test]
fn issue_6_a_zero_float_stays_a_float() {
    let operands: Value = serde_json::from_str("[0.0, 0.0, -0, 0, 0.0, -0.0]").expect("valid JSON");
    assert_eq!(
        go("%g|%d|%v|%v|%v|%v", operands),
        "0|%!d(float64=0)|0|0|0|-0"
    );
}
