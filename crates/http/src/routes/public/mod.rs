//! The instance public API (`/public/v1/{instance}/...`): what applications call.
//!
//! Every gated request identifies its application ([`gate::AppCaller`]): front-end apps by
//! `X-Client-Id` (and their allowed origins), back-end apps by a bearer token from the
//! client-credentials grant (`oauth`). CORS is answered per instance by [`cors`].

pub mod cors;
mod dto;
pub mod gate;
mod handlers;
mod oauth;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(oauth::token).service(handlers::jwks).service(handlers::branding).service(handlers::whoami);
}
