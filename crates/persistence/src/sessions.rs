//! Sessions and their rotating refresh tokens, for console accounts and end users alike.
//!
//! A session is one sign-in on one device, of a [`Subject`]. Its refresh tokens form a chain: each use marks the
//! presented token used and issues the next. Presenting a token that was already used means it
//! was copied: the whole session is revoked (theft detection). Only SHA-256 hashes are stored.

use anyhow::Context;
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::auth_refresh_tokens as refresh_tokens;
pub use crate::entities::auth_sessions::Model as Session;
use crate::entities::auth_sessions::{ActiveModel, Column, Entity};
use crate::{StoreResult, now};

/// Whose session it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A console account.
    Account(Uuid),
    /// An end user of an instance.
    EndUser { instance_id: Uuid, user_id: Uuid },
}

impl Subject {
    fn filter<Q: QueryFilter>(self, q: Q) -> Q {
        match self {
            Subject::Account(id) => q.filter(Column::AccountId.eq(id)),
            Subject::EndUser { instance_id, user_id } => q.filter(Column::EndUserId.eq(user_id)).filter(Column::InstanceId.eq(instance_id)),
        }
    }

    fn owns(self, s: &Session) -> bool {
        match self {
            Subject::Account(id) => s.account_id == Some(id),
            Subject::EndUser { instance_id, user_id } => s.end_user_id == Some(user_id) && s.instance_id == Some(instance_id),
        }
    }
}

/// Where a refresh token is presented: the console, or one instance's public API. A token is
/// valid only where its session belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    Console,
    Instance(Uuid),
}

impl Realm {
    fn contains(self, s: &Session) -> bool {
        match self {
            Realm::Console => s.account_id.is_some(),
            Realm::Instance(id) => s.end_user_id.is_some() && s.instance_id == Some(id),
        }
    }
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    Logout,
    PasswordChanged,
    RefreshTokenReused,
    RevokedByUser,
    Blocked,
    /// An application revoked one of the session's tokens (RFC 7009).
    RevokedByClient,
}

impl RevokeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeReason::Logout => "logout",
            RevokeReason::PasswordChanged => "password_changed",
            RevokeReason::RefreshTokenReused => "refresh_token_reused",
            RevokeReason::RevokedByUser => "revoked_by_user",
            RevokeReason::Blocked => "blocked",
            RevokeReason::RevokedByClient => "revoked_by_client",
        }
    }
}

pub struct NewSession<'a> {
    pub subject: Subject,
    /// The application the end user signed in through.
    pub application_id: Option<Uuid>,
    pub expires_at: DateTime<FixedOffset>,
    pub refresh_token_hash: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Starts a session with its first refresh token.
#[tracing::instrument(skip_all, fields(subject = ?new.subject))]
pub async fn start(db: &crate::Database, new: NewSession<'_>) -> StoreResult<Session> {
    let txn = crate::begin(db).await?;
    let session = start_in(&txn, new).await?;
    txn.commit().await.context("Failed to commit a new session")?;
    Ok(session)
}

/// Starts a session in the caller's transaction (what follows from the sign-in commits with it).
pub async fn start_in(txn: &crate::DatabaseTransaction, new: NewSession<'_>) -> StoreResult<Session> {
    let at = now();
    let (account_id, end_user_id, instance_id) = match new.subject {
        Subject::Account(id) => (Some(id), None, None),
        Subject::EndUser { instance_id, user_id } => (None, Some(user_id), Some(instance_id)),
    };
    let session = ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        end_user_id: Set(end_user_id),
        instance_id: Set(instance_id),
        application_id: Set(new.application_id),
        created_at: Set(at),
        last_used_at: Set(at),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        user_agent: Set(new.user_agent.map(|s| s.chars().take(512).collect())),
        ip: Set(new.ip.map(|s| s.chars().take(64).collect())),
    }
    .insert(txn)
    .await
    .context("Failed to insert a session")?;
    insert_token(txn, session.id, new.refresh_token_hash).await?;
    Ok(session)
}

async fn insert_token(db: &impl ConnectionTrait, session_id: Uuid, hash: &str) -> StoreResult<()> {
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(hash.to_owned()),
        created_at: Set(now()),
        used_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to insert a refresh token")?;
    Ok(())
}

/// What came of presenting a refresh token. Short-lived and returned once: its size does not matter.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Rotation {
    /// The token was current (or was rotated within the grace period): `next_hash` is now a
    /// current token of the session.
    Rotated(Session),
    /// The token had been used before, longer ago than the grace period: the session is now
    /// revoked.
    Reused,
    /// Unknown token, or its session is revoked or expired.
    Invalid,
}

/// How long a refresh token that was just rotated may be presented again and still get the
/// session's tokens: two tabs (or a reload during a refresh) racing with the same token both
/// keep the session. A replay after this still revokes it. Auth0 calls this the reuse interval.
pub const REUSE_GRACE_SECS: i64 = 30;

/// Exchanges the refresh token whose hash is `presented_hash`, presented in `realm`, for
/// `next_hash`. A token of another realm is [`Rotation::Invalid`] and stays untouched.
///
/// The token is marked used by the transaction's first statement (a write), so on SQLite the
/// transaction holds the write lock from its start: concurrent rotations wait for each other
/// instead of failing to upgrade a read snapshot.
#[tracing::instrument(skip_all)]
pub async fn rotate(db: &crate::Database, realm: Realm, presented_hash: &str, next_hash: &str) -> StoreResult<Rotation> {
    let at = now();
    let txn = crate::begin(db).await?;
    // Of two concurrent uses, exactly one marks the token.
    let marked = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(at))
        .filter(refresh_tokens::Column::TokenHash.eq(presented_hash))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .exec(&txn)
        .await
        .context("Failed to mark a refresh token used")?;
    let Some(token) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(presented_hash))
        .one(&txn)
        .await
        .context("Failed to look up a refresh token")?
    else {
        return Ok(Rotation::Invalid);
    };
    let Some(session) = Entity::find_by_id(token.session_id).one(&txn).await.context("Failed to load a session")? else {
        return Ok(Rotation::Invalid);
    };
    if !realm.contains(&session) || session.revoked_at.is_some() || session.expires_at <= at {
        // Dropping the transaction rolls the mark back: the token is left untouched.
        return Ok(Rotation::Invalid);
    }
    if marked.rows_affected != 1 {
        let within_grace = token.used_at.is_some_and(|used| used > at - chrono::Duration::seconds(REUSE_GRACE_SECS));
        if !within_grace {
            revoke_in(&txn, session.id, RevokeReason::RefreshTokenReused).await?;
            txn.commit().await.context("Failed to commit a session revocation")?;
            return Ok(Rotation::Reused);
        }
    }
    insert_token(&txn, session.id, next_hash).await?;
    let mut active: ActiveModel = session.into();
    active.last_used_at = Set(at);
    let session = active.update(&txn).await.context("Failed to touch a session")?;
    txn.commit().await.context("Failed to commit a refresh token rotation")?;
    Ok(Rotation::Rotated(session))
}

async fn revoke_in(db: &impl ConnectionTrait, session_id: Uuid, reason: RevokeReason) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .col_expr(Column::RevokedReason, Expr::value(reason.as_str()))
        .filter(Column::Id.eq(session_id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("Failed to revoke a session")?;
    Ok(())
}

/// The session a refresh token of `realm` belongs to, and whether the token is current (not yet
/// exchanged): for introspection and revocation. Nothing is changed.
#[tracing::instrument(skip_all)]
pub async fn by_refresh_token(db: &impl ConnectionTrait, realm: Realm, token_hash: &str) -> StoreResult<Option<(Session, bool)>> {
    let Some(token) =
        refresh_tokens::Entity::find().filter(refresh_tokens::Column::TokenHash.eq(token_hash)).one(db).await.context("Failed to look up a refresh token")?
    else {
        return Ok(None);
    };
    let session = Entity::find_by_id(token.session_id).one(db).await.context("Failed to load a session")?;
    Ok(session.filter(|s| realm.contains(s)).map(|s| (s, token.used_at.is_none())))
}

impl Session {
    /// Neither revoked nor expired.
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at > now()
    }
}

/// Revokes one session of `subject`. Returns false when it does not exist, belongs to someone
/// else or was already revoked.
#[tracing::instrument(skip_all, fields(session_id = %session_id))]
pub async fn revoke(db: &impl ConnectionTrait, subject: Subject, session_id: Uuid, reason: RevokeReason) -> StoreResult<bool> {
    let query = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now()))
        .col_expr(Column::RevokedReason, Expr::value(reason.as_str()))
        .filter(Column::Id.eq(session_id))
        .filter(Column::RevokedAt.is_null());
    let result = subject.filter(query).exec(db).await.context("Failed to revoke a session")?;
    Ok(result.rows_affected == 1)
}

/// Revokes every active session of `subject` except `keep`.
#[tracing::instrument(skip_all, fields(subject = ?subject))]
pub async fn revoke_others(db: &impl ConnectionTrait, subject: Subject, keep: Option<Uuid>, reason: RevokeReason) -> StoreResult<u64> {
    let mut query = subject.filter(
        Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .col_expr(Column::RevokedReason, Expr::value(reason.as_str()))
            .filter(Column::RevokedAt.is_null()),
    );
    if let Some(keep) = keep {
        query = query.filter(Column::Id.ne(keep));
    }
    let result = query.exec(db).await.context("Failed to revoke sessions")?;
    Ok(result.rows_affected)
}

/// Whether the session exists, belongs to `subject`, is not revoked and has not expired.
/// This runs on every authenticated console request: one primary-key lookup.
#[tracing::instrument(skip_all, fields(session_id = %session_id))]
pub async fn is_active(db: &impl ConnectionTrait, subject: Subject, session_id: Uuid) -> StoreResult<bool> {
    let session = Entity::find_by_id(session_id).one(db).await.context("Failed to load a session")?;
    Ok(matches!(session, Some(s) if subject.owns(&s) && s.revoked_at.is_none() && s.expires_at > now()))
}

/// The subject's sessions that are still active, newest first.
#[tracing::instrument(skip_all, fields(subject = ?subject))]
pub async fn list_active(db: &impl ConnectionTrait, subject: Subject) -> StoreResult<Vec<Session>> {
    Ok(subject
        .filter(Entity::find())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now()))
        .order_by_desc(Column::LastUsedAt)
        .all(db)
        .await
        .context("Failed to list sessions")?)
}

/// Deletes sessions that ended (revoked or expired) before `before`, with their refresh tokens
/// (retention). Returns how many.
pub async fn delete_ended_before(db: &impl ConnectionTrait, before: DateTime<FixedOffset>) -> StoreResult<u64> {
    let ended = sea_orm::Condition::any().add(Column::RevokedAt.lt(before)).add(Column::ExpiresAt.lt(before));
    let r = Entity::delete_many().filter(ended).exec(db).await.context("Failed to delete ended sessions")?;
    Ok(r.rows_affected)
}
