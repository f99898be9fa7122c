//! The links of reset and verification mails, built from `accounts.reset_url` and
//! `accounts.verify_url` (SPEC §12).
//!
//! The token goes into the URL's fragment unless the operator says otherwise: a fragment is
//! never sent to a server, so it stays out of access logs, proxies and `Referer` headers,
//! where a query string would leak it. An operator who needs the token elsewhere writes
//! `{token}` where it goes; [`LinkTemplate::placement`] says where that is so configuration
//! can warn about it.

use crate::domain::mail::Link;
use std::fmt;

/// Written in a configured URL where the token goes.
pub const TOKEN_PLACEHOLDER: &str = "{token}";

/// Where a token ends up in a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPlacement {
    /// After `#`: never sent to any server. The default.
    Fragment,
    /// In the query string: sent to the web server, logged, leaked by `Referer`.
    Query,
    /// In the path: like the query string.
    Path,
}

/// Why a configured URL cannot make links.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not an absolute `http://` or `https://` URL: a mail client needs one to follow.
    #[error("must be an absolute http:// or https:// URL")]
    NotHttp,
    /// Spaces or control characters, which no mail client keeps in a link.
    #[error("must not contain spaces or control characters")]
    Whitespace,
    /// `{token}` more than once.
    #[error("may contain {{token}} at most once")]
    TwoPlaceholders,
}

/// A configured URL that makes one link per token.
///
/// Without `{token}`: `https://app.example.com/reset` gives `…/reset#token=T`; with a
/// fragment already there (an app routing on the hash), `https://app.example.com/#/reset`
/// gives `…/#/reset?token=T` and `…#/reset?lang=fr` gives `…#/reset?lang=fr&token=T`: the
/// token stays in the fragment either way. With `{token}`, it replaces the placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkTemplate(String);

impl LinkTemplate {
    /// Checks a configured URL.
    pub fn parse(raw: &str) -> Result<Self, LinkError> {
        let lower = raw.to_ascii_lowercase();
        let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
        if rest.is_none_or(|r| r.is_empty() || r.starts_with(['/', '?', '#'])) {
            return Err(LinkError::NotHttp);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(LinkError::Whitespace);
        }
        if raw.matches(TOKEN_PLACEHOLDER).count() > 1 {
            return Err(LinkError::TwoPlaceholders);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The URL as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where tokens go in this template's links.
    pub fn placement(&self) -> TokenPlacement {
        let Some(at) = self.0.find(TOKEN_PLACEHOLDER) else {
            return TokenPlacement::Fragment;
        };
        let before = &self.0[..at];
        if before.contains('#') {
            TokenPlacement::Fragment
        } else if before.contains('?') {
            TokenPlacement::Query
        } else {
            TokenPlacement::Path
        }
    }

    /// The link for `token`, which is percent-encoded (Baton's tokens need no encoding, but
    /// a link must stay a link whatever it is given).
    pub fn link(&self, token: &str) -> Link {
        let token = percent_encode(token);
        if self.0.contains(TOKEN_PLACEHOLDER) {
            return Link::new(self.0.replacen(TOKEN_PLACEHOLDER, &token, 1));
        }
        let Some((_, fragment)) = self.0.split_once('#') else {
            return Link::new(format!("{}#token={token}", self.0));
        };
        let glue = if fragment.is_empty() || fragment.ends_with(['?', '&']) {
            ""
        } else if fragment.contains('?') {
            "&"
        } else {
            "?"
        };
        Link::new(format!("{}{glue}token={token}", self.0))
    }
}

impl fmt::Debug for LinkTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkTemplate({:?})", self.0)
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(template: &str, token: &str) -> String {
        LinkTemplate::parse(template).unwrap().link(token).expose().to_owned()
    }

    #[test]
    fn the_token_goes_into_the_fragment_by_default() {
        assert_eq!(link("https://app.test/reset", "T1"), "https://app.test/reset#token=T1");
        assert_eq!(
            link("https://app.test/reset?lang=fr", "T1"),
            "https://app.test/reset?lang=fr#token=T1"
        );
        assert_eq!(link("https://app.test/#/reset", "T1"), "https://app.test/#/reset?token=T1");
        assert_eq!(
            link("https://app.test/#/reset?lang=fr", "T1"),
            "https://app.test/#/reset?lang=fr&token=T1"
        );
        assert_eq!(link("https://app.test/#/r?", "T1"), "https://app.test/#/r?token=T1");
        assert_eq!(link("https://app.test/r#", "T1"), "https://app.test/r#token=T1");
        let t = LinkTemplate::parse("https://app.test/reset").unwrap();
        assert_eq!(t.placement(), TokenPlacement::Fragment);
    }

    #[test]
    fn a_placeholder_puts_the_token_where_it_stands_and_says_where() {
        let cases = [
            ("https://app.test/r#t={token}", "https://app.test/r#t=T1", TokenPlacement::Fragment),
            ("https://app.test/r?t={token}", "https://app.test/r?t=T1", TokenPlacement::Query),
            ("https://app.test/r/{token}", "https://app.test/r/T1", TokenPlacement::Path),
        ];
        for (template, expected, placement) in cases {
            assert_eq!(link(template, "T1"), expected);
            assert_eq!(LinkTemplate::parse(template).unwrap().placement(), placement);
        }
    }

    #[test]
    fn tokens_are_percent_encoded() {
        assert_eq!(
            link("https://a.test/r", "a b&c#d/é"),
            "https://a.test/r#token=a%20b%26c%23d%2F%C3%A9"
        );
        assert_eq!(link("https://a.test/r", "Az09-._~"), "https://a.test/r#token=Az09-._~");
    }

    #[test]
    fn only_absolute_http_urls_without_spaces_are_templates() {
        for bad in [
            "",
            "app.test/reset",
            "/reset",
            "ftp://a.test/r",
            "https://",
            "https:///r",
            "javascript:alert(1)",
        ] {
            assert_eq!(LinkTemplate::parse(bad), Err(LinkError::NotHttp), "{bad:?}");
        }
        assert_eq!(LinkTemplate::parse("https://a.test/r x"), Err(LinkError::Whitespace));
        assert_eq!(LinkTemplate::parse("https://a.test/r\n"), Err(LinkError::Whitespace));
        assert_eq!(
            LinkTemplate::parse("https://a.test/{token}#{token}"),
            Err(LinkError::TwoPlaceholders)
        );
        assert!(LinkTemplate::parse("HTTP://localhost:3000/verify").is_ok());
    }
}
