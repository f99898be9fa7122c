//! `baton-bench`: the small programs `just bench` (`bench/run.sh`) needs besides `baton`,
//! wrk and pgbench.
//!
//! - `bare-me`: the access-check limit, an actix-web server whose `GET /api/v1/auth/me`
//!   returns the same JSON as Baton's, with no authentication and no database.
//! - `async-me`: the same JSON after the floor's session look-up, sent from the actix worker
//!   through an asynchronous PostgreSQL client (what such a client could buy; information).
//! - `bcrypt`: the login limit, raw bcrypt verifications per second on N threads.
//! - `sqlite-limit`: the SQLite refresh limit, the rotation statement driven straight on the
//!   server's database file by as many threads as the server's pool.
//! - `start`: starts a server, polls its readiness URL every millisecond and prints the
//!   process id and the time from `exec` to the first `200`.
//! - `ladder`: a refresh or access check through the store alone, or the core use case
//!   alone, with no HTTP: the rungs between pgbench and the server, for profiling.
//!
//! Every subcommand prints `key=value` lines on stdout for the script to read.

mod async_me;
mod bare;
mod bcrypt_rate;
mod ladder;
mod pgbench_scripts;
mod sqlite_limit;
mod start;
mod summary;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Command line of `baton-bench`.
#[derive(Debug, Parser)]
#[command(name = "baton-bench", about = "Helpers for `just bench`")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve `GET /api/v1/auth/me` with a fixed user and no auth (the access-check limit).
    BareMe(bare::Args),
    /// Serve `GET /api/v1/auth/me` after the session look-up through tokio-postgres.
    AsyncMe(async_me::Args),
    /// Count raw bcrypt verifications per second (the login limit).
    Bcrypt(bcrypt_rate::Args),
    /// Run the rotation statement straight on a SQLite file (the SQLite refresh limit).
    SqliteLimit(sqlite_limit::Args),
    /// Start a server in the background and time it until its readiness URL answers 200.
    Start(start::Args),
    /// Run a refresh or access check through the store or the core alone, without HTTP.
    Ladder(ladder::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::BareMe(args) => bare::run(args),
        Command::AsyncMe(args) => async_me::run(args),
        Command::Bcrypt(args) => bcrypt_rate::run(args),
        Command::SqliteLimit(args) => sqlite_limit::run(args),
        Command::Start(args) => start::run(args),
        Command::Ladder(args) => ladder::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baton-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
