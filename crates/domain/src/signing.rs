//! The algorithms an instance may sign its tokens with.

/// A JWS algorithm for an instance's tokens. EdDSA (Ed25519) is the default; ES256 and RS256
/// exist because many libraries integrators use (Node's `jsonwebtoken`, .NET) can't verify
/// EdDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SigningAlgorithm {
    #[default]
    EdDsa,
    Es256,
    Rs256,
}

impl SigningAlgorithm {
    pub const ALL: [SigningAlgorithm; 3] = [SigningAlgorithm::EdDsa, SigningAlgorithm::Es256, SigningAlgorithm::Rs256];

    /// The JWS `alg` name (stored as is).
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlgorithm::EdDsa => "EdDSA",
            SigningAlgorithm::Es256 => "ES256",
            SigningAlgorithm::Rs256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}
