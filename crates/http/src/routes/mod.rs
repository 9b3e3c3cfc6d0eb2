//! Every resource owns its routes: `routes/<resource>/` with `mod.rs` (registration),
//! `handlers.rs` and `dto.rs`.

pub mod analytics;
pub mod applications;
pub mod audit_log;
pub mod auth;
pub mod billing;
pub mod branding;
pub mod config;
pub mod email_templates;
pub mod emails;
pub mod health;
pub mod identity_providers;
pub mod instances;
pub mod invitations;
pub mod management_clients;
pub mod me;
pub mod members;
pub mod public;
pub mod signing_keys;
pub mod smtp;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the console API under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    auth::configure(cfg);
    me::configure(cfg);
    instances::configure(cfg);
    members::configure(cfg);
    invitations::configure(cfg);
    applications::configure(cfg);
    signing_keys::configure(cfg);
    users::configure(cfg);
    emails::configure(cfg);
    branding::configure(cfg);
    email_templates::configure(cfg);
    smtp::configure(cfg);
    identity_providers::configure(cfg);
    config::configure(cfg);
    audit_log::configure(cfg);
    analytics::configure(cfg);
    billing::configure(cfg);
    management_clients::configure(cfg);
    webhooks::configure(cfg);
}
