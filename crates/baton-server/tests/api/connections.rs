//! One-shot commands (`migrate`, `purge`, `user ...`) hold exactly one PostgreSQL connection:
//! with two, r2d2 opened the second in the background and an exit during that connect could
//! abort in libpq's Kerberos exit handlers (docs/OPERATIONS.md). Counted at the socket: each
//! command reaches the database through a proxy that counts the connections it accepts.

use crate::binary::{baton, ok, run};
use baton_store::testing::TestDatabase;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to `target` on a free port; counts the connections it accepted.
async fn counting_proxy(target: String) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut server) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn one_shot_commands_open_one_connection_each() {
    let db = tokio::task::spawn_blocking(TestDatabase::postgres).await.unwrap();
    let mut url = url::Url::parse(db.url()).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let (port, accepted) = counting_proxy(target).await;
    url.set_port(Some(port)).unwrap();
    let url = url.to_string();
    let commands: [(&[&str], &str); 5] = [
        (&["migrate"], ""),
        (&["user", "create", "--email", "ops@example.com"], "operator pw 1\n"),
        (&["user", "disable", "ops@example.com"], ""),
        (&["user", "enable", "ops@example.com"], ""),
        (&["purge"], ""),
    ];
    for (args, stdin) in commands {
        let before = accepted.load(Ordering::SeqCst);
        let mut cmd = baton(&url);
        cmd.args(args);
        ok(&run(cmd, stdin).await);
        assert_eq!(accepted.load(Ordering::SeqCst) - before, 1, "{args:?}");
    }
}
