//! `baton keys generate`: a new Ed25519 or P-256 signing key in the files `jwt.keys` reads,
//! and the configuration that stages it (published first, signing later; docs/OPERATIONS.md).

use super::CommandError;
use crate::cli::{KeyKind, KeysCommand};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest kid `keys generate` accepts (it becomes a file name and a token header).
pub const MAX_KID_LEN: usize = 64;

/// Runs one `baton keys` subcommand and prints what it did, and what to do next, on stdout.
pub fn keys(command: &KeysCommand) -> Result<(), CommandError> {
    match command {
        KeysCommand::Generate { kid, dir, alg } => {
            let written = generate(kid, dir, *alg)?;
            print!("{}", instructions(kid, *alg, &written));
            Ok(())
        }
    }
}

/// The two files of a generated key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `<dir>/<kid>.private.pem`: PKCS#8 PEM, mode 0600.
    pub private: PathBuf,
    /// `<dir>/<kid>.public.pem`: SPKI PEM.
    pub public: PathBuf,
}

/// The `alg` of a key kind in `jwt.keys`, and its name for people.
fn names(alg: KeyKind) -> (&'static str, &'static str) {
    match alg {
        KeyKind::Eddsa => ("EdDSA", "Ed25519"),
        KeyKind::Es256 => ("ES256", "P-256"),
    }
}

/// Generates a key pair of `alg` ([`baton_jwt::generate_ed25519`], [`baton_jwt::generate_p256`])
/// and writes it to `<dir>/<kid>.private.pem` (mode 0600, created so: never readable by
/// others, not even for an instant) and `<dir>/<kid>.public.pem`. Refuses a kid that is not a
/// plain file name, a directory that does not exist, and existing files: nothing is ever
/// overwritten, and a failure leaves no half-written pair behind.
pub fn generate(kid: &str, dir: &Path, alg: KeyKind) -> Result<Written, CommandError> {
    check_kid(kid).map_err(|m| CommandError::Failed(format!("--kid {kid:?}: {m}")))?;
    let dir = dir.canonicalize().map_err(|e| {
        CommandError::Failed(format!("--dir {}: {e}; create it first", dir.display()))
    })?;
    let written = Written {
        private: dir.join(format!("{kid}.private.pem")),
        public: dir.join(format!("{kid}.public.pem")),
    };
    for path in [&written.private, &written.public] {
        if path.exists() {
            return Err(CommandError::Failed(format!(
                "{} already exists; keys are never overwritten: choose another --kid or --dir",
                path.display()
            )));
        }
    }
    let key = match alg {
        KeyKind::Eddsa => baton_jwt::generate_ed25519(),
        KeyKind::Es256 => baton_jwt::generate_p256(),
    };
    {
        use secrecy::ExposeSecret;
        write_new(&written.private, key.private_pem.expose_secret(), 0o600)?;
    }
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
fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), CommandError> {
    let failed =
        |e: std::io::Error| CommandError::Failed(format!("cannot write {}: {e}", path.display()));
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

/// What to do with the new key: the `jwt.keys` entry, placed second (published first), and
/// the rest of the staged rotation. The entry line is exactly one line starting with
/// `  { kid = `, so scripts (and the tests) can pick it out.
pub fn instructions(kid: &str, alg: KeyKind, written: &Written) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let private = quote(&written.private.display().to_string());
    let (alg, curve) = names(alg);
    let entry =
        format!("{{ kid = {}, alg = \"{alg}\", private_key_file = {private} }},", quote(kid));
    format!(
        "wrote {} ({curve} private key, PKCS#8 PEM, mode 0600: only baton may read it)\n\
         wrote {} (its public key, SPKI PEM)\n\
         \n\
         Step 1, publish: copy the private key file to the same path on every server and add \
         the key to jwt.keys AFTER the current signing key, so it verifies and appears in the \
         JWKS but does not sign yet; then reload every server (systemctl reload baton, i.e. \
         SIGHUP):\n\
         \n\
         [jwt]\n\
         keys = [\n\
         \x20 # ... the current signing key, unchanged: it stays first and keeps signing\n\
         \x20 {entry}\n\
         ]\n\
         \n\
         (as an array of tables: a [[jwt.keys]] table with kid = {}, alg = \"{alg}\" and \
         private_key_file = {private}, after the current first one)\n\
         \n\
         Step 2, wait at least jwks.max_age (default 5m) so every resource server has \
         fetched the new JWKS.\n\
         Step 3, sign: move this entry first on every server and reload each.\n\
         Step 4, retire the old key once every token it signed has expired \
         (tokens.refresh_ttl plus jwt.leeway); see docs/OPERATIONS.md.\n",
        written.private.display(),
        written.public.display(),
        quote(kid),
    )
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

    #[test]
    fn the_entry_line_is_valid_toml_naming_the_private_file() {
        let written = Written {
            private: PathBuf::from("/etc/baton/keys/k\"1.private.pem"),
            public: PathBuf::from("/etc/baton/keys/k\"1.public.pem"),
        };
        for (kind, alg) in [(KeyKind::Eddsa, "EdDSA"), (KeyKind::Es256, "ES256")] {
            let text = instructions("k1", kind, &written);
            let line = text.lines().find(|l| l.starts_with("  { kid = ")).expect("the entry line");
            let table: toml::Table =
                toml::from_str(&format!("keys = [{}]", line.trim().trim_end_matches(','))).unwrap();
            let key = &table["keys"].as_array().unwrap()[0];
            assert_eq!(key["kid"].as_str(), Some("k1"));
            assert_eq!(key["alg"].as_str(), Some(alg));
            let file = key["private_key_file"].as_str();
            assert_eq!(file, Some("/etc/baton/keys/k\"1.private.pem"));
            assert!(text.contains(&format!("alg = \"{alg}\" and")), "{text}");
        }
    }
}
