//! SMTP: the platform transport (a URL), an instance's own server (host, port, security,
//! credentials), and a step-by-step connection test that reports what the server said.

use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, Message};
use steward_domain::email::SmtpSecurity;

/// How long a connection, a TLS handshake or a command may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// An instance's own SMTP server.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Send the password even when the connection is not encrypted (`security: none`).
    pub allow_insecure_auth: bool,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("allow_insecure_auth", &self.allow_insecure_auth)
            .finish()
    }
}

/// Root certificates trusted for SMTP TLS besides the built-in web PKI roots (an operator's
/// private CA). Parsed once at start.
#[derive(Clone, Default)]
pub struct TrustedRoots(Vec<Vec<u8>>);

impl TrustedRoots {
    /// Reads every certificate of a PEM file.
    pub fn from_pem_file(path: &std::path::Path) -> anyhow::Result<Self> {
        let pem = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("Failed to read {}: {e}", path.display()))?;
        let mut certs = Vec::new();
        let mut rest = pem.as_str();
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let end_marker = "-----END CERTIFICATE-----";
            let Some(end) = rest[start..].find(end_marker) else { break };
            let block = &rest[start..start + end + end_marker.len()];
            Certificate::from_pem(block.as_bytes()).map_err(|e| anyhow::anyhow!("{} holds an invalid certificate: {e}", path.display()))?;
            certs.push(block.as_bytes().to_vec());
            rest = &rest[start + end + end_marker.len()..];
        }
        if certs.is_empty() {
            anyhow::bail!("{} holds no PEM certificate", path.display());
        }
        Ok(Self(certs))
    }

    fn tls_parameters(&self, host: &str) -> Result<TlsParameters, lettre::transport::smtp::Error> {
        let mut b = TlsParameters::builder(host.to_owned());
        for pem in &self.0 {
            b = b.add_root_certificate(Certificate::from_pem(pem)?);
        }
        b.build_rustls()
    }
}

/// `"Name" <address>` built from parsed parts (quoted as needed), or the address alone.
pub fn mailbox_header(name: Option<&str>, address: &str) -> String {
    match (name, address.parse::<Address>()) {
        (Some(name), Ok(addr)) => Mailbox::new(Some(name.to_owned()), addr).to_string(),
        _ => address.to_owned(),
    }
}

/// One email ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// A stable Message-ID (`<id@host>`): a message sent twice (a process dying between the
    /// server's acceptance and the record of it) is recognisably the same message.
    pub message_id: Option<String>,
    pub from: &'a str,
    pub reply_to: Option<&'a str>,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

impl Outgoing<'_> {
    /// Builds the MIME message; addresses are parsed (never pasted into headers).
    pub fn message(&self) -> Result<Message, String> {
        let from: Mailbox = self.from.parse().map_err(|e| format!("invalid sender {:?}: {e}", self.from))?;
        let to: Mailbox = self.to.parse().map_err(|e| format!("invalid recipient {:?}: {e}", self.to))?;
        let mut b = Message::builder().from(from).to(to).subject(self.subject).message_id(self.message_id.clone());
        if let Some(r) = self.reply_to {
            b = b.reply_to(r.parse().map_err(|e| format!("invalid reply-to {r:?}: {e}"))?);
        }
        b.multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(self.text.to_owned()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(self.html.to_owned())),
        )
        .map_err(|e| format!("could not build the message: {e}"))
    }
}

/// The most steps one message takes on a new connection (connect, TLS, greeting, STARTTLS, AUTH,
/// and the message's commands and data): a send never lasts longer than this many step timeouts.
pub const STEPS_PER_SEND: u32 = 8;

/// Refuses to send a password over a connection that is not encrypted, unless the settings
/// say so explicitly.
pub fn insecure_auth_refusal(config: &SmtpConfig) -> Option<String> {
    (config.security == SmtpSecurity::None && config.username.is_some() && !config.allow_insecure_auth).then(|| {
        "refusing to send the SMTP password over an unencrypted connection: use STARTTLS or TLS, or allow insecure authentication explicitly".to_owned()
    })
}

/// Sends through one SMTP server, every step bounded: connect, TLS handshake, greeting, EHLO,
/// STARTTLS, AUTH, each command of a message and its data each have the step timeout at
/// most. A server that accepts the connection and never answers costs one step, not a worker.
#[derive(Clone)]
pub struct SmtpSender {
    config: SmtpConfig,
    roots: TrustedRoots,
    /// Where to connect (an address the egress policy checked), else the host.
    connect_to: Option<std::net::IpAddr>,
    step: Duration,
}

impl SmtpSender {
    /// The platform transport, from a URL: `smtp://host:port` (plain, or STARTTLS with
    /// `?tls=required`), `smtps://user:pass@host:465` (TLS from the first byte). Credentials in
    /// the URL are the operator's explicit choice, so AUTH over a plain connection is allowed.
    pub fn from_url(raw: &str, step: Duration) -> anyhow::Result<Self> {
        let bad = |why: &str| anyhow::anyhow!("STEWARD_SMTP_URL is not a valid SMTP URL: {why}");
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        let tls_param = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let security = match (url.scheme(), tls_param.as_deref()) {
            ("smtps", _) => SmtpSecurity::Tls,
            ("smtp", Some("required")) => SmtpSecurity::Starttls,
            ("smtp", None | Some("none") | Some("opportunistic")) => SmtpSecurity::None,
            ("smtp", Some(other)) => return Err(bad(&format!("tls={other} (use required or none)"))),
            (other, _) => return Err(bad(&format!("the scheme must be smtp or smtps, not {other}"))),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("no host"))?.trim_matches(['[', ']']).to_owned();
        let port = url.port().unwrap_or(if security == SmtpSecurity::Tls { 465 } else { 25 });
        let decode = |s: &str| percent_decode(s);
        let username = (!url.username().is_empty()).then(|| decode(url.username()));
        let password = url.password().map(decode);
        let config = SmtpConfig { host, port, security, username, password, allow_insecure_auth: true };
        Ok(Self { config, roots: TrustedRoots::default(), connect_to: None, step })
    }

    /// The host it sends to (shown to operators; never the credentials).
    pub fn host(&self) -> &str {
        &self.config.host
    }

    /// An instance's own server, reached at `connect_to` when given (an address checked by the
    /// egress policy; TLS still verifies the certificate for `config.host`), else at its host.
    pub fn from_config(config: &SmtpConfig, roots: &TrustedRoots, connect_to: Option<std::net::IpAddr>, step: Duration) -> Self {
        Self { config: config.clone(), roots: roots.clone(), connect_to, step }
    }

    async fn within<T>(&self, what: &str, fut: impl Future<Output = Result<T, lettre::transport::smtp::Error>>) -> Result<T, String> {
        match tokio::time::timeout(self.step, fut).await {
            Ok(r) => r.map_err(|e| format!("{what}: {e}")),
            Err(_) => Err(format!("{what}: no answer within {} seconds", self.step.as_secs_f32())),
        }
    }

    /// Opens a connection: TCP (and TLS for implicit TLS), greeting and EHLO, STARTTLS, AUTH.
    pub async fn connect(&self) -> Result<SmtpSession, String> {
        if let Some(refusal) = insecure_auth_refusal(&self.config) {
            return Err(refusal);
        }
        let c = &self.config;
        let hello = ClientId::default();
        let wrapper = match c.security {
            SmtpSecurity::Tls => Some(self.roots.tls_parameters(&c.host).map_err(|e| e.to_string())?),
            _ => None,
        };
        let target = match self.connect_to {
            Some(ip) => std::net::SocketAddr::new(ip, c.port),
            None => match tokio::time::timeout(self.step, tokio::net::lookup_host((c.host.as_str(), c.port))).await {
                Ok(Ok(mut addrs)) => addrs.next().ok_or_else(|| format!("{} has no address", c.host))?,
                Ok(Err(e)) => return Err(format!("could not resolve {}: {e}", c.host)),
                Err(_) => return Err(format!("resolving {} took more than {} seconds", c.host, self.step.as_secs_f32())),
            },
        };
        let mut conn = self
            .within(&format!("connecting to {}:{}", c.host, c.port), AsyncSmtpConnection::connect_tokio1(target, Some(self.step), &hello, wrapper, None))
            .await?;
        if c.security == SmtpSecurity::Starttls {
            if !conn.can_starttls() {
                return Err("the server does not offer STARTTLS".into());
            }
            let params = self.roots.tls_parameters(&c.host).map_err(|e| e.to_string())?;
            self.within("STARTTLS", conn.starttls(params, &hello)).await?;
        }
        if let Some(user) = &c.username {
            let creds = Credentials::new(user.clone(), c.password.clone().unwrap_or_default());
            self.within("authentication", conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds)).await?;
        }
        Ok(SmtpSession { conn, step: self.step })
    }
}

/// An open, authenticated connection to an SMTP server.
pub struct SmtpSession {
    conn: AsyncSmtpConnection,
    step: Duration,
}

impl SmtpSession {
    /// Sends one message; every command and the data are bounded by the step timeout.
    pub async fn send(&mut self, email: &Outgoing<'_>) -> Result<(), String> {
        let message = email.message()?;
        let envelope = message.envelope().clone();
        let formatted = message.formatted();
        // lettre sends MAIL, RCPT, DATA and the body in one call; bound the whole at one step
        // per command plus one for the data.
        match tokio::time::timeout(self.step * 4, self.conn.send(&envelope, &formatted)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("the server did not accept the message within {} seconds", (self.step * 4).as_secs_f32())),
        }
    }

    /// Says goodbye (bounded; a server that does not answer is simply dropped).
    pub async fn quit(mut self) {
        let _ = tokio::time::timeout(self.step, self.conn.quit()).await;
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One step of a connection test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `connect`, `tls`, `auth` or `send`.
    pub name: &'static str,
    /// `ok`, `failed` or `skipped`.
    pub outcome: &'static str,
    pub detail: String,
    pub duration_ms: u64,
}

/// What a connection test found, step by step. `ok` only when the email was accepted.
#[derive(Debug, Clone)]
pub struct TestReport {
    pub ok: bool,
    pub steps: Vec<Step>,
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

struct Run {
    steps: Vec<Step>,
}

impl Run {
    fn ok(&mut self, name: &'static str, started: Instant, detail: impl Into<String>) {
        self.steps.push(Step { name, outcome: "ok", detail: detail.into(), duration_ms: ms(started) });
    }
    fn failed(mut self, name: &'static str, started: Instant, detail: impl Into<String>) -> TestReport {
        self.steps.push(Step { name, outcome: "failed", detail: detail.into(), duration_ms: ms(started) });
        for later in ["connect", "tls", "auth", "send"].into_iter().skip_while(|n| *n != name).skip(1) {
            self.steps.push(Step { name: later, outcome: "skipped", detail: "not reached".into(), duration_ms: 0 });
        }
        TestReport { ok: false, steps: self.steps }
    }
    fn skipped(&mut self, name: &'static str, detail: impl Into<String>) {
        self.steps.push(Step { name, outcome: "skipped", detail: detail.into(), duration_ms: 0 });
    }
}

/// What a lettre error says, with the server's reply when there is one.
fn said(e: &lettre::transport::smtp::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} seconds ({e})", TIMEOUT.as_secs());
    }
    e.to_string()
}

async fn within<T>(fut: impl Future<Output = Result<T, lettre::transport::smtp::Error>>) -> Result<T, String> {
    match tokio::time::timeout(TIMEOUT, fut).await {
        Ok(r) => r.map_err(|e| said(&e)),
        Err(_) => Err(format!("no answer within {} seconds", TIMEOUT.as_secs())),
    }
}

/// Connects to `config`'s server (where `egress` allows), secures the connection, authenticates
/// and sends `email`, reporting each step. Never longer than about five timeouts.
pub async fn test_connection(config: &SmtpConfig, roots: &TrustedRoots, egress: &crate::Egress, email: &Outgoing<'_>) -> TestReport {
    let mut run = Run { steps: Vec::new() };
    let hello = ClientId::default();
    let message = match email.message() {
        Ok(m) => m,
        Err(e) => return run.failed("connect", Instant::now(), e),
    };

    // connect: TCP, then (for implicit TLS) the handshake, then the greeting and EHLO.
    let started = Instant::now();
    // Every allowed address, tried in order, as a mail client does.
    let addrs = match egress.resolve(&config.host, config.port).await {
        Ok(addrs) => addrs,
        Err(e) => return run.failed("connect", started, e),
    };
    let addr = addrs.as_slice();
    match tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(s)) => drop(s),
        Ok(Err(e)) => return run.failed("connect", started, format!("could not connect to {}:{}: {e}", config.host, config.port)),
        Err(_) => return run.failed("connect", started, format!("{}:{} did not answer within {} seconds", config.host, config.port, TIMEOUT.as_secs())),
    }
    let wrapper = match config.security {
        SmtpSecurity::Tls => match roots.tls_parameters(&config.host) {
            Ok(p) => Some(p),
            Err(e) => return run.failed("connect", started, e.to_string()),
        },
        _ => None,
    };
    let mut conn = match within(AsyncSmtpConnection::connect_tokio1(addr, Some(TIMEOUT), &hello, wrapper, None)).await {
        Ok(c) => c,
        Err(e) if config.security == SmtpSecurity::Tls => {
            run.ok("connect", started, format!("TCP connection to {}:{} opened", config.host, config.port));
            return run.failed("tls", started, format!("TLS handshake or greeting failed: {e}"));
        }
        Err(e) => return run.failed("connect", started, format!("the server's greeting failed: {e}")),
    };
    run.ok("connect", started, format!("connected to {}:{}; the server is {}", config.host, config.port, conn.server_info().name()));

    // tls
    let started = Instant::now();
    match config.security {
        SmtpSecurity::None => run.skipped("tls", "security is none: the connection is not encrypted"),
        SmtpSecurity::Tls => run.ok("tls", started, "TLS from the first byte; the certificate was verified"),
        SmtpSecurity::Starttls => {
            if !conn.can_starttls() {
                return run.failed("tls", started, "the server does not offer STARTTLS");
            }
            let params = match roots.tls_parameters(&config.host) {
                Ok(p) => p,
                Err(e) => return run.failed("tls", started, e.to_string()),
            };
            if let Err(e) = within(conn.starttls(params, &hello)).await {
                return run.failed("tls", started, format!("STARTTLS failed: {e}"));
            }
            run.ok("tls", started, "upgraded with STARTTLS; the certificate was verified");
        }
    }

    // auth
    let started = Instant::now();
    if let Some(refusal) = insecure_auth_refusal(config) {
        return run.failed("auth", started, refusal);
    }
    match &config.username {
        None => run.skipped("auth", "no username: the server is used without authentication"),
        Some(user) => {
            let creds = Credentials::new(user.clone(), config.password.clone().unwrap_or_default());
            match within(conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds)).await {
                Ok(r) => run.ok("auth", started, format!("authenticated as {user} ({})", r.code())),
                Err(e) => return run.failed("auth", started, format!("authentication as {user} failed: {e}")),
            }
        }
    }

    // send
    let started = Instant::now();
    let envelope = message.envelope().clone();
    let to = envelope.to().iter().map(Address::to_string).collect::<Vec<_>>().join(", ");
    match within(conn.send(&envelope, &message.formatted())).await {
        Ok(r) => {
            let reply = r.message().collect::<Vec<_>>().join(" ");
            run.ok("send", started, format!("the server accepted the test email to {to} ({} {reply})", r.code()));
        }
        Err(e) => return run.failed("send", started, format!("the server refused the test email: {e}")),
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
    TestReport { ok: true, steps: run.steps }
}
