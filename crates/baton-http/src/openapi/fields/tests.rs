//! The field schemas against the core's rules: the patterns accept exactly what the core
//! accepts (byte limits aside, which `x-utf8-bytes` states), on every character class the
//! rules care about and on generated strings built from the characters that trip them.

use super::*;
use baton_core::domain::email::Email;
use baton_core::domain::password::Password;
use baton_core::domain::user::DisplayName;
use proptest::prelude::*;
use regex::Regex;

fn class(body: &str) -> Regex {
    Regex::new(&format!("^[{body}]$")).expect("the class compiles")
}

fn all_chars() -> impl Iterator<Item = char> {
    (0..=0x10FFFF).filter_map(char::from_u32)
}

#[test]
fn the_classes_are_rusts_whitespace_and_control_characters() {
    let (whitespace, control) = (class(WHITESPACE), class(CONTROL));
    let either = class(SPACE_OR_CONTROL);
    for c in all_chars() {
        let s = c.to_string();
        assert_eq!(whitespace.is_match(&s), c.is_whitespace(), "{c:?} whitespace");
        assert_eq!(control.is_match(&s), c.is_control(), "{c:?} control");
        assert_eq!(either.is_match(&s), c.is_whitespace() || c.is_control(), "{c:?} either");
    }
}

/// The email pattern checks the trimmed address as typed, the core the lower-cased one: no
/// character gains or loses whitespace, control, `@`, `.` or `-` by lower-casing.
#[test]
fn lower_casing_keeps_every_character_the_rules_look_at() {
    let special = |c: char| c.is_whitespace() || c.is_control() || "@.-".contains(c);
    for c in all_chars() {
        let lower: String = c.to_lowercase().collect();
        assert_eq!(lower.chars().any(special), special(c), "{c:?} lower-cases to {lower:?}");
        assert!(!lower.is_empty());
    }
}

/// What `x-utf8-bytes` and the description add to the email pattern, measured on the trimmed,
/// lower-cased address.
fn email_bytes_fit(raw: &str) -> bool {
    let email = raw.trim().to_lowercase();
    let local = email.rsplit_once('@').map_or(email.as_str(), |(local, _)| local);
    email.len() <= MAX_EMAIL_BYTES && local.len() <= MAX_LOCAL_PART_BYTES
}

/// Strings built from the pieces the rules care about: separators, whitespace (some of it also
/// control), control, characters whose case mapping changes their length, long runs.
fn tricky(max_pieces: usize) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        "0",
        "é",
        "İ",
        "\u{212A}",
        "ß",
        "😀",
        "@",
        "@",
        ".",
        ".",
        "-",
        "_",
        "+",
        " ",
        "\t",
        "\n",
        "\u{85}",
        "\u{A0}",
        "\u{3000}",
        "\u{FEFF}",
        "\u{0}",
        "\u{1F}",
        "\u{7F}",
        "\u{9F}",
        "ada",
        "example",
        "com",
        "xn--d1a",
        "é.com",
        "@example.com",
    ]);
    let long = prop::sample::select(vec![1usize, 30, 60, 63, 64, 65, 98, 99, 100, 101, 200, 255]);
    let runs = (prop::sample::select(vec!["a", "é", " ", "😀"]), long)
        .prop_map(|(piece, n)| piece.repeat(n));
    prop::collection::vec(
        prop_oneof![4 => pieces.prop_map(str::to_owned), 1 => runs],
        0..max_pieces,
    )
    .prop_map(|parts| parts.concat())
}

/// A run of one character, `around` give or take 3 long: the length boundaries.
fn run_near(around: usize) -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec!["a", "é", "K", "\u{212A}", "😀"]);
    (piece, around - 3..=around + 3).prop_map(|(piece, n)| piece.repeat(n))
}

/// Mostly characters an address may hold, now and then one it may not.
fn mostly_valid(max_pieces: usize) -> impl Strategy<Value = String> {
    let valid = prop::sample::select(vec![
        "a", "Z", "0", "é", "İ", "\u{212A}", "ß", "😀", "_", "+", "-", "!", "ada", "xn--d1a",
    ]);
    let piece = prop_oneof![9 => valid.prop_map(str::to_owned), 1 => tricky(1)];
    prop::collection::vec(piece, 1..max_pieces).prop_map(|parts| parts.concat())
}

/// Addresses that pass most of the checks, so that every check and boundary gets hit.
fn near_emails() -> impl Strategy<Value = String> {
    let local = prop_oneof![3 => mostly_valid(5), 1 => run_near(MAX_LOCAL_PART_BYTES)];
    let label = prop_oneof![6 => mostly_valid(4), 1 => run_near(63), 1 => run_near(120)];
    let pad = || {
        let piece =
            prop::sample::select(vec![" ", "\t", "\u{3000}", "\u{85}", "\u{FEFF}", "\u{0}"]);
        prop::collection::vec(piece, 0..3).prop_map(|pieces| pieces.concat())
    };
    (pad(), local, prop::collection::vec(label, 1..4), pad())
        .prop_map(|(head, local, labels, tail)| format!("{head}{local}@{}{tail}", labels.join(".")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_email_pattern_is_the_cores_rule(raw in prop_oneof![tricky(12), near_emails()]) {
        let pattern = Regex::new(&email_pattern()).unwrap();
        let core = Email::parse(&raw).is_ok();
        prop_assert_eq!(core, pattern.is_match(&raw) && email_bytes_fit(&raw), "{:?}", raw);
    }

    #[test]
    fn the_name_pattern_is_the_cores_rule(raw in tricky(12)) {
        let pattern = Regex::new(&name_pattern()).unwrap();
        prop_assert_eq!(DisplayName::parse(&raw).is_ok(), pattern.is_match(&raw), "{:?}", raw);
    }

    #[test]
    fn every_valid_password_is_within_the_character_bounds(raw in tricky(12)) {
        if Password::new(raw.clone()).is_ok() {
            let chars = raw.chars().count();
            prop_assert!((MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars), "{:?}", raw);
        }
    }
}

#[test]
fn boundaries_by_hand() {
    let email = Regex::new(&email_pattern()).unwrap();
    for ok in ["a@b.co", "  Ada@Example.COM\t", "é@ü.de", "a!#$%&'*+/=?^_`{|}~@x.y", "a@[1.2]"] {
        assert!(email.is_match(ok) && Email::parse(ok).is_ok(), "{ok:?}");
    }
    for bad in
        ["a@b", "a@@b.co", "a b@c.de", "a@b..c", "a@-b.c", "a@b.c-", "@b.c", "a@b.c.", "\u{0}a@b.c"]
    {
        assert!(!email.is_match(bad) && Email::parse(bad).is_err(), "{bad:?}");
    }
    // Byte limits: the local part and the whole address, on the lower-cased form.
    let local = |n: usize, c: &str| format!("{}@example.com", c.repeat(n));
    let long_domain = format!(
        "a@{}.{}.{}.{}.com",
        "d".repeat(63),
        "d".repeat(63),
        "d".repeat(63),
        "d".repeat(56)
    );
    assert_eq!(long_domain.len(), MAX_EMAIL_BYTES);
    for (raw, core_ok) in [
        (local(64, "a"), true),
        (local(64, "\u{212A}"), true), // Kelvin sign: 3 bytes, lower-cased to `k`, 1 byte
        (local(32, "é"), true),
        (local(33, "é"), false),
        (long_domain.clone(), true),
        (format!("{long_domain} "), true),
        (format!("x{long_domain}"), false),
    ] {
        assert!(email.is_match(&raw), "{raw:?}: the pattern admits it");
        assert_eq!(Email::parse(&raw).is_ok(), core_ok, "{raw:?}");
        assert_eq!(email_bytes_fit(&raw), core_ok, "{raw:?}");
    }
    assert!(!email.is_match(&local(65, "a")) && Email::parse(&local(65, "a")).is_err());
    let name = Regex::new(&name_pattern()).unwrap();
    let hundred = "é".repeat(MAX_NAME_CHARS);
    for ok in
        ["", "   ", "\t\n", "Ada", " Ada Lovelace ", hundred.as_str(), &format!("  {hundred}\n")]
    {
        assert!(name.is_match(ok) && DisplayName::parse(ok).is_ok(), "{ok:?}");
    }
    let long = "é".repeat(MAX_NAME_CHARS + 1);
    for bad in ["a\u{0}b", "a\u{85}b", "\u{1F}", long.as_str()] {
        assert!(!name.is_match(bad) && DisplayName::parse(bad).is_err(), "{bad:?}");
    }
    // The password bounds: `minLength` is the rule; 7 characters of 13 bytes are too few.
    assert!(Password::new("ééééééa".into()).is_err());
    assert!(Password::new("éééééééa".into()).is_ok());
    assert_eq!((MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS), (8, 72));
    assert!(Password::new("😀".repeat(8)).is_ok(), "8 characters of 32 bytes");
    assert!(Password::new("😀".repeat(19)).is_err(), "19 characters of 76 bytes");
}
