//! OpenAPI links (3.1 §4.8.20) from the token responses to the operations their values feed:
//! the `refresh_token` of register, login and refresh is what refresh and logout take, and a
//! registration's email and password are what login takes.
//!
//! Why: they tell client authors (and code generators) how the operations chain, and they let
//! a stateful fuzzer (schemathesis) follow real tokens from one call to the next, so that
//! rotation, reuse detection and logout are exercised with tokens the server issued rather
//! than only with generated garbage. A test checks every link names an existing operation.

use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::{OpenApi, RefOr};

/// The responses that carry a token pair: (path, status).
const TOKEN_RESPONSES: [(&str, &str); 3] = [
    ("/api/v1/auth/register", "201"),
    ("/api/v1/auth/login", "200"),
    ("/api/v1/auth/refresh", "200"),
];

/// The refresh token of this answer, as a body for refresh or logout.
fn refresh_token_body() -> serde_json::Value {
    json!({"refresh_token": "$response.body#/refresh_token"})
}

/// Adds the links described in the module documentation.
pub struct TokenLinks;

impl Modify for TokenLinks {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, status) in TOKEN_RESPONSES {
            let response = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| item.post.as_mut())
                .and_then(|op| op.responses.responses.get_mut(status));
            let Some(RefOr::T(response)) = response else { continue };
            let links = [
                (
                    "refresh",
                    LinkBuilder::new()
                        .operation_id("refresh")
                        .request_body(Some(refresh_token_body()))
                        .description(
                            "Rotate this session: the `refresh_token` of this answer (absent with \
                             cookie transport, where the cookie carries it).",
                        ),
                ),
                (
                    "logout",
                    LinkBuilder::new()
                        .operation_id("logout")
                        .request_body(Some(refresh_token_body()))
                        .description(
                            "End this session: the access token of this answer as bearer, its \
                             `refresh_token` in the body.",
                        ),
                ),
            ];
            for (name, link) in links {
                response.links.insert(name.to_owned(), RefOr::T(link.build()));
            }
        }
        let registered = openapi
            .paths
            .paths
            .get_mut("/api/v1/auth/register")
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.responses.responses.get_mut("201"));
        if let Some(RefOr::T(response)) = registered {
            let login = LinkBuilder::new()
                .operation_id("login")
                .request_body(Some(json!({
                    "email": "$request.body#/email",
                    "password": "$request.body#/password",
                })))
                .description("Log in again with the credentials just registered: a new session.");
            response.links.insert("login".to_owned(), RefOr::T(login.build()));
        }
    }
}
