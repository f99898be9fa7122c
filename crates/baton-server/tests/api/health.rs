//! `/healthz` and `/readyz`.

use crate::helpers::*;
use crate::on_both_backends;
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;

async fn probes_answer_200(b: Backend) {
    let app = spawn_app(b).await;
    for path in ["/healthz", "/readyz"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    }
}

on_both_backends!(probes_answer_200);

/// PostgreSQL only: dropping the database under a running server is how an outage is made
/// here (an open SQLite file cannot be taken away from its connections).
#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let app = spawn_app_with(Backend::Postgres, |c| {
        c.database.connect_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let t = app.register("ada@example.com").await;
    let url = app.db.url.clone();
    tokio::task::spawn_blocking(move || {
        let (server, name) = url.rsplit_once('/').unwrap();
        let mut conn = PgConnection::establish(&format!("{server}/postgres")).unwrap();
        diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut conn).unwrap();
    })
    .await
    .unwrap();
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
    // The process itself is fine, and requests that need the database get 503, not 500.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    let res = app.me(s(&t, "access_token")).await;
    assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
}
