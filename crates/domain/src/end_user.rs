//! End users of an instance.

use crate::{ValueError, has_control};

/// The longest given or family name.
pub const PERSON_NAME_MAX_CHARS: usize = 100;
/// The longest display name.
pub const DISPLAY_NAME_MAX_CHARS: usize = 200;

/// A given or family name: trimmed, at most 100 characters, no control characters; may be empty.
pub fn parse_person_name(raw: &str, what: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.chars().count() > PERSON_NAME_MAX_CHARS {
        return Err(ValueError::new("too_long", format!("{what} must be at most 100 characters.")));
    }
    if has_control(s) {
        return Err(ValueError::new("invalid_characters", format!("{what} must not contain control characters.")));
    }
    Ok(s.to_owned())
}

/// A display name: trimmed, at most 200 characters, no control characters; may be empty.
pub fn parse_display_name(raw: &str) -> Result<String, ValueError> {
    let s = raw.trim();
    if s.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(ValueError::new("too_long", "Name must be at most 200 characters."));
    }
    if has_control(s) {
        return Err(ValueError::new("invalid_characters", "Name must not contain control characters."));
    }
    Ok(s.to_owned())
}

/// The display name to store: the given one, else "given family", else empty.
pub fn display_name(name: &str, given: &str, family: &str) -> String {
    if !name.is_empty() {
        return name.to_owned();
    }
    format!("{given} {family}").trim().to_owned()
}

/// The largest metadata document, serialized.
pub const METADATA_MAX_BYTES: usize = 16 * 1024;

/// Checks that `serialized_len` bytes of metadata that is (or is not) a JSON object may be stored.
pub fn check_metadata(is_object: bool, serialized_len: usize) -> Result<(), ValueError> {
    if !is_object {
        return Err(ValueError::new("not_an_object", "Metadata must be a JSON object."));
    }
    if serialized_len > METADATA_MAX_BYTES {
        return Err(ValueError::new("too_large", format!("Metadata must be at most {METADATA_MAX_BYTES} bytes of JSON.")));
    }
    Ok(())
}

/// How a list of users is filtered by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// Not blocked, email verified.
    Active,
    Blocked,
    /// Not blocked, email not verified yet.
    Unverified,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(parse_person_name("  Ada ", "Given name").unwrap(), "Ada");
        assert!(parse_person_name(&"x".repeat(101), "Given name").is_err());
        assert!(parse_person_name("a\nb", "Given name").is_err());
        assert_eq!(display_name("", "Ada", "Lovelace"), "Ada Lovelace");
        assert_eq!(display_name("", "", ""), "");
        assert_eq!(display_name("Countess", "Ada", "Lovelace"), "Countess");
    }

    #[test]
    fn metadata() {
        assert!(check_metadata(true, 10).is_ok());
        assert_eq!(check_metadata(false, 2).unwrap_err().code, "not_an_object");
        assert_eq!(check_metadata(true, METADATA_MAX_BYTES + 1).unwrap_err().code, "too_large");
    }

    proptest! {
        #[test]
        fn person_names_are_bounded(s in "\\PC{0,120}") {
            if let Ok(n) = parse_person_name(&s, "Name") {
                prop_assert!(n.chars().count() <= 100);
                prop_assert_eq!(n.as_str(), n.trim());
            }
        }
    }
}
