//! Asking Baton whether a token is still active (RFC 7662), authenticated as one of Baton's
//! `introspection.clients`.

use crate::jwks::Refused;
use serde::Deserialize;

/// Baton's introspection endpoint and this API's client credentials.
pub struct Introspector {
    url: String,
    client_id: String,
    client_secret: String,
    http: reqwest::Client,
}

/// The part of the answer this API reads; an inactive token is just `{"active": false}`.
#[derive(Deserialize)]
struct Answer {
    active: bool,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    sub: Option<String>,
}

impl Introspector {
    /// Calls `url` with HTTP Basic `client_id`/`client_secret`.
    pub fn new(url: String, client_id: String, client_secret: String) -> Self {
        Self { url, client_id, client_secret, http: reqwest::Client::new() }
    }

    /// Ok when Baton says the access token of `sub` is active now; `Inactive` when it says it
    /// is not (logged out, revoked, expired, ...), `Unavailable` when it cannot be asked.
    pub async fn check(&self, token: &str, sub: &str) -> Result<(), Refused> {
        let unavailable = |e: reqwest::Error| Refused::Unavailable(e.to_string());
        let res = self
            .http
            .post(&self.url)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(unavailable)?;
        if !res.status().is_success() {
            return Err(Refused::Unavailable(format!("introspection answered {}", res.status())));
        }
        let answer: Answer = res.json().await.map_err(unavailable)?;
        let is_this_token =
            answer.token_type.as_deref() == Some("Bearer") && answer.sub.as_deref() == Some(sub);
        if answer.active && is_this_token { Ok(()) } else { Err(Refused::Inactive) }
    }
}
