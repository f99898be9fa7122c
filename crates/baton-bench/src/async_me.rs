//! What an asynchronous PostgreSQL client could buy the access check, measured rather than
//! argued: actix-web answering `GET /api/v1/auth/me` with the floor's own session look-up
//! (`bench/pgbench/lookup.sql`, parameters bound), sent from the actix worker itself through
//! `tokio-postgres`, and the user JSON of [`crate::bare`].
//!
//! It leaves out everything of Baton but the look-up: no bearer extraction, no JWT
//! verification, no blocking-pool hop (the one design choice an async client would remove),
//! no request span. Each worker holds its own connections, made on its first request, and
//! spreads requests over the sessions pgbench uses (`user_agent = 'pgbench'`, from
//! `bench/pgbench/setup.sql`). Concurrent requests on one connection are pipelined by
//! `tokio-postgres`; `--connections` sets how many each worker holds.

use crate::bare::{Listen, UserResponse};
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpResponse, web};
use std::cell::Cell;
use std::error::Error;
use std::rc::Rc;
use tokio::sync::OnceCell;
use tokio_postgres::{Client, NoTls, Statement};
use uuid::Uuid;

/// Options of `baton-bench async-me`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    listen: Listen,
    /// The bench database, with `bench/pgbench/setup.sql` applied.
    #[arg(long)]
    url: String,
    /// Connections per worker.
    #[arg(long, default_value_t = 1)]
    connections: usize,
}

/// The floor's look-up as pgbench runs it, with `:sid` and `:one` as bind parameters.
fn lookup_sql() -> String {
    let script = include_str!("../../../bench/pgbench/lookup.sql");
    let statement = script.lines().rfind(|l| l.starts_with("SELECT")).unwrap_or_default();
    statement.trim_end_matches(';').replace(":sid", "$1").replace(":one", "$2")
}

/// One worker's connections, its prepared look-up on each, and the sessions to read.
struct Worker {
    connections: Vec<(Client, Statement)>,
    sessions: Vec<Uuid>,
    next: Cell<usize>,
}

thread_local! {
    /// Each actix worker is one thread with its own runtime, so its connections live here.
    static WORKER: Rc<OnceCell<Worker>> = Rc::new(OnceCell::new());
}

async fn connect(url: &str, count: usize) -> Result<Worker, tokio_postgres::Error> {
    let sql = lookup_sql();
    let mut connections = Vec::with_capacity(count);
    for _ in 0..count.max(1) {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        actix_web::rt::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("baton-bench async-me: connection ended: {e}");
            }
        });
        let statement = client.prepare(&sql).await?;
        connections.push((client, statement));
    }
    let rows = connections[0]
        .0
        .query("SELECT id FROM sessions WHERE user_agent = 'pgbench' ORDER BY id", &[])
        .await?;
    let sessions = rows.iter().map(|row| row.get(0)).collect();
    Ok(Worker { connections, sessions, next: Cell::new(0) })
}

/// Settings every worker reads.
struct Config {
    url: String,
    connections: usize,
}

async fn me(config: web::Data<Config>) -> HttpResponse {
    let cell = WORKER.with(Rc::clone);
    let worker = match cell.get_or_try_init(|| connect(&config.url, config.connections)).await {
        Ok(worker) => worker,
        Err(e) => return HttpResponse::ServiceUnavailable().body(e.to_string()),
    };
    if worker.sessions.is_empty() {
        return HttpResponse::ServiceUnavailable().body("no pgbench sessions: run setup.sql");
    }
    let i = worker.next.get();
    worker.next.set(i.wrapping_add(1));
    let (client, statement) = &worker.connections[i % worker.connections.len()];
    let session = worker.sessions[i % worker.sessions.len()];
    let row = match client.query_opt(statement, &[&session, &1_i64]).await {
        Ok(Some(row)) => row,
        Ok(None) => return HttpResponse::NotFound().finish(),
        Err(e) => return HttpResponse::ServiceUnavailable().body(e.to_string()),
    };
    // The users columns follow the 13 of sessions, in the statement's order.
    let user = UserResponse {
        id: row.get(13),
        email: row.get(14),
        name: row.get(16),
        created_at: row.get(18),
        updated_at: row.get(19),
    };
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .json(user)
}

/// Serves until killed.
pub fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let config = web::Data::new(Config { url: args.url, connections: args.connections });
    args.listen.serve(move |app| {
        app.app_data(config.clone()).route("/api/v1/auth/me", web::get().to(me));
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_look_up_is_the_floors_statement_with_bind_parameters() {
        let sql = super::lookup_sql();
        assert!(sql.starts_with("SELECT \"sessions\".\"id\""), "{sql}");
        assert!(sql.ends_with("WHERE (\"sessions\".\"id\" = $1) LIMIT $2"), "{sql}");
        assert!(!sql.contains(':'), "every pgbench variable is bound: {sql}");
    }
}
