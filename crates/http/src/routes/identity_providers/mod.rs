//! General → Identity providers: which providers an instance's end users may register and sign
//! in with (email and password, guest sessions, Google, Facebook, X, LinkedIn, any OpenID
//! Connect issuer), each provider's client credentials (the secret encrypted at rest and never
//! returned), scopes, labels, order and the applications it is offered to.

pub mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_identity_providers).service(handlers::put_identity_provider).service(handlers::reset_identity_provider);
}
