//! The `sprintf` host builtin: Go's `fmt.Sprintf` directive parser (flags, widths, precisions,
//! `*`, explicit `[n]` indexes) and printing of every operand OPA can pass it, nested arrays
//! and objects included. With a string format and an array of operands it must always return
//! a string.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};

/// One `sprintf` operand, as a Rego value.
#[derive(Arbitrary, Debug)]
enum Operand {
    Null,
    Bool(bool),
    Int(i64),
    Big(u64),
    Float(f64),
    Text(String),
    Array(Vec<Operand>),
    Object(Vec<(String, Operand)>),
}

impl Operand {
    fn json(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(i) => Value::from(*i),
            Self::Big(u) => Value::from(*u),
            // JSON has no NaN or infinity; Rego never hands one over.
            Self::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Self::Text(s) => Value::String(s.clone()),
            Self::Array(items) => Value::Array(items.iter().map(Self::json).collect()),
            Self::Object(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Call {
    format: String,
    operands: Vec<Operand>,
}

fuzz_target!(|call: Call| {
    let sprintf = cupcake::BuiltinTable::standard()
        .get("sprintf")
        .expect("sprintf is a standard host builtin");
    let operands = Value::Array(call.operands.iter().map(Operand::json).collect());
    match sprintf(&[Value::String(call.format), operands]) {
        Ok(Value::String(_)) => {}
        other => panic!("sprintf with well-typed operands must give a string: {other:?}"),
    }
});
