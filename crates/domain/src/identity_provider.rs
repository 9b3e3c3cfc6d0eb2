//! Identity providers: how an instance's end users may register and sign in — email and
//! password, a guest session, Google, Facebook, X (Twitter), LinkedIn, or any OpenID Connect
//! issuer — and the values of the authorization-code flow with PKCE (RFC 7636) that Steward's
//! hosted sign-in page runs for the instance's applications.

use sha2::{Digest as _, Sha256};

use crate::{ValueError, has_control};

/// What a provider is. Every kind but `Oidc` exists once per instance under its own name as
/// key; `Oidc` providers are as many as the developer adds, each under a key they choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    Password,
    Guest,
    Google,
    Facebook,
    Twitter,
    Linkedin,
    Oidc,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 7] = [Self::Password, Self::Guest, Self::Google, Self::Facebook, Self::Twitter, Self::Linkedin, Self::Oidc];
    /// The kinds every instance has, in their default order.
    pub const BUILT_IN: [ProviderKind; 6] = [Self::Password, Self::Guest, Self::Google, Self::Facebook, Self::Twitter, Self::Linkedin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Guest => "guest",
            Self::Google => "google",
            Self::Facebook => "facebook",
            Self::Twitter => "twitter",
            Self::Linkedin => "linkedin",
            Self::Oidc => "oidc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The built-in kind whose key is `key`, if any.
    pub fn built_in(key: &str) -> Option<Self> {
        Self::BUILT_IN.into_iter().find(|k| k.as_str() == key)
    }

    /// Sign-in happens at another party (a redirect, a callback, client credentials there).
    pub fn is_external(self) -> bool {
        !matches!(self, Self::Password | Self::Guest)
    }

    /// The provider answers an OpenID Connect ID token, checked against its JWKS.
    pub fn uses_id_token(self) -> bool {
        matches!(self, Self::Google | Self::Linkedin | Self::Oidc)
    }

    pub fn default_display_name(self) -> &'static str {
        match self {
            Self::Password => "Email and password",
            Self::Guest => "Guest session",
            Self::Google => "Google",
            Self::Facebook => "Facebook",
            Self::Twitter => "X (Twitter)",
            Self::Linkedin => "LinkedIn",
            Self::Oidc => "OpenID Connect",
        }
    }

    pub fn default_button_label(self) -> String {
        match self {
            Self::Password => "Sign in".to_owned(),
            Self::Guest => "Continue as a guest".to_owned(),
            Self::Twitter => "Continue with X".to_owned(),
            other => format!("Continue with {}", other.default_display_name()),
        }
    }

    /// The scopes asked of the provider unless the developer chose others.
    pub fn default_scopes(self) -> &'static [&'static str] {
        match self {
            Self::Google | Self::Linkedin | Self::Oidc => &["openid", "email", "profile"],
            Self::Facebook => &["email", "public_profile"],
            Self::Twitter => &["users.read", "tweet.read"],
            Self::Password | Self::Guest => &[],
        }
    }

    /// Where the kind sits in the list when the developer has not ordered it.
    pub fn default_position(self) -> i32 {
        Self::ALL.iter().position(|k| *k == self).map_or(100, |p| p as i32 * 10)
    }

    /// Enabled when nothing was configured: email and password only.
    pub fn enabled_by_default(self) -> bool {
        self == Self::Password
    }
}

/// The key of an OpenID Connect provider the developer adds (it appears in the callback URL):
/// 2 to 40 lowercase letters, digits and hyphens, starting with a letter, not a built-in name.
pub fn parse_oidc_key(raw: &str) -> Result<String, ValueError> {
    let ok_chars = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !(2..=40).contains(&raw.len()) || !ok_chars || !raw.starts_with(|c: char| c.is_ascii_lowercase()) || raw.ends_with('-') {
        return Err(ValueError::new(
            "invalid_key",
            "A provider key is 2 to 40 lowercase letters, digits and hyphens, starting with a letter (e.g. okta or azure-ad).",
        ));
    }
    if ProviderKind::parse(raw).is_some() {
        return Err(ValueError::new("reserved_key", format!("{raw:?} is a built-in provider's name; choose another key.")));
    }
    Ok(raw.to_owned())
}

/// A display name or button label: trimmed, 1 to 60 characters, no control characters.
pub fn parse_label(raw: &str, what: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValueError::new("required", format!("{what} is required.")));
    }
    if s.chars().count() > 60 {
        return Err(ValueError::new("too_long", format!("{what} must be at most 60 characters.")));
    }
    if has_control(s) {
        return Err(ValueError::new("invalid_characters", format!("{what} must not contain control characters.")));
    }
    Ok(s.to_owned())
}

/// A client id issued by a provider: 1 to 512 visible characters.
pub fn parse_client_id(raw: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 512 || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ValueError::new("invalid_client_id", "The client id is 1 to 512 visible characters without spaces."));
    }
    Ok(s.to_owned())
}

/// A client secret issued by a provider: 1 to 1024 visible characters.
pub fn parse_client_secret(raw: &str) -> Result<String, ValueError> {
    if raw.is_empty() || raw.len() > 1024 || raw.chars().any(char::is_control) {
        return Err(ValueError::new("invalid_client_secret", "The client secret is 1 to 1024 characters without control characters."));
    }
    Ok(raw.to_owned())
}

/// Scopes to ask a provider for (RFC 6749 §3.3 scope tokens): at most 20, each 1 to 100
/// characters of `%x21 / %x23-5B / %x5D-7E`, without duplicates.
pub fn parse_scopes(raw: &[String]) -> Result<Vec<String>, ValueError> {
    if raw.len() > 20 {
        return Err(ValueError::new("too_many", "At most 20 scopes."));
    }
    let mut out: Vec<String> = Vec::new();
    for s in raw {
        let valid = !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
        if !valid {
            return Err(ValueError::new("invalid_scope", format!("{s:?} is not a scope (visible characters without spaces, quotes or backslashes).")));
        }
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// The shortest and longest guest session (one hour, one year).
pub const GUEST_LIFETIME_RANGE: std::ops::RangeInclusive<i64> = 3_600..=31_536_000;
/// A guest lasts a week unless the developer chose otherwise.
pub const DEFAULT_GUEST_LIFETIME_SECS: i64 = 7 * 24 * 3_600;

pub fn parse_guest_lifetime(secs: i64) -> Result<i64, ValueError> {
    if !GUEST_LIFETIME_RANGE.contains(&secs) {
        return Err(ValueError::new("out_of_range", "A guest session lasts from 3600 seconds (an hour) to 31536000 (a year)."));
    }
    Ok(secs)
}

/// A PKCE code challenge (RFC 7636 §4.2, method S256): the base64url SHA-256 of the verifier,
/// 43 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn parse(challenge: &str, method: Option<&str>) -> Result<Self, ValueError> {
        match method {
            Some("S256") => {}
            None | Some("") => return Err(ValueError::new("invalid_request", "code_challenge_method must be S256.")),
            Some("plain") => return Err(ValueError::new("invalid_request", "The plain PKCE method is not allowed: use S256.")),
            Some(other) => return Err(ValueError::new("invalid_request", format!("Unknown code_challenge_method {other:?}: use S256."))),
        }
        if challenge.len() != 43 || !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(ValueError::new("invalid_request", "code_challenge must be the base64url SHA-256 of the code verifier (43 characters)."));
        }
        Ok(Self(challenge.to_owned()))
    }

    /// Trusts a challenge that was parsed when it was stored.
    pub fn stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `verifier` (43 to 128 unreserved characters) is the one this challenge was made from.
    pub fn verifies(&self, verifier: &str) -> bool {
        is_verifier(verifier) && challenge_of(verifier) == self.0
    }
}

/// A code verifier's shape (RFC 7636 §4.1): 43 to 128 characters of `[A-Za-z0-9-._~]`.
pub fn is_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of `verifier`: base64url (no padding) of its SHA-256.
pub fn challenge_of(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The `state` or `nonce` an application passes through: at most 512 visible ASCII characters.
pub fn parse_passthrough(raw: &str, what: &str) -> Result<String, ValueError> {
    if raw.len() > 512 || !raw.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Err(ValueError::new("invalid_request", format!("{what} must be at most 512 visible ASCII characters.")));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(challenge_of(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let c = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Some("S256")).unwrap();
        assert!(c.verifies(verifier));
        assert!(!c.verifies("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
        assert!(!c.verifies("short"));
    }

    #[test]
    fn only_s256() {
        let ch = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(CodeChallenge::parse(ch, Some("plain")).is_err());
        assert!(CodeChallenge::parse(ch, None).is_err());
        assert!(CodeChallenge::parse("abc", Some("S256")).is_err());
        assert!(CodeChallenge::parse(&format!("{}=", &ch[..42]), Some("S256")).is_err());
    }

    #[test]
    fn keys() {
        assert!(parse_oidc_key("okta").is_ok());
        assert!(parse_oidc_key("azure-ad2").is_ok());
        for bad in ["google", "oidc", "Okta", "a", "-x", "x-", "9lives", "a b", &"a".repeat(41)] {
            assert!(parse_oidc_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes() {
        assert_eq!(parse_scopes(&["openid".into(), "email".into(), "openid".into()]).unwrap(), vec!["openid", "email"]);
        assert!(parse_scopes(&["a b".into()]).is_err());
        assert!(parse_scopes(&["\"".into()]).is_err());
        assert!(parse_scopes(&[String::new()]).is_err());
    }

    proptest! {
        #[test]
        fn base64url_matches_length(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let s = base64url(&bytes);
            prop_assert_eq!(s.len(), (bytes.len() * 4).div_ceil(3));
            prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }

        #[test]
        fn every_verifier_verifies_its_challenge(v in "[A-Za-z0-9._~-]{43,128}") {
            let c = CodeChallenge::parse(&challenge_of(&v), Some("S256")).unwrap();
            prop_assert!(c.verifies(&v));
        }
    }
}
