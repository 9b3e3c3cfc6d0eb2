//! Authorization requests of the hosted sign-in page: one per `GET /oauth/authorize`, bound to
//! the browser that made it, living 10 minutes. Its upstream state (when the person chose a
//! provider) and its code (once they signed in) are stored as hashes and used once, each by a
//! conditional update: two callbacks or two redemptions racing find one winner.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::entities::authorization_requests::Model as AuthorizationRequest;
use crate::entities::authorization_requests::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

pub struct NewRequest<'a> {
    pub application_id: Uuid,
    pub redirect_uri: &'a str,
    pub state: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub code_challenge: &'a str,
    pub scope: &'a str,
    pub browser_hash: &'a str,
    pub upgrade_user_id: Option<Uuid>,
    pub expires_at: DateTime<FixedOffset>,
}

pub async fn create(db: &impl ConnectionTrait, instance_id: Uuid, r: NewRequest<'_>) -> StoreResult<AuthorizationRequest> {
    Ok(ActiveModel {
        id: Set(Uuid::now_v7()),
        instance_id: Set(instance_id),
        application_id: Set(r.application_id),
        redirect_uri: Set(r.redirect_uri.to_owned()),
        state: Set(r.state.map(str::to_owned)),
        nonce: Set(r.nonce.map(str::to_owned)),
        code_challenge: Set(r.code_challenge.to_owned()),
        scope: Set(r.scope.to_owned()),
        browser_hash: Set(r.browser_hash.to_owned()),
        provider_key: Set(None),
        upstream_state_hash: Set(None),
        upstream_nonce: Set(None),
        upstream_verifier: Set(None),
        upgrade_user_id: Set(r.upgrade_user_id),
        end_user_id: Set(None),
        code_hash: Set(None),
        code_used_at: Set(None),
        session_id: Set(None),
        auth_time: Set(None),
        created_at: Set(now()),
        expires_at: Set(r.expires_at),
    }
    .insert(db)
    .await
    .context("Failed to store an authorization request")?)
}

/// The request, while it is still open (not expired, no code issued yet).
pub async fn open(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid) -> StoreResult<Option<AuthorizationRequest>> {
    Ok(Entity::find_by_id(id)
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::ExpiresAt.gt(now()))
        .filter(Column::CodeHash.is_null())
        .one(db)
        .await
        .context("Failed to read an authorization request")?)
}

/// Records the provider chosen and the values sent to it (a new choice replaces the last).
pub async fn start_upstream(db: &impl ConnectionTrait, id: Uuid, provider_key: &str, state_hash: &str, nonce: &str, verifier: &str) -> StoreResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::ProviderKey, Expr::value(provider_key))
        .col_expr(Column::UpstreamStateHash, Expr::value(state_hash))
        .col_expr(Column::UpstreamNonce, Expr::value(nonce))
        .col_expr(Column::UpstreamVerifier, Expr::value(verifier))
        .filter(Column::Id.eq(id))
        .filter(Column::CodeHash.is_null())
        .exec(db)
        .await
        .context("Failed to record a provider redirect")?;
    Ok(res.rows_affected == 1)
}

/// The open request the provider's `state` belongs to, taken once: a second callback with the
/// same state finds nothing.
pub async fn take_upstream(db: &impl ConnectionTrait, instance_id: Uuid, state_hash: &str) -> StoreResult<Option<AuthorizationRequest>> {
    let Some(found) = Entity::find()
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::UpstreamStateHash.eq(state_hash))
        .one(db)
        .await
        .context("Failed to read an authorization request")?
    else {
        return Ok(None);
    };
    let res = Entity::update_many()
        .col_expr(Column::UpstreamStateHash, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(found.id))
        .filter(Column::UpstreamStateHash.eq(state_hash))
        .exec(db)
        .await
        .context("Failed to take an authorization request")?;
    let open = found.expires_at > now() && found.code_hash.is_none();
    Ok((res.rows_affected == 1 && open).then_some(found))
}

/// Issues the one-time code for `user_id` (once per request).
pub async fn issue_code(db: &impl ConnectionTrait, id: Uuid, user_id: Uuid, code_hash: &str, expires_at: DateTime<FixedOffset>) -> StoreResult<bool> {
    let at = now();
    let res = Entity::update_many()
        .col_expr(Column::EndUserId, Expr::value(user_id))
        .col_expr(Column::CodeHash, Expr::value(code_hash))
        .col_expr(Column::AuthTime, Expr::value(at))
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .col_expr(Column::UpstreamVerifier, Expr::value(Option::<String>::None))
        .filter(Column::Id.eq(id))
        .filter(Column::CodeHash.is_null())
        .filter(Column::ExpiresAt.gt(at))
        .exec(db)
        .await
        .context("Failed to issue an authorization code")?;
    Ok(res.rows_affected == 1)
}

/// What presenting a code found.
pub enum Redemption {
    /// First use, in time: the request it was issued for.
    Redeemed(AuthorizationRequest),
    /// Used before: the request (its `session_id` is the session the first use started).
    Replayed(AuthorizationRequest),
    /// Unknown, or expired.
    Invalid,
}

pub async fn redeem(db: &impl ConnectionTrait, instance_id: Uuid, code_hash: &str) -> StoreResult<Redemption> {
    let Some(found) =
        Entity::find().filter(Column::InstanceId.eq(instance_id)).filter(Column::CodeHash.eq(code_hash)).one(db).await.context("Failed to read a code")?
    else {
        return Ok(Redemption::Invalid);
    };
    if found.code_used_at.is_some() {
        return Ok(Redemption::Replayed(found));
    }
    let at = now();
    let res = Entity::update_many()
        .col_expr(Column::CodeUsedAt, Expr::value(at))
        .filter(Column::Id.eq(found.id))
        .filter(Column::CodeUsedAt.is_null())
        .exec(db)
        .await
        .context("Failed to redeem a code")?;
    if res.rows_affected != 1 {
        return Ok(Redemption::Replayed(found));
    }
    if found.expires_at <= at {
        return Ok(Redemption::Invalid);
    }
    Ok(Redemption::Redeemed(found))
}

/// Remembers the session a code started (a replay of the code ends it).
pub async fn set_session(db: &impl ConnectionTrait, id: Uuid, session_id: Uuid) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::SessionId, Expr::value(session_id))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .context("Failed to record a code's session")?;
    Ok(())
}

pub async fn delete_expired_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let res = Entity::delete_many().filter(Column::ExpiresAt.lt(before)).exec(db).await.context("Failed to delete old authorization requests")?;
    Ok(res.rows_affected)
}

/// Claims request `id` for a browser once: the link's claim (`claim_hash`, what the request was
/// created with) gives way to the browser's own secret (`browser_hash`).
pub async fn claim(db: &impl ConnectionTrait, instance_id: Uuid, id: Uuid, claim_hash: &str, browser_hash: &str) -> StoreResult<bool> {
    let res = Entity::update_many()
        .col_expr(Column::BrowserHash, Expr::value(browser_hash))
        .filter(Column::Id.eq(id))
        .filter(Column::InstanceId.eq(instance_id))
        .filter(Column::BrowserHash.eq(claim_hash))
        .filter(Column::CodeHash.is_null())
        .filter(Column::ExpiresAt.gt(now()))
        .exec(db)
        .await
        .context("Failed to claim an authorization request")?;
    Ok(res.rows_affected == 1)
}
