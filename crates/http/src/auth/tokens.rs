//! Console access tokens (short-lived JWTs) and refresh tokens (opaque, 256 bits).
//!
//! Access tokens are HS256 JWTs signed with a key derived from the master key; only this server
//! verifies them, so a symmetric key is enough. Verification pins the algorithm (so `alg: none`
//! and algorithm confusion fail), and checks `iss`, `aud`, `exp` and the token kind `typ`.
//! Refresh tokens are random; only their SHA-256 is stored.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

/// The `typ` claim of console access tokens; tokens of any other kind are refused.
pub const CONSOLE_ACCESS: &str = "console_access";
/// The audience of console access tokens.
pub const CONSOLE_AUDIENCE: &str = "steward-console";
/// The `typ` claim of management tokens (a management client's, for the console API).
pub const MANAGEMENT_ACCESS: &str = "management_access";
/// The audience of management tokens.
pub const MANAGEMENT_AUDIENCE: &str = "steward-management";
/// How long a management token lives (at most: never past its client's expiry).
pub const MANAGEMENT_TTL_SECS: i64 = 3600;
/// Refresh tokens start with this, so secret scanners can recognise them.
pub const REFRESH_PREFIX: &str = "stw_rt_";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: Uuid,
    /// The session id.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub typ: String,
}

/// A management client's token: `sub` is the client's id, `ins` its instance's.
#[derive(Debug, Serialize, Deserialize)]
pub struct ManagementClaims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub ins: Uuid,
    /// Space-separated scopes.
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    pub typ: String,
}

pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    management_validation: Validation,
    issuer: String,
    access_ttl_secs: i64,
}

impl TokenService {
    /// `key` is the 32-byte signing key; `issuer` the public URL of this server.
    pub fn new(key: &[u8], issuer: String, access_ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[CONSOLE_AUDIENCE]);
        validation.set_issuer(&[issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        validation.validate_nbf = true;
        let mut management_validation = validation.clone();
        management_validation.set_audience(&[MANAGEMENT_AUDIENCE]);
        Self { encoding: EncodingKey::from_secret(key), decoding: DecodingKey::from_secret(key), validation, management_validation, issuer, access_ttl_secs }
    }

    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    /// Issues an access token for a session.
    pub fn issue_access(&self, account_id: Uuid, session_id: Uuid) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: CONSOLE_AUDIENCE.to_owned(),
            sub: account_id,
            sid: session_id,
            iat: now,
            exp: now + self.access_ttl_secs,
            jti: Uuid::now_v7(),
            typ: CONSOLE_ACCESS.to_owned(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| anyhow::anyhow!("Failed to sign an access token: {e}"))
    }

    /// Verifies an access token: signature (HS256 only), issuer, audience, expiry and kind.
    pub fn verify_access(&self, token: &str) -> Option<AccessClaims> {
        let data = decode::<AccessClaims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == CONSOLE_ACCESS).then_some(data.claims)
    }
}

impl TokenService {
    /// Issues a management token for client `client_id` of instance `instance_id` with `scope`,
    /// living [`MANAGEMENT_TTL_SECS`] or until `not_after`, whichever is first. Answers the token
    /// and its lifetime in seconds.
    pub fn issue_management(&self, client_id: Uuid, instance_id: Uuid, scope: &str, not_after: Option<i64>) -> anyhow::Result<(String, i64)> {
        let now = chrono::Utc::now().timestamp();
        let exp = not_after.map_or(now + MANAGEMENT_TTL_SECS, |n| n.min(now + MANAGEMENT_TTL_SECS));
        let claims = ManagementClaims {
            iss: self.issuer.clone(),
            aud: MANAGEMENT_AUDIENCE.to_owned(),
            sub: client_id,
            ins: instance_id,
            scope: scope.to_owned(),
            iat: now,
            exp,
            jti: Uuid::now_v7(),
            typ: MANAGEMENT_ACCESS.to_owned(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| anyhow::anyhow!("Failed to sign a management token: {e}"))?;
        Ok((token, exp - now))
    }

    /// Verifies a management token: signature (HS256 only), issuer, audience, expiry and kind.
    pub fn verify_management(&self, token: &str) -> Option<ManagementClaims> {
        let data = decode::<ManagementClaims>(token, &self.decoding, &self.management_validation).ok()?;
        (data.claims.typ == MANAGEMENT_ACCESS).then_some(data.claims)
    }
}

/// A fresh refresh token and its hash (what is stored).
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{REFRESH_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// The stored form of a refresh token: hex SHA-256 (the token has 256 bits of entropy, so a
/// fast hash is enough).
pub fn hash_refresh_token(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::new(&[7u8; 32], "http://localhost".into(), 900)
    }

    #[test]
    fn roundtrip() {
        let s = service();
        let (a, sid) = (Uuid::now_v7(), Uuid::now_v7());
        let t = s.issue_access(a, sid).unwrap();
        let c = s.verify_access(&t).unwrap();
        assert_eq!((c.sub, c.sid), (a, sid));
    }

    #[test]
    fn refuses_other_keys_issuers_and_alg_none() {
        let s = service();
        let t = s.issue_access(Uuid::now_v7(), Uuid::now_v7()).unwrap();
        assert!(TokenService::new(&[8u8; 32], "http://localhost".into(), 900).verify_access(&t).is_none());
        assert!(TokenService::new(&[7u8; 32], "http://other".into(), 900).verify_access(&t).is_none());
        let parts: Vec<&str> = t.split('.').collect();
        let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(s.verify_access(&format!("{none_header}.{}.", parts[1])).is_none());
    }

    #[test]
    fn console_and_management_tokens_are_not_interchangeable() {
        let s = service();
        let console = s.issue_access(Uuid::now_v7(), Uuid::now_v7()).unwrap();
        let (machine, ttl) = s.issue_management(Uuid::now_v7(), Uuid::now_v7(), "users:read", None).unwrap();
        assert_eq!(ttl, MANAGEMENT_TTL_SECS);
        assert!(s.verify_management(&console).is_none());
        assert!(s.verify_access(&machine).is_none());
        let claims = s.verify_management(&machine).unwrap();
        assert_eq!(claims.scope, "users:read");
        let soon = chrono::Utc::now().timestamp() + 60;
        let (_, short) = s.issue_management(Uuid::now_v7(), Uuid::now_v7(), "", Some(soon)).unwrap();
        assert!(short <= 60);
    }

    #[test]
    fn refresh_tokens_are_unique_and_hashed() {
        let (t1, h1) = new_refresh_token();
        let (t2, h2) = new_refresh_token();
        assert_ne!(t1, t2);
        assert_eq!(h1, hash_refresh_token(&t1));
        assert_ne!(h1, h2);
        assert_eq!(h1.len(), 64);
    }
}
