//! Opening a store: URL schemes, SQLite files, unreachable servers.

use baton_core::testing::contract::block_on;
use baton_core::{StoreError, UserStore};
use baton_store::testing::sqlite_url;
use baton_store::{Backend, Store, StoreConfig};
use std::error::Error as _;
use std::time::Duration;

fn config(url: &str) -> StoreConfig {
    StoreConfig {
        url: url.into(),
        pool_size: 2,
        connect_timeout: Duration::from_secs(2),
        create_dir: false,
    }
}

fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
    block_on(Store::connect(config))
}

#[test]
fn unsupported_schemes_are_refused_clearly() {
    for url in ["mysql://root:pw@localhost/baton", "baton.db", "sqlite:", "sqlite::memory:"] {
        match connect(&config(url)) {
            Err(e @ StoreError::Backend(_)) => {
                let cause = e.source().expect("the cause says why").to_string();
                assert!(cause.contains("sqlite://") && !cause.contains("pw@"), "{cause}")
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

#[test]
fn zero_pool_or_timeout_is_a_configuration_error() {
    let (url, _dir) = sqlite_url();
    let no_pool = StoreConfig { pool_size: 0, ..config(&url) };
    assert!(matches!(connect(&no_pool), Err(StoreError::Backend(_))));
    let no_wait = StoreConfig { connect_timeout: Duration::ZERO, ..config(&url) };
    assert!(matches!(connect(&no_wait), Err(StoreError::Backend(_))));
}

#[test]
fn unreachable_postgres_is_unavailable() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let url = "postgres://postgres@127.0.0.1:1/baton";
    let result =
        connect(&StoreConfig { connect_timeout: Duration::from_millis(500), ..config(url) });
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    let cause = result.unwrap_err().source().expect("a cause").to_string();
    assert!(cause.contains("connect") || cause.contains("refused"), "{cause}");
}

#[test]
fn sqlite_creates_a_missing_directory_only_when_allowed() {
    let (_, dir) = sqlite_url();
    let file = dir.path().join("missing").join("baton.db");
    let url = format!("sqlite://{}", file.display());
    match connect(&config(&url)) {
        Err(StoreError::Backend(msg)) => {
            let msg = msg.to_string();
            assert!(msg.contains("does not exist") && msg.contains("missing"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!file.parent().unwrap().exists(), "nothing created");
    connect(&StoreConfig { create_dir: true, ..config(&url) }).unwrap();
    assert!(file.exists());
}

#[test]
fn sqlite_creates_the_file_and_keeps_data_across_reopen() {
    let (url, dir) = sqlite_url();
    let file = dir.path().join("data").join("baton.db");
    assert!(!file.exists());
    let store = connect(&config(&url)).unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(file.exists());
    let ada = block_on(baton_core::testing::contract::stored_user(&store, "ada@example.com"));
    drop(store);

    let reopened = connect(&config(&url)).unwrap();
    assert_eq!(block_on(reopened.run_migrations()).unwrap(), Vec::<String>::new());
    assert_eq!(block_on(reopened.find_user(ada.id)).expect("read"), Some(ada));
}
