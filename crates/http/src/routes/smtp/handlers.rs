use actix_web::{HttpResponse, get, post, put, web};
use steward_domain::Email;
use steward_domain::email::{SmtpSecurity, parse_from_name, parse_port, parse_smtp_host, parse_smtp_password, parse_smtp_username};
use steward_mail::smtp::{mailbox_header, test_connection};
use steward_mail::{Outgoing, SmtpConfig};
use steward_persistence::smtp_settings::{self, SmtpSettings, password_aad};

use super::dto::*;
use crate::AppState;
use crate::access::{Administer, Member, Read, Settings};
use crate::extract::{ApiJson, Deferred};
use crate::problem::{ApiError, FieldError, Fields};

fn security_dto(s: &str) -> SmtpSecurityDto {
    match SmtpSecurity::parse(s) {
        Ok(SmtpSecurity::None) => SmtpSecurityDto::None,
        Ok(SmtpSecurity::Tls) => SmtpSecurityDto::Tls,
        _ => SmtpSecurityDto::Starttls,
    }
}

fn security(d: SmtpSecurityDto) -> SmtpSecurity {
    match d {
        SmtpSecurityDto::None => SmtpSecurity::None,
        SmtpSecurityDto::Starttls => SmtpSecurity::Starttls,
        SmtpSecurityDto::Tls => SmtpSecurity::Tls,
    }
}

fn settings_dto(s: Option<&SmtpSettings>) -> SmtpSettingsDto {
    match s {
        Some(s) => SmtpSettingsDto {
            enabled: s.enabled,
            host: s.host.clone(),
            port: u16::try_from(s.port).unwrap_or(587),
            security: security_dto(&s.security),
            username: s.username.clone(),
            password_set: s.password_ciphertext.is_some(),
            from_address: s.from_address.clone(),
            from_name: s.from_name.clone(),
            reply_to: s.reply_to.clone(),
            allow_insecure_auth: s.allow_insecure_auth,
            updated_at: Some(s.updated_at.to_utc()),
        },
        None => SmtpSettingsDto {
            enabled: false,
            host: String::new(),
            port: 587,
            security: SmtpSecurityDto::Starttls,
            username: None,
            password_set: false,
            from_address: String::new(),
            from_name: None,
            reply_to: None,
            allow_insecure_auth: false,
            updated_at: None,
        },
    }
}

/// Settings parsed from a request, the password in clear (`None`: none at all).
struct Parsed {
    enabled: bool,
    host: String,
    port: u16,
    security: SmtpSecurity,
    username: Option<String>,
    password: Option<String>,
    from_address: String,
    from_name: Option<String>,
    reply_to: Option<String>,
    allow_insecure_auth: bool,
}

/// Parses `input` against the rules; the stored password is kept unless the input replaces or
/// removes it, or removes the username. `require_complete` asks for host and sender even when disabled (a test).
fn parse(state: &AppState, input: SmtpInput, stored: Option<&SmtpSettings>, require_complete: bool, fields: &mut Fields) -> Result<Option<Parsed>, ApiError> {
    let complete = input.enabled || require_complete;
    // Why a blank field is refused: saving an enabled server, or testing one.
    let why = if input.enabled { "when custom SMTP is enabled" } else { "to test a server" };
    let host = if input.host.trim().is_empty() && !complete {
        Some(String::new())
    } else if input.host.trim().is_empty() {
        fields.push(FieldError::new("host", "required", format!("Host is required {why}.")));
        None
    } else {
        let host = fields.check("host", parse_smtp_host(&input.host));
        match host.as_deref().map(|h| state.smtp_egress.check_literal(h)) {
            Some(Err(why)) => {
                fields.push(FieldError::new("host", "private_address", why));
                None
            }
            _ => host,
        }
    };
    let port = fields.check("port", parse_port(input.port));
    let username = fields.check("username", parse_smtp_username(input.username.as_deref().unwrap_or(""))).flatten();
    let password_given_invalid = matches!(&input.password, Some(Some(p)) if parse_smtp_password(p).is_err());
    // The stored password goes only to the server and username it was given for: a change of
    // host, port or username must come with the password again (else it could be sent anywhere).
    let bound_to_same_server = stored.is_some_and(|s| {
        host.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&s.host)) && port.is_some_and(|p| i32::from(p) == s.port) && username == s.username
    });
    let mut stored_password_refused = false;
    let password = match input.password {
        // Kept while a username uses it; removing the username removes the stored secret too.
        None if username.is_none() => None,
        None if !bound_to_same_server => {
            stored_password_refused = stored.is_some_and(|s| s.password_ciphertext.is_some());
            None
        }
        None => stored.map(|s| s.password(&state.secrets)).transpose().map_err(ApiError::internal)?.flatten(),
        Some(None) => None,
        Some(Some(p)) if p.is_empty() => None,
        Some(Some(p)) => fields.check("password", parse_smtp_password(&p)),
    };
    let from_address = if input.from_address.trim().is_empty() && !complete {
        Some(String::new())
    } else if input.from_address.trim().is_empty() {
        fields.push(FieldError::new("from_address", "required", format!("From address is required {why}.")));
        None
    } else {
        fields.check("from_address", Email::parse(&input.from_address)).map(|e| e.as_str().to_owned())
    };
    let from_name = fields.check("from_name", parse_from_name(input.from_name.as_deref().unwrap_or(""))).flatten();
    let reply_to = match input.reply_to.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => fields.check("reply_to", Email::parse(r)).map(|e| Some(e.as_str().to_owned())),
        None => Some(None),
    };
    if stored_password_refused {
        fields.push(FieldError::new(
            "password",
            "required",
            "Enter the password again: the stored password is only sent to the host, port and username it was saved for.",
        ));
    } else if complete && username.is_some() && password.is_none() && !password_given_invalid {
        fields.push(FieldError::new("password", "required", "A password is required with a username."));
    }
    let security = security(input.security);
    if complete && username.is_some() && security == SmtpSecurity::None && !input.allow_insecure_auth {
        fields.push(FieldError::new(
            "security",
            "insecure_auth",
            "With a username, choose STARTTLS or TLS: the password would cross the network unencrypted (set allow_insecure_auth to allow it anyway).",
        ));
    }
    let (Some(host), Some(port), Some(from_address), Some(reply_to)) = (host, port, from_address, reply_to) else { return Ok(None) };
    Ok(Some(Parsed {
        enabled: input.enabled,
        host,
        port,
        security,
        username,
        password,
        from_address,
        from_name,
        reply_to,
        allow_insecure_auth: input.allow_insecure_auth,
    }))
}

/// The instance's SMTP settings (the password is never returned; `password_set` says whether
/// one is stored).
#[utoipa::path(
    tag = "smtp",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = SmtpSettingsDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/smtp")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_smtp(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let stored = smtp_settings::get(&state.db, membership.instance.id).await?;
    Ok(HttpResponse::Ok().json(settings_dto(stored.as_ref())))
}

/// Save the instance's SMTP settings (admin and up). When enabled, the instance's emails sent
/// from now on go through this server; when disabled, through the platform's transport.
#[utoipa::path(
    tag = "smtp",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body = SmtpInput,
    responses(
        (status = 200, body = SmtpSettingsDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/smtp")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn put_smtp(state: web::Data<AppState>, member: Member<Administer<Settings>>, body: Deferred<ApiJson<SmtpInput>>) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let instance_id = membership.instance.id;
    let stored = smtp_settings::get(&state.db, instance_id).await?;
    let mut fields = Fields::default();
    let parsed = parse(&state, body.0, stored.as_ref(), false, &mut fields)?;
    fields.finish()?;
    let p = parsed.ok_or_else(ApiError::invariant)?;
    let password_ciphertext =
        p.password.as_deref().map(|pw| state.secrets.encrypt(pw.as_bytes(), &password_aad(instance_id))).transpose().map_err(ApiError::internal)?;
    let saved = super::service::put(
        &state,
        &membership.instance,
        &actor,
        SmtpSettings {
            instance_id,
            enabled: p.enabled,
            host: p.host,
            port: p.port as i32,
            security: p.security.as_str().to_owned(),
            username: p.username,
            password_ciphertext,
            from_address: p.from_address,
            from_name: p.from_name,
            reply_to: p.reply_to,
            allow_insecure_auth: p.allow_insecure_auth,
            updated_at: steward_persistence::now(),
        },
        p.password.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(settings_dto(Some(&saved))))
}

/// Test an SMTP server (admin and up): really connects (10 s timeout a step), secures the
/// connection, authenticates and sends a test email from the configured sender to `to`, and
/// says what happened at each step, with the server's reply on failure. A failed test is a
/// `200` with `ok: false`; only bad input is an error. An instance may run
/// `STEWARD_SMTP_TESTS_PER_HOUR` tests an hour (30 by default); more are refused with `429`
/// `too_many_smtp_tests` and `Retry-After`.
#[utoipa::path(
    tag = "smtp",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body = SmtpTestInput,
    responses(
        (status = 200, body = SmtpTestReport),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
        (status = 429, response = crate::problem::TooManyRequests),
    )
)]
#[post("/instances/{instance}/smtp/test")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn test_smtp(
    state: web::Data<AppState>,
    member: Member<Administer<Settings>>,
    body: Deferred<ApiJson<SmtpTestInput>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let (_auth, membership) = member.into_parts();
    let instance = &membership.instance;
    let input = body.0;
    let stored = smtp_settings::get(&state.db, instance.id).await?;
    let mut fields = Fields::default();
    let to = fields.check("to", Email::parse(&input.to));
    let parsed = match input.settings {
        Some(s) => {
            let mut nested = Fields::default();
            let p = parse(&state, s, stored.as_ref(), true, &mut nested)?;
            for mut e in nested.into_errors() {
                e.field = format!("settings.{}", e.field);
                fields.push(e);
            }
            p
        }
        None => match &stored {
            Some(s) if !s.host.is_empty() && !s.from_address.is_empty() => Some(Parsed {
                enabled: s.enabled,
                host: s.host.clone(),
                port: u16::try_from(s.port).unwrap_or(587),
                security: SmtpSecurity::parse(&s.security).unwrap_or(SmtpSecurity::Starttls),
                username: s.username.clone(),
                password: s.password(&state.secrets).map_err(ApiError::internal)?,
                from_address: s.from_address.clone(),
                from_name: s.from_name.clone(),
                reply_to: s.reply_to.clone(),
                allow_insecure_auth: s.allow_insecure_auth,
            }),
            _ => {
                fields.push(FieldError::new("settings", "required", "No SMTP server is saved yet: send the settings to test."));
                None
            }
        },
    };
    fields.finish()?;
    let (Some(to), Some(p)) = (to, parsed) else { return Err(ApiError::invariant()) };
    // Counted once the input is valid: a refused form costs nothing, a connection does.
    let hit = steward_persistence::rate_counters::hit(&state.db, &format!("smtp-test:{}", instance.id), 3600).await?;
    if hit.count > i64::from(state.smtp_tests_per_hour) {
        let wait = hit.retry_after_secs();
        return Err(ApiError::too_many(
            "too_many_smtp_tests",
            format!("This instance has run too many SMTP tests this hour. Try again in {}.", crate::throttle::in_words(wait)),
            wait,
        ));
    }
    let config =
        SmtpConfig { host: p.host, port: p.port, security: p.security, username: p.username, password: p.password, allow_insecure_auth: p.allow_insecure_auth };
    let from = mailbox_header(p.from_name.as_deref(), &p.from_address);
    let subject = format!("Test email from {}", instance.name);
    let text = format!(
        "This is a test email sent by Steward to check the SMTP settings of the instance {} ({}).\n\nIf you can read it, emails to your users will be delivered through {}:{}.\n",
        instance.name, instance.slug, config.host, config.port
    );
    let html = format!("<p>{}</p>", steward_mail::escape_html(&text).replace("\n\n", "</p><p>"));
    let outgoing = Outgoing { message_id: None, from: &from, reply_to: p.reply_to.as_deref(), to: to.as_str(), subject: &subject, text: &text, html: &html };
    let report = test_connection(&config, &state.smtp_roots, &state.smtp_egress, &outgoing).await;
    tracing::info!(instance_id = %instance.id, host = %config.host, ok = report.ok, "SMTP test run");
    super::service::record_test(&state, instance, &actor, &config.host, config.port, to.as_str(), report.ok).await?;
    let steps = report
        .steps
        .into_iter()
        .map(|s| SmtpTestStep {
            step: match s.name {
                "connect" => StepName::Connect,
                "tls" => StepName::Tls,
                "auth" => StepName::Auth,
                _ => StepName::Send,
            },
            outcome: match s.outcome {
                "ok" => StepOutcome::Ok,
                "skipped" => StepOutcome::Skipped,
                _ => StepOutcome::Failed,
            },
            detail: s.detail,
            duration_ms: s.duration_ms,
        })
        .collect();
    Ok(HttpResponse::Ok().json(SmtpTestReport { ok: report.ok, steps }))
}
