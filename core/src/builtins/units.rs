//! `units.parse_bytes` and `units.parse`, after OPA's Go code.
//!
//! `units.parse_bytes("10KiB")` → `10240`: OPA lower-cases the text, drops double quotes, splits
//! it into a number and a unit, reads the number as a `big.Float` of 64-bit precision,
//! multiplies by the unit (rounding to 64 bits again) and truncates to an integer, which may
//! exceed 64 bits. The same two roundings are done here exactly, on big integers.
//!
//! `units.parse("100m")` → `0.1`: the same split, case-sensitive units (`m` is milli, `M` mega),
//! and exact rational arithmetic; the milli factor is the float64 nearest 0.001, as in OPA, and a
//! result that is not an integer is printed with ten decimals.

use num_bigint::{BigInt, BigUint, Sign};
use serde_json::Value;

use super::{args, BuiltinTable};

pub(crate) fn register(table: &mut BuiltinTable) {
    table.add("units.parse_bytes", parse_bytes);
    table.add("units.parse", parse);
}

const NAME: &str = "units.parse_bytes";
/// Longest exponent OPA reads (`maxExponentDigits`).
const MAX_EXPONENT_DIGITS: usize = 6;
/// `big.Float`'s default precision, in bits.
const PRECISION: u64 = 64;

fn parse_bytes(args: &[Value]) -> Result<Value, String> {
    let raw = args::string(args, 0)?;
    let text = raw.to_lowercase().replace('"', "");
    if text.contains(' ') {
        return Err(format!("{NAME}: spaces not allowed in resource strings"));
    }
    let (number, unit) = split_number(&text)?;
    if number.is_empty() {
        return Err(format!("{NAME}: no byte amount provided"));
    }
    let multiplier =
        unit_multiplier(unit).ok_or_else(|| format!("{NAME}: byte unit {unit} not recognized"))?;
    let (negative, amount) = read_decimal(number)
        .ok_or_else(|| format!("{NAME}: could not parse byte amount to a number"))?;
    let amount = amount.rounded();
    let product = Binary {
        mantissa: amount.mantissa * multiplier,
        exponent: amount.exponent,
    }
    .rounded();
    let magnitude = product.truncated();
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    let total = BigInt::from_biguint(sign, magnitude);
    serde_json::from_str::<serde_json::Number>(&total.to_string())
        .map(Value::Number)
        .map_err(|err| format!("{NAME}: {err}"))
}

const PARSE: &str = "units.parse";

/// `units.parse(x)`: the amount times the unit's factor, exactly.
fn parse(args: &[Value]) -> Result<Value, String> {
    let raw = args::string(args, 0)?;
    let text = raw.replace('"', "");
    if text.contains(' ') {
        return Err(format!("{PARSE}: spaces not allowed in resource strings"));
    }
    let (number, unit) = split_number(&text).map_err(|_| format!("{PARSE}: exponent too large"))?;
    if number.is_empty() {
        return Err(format!("{PARSE}: no amount provided"));
    }
    // OPA lower-cases all but the unit's first letter, so `Mi` and `mI` are one unit.
    let unit = match unit.char_indices().nth(1) {
        Some((at, _)) => format!("{}{}", &unit[..at], unit[at..].to_lowercase()),
        None => unit.to_string(),
    };
    let (numerator, denominator) =
        si_factor(&unit).ok_or_else(|| format!("{PARSE}: unit {unit} not recognized"))?;
    let (negative, amount) = read_decimal(number)
        .ok_or_else(|| format!("{PARSE}: could not parse amount to a number"))?;
    let numerator = amount.numerator * numerator;
    let denominator = amount.denominator * denominator;
    let text = rational_text(negative, &numerator, &denominator);
    serde_json::from_str::<serde_json::Number>(&text)
        .map(Value::Number)
        .map_err(|err| format!("{PARSE}: {err}"))
}

/// The factor of a `units.parse` unit as a fraction.
fn si_factor(unit: &str) -> Option<(BigUint, BigUint)> {
    let one = BigUint::from(1_u8);
    if unit == "m" {
        // `big.Rat.SetFloat64(0.001)`: the exact value of the float64 nearest 0.001.
        let bits = 0.001_f64.to_bits();
        let mantissa = (bits & ((1_u64 << 52) - 1)) | (1_u64 << 52);
        let exponent = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0) - 1075;
        let shift = usize::try_from(-exponent).unwrap_or(0);
        return Some((BigUint::from(mantissa), one << shift));
    }
    // (decimal power of 1000, binary power of 1024) per unit, as OPA's switch lists them.
    let (thousands, kibis) = match unit {
        "" => (0, 0),
        "k" | "K" => (1, 0),
        "ki" | "Ki" => (0, 1),
        "M" => (2, 0),
        "mi" | "Mi" => (0, 2),
        "g" | "G" => (3, 0),
        "gi" | "Gi" => (0, 3),
        "t" | "T" => (4, 0),
        "ti" | "Ti" => (0, 4),
        "p" | "P" => (5, 0),
        "pi" | "Pi" => (0, 5),
        "e" | "E" => (6, 0),
        "ei" | "Ei" => (0, 6),
        _ => return None,
    };
    let factor = BigUint::from(1000_u16).pow(thousands) << (10 * kibis);
    Some((factor, one))
}

/// `big.Rat` printed as OPA prints it: an integer in full, otherwise `FloatString(10)` (ten
/// decimals, the last rounded half away from zero).
fn rational_text(negative: bool, numerator: &BigUint, denominator: &BigUint) -> String {
    let sign = if negative && *numerator != BigUint::ZERO {
        "-"
    } else {
        ""
    };
    if (numerator % denominator) == BigUint::ZERO {
        return format!("{sign}{}", numerator / denominator);
    }
    let scale = BigUint::from(10_u8).pow(10);
    let mut whole = numerator / denominator;
    let remainder = numerator % denominator;
    let scaled = &remainder * &scale;
    let mut fraction = &scaled / denominator;
    if (&scaled % denominator) * 2_u8 >= *denominator {
        fraction += 1_u8;
    }
    if fraction >= scale {
        whole += 1_u8;
        fraction -= &scale;
    }
    format!("{sign}{whole}.{fraction:0>10}")
}

/// OPA's `extractNumAndUnit`: the number runs until the first byte that is not a digit, `.`,
/// sign or exponent marker (an `e` counts only when a digit or sign follows it).
fn split_number(text: &str) -> Result<(&str, &str), String> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        let numeric = b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-');
        if !numeric {
            return Ok((&text[..at], &text[at..]));
        }
        if matches!(b, b'e' | b'E') {
            let next = bytes.get(at + 1);
            if !matches!(next, Some(n) if n.is_ascii_digit() || *n == b'+' || *n == b'-') {
                return Ok((&text[..at], &text[at..]));
            }
            if matches!(next, Some(b'+' | b'-')) {
                at += 1;
            }
            let digits = bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > MAX_EXPONENT_DIGITS {
                return Err(format!("{NAME}: exponent too large"));
            }
        }
        at += 1;
    }
    Ok((text, ""))
}

fn unit_multiplier(unit: &str) -> Option<BigUint> {
    let (power, binary) = match unit {
        "" => return Some(BigUint::from(1_u8)),
        "k" | "kb" => (1, false),
        "ki" | "kib" => (1, true),
        "m" | "mb" => (2, false),
        "mi" | "mib" => (2, true),
        "g" | "gb" => (3, false),
        "gi" | "gib" => (3, true),
        "t" | "tb" => (4, false),
        "ti" | "tib" => (4, true),
        "p" | "pb" => (5, false),
        "pi" | "pib" => (5, true),
        "e" | "eb" => (6, false),
        "ei" | "eib" => (6, true),
        _ => return None,
    };
    Some(if binary {
        BigUint::from(1_u8) << (10 * power)
    } else {
        BigUint::from(1000_u16).pow(power)
    })
}

/// A non-negative exact rational `numerator / denominator × 2^exponent`.
struct Exact {
    numerator: BigUint,
    denominator: BigUint,
}

impl Exact {
    /// Rounds to 64 significant bits, ties to even, as `big.Float` does.
    fn rounded(&self) -> Binary {
        if self.numerator == BigUint::ZERO {
            return Binary {
                mantissa: BigUint::ZERO,
                exponent: 0,
            };
        }
        // Scale so that the quotient has exactly PRECISION bits before rounding.
        let bits = |n: &BigUint| i64::try_from(n.bits()).unwrap_or(i64::MAX);
        let precision = i64::try_from(PRECISION).unwrap_or(64);
        let mut shift = precision - (bits(&self.numerator) - bits(&self.denominator));
        loop {
            let (scaled_num, scaled_den) = scale(&self.numerator, &self.denominator, shift);
            let quotient = &scaled_num / &scaled_den;
            if bits(&quotient) > precision {
                shift -= 1;
                continue;
            }
            if bits(&quotient) < precision {
                shift += 1;
                continue;
            }
            let remainder = &scaled_num - &quotient * &scaled_den;
            let twice = remainder << 1;
            let round_up = twice > scaled_den || (twice == scaled_den && quotient.bit(0));
            let mantissa = if round_up { quotient + 1_u8 } else { quotient };
            return Binary {
                mantissa,
                exponent: -shift,
            };
        }
    }
}

/// `n / d × 2^shift` as a fraction of integers.
fn scale(n: &BigUint, d: &BigUint, shift: i64) -> (BigUint, BigUint) {
    let amount = usize::try_from(shift.unsigned_abs()).unwrap_or(usize::MAX);
    if shift >= 0 {
        (n << amount, d.clone())
    } else {
        (n.clone(), d << amount)
    }
}

/// `mantissa × 2^exponent`.
struct Binary {
    mantissa: BigUint,
    exponent: i64,
}

impl Binary {
    fn rounded(&self) -> Self {
        let (numerator, denominator) = scale(&self.mantissa, &BigUint::from(1_u8), self.exponent);
        Exact {
            numerator,
            denominator,
        }
        .rounded()
    }

    /// Toward zero, as `big.Float.Int` does.
    fn truncated(&self) -> BigUint {
        let amount = usize::try_from(self.exponent.unsigned_abs()).unwrap_or(usize::MAX);
        if self.exponent >= 0 {
            &self.mantissa << amount
        } else {
            &self.mantissa >> amount
        }
    }
}

/// `big.Float.SetString` on the characters `split_number` allows: a sign, digits with at most
/// one `.`, and an optional `e` exponent. Gives the sign and the exact magnitude.
fn read_decimal(text: &str) -> Option<(bool, Exact)> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (m, e.parse::<i64>().ok()?)
        }
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: BigUint = digits.parse().ok()?;
    let power = exponent - i64::try_from(fraction.len()).ok()?;
    let ten = |p: i64| BigUint::from(10_u8).pow(u32::try_from(p).unwrap_or(u32::MAX));
    let exact = if power >= 0 {
        Exact {
            numerator: value * ten(power),
            denominator: BigUint::from(1_u8),
        }
    } else {
        Exact {
            numerator: value,
            denominator: ten(-power),
        }
    };
    Some((negative, exact))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(text: &str) -> Result<Value, String> {
        parse_bytes(&[json!(text)])
    }

    /// Expectations from `opa eval` (OPA 1.22.2).
    #[test]
    fn matches_opa() {
        assert_eq!(parse("10KiB"), Ok(json!(10_240)));
        assert_eq!(parse("1.5gb"), Ok(json!(1_500_000_000)));
        assert_eq!(parse("\"12M\""), Ok(json!(12_000_000)));
        assert_eq!(parse("1e3"), Ok(json!(1000)));
        assert_eq!(parse("0.1"), Ok(json!(0)));
        assert_eq!(parse("-1k"), Ok(json!(-1000)));
        assert_eq!(
            parse("16EiB").map(|v| v.to_string()),
            Ok("18446744073709551616".to_string())
        );
        assert_eq!(
            parse("18446744073709551617").map(|v| v.to_string()),
            Ok("18446744073709551616".to_string())
        );
        assert!(parse("1 kb").is_err());
        assert!(parse("kb").is_err());
        assert!(parse("1zb").is_err());
        assert!(parse("1.2.3").is_err());
        assert!(parse("1e1234567").is_err());
    }

    #[test]
    fn units_match_opa() {
        let units = |text: &str| super::parse(&[json!(text)]).map(|v| v.to_string());
        assert_eq!(units("100m"), Ok("0.1000000000".into()));
        assert_eq!(units("10K"), Ok("10000".into()));
        assert_eq!(units("1.5Mi"), Ok("1572864".into()));
        assert_eq!(units("2M"), Ok("2000000".into()));
        assert_eq!(units("1mI"), Ok("1048576".into()));
        assert_eq!(units("1e3m"), Ok("1.0000000000".into()));
        assert!(units("1 m").is_err());
        assert!(units("1x").is_err());
    }
}
