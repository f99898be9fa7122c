//! The rules of `[mail]` and `[accounts]` (SPEC §12), and the warnings that do not stop
//! start-up: `prod` without a transport still starts (an upgrade must not stop a running
//! deployment), says so, and answers mail-sending routes 503.

use super::Config;
use super::mail::MailTransportKind;
use super::validate::Problems;
use baton_core::domain::link::{LinkTemplate, TokenPlacement};
use std::time::Duration;

/// The profile whose missing transport is worth a warning.
const PROD_PROFILE: &str = "prod";

impl Config {
    pub(super) fn check_mail(&self, p: &mut Problems) {
        let mail = &self.mail;
        let smtp = mail.transport == MailTransportKind::Smtp;
        match (&mail.smtp_url, smtp) {
            (None, true) => p.add(
                "mail.smtp_url",
                "must be set when mail.transport = \"smtp\": smtp://user:password@host:587 or \
                 smtps://user:password@host:465 (BATON_MAIL__SMTP_URL)",
            ),
            (Some(_), false) => p.add(
                "mail.smtp_url",
                "is set but mail.transport is not \"smtp\": set mail.transport = \"smtp\" or \
                 remove the URL",
            ),
            (Some(url), true) => {
                let parsed = url::Url::parse(url.expose().trim()).ok();
                let ok = parsed.is_some_and(|u| {
                    matches!(u.scheme(), "smtp" | "smtps")
                        && u.host_str().is_some_and(|h| !h.is_empty())
                });
                if !ok {
                    p.add(
                        "mail.smtp_url",
                        "is not an smtp:// or smtps:// URL with a host (not shown: it may hold \
                         a password)",
                    );
                }
            }
            (None, false) => {}
        }
        if let Some(ca) = &mail.smtp_ca_file {
            if !smtp {
                p.add("mail.smtp_ca_file", "is set but mail.transport is not \"smtp\"");
            } else if !ca.is_file() {
                p.add("mail.smtp_ca_file", format!("{} is not a readable file", ca.display()));
            }
        }
        match sender_domain(&mail.from) {
            None => p.add(
                "mail.from",
                format!("{:?} is not an address such as \"Product <no-reply@example.com>\"", mail.from),
            ),
            Some(domain) if smtp && (domain == "localhost" || domain.ends_with(".localhost")) => {
                p.add(
                    "mail.from",
                    "is a .localhost address (the built-in placeholder?), which real servers \
                     refuse: set an address of your domain, e.g. \"Product <no-reply@example.com>\"",
                )
            }
            Some(_) => {}
        }
        if mail.product_name.trim().is_empty() || mail.product_name.chars().any(char::is_control) {
            p.add("mail.product_name", "must be a non-empty name on one line");
        }
        if let Some(dir) = mail.templates_dir.as_ref().filter(|d| !d.is_dir()) {
            p.add("mail.templates_dir", format!("{} is not a directory", dir.display()));
        }
        for (kind, subject) in mail.subjects.overrides() {
            if subject.trim().is_empty() {
                p.add(
                    &format!("mail.subjects.{kind}"),
                    "must not be empty (unset it to keep the default)",
                );
            }
        }
        p.at_least_1s("mail.timeout", mail.timeout);
        p.at_least_1s("mail.retry_first_delay", mail.retry_first_delay);
        if mail.retry_max_delay < mail.retry_first_delay {
            p.add("mail.retry_max_delay", "must be at least mail.retry_first_delay");
        }
        if mail.give_up_after < mail.retry_first_delay {
            p.add("mail.give_up_after", "must be at least mail.retry_first_delay");
        }
        self.check_accounts(p);
    }

    fn check_accounts(&self, p: &mut Problems) {
        let accounts = &self.accounts;
        let enabled = self.mail.enabled();
        for (key, url) in [
            ("accounts.reset_url", &accounts.reset_url),
            ("accounts.verify_url", &accounts.verify_url),
        ] {
            match url {
                Some(url) => {
                    if let Err(e) = LinkTemplate::parse(url) {
                        p.add(key, format!("{e}, e.g. https://app.example.com/reset-password"));
                    }
                }
                None if enabled => p.add(
                    key,
                    "must be set when mail.transport is set: the mails carry a link to this page \
                     of your product, e.g. https://app.example.com/reset-password",
                ),
                None => {}
            }
        }
        for (key, ttl) in [
            ("accounts.reset_ttl", accounts.reset_ttl),
            ("accounts.verify_ttl", accounts.verify_ttl),
        ] {
            if ttl < Duration::from_secs(60) {
                p.add(key, "must be at least 1m: a person needs time to open the mail");
            }
            p.whole_seconds(key, ttl);
        }
        if accounts.require_verified_email && !enabled {
            p.add(
                "accounts.require_verified_email",
                "is true but no mail transport is configured, so no one could ever verify: set \
                 mail.transport (\"smtp\" or \"file\") or turn it off",
            );
        }
    }

    /// What is allowed but worth an operator's attention, one line each: `baton config`
    /// prints them and `baton serve` logs them at start-up. Assumes a valid configuration.
    pub fn warnings(&self, profile: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        match self.mail.transport {
            MailTransportKind::None if profile == PROD_PROFILE => warnings.push(
                "mail.transport is not set: no mail is sent, and password reset, email \
                 verification and email change answer 503 mail_unavailable; set \
                 mail.transport = \"smtp\" and mail.smtp_url (docs/OPERATIONS.md, Mail)"
                    .to_owned(),
            ),
            MailTransportKind::File if profile == PROD_PROFILE => warnings.push(format!(
                "mail.transport = \"file\": mails are written to {} and reach no one",
                self.mail.file_dir.display()
            )),
            _ => {}
        }
        let links = [
            ("accounts.reset_url", self.accounts.reset_link()),
            ("accounts.verify_url", self.accounts.verify_link()),
        ];
        for (key, template) in links {
            let place = match template.map(|t| t.placement()) {
                Some(TokenPlacement::Query) => "query string",
                Some(TokenPlacement::Path) => "path",
                _ => continue,
            };
            warnings.push(format!(
                "{key} puts the token in the {place}, where web-server logs, proxies and Referer \
                 headers see it; drop {{token}} to carry it in the fragment (#token=...)"
            ));
        }
        warnings
    }
}

/// The domain of `from` (`a@b` or `Name <a@b>`), if it is an address Baton accepts.
fn sender_domain(from: &str) -> Option<String> {
    let from = from.trim();
    let address = match (from.rfind('<'), from.ends_with('>')) {
        (Some(open), true) => &from[open + 1..from.len() - 1],
        (None, false) => from,
        _ => return None,
    };
    let email = baton_core::Email::parse(address).ok()?;
    email.as_str().rsplit_once('@').map(|(_, d)| d.to_owned())
}

#[cfg(test)]
mod tests {
    use super::sender_domain;

    #[test]
    fn senders_are_an_address_or_a_name_and_an_address() {
        assert_eq!(sender_domain("no-reply@example.com").as_deref(), Some("example.com"));
        assert_eq!(sender_domain("Acme <no-reply@Example.com>").as_deref(), Some("example.com"));
        assert_eq!(
            sender_domain(super::super::mail::DEFAULT_FROM).as_deref(),
            Some("baton.localhost")
        );
        for bad in ["", "Acme", "Acme <>", "Acme <a@b.com", "a@b.com>", "<a b@c.com>"] {
            assert_eq!(sender_domain(bad), None, "{bad:?}");
        }
    }
}
