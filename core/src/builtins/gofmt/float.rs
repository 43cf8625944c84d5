//! Floats under Go's `fmt` (`fmt.fmtFloat`): where the sign goes, the `#` flag, and zero
//! padding after the sign. The digits come from `strconv`.

use super::strconv::format;
use super::Printer;

impl Printer {
    /// Go's `fmt.fmtFloat`: sign handling, the `#` flag, and zero padding after the sign.
    pub(super) fn fmt_float(&mut self, value: f64, verb: char, default_precision: i64) {
        let precision = if self.f.prec_present {
            i64::try_from(self.f.prec).unwrap_or(i64::MAX)
        } else {
            default_precision
        };
        let text = format(value, verb, precision);
        // Always carry a sign while deciding, as Go does.
        let mut num = if text.starts_with(['-', '+']) {
            text
        } else {
            format!("+{text}")
        };
        if self.f.space && !self.f.plus && num.starts_with('+') {
            num.replace_range(..1, " ");
        }
        if num.get(1..2) == Some("I") || num.get(1..2) == Some("N") {
            // Infinities and NaN are never zero padded; NaN drops its sign unless asked.
            if num.get(1..2) == Some("N") && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad_without_zero(&num);
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp(&num, verb, precision);
        }
        let (sign, unsigned) = (
            num.get(..1).unwrap_or_default(),
            num.get(1..).unwrap_or_default(),
        );
        if self.f.plus || sign != "+" {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() {
                self.buf.push_str(sign);
                self.write_padding(self.f.wid - num.len());
                self.buf.push_str(unsigned);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(unsigned);
    }
}

/// The `#` flag: always a decimal point, and trailing zeros kept up to the precision.
fn sharp(num: &str, verb: char, precision: i64) -> String {
    let mut digits = match verb {
        'g' | 'G' | 'x' if precision == -1 => 6,
        'g' | 'G' | 'x' => precision,
        _ => 0,
    };
    // Split off the exponent (`e` is a hex digit under %x, so only `p` ends a hex mantissa).
    let exponent_at = num
        .char_indices()
        .skip(1)
        .find(|&(_, c)| {
            matches!(c, 'p' | 'P') || (matches!(c, 'e' | 'E') && !matches!(verb, 'x' | 'X'))
        })
        .map_or(num.len(), |(at, _)| at);
    let (mantissa, tail) = num.split_at(exponent_at);
    let mut out = mantissa.to_string();
    let mut saw_nonzero = false;
    for c in mantissa.chars().skip(1).filter(|&c| c != '.') {
        saw_nonzero |= c != '0';
        if saw_nonzero {
            digits -= 1;
        }
    }
    if !mantissa.contains('.') {
        // A lone zero counts once as a digit.
        if mantissa.len() == 2 && mantissa.ends_with('0') {
            digits -= 1;
        }
        out.push('.');
    }
    while digits > 0 {
        out.push('0');
        digits -= 1;
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{sprintf, GoArg};

    fn floats(format: &str, values: &[f64]) -> String {
        let args: Vec<GoArg> = values.iter().copied().map(GoArg::Float).collect();
        sprintf(format, &args)
    }

    #[test]
    fn float_verbs() {
        assert_eq!(
            floats("%v|%v|%v", &[1_234_567.5, 0.000_012, 1.0]),
            "1.2345675e+06|1.2e-05|1"
        );
        assert_eq!(
            floats("%.2f|%f|%F", &[1.23456, 1.5, 1.5]),
            "1.23|1.500000|1.500000"
        );
        assert_eq!(
            floats(
                "[%08.2f] [%-8.2f] [%+.1f] [% .1f]",
                &[-1.23456, 2.5, 2.25, 2.25]
            ),
            "[-0001.23] [2.50    ] [+2.2] [ 2.2]"
        );
        assert_eq!(
            floats("%e %E %.2g", &[1_234_567.5, 0.000_012, 100.0]),
            "1.234568e+06 1.200000E-05 1e+02"
        );
        assert_eq!(
            floats("%x %b", &[1.5, 1.0]),
            "0x1.8p+00 4503599627370496p-52"
        );
        assert_eq!(
            floats("%.3v|%8.3e|%-+8.2f|%x", &[1.23456, 1234.5, 2.0, -1.0]),
            "1.23|1.234e+03|+2.00   |-0x1p+00"
        );
        assert_eq!(
            floats("[%6v] [%06v] [%+v]", &[f64::NAN, f64::INFINITY, f64::NAN]),
            "[   NaN] [  +Inf] [NaN]"
        );
    }

    #[test]
    fn sharp_keeps_the_point_and_zeros() {
        assert_eq!(
            floats("%#v|%#g|%#.3g|%#.0f|%#e", &[1.0, 1.5, 2.0, 3.0, 1.0]),
            "1|1.50000|2.00|3.|1.000000e+00"
        );
        assert_eq!(floats("%#g|%#x", &[0.0, 1.0]), "0.00000|0x1.0000p+00");
    }
}
