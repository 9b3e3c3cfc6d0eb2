//! argon2id password hashing, off the async workers and with bounded concurrency.
//!
//! Hashing is deliberately slow (OWASP: 19 MiB, t=2, p=1). Every hash runs on tokio's blocking
//! pool behind a semaphore sized to the number of cores, so a flood of logins queues here instead
//! of starving the request workers or exhausting memory. Verifying against an unknown account
//! costs one hash too (a dummy hash made at start-up), so timing does not reveal which emails
//! have accounts.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

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

pub struct PasswordHasher {
    argon2: Arc<Argon2<'static>>,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// `concurrency` bounds how many hashes run at once (use the number of cores).
    pub fn new(params: HashParams, concurrency: usize) -> anyhow::Result<Self> {
        let p = Params::new(params.memory_kib, params.iterations, params.parallelism, None)
            .map_err(|e| anyhow::anyhow!("Invalid argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
        let dummy_hash: Arc<str> = argon2
            .hash_password(b"steward-dummy-password-for-unknown-accounts")
            .map_err(|e| anyhow::anyhow!("Failed to compute the dummy hash: {e}"))?
            .to_string()
            .into();
        Ok(Self { argon2: Arc::new(argon2), permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy_hash })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = SecretString::from(password.to_owned());
        let argon2 = Arc::clone(&self.argon2);
        let _permit = self.permits.acquire().await.context("The hashing pool is closed")?;
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))
        })
        .await
        .context("The hashing task panicked")?
    }

    /// Whether `password` matches `hash`. With `None` (no such account), checks against a dummy
    /// hash and answers false, costing the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> anyhow::Result<bool> {
        let known = hash.is_some();
        let hash: Arc<str> = hash.map(Arc::from).unwrap_or_else(|| Arc::clone(&self.dummy_hash));
        let password = SecretString::from(password.to_owned());
        let argon2 = Arc::clone(&self.argon2);
        let _permit = self.permits.acquire().await.context("The hashing pool is closed")?;
        let matched = tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
            let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("A stored password hash is malformed: {e}"))?;
            Ok(argon2.verify_password(password.expose_secret().as_bytes(), &parsed).is_ok())
        })
        .await
        .context("The hashing task panicked")??;
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

    #[tokio::test]
    async fn unknown_account_never_matches() {
        let h = cheap();
        assert!(!h.verify("steward-dummy-password-for-unknown-accounts", None).await.unwrap());
    }
}
