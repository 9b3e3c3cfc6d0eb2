//! Parsing and rules for end users, shared by the console and the public API.

use steward_domain::end_user::{UserStatus, check_metadata, display_name, parse_display_name, parse_person_name};
use steward_domain::{Email, Password};
use steward_persistence::end_users::{self, EndUser, NewEndUser, UserChanges, UserFilter, UserSort};
use steward_persistence::sessions::{self, RevokeReason, Subject};
use steward_persistence::{Cursor, Page};
use uuid::Uuid;

use super::dto::{CreateUserRequest, UpdateUserRequest, UserListQuery};
use crate::AppState;
use crate::problem::{ApiError, FieldError, Fields};

fn metadata(fields: &mut Fields, value: Option<serde_json::Value>) -> Option<serde_json::Value> {
    let value = value?;
    let len = serde_json::to_vec(&value).map(|v| v.len()).unwrap_or(usize::MAX);
    fields.check("metadata", check_metadata(value.is_object(), len)).map(|()| value)
}

/// A new user from a request: validated, password hashed.
pub async fn parse_create(state: &AppState, body: CreateUserRequest, provider: &str) -> Result<NewEndUser, ApiError> {
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&body.email));
    let given = fields.check("given_name", parse_person_name(body.given_name.as_deref().unwrap_or(""), "Given name")).unwrap_or_default();
    let family = fields.check("family_name", parse_person_name(body.family_name.as_deref().unwrap_or(""), "Family name")).unwrap_or_default();
    let name = fields.check("name", parse_display_name(body.name.as_deref().unwrap_or(""))).unwrap_or_default();
    let password = body.password.and_then(|p| fields.check("password", Password::parse(p)));
    let metadata = metadata(&mut fields, body.metadata).unwrap_or_else(|| serde_json::json!({}));
    if body.send_invitation == Some(true) && password.is_some() {
        fields.push(FieldError::new("send_invitation", "not_applicable", "Send an invitation or set a password, not both."));
    }
    fields.finish()?;
    let Some(email) = email else { return Err(ApiError::invariant()) };
    let password_hash = match password {
        Some(p) => Some(state.hasher.hash(p.expose()).await?),
        None => None,
    };
    Ok(NewEndUser {
        name: display_name(&name, &given, &family),
        email: email.into_inner(),
        email_verified: body.email_verified.unwrap_or(false),
        given_name: given,
        family_name: family,
        password_hash,
        blocked: body.blocked.unwrap_or(false),
        provider: provider.to_owned(),
        metadata,
    })
}

/// Applies an edit; a new password or a block ends the user's sessions and tokens.
pub async fn apply_update(state: &AppState, user: EndUser, body: UpdateUserRequest) -> Result<EndUser, ApiError> {
    let mut fields = Fields::default();
    let email = body.email.as_deref().and_then(|e| fields.check("email", Email::parse(e)));
    let given = body.given_name.as_deref().and_then(|v| fields.check("given_name", parse_person_name(v, "Given name")));
    let family = body.family_name.as_deref().and_then(|v| fields.check("family_name", parse_person_name(v, "Family name")));
    let name = body.name.as_deref().and_then(|v| fields.check("name", parse_display_name(v)));
    let password = body.password.and_then(|p| fields.check("password", Password::parse(p)));
    let metadata = metadata(&mut fields, body.metadata);
    fields.finish()?;
    let password_hash = match &password {
        Some(p) => Some(state.hasher.hash(p.expose()).await?),
        None => None,
    };
    let newly_blocked = body.blocked == Some(true) && !user.blocked;
    let email_changes = email.as_ref().is_some_and(|e| e.as_str() != user.email);
    let revoke = newly_blocked || password_hash.is_some();
    let (instance_id, user_id) = (user.instance_id, user.id);
    let updated = end_users::update(
        &state.db,
        user,
        UserChanges {
            email: email.filter(|_| email_changes).map(Email::into_inner),
            // A changed email is unverified unless the caller says otherwise.
            email_verified: body.email_verified.or(email_changes.then_some(false)),
            given_name: given,
            family_name: family,
            name,
            password_hash,
            blocked: body.blocked,
            metadata,
            revoke_tokens: revoke,
        },
    )
    .await?;
    if revoke {
        let reason = if newly_blocked { RevokeReason::Blocked } else { RevokeReason::PasswordChanged };
        sessions::revoke_others(&state.db, Subject::EndUser { instance_id, user_id }, None, reason).await?;
    }
    Ok(updated)
}

/// Blocks or unblocks; blocking ends every session and token of the user at once.
pub async fn set_blocked(state: &AppState, user: EndUser, blocked: bool) -> Result<EndUser, ApiError> {
    apply_update(
        state,
        user,
        UpdateUserRequest {
            email: None,
            given_name: None,
            family_name: None,
            name: None,
            password: None,
            email_verified: None,
            blocked: Some(blocked),
            metadata: None,
        },
    )
    .await
}

/// The filters of a list query; field errors are collected into `errors`.
fn filter_of(q: &UserListQuery, errors: &mut Vec<FieldError>) -> UserFilter {
    let mut bad = |field: &str, code: &str, message: &str| errors.push(FieldError::new(field, code, message));
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some("active") => Some(UserStatus::Active),
        Some("blocked") => Some(UserStatus::Blocked),
        Some("unverified") => Some(UserStatus::Unverified),
        Some(_) => {
            bad("status", "invalid_value", "status must be active, blocked or unverified.");
            None
        }
    };
    let mut date = |field: &str, v: Option<&str>| match v.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(d) => Some(d),
            Err(_) => {
                bad(field, "invalid_date", "Use an RFC 3339 date-time, such as 2026-11-28T00:00:00Z.");
                None
            }
        },
    };
    let created_from = date("created_from", q.created_from.as_deref());
    let created_to = date("created_to", q.created_to.as_deref());
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 200) {
        errors.push(FieldError::new("q", "too_long", "q must be at most 200 characters."));
    }
    UserFilter { q: q.q.clone().filter(|t| !t.is_empty()), status, provider: q.provider.clone().filter(|p| !p.is_empty()), created_from, created_to }
}

/// Only the filters of a list query (for exports).
pub fn parse_filter(q: &UserListQuery) -> Result<UserFilter, ApiError> {
    let mut errors = Vec::new();
    let filter = filter_of(q, &mut errors);
    if errors.is_empty() { Ok(filter) } else { Err(ApiError::validation(errors)) }
}

/// The filtered, sorted page a list query asks for.
pub async fn list(state: &AppState, instance_id: Uuid, q: &UserListQuery) -> Result<Page<EndUser>, ApiError> {
    let mut errors = Vec::new();
    let filter = filter_of(q, &mut errors);
    let mut bad = |field: &str, code: &str, message: &str| errors.push(FieldError::new(field, code, message));
    let sort = match q.sort.as_deref() {
        None | Some("") | Some("created_at") => UserSort::CreatedAt,
        Some("email") => UserSort::Email,
        Some("last_login_at") => UserSort::LastLoginAt,
        Some(_) => {
            bad("sort", "invalid_value", "sort must be created_at, email or last_login_at.");
            UserSort::CreatedAt
        }
    };
    let descending = match q.order.as_deref() {
        None | Some("") | Some("desc") => true,
        Some("asc") => false,
        Some(_) => {
            bad("order", "invalid_value", "order must be asc or desc.");
            true
        }
    };
    let limit = match q.limit.as_deref() {
        None | Some("") => 50,
        Some(s) => match s.parse::<u64>() {
            Ok(n @ 1..=100) => n,
            _ => {
                bad("limit", "out_of_range", "limit must be a whole number from 1 to 100.");
                50
            }
        },
    };
    let cursor = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => match Cursor::decode(c) {
            Some(c) => Some(c),
            None => {
                bad("cursor", "invalid_cursor", "cursor is not one this API returned.");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    end_users::list(&state.db, instance_id, &filter, sort, descending, limit, cursor.as_deref()).await.map_err(|e| match e {
        // A cursor made for another sort order.
        steward_persistence::StoreError::Unexpected(err) if err.to_string().contains("cursor") => {
            ApiError::field("cursor", "invalid_cursor", "cursor does not match this sort; start from the first page.")
        }
        other => other.into(),
    })
}
