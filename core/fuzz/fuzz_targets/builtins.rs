//! Every host builtin (`regex.*` through cupcake's RE2 translation, `time.*`, `sprintf`) with
//! operands of any type: a builtin may refuse its operands with a message, never panic. The
//! first byte picks the builtin; the rest is a JSON array of operands, or, when it is not one,
//! the text becomes the string operands themselves, split on NUL.
#![no_main]

use std::sync::OnceLock;

use cupcake::BuiltinTable;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn table() -> &'static (BuiltinTable, Vec<&'static str>) {
    static TABLE: OnceLock<(BuiltinTable, Vec<&'static str>)> = OnceLock::new();
    TABLE.get_or_init(|| {
        let table = BuiltinTable::standard();
        let names = table.names();
        (table, names)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (table, names) = table();
    let Some(name) = names.get(usize::from(pick) % names.len().max(1)) else {
        return;
    };
    let function = table.get(name).expect("listed names are registered");
    let operands = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        _ => text
            .split('\0')
            .map(|s| Value::String(s.to_string()))
            .collect(),
    };
    if let Err(message) = function(&operands) {
        assert!(!message.is_empty(), "{name}: an error needs a message");
    }
});
