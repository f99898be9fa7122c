//! The templates: every kind composes with its link in both bodies, HTML bodies escape what
//! they are given, an operator's files replace the built-ins, and broken templates stop
//! construction with a message naming the file.

use std::collections::BTreeMap;

use baton_core::domain::link::LinkTemplate;
use baton_core::{Email, Link, MailComposer, MailKind, Recipient};
use baton_mail::{SetupError, TemplateSettings, Templates, builtin_templates};
use time::Duration;

fn settings() -> TemplateSettings {
    TemplateSettings { product_name: "Acme".into(), ..TemplateSettings::default() }
}

fn ada(name: Option<&str>) -> Recipient {
    Recipient {
        email: Email::parse("ada@example.com").expect("an address"),
        name: name.map(Into::into),
    }
}

fn every_kind(link: &Link) -> Vec<MailKind> {
    let expires_in = Duration::minutes(30);
    vec![
        MailKind::PasswordReset { link: link.clone(), expires_in },
        MailKind::VerifyEmail { link: link.clone(), expires_in },
        MailKind::ConfirmEmailChange { link: link.clone(), expires_in },
        MailKind::EmailChangeRequested { new_email: Email::parse("new@example.com").expect("ok") },
        MailKind::PasswordChanged,
        MailKind::AccountClosed,
    ]
}

#[test]
fn every_kind_composes_with_product_name_greeting_and_its_link_in_both_bodies() {
    let templates = Templates::new(&settings()).expect("the built-ins are valid");
    let link =
        LinkTemplate::parse("https://app.example.com/reset?lang=fr").expect("ok").link("tok-123");
    assert_eq!(link.expose(), "https://app.example.com/reset?lang=fr#token=tok-123");
    for kind in every_kind(&link) {
        let mail = templates.compose(&ada(Some("Ada")), &kind).expect("composes");
        assert!(mail.subject.contains("Acme"), "{}: {}", kind.name(), mail.subject);
        assert!(
            mail.text.contains("Hello Ada,") && mail.html.contains("Hello Ada,"),
            "{}",
            kind.name()
        );
        assert!(mail.text.contains("Acme") && mail.html.contains("Acme"));
        if kind.link().is_some() {
            assert!(mail.text.contains(link.expose()), "{}", kind.name());
            assert!(mail.html.contains(&format!("href=\"{}\"", link.expose())), "{}", kind.name());
            assert!(mail.text.contains("30 minutes"), "{}", kind.name());
        } else {
            assert!(!mail.text.contains("tok-123") && !mail.html.contains("tok-123"));
        }
    }
    let notice = templates.compose(&ada(None), &every_kind(&link)[3]).expect("composes");
    assert!(notice.text.starts_with("Hello,") && notice.text.contains("new@example.com"));
    assert_eq!(notice.subject, "Your Acme email address is being changed");
}

#[test]
fn html_bodies_escape_names_and_links_and_text_bodies_keep_them() {
    let templates = Templates::new(&TemplateSettings {
        product_name: "Acme & <Sons>".into(),
        ..TemplateSettings::default()
    })
    .expect("valid");
    let link = Link::new("https://app.example.com/r#a=1&token=x\"y");
    let to = ada(Some("<script>alert(1)</script>"));
    let mail = templates
        .compose(&to, &MailKind::PasswordReset { link, expires_in: Duration::hours(1) })
        .expect("composes");
    assert!(
        !mail.html.contains("<script>") && mail.html.contains("&lt;script&gt;"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("Acme &amp; &lt;Sons&gt;"));
    assert!(
        mail.html.contains("href=\"https://app.example.com/r#a=1&amp;token=x&quot;y\""),
        "{}",
        mail.html
    );
    assert!(mail.text.contains("<script>alert(1)</script>") && mail.text.contains("&token=x\"y"));
    assert_eq!(mail.subject, "Reset your Acme & <Sons> password", "subjects are not HTML");
}

#[test]
fn subjects_come_from_settings_and_unknown_kinds_are_refused() {
    let mut s = settings();
    s.subjects.insert("password_reset".into(), "{{ product_name }}: new password".into());
    let templates = Templates::new(&s).expect("valid");
    let kind = MailKind::PasswordReset {
        link: Link::new("https://a.example/r#token=1"),
        expires_in: Duration::minutes(5),
    };
    assert_eq!(templates.compose(&ada(None), &kind).expect("ok").subject, "Acme: new password");
    let mut s = settings();
    s.subjects = BTreeMap::from([("password_rest".to_owned(), "x".to_owned())]);
    let e = Templates::new(&s).expect_err("a typo").to_string();
    assert!(e.contains("subjects.password_rest") && e.contains("password_reset"), "{e}");
    let mut s = settings();
    s.subjects.insert("account_closed".into(), "{{ nme }}".into());
    let e = Templates::new(&s).expect_err("undefined variable").to_string();
    assert!(e.contains("subjects.account_closed"), "{e}");
}

#[test]
fn files_in_the_templates_directory_replace_the_built_ins() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("password_changed.txt"),
        "Changed at {{ product_name }}. Bye {{ email }}",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("base.html"),
        "<div class=brand>{% block content %}{% endblock %}</div>",
    )
    .expect("write");
    std::fs::write(dir.path().join("README.md"), "notes are ignored").expect("write");
    let templates =
        Templates::new(&TemplateSettings { templates_dir: Some(dir.path().into()), ..settings() })
            .expect("valid");
    let mail = templates.compose(&ada(None), &MailKind::PasswordChanged).expect("ok");
    assert_eq!(mail.text, "Changed at Acme. Bye ada@example.com");
    assert!(mail.html.starts_with("<div class=brand>"), "{}", mail.html);
}

fn refused(files: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let settings = TemplateSettings { templates_dir: Some(dir.path().into()), ..settings() };
    let e: SetupError = Templates::new(&settings).expect_err("refused");
    e.to_string()
}

#[test]
fn broken_or_useless_templates_are_refused_naming_the_file() {
    let e = refused(&[(
        "password_reset.html",
        "{% extends \"base.html\" %}{% block content %}no link{% endblock %}",
    )]);
    assert!(e.contains("password_reset.html") && e.contains("{{ link }}"), "{e}");
    let e = refused(&[("verify_email.txt", "Hello {{ link }\n")]);
    assert!(e.contains("verify_email.txt") && e.contains("line 1"), "{e}");
    let e = refused(&[("password_changed.txt", "Hi {{ link }}")]);
    assert!(e.contains("password_changed.txt"), "a notice has no link: {e}");
    let e = refused(&[("pasword_reset.txt", "{{ link }}")]);
    assert!(e.contains("pasword_reset.txt replaces no template"), "{e}");
    let missing =
        TemplateSettings { templates_dir: Some("/nonexistent/templates".into()), ..settings() };
    let e = Templates::new(&missing).expect_err("missing directory").to_string();
    assert!(e.starts_with("mail.templates_dir /nonexistent/templates"), "{e}");
}

#[test]
fn the_built_ins_are_listed_for_operators_to_copy() {
    let names: Vec<&str> = builtin_templates().iter().map(|(n, _)| *n).collect();
    assert!(names.contains(&"base.html"));
    for kind in MailKind::NAMES {
        assert!(names.contains(&format!("{kind}.txt").as_str()), "{kind}");
        assert!(names.contains(&format!("{kind}.html").as_str()), "{kind}");
    }
}
