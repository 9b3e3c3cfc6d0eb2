//! Signing in at another party: the calls Steward makes to identity providers (OpenID Connect
//! discovery, the authorization-code exchange, JWKS, user info) and the checks it makes of
//! what they answer.
//!
//! Every call is bounded in time and size, follows the egress policy (a tenant names an OIDC
//! issuer), and takes a permit of its instance's own small pool, so a provider that never
//! answers holds at most that many of one instance's sign-ins and nobody else's. Discovery
//! documents are cached for an hour, JWKS for ten minutes (refetched at most once a minute when
//! a token names an unknown `kid`, which is how providers roll keys).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use steward_domain::identity_provider::ProviderKind;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// Where the providers without discovery (and the discovery documents of those with one) are.
/// The defaults are the providers' documented endpoints; the operator (and the tests) may point
/// each elsewhere (`STEWARD_IDP_*`).
#[derive(Debug, Clone)]
pub struct ProviderEndpoints {
    pub google_discovery: String,
    pub linkedin_discovery: String,
    pub facebook: OAuthEndpoints,
    pub twitter: OAuthEndpoints,
}

/// A plain OAuth 2.0 provider's endpoints: where people consent, where codes are exchanged,
/// and where the profile is read.
#[derive(Debug, Clone)]
pub struct OAuthEndpoints {
    pub authorize: String,
    pub token: String,
    pub userinfo: String,
}

impl Default for ProviderEndpoints {
    fn default() -> Self {
        Self {
            google_discovery: "https://accounts.google.com/.well-known/openid-configuration".into(),
            linkedin_discovery: "https://www.linkedin.com/oauth/.well-known/openid-configuration".into(),
            facebook: OAuthEndpoints {
                authorize: "https://www.facebook.com/v19.0/dialog/oauth".into(),
                token: "https://graph.facebook.com/v19.0/oauth/access_token".into(),
                userinfo: "https://graph.facebook.com/v19.0/me".into(),
            },
            twitter: OAuthEndpoints {
                authorize: "https://twitter.com/i/oauth2/authorize".into(),
                token: "https://api.twitter.com/2/oauth2/token".into(),
                userinfo: "https://api.twitter.com/2/users/me".into(),
            },
        }
    }
}

/// What an OpenID Connect discovery document says (OpenID Connect Discovery 1.0 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: String,
    /// The token endpoint takes HTTP Basic client authentication (the default when the
    /// document names no method); otherwise the secret goes in the form.
    pub basic_auth: bool,
}

/// Everything needed to send a person to a provider and take them back.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub kind: ProviderKind,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: Option<String>,
    /// The ID token's expected `iss` and where its keys are (OpenID Connect providers).
    pub issuer: Option<String>,
    pub jwks_uri: Option<String>,
    pub basic_auth: bool,
}

/// Who the provider says the person is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub subject: String,
    pub email: Option<String>,
    /// The provider vouches that the person controls the address.
    pub email_verified: bool,
    pub name: String,
    pub given_name: String,
    pub family_name: String,
}

/// Why signing in at a provider failed, for the person and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FederationError {
    /// Too many of this instance's sign-ins are waiting on providers right now.
    Busy,
    /// The provider could not be reached, or answered something unusable.
    Unavailable(String),
    /// The provider refused (a bad code, bad client credentials...).
    Refused(String),
    /// What it answered failed a check (signature, issuer, audience, expiry, nonce).
    Untrusted(String),
}

impl std::fmt::Display for FederationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Busy => f.write_str("Too many sign-ins are waiting on identity providers right now. Try again in a moment."),
            Self::Unavailable(why) => write!(f, "The identity provider could not be used: {why}"),
            Self::Refused(why) => write!(f, "The identity provider refused the sign-in: {why}"),
            Self::Untrusted(why) => write!(f, "The identity provider's answer failed a security check: {why}"),
        }
    }
}

/// The largest discovery document, token answer, JWKS or profile read.
const MAX_ANSWER: usize = 256 * 1024;
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
const JWKS_TTL: Duration = Duration::from_secs(600);
const JWKS_REFETCH: Duration = Duration::from_secs(60);
/// Calls to providers one instance may have in flight in this process.
const PER_INSTANCE: usize = 16;
/// The leeway on an ID token's times (clocks differ a little).
const LEEWAY_SECS: u64 = 60;

struct CachedJwks {
    fetched: Instant,
    keys: Arc<Vec<Jwk>>,
}

pub struct Federation {
    client: reqwest::Client,
    timeout: Duration,
    endpoints: ProviderEndpoints,
    discovery: Mutex<HashMap<String, (Instant, Arc<Discovery>)>>,
    jwks: Mutex<HashMap<String, CachedJwks>>,
    permits: Mutex<HashMap<Uuid, Arc<Semaphore>>>,
}

/// A JSON answer's body, or why there is none.
async fn json_answer(res: Result<reqwest::Response, reqwest::Error>) -> Result<(u16, serde_json::Value), String> {
    let res = res.map_err(|e| crate::outbound::describe(&e))?;
    let status = res.status().as_u16();
    let body = crate::outbound::read_capped(res, MAX_ANSWER).await?;
    let value = serde_json::from_slice(&body).map_err(|_| format!("it answered HTTP {status} with something that is not JSON"))?;
    Ok((status, value))
}

fn absolute_url(v: &serde_json::Value, field: &str) -> Result<String, String> {
    let s = v.get(field).and_then(|x| x.as_str()).ok_or_else(|| format!("the document has no {field}"))?;
    let url = url::Url::parse(s).map_err(|_| format!("{field} is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("{field} is not an http(s) URL"));
    }
    Ok(s.to_owned())
}

/// Reads a discovery document fetched from `url`.
pub fn parse_discovery(url: &str, v: &serde_json::Value) -> Result<Discovery, String> {
    let issuer = absolute_url(v, "issuer")?;
    // OpenID Connect Discovery §4.3: the issuer is the URL the document was asked at, before
    // `/.well-known/openid-configuration`.
    let expected = url.strip_suffix("/.well-known/openid-configuration").unwrap_or(url);
    if issuer.trim_end_matches('/') != expected.trim_end_matches('/') {
        return Err(format!("its issuer {issuer} is not the discovery URL's ({expected})"));
    }
    let methods: Vec<&str> =
        v.get("token_endpoint_auth_methods_supported").and_then(|m| m.as_array()).map_or_else(Vec::new, |a| a.iter().filter_map(|x| x.as_str()).collect());
    Ok(Discovery {
        issuer,
        authorization_endpoint: absolute_url(v, "authorization_endpoint")?,
        token_endpoint: absolute_url(v, "token_endpoint")?,
        userinfo_endpoint: v.get("userinfo_endpoint").map(|_| absolute_url(v, "userinfo_endpoint")).transpose()?,
        jwks_uri: absolute_url(v, "jwks_uri")?,
        basic_auth: methods.is_empty() || methods.contains(&"client_secret_basic"),
    })
}

/// `email_verified` as providers send it: a boolean, or (some) the string "true".
fn truthy(v: Option<&serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    }
}

fn text(v: &serde_json::Value, field: &str) -> String {
    v.get(field).and_then(|x| x.as_str()).unwrap_or_default().chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_owned()
}

fn email_of(v: &serde_json::Value, field: &str) -> Option<String> {
    v.get(field).and_then(|x| x.as_str()).and_then(|e| steward_domain::Email::parse(e).ok()).map(|e| e.into_inner())
}

impl Federation {
    pub fn new(egress: steward_mail::Egress, endpoints: ProviderEndpoints, timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            client: crate::outbound::client(egress, timeout, concat!("Steward/", env!("CARGO_PKG_VERSION")))?,
            timeout,
            endpoints,
            discovery: Mutex::new(HashMap::new()),
            jwks: Mutex::new(HashMap::new()),
            permits: Mutex::new(HashMap::new()),
        })
    }

    pub fn endpoints(&self) -> &ProviderEndpoints {
        &self.endpoints
    }

    /// A permit for one of `instance_id`'s calls to providers, or `Busy`.
    pub fn permit(&self, instance_id: Uuid) -> Result<OwnedSemaphorePermit, FederationError> {
        let pool = {
            let Ok(mut permits) = self.permits.lock() else { return Err(FederationError::Busy) };
            if permits.len() > 10_000 {
                permits.retain(|_, s| s.available_permits() < PER_INSTANCE);
            }
            permits.entry(instance_id).or_insert_with(|| Arc::new(Semaphore::new(PER_INSTANCE))).clone()
        };
        pool.try_acquire_owned().map_err(|_| FederationError::Busy)
    }

    /// A GET bounded in time, answering JSON.
    async fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<(u16, serde_json::Value), String> {
        let mut req = self.client.get(url).header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        match tokio::time::timeout(self.timeout, json_answer(req.send().await)).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs())),
        }
    }

    /// Fetches and checks a discovery document (no cache: what a save validates).
    pub async fn fetch_discovery(&self, url: &str) -> Result<Discovery, String> {
        let (status, v) = self.get_json(url, None).await?;
        if status != 200 {
            return Err(format!("it answered HTTP {status}"));
        }
        parse_discovery(url, &v)
    }

    /// The discovery document at `url`, from the cache when fresh.
    pub async fn discover(&self, url: &str) -> Result<Arc<Discovery>, String> {
        if let Ok(cache) = self.discovery.lock()
            && let Some((at, d)) = cache.get(url)
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(d.clone());
        }
        let d = Arc::new(self.fetch_discovery(url).await?);
        if let Ok(mut cache) = self.discovery.lock() {
            cache.insert(url.to_owned(), (Instant::now(), d.clone()));
        }
        Ok(d)
    }

    /// Where a provider of `kind` is. `stored` is what an OIDC provider's save found.
    pub async fn upstream(&self, kind: ProviderKind, stored: Option<&Discovery>) -> Result<Upstream, String> {
        let from = |d: &Discovery| Upstream {
            kind,
            authorization_endpoint: d.authorization_endpoint.clone(),
            token_endpoint: d.token_endpoint.clone(),
            userinfo_endpoint: d.userinfo_endpoint.clone(),
            issuer: Some(d.issuer.clone()),
            jwks_uri: Some(d.jwks_uri.clone()),
            basic_auth: d.basic_auth,
        };
        let plain = |e: &OAuthEndpoints, basic_auth| Upstream {
            kind,
            authorization_endpoint: e.authorize.clone(),
            token_endpoint: e.token.clone(),
            userinfo_endpoint: Some(e.userinfo.clone()),
            issuer: None,
            jwks_uri: None,
            basic_auth,
        };
        match kind {
            ProviderKind::Google => Ok(from(&*self.discover(&self.endpoints.google_discovery).await?)),
            ProviderKind::Linkedin => Ok(from(&*self.discover(&self.endpoints.linkedin_discovery).await?)),
            ProviderKind::Oidc => stored.map(from).ok_or_else(|| "the provider's discovery document was never read".to_owned()),
            // Facebook takes the secret as a parameter; X authenticates confidential clients with HTTP Basic.
            ProviderKind::Facebook => Ok(plain(&self.endpoints.facebook, false)),
            ProviderKind::Twitter => Ok(plain(&self.endpoints.twitter, true)),
            ProviderKind::Password | ProviderKind::Guest => Err("this provider has no endpoints".to_owned()),
        }
    }

    /// Exchanges the provider's code (with our PKCE verifier) and reads who signed in.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_in(
        &self,
        up: &Upstream,
        client_id: &str,
        client_secret: &str,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Profile, FederationError> {
        let answer = self.exchange(up, client_id, client_secret, code, redirect_uri, verifier).await?;
        if up.kind.uses_id_token() {
            let id_token = answer.get("id_token").and_then(|t| t.as_str()).ok_or_else(|| FederationError::Untrusted("no ID token was answered".into()))?;
            let mut profile = self.verify_id_token(up, id_token, client_id, nonce).await?;
            // Some issuers put only `sub` in the ID token: the rest is at userinfo.
            if profile.email.is_none()
                && let (Some(url), Some(access)) = (up.userinfo_endpoint.as_deref(), answer.get("access_token").and_then(|t| t.as_str()))
            {
                let info = self.userinfo(url, access).await?;
                if info.get("sub").and_then(|s| s.as_str()) != Some(profile.subject.as_str()) {
                    return Err(FederationError::Untrusted("the user info is about someone else".into()));
                }
                profile.email = email_of(&info, "email");
                profile.email_verified = profile.email.is_some() && truthy(info.get("email_verified"));
                for (field, slot) in [("name", &mut profile.name), ("given_name", &mut profile.given_name), ("family_name", &mut profile.family_name)] {
                    if slot.is_empty() {
                        *slot = text(&info, field);
                    }
                }
            }
            return Ok(profile);
        }
        let access = answer.get("access_token").and_then(|t| t.as_str()).ok_or_else(|| FederationError::Unavailable("no access token was answered".into()))?;
        let url = up.userinfo_endpoint.as_deref().ok_or_else(|| FederationError::Unavailable("no profile endpoint".into()))?;
        match up.kind {
            ProviderKind::Facebook => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let info = self.userinfo(&format!("{url}{sep}fields=id,name,email,first_name,last_name"), access).await?;
                let subject = text(&info, "id");
                if subject.is_empty() {
                    return Err(FederationError::Unavailable("the profile has no id".into()));
                }
                // Facebook does not say whether the person confirmed the address: it is taken as
                // unverified (never used to link to an existing account).
                Ok(Profile {
                    subject,
                    email: email_of(&info, "email"),
                    email_verified: false,
                    name: text(&info, "name"),
                    given_name: text(&info, "first_name"),
                    family_name: text(&info, "last_name"),
                })
            }
            ProviderKind::Twitter => {
                let info = self.userinfo(url, access).await?;
                let data = info.get("data").cloned().unwrap_or_default();
                let subject = text(&data, "id");
                if subject.is_empty() {
                    return Err(FederationError::Unavailable("the profile has no id".into()));
                }
                // X gives no email address.
                Ok(Profile { subject, email: None, email_verified: false, name: text(&data, "name"), given_name: String::new(), family_name: String::new() })
            }
            _ => Err(FederationError::Unavailable("unsupported provider".into())),
        }
    }

    async fn exchange(
        &self,
        up: &Upstream,
        client_id: &str,
        secret: &str,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<serde_json::Value, FederationError> {
        let mut form: Vec<(&str, &str)> =
            vec![("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri), ("code_verifier", verifier)];
        let mut req = self.client.post(&up.token_endpoint).header(reqwest::header::ACCEPT, "application/json");
        if up.basic_auth {
            // RFC 6749 §2.3.1: each part form-encoded before Basic.
            let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(client_id), Some(enc(secret)));
        } else {
            form.push(("client_id", client_id));
            form.push(("client_secret", secret));
        }
        let sent = async { json_answer(req.form(&form).send().await).await };
        let (status, v) = match tokio::time::timeout(self.timeout, sent).await {
            Ok(Ok(r)) => r,
            Ok(Err(why)) => return Err(FederationError::Unavailable(why)),
            Err(_) => return Err(FederationError::Unavailable(format!("no answer within {} s", self.timeout.as_secs()))),
        };
        if status != 200 {
            let why = v
                .get("error_description")
                .or_else(|| v.get("error"))
                .or_else(|| v.pointer("/error/message"))
                .and_then(|e| e.as_str())
                .unwrap_or("the code was not accepted")
                .chars()
                .take(300)
                .collect::<String>();
            return Err(FederationError::Refused(why));
        }
        Ok(v)
    }

    async fn userinfo(&self, url: &str, access_token: &str) -> Result<serde_json::Value, FederationError> {
        match self.get_json(url, Some(access_token)).await {
            Ok((200, v)) => Ok(v),
            Ok((status, _)) => Err(FederationError::Refused(format!("reading the profile answered HTTP {status}"))),
            Err(why) => Err(FederationError::Unavailable(why)),
        }
    }

    /// The provider's signing keys; fetched again when `kid` is unknown and the last fetch is
    /// more than a minute old.
    async fn keys(&self, jwks_uri: &str, kid: Option<&str>) -> Result<Arc<Vec<Jwk>>, FederationError> {
        let cached = self.jwks.lock().ok().and_then(|c| c.get(jwks_uri).map(|k| (k.fetched, k.keys.clone())));
        if let Some((fetched, keys)) = &cached {
            let known = kid.is_none_or(|kid| keys.iter().any(|k| k.common.key_id.as_deref() == Some(kid)));
            if fetched.elapsed() < JWKS_TTL && (known || fetched.elapsed() < JWKS_REFETCH) {
                return Ok(keys.clone());
            }
        }
        let (status, v) = self.get_json(jwks_uri, None).await.map_err(FederationError::Unavailable)?;
        if status != 200 {
            return Err(FederationError::Unavailable(format!("its keys answered HTTP {status}")));
        }
        // A key of a kind this server does not know is skipped, not fatal for the others.
        let keys: Vec<Jwk> =
            v.get("keys").and_then(|k| k.as_array()).map_or_else(Vec::new, |a| a.iter().filter_map(|k| serde_json::from_value(k.clone()).ok()).collect());
        let keys = Arc::new(keys);
        if let Ok(mut cache) = self.jwks.lock() {
            cache.insert(jwks_uri.to_owned(), CachedJwks { fetched: Instant::now(), keys: keys.clone() });
        }
        Ok(keys)
    }

    /// Checks an ID token (OpenID Connect Core §3.1.3.7): an asymmetric signature by one of the
    /// issuer's published keys, `iss`, `aud` containing our client id (and `azp` ours when there
    /// are several audiences), `exp`, `iat`, and our `nonce`.
    pub async fn verify_id_token(&self, up: &Upstream, token: &str, client_id: &str, nonce: &str) -> Result<Profile, FederationError> {
        let untrusted = |why: &str| FederationError::Untrusted(why.to_owned());
        let (Some(issuer), Some(jwks_uri)) = (up.issuer.as_deref(), up.jwks_uri.as_deref()) else { return Err(untrusted("the provider has no keys")) };
        let header = jsonwebtoken::decode_header(token).map_err(|_| untrusted("the ID token is not a JWT"))?;
        const ASYMMETRIC: [Algorithm; 9] = [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ];
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(untrusted("the ID token is not signed with a public-key algorithm"));
        }
        let keys = self.keys(jwks_uri, header.kid.as_deref()).await?;
        let candidates: Vec<&Jwk> = match header.kid.as_deref() {
            Some(kid) => keys.iter().filter(|k| k.common.key_id.as_deref() == Some(kid)).collect(),
            None => keys.iter().collect(),
        };
        if candidates.is_empty() {
            return Err(untrusted("the ID token's key is not among the provider's keys"));
        }
        let mut validation = Validation::new(header.alg);
        // Google's ID tokens may name the issuer without the scheme (its documentation says so).
        if up.kind == ProviderKind::Google {
            let bare = issuer.trim_start_matches("https://");
            validation.set_issuer(&[issuer, bare]);
        } else {
            validation.set_issuer(&[issuer]);
        }
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let mut last = untrusted("the ID token's signature does not verify");
        for jwk in candidates {
            let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
            match jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation) {
                Ok(data) => return check_claims(&data.claims, client_id, nonce),
                Err(e) => {
                    use jsonwebtoken::errors::ErrorKind;
                    last = untrusted(match e.kind() {
                        ErrorKind::ExpiredSignature => "the ID token has expired",
                        ErrorKind::InvalidIssuer => "the ID token is from another issuer",
                        ErrorKind::InvalidAudience => "the ID token is for another client",
                        ErrorKind::ImmatureSignature => "the ID token is not valid yet",
                        ErrorKind::MissingRequiredClaim(_) => "the ID token lacks a required claim",
                        _ => "the ID token's signature does not verify",
                    });
                    if !matches!(e.kind(), ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat) {
                        break;
                    }
                }
            }
        }
        Err(last)
    }
}

#[derive(Deserialize)]
struct Audience(#[serde(deserialize_with = "one_or_many")] Vec<String>);

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

fn check_claims(claims: &serde_json::Value, client_id: &str, nonce: &str) -> Result<Profile, FederationError> {
    let untrusted = |why: &str| FederationError::Untrusted(why.to_owned());
    if claims.get("nonce").and_then(|n| n.as_str()) != Some(nonce) {
        return Err(untrusted("the ID token's nonce is not the one this sign-in sent"));
    }
    let audiences = claims.get("aud").cloned().and_then(|a| serde_json::from_value::<Audience>(a).ok()).map(|a| a.0).unwrap_or_default();
    if audiences.len() > 1 && claims.get("azp").and_then(|a| a.as_str()) != Some(client_id) {
        return Err(untrusted("the ID token was issued to another client"));
    }
    let subject = text(claims, "sub");
    if subject.is_empty() || subject.len() > 255 {
        return Err(untrusted("the ID token has no usable subject"));
    }
    let email = email_of(claims, "email");
    Ok(Profile {
        subject,
        email_verified: email.is_some() && truthy(claims.get("email_verified")),
        email,
        name: text(claims, "name"),
        given_name: text(claims, "given_name"),
        family_name: text(claims, "family_name"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn discovery_issuer_must_match_its_url() {
        let doc = json!({
            "issuer": "https://id.example.com",
            "authorization_endpoint": "https://id.example.com/auth",
            "token_endpoint": "https://id.example.com/token",
            "jwks_uri": "https://id.example.com/jwks",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        });
        let d = parse_discovery("https://id.example.com/.well-known/openid-configuration", &doc).unwrap();
        assert!(!d.basic_auth);
        assert!(d.userinfo_endpoint.is_none());
        assert!(parse_discovery("https://other.example.com/.well-known/openid-configuration", &doc).is_err());
        let mut bad = doc.clone();
        bad["token_endpoint"] = json!("javascript:alert(1)");
        assert!(parse_discovery("https://id.example.com/.well-known/openid-configuration", &bad).is_err());
    }

    #[test]
    fn claims_need_our_nonce_and_azp() {
        let c = json!({"sub": "1", "nonce": "n", "aud": ["us", "them"], "azp": "us", "email": "A@Example.com", "email_verified": "true"});
        let p = check_claims(&c, "us", "n").unwrap();
        assert_eq!(p.email.as_deref(), Some("a@example.com"));
        assert!(p.email_verified);
        assert!(check_claims(&c, "us", "m").is_err());
        assert!(check_claims(&json!({"sub": "1", "nonce": "n", "aud": ["us", "them"], "azp": "them"}), "us", "n").is_err());
    }
}
