//! Client instances.

use crate::{ValueError, has_control};

/// The URL name of an instance: 3 to 40 characters of lowercase ASCII letters, digits and
/// hyphens; starts with a letter; does not end with a hyphen or contain two in a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceSlug(String);

impl InstanceSlug {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 40;
    /// Names that would be confusing in URLs or are kept for the platform.
    const RESERVED: &'static [&'static str] = &["api", "admin", "new", "public", "static", "assets", "console", "www"];

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw;
        if s.is_empty() {
            return Err(ValueError::new("required", "Slug is required."));
        }
        if s.len() < Self::MIN_LEN || s.len() > Self::MAX_LEN {
            return Err(ValueError::new("invalid_length", "Slug must be 3 to 40 characters long."));
        }
        let shape_ok = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && s.as_bytes()[0].is_ascii_lowercase()
            && !s.ends_with('-')
            && !s.contains("--");
        if !shape_ok {
            return Err(ValueError::new(
                "invalid_slug",
                "Slug may contain lowercase letters, digits and single hyphens, must start with a letter and must not end with a hyphen.",
            ));
        }
        if Self::RESERVED.contains(&s) {
            return Err(ValueError::new("reserved_slug", format!("The slug \"{s}\" is reserved.")));
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

impl std::fmt::Display for InstanceSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The human name of an instance: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceName(String);

impl InstanceName {
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

/// An IANA time zone name such as `Europe/Athens` or `UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        if raw.is_empty() {
            return Err(ValueError::new("required", "Time zone is required."));
        }
        raw.parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| ValueError::new("invalid_time_zone", "Time zone must be an IANA time zone name, such as Europe/Athens or UTC."))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slug_examples() {
        for ok in ["production", "sandbox", "abc", "my-app-2", &"a".repeat(40)] {
            assert!(InstanceSlug::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "Prod", "1abc", "-abc", "abc-", "a--b", "a_b", "a b", "api", "ünï", &"a".repeat(41)] {
            assert!(InstanceSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zone_examples() {
        assert_eq!(TimeZone::parse("Europe/Athens").unwrap().name(), "Europe/Athens");
        assert_eq!(TimeZone::parse("UTC").unwrap().name(), "UTC");
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::parse("").is_err());
    }

    proptest! {
        #[test]
        fn slug_parse_never_panics(s in "\\PC*") {
            let _ = InstanceSlug::parse(&s);
        }

        #[test]
        fn accepted_slugs_are_url_safe(s in "[a-z0-9-]{0,45}") {
            if let Ok(slug) = InstanceSlug::parse(&s) {
                let v = slug.as_str();
                prop_assert!((3..=40).contains(&v.len()));
                prop_assert!(v.as_bytes()[0].is_ascii_lowercase());
                prop_assert!(!v.ends_with('-') && !v.contains("--"));
            }
        }

        #[test]
        fn well_formed_slugs_are_accepted(head in "[a-z]", rest in "[a-z0-9]{2,20}", tail in "(-[a-z0-9]{1,5}){0,3}") {
            let s = format!("{head}{rest}{tail}");
            prop_assume!(!["api", "admin", "new", "public", "static", "assets", "console", "www"].contains(&s.as_str()));
            prop_assert!(InstanceSlug::parse(&s).is_ok());
        }
    }
}
