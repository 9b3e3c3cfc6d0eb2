//! Secrets at rest: AES-256-GCM with a key derived from the master key.
//!
//! The stored form is `v1.` + base64(nonce ‖ ciphertext ‖ tag). Each value is bound to what it
//! is (`aad`, e.g. `signing-key/<kid>`), so a ciphertext copied onto another row does not decrypt.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use rand::RngCore as _;

#[derive(Clone)]
pub struct SecretCipher {
    cipher: Aes256Gcm,
}

impl SecretCipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: Aes256Gcm::new(key.into()) }
    }

    pub fn encrypt(&self, plaintext: &[u8], aad: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: aad.as_bytes() })
            .map_err(|_| anyhow::anyhow!("Failed to encrypt a secret"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("v1.{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)))
    }

    pub fn decrypt(&self, stored: &str, aad: &str) -> anyhow::Result<Vec<u8>> {
        let body = stored.strip_prefix("v1.").ok_or_else(|| anyhow::anyhow!("Unknown secret format"))?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(body).map_err(|_| anyhow::anyhow!("A stored secret is not base64"))?;
        if bytes.len() < 12 + 16 {
            anyhow::bail!("A stored secret is truncated");
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| anyhow::anyhow!("Bad nonce"))?;
        self.cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad: aad.as_bytes() })
            .map_err(|_| anyhow::anyhow!("A stored secret does not decrypt with the master key (was the master key changed?)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_binding() {
        let c = SecretCipher::new(&[3u8; 32]);
        let s = c.encrypt(b"hello", "a").unwrap();
        assert_eq!(c.decrypt(&s, "a").unwrap(), b"hello");
        assert!(c.decrypt(&s, "b").is_err(), "bound to its aad");
        assert!(SecretCipher::new(&[4u8; 32]).decrypt(&s, "a").is_err(), "bound to the key");
        assert_ne!(c.encrypt(b"hello", "a").unwrap(), s, "fresh nonce each time");
    }
}
