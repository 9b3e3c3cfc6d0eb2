//! Invitations to join an instance: admins invite an address with a role; the person who owns
//! that (verified) address accepts, once, within 7 days. Nobody becomes a member otherwise.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_invitation)
        .service(handlers::list_invitations)
        .service(handlers::resend_invitation)
        .service(handlers::revoke_invitation)
        .service(handlers::lookup_invitation)
        .service(handlers::accept_invitation)
        .service(handlers::get_security_policy)
        .service(handlers::put_security_policy);
}
