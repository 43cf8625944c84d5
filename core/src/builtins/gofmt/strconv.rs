//! Go's `strconv.FormatFloat` for 64-bit floats. The decimal digits come from Rust's exact
//! (correctly rounded, ties-to-even) formatting; the layout rules — when `%g` switches to an
//! exponent, two-digit exponents, hexadecimal mantissas — are Go's.

use std::fmt::Write as _;

/// Decimal digits of a float's magnitude: `0.d1d2d3… × 10^point`, without trailing zeros. Zero
/// has no digits, as in Go.
struct Digits {
    digits: Vec<u8>,
    point: i64,
}

impl Digits {
    fn len(&self) -> i64 {
        i64::try_from(self.digits.len()).unwrap_or(i64::MAX)
    }

    /// Digit `index`, or `'0'` past either end.
    fn at(&self, index: i64) -> u8 {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.digits.get(i).copied())
            .unwrap_or(b'0')
    }

    /// Parses Rust's `{:e}` output (`d.ddde±x`).
    fn from_exponent_text(text: &str) -> Self {
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Self {
            digits,
            point: exponent.parse::<i64>().unwrap_or(0) + 1,
        }
    }

    /// The shortest digits that read back as `magnitude`. When several strings of that length
    /// do, Go takes the one closest to the exact value (ties to even); Rust may not, so the
    /// correctly rounded digits of the same length are preferred when they read back too.
    fn shortest(magnitude: f64) -> Self {
        if magnitude == 0.0 {
            return Self::zero();
        }
        let shortest = Self::from_exponent_text(&format!("{magnitude:e}"));
        let decimals = shortest.digits.len().saturating_sub(1);
        let closest = format!("{magnitude:.decimals$e}");
        if closest.parse::<f64>() == Ok(magnitude) {
            return Self::from_exponent_text(&closest);
        }
        shortest
    }

    /// `magnitude` rounded to `count` (at least 1) significant digits.
    fn significant(magnitude: f64, count: usize) -> Self {
        if magnitude == 0.0 {
            return Self::zero();
        }
        let decimals = count.saturating_sub(1);
        Self::from_exponent_text(&format!("{magnitude:.decimals$e}"))
    }

    fn zero() -> Self {
        Self {
            digits: Vec::new(),
            point: 0,
        }
    }
}

/// `strconv.FormatFloat(value, verb, precision, 64)`; a negative precision asks for the
/// shortest representation. Verbs: `b e E f g G x X`.
pub(crate) fn format(value: f64, verb: char, precision: i64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let negative = value.is_sign_negative();
    let magnitude = value.abs();
    let shortest = precision < 0;
    match verb {
        'b' => binary(value),
        'x' | 'X' => hexadecimal(value, precision, verb),
        'f' if !shortest => {
            let decimals = usize::try_from(precision).unwrap_or(0);
            let text = format!("{magnitude:.decimals$}");
            if negative {
                format!("-{text}")
            } else {
                text
            }
        }
        'f' => {
            let digits = Digits::shortest(magnitude);
            let decimals = (digits.len() - digits.point).max(0);
            fixed(negative, &digits, decimals)
        }
        'e' | 'E' => {
            let digits = if shortest {
                Digits::shortest(magnitude)
            } else {
                Digits::significant(magnitude, usize::try_from(precision + 1).unwrap_or(1))
            };
            let decimals = if shortest {
                (digits.len() - 1).max(0)
            } else {
                precision
            };
            exponential(negative, &digits, decimals, verb)
        }
        _ => general(negative, magnitude, precision, verb == 'G'),
    }
}

/// `%g`: exponent form when the exponent is below -4 or reaches the precision (6 when shortest).
fn general(negative: bool, magnitude: f64, precision: i64, upper: bool) -> String {
    let shortest = precision < 0;
    let (digits, mut precision) = if shortest {
        let digits = Digits::shortest(magnitude);
        let count = digits.len();
        (digits, count)
    } else if magnitude == 0.0 {
        // Go formats zero before it turns a precision of 0 into 1.
        (Digits::zero(), precision)
    } else {
        let precision = precision.max(1);
        let count = usize::try_from(precision).unwrap_or(1);
        (Digits::significant(magnitude, count), precision)
    };
    let mut exponent_limit = precision;
    if exponent_limit > digits.len() && digits.len() >= digits.point {
        exponent_limit = digits.len();
    }
    if shortest {
        exponent_limit = 6;
    }
    let exponent = digits.point - 1;
    if exponent < -4 || exponent >= exponent_limit {
        precision = precision.min(digits.len());
        return exponential(
            negative,
            &digits,
            precision - 1,
            if upper { 'E' } else { 'e' },
        );
    }
    if precision > digits.point {
        precision = digits.len();
    }
    fixed(negative, &digits, (precision - digits.point).max(0))
}

/// Go's `fmtE`: one digit, `decimals` more, and an exponent of at least two digits.
fn exponential(negative: bool, digits: &Digits, decimals: i64, letter: char) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push(char::from(digits.at(0)));
    if decimals > 0 {
        out.push('.');
        for index in 1..=decimals {
            out.push(char::from(digits.at(index)));
        }
    }
    out.push(letter);
    let exponent = if digits.digits.is_empty() {
        0
    } else {
        digits.point - 1
    };
    out.push(if exponent < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exponent.unsigned_abs());
    out
}

/// Go's `fmtF`: integer digits (at least `0`) and exactly `decimals` fraction digits.
fn fixed(negative: bool, digits: &Digits, decimals: i64) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if digits.point > 0 {
        for index in 0..digits.point {
            out.push(char::from(digits.at(index)));
        }
    } else {
        out.push('0');
    }
    if decimals > 0 {
        out.push('.');
        for index in 0..decimals {
            out.push(char::from(digits.at(digits.point + index)));
        }
    }
    out
}

/// The IEEE fields of a finite float: mantissa with its implicit bit, and the exponent of the
/// mantissa's top bit (bit 52).
fn fields(value: f64) -> (u64, i64) {
    let bits = value.to_bits();
    let biased = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let mantissa = bits & ((1 << 52) - 1);
    if biased == 0 {
        (mantissa, 1 - 1023)
    } else {
        (mantissa | (1 << 52), biased - 1023)
    }
}

/// `%b`: decimal mantissa and binary exponent, `4503599627370496p-52`.
fn binary(value: f64) -> String {
    let (mantissa, exponent) = fields(value);
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let exponent = exponent - 52;
    let plus = if exponent >= 0 { "+" } else { "" };
    format!("{sign}{mantissa}p{plus}{exponent}")
}

/// `%x`: hexadecimal mantissa `0x1.8p+00`, rounded to `precision` hex digits when given.
fn hexadecimal(value: f64, precision: i64, verb: char) -> String {
    let (mut mantissa, mut exponent) = fields(value);
    if mantissa == 0 {
        exponent = 0;
    }
    // Put the leading 1 (if any) at bit 60, leaving room to round.
    mantissa <<= 60 - 52;
    while mantissa != 0 && mantissa & (1 << 60) == 0 {
        mantissa <<= 1;
        exponent -= 1;
    }
    if (0..15).contains(&precision) {
        let shift = u32::try_from(precision * 4).unwrap_or(0);
        let extra = (mantissa << shift) & ((1 << 60) - 1);
        mantissa >>= 60 - shift;
        if extra | (mantissa & 1) > 1 << 59 {
            mantissa += 1;
        }
        mantissa <<= 60 - shift;
        if mantissa & (1 << 61) != 0 {
            mantissa >>= 1;
            exponent += 1;
        }
    }
    let upper = verb == 'X';
    let mut out = String::new();
    if value.is_sign_negative() {
        out.push('-');
    }
    out.push('0');
    out.push(verb);
    out.push(if mantissa >> 60 & 1 == 1 { '1' } else { '0' });
    mantissa <<= 4;
    let hex_digit = |m: u64| {
        let digit = char::from_digit(u32::try_from((m >> 60) & 15).unwrap_or(0), 16).unwrap_or('0');
        if upper {
            digit.to_ascii_uppercase()
        } else {
            digit
        }
    };
    if precision < 0 && mantissa != 0 {
        out.push('.');
        while mantissa != 0 {
            out.push(hex_digit(mantissa));
            mantissa <<= 4;
        }
    } else if precision > 0 {
        out.push('.');
        for _ in 0..precision {
            out.push(hex_digit(mantissa));
            mantissa <<= 4;
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exponent < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exponent.unsigned_abs());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_matches_go() {
        assert_eq!(format(1_234_567.5, 'g', -1), "1.2345675e+06");
        assert_eq!(format(0.000_012, 'g', -1), "1.2e-05");
        assert_eq!(format(100_000.25, 'g', -1), "100000.25");
        assert_eq!(format(0.0001, 'g', -1), "0.0001");
        assert_eq!(format(1.0, 'g', -1), "1");
        assert_eq!(format(0.0, 'g', -1), "0");
        assert_eq!(format(-0.0, 'g', -1), "-0");
        assert_eq!(format(1_234_567.5, 'g', 3), "1.23e+06");
        assert_eq!(format(100.0, 'g', 2), "1e+02");
        assert_eq!(format(100.0, 'g', 3), "100");
        assert_eq!(format(1.0, 'g', 3), "1");
        assert_eq!(format(0.0, 'g', 0), "0");
        assert_eq!(format(1e21, 'G', -1), "1E+21");
        // Two 17-digit strings read back; Go takes the closer one, rounding the tie to even.
        assert_eq!(
            format(1_244_132_687_921_145.3, 'g', -1),
            "1.2441326879211452e+15"
        );
    }

    #[test]
    fn fixed_and_exponent_round_half_even() {
        assert_eq!(format(0.5, 'f', 0), "0");
        assert_eq!(format(2.5, 'f', 0), "2");
        assert_eq!(format(0.25, 'f', 1), "0.2");
        assert_eq!(format(-2.675, 'f', 2), "-2.67");
        assert_eq!(format(1_234_567.5, 'e', 6), "1.234568e+06");
        assert_eq!(format(0.000_012, 'E', 6), "1.200000E-05");
        assert_eq!(format(0.0, 'e', 2), "0.00e+00");
        assert_eq!(format(1e100, 'e', 0), "1e+100");
    }

    #[test]
    fn binary_and_hexadecimal() {
        assert_eq!(format(1.0, 'b', -1), "4503599627370496p-52");
        assert_eq!(format(1.5, 'x', -1), "0x1.8p+00");
        assert_eq!(format(-1.5, 'X', -1), "-0X1.8P+00");
        assert_eq!(format(0.0, 'x', -1), "0x0p+00");
        assert_eq!(format(1.0 / 3.0, 'x', 2), "0x1.55p-02");
        assert_eq!(format(f64::INFINITY, 'f', 2), "+Inf");
        assert_eq!(format(f64::NAN, 'g', -1), "NaN");
    }
}
