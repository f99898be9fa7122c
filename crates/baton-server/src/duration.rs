//! Human-friendly durations in configuration: `30s`, `15m`, `2h`, `7d` or plain seconds.
//!
//! Operators write lifetimes the way they think of them; a bare number is seconds so that
//! environment variables like `BATON_TOKENS__REUSE_GRACE=10` work too. Use with
//! `#[serde(with = "crate::duration")]` on a [`std::time::Duration`] field.

use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::time::Duration;

/// Longest duration accepted anywhere in the configuration (100 years). Larger values are
/// typos, and would overflow date arithmetic when added to "now".
pub const MAX: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}: {reason} (use e.g. 30s, 15m, 2h, 7d or plain seconds)")]
pub struct ParseDurationError {
    input: String,
    reason: &'static str,
}

/// Parses `30s`, `15m`, `2h`, `7d` or a plain number of seconds; surrounding spaces allowed.
pub fn parse(input: &str) -> Result<Duration, ParseDurationError> {
    let err = |reason| ParseDurationError { input: input.to_owned(), reason };
    let s = input.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return Err(err("expected a number"));
    }
    let value: u64 = digits.parse().map_err(|_| err("number too large"))?;
    let unit_secs = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(err("unknown unit")),
    };
    let secs = value.checked_mul(unit_secs).ok_or_else(|| err("number too large"))?;
    from_secs(secs).map_err(|_| err("longer than 100 years"))
}

fn from_secs(secs: u64) -> Result<Duration, ()> {
    let d = Duration::from_secs(secs);
    if d > MAX { Err(()) } else { Ok(d) }
}

/// Formats a duration the way [`parse`] reads it, with the largest exact unit (`900` → `15m`).
pub fn format(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 => "0s".to_owned(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Serde deserializer for a duration written as a string with unit or integer seconds.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    deserializer.deserialize_any(DurationVisitor)
}

/// Serde serializer writing the [`format()`] form, so effective configuration reads back.
pub fn serialize<S: Serializer>(d: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*d))
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as 30s, 15m, 2h, 7d or a number of seconds")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        from_secs(v).map_err(|_| E::custom(format!("invalid duration {v}: longer than 100 years")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        let secs = u64::try_from(v)
            .map_err(|_| E::custom(format!("invalid duration {v}: must not be negative")))?;
        self.visit_u64(secs)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        d: Duration,
    }

    fn from_json(v: serde_json::Value) -> Result<Duration, serde_json::Error> {
        serde_json::from_value::<Holder>(serde_json::json!({ "d": v })).map(|h| h.d)
    }

    #[test]
    fn parses_units_and_plain_seconds() {
        assert_eq!(parse("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse("2h").unwrap(), Duration::from_secs(7_200));
        assert_eq!(parse("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse("45").unwrap(), Duration::from_secs(45));
        assert_eq!(parse(" 0 ").unwrap(), Duration::ZERO);
        assert_eq!(parse("10 m").unwrap(), Duration::from_secs(600));
    }

    #[test]
    fn refuses_junk() {
        for bad in ["", "m", "15x", "-5", "1.5h", "15mm", "h15", "99999999999999999999", "1e3"] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(parse("36501d").is_err(), "over 100 years");
        assert!(parse("18446744073709551615d").is_err(), "overflow");
    }

    #[test]
    fn deserializes_strings_and_integers() {
        assert_eq!(from_json("15m".into()).unwrap(), Duration::from_secs(900));
        assert_eq!(from_json(60.into()).unwrap(), Duration::from_secs(60));
        assert!(from_json((-1).into()).is_err());
        assert!(from_json(true.into()).is_err());
        assert!(from_json("soon".into()).is_err());
    }

    #[test]
    fn formats_with_the_largest_exact_unit_and_round_trips() {
        for (secs, text) in [(0, "0s"), (45, "45s"), (900, "15m"), (7_200, "2h"), (604_800, "7d")] {
            assert_eq!(format(Duration::from_secs(secs)), text);
            assert_eq!(parse(text).unwrap(), Duration::from_secs(secs));
        }
    }
}
