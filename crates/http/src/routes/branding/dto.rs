use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_domain::logo::LogoWarning;
use steward_persistence::branding::LogoFacts;
use utoipa::ToSchema;

/// Advice about an accepted logo (it was stored).
#[derive(Serialize, ToSchema)]
pub struct LogoWarningDto {
    #[schema(example = "logo_no_transparency")]
    pub code: &'static str,
    pub message: &'static str,
}

/// The instance's logo.
#[derive(Serialize, ToSchema)]
pub struct LogoDto {
    /// Public, cacheable URL of the PNG (versioned: a new logo gets a new URL).
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub size_bytes: u32,
    /// True when the image can be transparent (alpha channel or tRNS).
    pub has_alpha: bool,
    /// SHA-256 of the file, also its ETag.
    pub sha256: String,
    pub updated_at: DateTime<Utc>,
    /// Advice that did not refuse the file, e.g. no transparency.
    pub warnings: Vec<LogoWarningDto>,
}

/// A multipart upload of the logo.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LogoUpload {
    /// The PNG file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

impl LogoDto {
    pub fn new(url: String, facts: &LogoFacts) -> Self {
        let warnings = if facts.has_alpha { vec![] } else { vec![LogoWarning::NoTransparency] };
        Self {
            url,
            width: facts.width as u32,
            height: facts.height as u32,
            size_bytes: facts.size_bytes as u32,
            has_alpha: facts.has_alpha,
            sha256: facts.sha256.clone(),
            updated_at: facts.updated_at.to_utc(),
            warnings: warnings.into_iter().map(|w| LogoWarningDto { code: w.code(), message: w.message() }).collect(),
        }
    }
}
