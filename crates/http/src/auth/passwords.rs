//! argon2id password hashing, off the async workers and with bounded concurrency.
//!
//! Hashing is deliberately slow (OWASP: 19 MiB, t=2, p=1). Every hash runs on a dedicated pool of
//! threads (one per core by default) running at a lower scheduling priority (nice +10), so a
//! flood of logins queues here and uses the CPU the request workers leave, instead of starving
//! every other request. Memory is bounded by the pool size. Verifying against an unknown account
//! costs one hash too (a dummy hash made at start-up), so timing does not reveal which emails
//! have accounts.

use std::sync::{Arc, Mutex, mpsc};

use anyhow::Context;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashParams {
    /// OWASP's recommendation for argon2id.
    pub const OWASP: HashParams = HashParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
}

type Job = Box<dyn FnOnce(&Argon2<'static>) + Send>;

/// Hashes that may wait per hashing thread; past that the queue is full.
const QUEUE_PER_THREAD: usize = 32;

/// Why a hash was not computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Too many hashes are waiting: the caller should come back later (503 with `Retry-After`).
    #[error("the password-hashing queue is full")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

pub struct PasswordHasher {
    jobs: Mutex<mpsc::Sender<Job>>,
    dummy_hash: Arc<str>,
    /// Jobs sent and not yet finished.
    queued: Arc<std::sync::atomic::AtomicUsize>,
    max_queued: usize,
}

/// Counts a job out of the queue when it ends, however it ends.
struct Dequeue(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Dequeue {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// Lowers the calling thread's scheduling priority (Linux: nice is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; `who = 0` is the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

impl PasswordHasher {
    /// `concurrency` bounds how many hashes run at once (use the number of cores).
    pub fn new(params: HashParams, concurrency: usize) -> anyhow::Result<Self> {
        let p = Params::new(params.memory_kib, params.iterations, params.parallelism, None).map_err(|e| anyhow::anyhow!("Invalid argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
        let dummy_hash: Arc<str> = argon2
            .hash_password(b"steward-dummy-password-for-unknown-accounts")
            .map_err(|e| anyhow::anyhow!("Failed to compute the dummy hash: {e}"))?
            .to_string()
            .into();
        let argon2 = Arc::new(argon2);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..concurrency.max(1) {
            let rx = Arc::clone(&rx);
            let argon2 = Arc::clone(&argon2);
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&argon2),
                            Err(_) => return, // the hasher was dropped
                        }
                    }
                })
                .context("Failed to start a password-hashing thread")?;
        }
        let threads = concurrency.max(1);
        Ok(Self { jobs: Mutex::new(tx), dummy_hash, queued: Arc::default(), max_queued: threads * QUEUE_PER_THREAD })
    }

    /// Runs `f` on the hashing pool and awaits its result; [`HashError::Busy`] at once when the
    /// queue is full (a flood of sign-ins waits in a bounded queue, never in memory without end).
    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Argon2<'static>) -> T + Send + 'static) -> Result<T, HashError> {
        use std::sync::atomic::Ordering;
        if self.queued.fetch_add(1, Ordering::AcqRel) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            return Err(HashError::Busy);
        }
        let dequeue = Dequeue(Arc::clone(&self.queued));
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |argon2| {
            let _dequeue = dequeue;
            let _ = done.send(f(argon2));
        });
        self.jobs
            .lock()
            .map_err(|_| anyhow::anyhow!("The hashing pool is poisoned"))?
            .send(job)
            .map_err(|_| anyhow::anyhow!("The hashing pool has stopped"))?;
        Ok(result.await.context("A hashing job was dropped")?)
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = SecretString::from(password.to_owned());
        self.run(move |argon2| {
            argon2.hash_password(password.expose_secret().as_bytes()).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))
        })
        .await?
        .map_err(HashError::Failed)
    }

    /// Whether `password` matches `hash`. With `None` (no such account), checks against a dummy
    /// hash and answers false, costing the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let known = hash.is_some();
        let hash: Arc<str> = hash.map(Arc::from).unwrap_or_else(|| Arc::clone(&self.dummy_hash));
        let password = SecretString::from(password.to_owned());
        let matched = self
            .run(move |argon2| -> anyhow::Result<bool> {
                let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("A stored password hash is malformed: {e}"))?;
                Ok(argon2.verify_password(password.expose_secret().as_bytes(), &parsed).is_ok())
            })
            .await??;
        Ok(known && matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHasher {
        PasswordHasher::new(HashParams { memory_kib: 64, iterations: 1, parallelism: 1 }, 2).unwrap()
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let h = cheap();
        let hash = h.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!h.verify("wrong horse", Some(&hash)).await.unwrap());
    }

    /// Waits (on a condition, not a guess) until `n` jobs are queued or running.
    async fn until_queued(h: &PasswordHasher, n: usize) {
        while h.queued.load(std::sync::atomic::Ordering::Acquire) < n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_answers_busy_at_once() {
        let h = Arc::new(PasswordHasher::new(HashParams { memory_kib: 64, iterations: 1, parallelism: 1 }, 1).unwrap());
        // Hold the one hashing thread so the queue fills.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let hold = Arc::clone(&h);
        let blocker = tokio::spawn(async move { hold.run(move |_| wait.recv().ok()).await.map(|_| ()) });
        until_queued(&h, 1).await;
        let waiting: Vec<_> = (1..QUEUE_PER_THREAD)
            .map(|_| {
                let h = Arc::clone(&h);
                tokio::spawn(async move { h.hash("x").await.map(|_| ()) })
            })
            .collect();
        until_queued(&h, QUEUE_PER_THREAD).await;
        assert!(matches!(h.hash("one too many").await, Err(HashError::Busy)));
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        for w in waiting {
            w.await.unwrap().unwrap();
        }
        assert!(h.hash("room again").await.is_ok(), "the queue drains");
    }

    #[tokio::test]
    async fn unknown_account_never_matches() {
        let h = cheap();
        assert!(!h.verify("steward-dummy-password-for-unknown-accounts", None).await.unwrap());
    }
}
