//! Database URLs with their passwords hidden, for `baton config` and messages.
//!
//! Parsed with the `url` crate (WHATWG rules), so odd input — `@` in a password, IPv6 hosts,
//! percent-encoding — is split where PostgreSQL would split it. Input that does not parse is
//! not shown at all: a half-understood URL might print its password.

use super::secret::REDACTED;

/// Shown instead of a URL that cannot be parsed.
pub const UNPARSEABLE: &str = "<unparseable URL redacted>";

/// Query parameters that carry a password in PostgreSQL URLs.
const PASSWORD_PARAMS: [&str; 2] = ["password", "sslpassword"];

/// A database URL with its password (in the user info or a `password=` query parameter)
/// replaced by [`REDACTED`]; `UNPARSEABLE` for anything that is not a URL. Never panics.
pub fn redact_url(input: &str) -> String {
    let Ok(mut url) = url::Url::parse(input) else {
        return UNPARSEABLE.to_owned();
    };
    // A marker of URL-safe characters stands in for the password, so that the url crate does
    // not percent-encode `<redacted>`; it is swapped for the real marker at the end.
    const MARK: &str = "BATONREDACTEDVALUE";
    if url.password().is_some() && url.set_password(Some(MARK)).is_err() {
        return UNPARSEABLE.to_owned();
    }
    let hides = |k: &str| PASSWORD_PARAMS.iter().any(|p| k.eq_ignore_ascii_case(p));
    if url.query_pairs().any(|(k, _)| hides(&k)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if hides(&k) { MARK.to_owned() } else { v.into_owned() };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.as_str().replace(MARK, REDACTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://baton:s3cr3t@db:5432/baton?sslmode=require&password=x"),
            "postgres://baton:<redacted>@db:5432/baton?sslmode=require&password=<redacted>"
        );
        assert_eq!(redact_url("postgres://baton@db/baton"), "postgres://baton@db/baton");
        assert_eq!(redact_url("sqlite://data/baton.db"), "sqlite://data/baton.db");
        assert_eq!(
            redact_url("sqlite:///var/lib/baton/baton.db"),
            "sqlite:///var/lib/baton/baton.db"
        );
        assert_eq!(redact_url("postgres://u:p@h"), "postgres://u:<redacted>@h");
        assert_eq!(
            redact_url("postgresql://u:p%40ss@[::1]:5432/db?PASSWORD=y"),
            "postgresql://u:<redacted>@[::1]:5432/db?PASSWORD=<redacted>"
        );
    }

    #[test]
    fn odd_input_never_panics_and_never_shows_a_password() {
        let odd = [
            "",
            "postgres://",
            "postgres://u:pw-one@h:notaport/db",
            "host=db password=pw-two",
            "postgres://u:pw@three@host/db",
            "::::",
            "postgres://u:pw-four@/db",
            "postgres://%zz:pw-five@h/db",
            "postgres://u:pw-six@h/db?password",
        ];
        for input in odd {
            let shown = redact_url(input);
            for pw in ["pw-one", "pw-two", "pw@three", "pw-four", "pw-five", "pw-six"] {
                assert!(!shown.contains(pw), "{input:?} → {shown:?}");
            }
        }
        assert_eq!(redact_url("host=db password=pw"), UNPARSEABLE);
    }
}
