//! Client secrets of back-end applications.
//!
//! A secret is 256 random bits, so a keyed fast hash (HMAC-SHA256 with a key derived from the
//! master key) protects it at rest as well as argon2 would, at a cost that keeps the
//! client-credentials grant fast. Comparison is constant-time.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

pub const SECRET_PREFIX: &str = "stw_cs_";

pub struct ClientSecrets {
    key: [u8; 32],
}

/// A new secret: shown once to the caller, stored only as `hash` (+ `hint`, its last 4 chars).
pub struct NewClientSecret {
    pub secret: String,
    pub hash: String,
    pub hint: String,
}

impl ClientSecrets {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    pub fn hash(&self, secret: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn generate(&self) -> NewClientSecret {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("{SECRET_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
        let hint = secret[secret.len() - 4..].to_owned();
        NewClientSecret { hash: self.hash(&secret), hint, secret }
    }

    /// Whether `presented` matches one of `stored_hashes`, in time independent of which.
    pub fn matches<'a>(&self, presented: &str, stored_hashes: impl IntoIterator<Item = &'a str>) -> bool {
        let h = self.hash(presented);
        let mut found = subtle::Choice::from(0u8);
        for stored in stored_hashes {
            found |= h.as_bytes().ct_eq(stored.as_bytes());
        }
        found.into()
    }
}

/// A fresh public client id of an application: `app_` + 22 URL-safe characters.
pub fn new_client_id() -> String {
    client_id_with("app_")
}

/// A fresh client id of a management client: `mgmt_` + 22 URL-safe characters.
pub fn new_management_client_id() -> String {
    client_id_with("mgmt_")
}

fn client_id_with(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_and_match() {
        let s = ClientSecrets::new([9u8; 32]);
        let a = s.generate();
        let b = s.generate();
        assert!(a.secret.starts_with(SECRET_PREFIX));
        assert!(s.matches(&a.secret, [b.hash.as_str(), a.hash.as_str()]));
        assert!(!s.matches(&a.secret, [b.hash.as_str()]));
        assert!(!s.matches("", [a.hash.as_str()]));
        assert!(!ClientSecrets::new([8u8; 32]).matches(&a.secret, [a.hash.as_str()]));
        assert_eq!(a.hint, &a.secret[a.secret.len() - 4..]);
    }
}
