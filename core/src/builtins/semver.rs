//! `semver.is_valid` and `semver.compare`, after OPA's own `SemVer` 2.0 parser: an optional
//! leading `v`, three numeric parts without leading zeros that fit `int64`, then optional
//! pre-release and build identifiers of `[0-9A-Za-z-]`.

use std::cmp::Ordering;

use serde_json::Value;

use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("semver.is_valid", is_valid);
    table.add("semver.compare", compare);
}

/// `semver.is_valid(x)`: false for anything that is not a valid version string.
fn is_valid(args: &[Value]) -> Result<Value, String> {
    let valid = args::operand(args, 0)?
        .as_str()
        .is_some_and(|text| Version::parse(text).is_some());
    Ok(Value::Bool(valid))
}

/// `semver.compare(a, b)`: -1, 0 or 1; an invalid version is an error.
fn compare(args: &[Value]) -> Result<Value, String> {
    let a = args::string(args, 0)?;
    let b = args::string(args, 1)?;
    let first =
        Version::parse(a).ok_or_else(|| format!("operand 1: string {a} is not a valid SemVer"))?;
    let second =
        Version::parse(b).ok_or_else(|| format!("operand 2: string {b} is not a valid SemVer"))?;
    Ok(Value::from(match first.cmp_to(&second) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

struct Version<'a> {
    numbers: [i64; 3],
    pre_release: &'a str,
}

impl<'a> Version<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let (text, metadata) = match text.split_once('+') {
            Some((text, metadata)) => (text, Some(metadata)),
            None => (text, None),
        };
        if metadata.is_some_and(|m| !identifiers(m)) {
            return None;
        }
        let (core, pre_release) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        if let Some(pre) = pre_release {
            // Numeric pre-release identifiers may not have leading zeros.
            let leading_zero = pre
                .split('.')
                .any(|id| id.len() > 1 && id.starts_with('0') && all_digits(id));
            if !identifiers(pre) || leading_zero {
                return None;
            }
        }
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return None;
        };
        Some(Self {
            numbers: [numeric(major)?, numeric(minor)?, numeric(patch)?],
            pre_release: pre_release.unwrap_or(""),
        })
    }

    fn cmp_to(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| match (self.pre_release, other.pre_release) {
                (a, b) if a == b => Ordering::Equal,
                ("", _) => Ordering::Greater,
                (_, "") => Ordering::Less,
                (a, b) => compare_pre_release(a, b),
            })
    }
}

/// Dot-separated identifiers compared in order: numeric ones by value (an out-of-range one
/// counts as `i64::MAX`, as Go's `Atoi` clamps before its ignored error), below alphanumeric ones, which compare
/// as bytes; a longer list wins a tie.
fn compare_pre_release(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        let order = match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match (all_digits(x), all_digits(y)) {
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (true, true) => {
                    let value = |id: &str| id.parse::<i64>().unwrap_or(i64::MAX);
                    value(x).cmp(&value(y))
                }
                (false, false) => x.cmp(y),
            },
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

/// `^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$`.
fn identifiers(text: &str) -> bool {
    text.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// A numeric part: digits without a leading zero, within `int64`.
fn numeric(text: &str) -> Option<i64> {
    if !all_digits(text) || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cmp(a: &str, b: &str) -> Value {
        compare(&[json!(a), json!(b)]).expect("valid versions")
    }

    #[test]
    fn orders_like_semver() {
        assert_eq!(cmp("1.0.0-alpha", "1.0.0-alpha.1"), json!(-1));
        assert_eq!(cmp("1.0.0-alpha.beta", "1.0.0-beta"), json!(-1));
        assert_eq!(cmp("1.0.0-beta.11", "1.0.0-beta.2"), json!(1));
        assert_eq!(cmp("1.0.0-rc.1", "1.0.0"), json!(-1));
        assert_eq!(cmp("v1.2.3+build", "1.2.3"), json!(0));
        assert_eq!(cmp("1.10.0", "1.9.9"), json!(1));
        // Go's Atoi clamps an oversized identifier to the largest int64.
        assert_eq!(cmp("1.0.0-99999999999999999999", "1.0.0-1"), json!(1));
    }

    #[test]
    fn validates_like_opa() {
        for good in ["1.2.3", "v1.2.3", "1.2.3-rc.1+sha.5", "0.0.0-0"] {
            assert_eq!(is_valid(&[json!(good)]), Ok(json!(true)), "{good}");
        }
        for bad in [
            "1.2",
            "01.2.3",
            "1.2.3-01",
            "1.2.3+",
            "1.2.3-a..b",
            "+1.2.3",
            "1.2.3.4",
        ] {
            assert_eq!(is_valid(&[json!(bad)]), Ok(json!(false)), "{bad}");
        }
        assert_eq!(is_valid(&[json!(1)]), Ok(json!(false)));
        assert!(compare(&[json!("1"), json!("1.0.0")]).is_err());
    }
}
