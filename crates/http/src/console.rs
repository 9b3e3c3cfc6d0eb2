//! Serves the built console (a single-page app) and answers unknown paths.
//!
//! Any `GET` outside `/api` and `/public` answers a file of the console when one exists at that
//! path, and the console's `index.html` otherwise, so deep links and reloads work. Unknown API
//! paths answer a 404 problem document — or 405 with `Allow` when the path exists and only the
//! method is wrong (known from the OpenAPI document's paths).

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::AppState;
use crate::problem::ApiError;

const NOT_BUILT: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Steward</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Steward is running</h1>
<p>The console has not been built. Run <code>make run</code> from the repository (it builds the console), or
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code> and set <code>STEWARD_CONSOLE_DIR</code>.</p>
<p>The API is available: see <a href="/api/docs">the API reference</a>.</p></body></html>"#;

/// The console's Content-Security-Policy: its own scripts only (no inline script, no eval), its
/// own API, no framing by anyone. Styles allow inline attributes (the component library sets
/// them); images allow `data:`/`blob:` (previews of a chosen logo). Emails shown in the console's
/// sandboxed frames inherit it, so they cannot load or run anything either.
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
     font-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// Adds the console's security headers to a response.
fn secure(mut res: HttpResponse) -> HttpResponse {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(CONSOLE_CSP));
    h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    res
}

fn is_api_path(path: &str) -> bool {
    ["/api", "/public"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// A file under `root` for a request path, refusing anything that could escape it.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let mut out = root.to_path_buf();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        out.push(segment);
    }
    out.is_file().then_some(out)
}

/// Every documented path template (`{param}` segments match any one segment) and its methods.
static ROUTES: std::sync::LazyLock<Vec<(Vec<String>, Vec<String>)>> = std::sync::LazyLock::new(|| {
    let doc = crate::openapi_document();
    doc.paths
        .paths
        .iter()
        .map(|(template, item)| {
            let value = serde_json::to_value(item).unwrap_or_default();
            let mut methods: Vec<String> = value.as_object().into_iter().flatten().map(|(m, _)| m.to_ascii_uppercase()).filter(|m| m != "PARAMETERS").collect();
            methods.sort();
            (template.split('/').map(str::to_owned).collect(), methods)
        })
        .collect()
});

/// The methods a documented path answers, when `path` is one. The most specific template wins:
/// `/me/sessions/revoke-others` is that path, not `/me/sessions/{id}` with an odd id.
fn allowed_methods(path: &str) -> Option<&'static [String]> {
    let segments: Vec<&str> = path.split('/').collect();
    let is_param = |t: &str| t.starts_with('{') && t.ends_with('}');
    ROUTES
        .iter()
        .filter(|(template, _)| template.len() == segments.len() && template.iter().zip(&segments).all(|(t, s)| (is_param(t) && !s.is_empty()) || t == s))
        .min_by_key(|(template, _)| template.iter().filter(|t| is_param(t)).count())
        .map(|(_, methods)| methods.as_slice())
}

/// 405 with `Allow` when `req`'s path is documented but not for its method.
pub fn method_not_allowed(req: &HttpRequest) -> Option<HttpResponse> {
    let methods = allowed_methods(req.path()).filter(|m| !m.iter().any(|m| m == req.method().as_str()))?;
    let allow = methods.join(", ");
    let error = ApiError::new(actix_web::http::StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("This address answers {allow} only."));
    let mut res = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    Some(res)
}

pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path();
    if let Some(res) = method_not_allowed(&req) {
        return res;
    }
    if is_api_path(path) || !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return actix_web::ResponseError::error_response(&ApiError::not_found("Nothing exists at this address."));
    }
    let Some(root) = state.console_dir.as_deref() else {
        return secure(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(NOT_BUILT));
    };
    if let Some(file) = resolve(root, path)
        && let Ok(named) = NamedFile::open_async(&file).await
    {
        let immutable = path.starts_with("/assets/");
        let mut res = named.into_response(&req);
        let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
        return secure(res);
    }
    match NamedFile::open_async(root.join("index.html")).await {
        Ok(index) => {
            let mut res = index.into_response(&req);
            res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache"));
            secure(res)
        }
        Err(_) => secure(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(NOT_BUILT)),
    }
}
