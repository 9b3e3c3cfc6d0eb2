use serde::Serialize;
use utoipa::ToSchema;

/// A JSON Web Key Set (RFC 7517) of the instance's token-signing keys.
#[derive(Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// An Ed25519 public key (RFC 8037).
#[derive(Serialize, ToSchema)]
pub struct Jwk {
    #[schema(example = "OKP")]
    pub kty: &'static str,
    #[schema(example = "Ed25519")]
    pub crv: &'static str,
    /// The public key, base64url.
    pub x: String,
    pub kid: String,
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub use_: &'static str,
}

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
