//! Rego values as OPA's WebAssembly module prints them with `opa_value_dump`: JSON plus sets
//! (`{1, 2}`, `set()`), object keys of any type, and numbers exactly as the module stores them
//! (`1.0`, `-0.0`, `1e400`, 30-digit integers). JSON cannot carry these, and builtins such as
//! `sprintf` print them, so operands are read in this form.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// One Rego value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its text.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Term>),
    /// A set, in the module's order (use [`Term::sorted`] for Rego's).
    Set(Vec<Term>),
    /// An object, in the module's order.
    Object(Vec<(Term, Term)>),
}

impl Term {
    /// Parses one value from `opa_value_dump` text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let term = parser.value()?;
        parser.space();
        if parser.at != parser.bytes.len() {
            return Err(parser.error("trailing text"));
        }
        Ok(term)
    }

    /// The Rego value of a JSON value (numbers keep their JSON text).
    #[cfg(test)]
    pub fn from_json(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.to_string()),
            Value::String(s) => Self::String(s.clone()),
            Value::Array(items) => Self::Array(items.iter().map(Self::from_json).collect()),
            Value::Object(map) => Self::Object(
                map.iter()
                    .map(|(k, v)| (Self::String(k.clone()), Self::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The value as JSON, as `opa_json_dump` gives it: sets become arrays and a non-string key
    /// becomes its JSON text. A number JSON cannot write (`.0`) becomes a JSON string of its
    /// text rather than failing.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(text) => number_json(text),
            Self::String(s) => Value::String(s.clone()),
            Self::Array(items) | Self::Set(items) => {
                Value::Array(items.iter().map(Self::to_json).collect())
            }
            Self::Object(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (key, value) in entries {
                    let key = match key {
                        Self::String(s) => s.clone(),
                        other => other.to_json().to_string(),
                    };
                    map.insert(key, value.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The value with every set and object in Rego's canonical order, as OPA's Go
    /// implementation holds them.
    #[must_use]
    pub fn sorted(&self) -> Self {
        match self {
            Self::Array(items) => Self::Array(items.iter().map(Self::sorted).collect()),
            Self::Set(items) => {
                let mut items: Vec<Self> = items.iter().map(Self::sorted).collect();
                items.sort_by(compare);
                Self::Set(items)
            }
            Self::Object(entries) => {
                let mut entries: Vec<(Self, Self)> = entries
                    .iter()
                    .map(|(k, v)| (k.sorted(), v.sorted()))
                    .collect();
                entries.sort_by(|a, b| compare(&a.0, &b.0));
                Self::Object(entries)
            }
            other => other.clone(),
        }
    }

    fn order(&self) -> u8 {
        match self {
            Self::Null => 0,
            Self::Bool(_) => 1,
            Self::Number(_) => 2,
            Self::String(_) => 3,
            Self::Array(_) => 7,
            Self::Object(_) => 8,
            Self::Set(_) => 9,
        }
    }
}

/// JSON for a number's text: serde keeps the exact text (`arbitrary_precision`), so only text
/// JSON rejects needs the fallback.
fn number_json(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map_or_else(|_| Value::String(text.to_string()), Value::Number)
}

/// Rego's total order of values (`ast.Compare`): by type (null, boolean, number, string,
/// array, object, set), then by value; numbers compare by exact decimal value.
pub fn compare(a: &Term, b: &Term) -> Ordering {
    match (a, b) {
        (Term::Bool(x), Term::Bool(y)) => x.cmp(y),
        (Term::Number(x), Term::Number(y)) => compare_numbers(x, y),
        (Term::String(x), Term::String(y)) => x.cmp(y),
        (Term::Array(x), Term::Array(y)) => compare_lists(x, y),
        (Term::Set(_), Term::Set(_)) | (Term::Object(_), Term::Object(_)) => {
            match (a.sorted(), b.sorted()) {
                (Term::Set(x), Term::Set(y)) => compare_lists(&x, &y),
                (Term::Object(x), Term::Object(y)) => {
                    for ((kx, vx), (ky, vy)) in x.iter().zip(&y) {
                        let order = compare(kx, ky).then_with(|| compare(vx, vy));
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    x.len().cmp(&y.len())
                }
                _ => Ordering::Equal,
            }
        }
        _ => a.order().cmp(&b.order()),
    }
}

fn compare_lists(x: &[Term], y: &[Term]) -> Ordering {
    for (a, b) in x.iter().zip(y) {
        let order = compare(a, b);
        if order != Ordering::Equal {
            return order;
        }
    }
    x.len().cmp(&y.len())
}

/// A number's text as an exact decimal: sign, significant digits, and the power of ten of the
/// last digit. `None` for text that is not a decimal number.
pub(crate) fn decimal(text: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let scale = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    let trimmed = digits.trim_start_matches('0');
    let significant = trimmed.trim_end_matches('0');
    let dropped = i64::try_from(trimmed.len() - significant.len()).ok()?;
    Some((
        negative,
        significant.to_string(),
        scale.checked_add(dropped)?,
    ))
}

/// Compares two numbers' texts by exact value; text that is not a number sorts by its text.
pub fn compare_numbers(x: &str, y: &str) -> Ordering {
    let (Some(a), Some(b)) = (decimal(x), decimal(y)) else {
        return x.cmp(y);
    };
    let sign = |d: &(bool, String, i64)| match (d.1.is_empty(), d.0) {
        (true, _) => 0,
        (false, true) => -1,
        (false, false) => 1,
    };
    let (sa, sb) = (sign(&a), sign(&b));
    if sa != sb || sa == 0 {
        return sa.cmp(&sb);
    }
    // Same sign, both non-zero: compare magnitudes by the position of the leading digit, then
    // digit by digit.
    let magnitude = {
        let lead = |d: &(bool, String, i64)| {
            d.2.saturating_add(i64::try_from(d.1.len()).unwrap_or(i64::MAX))
        };
        lead(&a).cmp(&lead(&b)).then_with(|| {
            let (da, db) = (a.1.as_bytes(), b.1.as_bytes());
            for i in 0..da.len().max(db.len()) {
                let order = da.get(i).unwrap_or(&b'0').cmp(db.get(i).unwrap_or(&b'0'));
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        })
    };
    if sa < 0 {
        magnitude.reverse()
    } else {
        magnitude
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!(
            "unreadable value from the policy module: {what} at byte {}",
            self.at
        )
    }

    fn space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.bytes[self.at..].starts_with(literal.as_bytes()) {
            self.at += literal.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Term, String> {
        self.space();
        match self.bytes.get(self.at) {
            None => Err(self.error("end of text")),
            Some(b'"') => Ok(Term::String(self.string()?)),
            Some(b'[') => {
                self.at += 1;
                Ok(Term::Array(self.items(b']')?))
            }
            Some(b'{') => self.braces(),
            Some(_) if self.eat("null") => Ok(Term::Null),
            Some(_) if self.eat("true") => Ok(Term::Bool(true)),
            Some(_) if self.eat("false") => Ok(Term::Bool(false)),
            Some(_) if self.eat("set()") => Ok(Term::Set(Vec::new())),
            Some(_) => self.number(),
        }
    }

    /// Elements up to `close`, the opening bracket already consumed.
    fn items(&mut self, close: u8) -> Result<Vec<Term>, String> {
        let mut items = Vec::new();
        self.space();
        if self.bytes.get(self.at) == Some(&close) {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(self.value()?);
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(&c) if c == close => {
                    self.at += 1;
                    return Ok(items);
                }
                _ => return Err(self.error("expected `,` or a closing bracket")),
            }
        }
    }

    /// An object or a non-empty set: a `:` after the first element decides.
    fn braces(&mut self) -> Result<Term, String> {
        self.at += 1;
        self.space();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Term::Object(Vec::new()));
        }
        let first = self.value()?;
        self.space();
        if self.bytes.get(self.at) != Some(&b':') {
            let mut items = vec![first];
            match self.bytes.get(self.at) {
                Some(b',') => {
                    self.at += 1;
                    items.extend(self.items(b'}')?);
                }
                Some(b'}') => self.at += 1,
                _ => return Err(self.error("expected `,` or `}` in a set")),
            }
            return Ok(Term::Set(items));
        }
        let mut entries = Vec::new();
        let mut key = first;
        loop {
            self.at += 1; // the `:`
            let value = self.value()?;
            entries.push((key, value));
            self.space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Term::Object(entries));
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
            key = self.value()?;
            self.space();
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(self.error("expected `:` in an object"));
            }
        }
    }

    /// Number text as the module wrote it: any run of sign, digit, `.`, and exponent bytes.
    fn number(&mut self) -> Result<Term, String> {
        let start = self.at;
        while matches!(
            self.bytes.get(self.at),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.at += 1;
        }
        if self.at == start {
            return Err(self.error("unexpected byte"));
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at])
            .map_err(|_| self.error("number is not text"))?;
        Ok(Term::Number(text.to_string()))
    }

    /// A JSON string (the module escapes `"`, `\` and control bytes).
    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.bytes.get(self.at) else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.at += 1;
                    let c = match escape {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'"' => '"',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("unknown escape")),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(byte),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.eat("\\u") {
            let low = self.hex4()?;
            let code = 0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
            return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
        }
        Ok(char::from_u32(high).unwrap_or('\u{FFFD}'))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Term {
        Term::Number(text.to_string())
    }

    #[test]
    fn reads_sets_keys_and_exact_numbers() {
        let term = Term::parse(r#"{1: "a", [1]: {2, 1}, "k": set()}"#).expect("parses");
        assert_eq!(
            term,
            Term::Object(vec![
                (n("1"), Term::String("a".into())),
                (Term::Array(vec![n("1")]), Term::Set(vec![n("2"), n("1")])),
                (Term::String("k".into()), Term::Set(vec![])),
            ])
        );
        assert_eq!(
            Term::parse("[1.0, -0.0, 1e400, .0, 123456789012345678901234567890]").expect("parses"),
            Term::Array(vec![
                n("1.0"),
                n("-0.0"),
                n("1e400"),
                n(".0"),
                n("123456789012345678901234567890")
            ])
        );
        assert_eq!(
            Term::parse(r#""a\"\\\n\u00e9\ud83d\ude00""#).expect("parses"),
            Term::String("a\"\\\né😀".into())
        );
        assert!(Term::parse("{1 2}").is_err());
        assert!(Term::parse("[1,").is_err());
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(compare_numbers("1", "1.0"), Ordering::Equal);
        assert_eq!(compare_numbers("-0.0", "0"), Ordering::Equal);
        assert_eq!(compare_numbers("1e400", "9"), Ordering::Greater);
        assert_eq!(compare_numbers("-2", "-10"), Ordering::Greater);
        assert_eq!(compare_numbers("0.5", "1"), Ordering::Less);
        assert_eq!(
            compare_numbers(
                "123456789012345678901234567891",
                "123456789012345678901234567890"
            ),
            Ordering::Greater
        );
        assert_eq!(compare_numbers("2.5", "25e-1"), Ordering::Equal);
    }

    #[test]
    fn sorts_like_rego() {
        let set = Term::parse(r#"{3, "a", 1, [1], {"k": 1}, null, true, 2.5, {1}}"#)
            .expect("parses")
            .sorted();
        assert_eq!(
            set,
            Term::Set(vec![
                Term::Null,
                Term::Bool(true),
                n("1"),
                n("2.5"),
                n("3"),
                Term::String("a".into()),
                Term::Array(vec![n("1")]),
                Term::Object(vec![(Term::String("k".into()), n("1"))]),
                Term::Set(vec![n("1")]),
            ])
        );
    }

    #[test]
    fn json_view_matches_the_module_json_dump() {
        let term = Term::parse(r#"{1: {2}, "a": 1.0}"#).expect("parses");
        assert_eq!(term.to_json().to_string(), r#"{"1":[2],"a":1.0}"#);
        // Numbers keep their value, even beyond the range of f64 (serde writes `e+`).
        assert_eq!(n("1e400").to_json().to_string(), "1e+400");
        assert_eq!(
            n("123456789012345678901234567890").to_json().to_string(),
            "123456789012345678901234567890"
        );
    }
}
