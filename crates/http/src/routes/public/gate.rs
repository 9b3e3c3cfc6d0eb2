//! Identifies the application behind a public API request.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use std::sync::Arc;

use steward_domain::config::Settings;
use steward_persistence::applications::Application;
use steward_persistence::instances::Instance;

use super::cors::{CorsGrant, origin_allowed};
use crate::AppState;
use crate::auth::instance_tokens::{AppClaims, CLIENT_CREDENTIALS, USER};
use crate::metering::MeteredApp;
use crate::problem::ApiError;
use steward_persistence::end_users::{self, EndUser};
use steward_persistence::revoked_tokens;
use steward_persistence::sessions::{self, Subject};
use uuid::Uuid;

/// An identified, enabled application of the instance in the path.
pub struct AppCaller {
    pub instance: Instance,
    pub app: Arc<Application>,
    /// The bearer token's claims; `None` for a client-id call (front-end apps).
    pub claims: Option<AppClaims>,
    /// The signed-in end user, for a user token.
    pub user: Option<EndUser>,
    /// The instance's configuration in force.
    pub settings: Settings,
}

impl AppCaller {
    /// The signed-in end user and their session, or 401.
    pub fn end_user(&self) -> Result<(&EndUser, Uuid), ApiError> {
        match (&self.user, self.claims.as_ref().and_then(|c| c.sid)) {
            (Some(u), Some(sid)) => Ok((u, sid)),
            _ => Err(ApiError::unauthorized("unauthorized", "Sign the user in first: send their access token as `Authorization: Bearer <token>`.")),
        }
    }

    /// A back-end application's token carrying `scope`, or 401/403.
    pub fn require_scope(&self, scope: &str) -> Result<(), ApiError> {
        match &self.claims {
            Some(c) if c.typ == CLIENT_CREDENTIALS => {
                if c.scope.split_whitespace().any(|s| s == scope) {
                    Ok(())
                } else {
                    Err(ApiError::forbidden(format!("This token lacks the {scope} scope.")).with_code("insufficient_scope"))
                }
            }
            _ => Err(ApiError::unauthorized("unauthorized", "This route needs a back-end application's token from /oauth/token.")),
        }
    }
}

/// A token of the instance that works now, and who it stands for.
pub struct LiveToken {
    pub claims: AppClaims,
    /// The application it was issued to (enabled).
    pub app: Arc<Application>,
    /// The end user, for a user token.
    pub user: Option<EndUser>,
}

/// The token, if it is one of `instance`'s and works now: signature, expiry, the application
/// enabled; a client-credentials token not revoked; a user token's user existing, not blocked,
/// their tokens not revoked since, and its session active. Every check a gated call and an
/// introspection make, in one place.
pub async fn live_token(state: &AppState, instance: &Instance, token: &str) -> Result<Option<LiveToken>, ApiError> {
    // A back-end token verified before (and not revoked, its instance unchanged since) is
    // taken from memory: no signature check, no database.
    if let Some(hit) = state.cache.token(instance.id, token) {
        if hit.app.enabled {
            return Ok(Some(LiveToken { claims: hit.claims, app: hit.app, user: None }));
        }
        return Ok(None);
    }
    let mark = state.cache.mark(instance.id);
    let Some(claims) = state.instance_tokens.verify(&state.db, instance.id, &instance.slug, token).await? else { return Ok(None) };
    let Some(app) = state.cache.application(&state.db, instance.id, &claims.client_id).await?.filter(|a| a.enabled) else { return Ok(None) };
    let user = match claims.typ.as_str() {
        USER => {
            let Ok(user_id) = claims.sub.parse::<Uuid>() else { return Ok(None) };
            let Some(user) = end_users::get(&state.db, instance.id, user_id).await? else { return Ok(None) };
            let revoked = user.tokens_valid_after.is_some_and(|t| claims.iat < t.timestamp());
            let Some(sid) = claims.sid else { return Ok(None) };
            if user.blocked || revoked || !sessions::is_active(&state.db, Subject::EndUser { instance_id: instance.id, user_id }, sid).await? {
                return Ok(None);
            }
            Some(user)
        }
        CLIENT_CREDENTIALS => {
            if revoked_tokens::is_revoked(&state.db, claims.jti).await? {
                return Ok(None);
            }
            state.cache.keep_token(token, instance.id, mark, claims.clone(), app.clone());
            None
        }
        _ => return Ok(None),
    };
    Ok(Some(LiveToken { claims, app, user }))
}

/// The instance's limit of calls per application and minute (`public_api.rate_limit_per_minute`).
async fn rate_limit(state: &AppState, settings: &Settings, app_id: Uuid) -> Result<(), ApiError> {
    if let Some(limit) = settings.rate_limit_per_minute
        && let Some(refusal) = state.quota.admit_app(&state.db, app_id, limit).await?
    {
        return Err(refusal);
    }
    Ok(())
}

pub fn instance_not_found() -> ApiError {
    ApiError::not_found("No instance with this slug exists.")
}

impl FromRequest for AppCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState is not registered")))?;
            let slug = req.match_info().get("instance").unwrap_or_default().to_owned();
            let cached = crate::metering::instance_of(&state, &req, &slug).await?.ok_or_else(instance_not_found)?;
            let (instance, settings) = (cached.instance.clone(), cached.settings.clone());
            let header_str = |name| req.headers().get(name).and_then(|v: &header::HeaderValue| v.to_str().ok()).map(str::to_owned);
            let bearer = header_str(header::AUTHORIZATION).and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
            });
            if let Some(token) = bearer {
                let invalid = || {
                    ApiError::unauthorized("invalid_token", "The access token is invalid, expired, or not for this instance. Get a new one at /oauth/token.")
                };
                let LiveToken { claims, app, user } = live_token(&state, &instance, &token).await?.ok_or_else(invalid)?;
                // A browser calling with an end user's token (a front-end app's `/me`, sign-out):
                // the same origin rule as client-id calls, and the CORS grant that lets the
                // browser read the answer.
                if let Some(origin) = header_str(header::ORIGIN) {
                    if origin_allowed(&app.allowed_origins, &origin) {
                        req.extensions_mut().insert(CorsGrant(origin));
                    } else if app.kind == "frontend" {
                        return Err(
                            ApiError::forbidden(format!("The origin {origin} is not in this application's allowed origins.")).with_code("origin_not_allowed")
                        );
                    }
                }
                state.cache.touch(&state.db, &app).await?;
                req.extensions_mut().insert(MeteredApp(app.id));
                rate_limit(&state, &settings, app.id).await?;
                return Ok(AppCaller { instance, app, claims: Some(claims), user, settings });
            }
            let Some(client_id) = header_str(header::HeaderName::from_static("x-client-id")) else {
                return Err(ApiError::unauthorized(
                    "unauthorized",
                    "Identify your application: send `X-Client-Id` (front-end apps) or `Authorization: Bearer <token>` (back-end apps).",
                ));
            };
            let invalid = || ApiError::unauthorized("invalid_client", "Unknown or disabled client id for this instance.");
            let app = state.cache.application(&state.db, instance.id, &client_id).await?.filter(|a| a.enabled).ok_or_else(invalid)?;
            if app.kind != "frontend" {
                return Err(ApiError::unauthorized("invalid_client", "Back-end applications authenticate with a bearer token from /oauth/token."));
            }
            if let Some(origin) = header_str(header::ORIGIN) {
                if !origin_allowed(&app.allowed_origins, &origin) {
                    return Err(
                        ApiError::forbidden(format!("The origin {origin} is not in this application's allowed origins.")).with_code("origin_not_allowed")
                    );
                }
                req.extensions_mut().insert(CorsGrant(origin));
            }
            state.cache.touch(&state.db, &app).await?;
            req.extensions_mut().insert(MeteredApp(app.id));
            rate_limit(&state, &settings, app.id).await?;
            Ok(AppCaller { instance, app, claims: None, user: None, settings })
        })
    }
}
