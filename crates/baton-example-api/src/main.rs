//! `baton-example-api`: serves the example routes on `EXAMPLE_PORT` (default 8081) for the
//! Baton at `BATON_URL` (default `http://127.0.0.1:8080`). `EXAMPLE_CLIENT_ID` and
//! `EXAMPLE_CLIENT_SECRET` are this API's entry in Baton's `introspection.clients`;
//! `EXAMPLE_ISSUER` defaults to `BATON_URL` (Baton's `jwt.issuer` is its public base URL) and
//! `EXAMPLE_AUDIENCE` to Baton's default audience.

use baton_example_api::{Settings, State, routes};
use std::time::Duration;

fn var(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let baton_url = var("BATON_URL", "http://127.0.0.1:8080");
    let settings = Settings {
        issuer: var("EXAMPLE_ISSUER", &baton_url),
        baton_url,
        audience: var("EXAMPLE_AUDIENCE", "baton-api"),
        client_id: var("EXAMPLE_CLIENT_ID", "example-api"),
        client_secret: var("EXAMPLE_CLIENT_SECRET", ""),
        refetch_floor: Duration::from_secs(10),
    };
    let port: u16 = var("EXAMPLE_PORT", "8081").parse().map_err(std::io::Error::other)?;
    let state = actix_web::web::Data::new(State::new(&settings));
    println!("example API on http://127.0.0.1:{port} for Baton at {}", settings.baton_url);
    actix_web::HttpServer::new(move || actix_web::App::new().configure(routes(state.clone())))
        .bind(("127.0.0.1", port))?
        .run()
        .await
}
