use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use steward_domain::logo::{LogoError, LogoPng, MAX_BYTES};
use steward_persistence::branding::{self, NewLogo};

use super::dto::{LogoDto, LogoUpload};
use super::service;
use crate::AppState;
use crate::access::{Member, Read, Settings, Write};
use crate::emails::logo_url;
use crate::extract::{media_type, read_bounded};
use crate::multipart;
use crate::problem::ApiError;

/// What a multipart body may add around the file.
const MULTIPART_OVERHEAD: usize = 16 * 1024;

fn logo_problem(e: LogoError) -> ApiError {
    let status = match e {
        LogoError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.code(), e.to_string())
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "logo_too_large", "The file is larger than 1 MB; a logo may be at most 1 MB (1,048,576 bytes).")
}

/// The file of an upload: the raw body, or the `file` field of a multipart form.
async fn uploaded_file(req: &HttpRequest, payload: &mut web::Payload) -> Result<Vec<u8>, ApiError> {
    let mime = media_type(req);
    match mime.as_str() {
        "image/png" | "application/octet-stream" => Ok(read_bounded(req, payload, MAX_BYTES, too_large).await?.to_vec()),
        "multipart/form-data" => {
            let content_type = req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let boundary = multipart::boundary(content_type)
                .map_err(|_| ApiError::bad_request("malformed_multipart", "The multipart/form-data content type has no boundary."))?;
            let body = read_bounded(req, payload, MAX_BYTES + MULTIPART_OVERHEAD, too_large).await?;
            match multipart::file_field(&body, &boundary, "file") {
                Ok(Some(file)) if file.len() > MAX_BYTES => Err(logo_problem(LogoError::TooLarge(file.len()))),
                Ok(Some(file)) => Ok(file.to_vec()),
                Ok(None) => Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "logo_missing",
                    "The form has no `file` field. Send the PNG as the form field named `file`.",
                )
                .with_errors(vec![crate::problem::FieldError::new("file", "required", "Choose a PNG file to upload.")])),
                Err(e) => Err(ApiError::bad_request("malformed_multipart", format!("The multipart/form-data body cannot be read: {e:?}."))),
            }
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "logo_not_png",
            "Send the PNG file as the body with `Content-Type: image/png`, or as the `file` field of a `multipart/form-data` form.",
        )),
    }
}

/// Upload the instance's logo (developer and up). The rules, checked on the content: PNG only,
/// at most 1 MB, width and height each 100 to 1200 pixels, a complete valid file (every CRC,
/// the whole image data). An image without transparency is accepted with a warning.
#[utoipa::path(
    tag = "branding",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    request_body(
        description = "The PNG as the raw body, or as the `file` field of a multipart form.",
        content((Vec<u8> = "image/png"), (LogoUpload = "multipart/form-data"))
    ),
    responses(
        (status = 200, description = "Stored; `warnings` lists advice (e.g. no transparency).", body = LogoDto),
        (status = 400, response = crate::problem::BadRequest),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
        (status = 413, response = crate::problem::PayloadTooLarge),
        (status = 415, response = crate::problem::UnsupportedMediaType),
        (status = 422, response = crate::problem::ValidationFailed),
    )
)]
#[put("/instances/{instance}/branding/logo")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn put_logo(
    state: web::Data<AppState>,
    member: Member<Write<Settings>>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(&state).await?;
    let (_auth, membership) = member.into_parts();
    let bytes = uploaded_file(&req, &mut payload).await?;
    // Decoding is CPU work (up to a few ms for 1200×1200): off the async workers.
    let logo =
        web::block(move || LogoPng::parse(bytes)).await.map_err(|e| ApiError::internal(anyhow::anyhow!("logo check panicked: {e}")))?.map_err(logo_problem)?;
    let sha256 = crate::auth::tokens::sha256_hex(logo.bytes());
    let facts = service::put_logo(
        &state,
        &membership.instance,
        &actor,
        NewLogo { png: logo.bytes(), sha256: &sha256, width: logo.width(), height: logo.height(), has_alpha: logo.has_alpha() },
    )
    .await?;
    tracing::info!(instance_id = %membership.instance.id, width = logo.width(), height = logo.height(), "logo uploaded");
    let url = logo_url(&state.public_url, &membership.instance.slug, &facts.sha256);
    Ok(HttpResponse::Ok().json(LogoDto::new(url, &facts)))
}

/// The instance's logo: its facts and public URL.
#[utoipa::path(
    tag = "branding",
    security(("bearer" = []), ("management" = ["settings:read"])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 200, body = LogoDto),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[get("/instances/{instance}/branding/logo")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn get_logo(state: web::Data<AppState>, member: Member<Read<Settings>>) -> Result<HttpResponse, ApiError> {
    let membership = member.membership;
    let facts = branding::logo_facts(&state.db, membership.instance.id).await?.ok_or_else(not_set)?;
    let url = logo_url(&state.public_url, &membership.instance.slug, &facts.sha256);
    Ok(HttpResponse::Ok().json(LogoDto::new(url, &facts)))
}

/// Remove the instance's logo (developer and up).
#[utoipa::path(
    tag = "branding",
    security(("bearer" = []), ("management" = ["settings:write"])),
    params(crate::openapi::InstancePath),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = crate::problem::Unauthorized),
        (status = 403, response = crate::problem::Forbidden),
        (status = 404, response = crate::problem::NotFound),
    )
)]
#[delete("/instances/{instance}/branding/logo")]
#[tracing::instrument(skip_all, fields(caller_id = %member.caller_id()))]
pub async fn delete_logo(state: web::Data<AppState>, member: Member<Write<Settings>>) -> Result<HttpResponse, ApiError> {
    let actor = member.actor(&state).await?;
    let membership = member.membership;
    if !service::delete_logo(&state, &membership.instance, &actor).await? {
        return Err(not_set());
    }
    Ok(HttpResponse::NoContent().finish())
}

pub fn not_set() -> ApiError {
    ApiError::not_found("The instance has no logo.").with_code("logo_not_set")
}
