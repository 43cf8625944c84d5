//! Calendar builtins: `time.date`, `time.clock`, `time.weekday` and `time.add_date`, after Go's
//! `time` package as OPA calls it. The first operand is nanoseconds since the epoch, or
//! `[ns, zone]` (a third element, a layout, is accepted and ignored, as in OPA). Zones come
//! from the IANA database bundled into cupcake: `""` and `"UTC"` are UTC; `"Local"` is the
//! system zone of `/etc/localtime`. Unlike Go, cupcake ignores the `TZ` and `ZONEINFO`
//! variables, which whoever starts the hook could set to shift the clock policies see.

use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;
use serde_json::Value;

use super::{args, term, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("time.date", date);
    table.add("time.clock", clock);
    table.add("time.weekday", weekday);
    table.add("time.add_date", add_date);
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i128 = 86_400;
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// `time.date(x)`: `[year, month, day]` in the operand's zone.
fn date(args: &[Value]) -> Result<Value, String> {
    let local = Local::of(args::operand(args, 0)?)?;
    let (year, month, day) = civil_from_days(local.days());
    Ok(Value::from(vec![year, month, day]))
}

/// `time.clock(x)`: `[hour, minute, second]` in the operand's zone.
fn clock(args: &[Value]) -> Result<Value, String> {
    let local = Local::of(args::operand(args, 0)?)?;
    let (hour, minute, second) = local.clock();
    Ok(Value::from(vec![hour, minute, second]))
}

/// `time.weekday(x)`: the English day name in the operand's zone.
fn weekday(args: &[Value]) -> Result<Value, String> {
    let local = Local::of(args::operand(args, 0)?)?;
    // 1970-01-01 was a Thursday.
    let index = (local.days() + 4).rem_euclid(7);
    let name = usize::try_from(index).map_or("Sunday", |i| WEEKDAYS[i]);
    Ok(Value::from(name))
}

/// `time.add_date(ns, years, months, days)`: Go's `Time.AddDate`, which normalises the sum
/// (October 31 plus one month is December 1) and keeps the wall clock in the operand's zone.
fn add_date(args: &[Value]) -> Result<Value, String> {
    let local = Local::of(args::operand(args, 0)?)?;
    let years = i128::from(args::integer(args, 1)?);
    let months = i128::from(args::integer(args, 2)?);
    let days = i128::from(args::integer(args, 3)?);
    let (year, month, day) = civil_from_days(local.days());
    let (hour, minute, second) = local.clock();
    let month_index = i128::from(month) - 1 + months;
    let year = i128::from(year) + years + month_index.div_euclid(12);
    let month = month_index.rem_euclid(12) + 1;
    let day_number = days_from_civil(year, month, 1)
        .and_then(|first| first.checked_add(i128::from(day) - 1 + days))
        .ok_or(OUT_OF_RANGE)?;
    let wall = day_number
        .checked_mul(SECONDS_PER_DAY)
        .and_then(|s| s.checked_add(i128::from(hour) * 3600 + i128::from(minute) * 60))
        .and_then(|s| s.checked_add(i128::from(second)))
        .ok_or(OUT_OF_RANGE)?;
    let unix = local.zone.wall_to_unix(wall)?;
    let nanos = unix
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|n| n.checked_add(local.subsecond))
        .and_then(|n| i64::try_from(n).ok())
        .ok_or(OUT_OF_RANGE)?;
    Ok(Value::from(nanos))
}

const OUT_OF_RANGE: &str = "time outside of valid range";

/// An instant and the zone to read it in.
struct Local {
    zone: Zone,
    /// Wall-clock seconds since 1970-01-01T00:00:00 in the zone.
    wall: i128,
    /// Nanoseconds past the second.
    subsecond: i128,
}

impl Local {
    /// Reads OPA's `either number (ns) or [number (ns), string (tz)]` operand.
    fn of(operand: &Value) -> Result<Self, String> {
        const WANTED: &str = "either number (ns) or [number (ns), string (tz)]";
        let (nanos, zone) = match operand {
            Value::Number(n) => (n, Zone::Utc),
            Value::Array(items) => {
                let nanos = match items.first() {
                    Some(Value::Number(n)) => n,
                    Some(other) => return Err(args::mismatch(0, "number", other)),
                    None => return Err(args::mismatch(0, WANTED, operand)),
                };
                let zone = match items.get(1) {
                    None => Zone::Utc,
                    Some(Value::String(name)) => Zone::named(name)?,
                    Some(other) => return Err(args::mismatch(0, "string", other)),
                };
                if let Some(layout) = items.get(2) {
                    if !layout.is_string() {
                        return Err(args::mismatch(0, "string", layout));
                    }
                }
                (nanos, zone)
            }
            other => return Err(args::mismatch(0, WANTED, other)),
        };
        let nanos = exact_i64(&nanos.to_string()).ok_or("timestamp too big")?;
        let nanos = i128::from(nanos);
        let unix = nanos.div_euclid(NANOS_PER_SECOND);
        let offset = zone.offset_at(unix)?;
        Ok(Self {
            wall: unix + offset,
            subsecond: nanos.rem_euclid(NANOS_PER_SECOND),
            zone,
        })
    }

    fn days(&self) -> i128 {
        self.wall.div_euclid(SECONDS_PER_DAY)
    }

    fn clock(&self) -> (i64, i64, i64) {
        let seconds = i64::try_from(self.wall.rem_euclid(SECONDS_PER_DAY)).unwrap_or(0);
        (seconds / 3600, seconds % 3600 / 60, seconds % 60)
    }
}

/// The number text as an integer, when it is one and fits `i64` (`big.Float.Int64` exact).
fn exact_i64(text: &str) -> Option<i64> {
    let (negative, digits, scale) = term::decimal(text)?;
    if digits.is_empty() {
        return Some(0);
    }
    let zeros = usize::try_from(scale).ok()?;
    if zeros > 19 {
        return None;
    }
    let magnitude: i128 = format!("{digits}{}", "0".repeat(zeros)).parse().ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

enum Zone {
    Utc,
    Named(TimeZone),
}

impl Zone {
    fn named(name: &str) -> Result<Self, String> {
        match name {
            "" | "UTC" => Ok(Self::Utc),
            "Local" => Ok(local_zone().map_or(Self::Utc, |zone| Self::Named(zone.clone()))),
            _ => database()
                .get(name)
                .map(Self::Named)
                .map_err(|_| format!("unknown time zone {name}")),
        }
    }

    /// The zone's offset from UTC, in seconds, at `unix` seconds.
    fn offset_at(&self, unix: i128) -> Result<i128, String> {
        match self {
            Self::Utc => Ok(0),
            Self::Named(zone) => {
                let seconds = i64::try_from(unix).map_err(|_| OUT_OF_RANGE)?;
                let instant = Timestamp::from_second(seconds).map_err(|_| OUT_OF_RANGE)?;
                Ok(i128::from(zone.to_offset(instant).seconds()))
            }
        }
    }

    /// Go's `time.Date` choice of instant for a wall-clock time: the offset in force at the
    /// wall time read as UTC, corrected once if the result falls outside that offset's period
    /// (so a time skipped by a DST change moves forward, and a repeated one takes the first).
    fn wall_to_unix(&self, wall: i128) -> Result<i128, String> {
        let offset = self.offset_at(wall)?;
        if offset == 0 {
            return Ok(wall);
        }
        let utc = wall - offset;
        Ok(wall - self.offset_at(utc)?)
    }
}

/// The bundled IANA database, opened once.
fn database() -> &'static TimeZoneDatabase {
    static DATABASE: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DATABASE.get_or_init(TimeZoneDatabase::bundled)
}

/// The system zone from `/etc/localtime`, or `None` (UTC, as Go falls back) without one.
fn local_zone() -> Option<&'static TimeZone> {
    static LOCAL: OnceLock<Option<TimeZone>> = OnceLock::new();
    LOCAL
        .get_or_init(|| {
            let bytes =
                crate::regular_file::read(std::path::Path::new("/etc/localtime"), 1 << 20).ok()?;
            TimeZone::tzif("Local", &bytes).ok()
        })
        .as_ref()
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i128, month: i128, day: i128) -> Option<i128> {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i128) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    let narrow = |n: i128| i64::try_from(n).unwrap_or(0);
    (narrow(year), narrow(month), narrow(day))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 1, 11_016, 19_782, 106_751] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(
                days_from_civil(i128::from(y), i128::from(m), i128::from(d)),
                Some(days)
            );
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    /// Expectations from `opa eval` (OPA 1.22.2).
    #[test]
    fn matches_opa() {
        let t = 1_709_202_645_123_456_789_i64; // 2024-02-29T10:30:45.123456789Z
        assert_eq!(date(&[json!(t)]), Ok(json!([2024, 2, 29])));
        assert_eq!(clock(&[json!([t, "Asia/Tokyo"])]), Ok(json!([19, 30, 45])));
        assert_eq!(weekday(&[json!(t)]), Ok(json!("Thursday")));
        assert_eq!(
            add_date(&[json!(t), json!(1), json!(0), json!(0)]),
            Ok(json!(1_740_825_045_123_456_789_i64)) // 2025-03-01: Feb 29 normalises
        );
        assert_eq!(date(&[json!(-1)]), Ok(json!([1969, 12, 31])));
        assert!(date(&[json!([t, "Mars/Olympus"])]).is_err());
        assert!(date(&[json!(1.5)]).is_err());
        assert!(add_date(&[json!(t), json!(1000), json!(0), json!(0)]).is_err());
    }
}
