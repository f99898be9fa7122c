//! The mail templates: the [`MailComposer`] of Baton.
//!
//! Every kind of mail has `<kind>.txt` and `<kind>.html` (MiniJinja); the HTML ones extend
//! `base.html`. All are built into the binary ([`builtin_templates`]); a file of the same
//! name in `mail.templates_dir` replaces one (a file that replaces nothing is refused, so a
//! misspelt name never silently leaves the built-in in place). `.html` templates escape
//! every value; `.txt` templates and subjects do not (they are not HTML).
//!
//! Variables: `product_name`, `email` (the recipient), `name` (the user's display name, or
//! none), and per kind `link` and `expires_in` (reset, verification, email change) or
//! `new_email` (the notice to the old address). Unknown variables are errors, and every
//! template is rendered once with sample values when [`Templates::new`] runs, so a broken
//! template stops start-up instead of a mail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use baton_core::{ComposeError, ComposedMail, Email, Link, MailComposer, MailKind, Recipient};
use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};

use crate::error::SetupError;

/// The built-in templates, by file name.
const BUILTIN: [(&str, &str); 13] = [
    ("base.html", include_str!("templates/base.html")),
    ("password_reset.txt", include_str!("templates/password_reset.txt")),
    ("password_reset.html", include_str!("templates/password_reset.html")),
    ("verify_email.txt", include_str!("templates/verify_email.txt")),
    ("verify_email.html", include_str!("templates/verify_email.html")),
    ("confirm_email_change.txt", include_str!("templates/confirm_email_change.txt")),
    ("confirm_email_change.html", include_str!("templates/confirm_email_change.html")),
    ("email_change_requested.txt", include_str!("templates/email_change_requested.txt")),
    ("email_change_requested.html", include_str!("templates/email_change_requested.html")),
    ("password_changed.txt", include_str!("templates/password_changed.txt")),
    ("password_changed.html", include_str!("templates/password_changed.html")),
    ("account_closed.txt", include_str!("templates/account_closed.txt")),
    ("account_closed.html", include_str!("templates/account_closed.html")),
];

/// The default subject of each kind ([`MailKind::name`]), a template over the same variables.
pub const DEFAULT_SUBJECTS: [(&str, &str); 6] = [
    ("password_reset", "Reset your {{ product_name }} password"),
    ("verify_email", "Verify your email for {{ product_name }}"),
    ("confirm_email_change", "Confirm your new email for {{ product_name }}"),
    ("email_change_requested", "Your {{ product_name }} email address is being changed"),
    ("password_changed", "Your {{ product_name }} password was changed"),
    ("account_closed", "Your {{ product_name }} account was closed"),
];

/// The built-in templates as (file name, source), for an operator to copy and edit.
pub fn builtin_templates() -> &'static [(&'static str, &'static str)] {
    &BUILTIN
}

/// The templates' settings (`[mail]` in Baton's configuration).
#[derive(Debug, Clone, Default)]
pub struct TemplateSettings {
    /// The product's name as mails show it.
    pub product_name: String,
    /// A directory of files replacing built-in templates by name.
    pub templates_dir: Option<PathBuf>,
    /// Subject templates replacing the defaults, by kind name.
    pub subjects: BTreeMap<String, String>,
}

/// Composes mails from the templates. Built once at start-up; composing never reads a file.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    product_name: String,
}

fn template_error(name: &str, e: &minijinja::Error) -> SetupError {
    let reason = match e.line() {
        Some(line) => format!("line {line}: {}", e.detail().unwrap_or(&e.to_string())),
        None => e.to_string(),
    };
    SetupError::Template { name: name.to_owned(), reason }
}

fn subject_name(kind: &str) -> String {
    format!("subjects.{kind}")
}

impl Templates {
    /// The built-in templates, replaced by those in `settings.templates_dir`, checked by
    /// rendering every kind with sample values.
    pub fn new(settings: &TemplateSettings) -> Result<Self, SetupError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Subjects are named `subjects.<kind>`: no `.html`, so never HTML-escaped.
        env.set_auto_escape_callback(minijinja::default_auto_escape_callback);
        let mut sources: BTreeMap<String, String> =
            BUILTIN.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        if let Some(dir) = &settings.templates_dir {
            for (name, source) in read_dir(dir)? {
                sources.insert(name, source);
            }
        }
        let mut subjects: BTreeMap<String, String> =
            DEFAULT_SUBJECTS.iter().map(|(k, s)| (k.to_string(), s.to_string())).collect();
        for (kind, subject) in &settings.subjects {
            if !subjects.contains_key(kind) {
                return Err(SetupError::Template {
                    name: subject_name(kind),
                    reason: format!("no such mail; the kinds are {}", MailKind::NAMES.join(", ")),
                });
            }
            subjects.insert(kind.clone(), subject.clone());
        }
        for (kind, subject) in subjects {
            sources.insert(subject_name(&kind), subject);
        }
        for (name, source) in sources {
            env.add_template_owned(name.clone(), source).map_err(|e| template_error(&name, &e))?;
        }
        let templates = Self { env, product_name: settings.product_name.clone() };
        templates.check()?;
        Ok(templates)
    }

    /// Renders every kind with sample values: templates that fail, or that leave out the
    /// link a mail is for, are refused now rather than when a user waits for the mail.
    fn check(&self) -> Result<(), SetupError> {
        let sample_link = "https://app.example.com/check#token=SAMPLE-TOKEN";
        let email = Email::from_trusted("someone@example.com".into());
        let to = Recipient { email: email.clone(), name: Some("Sam".into()) };
        let link = || Link::new(sample_link);
        let expires_in = time::Duration::minutes(30);
        let kinds = [
            MailKind::PasswordReset { link: link(), expires_in },
            MailKind::VerifyEmail { link: link(), expires_in },
            MailKind::ConfirmEmailChange { link: link(), expires_in },
            MailKind::EmailChangeRequested { new_email: email },
            MailKind::PasswordChanged,
            MailKind::AccountClosed,
        ];
        for kind in kinds {
            let name = kind.name();
            let mail = self.render(&to, &kind)?;
            if kind.link().is_some() {
                for (part, body) in [("txt", &mail.text), ("html", &mail.html)] {
                    if !body.contains(sample_link) {
                        return Err(SetupError::Template {
                            name: format!("{name}.{part}"),
                            reason: "does not show {{ link }}: the mail would be useless".into(),
                        });
                    }
                }
            }
            if mail.subject.trim().is_empty() {
                let reason = "renders to an empty subject".into();
                return Err(SetupError::Template { name: subject_name(name), reason });
            }
        }
        Ok(())
    }

    fn render(&self, to: &Recipient, kind: &MailKind) -> Result<ComposedMail, SetupError> {
        let render = |name: String, html: bool| {
            let template = self.env.get_template(&name).map_err(|e| template_error(&name, &e))?;
            template.render(self.context(to, kind, html)).map_err(|e| template_error(&name, &e))
        };
        let name = kind.name();
        Ok(ComposedMail {
            subject: render(subject_name(name), false)?,
            text: render(format!("{name}.txt"), false)?,
            html: render(format!("{name}.html"), true)?,
        })
    }

    /// The variables of a template. In HTML the link is escaped here, for an attribute, and
    /// marked safe: MiniJinja's own escaping would also turn every `/` into `&#x2f;`, which
    /// works but makes the address shown in the mail unreadable.
    fn context(&self, to: &Recipient, kind: &MailKind, html: bool) -> Value {
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        let mut insert = |key: &str, value: Value| values.insert(key.to_owned(), value);
        insert("product_name", Value::from(self.product_name.as_str()));
        insert("email", Value::from(to.email.as_str()));
        insert("name", Value::from(to.name.clone()));
        match kind {
            MailKind::PasswordReset { link, expires_in }
            | MailKind::VerifyEmail { link, expires_in }
            | MailKind::ConfirmEmailChange { link, expires_in } => {
                let link = match html {
                    true => Value::from_safe_string(escape_attribute(link.expose())),
                    false => Value::from(link.expose()),
                };
                insert("link", link);
                insert("expires_in", Value::from(human_duration(*expires_in)));
            }
            MailKind::EmailChangeRequested { new_email } => {
                insert("new_email", Value::from(new_email.as_str()));
            }
            MailKind::PasswordChanged | MailKind::AccountClosed => {}
        }
        Value::from(values)
    }
}

impl MailComposer for Templates {
    fn compose(&self, to: &Recipient, kind: &MailKind) -> Result<ComposedMail, ComposeError> {
        self.render(to, kind).map_err(|e| ComposeError(Box::new(e)))
    }
}

/// Escapes what ends an HTML attribute or starts markup.
fn escape_attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The template files of `dir` (`*.txt`, `*.html`), each of which must replace a built-in.
fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, SetupError> {
    let dir_error = |reason: String| SetupError::TemplatesDir { path: dir.to_owned(), reason };
    let entries = std::fs::read_dir(dir).map_err(|e| dir_error(e.to_string()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| dir_error(e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !(name.ends_with(".txt") || name.ends_with(".html")) {
            continue; // editor backups, READMEs
        }
        if !BUILTIN.iter().any(|(n, _)| *n == name) {
            let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(dir_error(format!(
                "{name} replaces no template; the names are {}",
                known.join(", ")
            )));
        }
        let source =
            std::fs::read_to_string(entry.path()).map_err(|e| dir_error(format!("{name}: {e}")))?;
        found.push((name, source));
    }
    Ok(found)
}

/// A lifetime as a reader would say it: `30 minutes`, `1 hour 30 minutes`, `2 days`.
pub fn human_duration(d: time::Duration) -> String {
    let total = d.whole_seconds().max(0);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    if total < 60 {
        return unit(total, "second");
    }
    let (days, hours, minutes) = (total / 86_400, total % 86_400 / 3_600, total % 3_600 / 60);
    let parts: Vec<String> = [(days, "day"), (hours, "hour"), (minutes, "minute")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, one)| unit(n, one))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        let cases = [
            (time::Duration::seconds(45), "45 seconds"),
            (time::Duration::minutes(1), "1 minute"),
            (time::Duration::minutes(30), "30 minutes"),
            (time::Duration::hours(1), "1 hour"),
            (time::Duration::minutes(90), "1 hour 30 minutes"),
            (time::Duration::days(1), "1 day"),
            (time::Duration::hours(49), "2 days 1 hour"),
            (time::Duration::seconds(-5), "0 seconds"),
        ];
        for (d, text) in cases {
            assert_eq!(human_duration(d), text);
        }
    }
}
