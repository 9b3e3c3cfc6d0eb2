//! Authorization on instance routes. Two kinds of caller reach `/api/v1/instances/{instance}/…`:
//!
//! - a **person** with a console access token: a member whose role allows the action; a
//!   non-member gets 404, exactly as for an instance that does not exist;
//! - a **management client** with a management token: only on its own instance (403
//!   `wrong_instance` elsewhere, whether or not that instance exists), only where the route
//!   declares a scope and the token carries it (403 `insufficient_scope` naming it), never on
//!   routes for people only (403 `people_only`).
//!
//! A handler says what it needs in its signature — `Member<Write<Users>>`: the developer role
//! for a person, the `users:write` scope for a machine — and the OpenAPI document declares the
//! same scope for the operation (a test walks the document against this code).

use std::marker::PhantomData;

use steward_domain::Role;
use steward_domain::role::Action;
use steward_domain::scope::{self, Scope, Verb};
use steward_persistence::instances::{self, Membership};
use steward_persistence::{accounts, management_clients, revoked_tokens};
use uuid::Uuid;

use crate::AppState;
use crate::audit::Actor;
use crate::auth::Authenticated;
use crate::auth::tokens::ManagementClaims;
use crate::problem::ApiError;

pub fn instance_not_found() -> ApiError {
    ApiError::not_found("No instance with this slug exists, or you are not a member of it.")
}

/// The answer to a management token on a route that only people may use.
pub fn people_only() -> ApiError {
    ApiError::new(actix_web::http::StatusCode::FORBIDDEN, "people_only", "Only a person signed in to the console may do this; a management token can't.")
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

/// The area a route belongs to, as a type; [`PeopleOnly`] for routes no machine may use.
pub trait AreaOf {
    const AREA: Option<scope::Area>;
}

macro_rules! areas {
    ($($(#[$m:meta])* $name:ident => $area:expr;)+) => {
        $($(#[$m])* pub struct $name; impl AreaOf for $name { const AREA: Option<scope::Area> = $area; })+
    };
}

areas! {
    /// The instance's details, branding, email style and templates, SMTP, signing keys.
    Settings => Some(scope::Area::Settings);
    Applications => Some(scope::Area::Applications);
    Users => Some(scope::Area::Users);
    /// The outbox and the capture mailbox.
    Emails => Some(scope::Area::Emails);
    /// Members and invitations.
    Members => Some(scope::Area::Members);
    AuditLog => Some(scope::Area::AuditLog);
    /// Webhook endpoints and their deliveries.
    Webhooks => Some(scope::Area::Webhooks);
    /// API analytics, usage, the plan, bills and invoices.
    Usage => Some(scope::Area::Usage);
    /// No scope: management tokens are refused (`people_only`).
    PeopleOnly => None;
}

/// What a route needs: the action a person's role must allow and the scope a machine's token
/// must carry (`None`: people only).
pub trait Required {
    const ACTION: Action;
    const SCOPE: Option<Scope>;
}

const fn scope_of(area: Option<scope::Area>, verb: Verb) -> Option<Scope> {
    match area {
        // A read-only area (the audit log) has one scope, whatever the role a person needs.
        Some(a) if !a.writable() => Some(Scope::new(a, Verb::Read)),
        Some(a) => Some(Scope::new(a, verb)),
        None => None,
    }
}

/// Any member (viewer and up); `area:read`.
pub struct Read<S>(PhantomData<S>);
/// Developer and up: change the instance's resources; `area:write`.
pub struct Write<S>(PhantomData<S>);
/// Admin and up: change the instance's settings, manage non-owner members; `area:write`.
pub struct Administer<S>(PhantomData<S>);
/// Owner only; never a machine.
pub struct Own;

impl<S: AreaOf> Required for Read<S> {
    const ACTION: Action = Action::Read;
    const SCOPE: Option<Scope> = scope_of(S::AREA, Verb::Read);
}
impl<S: AreaOf> Required for Write<S> {
    const ACTION: Action = Action::Write;
    const SCOPE: Option<Scope> = scope_of(S::AREA, Verb::Write);
}
impl<S: AreaOf> Required for Administer<S> {
    const ACTION: Action = Action::Administer;
    const SCOPE: Option<Scope> = scope_of(S::AREA, Verb::Write);
}
impl Required for Own {
    const ACTION: Action = Action::Own;
    const SCOPE: Option<Scope> = None;
}

/// A management client calling with its token.
#[derive(Debug, Clone)]
pub struct ClientCaller {
    pub id: Uuid,
    pub name: String,
    /// What the token may do: the scopes it was issued with that the client still has.
    pub scopes: Vec<Scope>,
}

/// Who is calling an instance route.
#[derive(Debug, Clone)]
pub enum Caller {
    Account(Authenticated),
    Client(ClientCaller),
}

/// The caller, authorized on the route's `{instance}` for `A`: 401 without a valid token, 404
/// for an instance a person is not a member of (as for one that does not exist), 403 for a role
/// below `A` or a token without `A`'s scope.
pub struct Member<A: Required> {
    pub caller: Caller,
    pub membership: Membership,
    /// The caller's address, for the audit log.
    pub ip: Option<String>,
    _required: PhantomData<A>,
}

impl<A: Required> Member<A> {
    /// The caller's id, for logs: the account's, or the management client's.
    pub fn caller_id(&self) -> Uuid {
        match &self.caller {
            Caller::Account(a) => a.account_id,
            Caller::Client(c) => c.id,
        }
    }

    pub fn into_parts(self) -> (Caller, Membership) {
        (self.caller, self.membership)
    }

    /// Whether the caller may see what takes over an end user's account (live links in captured
    /// emails): people from developer up, machines that may change users anyway.
    pub fn may_see_account_links(&self) -> bool {
        match &self.caller {
            Caller::Account(_) => self.membership.role.may(Action::Write),
            Caller::Client(c) => c.scopes.contains(&Scope::new(scope::Area::Users, Verb::Write)),
        }
    }

    /// The caller as the audit log records them.
    pub async fn actor(&self, state: &AppState) -> Result<Actor, ApiError> {
        match &self.caller {
            Caller::Account(auth) => actor_of(state, auth, self.ip.clone()).await,
            Caller::Client(c) => Ok(Actor::management_client(c.id, &c.name, self.ip.clone())),
        }
    }
}

/// The signed-in account as the audit log records it.
pub async fn actor_of(state: &AppState, auth: &Authenticated, ip: Option<String>) -> Result<Actor, ApiError> {
    let account =
        accounts::find(&state.db, auth.account_id).await?.ok_or_else(|| ApiError::unauthorized("session_revoked", "This session has ended. Sign in again."))?;
    Ok(Actor::account(account.id, &account.email, ip))
}

/// A management token's caller on instance `slug`, if the token is still good there and carries
/// `needed`.
async fn authorize_client(state: &AppState, claims: ManagementClaims, slug: &str, needed: Option<Scope>) -> Result<(ClientCaller, Membership), ApiError> {
    let Some(needed) = needed else { return Err(people_only()) };
    let revoked = || ApiError::unauthorized("invalid_token", "This management token was revoked, or its client deleted or expired.");
    let client = management_clients::by_id(&state.db, claims.sub).await?.filter(|c| c.instance_id == claims.ins).ok_or_else(revoked)?;
    if client.expired_at(steward_persistence::now()) || revoked_tokens::is_revoked(&state.db, claims.jti).await? {
        return Err(revoked());
    }
    let instance = instances::by_slug(&state.db, slug).await?;
    let Some(instance) = instance.filter(|i| i.id == client.instance_id) else {
        return Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "wrong_instance",
            "This management token belongs to another instance; it works only on its own.",
        ));
    };
    let held = client.scope_list();
    let granted: Vec<Scope> = scope::parse_list(&claims.scope).unwrap_or_default().into_iter().filter(|s| held.contains(s)).collect();
    if !granted.contains(&needed) {
        let has = if granted.is_empty() { "none".to_owned() } else { scope::join(&granted) };
        return Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("This needs the scope {needed}; the token has: {has}."),
        ));
    }
    management_clients::touch(&state.db, &client).await?;
    let caller = ClientCaller { id: client.id, name: client.name, scopes: granted };
    // A machine never holds the owner role: what is owner-only is people-only.
    Ok((caller, Membership { instance, role: Role::Admin }))
}

/// The bearer token of a request, if it has one.
pub fn bearer_token(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
    })
}

impl<A: Required + 'static> actix_web::FromRequest for Member<A> {
    type Error = ApiError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<actix_web::web::Data<AppState>>().cloned();
        let machine = state.as_ref().and_then(|s| bearer_token(req).and_then(|t| s.tokens.verify_management(&t)));
        let auth = machine.is_none().then(|| Authenticated::from_request(req, payload));
        let slug = req.match_info().get("instance").map(str::to_owned);
        let ip = crate::extract::client_ip(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState is not registered")))?;
            let slug = slug.ok_or_else(|| ApiError::internal(anyhow::anyhow!("Member<_> on a route without {{instance}}")))?;
            let (caller, membership) = match (machine, auth) {
                (Some(claims), _) => {
                    let (client, membership) = authorize_client(&state, claims, &slug, A::SCOPE).await?;
                    (Caller::Client(client), membership)
                }
                (None, Some(auth)) => {
                    let auth = auth.await?;
                    let membership = authorize(&state, &auth, &slug, A::ACTION).await?;
                    (Caller::Account(auth), membership)
                }
                (None, None) => return Err(ApiError::internal(anyhow::anyhow!("no credentials were read"))),
            };
            Ok(Member { caller, membership, ip, _required: PhantomData })
        })
    }
}
