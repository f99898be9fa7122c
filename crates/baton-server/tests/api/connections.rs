//! One-shot commands (`migrate`, `purge`, `user ...`) hold one PostgreSQL connection at a
//! time: a command needs no more, and a pool that opened a second in the background while the
//! process exited is what once aborted in libpq's exit handlers (docs/OPERATIONS.md). Counted
//! at the socket: each command reaches the database through a proxy that tracks how many of
//! its connections are open at once.

use crate::binary::{baton, ok, run};
use baton_store::testing::TestDatabase;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};

/// Connections through the proxy: open now, the most open at once, and accepted in all.
#[derive(Default)]
struct Counts {
    open: AtomicUsize,
    most: AtomicUsize,
    accepted: AtomicUsize,
}

/// A TCP proxy to `target` on a free port, counting its connections.
async fn counting_proxy(target: String) -> (u16, Arc<Counts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            c.accepted.fetch_add(1, Ordering::SeqCst);
            let open = c.open.fetch_add(1, Ordering::SeqCst) + 1;
            c.most.fetch_max(open, Ordering::SeqCst);
            let (target, c) = (target.clone(), c.clone());
            tokio::spawn(async move {
                if let Ok(mut server) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
                c.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    (port, counts)
}

#[tokio::test]
async fn one_shot_commands_hold_one_connection_at_a_time() {
    let db = tokio::task::spawn_blocking(TestDatabase::postgres).await.unwrap();
    let mut url = url::Url::parse(db.url()).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let (port, counts) = counting_proxy(target).await;
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
        let before = counts.accepted.load(Ordering::SeqCst);
        // The previous command has exited; wait until the proxy has seen its socket close.
        while counts.open.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        counts.most.store(0, Ordering::SeqCst);
        let mut cmd = baton(&url);
        cmd.args(args);
        ok(&run(cmd, stdin).await);
        assert!(counts.accepted.load(Ordering::SeqCst) > before, "{args:?} reached the proxy");
        assert_eq!(counts.most.load(Ordering::SeqCst), 1, "{args:?}");
    }
}
