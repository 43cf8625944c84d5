//! `time.*` builtins.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::BuiltinTable;

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("time.now_ns", now_ns);
}

/// `time.now_ns()`: nanoseconds since the Unix epoch.
fn now_ns(_args: &[Value]) -> Result<Value, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|err| format!("system clock is before 1970: {err}"))?
        .as_nanos();
    let nanos =
        i64::try_from(nanos).map_err(|_| "system clock is past the year 2262".to_string())?;
    Ok(Value::from(nanos))
}
