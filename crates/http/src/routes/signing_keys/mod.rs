//! The instance's token-signing keys: list and rotate (console side). The public keys are
//! published by the public API's JWKS route.

mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_signing_keys).service(handlers::rotate_signing_key);
}
