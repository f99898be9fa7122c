//! Test support (feature `testing`): a real SMTP server ([`SmtpSink`]) with a throwaway CA
//! ([`TestCa`]), and the core's mail-suite plumbing ([`Inbox`], [`Outage`]) for the sink and
//! for a directory of `.eml` files, so Baton's own tests can read the mails they caused
//! and follow their links.

mod received;
mod sink;
mod tls;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use baton_core::testing::contract::mail::{Delivered, Inbox, Outage};

pub use received::{Received, parse_message};
pub use sink::{SinkOptions, SinkTls, SmtpSink};
pub use tls::TestCa;

#[async_trait::async_trait]
impl Inbox for SmtpSink {
    async fn next(&self) -> Delivered {
        self.next_message().await.parse()
    }
}

#[async_trait::async_trait]
impl Outage for SmtpSink {
    async fn begin(&self) {
        self.stop().await;
    }

    async fn end(&self) {
        self.restart().await;
    }
}

/// The `.eml` files of a directory, read as an [`Inbox`] (oldest first by modification time,
/// each file once), and broken as an [`Outage`] by putting a plain file where the directory
/// was.
#[derive(Debug)]
pub struct MailDir {
    dir: PathBuf,
    seen: Mutex<HashSet<PathBuf>>,
}

impl MailDir {
    /// Reads `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), seen: Mutex::default() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The oldest `.eml` file not returned before, parsed; `None` when there is none.
    pub fn next_file(&self) -> Option<Delivered> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&self.dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml") && !seen.contains(p))
            .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
            .collect();
        files.sort();
        let (_, path) = files.into_iter().next()?;
        let data = std::fs::read(&path).expect("a readable mail file");
        seen.insert(path);
        Some(parse_message(&data, &[]))
    }

    fn parked(&self) -> PathBuf {
        self.dir.with_extension("parked")
    }
}

#[async_trait::async_trait]
impl Inbox for MailDir {
    /// Files are complete once `send` returns, so there is nothing to wait for.
    async fn next(&self) -> Delivered {
        self.next_file().unwrap_or_else(|| panic!("no new mail file in {}", self.dir.display()))
    }
}

#[async_trait::async_trait]
impl Outage for MailDir {
    async fn begin(&self) {
        if self.dir.exists() {
            std::fs::rename(&self.dir, self.parked()).expect("park the mail directory");
        }
        std::fs::write(&self.dir, b"not a directory").expect("block the mail directory");
    }

    async fn end(&self) {
        std::fs::remove_file(&self.dir).expect("unblock the mail directory");
        if self.parked().exists() {
            std::fs::rename(self.parked(), &self.dir).expect("restore the mail directory");
        }
    }
}
