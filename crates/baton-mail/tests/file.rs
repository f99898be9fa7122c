//! The file transport: the core's mail suite on a temporary directory, then what is
//! particular to files: names, atomic writes, a readable `.eml`.

use std::sync::Arc;

use baton_core::MailTransport;
use baton_core::testing::contract::mail::{MailSubject, mail_to};
use baton_mail::FileTransport;
use baton_mail::testing::MailDir;

const FROM: &str = "Baton <baton@example.com>";

async fn subject() -> MailSubject {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("mail");
    let transport = FileTransport::new(&dir, FROM).expect("a transport");
    let inbox = Arc::new(MailDir::new(dir));
    MailSubject::new(Arc::new(transport), inbox.clone(), inbox, "baton@example.com").holding(tmp)
}

baton_core::mail_contract!(crate::subject());

#[tokio::test]
async fn each_mail_is_one_eml_file_named_by_its_id_and_no_temporary_file_is_left() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("data/mail");
    let transport = FileTransport::new(&dir, FROM).expect("creates the directory");
    let mail = mail_to("ada@example.com", "Hi", "see https://a.example/x#token=1", "<p>x</p>");
    transport.send(&mail).await.expect("written");
    transport.send(&mail).await.expect("written again");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the directory")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [format!("{}.eml", mail.id().simple())], "resent: replaced, not added");
    assert_eq!(transport.path_of(&mail), dir.join(&names[0]));
}

#[tokio::test]
async fn the_file_is_an_rfc5322_multipart_alternative_message() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let transport = FileTransport::new(tmp.path(), FROM).expect("a transport");
    let mail = mail_to("ada@example.com", "Hi", "plain", "<p>html</p>");
    transport.send(&mail).await.expect("written");
    let raw = std::fs::read_to_string(transport.path_of(&mail)).expect("a text file");
    for header in
        ["From: Baton <baton@example.com>\r\n", "To: ada@example.com\r\n", "Subject: Hi\r\n"]
    {
        assert!(raw.contains(header), "{header:?} in\n{raw}");
    }
    assert!(raw.contains("Content-Type: multipart/alternative;"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
    assert!(raw.contains("Content-Type: text/html; charset=utf-8"), "{raw}");
    assert!(raw.contains(&format!("Message-ID: {}", mail.message_id("example.com"))), "{raw}");
}

#[tokio::test]
async fn a_directory_that_cannot_be_created_is_a_setup_error() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, b"x").expect("write");
    let e = FileTransport::new(file.join("mail"), FROM).expect_err("under a file").to_string();
    assert!(e.starts_with("mail.file_dir"), "{e}");
}
