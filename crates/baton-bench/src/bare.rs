//! The access-check limit: what actix-web alone costs for Baton's `GET /api/v1/auth/me`.
//!
//! Same framework, same worker count (one per core unless told), same response: the user
//! JSON of `baton-server`'s `UserResponse` (serialised per request, times formatted as RFC
//! 3339 per request) with `Cache-Control: no-store`. What it leaves out is exactly what an
//! access check adds: the bearer extraction, the JWT verification, the blocking-pool hop,
//! the session look-up and the request span.

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{App, HttpResponse, HttpServer, web};
use serde::{Serialize, Serializer};
use std::error::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Options of `baton-bench bare-me`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    listen: Listen,
}

/// Where and with how many workers a bench server listens (`bare-me`, `async-me`).
#[derive(Debug, clap::Args)]
pub struct Listen {
    /// Address to listen on (load goes to the loopback only).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long)]
    port: u16,
    /// actix workers; default one per core, as `baton serve`.
    #[arg(long)]
    workers: Option<usize>,
}

impl Listen {
    /// Serves the routes `configure` adds, on every worker, until killed.
    pub fn serve(
        &self,
        configure: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    ) -> Result<(), Box<dyn Error>> {
        let workers = self
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let addr = (self.host.as_str(), self.port);
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || App::new().configure(configure.clone()))
                .workers(workers)
                .bind(addr)?
                .run()
                .await
        })?;
        Ok(())
    }
}

/// The same fields, order and formatting as `baton_server::dto::UserResponse`.
#[derive(Serialize, Clone)]
pub(crate) struct UserResponse {
    pub(crate) id: Uuid,
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub(crate) created_at: OffsetDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub(crate) updated_at: OffsetDateTime,
}

fn rfc3339<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    let text =
        t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).map_err(serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

async fn me(user: web::Data<UserResponse>) -> HttpResponse {
    // Built per request, like Baton builds it from the looked-up user.
    let body = UserResponse::clone(&user);
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .json(body)
}

/// Serves until killed.
pub fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0)?;
    let user = web::Data::new(UserResponse {
        id: Uuid::new_v4(),
        email: "bench-00@example.com".into(),
        name: Some("Bench".into()),
        created_at: now,
        updated_at: now,
    });
    args.listen.serve(move |app| {
        app.app_data(user.clone()).route("/api/v1/auth/me", web::get().to(me));
    })
}
