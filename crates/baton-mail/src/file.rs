//! The file transport: each mail an `.eml` file, the development default (SPEC §12).
//!
//! A mail is written to a hidden temporary file in the same directory, flushed to disk, and
//! renamed to `<outbox id>.eml`, so a reader (a developer's mail client, a test) never sees
//! half a mail, and sending the same mail again replaces its file instead of adding one.
//! `ls -t` lists the newest mail first.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use baton_core::{MailTransport, OutgoingMail, SendError};

use crate::error::SetupError;
use crate::message::{Sender, build};

/// Writes each mail as `<dir>/<id>.eml`.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
    sender: Sender,
}

impl FileTransport {
    /// A transport writing into `dir` (created if missing) as `from`.
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> Result<Self, SetupError> {
        let dir = dir.into();
        let sender = Sender::parse(from)?;
        std::fs::create_dir_all(&dir)
            .map_err(|source| SetupError::FileDir { path: dir.clone(), source })?;
        Ok(Self { dir, sender })
    }

    /// The directory the mails go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a mail is written to.
    pub fn path_of(&self, mail: &OutgoingMail) -> PathBuf {
        self.dir.join(format!("{}.eml", mail.id().simple()))
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, flushed before
/// the rename so that a crash leaves either no file or the whole mail.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = std::fs::File::create_new(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[async_trait]
impl MailTransport for FileTransport {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let bytes = build(&self.sender, mail)?.formatted();
        let (dir, path) = (self.dir.clone(), self.path_of(mail));
        let written = tokio::task::spawn_blocking(move || write_atomically(&dir, &path, &bytes))
            .await
            .map_err(|e| SendError::Transient(Box::new(e)))?;
        // A full disk or a directory an operator broke can be fixed: worth retrying.
        written.map_err(|e| SendError::Transient(Box::new(e)))?;
        tracing::debug!(mail_id = %mail.id(), dir = %self.dir.display(), "mail written");
        Ok(())
    }
}
