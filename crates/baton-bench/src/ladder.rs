//! The cost ladder of a refresh (or an access check) without HTTP, for profiling: each rung
//! adds one layer of Baton on top of the previous one, on the same database.
//!
//! - `store`: the storage adapter alone, `find_session` then `rotate` (diesel, r2d2 pool):
//!   the slow path's two statements — compare with `bench/pgbench/find-rotate.sql`;
//! - `core`: the use case `Auth::refresh` (or `Auth::authenticate`) with the real JWT
//!   issuer and store: adds token verification, minting and hashing, and takes the fast path
//!   (one statement) as the server does.
//!
//! The HTTP server is the rung above (`just bench`). One session per task, on a tokio runtime
//! of `--threads` threads; tasks default to the pool size, as the server runs at most that
//! many statements at once.

use baton_core::{
    Auth, ClientInfo, Email, HashError, Password, PasswordHash, PasswordHasher, Policy, Ports,
    RefreshHash, Rotation, Session, SystemClock, SystemRandom, TokenStore, User, UserStore,
};
use baton_jwt::{JwtConfig, JwtIssuer, KeySpec};
use baton_store::{Store, StoreConfig};
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use uuid::Uuid;

/// Options of `baton-bench ladder`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Database URL, as for `baton` (`postgres://…` or `sqlite://path`).
    #[arg(long)]
    url: String,
    /// Which rung: `store` or `core`.
    #[arg(long, value_enum, default_value_t = Level::Store)]
    level: Level,
    /// Which request: `refresh` or `me` (the access check).
    #[arg(long, value_enum, default_value_t = Op::Refresh)]
    op: Op,
    /// Connections in the pool (the server's default is 16).
    #[arg(long, default_value_t = 16)]
    pool_size: u32,
    /// Tasks, each with its own session; default the pool size.
    #[arg(long)]
    tasks: Option<usize>,
    /// Runtime threads (the server's default is one worker per core).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// How long to run.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
}

/// A rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Level {
    /// `TokenStore` calls only.
    Store,
    /// `Auth` use cases with the real adapters.
    Core,
}

/// The request measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Op {
    /// A rotation: find the session, then the conditional update.
    Refresh,
    /// An access check: the session look-up (and, on the core rung, the JWT check).
    Me,
}

/// Stands in for bcrypt, which this measurement is not about: setup must be quick.
struct PlainHasher(PasswordHash);

#[async_trait::async_trait]
impl PasswordHasher for PlainHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        Ok(PasswordHash::new(format!("plain:{}", password.expose())))
    }
    async fn verify(&self, attempt: &str, hash: &PasswordHash) -> Result<bool, HashError> {
        Ok(hash.as_str().strip_prefix("plain:") == Some(attempt))
    }
    fn dummy_hash(&self) -> &PasswordHash {
        &self.0
    }
}

/// Runs one rung and prints `ops`, `per_second`, `p50_ms`, `p99_ms` and `failed`.
pub fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> Result<(), Box<dyn Error>> {
    let store = Store::connect(&StoreConfig {
        url: args.url.clone(),
        pool_size: args.pool_size,
        connect_timeout: Duration::from_secs(10),
        create_dir: false,
    })
    .await?;
    let tasks = args.tasks.unwrap_or(args.pool_size as usize).max(1);
    let run_for = Duration::from_secs_f64(args.seconds);
    let (level, op) = (args.level, args.op);
    let auth = core(&store)?;
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (store, auth) = (store.clone(), auth.clone());
            tokio::spawn(async move {
                match level {
                    Level::Store => store_loop(&store, op, start, run_for).await,
                    Level::Core => core_loop(&auth, op, start, run_for).await,
                }
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks);
    for handle in handles {
        results.push(handle.await.map_err(|e| e.to_string()).and_then(|r| r));
    }
    let elapsed = start.elapsed();
    println!(
        "level={level:?} op={op:?} tasks={tasks} threads={} pool_size={}",
        args.threads, args.pool_size
    );
    crate::summary::print("ladder", results, elapsed);
    Ok(())
}

/// The use cases on the real JWT issuer and the given store, with a stand-in hasher.
fn core(store: &Store) -> Result<Auth, Box<dyn Error>> {
    let secret = format!("ladder-{}-{}", Uuid::new_v4(), Uuid::new_v4());
    let issuer = JwtIssuer::new(JwtConfig::new(
        "baton",
        "baton-api",
        vec![KeySpec::hs256("bench", secret.into_bytes())],
    ))?;
    let ports = Ports {
        users: Arc::new(store.clone()),
        tokens: Arc::new(store.clone()),
        accounts: Arc::new(store.clone()),
        factors: Arc::new(store.clone()),
        issuer: Arc::new(issuer),
        hasher: Arc::new(PlainHasher(PasswordHash::new("plain:\u{0}never".into()))),
        clock: Arc::new(SystemClock),
        random: Arc::new(SystemRandom),
    };
    Ok(Auth::new(ports, Policy::default()))
}

/// A fresh user and session written straight through the ports, then rotated (or looked up)
/// until `run_for` has passed since `start`; the latency of each step.
async fn store_loop(
    store: &Store,
    op: Op,
    start: Instant,
    run_for: Duration,
) -> Result<Vec<Duration>, String> {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).map_err(|e| e.to_string())?;
    let user = User {
        id: Uuid::new_v4(),
        email: Email::parse(&format!("ladder-{}@example.com", Uuid::new_v4()))
            .map_err(|e| e.to_string())?,
        name: None,
        password_hash: PasswordHash::new("plain:x".into()),
        disabled_at: None,
        email_verified_at: None,
        created_at: now,
        updated_at: now,
    };
    UserStore::create_user(store, &user, None).await.map_err(|e| e.to_string())?;
    let session = Session {
        id: Uuid::new_v4(),
        user_id: user.id,
        refresh_hash: RefreshHash::of(&Uuid::new_v4().to_string()),
        generation: 0,
        rotated_at: now,
        created_at: now,
        last_used_at: now,
        expires_at: now + time::Duration::days(7),
        absolute_expires_at: now + time::Duration::days(30),
        revoked_at: None,
        revoke_reason: None,
        user_agent: Some("baton-bench".into()),
        client_addr: Some("127.0.0.1".into()),
        amr: baton_core::Amr::password(),
    };
    store.create_session(&session).await.map_err(|e| e.to_string())?;
    let id = session.id;
    let mut latencies = Vec::with_capacity(100_000);
    let mut counter = 0u64;
    while start.elapsed() < run_for {
        let t = Instant::now();
        let (session, _user) = store
            .find_session(id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "session vanished".to_string())?;
        if op == Op::Refresh {
            counter += 1;
            let at = OffsetDateTime::now_utc().replace_nanosecond(0).map_err(|e| e.to_string())?;
            let rotation = Rotation {
                session_id: id,
                user_id: session.user_id,
                absolute_expires_at: session.absolute_expires_at,
                expected_generation: session.generation,
                expected_hash: session.refresh_hash,
                new_hash: RefreshHash::of(&format!("{id}.{counter}")),
                rotated_at: at,
                expires_at: at + time::Duration::days(7),
            };
            if store.rotate(&rotation).await.map_err(|e| e.to_string())?.is_none() {
                return Err("rotation lost its compare-and-swap".into());
            }
        }
        latencies.push(t.elapsed());
    }
    Ok(latencies)
}

/// A fresh account registered through the use case, whose chain is then refreshed (or whose
/// access token is checked) until `run_for` has passed since `start`.
async fn core_loop(
    auth: &Auth,
    op: Op,
    start: Instant,
    run_for: Duration,
) -> Result<Vec<Duration>, String> {
    let email = format!("ladder-{}@example.com", Uuid::new_v4());
    let issued = auth
        .register(&email, "ladder-password".into(), None, ClientInfo::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut refresh = issued.refresh_token;
    let access = issued.access_token;
    let mut latencies = Vec::with_capacity(100_000);
    while start.elapsed() < run_for {
        let t = Instant::now();
        match op {
            Op::Refresh => {
                refresh = auth.refresh(&refresh).await.map_err(|e| e.to_string())?.refresh_token
            }
            Op::Me => {
                auth.authenticate(&access).await.map_err(|e| e.to_string())?;
            }
        }
        latencies.push(t.elapsed());
    }
    Ok(latencies)
}
