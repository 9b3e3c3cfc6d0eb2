use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKindDto {
    Verification,
    ResetPassword,
    UpdateAccount,
    Invitation,
    Greeting,
    Footer,
}

/// A variable a template may use (`{{ name }}`).
#[derive(Serialize, ToSchema)]
pub struct VariableDto {
    #[schema(example = "user_name")]
    pub name: &'static str,
    pub description: &'static str,
    /// The value used in previews.
    pub sample: &'static str,
}

/// One message's template.
#[derive(Serialize, ToSchema)]
pub struct EmailTemplateDto {
    pub kind: TemplateKindDto,
    /// A name for people.
    #[schema(example = "Email verification")]
    pub title: &'static str,
    /// True for the greeting and the footer: included in every email, no subject.
    pub fragment: bool,
    /// The subject template (whole emails only).
    pub subject: Option<String>,
    /// The body template: HTML with minijinja (`{{ variable }}`, `{% if %}`...), autoescaped.
    pub body: String,
    /// False while the built-in default is used.
    pub customized: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub variables: Vec<VariableDto>,
}

/// The font of the rendered emails.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct EmailStyleDto {
    /// One of `fonts` (web-safe families).
    #[schema(schema_with = font_family)]
    pub font_family: String,
    /// Pixels, 10 to 24.
    #[schema(example = 15, minimum = 10, maximum = 24)]
    pub font_size: i64,
}

/// Every message of the instance, and the style options.
#[derive(Serialize, ToSchema)]
pub struct EmailTemplateList {
    pub items: Vec<EmailTemplateDto>,
    pub style: EmailStyleDto,
    /// The font families an email may use.
    pub fonts: Vec<&'static str>,
    pub font_size_min: u8,
    pub font_size_max: u8,
}

/// A template to save. `subject` only for whole emails.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub subject: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub body: String,
}

/// What to preview: the saved template, or a draft (`subject`/`body`), in the saved style or a
/// draft one, with sample data or a chosen end user's values.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub subject: Option<String>,
    #[schema(min_length = 1, pattern = r"\S")]
    pub body: Option<String>,
    #[schema(schema_with = draft_font_family)]
    pub font_family: Option<String>,
    #[schema(minimum = 10, maximum = 24)]
    pub font_size: Option<i64>,
    /// Render with this end user's names and email instead of sample data.
    pub end_user_id: Option<Uuid>,
}

/// A rendered email.
#[derive(Serialize, ToSchema)]
pub struct PreviewDto {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// The families emails can be rendered in, as an enum (from the list the renderer knows).
fn font_family() -> utoipa::openapi::Object {
    family_schema(utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::Type::String), false)
}

/// The same, or `null` for the saved style's.
fn draft_font_family() -> utoipa::openapi::Object {
    use utoipa::openapi::Type;
    family_schema(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]), true)
}

fn family_schema(schema_type: utoipa::openapi::schema::SchemaType, nullable: bool) -> utoipa::openapi::Object {
    let families = steward_domain::email::FONT_FAMILIES.iter().map(|(name, _)| serde_json::json!(name));
    let values: Vec<serde_json::Value> = if nullable { families.chain([serde_json::Value::Null]).collect() } else { families.collect() };
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(schema_type)
        .enum_values(Some(values))
        .description(Some("A web-safe font family."))
        .examples([serde_json::json!("Arial")])
        .build()
}
