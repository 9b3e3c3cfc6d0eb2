//! The instance public API (`/public/v1/{instance}/...`): what applications call.
//!
//! Every gated request identifies its application ([`gate::AppCaller`]): front-end apps by
//! `X-Client-Id` (and their allowed origins), back-end apps by a bearer token from the
//! client-credentials grant (`oauth`). CORS is answered per instance by [`cors`].

pub(crate) mod auth;
pub mod cors;
mod dto;
pub mod gate;
mod guest;
pub mod handlers;
pub mod hosted;
mod identities;
mod links;
mod oauth;
mod users;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    // actix tries a scope's routes in order, matching each pattern (a regex) until one fits: the
    // routes applications call most come first. Every route here ends in its own literal, so the
    // order decides nothing else.
    cfg.service(handlers::branding)
        .service(handlers::whoami)
        .service(oauth::token)
        .service(oauth::revoke)
        .service(oauth::introspect)
        .service(handlers::jwks)
        .service(handlers::openid_configuration)
        .service(handlers::authorization_server_metadata)
        .service(handlers::logo)
        .service(handlers::public_config)
        .service(hosted::authorize)
        .service(hosted::request_page)
        .service(hosted::password)
        .service(hosted::register)
        .service(hosted::forgot)
        .service(hosted::provider)
        .service(hosted::callback)
        .service(handlers::providers)
        .service(guest::start_guest)
        .service(guest::upgrade_guest)
        .service(guest::guest_link)
        .service(auth::register)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::get_me)
        .service(identities::list_own_identities)
        .service(identities::link_own_identity)
        .service(identities::unlink_own_identity)
        .service(auth::update_me)
        .service(auth::verify_email)
        .service(auth::resend_verification)
        .service(auth::forgot_password)
        .service(auth::reset_password)
        .service(links::get_link_info)
        .service(links::renew)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::get_user)
        .service(users::update_user)
        .service(users::delete_user);
}
