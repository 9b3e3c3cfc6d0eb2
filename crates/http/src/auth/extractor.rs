//! The bearer-token extractor for console routes.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use crate::AppState;
use crate::problem::ApiError;

/// A console account authenticated by a valid access token whose session is still active.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated {
    pub account_id: Uuid,
    pub session_id: Uuid,
}

fn unauthorized() -> ApiError {
    ApiError::unauthorized("unauthorized", "Sign in first: send a valid access token as `Authorization: Bearer <token>`.")
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = crate::access::bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState is not registered")))?;
            let token = token.ok_or_else(unauthorized)?;
            if state.tokens.verify_management(&token).is_some() {
                return Err(crate::access::people_only());
            }
            let claims = state
                .tokens
                .verify_access(&token)
                .ok_or_else(|| ApiError::unauthorized("invalid_token", "The access token is invalid or has expired. Refresh it or sign in again."))?;
            let active = steward_persistence::sessions::is_active(&state.db, steward_persistence::sessions::Subject::Account(claims.sub), claims.sid).await?;
            if !active {
                return Err(ApiError::unauthorized("session_revoked", "This session has ended. Sign in again."));
            }
            Ok(Authenticated { account_id: claims.sub, session_id: claims.sid })
        })
    }
}
