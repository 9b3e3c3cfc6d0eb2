use serde::Serialize;
use utoipa::ToSchema;

/// A JSON Web Key Set (RFC 7517) of the instance's token-signing keys.
#[derive(Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

pub use crate::auth::instance_tokens::Jwk;

/// What a login screen shows.
#[derive(Serialize, ToSchema)]
pub struct Branding {
    /// The instance's slug.
    pub instance: String,
    /// The instance's name.
    pub name: String,
    /// The logo's URL, when one is uploaded.
    pub logo_url: Option<String>,
}

/// [`Branding`] borrowed from the cached instance: the same JSON, without copying (the route is
/// among the public API's busiest).
#[derive(Serialize)]
pub struct BrandingRef<'a> {
    pub instance: &'a str,
    pub name: &'a str,
    pub logo_url: Option<String>,
}

/// The application making the call.
#[derive(Serialize, ToSchema)]
pub struct WhoAmI {
    pub client_id: String,
    pub name: String,
    #[schema(example = "backend")]
    pub kind: String,
    /// `bearer_token` or `client_id`.
    pub authenticated_by: &'static str,
    /// Scopes of the bearer token (empty for client-id calls).
    pub scopes: Vec<String>,
    pub instance: String,
}

/// Authorization-server metadata (RFC 8414), also served as OpenID Connect discovery: where the
/// instance's endpoints are and what they support.
#[derive(Serialize, ToSchema)]
pub struct ServerMetadata {
    /// The instance's issuer: the `iss` of its tokens.
    #[schema(example = "https://steward.example.com/public/v1/acme")]
    pub issuer: String,
    /// The hosted sign-in page (authorization code with PKCE).
    pub authorization_endpoint: String,
    pub jwks_uri: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub introspection_endpoint: String,
    pub grant_types_supported: Vec<&'static str>,
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    pub response_types_supported: Vec<&'static str>,
    pub response_modes_supported: Vec<&'static str>,
    pub code_challenge_methods_supported: Vec<&'static str>,
    /// The authorization response carries `iss` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
    pub scopes_supported: Vec<&'static str>,
    pub subject_types_supported: Vec<&'static str>,
    /// The algorithm the instance signs its tokens with.
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub claims_supported: Vec<&'static str>,
    /// The instance public API's reference.
    pub service_documentation: String,
}

/// A way of signing in that the application offers, for a custom login screen.
#[derive(Serialize, ToSchema)]
pub struct OfferedProvider {
    /// Send it as `provider` to `/oauth/authorize` to go straight to this provider.
    pub key: String,
    pub kind: crate::routes::identity_providers::dto::ProviderKindDto,
    pub display_name: String,
    pub button_label: String,
    pub position: i32,
}

/// What a login screen of the application needs.
#[derive(Serialize, ToSchema)]
pub struct OfferedProviders {
    /// In order.
    pub items: Vec<OfferedProvider>,
    /// Email and password registration is open.
    pub registration_enabled: bool,
    /// The hosted sign-in page (authorization code with PKCE).
    pub authorization_endpoint: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_branding_is_the_documented_json() {
        let owned = Branding { instance: "shop".into(), name: "Shop".into(), logo_url: Some("https://x/logo.png".into()) };
        let borrowed = BrandingRef { instance: "shop", name: "Shop", logo_url: Some("https://x/logo.png".into()) };
        assert_eq!(serde_json::to_value(&owned).unwrap(), serde_json::to_value(&borrowed).unwrap());
    }
}
