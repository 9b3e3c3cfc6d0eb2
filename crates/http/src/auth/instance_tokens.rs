//! Tokens of an instance's public API: EdDSA (Ed25519) JWTs signed with the instance's own key.
//!
//! Private keys are encrypted at rest with the master key; public keys are published at
//! `/public/v1/{instance}/.well-known/jwks.json`, so a back end can verify tokens itself.
//! Verification pins EdDSA, requires a `kid` of this instance, and checks `iss`, `aud` (both the
//! instance's public API URL), `exp`, `iat`, `sub`, `client_id` and `typ`.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use steward_persistence::crypto::SecretCipher;
use steward_persistence::signing_keys::{self, NewKey, SigningKey};
use steward_persistence::{Database, DatabaseTransaction, StoreResult, now};
use uuid::Uuid;

/// `typ` of tokens obtained with the client-credentials grant.
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
/// `typ` of tokens of a signed-in end user.
pub const USER: &str = "user";
pub const ALGORITHM: &str = "EdDSA";
/// How long a signing key stays cached before the database is asked again (so a rotation made
/// by another process is picked up).
const SIGNING_CACHE_TTL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub client_id: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub typ: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// The end user's session (user tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// What a new token says.
pub struct Grant<'a> {
    /// The client id (client credentials) or the end user's id.
    pub sub: &'a str,
    pub client_id: &'a str,
    pub typ: &'a str,
    pub scope: &'a str,
    pub sid: Option<Uuid>,
}

struct CachedVerifier {
    instance_id: Uuid,
    key: DecodingKey,
    expires_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    loaded: Instant,
}

/// How long a public key stays cached (a retirement made elsewhere is seen within this time;
/// tokens of a retired key stay valid until they expire anyway).
const VERIFY_CACHE_TTL: Duration = Duration::from_secs(300);

pub struct InstanceTokens {
    cipher: SecretCipher,
    public_url: String,
    ttl_secs: i64,
    signers: RwLock<HashMap<Uuid, (String, EncodingKey, Instant)>>,
    verifiers: RwLock<HashMap<String, std::sync::Arc<CachedVerifier>>>,
}

/// The PKCS#8 v1 DER of an Ed25519 private key (RFC 8410): a fixed prefix and the 32-byte seed.
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend_from_slice(seed);
    der
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl InstanceTokens {
    pub fn new(cipher: SecretCipher, public_url: String, ttl_secs: i64) -> Self {
        Self { cipher, public_url, ttl_secs, signers: RwLock::new(HashMap::new()), verifiers: RwLock::new(HashMap::new()) }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// The instance's public API URL: the `iss` and `aud` of its tokens.
    pub fn issuer(&self, slug: &str) -> String {
        format!("{}/public/v1/{slug}", self.public_url)
    }

    /// Generates a new key, makes it the instance's active key and retires the previous ones
    /// (they stay published until every token they signed has expired).
    pub async fn rotate(&self, db: &Database, instance_id: Uuid) -> StoreResult<SigningKey> {
        let txn = steward_persistence::begin(db).await?;
        let key = self.rotate_in(&txn, instance_id).await?;
        txn.commit().await.map_err(|e| anyhow::Error::new(e).context("Failed to commit a key rotation"))?;
        self.forget(instance_id);
        Ok(key)
    }

    /// Makes a new active key in the caller's transaction; call [`InstanceTokens::forget`] once
    /// it is committed.
    pub async fn rotate_in(&self, txn: &DatabaseTransaction, instance_id: Uuid) -> StoreResult<SigningKey> {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let kid = b64url(&Sha256::digest(public)[..12]);
        let encrypted = self.cipher.encrypt(&seed, &format!("signing-key/{kid}"))?;
        let retired_until = now() + chrono::Duration::seconds(self.ttl_secs + 60);
        signing_keys::rotate(
            txn,
            instance_id,
            NewKey { kid, algorithm: ALGORITHM, public_key: b64url(&public), private_key_encrypted: encrypted },
            retired_until,
        )
        .await
    }

    /// Drops the cached signer of an instance (after a committed rotation).
    pub fn forget(&self, instance_id: Uuid) {
        if let Ok(mut signers) = self.signers.write() {
            signers.remove(&instance_id);
        }
    }

    /// The active key (created on first use).
    pub async fn ensure_key(&self, db: &Database, instance_id: Uuid) -> StoreResult<SigningKey> {
        match signing_keys::active(db, instance_id).await? {
            Some(k) => Ok(k),
            None => self.rotate(db, instance_id).await,
        }
    }

    async fn signer(&self, db: &Database, instance_id: Uuid) -> StoreResult<(String, EncodingKey)> {
        if let Ok(signers) = self.signers.read()
            && let Some((kid, key, at)) = signers.get(&instance_id)
            && at.elapsed() < SIGNING_CACHE_TTL
        {
            return Ok((kid.clone(), key.clone()));
        }
        let active = self.ensure_key(db, instance_id).await?;
        let seed = self.cipher.decrypt(&active.private_key_encrypted, &format!("signing-key/{}", active.kid))?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| anyhow::anyhow!("A stored signing key has the wrong length"))?;
        let key = EncodingKey::from_ed_der(&ed25519_pkcs8(&seed));
        if let Ok(mut signers) = self.signers.write() {
            signers.insert(instance_id, (active.kid.clone(), key.clone(), Instant::now()));
        }
        Ok((active.kid, key))
    }

    /// Signs a token of instance `slug`.
    pub async fn issue(&self, db: &Database, instance_id: Uuid, slug: &str, grant: Grant<'_>) -> anyhow::Result<(String, i64)> {
        let iat = chrono::Utc::now().timestamp();
        let claims = AppClaims {
            iss: self.issuer(slug),
            aud: self.issuer(slug),
            sub: grant.sub.to_owned(),
            client_id: grant.client_id.to_owned(),
            iat,
            exp: iat + self.ttl_secs,
            jti: Uuid::now_v7(),
            typ: grant.typ.to_owned(),
            scope: grant.scope.to_owned(),
            sid: grant.sid,
        };
        Ok((self.sign(db, instance_id, &claims).await?, self.ttl_secs))
    }

    /// Signs `claims` with the instance's active key (`kid` in the header, `typ: at+jwt`).
    pub async fn sign(&self, db: &Database, instance_id: Uuid, claims: &AppClaims) -> anyhow::Result<String> {
        let (kid, key) = self.signer(db, instance_id).await?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid);
        header.typ = Some("at+jwt".to_owned());
        encode(&header, claims, &key).map_err(|e| anyhow::anyhow!("Failed to sign a token: {e}"))
    }

    async fn verifier(&self, db: &Database, instance_id: Uuid, kid: &str) -> StoreResult<Option<std::sync::Arc<CachedVerifier>>> {
        if let Ok(v) = self.verifiers.read()
            && let Some(c) = v.get(kid)
            && c.loaded.elapsed() < VERIFY_CACHE_TTL
        {
            return Ok((c.instance_id == instance_id).then(|| c.clone()));
        }
        let Some(stored) = signing_keys::by_kid(db, instance_id, kid).await? else { return Ok(None) };
        let key = DecodingKey::from_ed_components(&stored.public_key).map_err(|e| anyhow::anyhow!("A stored public key is invalid: {e}"))?;
        let cached = std::sync::Arc::new(CachedVerifier { instance_id, key, expires_at: stored.expires_at, loaded: Instant::now() });
        if let Ok(mut v) = self.verifiers.write() {
            v.insert(kid.to_owned(), cached.clone());
        }
        Ok(Some(cached))
    }

    /// Verifies a token presented to instance `slug`. `None` for anything not valid here.
    pub async fn verify(&self, db: &Database, instance_id: Uuid, slug: &str, token: &str) -> StoreResult<Option<AppClaims>> {
        let Ok(header) = decode_header(token) else { return Ok(None) };
        if header.alg != Algorithm::EdDSA {
            return Ok(None);
        }
        let Some(kid) = header.kid.as_deref() else { return Ok(None) };
        let Some(verifier) = self.verifier(db, instance_id, kid).await? else { return Ok(None) };
        let issuer = self.issuer(slug);
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[issuer.as_str()]);
        validation.set_issuer(&[issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        // A retired key whose publication has ended is refused even while cached.
        if verifier.expires_at.is_some_and(|e| e <= now()) {
            return Ok(None);
        }
        let Ok(data) = decode::<AppClaims>(token, &verifier.key, &validation) else { return Ok(None) };
        Ok(Some(data.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs8_encoding_signs_and_verifies() {
        let seed = [5u8; 32];
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let enc = EncodingKey::from_ed_der(&ed25519_pkcs8(&seed));
        let dec = DecodingKey::from_ed_components(&b64url(&public)).unwrap();
        let claims = serde_json::json!({"sub": "x", "exp": chrono::Utc::now().timestamp() + 60});
        let token = encode(&Header::new(Algorithm::EdDSA), &claims, &enc).unwrap();
        let mut v = Validation::new(Algorithm::EdDSA);
        v.validate_aud = false;
        v.set_required_spec_claims(&["exp"]);
        assert!(decode::<serde_json::Value>(&token, &dec, &v).is_ok());
    }
}
