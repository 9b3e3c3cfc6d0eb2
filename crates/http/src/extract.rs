//! Request extractors whose every failure is a problem document.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::problem::{ApiError, FieldError};

/// The largest JSON body accepted by the console API.
pub const JSON_LIMIT: usize = 64 * 1024;

/// A JSON body. Unlike `web::Json`, a type mismatch names the offending field (`errors[].field`)
/// and every failure is a problem document: 415 for another content type, 413 for a body over
/// [`JSON_LIMIT`], 400 for malformed JSON, 422 for well-formed JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !content_type_ok {
            return Box::pin(async {
                Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`."))
            });
        }
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                let too_large = matches!(e.as_response_error().status_code(), StatusCode::PAYLOAD_TOO_LARGE);
                if too_large {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("The body must be at most {JSON_LIMIT} bytes."))
                } else {
                    ApiError::bad_request("unreadable_body", "The request body could not be read.")
                }
            })?;
            parse_json(&bytes).map(ApiJson)
        })
    }
}

/// Deserializes `bytes` as `T`, turning every failure into a problem. Every request body of
/// this API is a JSON object: anything else (an array, which serde would happily map onto a
/// struct, a string, null) is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(_) => ApiError::validation(vec![FieldError::new("", "invalid_type", "The body must be a JSON object.")]),
            Err(e) => ApiError::bad_request("malformed_json", format!("The body is not valid JSON: {e}.")),
        });
    }
    let mut tree: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request("malformed_json", format!("The body is not valid JSON: {e}.")))?;
    integral_floats_as_integers(&mut tree);
    let result: Result<T, _> = serde_path_to_error::deserialize(tree);
    let value = result.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request("malformed_json", format!("The body is not valid JSON: {inner}.")),
            Category::Data => {
                let message = inner.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
                let (code, field) = if let Some(rest) = message.strip_prefix("missing field `") {
                    ("required", join_path(&path, rest.split('`').next().unwrap_or("")))
                } else if message.starts_with("unknown field `") {
                    ("unknown_field", path)
                } else if message.starts_with("unknown variant") {
                    ("invalid_value", path)
                } else {
                    ("invalid_type", path)
                };
                let field = if field == "." { String::new() } else { field };
                ApiError::validation(vec![FieldError::new(field, code, capitalise(&message))])
            }
        }
    })?;
    Ok(value)
}

/// `806.0` is the integer 806 (JSON Schema says so, and JavaScript's and Python's serializers
/// may write it that way): integral numbers become integers before typed fields read them.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer up to it is exact in f64.
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT) {
                *n = if f >= 0.0 { serde_json::Number::from(f as u64) } else { serde_json::Number::from(f as i64) };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

fn join_path(path: &str, field: &str) -> String {
    if path.is_empty() || path == "." { field.to_owned() } else { format!("{path}.{field}") }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}

/// `?limit=&cursor=` for every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items to return: 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The limit and the decoded cursor, or a 422 naming the bad parameter.
    pub fn parse(&self) -> Result<(u64, Option<String>), ApiError> {
        let limit = match self.limit {
            None => 50,
            Some(n @ 1..=100) => u64::from(n),
            Some(_) => return Err(ApiError::field("limit", "out_of_range", "limit must be between 1 and 100.")),
        };
        let cursor = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(c) => Some(
                steward_persistence::Cursor::decode(c).ok_or_else(|| ApiError::field("cursor", "invalid_cursor", "cursor is not one this API returned."))?,
            ),
        };
        Ok((limit, cursor))
    }
}

/// Reads a raw body of at most `limit` bytes: refused by its `Content-Length` before reading, or
/// as soon as the bytes read pass the limit (a body without a length is never read whole).
pub async fn read_bounded(req: &HttpRequest, payload: &mut web::Payload, limit: usize, too_large: impl Fn() -> ApiError) -> Result<web::BytesMut, ApiError> {
    use futures_util::StreamExt as _;
    if req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok()).is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("unreadable_body", "The request body could not be read."))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The media type of a request (`image/png`), lower-cased, without parameters.
pub fn media_type(req: &HttpRequest) -> String {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).unwrap_or("").trim().to_ascii_lowercase()
}

/// Problem-document handlers for actix's own extractors.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let message = err.to_string();
        ApiError::validation(vec![FieldError::new("", "invalid_query", format!("Invalid query parameters: {message}"))]).into()
    })
}

/// Query parameters parsed into `T` with errors that name the parameter: an unknown value of an
/// enum is `invalid_value` beside its field (with the allowed values), anything else
/// `invalid_query`. Use it wherever a parameter is a closed set (an enum in the OpenAPI document).
pub struct ApiQuery<T>(pub T);

impl<T> std::ops::Deref for ApiQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(req.query_string().as_bytes()));
        let result: Result<T, _> = serde_path_to_error::deserialize(parsed);
        std::future::ready(result.map(ApiQuery).map_err(|err| {
            let field = err.path().to_string();
            let message = err.into_inner().to_string();
            let code = if message.starts_with("unknown variant") { "invalid_value" } else { "invalid_query" };
            let field = if field == "." { String::new() } else { field };
            ApiError::validation(vec![FieldError::new(field.clone(), code, format!("{field}: {message}").trim_start_matches(": ").to_owned())])
        }))
    }
}

/// For a field that may be absent, `null` or a value (`#[serde(default, deserialize_with = ...)]`):
/// absent → `None`; `null` → `Some(None)`; a value → `Some(Some(v))`.
pub fn double_option<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// For optional query parameters: an empty value (`?status=`) is the same as none.
pub fn empty_as_none<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    use serde::de::IntoDeserializer as _;
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => T::deserialize(s.into_deserializer()).map(Some),
    }
}

pub fn path_config() -> web::PathConfig {
    // A segment that does not parse may be another documented path's literal (`DELETE
    // /me/sessions/revoke-others` reaching `/me/sessions/{id}`): that path's methods decide.
    web::PathConfig::default().error_handler(|err, req| match crate::console::method_not_allowed(req) {
        Some(res) => actix_web::error::InternalError::from_response(err, res).into(),
        None => ApiError::not_found("Nothing exists at this address.").into(),
    })
}

pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(JSON_LIMIT)
}

/// The caller's address (the TCP peer; forwarded headers are not trusted).
/// The client's address: the connecting peer, or — when the peer is a trusted proxy
/// (`STEWARD_TRUSTED_PROXIES`) — the address it forwarded.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let Some(state) = req.app_data::<actix_web::web::Data<crate::AppState>>() else { return Some(peer.to_string()) };
    if state.trusted_proxies.is_empty() {
        return Some(peer.to_string());
    }
    let forwarded: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    Some(state.trusted_proxies.client_ip(peer, &forwarded).to_string())
}

/// Whether the request's `If-None-Match` names `etag` (quoted; weak or strong, or `*`).
pub fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',').any(|t| {
            let t = t.trim();
            t == etag || t == "*" || t.strip_prefix("W/") == Some(etag)
        })
    })
}

pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Holds another extractor's outcome without failing the request, so a handler can check the
/// caller first and only then look at the body: an unidentified caller gets 401 whatever its
/// body (extractors otherwise race, and a quick body error could answer before identification).
pub struct Deferred<E>(Result<E, ApiError>);

impl<E> Deferred<E> {
    pub fn get(self) -> Result<E, ApiError> {
        self.0
    }
}

impl<E: FromRequest<Error = ApiError> + 'static> FromRequest for Deferred<E> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let inner = E::from_request(req, payload);
        Box::pin(async move { Ok(Deferred(inner.await)) })
    }
}

/// The value of cookie `name` in the request, if it carries a non-empty one.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers().get_all(actix_web::http::header::COOKIE).filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (n, value) = pair.trim().split_once('=')?;
        (n == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// A `Set-Cookie` header: HttpOnly, scoped to `path`, `Secure` when `secure`; `value: None`
/// clears the cookie.
pub fn set_cookie(
    name: &str,
    value: Option<&str>,
    path: &str,
    max_age_secs: i64,
    same_site: &str,
    secure: bool,
) -> (actix_web::http::header::HeaderName, String) {
    let secure = if secure { "; Secure" } else { "" };
    let (value, max_age) = match value {
        Some(v) => (v, max_age_secs),
        None => ("", 0),
    };
    (actix_web::http::header::SET_COOKIE, format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"))
}
