//! A PostgreSQL server of the test's own, for what the shared test server cannot be used for:
//! stopping and restarting it under a running store, or starting it with `ssl = on` and a
//! throwaway CA. Started like `scripts/with-postgres.sh` does (from the newest
//! `/usr/lib/postgresql/*/bin`, as the `postgres` user when running as root, on a free port of
//! 127.0.0.1). Blocking: call it before or outside the store's runtime work, or on a blocking
//! thread.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{TempDirGuard, temp_dir};

/// A throwaway PostgreSQL server; dropping it stops it for good and deletes its files.
#[derive(Debug)]
pub struct OwnPostgres {
    bin: PathBuf,
    dir: TempDirGuard,
    port: u16,
    settings: Vec<String>,
}

impl OwnPostgres {
    /// `initdb` only: the server is not running yet, so files can be placed in its data
    /// directory first ([`OwnPostgres::write_data_file`]). Panics (never skips) when there are
    /// no server binaries.
    pub fn init() -> OwnPostgres {
        let bin = server_binaries();
        let dir = temp_dir();
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(dir.path()), "chown");
        }
        let data = dir.path().join("data");
        let mut initdb = as_postgres(&bin.join("initdb"));
        run(
            initdb.arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]),
            "initdb",
        );
        OwnPostgres { bin, dir, port: 0, settings: Vec::new() }
    }

    /// `initdb` and start with default settings.
    pub fn start() -> OwnPostgres {
        let mut pg = OwnPostgres::init();
        pg.start_with(&[]);
        pg
    }

    /// Starts the server with extra `name=value` settings (`-c`), kept for
    /// [`OwnPostgres::start_again`]; picks a free port.
    pub fn start_with(&mut self, settings: &[&str]) {
        self.settings = settings.iter().map(|s| (*s).to_owned()).collect();
        for attempt in 1..=3 {
            self.port = free_port();
            if self.try_start().is_ok() {
                return;
            }
            assert!(attempt < 3, "PostgreSQL did not start: {}", self.log());
        }
    }

    /// Writes a file into the data directory, owned by the server's user with mode 0600 (as
    /// PostgreSQL demands of a private key); returns its path.
    pub fn write_data_file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join("data").join(name);
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {name}: {e}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("chmod {name}: {e}"));
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(&path), "chown");
        }
        path
    }

    /// The URL of its `postgres` database on host `host` (`127.0.0.1` or `localhost`).
    pub fn url_via(&self, host: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres", self.port)
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        self.url_via("127.0.0.1")
    }

    /// `pg_ctl stop -m fast`: open connections are terminated, new ones refused.
    pub fn stop(&self) {
        run(self.pg_ctl().args(["-m", "fast", "-w", "stop"]), "pg_ctl stop");
    }

    /// Starts it again on the same data, port and settings.
    pub fn start_again(&self) {
        self.try_start().unwrap_or_else(|e| panic!("{e}: {}", self.log()));
    }

    fn try_start(&self) -> Result<(), String> {
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        for setting in &self.settings {
            options.push_str(&format!(" -c {setting}"));
        }
        let log = self.dir.path().join("server.log");
        let out = self
            .pg_ctl()
            .arg("-l")
            .arg(log)
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .map_err(|e| format!("pg_ctl start: {e}"))?;
        if out.status.success() { Ok(()) } else { Err("pg_ctl start failed".into()) }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
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

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound").port()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// `program`, run as the `postgres` user when we are root (initdb and pg_ctl refuse root).
fn as_postgres(program: &Path) -> Command {
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
    match path.filter(|p| !p.is_empty()).and_then(|p| Some(Path::new(&p).parent()?.to_owned())) {
        Some(dir) => dir,
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
