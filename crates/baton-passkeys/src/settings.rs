//! The relying party as `[webauthn]` configures it (`baton-config`), for
//! [`baton_core::SecondFactors`].

use crate::{RelyingPartyError, WebauthnRs};
use baton_config::Config;

/// The relying party of `webauthn.rp_id`, `rp_name` and `origins`.
pub fn relying_party(config: &Config) -> Result<WebauthnRs, RelyingPartyError> {
    let w = &config.webauthn;
    WebauthnRs::new(&w.rp_id, &w.rp_name, &w.origins)
}
