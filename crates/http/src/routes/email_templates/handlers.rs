use actix_web::{HttpResponse, delete, get, post, put, web};
use steward_domain::email::{EmailStyle, FONT_FAMILIES, FONT_SIZE_MAX, FONT_SIZE_MIN, TemplateKind};
use steward_mail::templates::{TemplateError, default_source, sample_vars, validate, variables};
use steward_mail::{Source, render};
use steward_persistence::email_templates::{self, EmailTemplate};
use steward_persistence::{branding, end_users};

use super::dto::*;
use super::service;
use crate::AppState;
use crate::access::{Member, Read, Settings, Write};
use crate::emails::{instance_parts, user_vars};
use crate::extract::{ApiJson, Deferred};
use crate::problem::{ApiError, FieldError, Fields};

fn kind_dto(k: TemplateKind) -> TemplateKindDto {
    match k {
        TemplateKind::Verification => TemplateKindDto::Verification,
        TemplateKind::ResetPassword => TemplateKindDto::ResetPassword,
        TemplateKind::UpdateAccount => TemplateKindDto::UpdateAccount,
        TemplateKind::Invitation => TemplateKindDto::Invitation,
        TemplateKind::Greeting => TemplateKindDto::Greeting,
        TemplateKind::Footer => TemplateKindDto::Footer,
    }
}

fn parse_kind(raw: &str) -> Result<TemplateKind, ApiError> {
    TemplateKind::parse(raw).ok_or_else(|| {
        let kinds: Vec<&str> = TemplateKind::ALL.iter().map(|k| k.as_str()).collect();
        ApiError::not_found(format!("No such email message; the messages are: {}.", kinds.join(", "))).with_code("unknown_email_template")
    })
}

fn template_dto(kind: TemplateKind, saved: Option<&EmailTemplate>) -> EmailTemplateDto {
    let source = saved.map(|t| Source { subject: t.subject.clone(), body: t.body.clone() }).unwrap_or_else(|| default_source(kind));
    EmailTemplateDto {
        kind: kind_dto(kind),
        title: kind.title(),
        fragment: kind.is_fragment(),
        subject: source.subject,
        body: source.body,
        customized: saved.is_some(),
        updated_at: saved.map(|t| t.updated_at.to_utc()),
        variables: variables(kind).into_iter().map(|v| VariableDto { name: v.name, description: v.description, sample: v.sample }).collect(),
    }
}

fn style_dto(style: &EmailStyle) -> EmailStyleDto {
    EmailStyleDto { font_family: style.family().to_owned(), font_size: style.size() as i64 }
}

async fn saved_style(state: &AppState, instance_id: uuid::Uuid) -> Result<EmailStyle, ApiError> {
    Ok(email_templates::style(&state.db, instance_id).await?.map(|s| EmailStyle::from_stored(&s.font_family, s.font_size)).unwrap_or_default())
}

/// 422 with each template error beside its field; `template_too_expensive` as the problem's
/// code when a template would render past the memory or time bound.
fn template_problem(errors: Vec<TemplateError>) -> ApiError {
    let too_expensive = errors.iter().any(|e| e.code == "template_too_expensive");
    let problem = ApiError::validation(errors.into_iter().map(|e| FieldError::new(e.field, e.code, e.message).with_line(e.line)).collect());
    if too_expensive { problem.with_code("template_too_expensive") } else { problem }
}

/// Every email message of the instance (customised or default), its font and the choices.
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = EmailTemplateList), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/email-templates")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn list_templates(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let saved = email_templates::list(&state.db, membership.instance.id).await?;
    let items = TemplateKind::ALL.into_iter().map(|k| template_dto(k, saved.iter().find(|t| t.kind == k.as_str()))).collect();
    let style = saved_style(&state, membership.instance.id).await?;
    Ok(HttpResponse::Ok().json(EmailTemplateList {
        items,
        style: style_dto(&style),
        fonts: FONT_FAMILIES.iter().map(|(n, _)| *n).collect(),
        font_size_min: FONT_SIZE_MIN,
        font_size_max: FONT_SIZE_MAX,
    }))
}

/// One email message's template.
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("kind" = TemplateKindDto, Path, description = "The message")),
    responses((status = 200, body = EmailTemplateDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/email-templates/{kind}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_template(state: web::Data<AppState>, member: Member<Read<Settings>>, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (_, kind) = path.into_inner();
    let membership = member.membership;
    let kind = parse_kind(&kind)?;
    let saved = email_templates::some(&state.db, membership.instance.id, &[kind.as_str()]).await?;
    Ok(HttpResponse::Ok().json(template_dto(kind, saved.first())))
}

/// Save a customised template (developer and up). Refused, with the line and the reason, when
/// it has a syntax error, an unknown variable, `include`/`import`/`extends`, a multi-line
/// subject, or does too much work when rendered.
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("kind" = TemplateKindDto, Path, description = "The message")),
    request_body = TemplateInput,
    responses(
        (status = 200, body = EmailTemplateDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/email-templates/{kind}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn put_template(
    state: web::Data<AppState>,
    member: Member<Write<Settings>>,
    path: web::Path<(String, String)>,
    body: Deferred<ApiJson<TemplateInput>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let (_, kind) = path.into_inner();
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let kind = parse_kind(&kind)?;
    let input = body.0;
    let source = Source { subject: input.subject, body: input.body };
    let check = source.clone();
    web::block(move || validate(kind, &check))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("template check panicked: {e}")))?
        .map_err(template_problem)?;
    let saved = service::put_template(&state, &membership.instance, &actor, kind, source.subject.as_deref(), &source.body).await?;
    Ok(HttpResponse::Ok().json(template_dto(kind, Some(&saved))))
}

/// Go back to the built-in template (developer and up).
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("kind" = TemplateKindDto, Path, description = "The message")),
    responses(
        (status = 204, description = "The default is used again"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}/email-templates/{kind}")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn reset_template(state: web::Data<AppState>, member: Member<Write<Settings>>, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (_, kind) = path.into_inner();
    let actor = member.actor(&state).await?;
    let kind = parse_kind(&kind)?;
    service::reset_template(&state, &member.membership.instance, &actor, kind).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Render a message as it would be sent: the saved template or a draft, in the saved or a draft
/// font, with sample data or a chosen end user. A greeting or footer is previewed inside the
/// verification email.
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(("instance" = String, Path, description = "The instance's slug"), ("kind" = TemplateKindDto, Path, description = "The message")),
    request_body = PreviewInput,
    responses(
        (status = 200, body = PreviewDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[post("/instances/{instance}/email-templates/{kind}/preview")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn preview_template(
    state: web::Data<AppState>,
    member: Member<Read<Settings>>,
    path: web::Path<(String, String)>,
    body: Deferred<ApiJson<PreviewInput>>,
) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let (_, kind) = path.into_inner();
    let membership = member.membership;
    let kind = parse_kind(&kind)?;
    let input = body.0;
    let instance = &membership.instance;

    let mut fields = Fields::default();
    let saved_style = saved_style(&state, instance.id).await?;
    let family = match &input.font_family {
        Some(f) => fields.check("font_family", EmailStyle::parse_family(f)),
        None => Some(saved_style.family()),
    };
    let size = match input.font_size {
        Some(s) => fields.check("font_size", EmailStyle::parse_size(s)),
        None => Some(saved_style.size()),
    };
    let user = match input.end_user_id {
        Some(id) => {
            let u = end_users::get(&state.db, instance.id, id).await?;
            if u.is_none() {
                fields.push(FieldError::new("end_user_id", "not_found", "No end user of this instance has this id."));
            }
            u
        }
        None => None,
    };
    fields.finish()?;
    let style = EmailStyle::new(family.unwrap_or(saved_style.family()), size.unwrap_or(saved_style.size()));

    // The email to show: the message itself, or the verification email around a fragment.
    let shown = if kind.is_fragment() { TemplateKind::Verification } else { kind };
    let (mut parts, _) = instance_parts(&state.db, instance.id, shown).await?;
    let saved_self = match kind {
        TemplateKind::Greeting => parts.greeting.clone(),
        TemplateKind::Footer => parts.footer.clone(),
        _ => parts.message.clone(),
    };
    let draft = Source {
        // A fragment has no subject: one given is refused, as when saving.
        subject: if kind.is_fragment() { input.subject } else { input.subject.or(saved_self.subject) },
        body: input.body.unwrap_or(saved_self.body),
    };
    let check = draft.clone();
    web::block(move || validate(kind, &check))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("template check panicked: {e}")))?
        .map_err(template_problem)?;
    match kind {
        TemplateKind::Greeting => parts.greeting = draft,
        TemplateKind::Footer => parts.footer = draft,
        _ => parts.message = draft,
    }

    let logo = branding::logo_facts(&state.db, instance.id).await?;
    // The real lifetime of the link, as the sent email will say it.
    let sample = steward_mail::Vars { expires_in: crate::emails::link_lifetime(shown).to_owned(), ..sample_vars(shown) };
    let vars = match &user {
        Some(u) => steward_mail::Vars {
            link: sample.link.clone(),
            expires_in: sample.expires_in.clone(),
            change: sample.change.clone(),
            ..user_vars(&state.public_url, instance, logo.as_ref(), u)
        },
        None => steward_mail::Vars {
            instance_name: instance.name.clone(),
            logo_url: logo.as_ref().map(|l| crate::emails::logo_url(&state.public_url, &instance.slug, &l.sha256)).unwrap_or_default(),
            ..sample
        },
    };
    let rendered = web::block(move || render(shown, &parts, &style, &vars))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("template render panicked: {e}")))?
        .map_err(|e| template_problem(vec![e]))?;
    Ok(HttpResponse::Ok().json(PreviewDto { subject: rendered.subject, html: rendered.html, text: rendered.text }))
}

/// The font of the instance's emails.
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses((status = 200, body = EmailStyleDto), (status = 401, response = crate::problem::Unauthorized), (status = 404, response = crate::problem::NotFound))
)]
#[get("/instances/{instance}/email-style")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_style(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    Ok(HttpResponse::Ok().json(style_dto(&saved_style(&state, membership.instance.id).await?)))
}

/// Choose the font of the instance's emails (developer and up): a web-safe family and a size
/// of 10 to 24 pixels.
#[utoipa::path(
    tag = "email-templates",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body = EmailStyleDto,
    responses(
        (status = 200, body = EmailStyleDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/email-style")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn put_style(state: web::Data<AppState>, member: Member<Write<Settings>>, body: Deferred<ApiJson<EmailStyleDto>>) -> Result<HttpResponse, ApiError> {
    let body = body.get()?;
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    let mut fields = Fields::default();
    let family = fields.check("font_family", EmailStyle::parse_family(&body.0.font_family));
    let size = fields.check("font_size", EmailStyle::parse_size(body.0.font_size));
    fields.finish()?;
    let (Some(family), Some(size)) = (family, size) else { return Err(ApiError::invariant()) };
    let row = service::put_style(&state, &membership.instance, &actor, family, size as i32).await?;
    Ok(HttpResponse::Ok().json(style_dto(&EmailStyle::from_stored(&row.font_family, row.font_size))))
}
