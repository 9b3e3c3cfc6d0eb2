use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use steward_domain::signing::SigningAlgorithm;
use steward_persistence::signing_keys::{self, SigningKey};
use utoipa::ToSchema;

use crate::AppState;
use crate::access::{Administer, Member, Read, Settings};
use crate::problem::ApiError;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Signs new tokens.
    Active,
    /// No longer signs; still published until `expires_at` so its tokens stay verifiable.
    Retired,
}

/// A JWS algorithm an instance may sign its tokens with.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum SigningAlgorithmDto {
    /// Ed25519: small, fast; not verifiable by some libraries (Node's `jsonwebtoken`, .NET).
    EdDSA,
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (2048-bit keys): verifiable everywhere.
    RS256,
}

impl SigningAlgorithmDto {
    fn of(stored: &str) -> Self {
        match SigningAlgorithm::parse(stored) {
            Some(SigningAlgorithm::Es256) => Self::ES256,
            Some(SigningAlgorithm::Rs256) => Self::RS256,
            _ => Self::EdDSA,
        }
    }
}

impl From<SigningAlgorithmDto> for SigningAlgorithm {
    fn from(a: SigningAlgorithmDto) -> Self {
        match a {
            SigningAlgorithmDto::EdDSA => SigningAlgorithm::EdDsa,
            SigningAlgorithmDto::ES256 => SigningAlgorithm::Es256,
            SigningAlgorithmDto::RS256 => SigningAlgorithm::Rs256,
        }
    }
}

/// What a rotation makes.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateSigningKeyRequest {
    /// The new key's algorithm; absent: the current key's. Choosing another algorithm is how an
    /// instance changes it: tokens already issued stay valid until they expire.
    pub algorithm: Option<SigningAlgorithmDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SigningKeyDto {
    pub kid: String,
    pub algorithm: SigningAlgorithmDto,
    pub status: KeyStatus,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    /// When a retired key leaves the JWKS.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<SigningKey> for SigningKeyDto {
    fn from(k: SigningKey) -> Self {
        Self {
            algorithm: SigningAlgorithmDto::of(&k.algorithm),
            kid: k.kid,
            status: if k.retired_at.is_some() { KeyStatus::Retired } else { KeyStatus::Active },
            created_at: k.created_at.to_utc(),
            retired_at: k.retired_at.map(|t| t.to_utc()),
            expires_at: k.expires_at.map(|t| t.to_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SigningKeyList {
    pub items: Vec<SigningKeyDto>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// The instance's published signing keys, newest first (one is created on first use).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = SigningKeyList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/signing-keys")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_signing_keys(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    state.instance_tokens.ensure_key(&state.db, membership.instance.id).await?;
    let keys = signing_keys::published(&state.db, membership.instance.id).await?;
    let total = keys.len() as u64;
    Ok(HttpResponse::Ok().json(SigningKeyList { items: keys.into_iter().map(SigningKeyDto::from).collect(), next_cursor: None, total }))
}

/// Rotate the signing key (admin or owner), optionally to another algorithm: new tokens are
/// signed with a new key; the old one stays published until the tokens it signed have expired.
/// The body is optional.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body = Option<RotateSigningKeyRequest>,
    responses(
        (status = 201, body = SigningKeyDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/signing-keys/rotate")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn rotate_signing_key(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // No body, or `null` (the document's "no body" too: the body is optional).
    let request: RotateSigningKeyRequest = if body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null" {
        RotateSigningKeyRequest::default()
    } else {
        let media = crate::extract::media_type(&req);
        if media != "application/json" {
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`, or no body.",
            ));
        }
        crate::extract::parse_json(&body)?
    };
    let actor = member.actor(&state).await?;
    let key = super::service::rotate(&state, &member.membership.instance, &actor, request.algorithm.map(Into::into)).await?;
    Ok(HttpResponse::Created().json(SigningKeyDto::from(key)))
}
