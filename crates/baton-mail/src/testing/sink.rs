//! A real SMTP server for tests, on a TCP socket of 127.0.0.1.
//!
//! It speaks enough of RFC 5321 for any client: EHLO/HELO, STARTTLS or TLS from the first
//! byte, AUTH PLAIN, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT; it advertises
//! 8BITMIME and SMTPUTF8. Every accepted mail is recorded and handed to
//! [`SmtpSink::next_message`], which awaits it. [`SmtpSink::stop`] closes the port and every
//! open connection (clients then get "connection refused"); [`SmtpSink::restart`] listens on
//! the same port again, keeping the mails not read yet.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{Mutex, mpsc};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::received::Received;

/// How the sink uses TLS.
#[derive(Clone)]
pub enum SinkTls {
    /// Plain text; no STARTTLS offered.
    None,
    /// STARTTLS offered after EHLO.
    StartTls(Arc<rustls::ServerConfig>),
    /// TLS from the first byte (`smtps://`).
    Implicit(Arc<rustls::ServerConfig>),
}

/// What the sink accepts.
#[derive(Clone)]
pub struct SinkOptions {
    /// TLS mode.
    pub tls: SinkTls,
    /// When set, `MAIL` needs `AUTH PLAIN` with this user and password first.
    pub login: Option<(String, String)>,
    /// Recipients whose domain is one of these are refused with `550`.
    pub refuse_domains: Vec<String>,
    /// How long [`SmtpSink::next_message`] waits before it panics.
    pub wait: Duration,
}

impl Default for SinkOptions {
    fn default() -> Self {
        Self {
            tls: SinkTls::None,
            login: None,
            refuse_domains: vec!["refused.example".into()],
            wait: Duration::from_secs(10),
        }
    }
}

/// A running (or stopped) SMTP server recording what it receives.
pub struct SmtpSink {
    addr: SocketAddr,
    options: SinkOptions,
    tx: mpsc::UnboundedSender<Received>,
    rx: Mutex<mpsc::UnboundedReceiver<Received>>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpSink {
    /// A plain-text sink on a free port.
    pub async fn start() -> Self {
        Self::start_with(SinkOptions::default()).await
    }

    /// A sink with `options` on a free port.
    pub async fn start_with(options: SinkOptions) -> Self {
        let listener = bind("127.0.0.1:0".parse().expect("an address")).await;
        let addr = listener.local_addr().expect("a bound socket");
        let (tx, rx) = mpsc::unbounded_channel();
        let sink = Self { addr, options, tx, rx: Mutex::new(rx), server: Mutex::new(None) };
        *sink.server.lock().await = Some(sink.serve(listener));
        sink
    }

    /// The port it listens on (the same across restarts).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// An `smtp://` or `smtps://` URL for this sink, with `credentials` as `user:password`
    /// when given. Plain sinks get `?tls=none`, STARTTLS sinks `?tls=required`.
    pub fn url(&self, credentials: Option<(&str, &str)>) -> String {
        let login = credentials.map(|(u, p)| format!("{u}:{p}@")).unwrap_or_default();
        let port = self.port();
        match self.options.tls {
            SinkTls::None => format!("smtp://{login}127.0.0.1:{port}?tls=none"),
            SinkTls::StartTls(_) => format!("smtp://{login}127.0.0.1:{port}?tls=required"),
            SinkTls::Implicit(_) => format!("smtps://{login}127.0.0.1:{port}"),
        }
    }

    /// Closes the port and every open connection; returns once nothing listens.
    pub async fn stop(&self) {
        if let Some(server) = self.server.lock().await.take() {
            server.abort();
            let _ = server.await;
        }
    }

    /// Listens on the same port again (after [`SmtpSink::stop`]).
    pub async fn restart(&self) {
        let mut server = self.server.lock().await;
        if server.is_none() {
            *server = Some(self.serve(bind(self.addr).await));
        }
    }

    /// The next mail received and not returned before, awaited; panics when none comes
    /// within [`SinkOptions::wait`].
    pub async fn next_message(&self) -> Received {
        let mut rx = self.rx.lock().await;
        match tokio::time::timeout(self.options.wait, rx.recv()).await {
            Ok(Some(received)) => received,
            Ok(None) => panic!("the SMTP sink's channel closed"),
            Err(_) => panic!("no mail reached the SMTP sink within {:?}", self.options.wait),
        }
    }

    /// A mail received and not returned yet, if one is there now.
    pub async fn try_next_message(&self) -> Option<Received> {
        self.rx.lock().await.try_recv().ok()
    }

    fn serve(&self, listener: TcpListener) -> JoinHandle<()> {
        let (options, tx) = (self.options.clone(), self.tx.clone());
        tokio::spawn(async move {
            // Dropped with this task on stop: every connection task is aborted with it.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let (options, tx) = (options.clone(), tx.clone());
                connections.spawn(async move {
                    let _ = session(Box::new(stream), options, tx).await;
                });
                while connections.try_join_next().is_some() {}
            }
        })
    }
}

/// Binds with `SO_REUSEADDR`, so a restart can take the port back at once.
async fn bind(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket.set_reuseaddr(true).expect("SO_REUSEADDR");
    socket.bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    socket.listen(64).expect("listen")
}

/// A connection, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The state of one SMTP conversation.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

async fn session(
    stream: Box<dyn Io>,
    options: SinkOptions,
    tx: mpsc::UnboundedSender<Received>,
) -> std::io::Result<()> {
    let (mut stream, mut tls): (Box<dyn Io>, bool) = match &options.tls {
        SinkTls::Implicit(config) => {
            (Box::new(TlsAcceptor::from(config.clone()).accept(stream).await?), true)
        }
        _ => (stream, false),
    };
    stream.write_all(b"220 baton-sink ESMTP ready\r\n").await?;
    stream.flush().await?;
    // After STARTTLS the conversation starts over (RFC 3207), without a new greeting.
    'connection: loop {
        let mut io = BufReader::new(stream);
        let mut authenticated = options.login.is_none();
        let mut envelope = Envelope::default();
        let mut line = Vec::new();
        loop {
            line.clear();
            if io.read_until(b'\n', &mut line).await? == 0 {
                return Ok(());
            }
            let text = String::from_utf8_lossy(&line).trim_end().to_owned();
            let upper = text.to_ascii_uppercase();
            let verb = upper.split_whitespace().next().unwrap_or("");
            let reply: String = match verb {
                "EHLO" => {
                    let mut lines = vec!["250-baton-sink", "250-8BITMIME", "250-SMTPUTF8"];
                    if !tls && matches!(options.tls, SinkTls::StartTls(_)) {
                        lines.push("250-STARTTLS");
                    }
                    if options.login.is_some() {
                        lines.push("250-AUTH PLAIN");
                    }
                    lines.push("250 SIZE 10485760");
                    envelope = Envelope::default();
                    lines.join("\r\n")
                }
                "HELO" => "250 baton-sink".into(),
                "STARTTLS" => match &options.tls {
                    SinkTls::StartTls(config) if !tls => {
                        io.write_all(b"220 2.0.0 ready to start TLS\r\n").await?;
                        io.flush().await?;
                        let acceptor = TlsAcceptor::from(config.clone());
                        stream = Box::new(acceptor.accept(io.into_inner()).await?);
                        tls = true;
                        continue 'connection;
                    }
                    _ => "502 5.5.1 STARTTLS not available".into(),
                },
                "AUTH" => match auth(&mut io, &text, &options).await? {
                    true => {
                        authenticated = true;
                        "235 2.7.0 authenticated".into()
                    }
                    false => "535 5.7.8 bad credentials".into(),
                },
                "MAIL" if !authenticated => "530 5.7.0 authentication required".into(),
                "MAIL" => {
                    envelope = Envelope { from: Some(angle(&text)), to: Vec::new() };
                    "250 2.1.0 ok".into()
                }
                "RCPT" if envelope.from.is_none() => "503 5.5.1 MAIL first".into(),
                "RCPT" => {
                    let to = angle(&text);
                    let domain = to.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase();
                    if options.refuse_domains.iter().any(|d| d.eq_ignore_ascii_case(&domain)) {
                        "550 5.1.1 mailbox unavailable".into()
                    } else {
                        envelope.to.push(to);
                        "250 2.1.5 ok".into()
                    }
                }
                "DATA" if envelope.to.is_empty() => "554 5.5.1 no valid recipients".into(),
                "DATA" => {
                    io.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                    let data = read_data(&mut io).await?;
                    let from = envelope.from.take().unwrap_or_default();
                    let to = std::mem::take(&mut envelope.to);
                    let _ = tx.send(Received { mail_from: from, rcpt_to: to, data, tls });
                    "250 2.0.0 queued".into()
                }
                "RSET" => {
                    envelope = Envelope::default();
                    "250 2.0.0 ok".into()
                }
                "NOOP" => "250 2.0.0 ok".into(),
                "QUIT" => {
                    io.write_all(b"221 2.0.0 bye\r\n").await?;
                    return Ok(());
                }
                _ => "502 5.5.2 command not recognised".into(),
            };
            io.write_all(format!("{reply}\r\n").as_bytes()).await?;
            io.flush().await?;
        }
    }
}

/// The address between `<` and `>` of a `MAIL FROM:`/`RCPT TO:` line.
fn angle(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_owned()
}

/// `AUTH PLAIN [initial-response]`: true when the user and password match.
async fn auth<S: Io>(
    io: &mut BufReader<S>,
    line: &str,
    options: &SinkOptions,
) -> std::io::Result<bool> {
    use base64::Engine;
    let mut words = line.split_whitespace().skip(1);
    if !words.next().is_some_and(|m| m.eq_ignore_ascii_case("PLAIN")) {
        return Ok(false);
    }
    let encoded = match words.next() {
        Some(initial) => initial.to_owned(),
        None => {
            io.write_all(b"334 \r\n").await?;
            io.flush().await?;
            let mut answer = String::new();
            io.read_line(&mut answer).await?;
            answer.trim().to_owned()
        }
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return Ok(false);
    };
    let mut parts = decoded.split(|b| *b == 0).skip(1);
    let (user, password) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    Ok(options
        .login
        .as_ref()
        .is_some_and(|(u, p)| u.as_bytes() == user && p.as_bytes() == password))
}

/// The message after `DATA`, up to the lone dot, with dot-stuffing undone and CRLF kept.
async fn read_data<S: Io>(io: &mut BufReader<S>) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if io.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(data);
        }
        let unstuffed = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        data.extend_from_slice(unstuffed);
    }
}
