//! `[mail]` and `[accounts]` (SPEC §12): defaults, environment names, the SMTP URL kept
//! secret, the rules that stop start-up and the warnings that do not.

#![allow(clippy::result_large_err)]

use super::tests::{SECRET, err, jail, prod_env, source};
use super::*;
use std::path::PathBuf;

/// A complete SMTP set-up, as a file of the `prod` profile.
const SMTP: &str = r#"
[mail]
transport = "smtp"
from = "Acme <no-reply@acme.example>"
[accounts]
reset_url = "https://app.acme.example/reset"
verify_url = "https://app.acme.example/verify"
"#;

fn with_file(toml: &str) -> Result<Config, String> {
    std::fs::write("config/prod.toml", toml).unwrap();
    load(&source("prod")).map_err(|e| e.to_string())
}

#[test]
fn defaults_send_no_mail_and_keep_the_spec_lifetimes() {
    jail(|jail| {
        prod_env(jail);
        let c = load(&source("prod")).unwrap();
        assert_eq!(c.mail.transport, MailTransportKind::None);
        assert!(!c.mail.enabled());
        assert_eq!(c.mail.file_dir, PathBuf::from("data/mail"));
        assert_eq!(c.mail.product_name, "Baton");
        assert_eq!(c.mail.retry_policy(), baton_core::RetryPolicy::default());
        assert_eq!(c.accounts.reset_ttl, Duration::from_secs(30 * 60));
        assert_eq!(c.accounts.reset_ttl(), time::Duration::minutes(30));
        assert_eq!(c.accounts.verify_ttl, Duration::from_secs(86_400));
        assert!(!c.accounts.require_verified_email);
        assert_eq!((c.accounts.reset_link(), c.accounts.verify_link()), (None, None));
        Ok(())
    });
}

#[test]
fn prod_without_a_transport_starts_and_says_so() {
    jail(|jail| {
        prod_env(jail);
        let c = load(&source("prod")).expect("an upgrade must not stop a deployment");
        let warnings = c.warnings("prod");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("mail_unavailable"), "{warnings:?}");
        let report = report(&source("prod"));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.warnings, warnings);
        assert!(c.warnings("dev").is_empty(), "dev without mail is not worth a warning");
        Ok(())
    });
}

#[test]
fn smtp_settings_come_from_the_environment_and_the_url_is_never_shown_whole() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MAIL__TRANSPORT", "smtp");
        jail.set_env("BATON_MAIL__SMTP_URL", "smtps://mailer:pw-s3cret@smtp.acme.example:465");
        jail.set_env("BATON_MAIL__FROM", "Acme <no-reply@acme.example>");
        jail.set_env("BATON_MAIL__SUBJECTS__PASSWORD_RESET", "Acme: new password");
        jail.set_env("BATON_ACCOUNTS__RESET_URL", "https://app.acme.example/reset");
        jail.set_env("BATON_ACCOUNTS__VERIFY_URL", "https://app.acme.example/verify");
        jail.set_env("BATON_ACCOUNTS__RESET_TTL", "15m");
        let c = load(&source("prod")).unwrap();
        let url = c.mail.smtp_url.clone().unwrap();
        assert_eq!(url.expose(), "smtps://mailer:pw-s3cret@smtp.acme.example:465");
        assert_eq!(c.mail.subjects.overrides().len(), 1);
        assert_eq!(c.accounts.reset_ttl, Duration::from_secs(900));
        assert!(!format!("{c:?}").contains("pw-s3cret"));
        let report = report(&source("prod"));
        assert!(report.problems.is_empty() && report.warnings.is_empty(), "{report:?}");
        let find = |key: &str| report.entries.iter().find(|e| e.key == key).unwrap().clone();
        let shown = find("mail.smtp_url");
        assert_eq!(shown.value, "\"smtps://mailer:<redacted>@smtp.acme.example:465\"");
        assert_eq!(shown.origin, Origin::Env("BATON_MAIL__SMTP_URL".into()));
        assert_eq!(find("mail.subjects.password_reset").value, "\"Acme: new password\"");
        assert!(!render_entries(&report.entries).contains("pw-s3cret"));
        Ok(())
    });
}

#[test]
fn a_malformed_smtp_url_is_refused_without_quoting_it() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MAIL__TRANSPORT", "smtp");
        jail.set_env("BATON_MAIL__FROM", "no-reply@acme.example");
        jail.set_env("BATON_ACCOUNTS__RESET_URL", "https://app.acme.example/reset");
        jail.set_env("BATON_ACCOUNTS__VERIFY_URL", "https://app.acme.example/verify");
        for bad in ["mailer:pw-s3cret@smtp.acme.example", "https://u:pw-s3cret@smtp.acme.example"] {
            jail.set_env("BATON_MAIL__SMTP_URL", bad);
            let e = err("prod");
            assert!(e.contains("mail.smtp_url (env BATON_MAIL__SMTP_URL)"), "{e}");
            assert!(!e.contains("pw-s3cret"), "{e}");
            let shown = report(&source("prod"))
                .entries
                .into_iter()
                .find(|e| e.key == "mail.smtp_url")
                .unwrap();
            assert!(!shown.value.contains("pw-s3cret"), "{shown:?}");
        }
        jail.set_env("BATON_MAIL__SMTP_URL", "[1, 2]");
        assert!(!err("prod").contains("[1, 2]"));
        Ok(())
    });
}

#[test]
fn an_smtp_transport_needs_url_real_sender_and_links() {
    jail(|jail| {
        prod_env(jail);
        let e = with_file(SMTP).unwrap_err();
        assert!(e.contains("mail.smtp_url") && e.contains("must be set"), "{e}");
        jail.set_env("BATON_MAIL__SMTP_URL", "smtp://smtp.acme.example");
        with_file(SMTP).expect("complete");
        let e =
            with_file(&SMTP.replace("from = \"Acme <no-reply@acme.example>\"", "")).unwrap_err();
        assert!(e.contains("mail.from") && e.contains(".localhost"), "{e}");
        let e =
            with_file(&SMTP.replace("from = \"Acme <no-reply@acme.example>\"", "from = \"Acme\""))
                .unwrap_err();
        assert!(e.contains("mail.from (config/prod.toml line 4)"), "{e}");
        let e = with_file(&SMTP.replace("reset_url = \"https://app.acme.example/reset\"", ""))
            .unwrap_err();
        assert!(e.contains("accounts.reset_url") && e.contains("must be set"), "{e}");
        let e =
            with_file(&SMTP.replace("https://app.acme.example/verify", "app.acme.example/verify"))
                .unwrap_err();
        assert!(e.contains("accounts.verify_url") && e.contains("http"), "{e}");
        Ok(())
    });
}

#[test]
fn settings_for_another_transport_are_not_silently_ignored() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MAIL__SMTP_URL", "smtp://smtp.acme.example");
        let e = err("prod");
        assert!(e.contains("mail.smtp_url") && e.contains("not \"smtp\""), "{e}");
        Ok(())
    });
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MAIL__TRANSPORT", "sendmail");
        let e = err("prod");
        assert!(e.contains("mail.transport") && e.contains("\"smtp\""), "{e}");
        jail.set_env("BATON_MAIL__TRANSPORT", "file");
        jail.set_env("BATON_MAIL__SMTP_CA_FILE", "/etc/ssl/ca.pem");
        jail.set_env("BATON_ACCOUNTS__RESET_URL", "https://a.example/r");
        jail.set_env("BATON_ACCOUNTS__VERIFY_URL", "https://a.example/v");
        let e = err("prod");
        assert!(e.contains("mail.smtp_ca_file"), "{e}");
        jail.set_env("BATON_MAIL__SUBJECT__PASSWORD_RESET", "x");
        assert!(err("prod").contains("did you mean BATON_MAIL__SUBJECTS__PASSWORD_RESET"));
        Ok(())
    });
}

#[test]
fn requiring_verified_email_without_a_transport_stops_start_up() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_ACCOUNTS__REQUIRE_VERIFIED_EMAIL", "true");
        let e = err("prod");
        assert!(e.starts_with("accounts.require_verified_email (env"), "{e}");
        jail.set_env("BATON_MAIL__TRANSPORT", "file");
        jail.set_env("BATON_ACCOUNTS__RESET_URL", "https://a.example/r");
        jail.set_env("BATON_ACCOUNTS__VERIFY_URL", "https://a.example/v");
        let c = load(&source("prod")).expect("with a transport it is fine");
        assert!(c.warnings("prod").iter().any(|w| w.contains("reach no one")));
        Ok(())
    });
}

#[test]
fn tokens_outside_the_fragment_are_allowed_with_a_warning_and_bad_numbers_refused() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MAIL__TRANSPORT", "file");
        jail.set_env("BATON_ACCOUNTS__RESET_URL", "https://a.example/r?t={token}");
        jail.set_env("BATON_ACCOUNTS__VERIFY_URL", "https://a.example/v/{token}");
        let c = load(&source("prod")).unwrap();
        let warnings = c.warnings("prod").join("\n");
        assert!(
            warnings.contains("accounts.reset_url puts the token in the query string"),
            "{warnings}"
        );
        assert!(warnings.contains("accounts.verify_url puts the token in the path"), "{warnings}");
        let link = c.accounts.reset_link().unwrap().link("abc");
        assert_eq!(link.expose(), "https://a.example/r?t=abc");
        jail.set_env("BATON_ACCOUNTS__RESET_TTL", "30s");
        assert!(err("prod").contains("accounts.reset_ttl"));
        jail.set_env("BATON_ACCOUNTS__RESET_TTL", "30m");
        jail.set_env("BATON_MAIL__RETRY_FIRST_DELAY", "2h");
        let e = err("prod");
        assert!(e.starts_with("mail.retry_max_delay: must be at least"), "{e}");
        Ok(())
    });
}

#[test]
fn templates_directory_and_subjects_are_checked() {
    jail(|jail| {
        prod_env(jail);
        jail.set_env("BATON_MAIL__TEMPLATES_DIR", "no-such-dir");
        assert!(
            err("prod").contains("mail.templates_dir (env BATON_MAIL__TEMPLATES_DIR): no-such-dir")
        );
        jail.create_dir("mail-templates")?;
        jail.set_env("BATON_MAIL__TEMPLATES_DIR", "mail-templates");
        jail.set_env("BATON_MAIL__SUBJECTS__ACCOUNT_CLOSED", " ");
        assert!(err("prod").contains("mail.subjects.account_closed"));
        jail.set_env("BATON_MAIL__SUBJECTS__ACCOUNT_CLOSED", "Bye");
        jail.set_env("BATON_MAIL__PRODUCT_NAME", "");
        assert!(err("prod").contains("mail.product_name"));
        Ok(())
    });
}

#[test]
fn the_dev_profile_writes_mail_to_files_with_working_links() {
    let repo_config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    jail(|_| {
        let c = load(&Source::new(Some(repo_config.clone()), "dev")).unwrap();
        assert_eq!(c.mail.transport, MailTransportKind::File);
        assert_eq!(c.mail.file_dir, PathBuf::from("data/mail"));
        assert!(c.accounts.reset_link().is_some() && c.accounts.verify_link().is_some());
        assert!(c.warnings("dev").is_empty(), "{:?}", c.warnings("dev"));
        let _ = SECRET;
        Ok(())
    });
}
