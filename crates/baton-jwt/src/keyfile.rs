//! A new signing key written to the files `jwt.keys` reads, for `baton keys generate`: never
//! overwriting, never readable by others, never half-written.

use crate::generate::generate_ed25519;
use secrecy::ExposeSecret;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest kid accepted for a key file (it becomes a file name and a token header).
pub const MAX_KID_LEN: usize = 64;

/// The two files of a generated key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `<dir>/<kid>.private.pem`: PKCS#8 PEM, mode 0600.
    pub private: PathBuf,
    /// `<dir>/<kid>.public.pem`: SPKI PEM.
    pub public: PathBuf,
}

/// Why no key was written; the message is for an operator and names the fix.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The kid cannot be a plain file name.
    #[error("--kid {kid:?}: {reason}")]
    Kid {
        /// The kid given.
        kid: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The directory does not exist (or cannot be resolved).
    #[error("--dir {dir}: {source}; create it first")]
    Dir {
        /// The directory given.
        dir: String,
        /// Why it cannot be used.
        source: std::io::Error,
    },
    /// A file of the pair exists already.
    #[error("{0} already exists; keys are never overwritten: choose another --kid or --dir")]
    Exists(String),
    /// Writing failed (nothing of this run is left behind).
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Generates an Ed25519 key pair ([`generate_ed25519`]) and writes it to
/// `<dir>/<kid>.private.pem` (mode 0600, created so: never readable by others, not even for an
/// instant) and `<dir>/<kid>.public.pem`. Refuses a kid that is not a plain file name, a
/// directory that does not exist, and existing files: nothing is ever overwritten, and a
/// failure leaves no half-written pair behind.
pub fn write_key_pair(kid: &str, dir: &Path) -> Result<Written, KeyFileError> {
    check_kid(kid).map_err(|reason| KeyFileError::Kid { kid: kid.to_owned(), reason })?;
    let dir = dir
        .canonicalize()
        .map_err(|source| KeyFileError::Dir { dir: dir.display().to_string(), source })?;
    let written = Written {
        private: dir.join(format!("{kid}.private.pem")),
        public: dir.join(format!("{kid}.public.pem")),
    };
    for path in [&written.private, &written.public] {
        if path.exists() {
            return Err(KeyFileError::Exists(path.display().to_string()));
        }
    }
    let key = generate_ed25519();
    write_new(&written.private, key.private_pem.expose_secret(), 0o600)?;
    if let Err(e) = write_new(&written.public, &key.public_pem, 0o644) {
        // Only what this run created goes: the private file did not exist before.
        let _ = std::fs::remove_file(&written.private);
        return Err(e);
    }
    Ok(written)
}

/// A kid usable as a file name and in TOML without surprises.
fn check_kid(kid: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if kid.is_empty() || kid.len() > MAX_KID_LEN {
        return Err(format!("must be 1 to {MAX_KID_LEN} characters"));
    }
    if !kid.chars().all(allowed) || kid.starts_with('.') {
        return Err("use letters, digits, '.', '_' and '-' only, not starting with '.' \
                    (e.g. 2027-01)"
            .into());
    }
    Ok(())
}

/// Creates `path` (failing if it exists) with `mode` on Unix, writes `text` and syncs it.
fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), KeyFileError> {
    let failed =
        |source: std::io::Error| KeyFileError::Write { path: path.display().to_string(), source };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file: File = options.open(path).map_err(failed)?;
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(failed(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kids_must_be_plain_file_names() {
        for good in ["2027-01", "k1", "a.b_c-D", &"k".repeat(MAX_KID_LEN)] {
            assert_eq!(check_kid(good), Ok(()), "{good}");
        }
        for bad in ["", "..", ".hidden", "a/b", "../etc", "a b", "ключ", &"k".repeat(65)] {
            assert!(check_kid(bad).is_err(), "{bad:?}");
        }
    }
}
