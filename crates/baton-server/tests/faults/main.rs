//! Fault and cluster tests: the real `baton` binary (built by cargo for this package) as
//! separate processes on real PostgreSQL servers — killed with SIGKILL mid-load, cut off
//! from a stopped database, starved by a saturated pool, and run three at a time on one
//! database.
//!
//! Needs `TEST_DATABASE_URL` (run under `scripts/with-postgres.sh`, as `just test` and
//! `just faults` do) and the PostgreSQL server binaries (`initdb`, `pg_ctl`) for the test
//! that stops its own server. Without them the tests fail; they never skip.

mod helpers;
mod postgres;

mod crash;
mod database_down;
mod key_move;
mod many_servers;
mod pool;
mod restart;
