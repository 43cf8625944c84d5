//! Operand helpers shared by every host builtin, so each wrong operand is reported the same way.

use serde_json::Value;

/// Returns operand `index` (0-based), or the standard error naming its position.
pub(crate) fn operand(args: &[Value], index: usize) -> Result<&Value, String> {
    args.get(index)
        .ok_or_else(|| format!("operand {} missing", index + 1))
}

/// Returns operand `index` as a string.
pub(crate) fn string(args: &[Value], index: usize) -> Result<&str, String> {
    let value = operand(args, index)?;
    value
        .as_str()
        .ok_or_else(|| mismatch(index, "string", value))
}

/// Returns operand `index` as an integer; a number with a fraction (or too large for `i64`) is
/// refused with OPA's wording.
pub(crate) fn integer(args: &[Value], index: usize) -> Result<i64, String> {
    let value = operand(args, index)?;
    let number = value
        .as_number()
        .ok_or_else(|| mismatch(index, "number", value))?;
    number.as_i64().ok_or_else(|| {
        format!(
            "operand {} must be integer number but got floating-point number",
            index + 1
        )
    })
}

/// The one wording of a type mismatch, after OPA's.
pub(crate) fn mismatch(index: usize, wanted: &str, got: &Value) -> String {
    format!(
        "operand {} must be {wanted} but got {}",
        index + 1,
        type_name(got)
    )
}

/// The Rego type name of a JSON value.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
