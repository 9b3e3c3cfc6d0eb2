//! Console accounts and end users share these values.

use secrecy::{ExposeSecret, SecretString};

use crate::{ValueError, has_control};

/// An email address, trimmed and lower-cased (addresses compare case-insensitively).
///
/// Deliberately stricter than RFC 5322: one `@`, a non-empty local part of printable ASCII
/// without spaces or quotes, a domain of dot-separated labels (letters, digits, hyphens; no label
/// starting or ending with a hyphen) with at least one dot. At most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::new("required", "Email is required."));
        }
        if s.len() > Self::MAX_LEN {
            return Err(ValueError::new("too_long", "Email must be at most 254 characters."));
        }
        let invalid = || ValueError::new("invalid_email", "Enter a valid email address, like name@example.com.");
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return Err(invalid());
        }
        let local_ok = local.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(invalid());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(invalid());
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(invalid());
            }
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 8 to 256 characters (Unicode scalar values), never logged.
pub struct Password(SecretString);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: SecretString) -> Result<Self, ValueError> {
        let n = raw.expose_secret().chars().count();
        if n == 0 {
            return Err(ValueError::new("required", "Password is required."));
        }
        if n < Self::MIN_CHARS {
            return Err(ValueError::new("password_too_short", format!("Password must be at least {} characters.", Self::MIN_CHARS)));
        }
        if n > Self::MAX_CHARS {
            return Err(ValueError::new("password_too_long", format!("Password must be at most {} characters.", Self::MAX_CHARS)));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::new("required", "Name is required."));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new("too_long", format!("Name must be at most {} characters.", Self::MAX_CHARS)));
        }
        if has_control(s) {
            return Err(ValueError::new("invalid_characters", "Name must not contain control characters."));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
    fn email_is_normalised() {
        assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
    }

    #[test]
    fn email_rejects_obvious_garbage() {
        for bad in ["", "a", "a@", "@b.c", "a@b", "a@@b.c", "a b@c.d", "a@-b.c", "a@b-.c", "a@b..c", ".a@b.c", "a..b@c.d", "a@b.c\n"] {
            assert!(Email::parse(bad).is_err() || bad.trim() != bad, "{bad:?} accepted");
        }
        assert!(Email::parse("a@b.c\nBcc: x@y.z").is_err());
    }

    #[test]
    fn password_bounds() {
        let p = |s: &str| Password::parse(SecretString::from(s.to_owned()));
        assert_eq!(p("1234567").unwrap_err().code, "password_too_short");
        assert!(p("12345678").is_ok());
        assert!(p(&"é".repeat(256)).is_ok());
        assert_eq!(p(&"x".repeat(257)).unwrap_err().code, "password_too_long");
        assert_eq!(format!("{:?}", p("secretsecret").unwrap()), "Password([REDACTED])");
    }

    proptest! {
        #[test]
        fn email_parse_never_panics(s in "\\PC*") {
            let _ = Email::parse(&s);
        }

        #[test]
        fn valid_emails_roundtrip(local in "[a-zA-Z0-9._%+-]{1,20}", domain in "[a-z0-9]{1,10}(\\.[a-z]{2,6}){1,2}") {
            prop_assume!(!local.starts_with('.') && !local.ends_with('.') && !local.contains(".."));
            let raw = format!("{local}@{domain}");
            let email = Email::parse(&raw).unwrap();
            prop_assert_eq!(email.as_str(), raw.to_ascii_lowercase());
            // Parsing is idempotent.
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
        }

        #[test]
        fn parsed_email_has_no_whitespace_or_controls(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert!(!e.as_str().chars().any(|c| c.is_whitespace() || c.is_control()));
                prop_assert!(e.as_str().len() <= Email::MAX_LEN);
            }
        }

        #[test]
        fn password_accepts_exactly_8_to_256_chars(s in "\\PC{0,300}") {
            let n = s.chars().count();
            let ok = Password::parse(SecretString::from(s)).is_ok();
            prop_assert_eq!(ok, (8..=256).contains(&n));
        }

        #[test]
        fn display_name_is_trimmed_and_bounded(s in "\\PC{0,120}") {
            if let Ok(n) = DisplayName::parse(&s) {
                prop_assert_eq!(n.as_str(), n.as_str().trim());
                prop_assert!(!n.as_str().is_empty() && n.as_str().chars().count() <= 100);
            }
        }
    }
}
