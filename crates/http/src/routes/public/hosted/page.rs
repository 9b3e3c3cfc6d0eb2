//! The hosted sign-in page's HTML: server-rendered, no script, every value escaped, styled
//! inline (the page's Content-Security-Policy allows no other source), in the instance's name
//! and with its logo.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};

/// Escapes text for HTML content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Which form the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    SignIn,
    Register,
    Forgot,
}

impl View {
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("register") => Self::Register,
            Some("forgot") => Self::Forgot,
            _ => Self::SignIn,
        }
    }
}

pub struct Button {
    pub href: String,
    pub label: String,
    pub kind: &'static str,
}

/// What the sign-in page shows.
pub struct SignInPage<'a> {
    pub instance_name: &'a str,
    pub logo_url: Option<String>,
    /// The request's own URL (`…/oauth/authorize/{id}`), which the forms post under.
    pub base: String,
    pub buttons: Vec<Button>,
    pub password: bool,
    pub registration: bool,
    pub view: View,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub email: String,
    /// A guest is becoming a full account.
    pub upgrading: bool,
    /// A signed-in account is adding a way to sign in (providers only).
    pub linking: bool,
}

const STYLE: &str = "
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;color:#1f2328}
main{max-width:400px;margin:48px auto;padding:32px;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.logo{display:block;margin:0 auto 16px;max-width:120px;max-height:120px}
h1{font-size:1.35rem;text-align:center;margin:0 0 20px}
.msg{padding:10px 12px;border-radius:8px;margin:0 0 16px;font-size:.92rem}
.error{background:#fdecea;color:#8a1c12}.notice{background:#e7f3ff;color:#0b4a8b}
a.btn,button{display:block;width:100%;padding:10px 12px;margin:0 0 10px;border-radius:8px;border:1px solid #d0d7de;background:#fff;color:#1f2328;font-size:.95rem;text-align:center;text-decoration:none;cursor:pointer}
button.primary{background:#1c7ed6;border-color:#1c7ed6;color:#fff;font-weight:600}
label{display:block;font-size:.88rem;margin:0 0 4px;font-weight:500}
input{display:block;width:100%;padding:9px 10px;margin:0 0 14px;border:1px solid #d0d7de;border-radius:8px;font-size:.95rem}
.or{display:flex;align-items:center;gap:10px;color:#656d76;font-size:.85rem;margin:14px 0}.or:before,.or:after{content:'';flex:1;border-top:1px solid #d0d7de}
.links{display:flex;justify-content:space-between;font-size:.88rem;margin-top:6px}.links a{color:#1c7ed6}
footer{text-align:center;color:#8c959f;font-size:.78rem;margin-top:18px}
";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        esc(title)
    )
}

/// An HTML answer with the headers every hosted page carries: no caching, no framing (no
/// clickjacking of the sign-in form), no referrer (the URL holds the request's id), and a
/// policy that lets the page load nothing but its own images.
pub fn respond(status: StatusCode, html: String) -> HttpResponse {
    respond_to(status, html, None)
}

/// [`respond`] for a page whose forms end, after a redirect, at the application's
/// `redirect_uri`: browsers apply `form-action` to the redirects that follow a form's post.
pub fn respond_to(status: StatusCode, html: String, redirect_uri: Option<&str>) -> HttpResponse {
    let app_origin = redirect_uri.and_then(|u| url::Url::parse(u).ok()).map(|u| u.origin().ascii_serialization()).filter(|o| o != "null");
    let form_action = match app_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"),
        ))
        .body(html)
}

pub fn sign_in(p: &SignInPage<'_>) -> String {
    let mut b = String::new();
    if let Some(logo) = &p.logo_url {
        b.push_str(&format!("<img class=\"logo\" src=\"{}\" alt=\"\">", esc(logo)));
    }
    let heading = match (p.view, p.upgrading, p.linking) {
        (_, _, true) => format!("Link a way to sign in to your {} account", p.instance_name),
        (View::Register, _, _) => format!("Create your {} account", p.instance_name),
        (View::Forgot, _, _) => "Reset your password".to_owned(),
        (View::SignIn, true, _) => format!("Save your {} account", p.instance_name),
        (View::SignIn, false, _) => format!("Sign in to {}", p.instance_name),
    };
    let (password, registration) = (p.password && !p.linking, p.registration && !p.linking);
    let view = if p.linking { View::SignIn } else { p.view };
    b.push_str(&format!("<h1>{}</h1>", esc(&heading)));
    if let Some(e) = &p.error {
        b.push_str(&format!("<p class=\"msg error\" role=\"alert\">{}</p>", esc(e)));
    }
    if let Some(n) = &p.notice {
        b.push_str(&format!("<p class=\"msg notice\" role=\"status\">{}</p>", esc(n)));
    }
    let email = esc(&p.email);
    let base = esc(&p.base);
    match view {
        View::SignIn => {
            for btn in &p.buttons {
                b.push_str(&format!("<a class=\"btn\" data-provider=\"{}\" href=\"{}\">{}</a>", btn.kind, esc(&btn.href), esc(&btn.label)));
            }
            if password && !p.upgrading {
                if !p.buttons.is_empty() {
                    b.push_str("<div class=\"or\">or</div>");
                }
                b.push_str(&format!(
                    "<form method=\"post\" action=\"{base}/password\"><label for=\"email\">Email</label>\
                     <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required maxlength=\"254\" value=\"{email}\">\
                     <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required maxlength=\"256\">\
                     <button class=\"primary\" type=\"submit\">Sign in</button></form>"
                ));
                b.push_str("<div class=\"links\">");
                if registration {
                    b.push_str(&format!("<a href=\"{base}?view=register\">Create an account</a>"));
                } else {
                    b.push_str("<span></span>");
                }
                b.push_str(&format!("<a href=\"{base}?view=forgot\">Forgot password?</a></div>"));
            }
            if p.upgrading && password && registration {
                if !p.buttons.is_empty() {
                    b.push_str("<div class=\"or\">or</div>");
                }
                b.push_str(&format!("<a class=\"btn\" href=\"{base}?view=register\">Use an email and a password</a>"));
            }
            if p.buttons.is_empty() && !password {
                b.push_str("<p class=\"msg notice\">No way to sign in is enabled for this application.</p>");
            }
        }
        View::Register => {
            b.push_str(&format!(
                "<form method=\"post\" action=\"{base}/register\"><label for=\"name\">Name</label>\
                 <input id=\"name\" name=\"name\" autocomplete=\"name\" maxlength=\"200\">\
                 <label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required maxlength=\"254\" value=\"{email}\">\
                 <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"8\" maxlength=\"256\">\
                 <button class=\"primary\" type=\"submit\">Create account</button></form><div class=\"links\"><a href=\"{base}\">Back to sign in</a><span></span></div>"
            ));
        }
        View::Forgot => {
            b.push_str(&format!(
                "<form method=\"post\" action=\"{base}/forgot\"><label for=\"email\">Email</label>\
                 <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required maxlength=\"254\" value=\"{email}\">\
                 <button class=\"primary\" type=\"submit\">Send a reset link</button></form><div class=\"links\"><a href=\"{base}\">Back to sign in</a><span></span></div>"
            ));
        }
    }
    b.push_str("<footer>Secured by Steward</footer>");
    document(&heading, &b)
}

/// A page that explains what went wrong, with a way back when there is one.
pub fn problem(title: &str, detail: &str, back: Option<&str>) -> String {
    let mut b = format!("<h1>{}</h1><p class=\"msg error\" role=\"alert\">{}</p>", esc(title), esc(detail));
    if let Some(url) = back {
        b.push_str(&format!("<a class=\"btn\" href=\"{}\">Back to sign in</a>", esc(url)));
    }
    document(title, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped() {
        let page = SignInPage {
            instance_name: "<script>alert(1)</script>",
            logo_url: Some("\"><script>".into()),
            base: "/x\"".into(),
            buttons: vec![Button { href: "/p?a=1&b=2".into(), label: "<b>".into(), kind: "oidc" }],
            password: true,
            registration: true,
            view: View::SignIn,
            error: Some("<img src=x onerror=alert(1)>".into()),
            notice: None,
            email: "\"onfocus=\"alert(1)".into(),
            upgrading: false,
            linking: false,
        };
        let html = sign_in(&page);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("\"onfocus"));
        assert!(html.contains("/p?a=1&amp;b=2"));
    }
}
