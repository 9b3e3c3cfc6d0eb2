//! Tokens of an instance's public API: JWTs signed with the instance's own key, of the
//! algorithm the instance chose (EdDSA by default, ES256 or RS256 for libraries without EdDSA).
//!
//! Private keys are encrypted at rest with the master key; public keys are published at
//! `/public/v1/{instance}/.well-known/jwks.json`, so a back end can verify tokens itself.
//! Changing the algorithm is a rotation: the new key signs, the old one stays published until
//! its tokens have expired. Verification requires a `kid` of this instance and pins the
//! algorithm to that key's own (so `alg: none` and algorithm confusion fail), and checks `iss`,
//! `aud` (both the instance's public API URL), `exp`, `iat`, `sub`, `client_id` and `typ`.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use steward_domain::signing::SigningAlgorithm;
use steward_persistence::crypto::SecretCipher;
use steward_persistence::signing_keys::{self, NewKey, SigningKey};
use steward_persistence::{Database, DatabaseTransaction, StoreResult, now};
use uuid::Uuid;

/// `typ` of tokens obtained with the client-credentials grant.
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
/// `typ` of tokens of a signed-in end user.
pub const USER: &str = "user";
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
    /// The token's lifetime (the instance's `tokens.access_ttl_secs`).
    pub ttl_secs: i64,
}

struct CachedVerifier {
    instance_id: Uuid,
    algorithm: Algorithm,
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
    signers: RwLock<HashMap<Uuid, (String, Algorithm, EncodingKey, Instant)>>,
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

    /// Generates a new key (of the active key's algorithm, EdDSA for the first), makes it the
    /// instance's active key and retires the previous ones (they stay published until every
    /// token they signed has expired).
    pub async fn rotate(&self, db: &Database, instance_id: Uuid) -> StoreResult<SigningKey> {
        let txn = steward_persistence::begin(db).await?;
        let algorithm = signing_keys::active(&txn, instance_id).await?.and_then(|k| SigningAlgorithm::parse(&k.algorithm)).unwrap_or_default();
        let key = self.rotate_in(&txn, instance_id, algorithm).await?;
        txn.commit().await.map_err(|e| anyhow::Error::new(e).context("Failed to commit a key rotation"))?;
        self.forget(instance_id);
        Ok(key)
    }

    /// Makes a new active key of `algorithm` in the caller's transaction; call
    /// [`InstanceTokens::forget`] once it is committed.
    pub async fn rotate_in(&self, txn: &DatabaseTransaction, instance_id: Uuid, algorithm: SigningAlgorithm) -> StoreResult<SigningKey> {
        // RSA key generation takes a while: off the async workers.
        let material = tokio::task::spawn_blocking(move || generate(algorithm))
            .await
            .map_err(|e| anyhow::anyhow!("Key generation stopped: {e}"))?
            .map_err(|e| e.context("Failed to generate a signing key"))?;
        let kid = b64url(&Sha256::digest(material.public.as_bytes())[..12]);
        let encrypted = self.cipher.encrypt(&material.private, &format!("signing-key/{kid}"))?;
        let retired_until = now() + chrono::Duration::seconds(self.ttl_secs + 60);
        signing_keys::rotate(
            txn,
            instance_id,
            NewKey { kid, algorithm: algorithm.as_str(), public_key: material.public, private_key_encrypted: encrypted },
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

    async fn signer(&self, db: &Database, instance_id: Uuid) -> StoreResult<(String, Algorithm, EncodingKey)> {
        if let Ok(signers) = self.signers.read()
            && let Some((kid, alg, key, at)) = signers.get(&instance_id)
            && at.elapsed() < SIGNING_CACHE_TTL
        {
            return Ok((kid.clone(), *alg, key.clone()));
        }
        let active = self.ensure_key(db, instance_id).await?;
        let private = self.cipher.decrypt(&active.private_key_encrypted, &format!("signing-key/{}", active.kid))?;
        let (alg, key) = match SigningAlgorithm::parse(&active.algorithm) {
            Some(SigningAlgorithm::EdDsa) => {
                let seed: [u8; 32] = private.try_into().map_err(|_| anyhow::anyhow!("A stored signing key has the wrong length"))?;
                (Algorithm::EdDSA, EncodingKey::from_ed_der(&ed25519_pkcs8(&seed)))
            }
            Some(SigningAlgorithm::Es256) => (Algorithm::ES256, EncodingKey::from_ec_der(&private)),
            Some(SigningAlgorithm::Rs256) => (Algorithm::RS256, EncodingKey::from_rsa_der(&private)),
            None => return Err(anyhow::anyhow!("A stored signing key has an unknown algorithm {:?}", active.algorithm).into()),
        };
        if let Ok(mut signers) = self.signers.write() {
            signers.insert(instance_id, (active.kid.clone(), alg, key.clone(), Instant::now()));
        }
        Ok((active.kid, alg, key))
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
            exp: iat + grant.ttl_secs,
            jti: Uuid::now_v7(),
            typ: grant.typ.to_owned(),
            scope: grant.scope.to_owned(),
            sid: grant.sid,
        };
        Ok((self.sign(db, instance_id, &claims).await?, grant.ttl_secs))
    }

    /// Signs `claims` with the instance's active key (`kid` in the header, `typ: at+jwt`).
    pub async fn sign(&self, db: &Database, instance_id: Uuid, claims: &AppClaims) -> anyhow::Result<String> {
        let (kid, alg, key) = self.signer(db, instance_id).await?;
        let mut header = Header::new(alg);
        header.kid = Some(kid);
        header.typ = Some("at+jwt".to_owned());
        encode(&header, claims, &key).map_err(|e| anyhow::anyhow!("Failed to sign a token: {e}"))
    }

    /// Signs an OpenID Connect ID token (`typ: JWT`) with the instance's active key; `claims`
    /// get `iat` and `exp` (the access tokens' lifetime).
    pub async fn id_token(&self, db: &Database, instance_id: Uuid, mut claims: serde_json::Value) -> anyhow::Result<String> {
        let (kid, alg, key) = self.signer(db, instance_id).await?;
        let iat = chrono::Utc::now().timestamp();
        claims["iat"] = serde_json::json!(iat);
        claims["exp"] = serde_json::json!(iat + self.ttl_secs);
        let mut header = Header::new(alg);
        header.kid = Some(kid);
        header.typ = Some("JWT".to_owned());
        encode(&header, &claims, &key).map_err(|e| anyhow::anyhow!("Failed to sign an ID token: {e}"))
    }

    async fn verifier(&self, db: &Database, instance_id: Uuid, kid: &str) -> StoreResult<Option<std::sync::Arc<CachedVerifier>>> {
        if let Ok(v) = self.verifiers.read()
            && let Some(c) = v.get(kid)
            && c.loaded.elapsed() < VERIFY_CACHE_TTL
        {
            return Ok((c.instance_id == instance_id).then(|| c.clone()));
        }
        let Some(stored) = signing_keys::by_kid(db, instance_id, kid).await? else { return Ok(None) };
        let (algorithm, key) = decoding_key(&stored).map_err(|e| anyhow::anyhow!("A stored public key is invalid: {e}"))?;
        let cached = std::sync::Arc::new(CachedVerifier { instance_id, algorithm, key, expires_at: stored.expires_at, loaded: Instant::now() });
        if let Ok(mut v) = self.verifiers.write() {
            v.insert(kid.to_owned(), cached.clone());
        }
        Ok(Some(cached))
    }

    /// Verifies a token presented to instance `slug`. `None` for anything not valid here.
    pub async fn verify(&self, db: &Database, instance_id: Uuid, slug: &str, token: &str) -> StoreResult<Option<AppClaims>> {
        let Ok(header) = decode_header(token) else { return Ok(None) };
        let Some(kid) = header.kid.as_deref() else { return Ok(None) };
        let Some(verifier) = self.verifier(db, instance_id, kid).await? else { return Ok(None) };
        // The key decides the algorithm, never the token.
        if header.alg != verifier.algorithm {
            return Ok(None);
        }
        let issuer = self.issuer(slug);
        let mut validation = Validation::new(verifier.algorithm);
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

/// A new key: its private half (what the signer loads: an Ed25519 seed, a P-256 PKCS#8 DER, an
/// RSA PKCS#1 DER) and its public half as stored (the JWK's base64url members, `.`-joined:
/// `x`, `x.y` or `n.e`).
struct KeyMaterial {
    private: Vec<u8>,
    public: String,
}

fn generate(algorithm: SigningAlgorithm) -> anyhow::Result<KeyMaterial> {
    match algorithm {
        SigningAlgorithm::EdDsa => {
            let mut seed = [0u8; 32];
            rand::rng().fill_bytes(&mut seed);
            let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
            Ok(KeyMaterial { private: seed.to_vec(), public: b64url(&public) })
        }
        SigningAlgorithm::Es256 => {
            use p256::pkcs8::EncodePrivateKey as _;
            let key = p256::ecdsa::SigningKey::random(&mut rsa::rand_core::OsRng);
            let point = key.verifying_key().to_encoded_point(false);
            let (Some(x), Some(y)) = (point.x(), point.y()) else { anyhow::bail!("a P-256 public key without coordinates") };
            let der = key.to_pkcs8_der().map_err(|e| anyhow::anyhow!("P-256 key encoding: {e}"))?;
            Ok(KeyMaterial { private: der.as_bytes().to_vec(), public: format!("{}.{}", b64url(x), b64url(y)) })
        }
        SigningAlgorithm::Rs256 => {
            use rsa::pkcs1::EncodeRsaPrivateKey as _;
            use rsa::traits::PublicKeyParts as _;
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)?;
            let der = key.to_pkcs1_der().map_err(|e| anyhow::anyhow!("RSA key encoding: {e}"))?;
            let public = format!("{}.{}", b64url(&key.n().to_bytes_be()), b64url(&key.e().to_bytes_be()));
            Ok(KeyMaterial { private: der.as_bytes().to_vec(), public })
        }
    }
}

/// The stored key's public members, by name (`x`, `y`, `n`, `e`).
fn public_parts(key: &SigningKey) -> Vec<&str> {
    key.public_key.split('.').collect()
}

fn decoding_key(key: &SigningKey) -> anyhow::Result<(Algorithm, DecodingKey)> {
    let parts = public_parts(key);
    Ok(match (SigningAlgorithm::parse(&key.algorithm), parts.as_slice()) {
        (Some(SigningAlgorithm::EdDsa), [x]) => (Algorithm::EdDSA, DecodingKey::from_ed_components(x)?),
        (Some(SigningAlgorithm::Es256), [x, y]) => (Algorithm::ES256, DecodingKey::from_ec_components(x, y)?),
        (Some(SigningAlgorithm::Rs256), [n, e]) => (Algorithm::RS256, DecodingKey::from_rsa_components(n, e)?),
        _ => anyhow::bail!("unknown algorithm {:?} or malformed key", key.algorithm),
    })
}

/// A published public key (RFC 7517; RFC 8037 for Ed25519): `OKP` (`crv`, `x`), `EC` (`crv`,
/// `x`, `y`) or `RSA` (`n`, `e`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Jwk {
    #[schema(example = "OKP")]
    pub kty: &'static str,
    /// `Ed25519` or `P-256`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA exponent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    pub kid: String,
    /// `EdDSA`, `ES256` or `RS256`.
    #[schema(example = "EdDSA")]
    pub alg: String,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub use_: &'static str,
}

/// A published key as a JWK, `None` if its row is malformed.
pub fn jwk(key: &SigningKey) -> Option<Jwk> {
    let parts = public_parts(key);
    let s = |v: &&str| Some((*v).to_owned());
    let mut jwk = Jwk { kty: "OKP", crv: None, x: None, y: None, n: None, e: None, kid: key.kid.clone(), alg: key.algorithm.clone(), use_: "sig" };
    match (SigningAlgorithm::parse(&key.algorithm)?, parts.as_slice()) {
        (SigningAlgorithm::EdDsa, [x]) => (jwk.crv, jwk.x) = (Some("Ed25519"), s(x)),
        (SigningAlgorithm::Es256, [x, y]) => (jwk.kty, jwk.crv, jwk.x, jwk.y) = ("EC", Some("P-256"), s(x), s(y)),
        (SigningAlgorithm::Rs256, [n, e]) => (jwk.kty, jwk.n, jwk.e) = ("RSA", s(n), s(e)),
        _ => return None,
    }
    Some(jwk)
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

#[cfg(test)]
mod algorithm_tests {
    use super::*;

    #[test]
    fn every_algorithm_signs_and_verifies_through_its_stored_form() {
        for algorithm in SigningAlgorithm::ALL {
            let m = generate(algorithm).unwrap();
            let stored = SigningKey {
                id: Uuid::now_v7(),
                instance_id: Uuid::now_v7(),
                kid: "k".into(),
                algorithm: algorithm.as_str().into(),
                public_key: m.public.clone(),
                private_key_encrypted: String::new(),
                created_at: now(),
                retired_at: None,
                expires_at: None,
            };
            let (alg, dec) = decoding_key(&stored).unwrap();
            let enc = match algorithm {
                SigningAlgorithm::EdDsa => EncodingKey::from_ed_der(&ed25519_pkcs8(&m.private.clone().try_into().unwrap())),
                SigningAlgorithm::Es256 => EncodingKey::from_ec_der(&m.private),
                SigningAlgorithm::Rs256 => EncodingKey::from_rsa_der(&m.private),
            };
            let claims = serde_json::json!({"sub": "x", "exp": chrono::Utc::now().timestamp() + 60});
            let token = encode(&Header::new(alg), &claims, &enc).unwrap();
            let mut v = Validation::new(alg);
            v.validate_aud = false;
            v.set_required_spec_claims(&["exp"]);
            assert!(decode::<serde_json::Value>(&token, &dec, &v).is_ok(), "{algorithm:?}");
            assert_eq!(jwk(&stored).unwrap().alg, algorithm.as_str());
        }
    }
}
