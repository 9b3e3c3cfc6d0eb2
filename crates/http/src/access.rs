//! Authorization on instance routes: the caller must be a member with a role that allows the
//! action. A non-member gets 404, exactly as for an instance that does not exist.

use steward_domain::role::Action;
use steward_persistence::accounts;
use steward_persistence::instances::{self, Membership};

use crate::AppState;
use crate::audit::Actor;
use crate::auth::Authenticated;
use crate::problem::ApiError;

pub fn instance_not_found() -> ApiError {
    ApiError::not_found("No instance with this slug exists, or you are not a member of it.")
}

/// The caller's membership of instance `slug`, if their role allows `action` — and, when the
/// instance requires two-factor sign-in, only if the caller has it on (403 `two_factor_required`).
pub async fn authorize(state: &AppState, auth: &Authenticated, slug: &str, action: Action) -> Result<Membership, ApiError> {
    let membership = authorize_membership(state, auth, slug, action).await?;
    if membership.instance.require_two_factor {
        let enabled = steward_persistence::accounts::find(&state.db, auth.account_id).await?.is_some_and(|a| a.totp_enabled_at.is_some());
        if !enabled {
            return Err(ApiError::forbidden("This instance requires two-factor sign-in of every member. Turn it on in Profile → Security, then come back.")
                .with_code("two_factor_required"));
        }
    }
    Ok(membership)
}

/// The caller's membership of instance `slug`, if their role allows `action`, whatever the
/// instance's two-factor requirement (only for the routes that let an owner change it).
pub async fn authorize_membership(state: &AppState, auth: &Authenticated, slug: &str, action: Action) -> Result<Membership, ApiError> {
    let membership = instances::membership(&state.db, slug, auth.account_id).await?.ok_or_else(instance_not_found)?;
    if !membership.role.may(action) {
        let needed = match action {
            Action::Read => "viewer",
            Action::Write => "developer",
            Action::Administer => "admin",
            Action::Own => "owner",
        };
        return Err(ApiError::forbidden(format!("Your role on this instance is {}; this needs the {needed} role or higher.", membership.role.as_str())));
    }
    Ok(membership)
}

/// The role a route needs, as a type: `Member<Write>` in a handler's signature says "developer
/// and up" where a reader looks first.
pub trait Required {
    const ACTION: Action;
}

/// Any member (viewer and up).
pub struct Read;
/// Developer and up: change the instance's resources.
pub struct Write;
/// Admin and up: change the instance's settings, manage non-owner members.
pub struct Administer;
/// Owner only.
pub struct Own;

impl Required for Read {
    const ACTION: Action = Action::Read;
}
impl Required for Write {
    const ACTION: Action = Action::Write;
}
impl Required for Administer {
    const ACTION: Action = Action::Administer;
}
impl Required for Own {
    const ACTION: Action = Action::Own;
}

/// The signed-in caller, authorized on the route's `{instance}` for `A`: 401 without a valid
/// token, 404 for an instance they are not a member of (as for one that does not exist), 403 for
/// a role below `A`.
pub struct Member<A: Required> {
    pub auth: Authenticated,
    pub membership: Membership,
    /// The caller's address, for the audit log.
    pub ip: Option<String>,
    _required: std::marker::PhantomData<A>,
}

impl<A: Required> Member<A> {
    pub fn account_id(&self) -> uuid::Uuid {
        self.auth.account_id
    }

    pub fn into_parts(self) -> (Authenticated, Membership) {
        (self.auth, self.membership)
    }

    /// The caller as the audit log records them: their account's email now, and their address.
    pub async fn actor(&self, state: &AppState) -> Result<Actor, ApiError> {
        actor_of(state, &self.auth, self.ip.clone()).await
    }
}

/// The signed-in account as the audit log records it.
pub async fn actor_of(state: &AppState, auth: &Authenticated, ip: Option<String>) -> Result<Actor, ApiError> {
    let account =
        accounts::find(&state.db, auth.account_id).await?.ok_or_else(|| ApiError::unauthorized("session_revoked", "This session has ended. Sign in again."))?;
    Ok(Actor::account(account.id, &account.email, ip))
}

impl<A: Required + 'static> actix_web::FromRequest for Member<A> {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let auth = Authenticated::from_request(req, payload);
        let state = req.app_data::<actix_web::web::Data<AppState>>().cloned();
        let slug = req.match_info().get("instance").map(str::to_owned);
        let ip = crate::extract::client_ip(req);
        Box::pin(async move {
            let auth = auth.await?;
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState is not registered")))?;
            let slug = slug.ok_or_else(|| ApiError::internal(anyhow::anyhow!("Member<_> on a route without {{instance}}")))?;
            let membership = authorize(&state, &auth, &slug, A::ACTION).await?;
            Ok(Member { auth, membership, ip, _required: std::marker::PhantomData })
        })
    }
}
