//! The key set as `[jwt]` configures it (`baton-config`): each configured key, PEM files read,
//! becomes a [`KeySpec`] in signing order (the first signs, all verify). Read at start and on
//! every SIGHUP reload.

use crate::{JwtConfig, KeySpec};
use baton_config::{Config, ConfigError, JwtKey, JwtSettings, KeyMaterial};

/// The signing settings of `config`, its key files read now.
pub fn jwt_config(config: &Config) -> Result<JwtConfig, ConfigError> {
    Ok(jwt_config_of(&config.jwt, config.jwt.key_set()?))
}

/// The signing settings from a `[jwt]` section and its key set already read (as
/// `baton_config::reload_jwt` returns them on SIGHUP).
pub fn jwt_config_of(jwt: &JwtSettings, keys: Vec<JwtKey>) -> JwtConfig {
    let keys = keys
        .into_iter()
        .map(|key| match key.material {
            KeyMaterial::HmacSecret(secret) => KeySpec::hs256(key.kid, secret.expose_bytes()),
            KeyMaterial::Ed25519PrivatePem(pem) => KeySpec::ed25519_private(key.kid, pem.expose()),
            KeyMaterial::Ed25519PublicPem(pem) => KeySpec::ed25519_public(key.kid, pem),
            KeyMaterial::Es256PrivatePem(pem) => KeySpec::es256_private(key.kid, pem.expose()),
            KeyMaterial::Es256PublicPem(pem) => KeySpec::es256_public(key.kid, pem),
        })
        .collect();
    JwtConfig {
        issuer: jwt.issuer.clone(),
        audience: jwt.audience.clone(),
        previous_issuers: jwt.previous_issuers.clone(),
        keys,
        leeway: jwt.leeway,
    }
}
