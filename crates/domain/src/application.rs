//! Applications connected to an instance's public API.

use crate::{ValueError, has_control};

/// Front-end apps are public clients (browsers, mobile apps: no secret); back-end apps are
/// confidential clients (a secret, the client-credentials grant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    Frontend,
    Backend,
}

impl AppKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AppKind::Frontend => "frontend",
            AppKind::Backend => "backend",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "frontend" => Some(AppKind::Frontend),
            "backend" => Some(AppKind::Backend),
            _ => None,
        }
    }
}

/// An application's name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppName(String);

impl AppName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::new("required", "Name is required."));
        }
        if s.chars().count() > 100 {
            return Err(ValueError::new("too_long", "Name must be at most 100 characters."));
        }
        if has_control(s) {
            return Err(ValueError::new("invalid_characters", "Name must not contain control characters."));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A free-text description, at most 1000 characters.
pub fn parse_description(raw: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.chars().count() > 1000 {
        return Err(ValueError::new("too_long", "Description must be at most 1000 characters."));
    }
    Ok(s.to_owned())
}

pub const MAX_URLS: usize = 20;
const MAX_URL_LEN: usize = 2048;

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Shared rules of origins and redirect URIs: absolute, http(s), https unless loopback, a real
/// host without wildcards, no credentials, no fragment.
fn parse_web_url(raw: &str, what: &str) -> Result<url::Url, ValueError> {
    if raw.len() > MAX_URL_LEN {
        return Err(ValueError::new("too_long", format!("{what} must be at most {MAX_URL_LEN} characters.")));
    }
    if raw.contains('*') {
        return Err(ValueError::new("wildcard_not_allowed", format!("{what} must not contain wildcards; list each address.")));
    }
    let url = url::Url::parse(raw).map_err(|_| ValueError::new("invalid_url", format!("{what} must be an absolute URL such as https://app.example.com.")))?;
    let host = url.host().ok_or_else(|| ValueError::new("invalid_url", format!("{what} must have a host.")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => return Err(ValueError::new("https_required", format!("{what} must use https (http is allowed only for localhost)."))),
        _ => return Err(ValueError::new("invalid_scheme", format!("{what} must be an http(s) URL."))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ValueError::new("credentials_not_allowed", format!("{what} must not contain a user name or password.")));
    }
    if url.fragment().is_some() || raw.contains('#') {
        return Err(ValueError::new("fragment_not_allowed", format!("{what} must not contain a fragment (#...).")));
    }
    Ok(url)
}

/// A web origin allowed to call the public API from a browser: `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin(String);

impl AllowedOrigin {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let url = parse_web_url(raw.trim(), "An origin")?;
        if (url.path() != "/" && !url.path().is_empty()) || url.query().is_some() || raw.trim().trim_end_matches('/').matches('/').count() > 2 {
            return Err(ValueError::new("invalid_origin", "An origin is only scheme, host and port, such as https://app.example.com (no path)."));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Where the authorization server may send a user back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let url = parse_web_url(raw.trim(), "A redirect URI")?;
        Ok(Self(url.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn origins() {
        assert_eq!(AllowedOrigin::parse("https://App.Example.com").unwrap().as_str(), "https://app.example.com");
        assert_eq!(AllowedOrigin::parse("https://app.example.com/").unwrap().as_str(), "https://app.example.com");
        assert_eq!(AllowedOrigin::parse("http://localhost:5173").unwrap().as_str(), "http://localhost:5173");
        assert_eq!(AllowedOrigin::parse("http://127.0.0.1:3000").unwrap().as_str(), "http://127.0.0.1:3000");
        for (bad, code) in [
            ("http://app.example.com", "https_required"),
            ("https://*.example.com", "wildcard_not_allowed"),
            ("https://app.example.com/path", "invalid_origin"),
            ("https://app.example.com?x=1", "invalid_origin"),
            ("app.example.com", "invalid_url"),
            ("ftp://app.example.com", "invalid_scheme"),
            ("https://user:pw@app.example.com", "credentials_not_allowed"),
            ("https://app.example.com#x", "fragment_not_allowed"),
        ] {
            assert_eq!(AllowedOrigin::parse(bad).unwrap_err().code, code, "{bad}");
        }
    }

    #[test]
    fn redirect_uris() {
        assert!(RedirectUri::parse("https://app.example.com/callback?x=1").is_ok());
        assert!(RedirectUri::parse("http://localhost:3000/cb").is_ok());
        assert_eq!(RedirectUri::parse("https://app.example.com/cb#frag").unwrap_err().code, "fragment_not_allowed");
        assert_eq!(RedirectUri::parse("http://evil.example/cb").unwrap_err().code, "https_required");
        assert_eq!(RedirectUri::parse("com.example.app:/cb").unwrap_err().code, "invalid_url");
        assert_eq!(RedirectUri::parse("/relative").unwrap_err().code, "invalid_url");
    }

    proptest! {
        #[test]
        fn url_parsers_never_panic(s in "\\PC{0,200}") {
            let _ = AllowedOrigin::parse(&s);
            let _ = RedirectUri::parse(&s);
        }

        #[test]
        fn accepted_origins_have_no_path_or_wildcard(s in "(https?://)?[a-z*.]{1,20}(:[0-9]{1,5})?(/[a-z]{0,5})?") {
            if let Ok(o) = AllowedOrigin::parse(&s) {
                prop_assert!(!o.as_str().contains('*'));
                prop_assert_eq!(o.as_str().matches('/').count(), 2);
            }
        }
    }
}
