//! A real SMTP server process (aiosmtpd, `tests/support/smtp_sink.py`) that stores what it
//! receives; optionally with STARTTLS and authentication.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A real SMTP server process that stores what it receives.
pub struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpSink {
    pub fn start(port: u16) -> SmtpSink {
        Self::start_with(port, &[])
    }

    /// With extra flags: `--starttls CERT KEY`, `--auth USER PASSWORD`.
    pub fn start_with(port: u16, flags: &[&str]) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .args(flags)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd) is needed for the mail tests");
        use std::io::BufRead as _;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start (is aiosmtpd installed?)");
        SmtpSink { child, dir, port }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The envelope senders (MAIL FROM) of the messages, in order.
    pub fn senders(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "from"))
            .collect();
        files.sort();
        files.into_iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }

    /// The messages received, without the console's own emails (verify, reset, invitations,
    /// notices to console accounts — their subjects name Steward), which every test's console
    /// sign-up sends through the platform transport.
    pub fn messages(&self) -> Vec<String> {
        self.all_messages().into_iter().filter(|m| !is_console_email(m)).collect()
    }

    /// Every message received.
    pub fn all_messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.into_iter().map(|p| decode_qp(&std::fs::read_to_string(p).unwrap())).collect()
    }

    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        self.wait_for_within(n, Duration::from_secs(10)).await
    }

    /// Waits until at least `n` messages (console emails included) arrived.
    pub async fn wait_for_all(&self, n: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            let m = self.all_messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} emails, got {}", self.all_messages().len());
    }

    /// Waits until at least `n` messages arrived, at most `limit`.
    pub async fn wait_for_within(&self, n: usize, limit: Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} emails, got {}", self.messages().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a message is one of the console's own emails (its subject names Steward).
fn is_console_email(message: &str) -> bool {
    message.lines().find_map(|l| l.strip_prefix("Subject: ")).is_some_and(|s| s.contains("Steward"))
}

/// Undoes quoted-printable soft line breaks and `=3D` (enough to read links).
pub fn decode_qp(s: &str) -> String {
    s.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// A server that accepts TCP connections and never says a word: the worst SMTP host a tenant
/// can name. Connections are held open until it is dropped.
pub struct Tarpit {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Tarpit {
    pub async fn start() -> Tarpit {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        Tarpit { port, task }
    }
}

impl Drop for Tarpit {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The Message-ID header of a raw message.
pub fn message_id(message: &str) -> Option<String> {
    message.lines().find_map(|l| l.strip_prefix("Message-ID: ").or_else(|| l.strip_prefix("Message-Id: ")).map(|v| v.trim().to_owned()))
}
