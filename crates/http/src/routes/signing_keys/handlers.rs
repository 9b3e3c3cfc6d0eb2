use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
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

#[derive(Serialize, ToSchema)]
pub struct SigningKeyDto {
    pub kid: String,
    #[schema(example = "EdDSA")]
    pub algorithm: String,
    pub status: KeyStatus,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    /// When a retired key leaves the JWKS.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<SigningKey> for SigningKeyDto {
    fn from(k: SigningKey) -> Self {
        Self {
            kid: k.kid,
            algorithm: k.algorithm,
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

/// Rotate the signing key (admin or owner): new tokens are signed with a new key; the old one
/// stays published until the tokens it signed have expired.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 201, body = SigningKeyDto),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[post("/instances/{instance}/signing-keys/rotate")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn rotate_signing_key(state: web::Data<AppState>, member: Member<Administer<Settings>>) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(&state).await?;
    let key = super::service::rotate(&state, &member.membership.instance, &actor).await?;
    Ok(HttpResponse::Created().json(SigningKeyDto::from(key)))
}
