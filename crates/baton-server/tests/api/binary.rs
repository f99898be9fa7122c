//! The built `baton` binary as an operator runs it, against a test database: one-shot
//! commands, and `baton serve` with its stderr (JSON logs) captured line by line.

use crate::helpers::{Backend, SECRET};
use baton_store::testing::TestDatabase;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fresh database for the binary, removed when the value is dropped.
pub struct Db {
    pub url: String,
    _db: TestDatabase,
}

impl Db {
    pub async fn create(backend: Backend) -> Db {
        let db = tokio::task::spawn_blocking(move || match backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres(),
        })
        .await
        .unwrap();
        Db { url: db.url().to_owned(), _db: db }
    }
}

/// An existing, empty configuration directory: an explicit one must exist.
pub fn empty_config_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("baton-tests-empty-config");
    std::fs::create_dir_all(&dir).expect("creating an empty config directory");
    dir
}

/// `baton` with a clean environment: prod profile, no config files, the test secret, the
/// given database, any free port, cheap bcrypt and no periodic purge.
pub fn baton(url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.env_clear()
        .env("BATON_PROFILE", "prod")
        .env("BATON_CONFIG_DIR", empty_config_dir())
        .env("BATON_JWT__SECRET", SECRET)
        .env("BATON_DATABASE__URL", url)
        .env("BATON_SERVER__PORT", "0")
        .env("BATON_JWT__ISSUER", "https://baton.test")
        .env("BATON_PASSWORDS__BCRYPT_COST", "4")
        .env("BATON_SECURITY__ALLOW_WEAK_SETTINGS", "[passwords.bcrypt_cost]")
        .env("BATON_RATE_LIMIT__BURST", "0")
        .env("BATON_PURGE__INTERVAL", "0");
    cmd
}

/// [`baton`] with arguments.
pub fn baton_with(url: &str, args: &[&str]) -> Command {
    let mut cmd = baton(url);
    cmd.args(args);
    cmd
}

/// Runs a one-shot command with `stdin` as its input, off the async runtime.
pub async fn run(mut cmd: Command, stdin: &str) -> Output {
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting baton");
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Asserts exit code 1 with exactly one `baton: ...` line on stderr; returns it.
pub fn failed(out: &Output) -> String {
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("baton: "), "{stderr}");
    stderr.trim_end().to_owned()
}

/// A running `baton serve` whose stderr is collected.
pub struct Served {
    child: KillOnDrop,
    pub port: u16,
    lines: Arc<Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

/// The server process, killed when dropped unless it has exited: a test that fails before
/// `stop` must not leave a server running.
struct KillOnDrop(Child);

impl std::ops::Deref for KillOnDrop {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl Served {
    /// Starts `cmd serve` with JSON logs and waits for its "baton listening" line.
    pub fn start(mut cmd: Command) -> Served {
        cmd.env("BATON_LOG__FORMAT", "json").arg("serve");
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in stderr.lines() {
                let line = line.unwrap();
                if line.contains("\"baton listening\"") {
                    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
                    let _ = port_tx.send(json["port"].as_u64().unwrap() as u16);
                }
                sink.lock().unwrap().push(line);
            }
        });
        let port = port_rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
            panic!("baton did not start: {:?}", lines.lock().unwrap());
        });
        Served { child: KillOnDrop(child), port, lines, reader }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Waits up to `timeout` for a line satisfying `pred`.
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(line) = self.lines.lock().unwrap().iter().find(|l| pred(l)) {
                return Some(line.clone());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Sends `kill -<name>` (e.g. `HUP`) to the server.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").arg(format!("-{name}")).arg(pid).status().unwrap();
        assert!(sent.success(), "kill -{name}");
    }

    /// Whether the process has exited (and how), without waiting.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Stops the server with SIGTERM and returns every line it wrote.
    pub async fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        tokio::task::spawn_blocking(move || {
            assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
            assert!(self.child.wait().unwrap().success(), "baton exits 0 on SIGTERM");
            self.reader.join().unwrap();
            Arc::try_unwrap(self.lines).unwrap().into_inner().unwrap()
        })
        .await
        .unwrap()
    }
}
