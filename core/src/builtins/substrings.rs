//! String search builtins OPA's WebAssembly leaves to the host: `strings.any_prefix_match`,
//! `strings.any_suffix_match`, `strings.count`, `indexof_n` and `strings.split_n`. Indexes count
//! characters (runes), as in OPA.

use serde_json::Value;

use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("strings.any_prefix_match", any_prefix_match);
    table.add("strings.any_suffix_match", any_suffix_match);
    table.add("strings.count", count);
    table.add("indexof_n", indexof_n);
    table.add("strings.split_n", split_n);
}

/// `strings.any_prefix_match(search, base)`: whether any search string starts with any base
/// string. Each side is a string or a set or array of strings.
fn any_prefix_match(args: &[Value]) -> Result<Value, String> {
    affix_match(args, |s, affix| s.starts_with(affix))
}

/// `strings.any_suffix_match(search, base)`: as above, with "ends with".
fn any_suffix_match(args: &[Value]) -> Result<Value, String> {
    affix_match(args, |s, affix| s.ends_with(affix))
}

fn affix_match(args: &[Value], matches: fn(&str, &str) -> bool) -> Result<Value, String> {
    // Search strings are checked before base strings, so their errors come first (as in OPA).
    let search = string_or_strings(args, 0)?;
    let base = string_or_strings(args, 1)?;
    let found = search.iter().any(|s| base.iter().any(|b| matches(s, b)));
    Ok(Value::Bool(found))
}

/// Operand `index` as strings: a string, or a set or array whose members are all strings.
fn string_or_strings(args: &[Value], index: usize) -> Result<Vec<&str>, String> {
    match args::operand(args, index)? {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str().ok_or_else(|| {
                    format!(
                        "operand {} must be array of strings but got array containing {}",
                        index + 1,
                        args::type_name(item)
                    )
                })
            })
            .collect(),
        other => Err(format!(
            "operand {} must be one of {{set, array, string}} but got {}",
            index + 1,
            args::type_name(other)
        )),
    }
}

/// `strings.count(search, substring)`: non-overlapping occurrences; an empty substring occurs
/// once per character plus once (Go's `strings.Count`).
fn count(args: &[Value]) -> Result<Value, String> {
    let text = args::string(args, 0)?;
    let substring = args::string(args, 1)?;
    let n = if substring.is_empty() {
        text.chars().count() + 1
    } else {
        text.matches(substring).count()
    };
    Ok(Value::from(n))
}

/// `indexof_n(string, search)`: the character index of every occurrence, overlapping ones
/// included.
fn indexof_n(args: &[Value]) -> Result<Value, String> {
    let text: Vec<char> = args::string(args, 0)?.chars().collect();
    let search: Vec<char> = args::string(args, 1)?.chars().collect();
    if search.is_empty() {
        return Err("empty search character".to_string());
    }
    let found: Vec<Value> = text
        .windows(search.len())
        .enumerate()
        .filter(|(_, window)| *window == search.as_slice())
        .map(|(index, _)| Value::from(index))
        .collect();
    Ok(Value::Array(found))
}

/// `strings.split_n(x, delimiter, n)`: the first `n` parts (`n > 0`), the last `-n` parts
/// (`n < 0`), or none (`n == 0`). An empty delimiter splits between characters.
fn split_n(args: &[Value]) -> Result<Value, String> {
    let text = args::string(args, 0)?;
    let delimiter = args::string(args, 1)?;
    let n = args::integer(args, 2)?;
    let parts: Vec<&str> = if delimiter.is_empty() {
        text.char_indices()
            .map(|(at, c)| &text[at..at + c.len_utf8()])
            .collect()
    } else {
        text.split(delimiter).collect()
    };
    let wanted = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
    let kept: &[&str] = if n >= 0 {
        &parts[..wanted.min(parts.len())]
    } else {
        &parts[parts.len().saturating_sub(wanted)..]
    };
    Ok(Value::from(kept.to_vec()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Expectations from `opa eval` (OPA 1.22.2).
    #[test]
    fn matches_opa() {
        assert_eq!(count(&[json!("cheese"), json!("e")]), Ok(json!(3)));
        assert_eq!(count(&[json!("five"), json!("")]), Ok(json!(5)));
        assert_eq!(count(&[json!("aaaa"), json!("aa")]), Ok(json!(2)));
        assert_eq!(
            indexof_n(&[json!("aaaa"), json!("aa")]),
            Ok(json!([0, 1, 2]))
        );
        assert_eq!(indexof_n(&[json!("héhé"), json!("é")]), Ok(json!([1, 3])));
        assert!(indexof_n(&[json!("x"), json!("")]).is_err());
        assert_eq!(
            split_n(&[json!("a,b,c,d"), json!(","), json!(2)]),
            Ok(json!(["a", "b"]))
        );
        assert_eq!(
            split_n(&[json!("a,b,c,d"), json!(","), json!(-2)]),
            Ok(json!(["c", "d"]))
        );
        assert_eq!(
            split_n(&[json!("a,b"), json!(","), json!(0)]),
            Ok(json!([]))
        );
        assert_eq!(
            split_n(&[json!("héj"), json!(""), json!(9)]),
            Ok(json!(["h", "é", "j"]))
        );
    }
}
