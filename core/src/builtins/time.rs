//! `time.*` builtins. `time.parse_rfc3339_ns` follows Go's `time.Parse(time.RFC3339, …)`, which
//! is laxer than RFC 3339: the hour may have one digit, the fraction may follow a comma and
//! have any number of digits (truncated to nanoseconds), and offsets up to `±24:60` pass.
//! Like OPA, results outside the `int64` nanosecond range are errors.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("time.now_ns", now_ns);
    table.add("time.parse_rfc3339_ns", parse_rfc3339_ns);
}

thread_local! {
    /// The clock reading of the evaluation running on this thread, taken at its first
    /// `time.now_ns()`. An evaluation runs on one thread from start to end.
    static EVALUATION_NOW: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// Starts a new evaluation on this thread: the next `time.now_ns()` reads the clock again.
pub(crate) fn start_evaluation() {
    EVALUATION_NOW.with(|now| now.set(None));
}

/// `time.now_ns()`: nanoseconds since the Unix epoch, the same value for every call within
/// one evaluation (as OPA guarantees).
fn now_ns(_args: &[Value]) -> Result<Value, String> {
    if let Some(now) = EVALUATION_NOW.with(std::cell::Cell::get) {
        return Ok(Value::from(now));
    }
    let now = clock_now()?;
    EVALUATION_NOW.with(|cell| cell.set(Some(now)));
    Ok(Value::from(now))
}

fn clock_now() -> Result<i64, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|err| format!("system clock is before 1970: {err}"))?
        .as_nanos();
    i64::try_from(nanos).map_err(|_| "system clock is past the year 2262".to_string())
}

/// `time.parse_rfc3339_ns(value)`: nanoseconds since the Unix epoch.
fn parse_rfc3339_ns(args: &[Value]) -> Result<Value, String> {
    let value = args::string(args, 0)?;
    Ok(Value::from(parse_rfc3339(value)?))
}

const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

/// Go's general `time.parse` walking the RFC 3339 layout element by element; errors carry
/// Go's wording.
pub(crate) fn parse_rfc3339(value: &str) -> Result<i64, String> {
    let mut p = Parser {
        value,
        rest: value.as_bytes(),
    };
    let year = p.year()?;
    p.expect("-")?;
    let month = p.number(true, "01")?;
    p.range(month, 1, 12, "month")?;
    p.expect("-")?;
    let day = p.number(true, "02")?;
    p.expect("T")?;
    let hour = p.number(false, "15")?;
    p.range(hour, 0, 23, "hour")?;
    p.expect(":")?;
    let minute = p.number(true, "04")?;
    p.range(minute, 0, 59, "minute")?;
    p.expect(":")?;
    let second = p.number(true, "05")?;
    p.range(second, 0, 59, "second")?;
    let nanos = p.fraction();
    let offset = p.zone()?;
    if !p.rest.is_empty() {
        return Err(p.message(&format!(": extra text: {}", quote(p.rest))));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(p.message(": day out of range"));
    }
    let seconds = days_from_civil(year, month, day) * 86_400
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset;
    i128::from(seconds)
        .checked_mul(1_000_000_000)
        .and_then(|n| i64::try_from(n + i128::from(nanos)).ok())
        .ok_or_else(|| "time outside of valid range".to_string())
}

struct Parser<'v> {
    value: &'v str,
    rest: &'v [u8],
}

impl Parser<'_> {
    /// `parsing time "…": <message>`.
    fn message(&self, message: &str) -> String {
        format!("parsing time {}{message}", quote(self.value.as_bytes()))
    }

    /// `parsing time "…" as "<layout>": cannot parse "<rest>" as "<element>"`.
    fn cannot_parse(&self, rest: &[u8], element: &str) -> String {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(self.value.as_bytes()),
            quote(LAYOUT.as_bytes()),
            quote(rest),
            quote(element.as_bytes())
        )
    }

    fn digit(&self, index: usize) -> Option<u32> {
        self.rest
            .get(index)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
    }

    fn advance(&mut self, count: usize) {
        self.rest = self.rest.get(count..).unwrap_or_default();
    }

    fn expect(&mut self, literal: &str) -> Result<(), String> {
        match self.rest.strip_prefix(literal.as_bytes()) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(self.cannot_parse(self.rest, literal)),
        }
    }

    /// Four digits (`stdLongYear`).
    fn year(&mut self) -> Result<i64, String> {
        let digits: Option<Vec<u32>> = (0..4).map(|i| self.digit(i)).collect();
        let year = digits
            .ok_or_else(|| self.cannot_parse(self.rest, "2006"))?
            .into_iter()
            .fold(0, |year, d| year * 10 + i64::from(d));
        self.advance(4);
        Ok(year)
    }

    /// Go's `getnum`: two digits, or one when not `fixed`.
    fn number(&mut self, fixed: bool, element: &str) -> Result<u32, String> {
        match (self.digit(0), self.digit(1)) {
            (Some(tens), Some(ones)) => {
                self.advance(2);
                Ok(tens * 10 + ones)
            }
            (Some(ones), None) if !fixed => {
                self.advance(1);
                Ok(ones)
            }
            _ => Err(self.cannot_parse(self.rest, element)),
        }
    }

    fn range(&self, value: u32, low: u32, high: u32, name: &str) -> Result<(), String> {
        if (low..=high).contains(&value) {
            Ok(())
        } else {
            Err(self.message(&format!(": {name} out of range")))
        }
    }

    /// An optional fraction after the seconds: `.` or `,` and digits, truncated to nanoseconds.
    fn fraction(&mut self) -> u32 {
        let separator = matches!(self.rest.first(), Some(b'.' | b','));
        if !separator || self.digit(1).is_none() {
            return 0;
        }
        let count = self
            .rest
            .iter()
            .skip(1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let nanos = (1..=9).fold(0, |nanos, i| {
            nanos * 10 + self.digit(i).filter(|_| i <= count).unwrap_or(0)
        });
        self.advance(1 + count);
        nanos
    }

    /// `Z`, or `±hh:mm` (Go lets the hour reach 24 and the minutes 60); seconds east of UTC.
    fn zone(&mut self) -> Result<i64, String> {
        if self.rest.first() == Some(&b'Z') {
            self.advance(1);
            return Ok(0);
        }
        let zone = self.rest;
        let bad = |p: &Self| Err(p.cannot_parse(zone, "Z07:00"));
        if zone.len() < 6 || zone.get(3) != Some(&b':') {
            return bad(self);
        }
        let pair = |at: usize| Some(self.digit(at)? * 10 + self.digit(at + 1)?);
        let (hours, minutes) = (pair(1), pair(4));
        if hours.is_some_and(|h| h > 24) {
            return Err(self.message(": time zone offset hour out of range"));
        }
        if minutes.is_some_and(|m| m > 60) {
            return Err(self.message(": time zone offset minute out of range"));
        }
        let (Some(hours), Some(minutes)) = (hours, minutes) else {
            return bad(self);
        };
        let offset = i64::from(hours * 3600 + minutes * 60);
        let offset = match zone.first() {
            Some(b'+') => offset,
            Some(b'-') => -offset,
            _ => return bad(self),
        };
        self.advance(6);
        Ok(offset)
    }
}

/// Go's `time` quoting for error messages: bytes outside printable ASCII as `\xNN`.
fn quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &byte in bytes {
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push('"');
    out
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2024-01-15T10:30:00Z", 1_705_314_600_000_000_000),
            ("2024-01-15T10:30:00.123456789Z", 1_705_314_600_123_456_789),
            ("2024-01-15T10:30:00.1234567899Z", 1_705_314_600_123_456_789),
            ("2024-01-15T10:30:00,25Z", 1_705_314_600_250_000_000),
            ("2024-01-15T10:30:00+05:30", 1_705_294_800_000_000_000),
            ("2024-01-15T10:30:00.25-08:00", 1_705_343_400_250_000_000),
            ("2024-01-15T10:30:00+24:00", 1_705_228_200_000_000_000),
            ("2024-01-15T1:30:00Z", 1_705_282_200_000_000_000),
            ("1969-12-31T23:59:59.999999999Z", -1),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000_000_000),
            ("2262-04-11T23:47:16.854775807Z", i64::MAX),
            ("1677-09-21T00:12:43.145224192Z", i64::MIN),
        ];
        for (text, want) in cases {
            assert_eq!(parse_rfc3339(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn errors_read_like_go() {
        let err = |text: &str| parse_rfc3339(text).expect_err(text);
        assert_eq!(
            err("nope"),
            r#"parsing time "nope" as "2006-01-02T15:04:05Z07:00": cannot parse "nope" as "2006""#
        );
        assert_eq!(
            err("2023-02-29T00:00:00Z"),
            r#"parsing time "2023-02-29T00:00:00Z": day out of range"#
        );
        assert_eq!(
            err("2016-12-31T23:59:60Z"),
            r#"parsing time "2016-12-31T23:59:60Z": second out of range"#
        );
        assert_eq!(
            err("2024-01-15T10:30:00"),
            r#"parsing time "2024-01-15T10:30:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#
        );
        assert_eq!(
            err("2024-01-15T10:30:00Z "),
            r#"parsing time "2024-01-15T10:30:00Z ": extra text: " ""#
        );
        assert_eq!(
            err("2024-01-15T10:30:00+25:00"),
            r#"parsing time "2024-01-15T10:30:00+25:00": time zone offset hour out of range"#
        );
        assert_eq!(
            err("2262-04-11T23:47:16.854775808Z"),
            "time outside of valid range"
        );
        assert_eq!(err("0000-01-01T00:00:00Z"), "time outside of valid range");
        assert!(err("2024-01-15t10:30:00z").contains(r#"cannot parse "t10:30:00z" as "T""#));
    }
}
