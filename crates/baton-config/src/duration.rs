//! Human-friendly durations in configuration: `30s`, `15m`, `2h`, `7d`, `1h 30m` or plain
//! seconds.
//!
//! Operators write lifetimes the way they think of them; a bare number is seconds so that
//! environment variables like `BATON_TOKENS__REUSE_GRACE=10` work too. Text with units is
//! parsed by [`humantime`] (its units: `s`, `m`/`min`, `h`, `d`, `w`, ..., combinations such
//! as `1h 30m`); plain seconds, integer or digit string, are handled here because humantime
//! wants a unit and `humantime-serde` refuses integers. Use with
//! `#[serde(with = "crate::duration")]` on a [`std::time::Duration`] field.

use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::time::Duration;

/// Longest duration accepted anywhere in the configuration (100 years). Larger values are
/// typos, and would overflow date arithmetic when added to "now".
pub const MAX: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Why a duration could not be read; names the input (durations are never secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}: {reason} (use e.g. 30s, 15m, 2h, 7d or plain seconds)")]
pub struct ParseDurationError {
    input: String,
    reason: String,
}

/// Parses a plain number of seconds or a humantime duration (`30s`, `15m`, `2h`, `7d`,
/// `1h 30m`); surrounding spaces allowed. Longer than [`MAX`] is refused.
pub fn parse(input: &str) -> Result<Duration, ParseDurationError> {
    let err = |reason: String| ParseDurationError { input: input.to_owned(), reason };
    let s = input.trim();
    let d = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        Duration::from_secs(s.parse().map_err(|_| err("number too large".into()))?)
    } else {
        humantime::parse_duration(s).map_err(|e| err(e.to_string()))?
    };
    if d > MAX {
        return Err(err("longer than 100 years".into()));
    }
    Ok(d)
}

/// Formats a duration the way humantime writes it (`900` s → `15m`, a week → `7days`), which
/// [`parse`] reads back.
pub fn format(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// Serde deserializer for a duration written as text or as integer seconds.
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
        let d = Duration::from_secs(v);
        if d > MAX {
            return Err(E::custom(format!("invalid duration {v}: longer than 100 years")));
        }
        Ok(d)
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
        assert_eq!(parse("1h 30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse("2days").unwrap(), Duration::from_secs(172_800));
    }

    #[test]
    fn refuses_junk() {
        for bad in ["", "m", "15x", "-5", "15mm", "h15", "99999999999999999999", "1e3", "soon"] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(parse("36501d").is_err(), "over 100 years");
        assert!(parse("3155760001").is_err(), "over 100 years in plain seconds");
        assert!(parse("18446744073709551615d").is_err(), "overflow");
        let e = parse("5 parsecs").unwrap_err().to_string();
        assert!(e.contains("\"5 parsecs\"") && e.contains("15m"), "{e}");
    }

    #[test]
    fn deserializes_strings_and_integers() {
        assert_eq!(from_json("15m".into()).unwrap(), Duration::from_secs(900));
        assert_eq!(from_json("60".into()).unwrap(), Duration::from_secs(60));
        assert_eq!(from_json(60.into()).unwrap(), Duration::from_secs(60));
        assert!(from_json((-1).into()).is_err());
        assert!(from_json(true.into()).is_err());
        assert!(from_json("soon".into()).is_err());
        assert!(from_json(4_000_000_000u64.into()).is_err(), "over 100 years");
    }

    #[test]
    fn formats_in_humantime_form_and_round_trips() {
        let cases = [(0, "0s"), (45, "45s"), (900, "15m"), (5_400, "1h 30m"), (86_400, "1day")];
        for (secs, text) in cases {
            assert_eq!(format(Duration::from_secs(secs)), text);
            assert_eq!(parse(text).unwrap(), Duration::from_secs(secs));
        }
        for secs in [604_800, 2_592_000, 3_153_600_000] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse(&format(d)).unwrap(), d, "{}", format(d));
        }
    }
}
