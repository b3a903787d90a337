//! How a probability prints, in the terminal, in Markdown and on charts: one formatter,
//! [`pct`], for every text the crate makes; and a count with its thousands separators,
//! [`thousands`]. A leaf module: the charts and the report
//! renderers both call it, and it calls nothing of theirs.

/// How many decimals [`pct`] gives a percentage. The texts differ on purpose, and each says
/// which rule it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimals {
    /// Always this many: with 1, 0.621 → "62.1 %" and 0.0004 → "0.0 %" (the analyses, the
    /// headline table, the comparison chart's legend).
    Fixed(usize),
    /// One, but three for a probability above 0 and below 0.1 %, which one decimal would print
    /// as "0.0 %": 0.0004 → "0.040 %" (the run's terminal table, where a rare shortfall must not
    /// read as none).
    OneOrThreeIfTiny,
    /// None for a whole percentage, else one: 0.25 → "25 %", 0.125 → "12.5 %" (chart labels).
    NoneIfWhole,
}

/// A probability or share `p` (1 = 100 %) as a percentage with a space before the sign:
/// `pct(0.621, Decimals::Fixed(1))` is "62.1 %". NaN prints as "NaN %".
pub fn pct(p: f64, decimals: Decimals) -> String {
    let v = 100.0 * p;
    let d = match decimals {
        Decimals::Fixed(d) => d,
        Decimals::OneOrThreeIfTiny if p > 0.0 && p < 0.001 => 3,
        Decimals::NoneIfWhole if (v - v.round()).abs() < 1e-6 => 0,
        Decimals::OneOrThreeIfTiny | Decimals::NoneIfWhole => 1,
    };
    format!("{v:.d$} %")
}

/// A count with thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals() {
        assert_eq!(pct(0.621, Decimals::Fixed(1)), "62.1 %");
        assert_eq!(pct(0.0004, Decimals::Fixed(1)), "0.0 %");
        assert_eq!(pct(0.25, Decimals::Fixed(1)), "25.0 %");
        assert_eq!(pct(1.0, Decimals::Fixed(0)), "100 %");
        assert_eq!(pct(f64::NAN, Decimals::Fixed(1)), "NaN %");
    }

    #[test]
    fn tiny_probabilities_keep_their_digits() {
        assert_eq!(pct(0.0004, Decimals::OneOrThreeIfTiny), "0.040 %");
        assert_eq!(pct(0.0, Decimals::OneOrThreeIfTiny), "0.0 %");
        assert_eq!(pct(0.001, Decimals::OneOrThreeIfTiny), "0.1 %");
        assert_eq!(pct(0.4567, Decimals::OneOrThreeIfTiny), "45.7 %");
    }

    #[test]
    fn whole_percentages_drop_the_decimal() {
        assert_eq!(pct(0.25, Decimals::NoneIfWhole), "25 %");
        assert_eq!(pct(0.125, Decimals::NoneIfWhole), "12.5 %");
        assert_eq!(pct(0.0, Decimals::NoneIfWhole), "0 %");
        assert_eq!(pct(0.0004, Decimals::NoneIfWhole), "0.0 %");
    }
}
