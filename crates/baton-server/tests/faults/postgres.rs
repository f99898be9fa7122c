//! PostgreSQL for the fault scenarios: a fresh database on the shared test server
//! (`TEST_DATABASE_URL`, from `scripts/with-postgres.sh`), a throwaway server of the test's
//! own that it may stop and start, and raw SQL for looking under the API.

use crate::helpers::TempDir;
use diesel::prelude::*;
use std::path::PathBuf;
use std::process::Command;

/// A fresh, empty database on the shared test server, dropped with the value.
pub async fn fresh_database() -> baton_store::testing::PgDatabase {
    crate::helpers::blocking(baton_store::testing::postgres_database).await
}

/// A direct connection, for SQL the API does not offer.
pub fn connect(url: &str) -> PgConnection {
    PgConnection::establish(url).unwrap_or_else(|e| panic!("connecting to PostgreSQL: {e}"))
}

/// One row of `sessions`, as the crash checks read it.
#[derive(Debug, QueryableByName)]
pub struct SessionRow {
    /// Session id (the `sid` of its tokens).
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: uuid::Uuid,
    /// Rotations so far.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub generation: i64,
    /// SHA-256 of the one current refresh token.
    #[diesel(sql_type = diesel::sql_types::Binary)]
    pub refresh_hash: Vec<u8>,
    /// Whether the session was revoked.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub revoked: bool,
}

/// Every session row.
pub fn sessions(url: &str) -> Vec<SessionRow> {
    diesel::sql_query(
        "SELECT id, generation, refresh_hash, revoked_at IS NOT NULL AS revoked FROM sessions",
    )
    .load(&mut connect(url))
    .expect("reading sessions")
}

/// A PostgreSQL server of the test's own, in a temporary directory, on a free port: started
/// like `scripts/with-postgres.sh` does (as the `postgres` user when running as root). The
/// test may stop and restart it; dropping it stops it for good and deletes its files.
pub struct OwnPostgres {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
}

impl OwnPostgres {
    /// `initdb` and start. Panics (never skips) when no PostgreSQL server binaries exist.
    pub fn start() -> OwnPostgres {
        let bin = server_binaries();
        let dir = TempDir::new();
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(dir.path()), "chown");
        }
        let data = dir.path().join("data");
        run(
            as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]),
            "initdb",
        );
        let pg = OwnPostgres { bin, dir, port: crate::helpers::free_port() };
        pg.start_again();
        pg
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl stop -m fast`: open connections are terminated, new ones refused.
    pub fn stop(&self) {
        run(self.pg_ctl().args(["-m", "fast", "-w", "stop"]), "pg_ctl stop");
    }

    /// `pg_ctl start` on the same data and port.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        run(
            self.pg_ctl().arg("-l").arg(log).args(["-w", "-t", "60", "-o", &options, "start"]),
            "pg_ctl start",
        );
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = as_postgres(&self.bin.join("pg_ctl"));
        cmd.arg("-D").arg(self.dir.path().join("data"));
        cmd
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl().args(["-m", "immediate", "-w", "stop"]).output();
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// `program`, run as the `postgres` user when we are root (initdb and pg_ctl refuse root).
fn as_postgres(program: &std::path::Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin`, or the directory of `pg_ctl` on `PATH`.
fn server_binaries() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    let found = Command::new("sh").args(["-c", "command -v pg_ctl"]).output().ok();
    let path = found.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match path.filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p).parent().unwrap().to_owned(),
        None => panic!("this test needs PostgreSQL server binaries (initdb, pg_ctl)"),
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
