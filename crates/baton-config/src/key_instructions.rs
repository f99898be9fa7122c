//! What an operator does with a key `baton keys generate` wrote: the `jwt.keys` entry that
//! publishes it, and the staged rotation (docs/OPERATIONS.md).

use std::path::Path;

/// What to do with the new key: the `jwt.keys` entry, placed second (published first), and
/// the rest of the staged rotation. The entry line is exactly one line starting with
/// `  { kid = `, so scripts (and the tests) can pick it out.
pub fn staged_key_instructions(kid: &str, private: &Path, public: &Path) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let private_file = quote(&private.display().to_string());
    let entry =
        format!("{{ kid = {}, alg = \"EdDSA\", private_key_file = {private_file} }},", quote(kid));
    format!(
        "wrote {} (Ed25519 private key, PKCS#8 PEM, mode 0600: only baton may read it)\n\
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
         (as an array of tables: a [[jwt.keys]] table with kid = {}, alg = \"EdDSA\" and \
         private_key_file = {private_file}, after the current first one)\n\
         \n\
         Step 2, wait at least jwks.max_age (default 5m) so every resource server has \
         fetched the new JWKS.\n\
         Step 3, sign: move this entry first on every server and reload each.\n\
         Step 4, retire the old key once every token it signed has expired \
         (tokens.refresh_ttl plus jwt.leeway); see docs/OPERATIONS.md.\n",
        private.display(),
        public.display(),
        quote(kid),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_line_is_valid_toml_naming_the_private_file() {
        let private = Path::new("/etc/baton/keys/k\"1.private.pem");
        let public = Path::new("/etc/baton/keys/k\"1.public.pem");
        let text = staged_key_instructions("k1", private, public);
        let line = text.lines().find(|l| l.starts_with("  { kid = ")).expect("the entry line");
        let table: toml::Table =
            toml::from_str(&format!("keys = [{}]", line.trim().trim_end_matches(','))).unwrap();
        let key = &table["keys"].as_array().unwrap()[0];
        assert_eq!(key["kid"].as_str(), Some("k1"));
        assert_eq!(key["alg"].as_str(), Some("EdDSA"));
        assert_eq!(key["private_key_file"].as_str(), Some("/etc/baton/keys/k\"1.private.pem"));
    }
}
