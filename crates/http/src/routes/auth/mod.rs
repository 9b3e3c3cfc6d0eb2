//! Console sign-up, sign-in, token refresh and sign-out.

pub(crate) mod dto;
mod handlers;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::TokenResponse;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::signup).service(handlers::login).service(handlers::refresh).service(handlers::logout);
}
