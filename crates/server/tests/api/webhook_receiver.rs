//! A real webhook receiver process (`tests/support/webhook_receiver.py`) that verifies each
//! delivery with the Standard Webhooks reference library and records it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub struct Receiver {
    child: Child,
    pub port: u16,
    client: reqwest::Client,
}

impl Receiver {
    pub fn start() -> Receiver {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/webhook_receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with standardwebhooks (pip install standardwebhooks) is needed for the webhook tests");
        use std::io::BufRead as _;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| panic!("the webhook receiver did not start (is standardwebhooks installed?): {line:?}"));
        Receiver { child, port, client: reqwest::Client::new() }
    }

    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/hook/{name}", self.port)
    }

    /// How endpoint `name` answers: its secrets, how many first deliveries fail with `status`,
    /// how long each waits.
    pub async fn configure(&self, name: &str, secrets: &[&str], fail: usize, status: u16, hang_secs: u64) {
        let spec = json!({"name": name, "secrets": secrets, "fail": fail, "status": status, "hang_secs": hang_secs});
        let res = self.client.post(format!("http://127.0.0.1:{}/control", self.port)).json(&spec).send().await.unwrap();
        assert!(res.status().is_success());
    }

    /// Every delivery endpoint `name` received, in order.
    pub async fn received(&self, name: &str) -> Vec<Value> {
        let all: Vec<Value> = self.client.get(format!("http://127.0.0.1:{}/received", self.port)).send().await.unwrap().json().await.unwrap();
        all.into_iter().filter(|r| r["name"] == name).collect()
    }

    /// Waits until `name` has received `n` deliveries answered 2xx (at most `within`).
    pub async fn wait_for(&self, name: &str, n: usize, within: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received(name).await;
            let ok: Vec<Value> = got.iter().filter(|r| r["answered"] == 200).cloned().collect();
            if ok.len() >= n {
                return ok;
            }
            assert!(tokio::time::Instant::now() < deadline, "{name} received {} of {n} deliveries: {got:#?}", ok.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
