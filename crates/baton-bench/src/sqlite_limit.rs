//! The SQLite refresh limit: the statement a refresh sends, driven straight on the server's
//! database file with no HTTP, JWT, core, store or pool in between.
//!
//! The statement is the store's own text (`baton_store::statements::ROTATE_SQLITE`), bound
//! with the same values in the same representation (ids as 16-byte blobs, instants as Unix
//! seconds, hashes as 32-byte blobs) and kept prepared, as the store keeps it. It runs on as
//! many threads as the server's pool has connections (the server never runs more rotations at
//! once), each on its own diesel `SqliteConnection` opened with the store's pragmas, each
//! rotating a session of its own. The threads take turns on a mutex before each statement:
//! SQLite runs one writer at a time whatever happens, and a writer waiting on the mutex is
//! woken the moment the lock is free, where one polling from SQLite's busy handler sleeps
//! 1 to 100 ms between tries (with `--no-turns` they race in the busy handler, as the
//! server's pool does; measured, 2 of 16 threads then starved past the 5 s busy timeout in a
//! 5 s run). One thread or sixteen taking turns run at the same rate. What is left is what every SQLite refresh pays and Baton
//! cannot remove: the statement, one at a time, its WAL commit, and diesel's binding and row
//! decoding (the thinnest way to drive the bundled SQLite the server is linked with).

use diesel::connection::SimpleConnection;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::sqlite::Sqlite;
use diesel::{Connection, OptionalExtension, QueryResult, QueryableByName, RunQueryDsl};
use diesel::{SqliteConnection, sql_query};
use std::error::Error;
use std::sync::{Barrier, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Options of `baton-bench sqlite-limit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server's database: `sqlite://path`, `sqlite:///abs/path` or a plain path. Its
    /// users table must hold at least one user (the bench registers some first).
    #[arg(long)]
    url: String,
    /// Threads, one connection and one session each: the server's `database.pool_size`.
    #[arg(long, default_value_t = 16)]
    threads: usize,
    /// How long to run.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Let the threads race for SQLite's lock in its busy handler instead of taking turns.
    #[arg(long)]
    no_turns: bool,
}

/// The store's pragmas (`baton_store`'s `Pragmas::apply`), in the same order.
const PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                       PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

/// Keeps the rotation prepared under a type of its own, as `baton_store`'s `KeepPrepared`
/// does (diesel never caches raw SQL by itself).
struct Prepared<Q>(Q);

impl<Q> QueryId for Prepared<Q> {
    type QueryId = Prepared<()>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q: QueryFragment<Sqlite>> QueryFragment<Sqlite> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Sqlite) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Prepared<Q> {}

/// Everything the rotation returns, decoded as the store decodes it (its `RotatedRow`).
#[derive(QueryableByName)]
#[allow(dead_code)] // decoded for the cost, not read
struct Rotated {
    #[diesel(sql_type = Binary)]
    id: Vec<u8>,
    #[diesel(sql_type = Binary)]
    user_id: Vec<u8>,
    #[diesel(sql_type = Binary)]
    refresh_hash: Vec<u8>,
    #[diesel(sql_type = BigInt)]
    generation: i64,
    #[diesel(sql_type = BigInt)]
    rotated_at: i64,
    #[diesel(sql_type = BigInt)]
    created_at: i64,
    #[diesel(sql_type = BigInt)]
    last_used_at: i64,
    #[diesel(sql_type = BigInt)]
    expires_at: i64,
    #[diesel(sql_type = BigInt)]
    absolute_expires_at: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    revoked_at: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    revoke_reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    user_agent: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    client_addr: Option<String>,
    #[diesel(sql_type = Text)]
    u_email: String,
    #[diesel(sql_type = Text)]
    u_password_hash: String,
    #[diesel(sql_type = Nullable<Text>)]
    u_name: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    u_disabled_at: Option<i64>,
    #[diesel(sql_type = BigInt)]
    u_created_at: i64,
    #[diesel(sql_type = BigInt)]
    u_updated_at: i64,
}

#[derive(QueryableByName)]
struct UserId {
    #[diesel(sql_type = Binary)]
    id: Vec<u8>,
}

/// One thread's session: what the next rotation presents.
struct Chain {
    id: Vec<u8>,
    user_id: Vec<u8>,
    generation: i64,
    hash: [u8; 32],
    absolute_end: i64,
}

fn path_of(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

fn connect(path: &str) -> Result<SqliteConnection, Box<dyn Error + Send + Sync>> {
    let mut conn = SqliteConnection::establish(path)?;
    conn.batch_execute(PRAGMAS)?;
    Ok(conn)
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A 32-byte hash that differs for every rotation of every chain (the server binds the
/// SHA-256 of the new token; computing it is the core's work, not the database's).
fn next_hash(chain: &Chain) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..16].copy_from_slice(&chain.id);
    h[16..24].copy_from_slice(&(chain.generation + 1).to_le_bytes());
    h
}

/// Adds one session per thread to the file, owned by the existing users in turn.
fn open_chains(path: &str, threads: usize) -> Result<Vec<Chain>, Box<dyn Error + Send + Sync>> {
    let mut conn = connect(path)?;
    let users: Vec<UserId> = sql_query("SELECT id FROM users ORDER BY id").load(&mut conn)?;
    if users.is_empty() {
        return Err("no users in the database: register some first".into());
    }
    let now = unix_now();
    let mut chains = Vec::with_capacity(threads);
    for k in 0..threads {
        let mut hash = [0u8; 32];
        hash[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        let chain = Chain {
            id: uuid::Uuid::new_v4().as_bytes().to_vec(),
            user_id: users[k % users.len()].id.clone(),
            generation: 0,
            hash,
            absolute_end: now + 30 * 86_400,
        };
        sql_query(
            "INSERT INTO sessions (id, user_id, refresh_hash, generation, rotated_at, created_at, \
             last_used_at, expires_at, absolute_expires_at, user_agent, client_addr) \
             VALUES ($1, $2, $3, 0, $4, $4, $4, $5, $6, 'baton-bench', '127.0.0.1')",
        )
        .bind::<Binary, _>(&chain.id)
        .bind::<Binary, _>(&chain.user_id)
        .bind::<Binary, _>(chain.hash.as_slice())
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(now + 7 * 86_400)
        .bind::<BigInt, _>(chain.absolute_end)
        .execute(&mut conn)?;
        chains.push(chain);
    }
    Ok(chains)
}

/// One rotation of `chain`, exactly as the store binds it; `false` if the guard did not hold.
fn rotate(conn: &mut SqliteConnection, chain: &mut Chain) -> QueryResult<bool> {
    let now = unix_now();
    let new_hash = next_hash(chain);
    let query = sql_query(baton_store::statements::ROTATE_SQLITE)
        .bind::<Binary, _>(new_hash.as_slice())
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(now + 7 * 86_400)
        .bind::<Binary, _>(chain.id.as_slice())
        .bind::<Binary, _>(chain.user_id.as_slice())
        .bind::<BigInt, _>(chain.generation)
        .bind::<Binary, _>(chain.hash.as_slice())
        .bind::<BigInt, _>(chain.absolute_end);
    let row: Option<Rotated> = Prepared(query).get_result(conn).optional()?;
    match row {
        Some(row) => {
            chain.generation = row.generation;
            chain.hash = new_hash;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Runs the limit and prints `threads`, `ops`, `per_second`, `p50_ms`, `p99_ms`, `failed`.
pub fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let path = path_of(&args.url).to_owned();
    let threads = args.threads.max(1);
    let chains = open_chains(&path, threads).map_err(|e| e.to_string())?;
    let run_for = Duration::from_secs_f64(args.seconds);
    let ready = Barrier::new(threads + 1);
    let turns = Mutex::new(());
    let take_turns = !args.no_turns;
    let (results, elapsed) = std::thread::scope(|scope| {
        let handles: Vec<_> = chains
            .into_iter()
            .map(|mut chain| {
                let (path, ready, turns) = (path.as_str(), &ready, &turns);
                scope.spawn(move || -> Result<Vec<Duration>, String> {
                    let conn = connect(path).map_err(|e| e.to_string());
                    ready.wait();
                    let mut conn = conn?;
                    let start = Instant::now();
                    let mut latencies = Vec::with_capacity(200_000);
                    while start.elapsed() < run_for {
                        let t = Instant::now();
                        let turn = take_turns
                            .then(|| turns.lock().unwrap_or_else(PoisonError::into_inner));
                        let rotated = rotate(&mut conn, &mut chain);
                        drop(turn);
                        match rotated {
                            Ok(true) => latencies.push(t.elapsed()),
                            Ok(false) => return Err("a rotation's guard did not hold".into()),
                            Err(e) => return Err(format!("rotation failed: {e}")),
                        }
                    }
                    Ok(latencies)
                })
            })
            .collect();
        ready.wait();
        let start = Instant::now();
        let results: Vec<_> =
            handles.into_iter().map(|h| h.join().expect("limit thread panicked")).collect();
        (results, start.elapsed())
    });
    println!("threads={threads}");
    println!("turns={take_turns}");
    crate::summary::print("sqlite-limit", results, elapsed);
    Ok(())
}
