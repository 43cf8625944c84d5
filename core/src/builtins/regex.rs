//! `regex` builtins that OPA's WebAssembly leaves to the host: `regex.replace`, `regex.split`
//! and `regex.find_n`, with Go's `regexp` semantics (`ReplaceAllString`, `Split(s, -1)`,
//! `FindAllString(s, n)`). Patterns are Go RE2 syntax, rewritten by `re2` for the `regex`
//! crate; both engines are leftmost-first and skip an empty match that abuts the previous
//! match, so match positions agree.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use regex::{Captures, Regex};
use serde_json::Value;

use super::{args, re2, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("regex.replace", replace);
    table.add("regex.split", split);
    table.add("regex.find_n", find_n);
    // OPA's WebAssembly implements these itself with an engine that rejects patterns Go
    // accepts (and the reverse), and an invalid pattern there is undefined, not an error. The
    // compiler redirects every call to these host versions (see `redirect`).
    table.add("cupcake_re2.match", matches);
    table.add("cupcake_re2.is_valid", is_valid);
    table.add(
        "cupcake_re2.find_all_string_submatch_n",
        find_all_string_submatch_n,
    );
}

/// `regex.match(pattern, value)`: Go's `MatchString`. An invalid pattern is an error.
fn matches(args: &[Value]) -> Result<Value, String> {
    let pattern = args::string(args, 0)?;
    let text = args::string(args, 1)?;
    Ok(Value::Bool(compile(pattern)?.re.is_match(text)))
}

/// `regex.is_valid(pattern)`: whether Go's `regexp.Compile` accepts it; false for a
/// non-string, as in OPA.
#[expect(
    clippy::unnecessary_wraps,
    reason = "every builtin has the table's signature"
)]
fn is_valid(args: &[Value]) -> Result<Value, String> {
    Ok(Value::Bool(
        args.first()
            .and_then(Value::as_str)
            .is_some_and(|pattern| compile(pattern).is_ok()),
    ))
}

/// `regex.find_all_string_submatch_n(pattern, value, n)`: Go's `FindAllStringSubmatch`, a
/// group that took no part in a match giving `""`.
fn find_all_string_submatch_n(args: &[Value]) -> Result<Value, String> {
    let pattern = args::string(args, 0)?;
    let text = args::string(args, 1)?;
    let limit = args::integer(args, 2)?;
    let re = &compile(pattern)?.re;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found: Vec<Value> = re
        .captures_iter(text)
        .take(limit)
        .map(|caps| {
            Value::from(
                caps.iter()
                    .map(|group| group.map_or("", |m| m.as_str()))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    Ok(Value::from(found))
}

/// Whether a constant pattern compiles with Go's semantics; the error otherwise.
pub(crate) fn check_pattern(pattern: &str) -> Result<(), String> {
    compile(pattern).map(|_| ())
}

/// `regex.replace(s, pattern, value)`: every match replaced by `value`, in which `$1`,
/// `${name}` and `$$` expand as in Go's `Regexp.Expand`.
fn replace(args: &[Value]) -> Result<Value, String> {
    let text = args::string(args, 0)?;
    let pattern = args::string(args, 1)?;
    let template = args::string(args, 2)?;
    let compiled = compile(pattern)?;
    let mut out = String::with_capacity(text.len());
    let mut last_end = 0;
    for caps in compiled.re.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(text.get(last_end..whole.start()).unwrap_or_default());
        expand(&mut out, template, &caps, &compiled.names);
        last_end = whole.end();
    }
    out.push_str(text.get(last_end..).unwrap_or_default());
    Ok(Value::String(out))
}

/// `regex.split(pattern, s)`: Go's `Regexp.Split(s, -1)`, including its quirks — an empty
/// string gives `[""]` for a non-empty pattern, and a match at the very start or end of `s`
/// yields no empty piece when the match itself is empty.
fn split(args: &[Value]) -> Result<Value, String> {
    let pattern = args::string(args, 0)?;
    let text = args::string(args, 1)?;
    let re = &compile(pattern)?.re;
    if !pattern.is_empty() && text.is_empty() {
        return Ok(Value::from(vec![""]));
    }
    let mut pieces = Vec::new();
    let (mut begin, mut end) = (0, 0);
    for found in re.find_iter(text) {
        end = found.start();
        if found.end() != 0 {
            pieces.push(text.get(begin..end).unwrap_or_default());
        }
        begin = found.end();
    }
    if end != text.len() {
        pieces.push(text.get(begin..).unwrap_or_default());
    }
    Ok(Value::from(pieces))
}

/// `regex.find_n(pattern, s, n)`: the first `n` matches, all of them when `n` is negative.
fn find_n(args: &[Value]) -> Result<Value, String> {
    let pattern = args::string(args, 0)?;
    let text = args::string(args, 1)?;
    let limit = args::integer(args, 2)?;
    let re = &compile(pattern)?.re;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found: Vec<&str> = re.find_iter(text).take(limit).map(|m| m.as_str()).collect();
    Ok(Value::from(found))
}

/// Go's `Regexp.Expand` for one match: `$name` takes the longest run of letters, digits and
/// `_` (so `$1x` names group `1x`), `${name}` is explicit, `$$` is a dollar, a malformed `$`
/// stays literal, and an unknown or unmatched group expands to nothing. A name refers to the
/// first group of that name that took part in the match (Go allows repeated names).
fn expand(out: &mut String, template: &str, caps: &Captures<'_>, names: &[Option<String>]) {
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('$') {
        out.push_str(before);
        rest = after;
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some((name, after)) = template_name(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(index) => caps.get(index),
            None => names
                .iter()
                .enumerate()
                .filter(|(_, group)| group.as_deref() == Some(name))
                .find_map(|(index, _)| caps.get(index + 1)),
        };
        if let Some(group) = group {
            out.push_str(group.as_str());
        }
    }
    out.push_str(rest);
}

/// The group name after a `$` (Go's `extract`), and the text after it.
fn template_name(s: &str) -> Option<(&str, &str)> {
    let (braced, body) = match s.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, s),
    };
    let end = body
        .char_indices()
        .find(|&(_, c)| !is_name_char(c))
        .map_or(body.len(), |(at, _)| at);
    let name = body.get(..end).filter(|name| !name.is_empty())?;
    let after = body.get(end..).unwrap_or_default();
    if braced {
        return Some((name, after.strip_prefix('}')?));
    }
    Some((name, after))
}

/// A numeric group name: digits without a leading zero, below 10^8 (Go's limits).
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    name.parse::<usize>().ok().filter(|n| *n < 100_000_000)
}

/// Go's `unicode.IsLetter || unicode.IsDigit || '_'`.
fn is_name_char(c: char) -> bool {
    static LETTER_OR_DIGIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\A[\p{L}\p{Nd}]\z").expect("the category pattern is valid"));
    c == '_'
        || c.is_ascii_alphanumeric()
        || (!c.is_ascii() && LETTER_OR_DIGIT.is_match(c.encode_utf8(&mut [0; 4])))
}

/// Compiled patterns by source text. Policies call these builtins on every evaluation with a
/// handful of constant patterns, so a small cache saves recompiling; like OPA's, it drops an
/// arbitrary entry when full.
static CACHE: LazyLock<Mutex<HashMap<String, Arc<Compiled>>>> = LazyLock::new(Mutex::default);
const CACHE_CAPACITY: usize = 100;

/// A compiled Go pattern and its group names (see `re2::Translation`).
struct Compiled {
    re: Regex,
    names: Vec<Option<String>>,
}

/// Compiles a Go pattern, through the cache. A poisoned lock only disables caching.
fn compile(pattern: &str) -> Result<Arc<Compiled>, String> {
    if let Some(compiled) = CACHE
        .lock()
        .ok()
        .and_then(|cache| cache.get(pattern).cloned())
    {
        return Ok(compiled);
    }
    let translated = re2::translate(pattern)?;
    // Go nests up to 1,000 deep and has no compiled-size limit; the crate's defaults (250,
    // 10 MiB) would refuse patterns Go accepts, such as `\pL{500}`.
    let re = regex::RegexBuilder::new(&translated.pattern)
        .nest_limit(1000)
        .size_limit(256 * 1024 * 1024)
        .build()
        .map_err(|err| {
            let detail = err.to_string();
            let reason = detail.lines().last().unwrap_or_default().trim();
            let reason = reason.strip_prefix("error: ").unwrap_or(reason);
            format!("error parsing regexp: {reason}: `{pattern}`")
        })?;
    let compiled = Arc::new(Compiled {
        re,
        names: translated.names,
    });
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= CACHE_CAPACITY {
            if let Some(evicted) = cache.keys().next().cloned() {
                cache.remove(&evicted);
            }
        }
        cache.insert(pattern.to_string(), Arc::clone(&compiled));
    }
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn call(function: fn(&[Value]) -> Result<Value, String>, args: &Value) -> Value {
        function(args.as_array().expect("test args are an array")).expect("call succeeds")
    }

    #[test]
    fn replace_expands_like_go() {
        let cases = [
            (
                json!(["john smith", r"(\w+) (\w+)", "$2, $1"]),
                "smith, john",
            ),
            (
                json!([
                    "2024-01-15",
                    r"(?P<y>\d+)-(?P<m>\d+)-(?P<d>\d+)",
                    "${d}/${m}/${y}"
                ]),
                "15/01/2024",
            ),
            (json!(["ab", "(a)", "$1x"]), "b"),
            (json!(["ab", "(a)", "${1}x"]), "axb"),
            (json!(["price", "price", "$$5"]), "$5"),
            (json!(["ab", "(a)(b)", "[$01]"]), "[]"),
            (json!(["abc", "b", "${x"]), "a${xc"),
            (
                json!(["ab", "(?P<n>x)?(?P<n>a)(?P<1x>b)", "${n}${1x}$n"]),
                "aba",
            ),
            (json!(["abc", "b", "$"]), "a$c"),
            (json!(["abc", "x*", "-"]), "-a-b-c-"),
            (json!(["baaac", "a*", "-"]), "-b-c-"),
            (json!(["aaa", "^a", "b"]), "baa"),
            (json!(["café au lait", r"\w+", "W"]), "Wé W W"),
        ];
        for (args, want) in cases {
            assert_eq!(call(replace, &args), json!(want), "{args}");
        }
    }

    #[test]
    fn split_keeps_go_quirks() {
        let cases = [
            (json!([r",\s*", "a, b,c"]), json!(["a", "b", "c"])),
            (json!([",", ""]), json!([""])),
            (json!(["", ""]), json!([])),
            (json!(["x*", "abc"]), json!(["a", "b", "c"])),
            (json!(["", "héé"]), json!(["h", "é", "é"])),
            (json!([",", "a,b,"]), json!(["a", "b", ""])),
            (json!([",", ",a"]), json!(["", "a"])),
            (json!(["$", "ab"]), json!(["ab"])),
        ];
        for (args, want) in cases {
            assert_eq!(call(split, &args), want, "{args}");
        }
    }

    #[test]
    fn find_n_limits() {
        assert_eq!(
            call(find_n, &json!(["[0-9]+", "a1b22c333", 2])),
            json!(["1", "22"])
        );
        assert_eq!(call(find_n, &json!(["[0-9]+", "a1b22c333", 0])), json!([]));
        assert_eq!(
            call(find_n, &json!(["a*", "baaac", -1])),
            json!(["", "aaa", ""])
        );
        assert_eq!(
            call(find_n, &json!([r"\d+", "12٣ 4", -1])),
            json!(["12", "4"])
        );
        let err = find_n(&[json!("a"), json!("aaa"), json!(1.5)]).expect_err("float n");
        assert_eq!(
            err,
            "operand 3 must be integer number but got floating-point number"
        );
        let err = split(&[json!("("), json!("a")]).expect_err("bad pattern");
        assert!(err.starts_with("error parsing regexp: "), "{err}");
    }

    #[test]
    fn cache_stays_bounded() {
        for i in 0..(CACHE_CAPACITY + 10) {
            compile(&format!("x{i}")).expect("valid pattern");
        }
        let size = CACHE.lock().expect("cache lock").len();
        assert!(size <= CACHE_CAPACITY, "{size}");
    }
}
