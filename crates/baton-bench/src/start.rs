//! Start-up time: spawn a server, poll its readiness URL every millisecond over plain
//! HTTP/1.1, and report the time from spawning to the first `200`. The server keeps running
//! after this program exits; the caller stops it by the printed process id.

use std::error::Error;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Options of `baton-bench start`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address the server listens on, e.g. 127.0.0.1:18080.
    #[arg(long)]
    addr: SocketAddr,
    /// Readiness path polled until it answers 200.
    #[arg(long, default_value = "/readyz")]
    path: String,
    /// File that gets the server's stdout and stderr.
    #[arg(long)]
    log: std::path::PathBuf,
    /// Give up (and kill the server) after this many seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    /// The server command and its arguments (after `--`).
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// Prints `pid` and `ready_ms` once the server is ready; fails if it exits or times out.
pub fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let log = File::create(&args.log)?;
    let (program, rest) = args.command.split_first().ok_or("no command given")?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    let deadline = started + Duration::from_secs(args.timeout_secs);
    loop {
        if ready(args.addr, &args.path) {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            println!("pid={}", child.id());
            println!("ready_ms={ms:.1}");
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            return Err(format!(
                "server exited before it was ready ({status}); see {}",
                args.log.display()
            )
            .into());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("server not ready within {} s", args.timeout_secs).into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// One `GET path` on a fresh connection: true when the status is 200.
fn ready(addr: SocketAddr, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(100)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}
