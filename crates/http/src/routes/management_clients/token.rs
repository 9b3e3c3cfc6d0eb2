//! `POST /api/v1/oauth/token`: a management client's token (client-credentials grant).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use steward_domain::scope;
use steward_persistence::management_clients::{self, ManagementClient};
use steward_persistence::revoked_tokens;

use crate::AppState;
use crate::oauth::{OAuthError, OAuthErrorBody, OAuthToken, TokenRequest};

/// The management client the request authenticates (with its secret), or `invalid_client`.
async fn authenticate(state: &AppState, request: &TokenRequest) -> Result<ManagementClient, OAuthError> {
    let secret = request.secret()?;
    let client = management_clients::by_client_id(&state.db, &request.client_id).await?.filter(|c| !c.expired_at(steward_persistence::now()));
    let hashes: Vec<String> = match &client {
        Some(c) => management_clients::valid_secrets(&state.db, &[c.id]).await?.into_iter().map(|s| s.secret_hash).collect(),
        None => Vec::new(),
    };
    // Always compute the keyed hash, so an unknown client costs what a wrong secret does.
    let ok = state.client_secrets.matches(secret, hashes.iter().map(String::as_str));
    match (client, ok) {
        (Some(client), true) => Ok(client),
        _ => Err(OAuthError::invalid_client(request.used_basic)),
    }
}

/// Revoke a management token (RFC 7009).
///
/// The management client authenticates as for a token and names one of its own tokens in
/// `token`; it stops working at once. The answer is 200 whether or not the token was valid.
#[utoipa::path(
    tag = "management-clients",
    request_body(content_type = "application/x-www-form-urlencoded", content = crate::oauth::TokenActionForm, description = "token=...[&token_type_hint=access_token][&client_id=...&client_secret=...]"),
    responses(
        (status = 200, description = "Revoked, or not a valid token of this client (nothing to do)."),
        (status = 400, body = OAuthErrorBody, description = "invalid_request"),
        (status = 401, body = OAuthErrorBody, description = "invalid_client"),
    )
)]
#[post("/oauth/revoke")]
#[tracing::instrument(skip_all)]
pub async fn revoke_management_token(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, OAuthError> {
    let request = TokenRequest::read(&req, &body)?;
    let client = authenticate(&state, &request).await?;
    let token = request.param("token")?;
    if let Some(claims) = state.tokens.verify_management(token).filter(|c| c.sub == client.id) {
        let exp = chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_default().fixed_offset();
        revoked_tokens::revoke(&state.db, claims.jti, exp).await?;
        tracing::info!(management_client_id = %client.id, "management token revoked");
    }
    Ok(crate::oauth::revoked())
}

/// Get a management token (OAuth 2.0 client credentials).
///
/// The management client authenticates by HTTP Basic (`client_id:client_secret`) or with
/// `client_id` and `client_secret` form fields; `scope` (space-separated, optional) narrows the
/// token to some of the client's scopes (default: all of them). The token works on the console
/// API routes of the client's instance that its scopes allow, for an hour at most.
#[utoipa::path(
    tag = "management-clients",
    request_body(content_type = "application/x-www-form-urlencoded", content = crate::oauth::ClientCredentialsForm, description = "grant_type=client_credentials[&scope=users:read users:write][&client_id=...&client_secret=...]"),
    responses(
        (status = 200, body = OAuthToken, description = "A management token (`Authorization: Bearer …` on the instance's console API routes)."),
        (status = 400, body = OAuthErrorBody, description = "invalid_request, unsupported_grant_type or invalid_scope"),
        (status = 401, body = OAuthErrorBody, description = "invalid_client: unknown client, wrong secret, or an expired client"),
    )
)]
#[post("/oauth/token")]
#[tracing::instrument(skip_all)]
pub async fn issue_management_token(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, OAuthError> {
    let request = TokenRequest::read(&req, &body)?;
    let grant_type = request.grant_type()?;
    if grant_type != "client_credentials" {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("The grant type {grant_type:?} is not supported here; management clients use client_credentials."),
        ));
    }
    let client = authenticate(&state, &request).await?;
    let held = client.scope_list();
    let granted = match request.form.get("scope") {
        None => held.clone(),
        Some(requested) => {
            let requested =
                scope::parse_list(requested).map_err(|bad| OAuthError::new(StatusCode::BAD_REQUEST, "invalid_scope", format!("Unknown scope {bad:?}.")))?;
            if let Some(missing) = requested.iter().find(|s| !held.contains(s)) {
                return Err(OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    format!("This client does not hold the scope {missing}; it holds: {}.", scope::join(&held)),
                ));
            }
            requested
        }
    };
    let scope = scope::join(&granted);
    let (access_token, expires_in) = state
        .tokens
        .issue_management(client.id, client.instance_id, &scope, client.expires_at.map(|t| t.timestamp()))
        .map_err(|e| OAuthError::from(crate::problem::ApiError::internal(e)))?;
    management_clients::touch(&state.db, &client).await?;
    tracing::info!(management_client_id = %client.id, "management token issued");
    Ok(OAuthToken { access_token, token_type: "Bearer", expires_in, scope, refresh_token: None, id_token: None }.respond())
}
