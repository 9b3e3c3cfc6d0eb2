//! Saving an instance's identity providers, and what is in effect: every built-in kind (stored,
//! or its defaults) and the OpenID Connect providers the developer added.

use serde_json::{Value, json};
use steward_domain::audit::{AuditAction, TargetKind};
use steward_domain::identity_provider::{
    DEFAULT_GUEST_LIFETIME_SECS, ProviderKind, parse_client_id, parse_client_secret, parse_guest_lifetime, parse_label, parse_oidc_key, parse_scopes,
};
use steward_persistence::identity_providers::{self, IdentityProvider, secret_aad};
use steward_persistence::instances::Instance;
use steward_persistence::{applications, members, now};
use uuid::Uuid;

use super::dto::{IdentityProviderDto, IdentityProviderInput};
use crate::AppState;
use crate::audit::{self, Actor, Target};
use crate::federation::Discovery;
use crate::problem::{ApiError, FieldError, Fields};
use crate::routes::config::service as config_service;
use steward_domain::config::Settings;

/// OpenID Connect providers one instance may have.
pub const MAX_OIDC_PROVIDERS: usize = 20;

/// A provider's kind as stored.
pub fn kind_of(p: &IdentityProvider) -> ProviderKind {
    ProviderKind::parse(&p.kind).unwrap_or(ProviderKind::Oidc)
}

/// The defaults of a built-in kind (never stored as such: `id` is nil).
pub fn default_of(instance_id: Uuid, kind: ProviderKind) -> IdentityProvider {
    let epoch = chrono::DateTime::UNIX_EPOCH.fixed_offset();
    IdentityProvider {
        id: Uuid::nil(),
        instance_id,
        key: kind.as_str().to_owned(),
        kind: kind.as_str().to_owned(),
        enabled: kind.enabled_by_default(),
        display_name: kind.default_display_name().to_owned(),
        button_label: kind.default_button_label(),
        position: kind.default_position(),
        client_id: String::new(),
        client_secret_encrypted: None,
        scopes: kind.default_scopes().join(" "),
        discovery_url: None,
        issuer: None,
        authorization_endpoint: None,
        token_endpoint: None,
        userinfo_endpoint: None,
        jwks_uri: None,
        token_auth_basic: true,
        application_ids: json!([]),
        allow_registration: true,
        guest_lifetime_secs: None,
        created_at: epoch,
        updated_at: epoch,
    }
}

/// Two settings shown on providers are the configuration's (`registration.open` for the
/// password provider, `guest.session_lifetime_secs` for guests): the one place they live.
fn with_settings(mut p: IdentityProvider, settings: &Settings) -> IdentityProvider {
    match ProviderKind::built_in(&p.key) {
        Some(ProviderKind::Password) => p.allow_registration = settings.registration_open,
        Some(ProviderKind::Guest) => p.guest_lifetime_secs = Some(settings.guest_lifetime_secs),
        _ => {}
    }
    p
}

/// Every provider of the instance in effect, in order.
pub async fn effective(state: &AppState, instance_id: Uuid) -> Result<Vec<IdentityProvider>, ApiError> {
    let stored = identity_providers::list(&state.db, instance_id).await?;
    let settings = config_service::settings(state, instance_id).await?;
    let mut all: Vec<IdentityProvider> =
        ProviderKind::BUILT_IN.iter().map(|k| stored.iter().find(|p| p.key == k.as_str()).cloned().unwrap_or_else(|| default_of(instance_id, *k))).collect();
    all.extend(stored.into_iter().filter(|p| ProviderKind::built_in(&p.key).is_none()));
    all.sort_by(|a, b| (a.position, &a.key).cmp(&(b.position, &b.key)));
    Ok(all.into_iter().map(|p| with_settings(p, &settings)).collect())
}

/// The provider `key` in effect (`None`: no such OpenID Connect provider).
pub async fn effective_one(state: &AppState, instance_id: Uuid, key: &str) -> Result<Option<IdentityProvider>, ApiError> {
    let stored = identity_providers::get(&state.db, instance_id, key).await?;
    let found = stored.or_else(|| ProviderKind::built_in(key).map(|k| default_of(instance_id, k)));
    Ok(match found {
        Some(p) if matches!(ProviderKind::built_in(&p.key), Some(ProviderKind::Password | ProviderKind::Guest)) => {
            Some(with_settings(p, &config_service::settings(state, instance_id).await?))
        }
        other => other,
    })
}

/// The provider of built-in `kind` when it is on for application `app_id`, or 403
/// `provider_disabled`.
pub async fn require(state: &AppState, instance_id: Uuid, app_id: Uuid, kind: ProviderKind) -> Result<IdentityProvider, ApiError> {
    let p = effective_one(state, instance_id, kind.as_str()).await?.ok_or_else(ApiError::invariant)?;
    if !p.enabled || !p.allows(app_id) {
        return Err(ApiError::forbidden(format!("{} is not enabled for this application.", p.display_name)).with_code("provider_disabled"));
    }
    Ok(p)
}

/// What the stored secret is bound to besides its instance and key: the discovery URL of an
/// OpenID Connect provider (a secret saved for one issuer never goes to another).
fn bound_to(p: &IdentityProvider) -> &str {
    p.discovery_url.as_deref().unwrap_or("")
}

/// The provider's client secret, decrypted.
pub fn client_secret(state: &AppState, p: &IdentityProvider) -> anyhow::Result<Option<String>> {
    p.client_secret_encrypted
        .as_deref()
        .map(|c| {
            state
                .secrets
                .decrypt(c, &secret_aad(p.instance_id, &p.key, bound_to(p)))
                .and_then(|b| String::from_utf8(b).map_err(|_| anyhow::anyhow!("not UTF-8")))
        })
        .transpose()
}

/// The stored discovery of an OpenID Connect provider.
pub fn stored_discovery(p: &IdentityProvider) -> Option<Discovery> {
    Some(Discovery {
        issuer: p.issuer.clone()?,
        authorization_endpoint: p.authorization_endpoint.clone()?,
        token_endpoint: p.token_endpoint.clone()?,
        userinfo_endpoint: p.userinfo_endpoint.clone(),
        jwks_uri: p.jwks_uri.clone()?,
        basic_auth: p.token_auth_basic,
    })
}

/// Where the provider sends people back after they signed in.
pub fn callback_url(state: &AppState, slug: &str, key: &str) -> String {
    format!("{}/public/v1/{slug}/oauth/callback/{key}", state.public_url)
}

pub fn dto(state: &AppState, slug: &str, p: IdentityProvider) -> IdentityProviderDto {
    let kind = kind_of(&p);
    let configured = !p.id.is_nil();
    IdentityProviderDto {
        callback_url: kind.is_external().then(|| callback_url(state, slug, &p.key)),
        kind: kind.into(),
        enabled: p.enabled,
        client_secret_set: p.client_secret_encrypted.is_some(),
        scopes: p.scopes(),
        application_ids: p.application_ids(),
        guest_lifetime_secs: (kind == ProviderKind::Guest).then(|| p.guest_lifetime_secs.unwrap_or(DEFAULT_GUEST_LIFETIME_SECS)),
        updated_at: configured.then(|| p.updated_at.to_utc()),
        configured,
        key: p.key,
        display_name: p.display_name,
        button_label: p.button_label,
        position: p.position,
        client_id: p.client_id,
        discovery_url: p.discovery_url,
        issuer: p.issuer,
        allow_registration: p.allow_registration,
    }
}

/// The audit log's view of a provider (the secret appears only as set or not).
fn view(p: &IdentityProvider) -> Value {
    json!({
        "provider": p.key,
        "kind": p.kind,
        "enabled": p.enabled,
        "display_name": p.display_name,
        "button_label": p.button_label,
        "position": p.position,
        "client_id": p.client_id,
        "client_secret_set": p.client_secret_encrypted.is_some(),
        "scopes": p.scopes,
        "discovery_url": p.discovery_url,
        "application_ids": p.application_ids,
        "allow_registration": p.allow_registration,
        "guest_lifetime_secs": p.guest_lifetime_secs,
    })
}

fn not_applicable(fields: &mut Fields, field: &str, kind: ProviderKind) {
    fields.push(FieldError::new(field, "not_applicable", format!("{field} does not apply to the {} provider.", kind.as_str())));
}

/// The kind a key stands for: a built-in kind's name, or an OpenID Connect provider's key.
pub fn kind_for_key(key: &str) -> Result<ProviderKind, ApiError> {
    match ProviderKind::built_in(key) {
        Some(k) => Ok(k),
        None => parse_oidc_key(key).map(|_| ProviderKind::Oidc).map_err(|e| ApiError::validation(vec![FieldError::new("key", e.code, e.message)])),
    }
}

/// Saves provider `key` (creating an OpenID Connect provider the first time). Answers the
/// provider and whether it was created.
pub async fn save(state: &AppState, instance: &Instance, actor: &Actor, key: &str, input: IdentityProviderInput) -> Result<(IdentityProvider, bool), ApiError> {
    let kind = kind_for_key(key)?;
    let settings = config_service::settings(state, instance.id).await?;
    let stored = identity_providers::get(&state.db, instance.id, key).await?.map(|p| with_settings(p, &settings));
    let base = match (&stored, kind) {
        (Some(s), _) => s.clone(),
        (None, ProviderKind::Oidc) => {
            let mut d = default_of(instance.id, ProviderKind::Oidc);
            d.key = key.to_owned();
            d.display_name = key.to_owned();
            d.button_label = format!("Continue with {key}");
            d
        }
        (None, k) => with_settings(default_of(instance.id, k), &settings),
    };
    let mut fields = Fields::default();
    let mut next = base.clone();
    next.enabled = input.enabled;
    if let Some(v) = input.display_name.as_deref().and_then(|v| fields.check("display_name", parse_label(v, "Display name"))) {
        next.display_name = v;
    }
    if let Some(v) = input.button_label.as_deref().and_then(|v| fields.check("button_label", parse_label(v, "Button label"))) {
        next.button_label = v;
    } else if input.button_label.is_none() && base.button_label == format!("Continue with {}", base.display_name) {
        // A label still at its default follows a new display name.
        next.button_label = format!("Continue with {}", next.display_name);
    }
    if let Some(p) = input.position {
        if (0..=1000).contains(&p) {
            next.position = p;
        } else {
            fields.push(FieldError::new("position", "out_of_range", "Position is between 0 and 1000."));
        }
    }
    if kind.is_external() {
        if let Some(v) = input.client_id.as_deref().and_then(|v| fields.check("client_id", parse_client_id(v))) {
            next.client_id = v;
        }
        if let Some(v) = input.scopes.as_deref().and_then(|v| fields.check("scopes", parse_scopes(v))) {
            next.scopes = v.join(" ");
        }
        if kind.uses_id_token() && !next.scopes().iter().any(|s| s == "openid") {
            fields.push(FieldError::new("scopes", "openid_required", "An OpenID Connect provider needs the openid scope."));
        }
    } else {
        if input.client_id.is_some() {
            not_applicable(&mut fields, "client_id", kind);
        }
        if input.scopes.is_some() {
            not_applicable(&mut fields, "scopes", kind);
        }
        if matches!(input.client_secret, Some(Some(_))) {
            not_applicable(&mut fields, "client_secret", kind);
        }
    }
    let mut discovery: Option<Discovery> = None;
    if kind == ProviderKind::Oidc {
        if let Some(url) = input.discovery_url.as_deref() {
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() && url.len() <= 2048 => {
                    match state.smtp_egress.check_literal(u.host_str().unwrap_or_default()) {
                        Ok(()) => next.discovery_url = Some(url.to_owned()),
                        Err(why) => fields.push(FieldError::new("discovery_url", "address_not_allowed", why)),
                    }
                }
                _ => fields.push(FieldError::new("discovery_url", "invalid_url", "The discovery URL must be an http(s) URL.")),
            }
        }
        match next.discovery_url.clone() {
            None if input.discovery_url.is_none() => fields.push(FieldError::new(
                "discovery_url",
                "required",
                "An OpenID Connect provider needs its discovery URL (…/.well-known/openid-configuration).",
            )),
            None => {}
            // Fetched on every save that enables the provider or changes the URL (the issuer may
            // have moved its endpoints since); turning an unreachable issuer off needs no answer.
            Some(url) if next.enabled || Some(&url) != base.discovery_url.as_ref() || base.issuer.is_none() => {
                match state.federation.fetch_discovery(&url).await {
                    Ok(d) => discovery = Some(d),
                    Err(why) => fields.push(FieldError::new("discovery_url", "discovery_failed", format!("The discovery document could not be used: {why}."))),
                }
            }
            Some(_) => {}
        }
    } else if input.discovery_url.is_some() {
        not_applicable(&mut fields, "discovery_url", kind);
    }
    if let Some(ids) = &input.application_ids {
        let mut unique: Vec<Uuid> = Vec::new();
        for id in ids {
            if unique.contains(id) {
                continue;
            }
            if applications::get(&state.db, instance.id, *id).await?.is_none() {
                fields.push(FieldError::new("application_ids", "unknown_application", format!("No application {id} in this instance.")));
            }
            unique.push(*id);
        }
        next.application_ids = json!(unique);
    }
    match (kind, input.allow_registration) {
        (ProviderKind::Password, Some(v)) => next.allow_registration = v,
        (_, Some(_)) => not_applicable(&mut fields, "allow_registration", kind),
        _ => {}
    }
    match (kind, input.guest_lifetime_secs) {
        (ProviderKind::Guest, Some(v)) => next.guest_lifetime_secs = fields.check("guest_lifetime_secs", parse_guest_lifetime(v)).or(next.guest_lifetime_secs),
        (_, Some(_)) => not_applicable(&mut fields, "guest_lifetime_secs", kind),
        _ => {}
    }
    // The secret: replaced, removed, or kept — but never kept across a change of issuer.
    let moved = bound_to(&next) != bound_to(&base) && base.client_secret_encrypted.is_some();
    let secret_plain: Option<String> = match (&input.client_secret, kind.is_external()) {
        (Some(Some(s)), true) => fields.check("client_secret", parse_client_secret(s)),
        (Some(None), _) => None,
        (None, true) if moved => {
            fields.push(FieldError::new(
                "client_secret",
                "reenter_secret",
                "Enter the client secret again: the stored secret is only sent to the issuer it was saved for.",
            ));
            None
        }
        (None, true) => client_secret(state, &base).map_err(ApiError::internal)?,
        _ => None,
    };
    if kind.is_external() && next.enabled {
        if next.client_id.is_empty() && input.client_id.is_none() {
            fields.push(FieldError::new("client_id", "required", "Enter the client id the provider issued to enable it."));
        }
        if secret_plain.is_none() && !matches!(input.client_secret, Some(Some(_))) && !moved {
            fields.push(FieldError::new("client_secret", "required", "Enter the client secret the provider issued to enable it."));
        }
    }
    fields.finish()?;

    next.client_secret_encrypted = secret_plain
        .as_deref()
        .map(|s| state.secrets.encrypt(s.as_bytes(), &secret_aad(instance.id, key, bound_to(&next))))
        .transpose()
        .map_err(ApiError::internal)?;
    if let Some(d) = discovery {
        next.issuer = Some(d.issuer);
        next.authorization_endpoint = Some(d.authorization_endpoint);
        next.token_endpoint = Some(d.token_endpoint);
        next.userinfo_endpoint = d.userinfo_endpoint;
        next.jwks_uri = Some(d.jwks_uri);
        next.token_auth_basic = d.basic_auth;
    }
    let created = stored.is_none();
    if created {
        next.id = Uuid::now_v7();
        next.created_at = now();
    }

    let txn = steward_persistence::begin(&state.db).await?;
    if created && kind == ProviderKind::Oidc {
        members::lock_instance(&txn, instance.id).await?;
        let count = identity_providers::list(&txn, instance.id).await?.iter().filter(|p| kind_of(p) == ProviderKind::Oidc).count();
        if count >= MAX_OIDC_PROVIDERS {
            return Err(ApiError::conflict("too_many_providers", format!("An instance may have at most {MAX_OIDC_PROVIDERS} OpenID Connect providers.")));
        }
    }
    // The configuration's two settings go to the configuration (versioned there).
    let mut changed_settings = false;
    if kind == ProviderKind::Password && next.allow_registration != base.allow_registration {
        changed_settings |= config_service::set_builtin_in(&txn, state, instance.id, actor, "registration.open", Some(json!(next.allow_registration))).await?;
    }
    if kind == ProviderKind::Guest && next.guest_lifetime_secs != base.guest_lifetime_secs {
        changed_settings |=
            config_service::set_builtin_in(&txn, state, instance.id, actor, "guest.session_lifetime_secs", next.guest_lifetime_secs.map(|s| json!(s))).await?;
    }
    let saved = with_settings(
        identity_providers::put(&txn, next.clone()).await?,
        &Settings {
            registration_open: next.allow_registration,
            guest_lifetime_secs: next.guest_lifetime_secs.unwrap_or(settings.guest_lifetime_secs),
            ..settings.clone()
        },
    );
    let before = if created { Value::Null } else { view(&base) };
    let target = Target::new(TargetKind::IdentityProvider, &saved.key, saved.display_name.clone());
    audit::record(&txn, instance.id, actor, AuditAction::IdentityProviderUpdate, target, &before, &view(&saved)).await?;
    audit::commit(txn, "Failed to commit an identity provider").await?;
    if changed_settings {
        state.cache.apply(instance.id, None);
    }
    tracing::info!(instance_id = %instance.id, key, enabled = saved.enabled, "identity provider saved");
    Ok((saved, created && kind == ProviderKind::Oidc))
}

/// Removes provider `key`'s settings: a built-in kind returns to its defaults, an OpenID Connect
/// provider is removed (its users keep their accounts; they sign in another way).
pub async fn reset(state: &AppState, instance: &Instance, actor: &Actor, key: &str) -> Result<(), ApiError> {
    let kind = kind_for_key(key)?;
    let txn = steward_persistence::begin(&state.db).await?;
    let Some(stored) = identity_providers::get(&txn, instance.id, key).await? else {
        return match kind {
            ProviderKind::Oidc => Err(ApiError::not_found("No identity provider with this key.")),
            _ => Ok(()),
        };
    };
    identity_providers::delete(&txn, instance.id, key).await?;
    // Back to the defaults, the configuration's two settings included.
    let setting = match kind {
        ProviderKind::Password => Some("registration.open"),
        ProviderKind::Guest => Some("guest.session_lifetime_secs"),
        _ => None,
    };
    let changed_settings = match setting {
        Some(k) => config_service::set_builtin_in(&txn, state, instance.id, actor, k, None).await?,
        None => false,
    };
    let target = Target::new(TargetKind::IdentityProvider, key, stored.display_name.clone());
    audit::record(&txn, instance.id, actor, AuditAction::IdentityProviderReset, target, &view(&stored), &Value::Null).await?;
    audit::commit(txn, "Failed to commit an identity provider reset").await?;
    if changed_settings {
        state.cache.apply(instance.id, None);
    }
    Ok(())
}
