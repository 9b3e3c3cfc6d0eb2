//! Identity providers and the hosted sign-in page, end to end: a real OpenID provider process
//! (the npm package `oidc-provider`, `frontend/e2e/support/oidc-idp.mjs`) and stand-ins for
//! Facebook's and X's OAuth endpoints (`social-idp.mjs`) on loopback; a browser played by an
//! HTTP client with its own cookie jar. Every attack the issue lists is tried and must create
//! nothing: a wrong or replayed state, another browser, a code of another client, a bad ID
//! token (signature, audience, expiry, nonce, issuer), an unregistered redirect URI, a disabled
//! provider, a provider that answers garbage or never answers.

use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use base64::Engine as _;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use steward_domain::identity_provider::challenge_of;

use crate::helpers::{Backend, PASSWORD, TestApp, assert_problem, field_errors};

/// Runs each `async fn name(app: TestApp)` on SQLite and PostgreSQL with identity-provider
/// calls bounded to 2 seconds (the hanging provider's test waits that long).
macro_rules! idp_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::spawn(crate::helpers::Backend::Sqlite).await.expect("sqlite app")).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = super::spawn(crate::helpers::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

idp_tests!(
    oidc_sign_in_end_to_end,
    callback_attacks_create_nothing,
    bad_id_tokens_create_nothing,
    unreachable_or_garbage_providers,
    code_exchange_rules,
    linking_only_through_verified_addresses,
    provider_configuration_is_validated,
    hosted_password_sign_in_and_registration,
    guests_start_upgrade_and_expire,
    social_providers_through_their_endpoints,
    providers_list_and_per_application_limits,
    accounts_link_and_unlink_their_own_providers,
);

const APP_REDIRECT: &str = "https://app.test/callback";
const IDP_CLIENT: &str = "steward-shop";
const IDP_SECRET: &str = "idp-client-secret-7b1e";

/// A test peer process (killed when dropped) and the JSON line it printed once listening.
pub struct Peer {
    child: Child,
    pub hello: Value,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn support(script: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../frontend/e2e/support").join(script)
}

impl Peer {
    pub fn start(script: &str, config: Value) -> Peer {
        let mut child = Command::new("node")
            .arg(support(script))
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (and frontend/node_modules has oidc-provider: npm ci in frontend)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let hello: Value = serde_json::from_str(line.trim()).unwrap_or_else(|_| panic!("{script} did not start: {line:?}"));
        Peer { child, hello }
    }
}

/// The OpenID provider, with one client registered for `callback`.
fn oidc_idp(callback: &str) -> (Peer, String) {
    let peer =
        Peer::start("oidc-idp.mjs", json!({"port": 0, "clients": [{"client_id": IDP_CLIENT, "client_secret": IDP_SECRET, "redirect_uris": [callback]}]}));
    let issuer = peer.hello["issuer"].as_str().unwrap().to_owned();
    (peer, issuer)
}

async fn tamper(issuer: &str, mode: &str) {
    let res = reqwest::Client::new().post(format!("{issuer}/__tamper")).json(&json!({"mode": mode})).send().await.unwrap();
    assert!(res.status().is_success());
}

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.idp_timeout_secs = 2).await
}

/// A browser: no automatic redirects, a cookie jar per host and port (paths ignored: every
/// cookie of the host is sent, which is what the peers need).
pub struct Browser {
    client: reqwest::Client,
    jar: Mutex<HashMap<String, Vec<(String, String)>>>,
}

fn authority(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    format!("{}:{}", u.host_str().unwrap(), u.port_or_known_default().unwrap())
}

impl Browser {
    pub fn new() -> Self {
        Self { client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(), jar: Mutex::new(HashMap::new()) }
    }

    fn cookie_header(&self, url: &str) -> Option<String> {
        let jar = self.jar.lock().unwrap();
        let cookies = jar.get(&authority(url))?;
        (!cookies.is_empty()).then(|| cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
    }

    fn store(&self, url: &str, res: &Response) {
        let mut jar = self.jar.lock().unwrap();
        let cookies = jar.entry(authority(url)).or_default();
        for h in res.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = h.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            cookies.retain(|(n, _)| n != name.trim());
            if !attrs.to_ascii_lowercase().contains("max-age=0") && !value.is_empty() {
                cookies.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }

    pub async fn get(&self, url: &str) -> Response {
        let mut req = self.client.get(url);
        if let Some(c) = self.cookie_header(url) {
            req = req.header(reqwest::header::COOKIE, c);
        }
        let res = req.send().await.unwrap();
        self.store(url, &res);
        res
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Response {
        let mut req = self.client.post(url).form(form);
        if let Some(c) = self.cookie_header(url) {
            req = req.header(reqwest::header::COOKIE, c);
        }
        let res = req.send().await.unwrap();
        self.store(url, &res);
        res
    }
}

/// The absolute location a redirect points to.
fn location(base: &str, res: &Response) -> String {
    assert!(res.status().is_redirection(), "expected a redirect, got {}", res.status());
    let loc = res.headers()[reqwest::header::LOCATION].to_str().unwrap();
    url::Url::parse(base).unwrap().join(loc).unwrap().to_string()
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Signs in at the OpenID provider as `login`: from its authorization URL to the callback URL
/// it sends the browser back to.
async fn sign_in_at_idp(browser: &Browser, authorize_url: &str, login: &str) -> String {
    let res = browser.get(authorize_url).await;
    let interaction = location(authorize_url, &res);
    assert_eq!(browser.get(&interaction).await.status(), StatusCode::OK, "the provider's login page");
    let res = browser.post_form(&interaction, &[("prompt", "login"), ("login", login), ("password", "anything")]).await;
    let resume = location(&interaction, &res);
    let res = browser.get(&resume).await;
    location(&resume, &res)
}

/// A PKCE pair: (verifier, challenge).
fn pkce() -> (String, String) {
    let verifier = format!("v{}", uuid::Uuid::new_v4().simple()).repeat(2);
    let challenge = challenge_of(&verifier);
    (verifier, challenge)
}

struct Shop {
    owner: String,
    client_id: String,
    /// A back-end app of the same instance.
    backend_id: String,
    backend_secret: String,
}

/// An instance `shop` with a front-end app (redirect URI [`APP_REDIRECT`], origin app.test).
async fn shop(app: &TestApp) -> Shop {
    let owner = app.signup("owner@example.com").await.access;
    app.create_instance(&owner, "shop").await;
    let front = app
        .create_app(&owner, "shop", json!({"name": "Web", "kind": "frontend", "allowed_origins": ["https://app.test"], "redirect_uris": [APP_REDIRECT]}))
        .await;
    let back = app.create_app(&owner, "shop", json!({"name": "API", "kind": "backend"})).await;
    Shop {
        owner,
        client_id: front["client_id"].as_str().unwrap().to_owned(),
        backend_id: back["client_id"].as_str().unwrap().to_owned(),
        backend_secret: back["client_secret"].as_str().unwrap().to_owned(),
    }
}

fn callback_url(app: &TestApp, key: &str) -> String {
    app.url(&format!("/public/v1/shop/oauth/callback/{key}"))
}

async fn put_provider(app: &TestApp, token: &str, key: &str, body: Value) -> Response {
    app.request(reqwest::Method::PUT, &format!("/api/v1/instances/shop/identity-providers/{key}"), Some(token), Some(body)).await
}

/// Adds the OpenID provider at `issuer` as `okta`.
async fn add_okta(app: &TestApp, owner: &str, issuer: &str) -> Value {
    let res = put_provider(
        app,
        owner,
        "okta",
        json!({"enabled": true, "display_name": "Okta", "discovery_url": format!("{issuer}/.well-known/openid-configuration"), "client_id": IDP_CLIENT, "client_secret": IDP_SECRET}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

fn authorize_url(app: &TestApp, client_id: &str, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(&app.url("/public/v1/shop/oauth/authorize")).unwrap();
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", APP_REDIRECT),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("state", "app-state-1"),
            ("nonce", "app-nonce-1"),
            ("scope", "openid email profile"),
        ] {
            q.append_pair(k, v);
        }
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// Starts at the hosted page going straight to `provider`; answers the provider's URL.
async fn to_provider(app: &TestApp, browser: &Browser, client_id: &str, challenge: &str, provider: &str) -> String {
    let start = authorize_url(app, client_id, challenge, &[("provider", provider)]);
    let res = browser.get(&start).await;
    assert_eq!(res.status(), StatusCode::FOUND, "straight to the provider");
    location(&start, &res)
}

/// The whole browser part with the OpenID provider: answers where the app is sent back to.
async fn okta_flow(app: &TestApp, browser: &Browser, client_id: &str, challenge: &str, login: &str) -> Response {
    let at_idp = to_provider(app, browser, client_id, challenge, "okta").await;
    let callback = sign_in_at_idp(browser, &at_idp, login).await;
    assert!(callback.starts_with(&callback_url(app, "okta")), "{callback}");
    browser.get(&callback).await
}

async fn exchange(app: &TestApp, form: &[(&str, &str)]) -> Response {
    app.client.post(app.url("/public/v1/shop/oauth/token")).form(form).send().await.unwrap()
}

/// The app's side: redeems `code` (a front-end app: its verifier, no secret) for tokens.
async fn redeem(app: &TestApp, code: &str, verifier: &str, client_id: &str) -> Value {
    let res = exchange(
        app,
        &[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", APP_REDIRECT), ("code_verifier", verifier), ("client_id", client_id)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The signed-in end user, as `/me` shows them with the access token of `tokens`.
async fn me(app: &TestApp, tokens: &Value) -> Value {
    let res = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn users(app: &TestApp, owner: &str) -> Vec<Value> {
    let list: Value = app.get("/api/v1/instances/shop/users?limit=100", Some(owner)).await.json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

async fn assert_page(res: Response, status: StatusCode, text: &str) -> String {
    assert_eq!(res.status(), status);
    assert!(res.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(res.headers().contains_key(reqwest::header::CONTENT_SECURITY_POLICY));
    let body = res.text().await.unwrap();
    assert!(body.contains(text), "the page says {text:?}: {body}");
    body
}

async fn oidc_sign_in_end_to_end(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    let provider = add_okta(&app, &s.owner, &issuer).await;
    assert_eq!(provider["callback_url"], callback_url(&app, "okta"));
    assert_eq!(provider["client_secret_set"], true);
    assert_eq!(provider["issuer"], issuer);
    assert!(provider.get("client_secret").is_none());

    // The hosted page shows the provider's button and the password form.
    let browser = Browser::new();
    let (verifier, challenge) = pkce();
    let start = authorize_url(&app, &s.client_id, &challenge, &[]);
    let page = browser.get(&start).await;
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    // Browsers check form-action on the redirect after the password form's post: the app's
    // origin must be allowed, nothing else.
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("form-action 'self' https://app.test;"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{csp}");
    let html = assert_page(page, StatusCode::OK, "Continue with Okta").await;
    assert!(html.contains("Okta") || html.contains("okta"));
    assert!(html.contains("name=\"password\""), "the password form");
    let button = html.split("href=\"").find(|s| s.contains("/provider/okta")).unwrap().split('"').next().unwrap().to_owned();

    // Through the provider and back, the app gets a code with its state and the issuer.
    let at_idp = location(&button, &browser.get(&button).await);
    let idp_params = query_of(&at_idp);
    assert_eq!(idp_params["code_challenge_method"], "S256");
    assert_eq!(idp_params["client_id"], IDP_CLIENT);
    assert_eq!(idp_params["redirect_uri"], callback_url(&app, "okta"));
    let callback = sign_in_at_idp(&browser, &at_idp, "alice@example.com").await;
    let back = browser.get(&callback).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let to_app = location(&callback, &back);
    assert!(to_app.starts_with(APP_REDIRECT), "{to_app}");
    let q = query_of(&to_app);
    assert_eq!(q["state"], "app-state-1");
    assert_eq!(q["iss"], app.url("/public/v1/shop"));

    // The front-end app exchanges it with its verifier (no secret) for tokens and an ID token.
    let res = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", APP_REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &s.client_id),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: Value = res.json().await.unwrap();
    let id_token = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["aud"], s.client_id);
    assert_eq!(id_token["nonce"], "app-nonce-1");
    assert_eq!(id_token["email"], "alice@example.com");
    assert_eq!(id_token["email_verified"], true);
    assert_eq!(id_token["name"], "Alice Example");
    assert_eq!(id_token["iss"], app.url("/public/v1/shop"));
    let me = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], "alice@example.com");
    assert_eq!(me["provider"], "okta");
    assert_eq!(me["email_verified"], true);
    assert!(tokens["refresh_token"].is_string());

    // The console shows the identity.
    let user_id = me["id"].as_str().unwrap().to_owned();
    let identities: Value = app.get(&format!("/api/v1/instances/shop/users/{user_id}/identities"), Some(&s.owner)).await.json().await.unwrap();
    assert_eq!(identities["items"][0]["provider"], "okta");
    assert_eq!(identities["items"][0]["subject"], "alice@example.com");
    // The only way this user signs in: it cannot be unlinked.
    let identity = identities["items"][0]["id"].as_str().unwrap();
    let res = app.delete(&format!("/api/v1/instances/shop/users/{user_id}/identities/{identity}"), Some(&s.owner)).await;
    assert_problem(res, StatusCode::CONFLICT, "last_sign_in_method").await;

    // Signing in again (a new browser) finds the same account.
    let browser = Browser::new();
    let (verifier, challenge) = pkce();
    let res = okta_flow(&app, &browser, &s.client_id, &challenge, "alice@example.com").await;
    let q = query_of(&location(&app.address, &res));
    let res = exchange(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", APP_REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &s.client_id),
        ],
    )
    .await;
    let again: Value = res.json().await.unwrap();
    assert_eq!(jwt_claims(again["access_token"].as_str().unwrap())["sub"], user_id);
    assert_eq!(users(&app, &s.owner).await.len(), 1);
}

async fn callback_attacks_create_nothing(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    let (_, challenge) = pkce();

    // A made-up state.
    let browser = Browser::new();
    let res = browser.get(&format!("{}?code=abc&state=made-up", callback_url(&app, "okta"))).await;
    assert_page(res, StatusCode::BAD_REQUEST, "expired").await;
    // No state at all.
    assert_page(browser.get(&callback_url(&app, "okta")).await, StatusCode::BAD_REQUEST, "expired").await;

    // The provider's answer taken to another browser (a login CSRF): refused, and the state
    // is spent, so the right browser cannot use it either.
    let victim = Browser::new();
    let at_idp = to_provider(&app, &victim, &s.client_id, &challenge, "okta").await;
    let callback = sign_in_at_idp(&victim, &at_idp, "mallory@example.com").await;
    assert_page(Browser::new().get(&callback).await, StatusCode::BAD_REQUEST, "expired").await;
    assert_page(victim.get(&callback).await, StatusCode::BAD_REQUEST, "expired").await;

    // A callback replayed after it succeeded.
    let browser = Browser::new();
    let at_idp = to_provider(&app, &browser, &s.client_id, &challenge, "okta").await;
    let callback = sign_in_at_idp(&browser, &at_idp, "alice@example.com").await;
    assert_eq!(browser.get(&callback).await.status(), StatusCode::SEE_OTHER);
    assert_page(browser.get(&callback).await, StatusCode::BAD_REQUEST, "expired").await;
    assert_eq!(users(&app, &s.owner).await.len(), 1, "only alice's sign-in created an account");

    // A state sent to another provider's callback.
    let browser = Browser::new();
    let at_idp = to_provider(&app, &browser, &s.client_id, &challenge, "okta").await;
    let callback = sign_in_at_idp(&browser, &at_idp, "bob@example.com").await;
    let elsewhere = callback.replace("/callback/okta", "/callback/google");
    assert_page(browser.get(&elsewhere).await, StatusCode::BAD_REQUEST, "expired").await;

    // The person refused at the provider: a page, nothing created.
    let browser = Browser::new();
    let at_idp = to_provider(&app, &browser, &s.client_id, &challenge, "okta").await;
    let upstream_state = query_of(&at_idp)["state"].clone();
    let refused = format!("{}?error=access_denied&error_description=User+said+no&state={upstream_state}", callback_url(&app, "okta"));
    assert_page(browser.get(&refused).await, StatusCode::BAD_REQUEST, "User said no").await;

    // An unregistered redirect URI is a page, never a redirect; a registered one with a bad
    // request goes back with an error.
    let browser = Browser::new();
    let evil = authorize_url(&app, &s.client_id, &challenge, &[]).replace("app.test%2Fcallback", "evil.test%2Fcallback");
    let res = browser.get(&evil).await;
    assert!(res.headers().get(reqwest::header::LOCATION).is_none());
    assert_page(res, StatusCode::BAD_REQUEST, "redirect URI").await;
    let unknown_client = authorize_url(&app, "no-such-client", &challenge, &[]);
    assert_page(browser.get(&unknown_client).await, StatusCode::BAD_REQUEST, "application").await;
    let plain = authorize_url(&app, &s.client_id, &challenge, &[]).replace("code_challenge_method=S256", "code_challenge_method=plain");
    let back = query_of(&location(&plain, &browser.get(&plain).await));
    assert_eq!(back["error"], "invalid_request");
    assert_eq!(back["state"], "app-state-1");
    let no_pkce = app.url(&format!("/public/v1/shop/oauth/authorize?response_type=code&client_id={}&redirect_uri={APP_REDIRECT}", s.client_id));
    assert_eq!(query_of(&location(&no_pkce, &browser.get(&no_pkce).await))["error"], "invalid_request");
    let token = authorize_url(&app, &s.client_id, &challenge, &[]).replace("response_type=code", "response_type=token");
    assert_eq!(query_of(&location(&token, &browser.get(&token).await))["error"], "unsupported_response_type");

    // A disabled provider: the button is gone, its redirect and its callback are refused.
    let browser = Browser::new();
    let at_idp = to_provider(&app, &browser, &s.client_id, &challenge, "okta").await;
    let callback = sign_in_at_idp(&browser, &at_idp, "carol@example.com").await;
    assert_eq!(put_provider(&app, &s.owner, "okta", json!({"enabled": false})).await.status(), StatusCode::OK);
    assert_page(browser.get(&callback).await, StatusCode::BAD_REQUEST, "not available").await;
    let start = authorize_url(&app, &s.client_id, &challenge, &[]);
    let html = Browser::new().get(&start).await.text().await.unwrap();
    assert!(!html.contains("/provider/okta"));
    assert_page(Browser::new().get(&authorize_url(&app, &s.client_id, &challenge, &[("provider", "okta")])).await, StatusCode::BAD_REQUEST, "not available")
        .await;

    assert_eq!(users(&app, &s.owner).await.len(), 1, "no attack created an account");
}

async fn bad_id_tokens_create_nothing(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    for (mode, says) in
        [("bad_signature", "signature"), ("wrong_aud", "another client"), ("expired", "expired"), ("wrong_nonce", "nonce"), ("wrong_issuer", "another issuer")]
    {
        let browser = Browser::new();
        let (_, challenge) = pkce();
        let at_idp = to_provider(&app, &browser, &s.client_id, &challenge, "okta").await;
        let callback = sign_in_at_idp(&browser, &at_idp, &format!("{mode}@example.com")).await;
        tamper(&issuer, mode).await;
        let html = assert_page(browser.get(&callback).await, StatusCode::BAD_REQUEST, says).await;
        assert!(html.contains("security check"), "{mode}: {html}");
        assert!(html.contains("Back to sign in"), "{mode}: a way back");
    }
    assert!(users(&app, &s.owner).await.is_empty(), "no tampered token created an account");
}

async fn unreachable_or_garbage_providers(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    for (mode, says) in [("garbage", "not JSON"), ("hang", "no answer")] {
        let browser = Browser::new();
        let (_, challenge) = pkce();
        let at_idp = to_provider(&app, &browser, &s.client_id, &challenge, "okta").await;
        let callback = sign_in_at_idp(&browser, &at_idp, "alice@example.com").await;
        tamper(&issuer, mode).await;
        let started = std::time::Instant::now();
        assert_page(browser.get(&callback).await, StatusCode::BAD_GATEWAY, says).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{mode}: bounded by the timeout");
    }
    assert!(users(&app, &s.owner).await.is_empty());
}

async fn code_exchange_rules(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    let code_for = |login: &'static str| {
        let app = &app;
        let client_id = s.client_id.clone();
        async move {
            let browser = Browser::new();
            let (verifier, challenge) = pkce();
            let res = okta_flow(app, &browser, &client_id, &challenge, login).await;
            (query_of(&location(&app.address, &res))["code"].clone(), verifier)
        }
    };
    let invalid_grant = |res: Response| async move {
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_grant", "{body}");
    };
    let (code, verifier) = code_for("alice@example.com").await;
    let form = |code: &str, verifier: &str, client: &str| {
        vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code.to_owned()),
            ("redirect_uri".to_owned(), APP_REDIRECT.to_owned()),
            ("code_verifier".to_owned(), verifier.to_owned()),
            ("client_id".to_owned(), client.to_owned()),
        ]
    };
    let post = |f: Vec<(String, String)>| {
        let app = &app;
        async move { app.client.post(app.url("/public/v1/shop/oauth/token")).form(&f).send().await.unwrap() }
    };
    // A wrong verifier, another client's credentials, another redirect URI: refused (and the
    // code is spent by the attempt).
    invalid_grant(post(form(&code, &"x".repeat(50), &s.client_id)).await).await;
    invalid_grant(post(form(&code, &verifier, &s.client_id)).await).await;

    let (code, verifier) = code_for("alice@example.com").await;
    let res = app
        .client
        .post(app.url("/public/v1/shop/oauth/token"))
        .basic_auth(&s.backend_id, Some(&s.backend_secret))
        .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", APP_REDIRECT), ("code_verifier", &verifier)])
        .send()
        .await
        .unwrap();
    invalid_grant(res).await;

    let (code, verifier) = code_for("alice@example.com").await;
    let mut other_redirect = form(&code, &verifier, &s.client_id);
    other_redirect[2].1 = "https://app.test/other".into();
    invalid_grant(post(other_redirect).await).await;

    // A code of this instance at another instance's token endpoint.
    let (code, verifier) = code_for("alice@example.com").await;
    app.create_instance(&s.owner, "other").await;
    let res = app.client.post(app.url("/public/v1/other/oauth/token")).form(&form(&code, &verifier, &s.client_id)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "another instance does not know the client");

    // Twenty redemptions of one code at once: exactly one gets tokens; and a reuse afterwards
    // ends the session the first one started.
    let (code, verifier) = code_for("alice@example.com").await;
    let attempts = (0..20).map(|_| post(form(&code, &verifier, &s.client_id)));
    let results = futures_util::future::join_all(attempts).await;
    let winners: Vec<&Response> = results.iter().filter(|r| r.status() == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "one code, one redemption");
    let winner = results.into_iter().find(|r| r.status() == StatusCode::OK).unwrap();
    let tokens: Value = winner.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    invalid_grant(post(form(&code, &verifier, &s.client_id)).await).await;
    let me = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "the replays ended the session the code started");

    // A code expires after a minute.
    let (code, verifier) = code_for("alice@example.com").await;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, sea_query::Expr};
    use steward_persistence::entities::authorization_requests::{Column, Entity};
    Entity::update_many()
        .col_expr(Column::ExpiresAt, Expr::value(steward_persistence::now() - chrono::Duration::seconds(1)))
        .filter(Column::CodeHash.eq(steward_http::emails::token_hash(&code)))
        .exec(&app.state.db)
        .await
        .unwrap();
    invalid_grant(post(form(&code, &verifier, &s.client_id)).await).await;

    // Without the openid scope there is no ID token.
    let browser = Browser::new();
    let (verifier, challenge) = pkce();
    let start = authorize_url(&app, &s.client_id, &challenge, &[("provider", "okta")]).replace("scope=openid+email+profile", "scope=email");
    let at_idp = location(&start, &browser.get(&start).await);
    let callback = sign_in_at_idp(&browser, &at_idp, "alice@example.com").await;
    let code = query_of(&location(&callback, &browser.get(&callback).await))["code"].clone();
    let tokens: Value = post(form(&code, &verifier, &s.client_id)).await.json().await.unwrap();
    assert!(tokens.get("id_token").is_none());
    assert!(tokens["access_token"].is_string());
}

async fn linking_only_through_verified_addresses(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    let create = |email: &'static str, verified: bool| {
        let app = &app;
        let owner = s.owner.clone();
        async move {
            let res = app.post("/api/v1/instances/shop/users", Some(&owner), json!({"email": email, "password": PASSWORD, "email_verified": verified})).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
        }
    };
    let sign_in = |login: &'static str| {
        let app = &app;
        let client_id = s.client_id.clone();
        async move {
            let (_, challenge) = pkce();
            okta_flow(app, &Browser::new(), &client_id, &challenge, login).await
        }
    };
    // A verified address at both ends links the identity to the existing account.
    let bob = create("bob@example.com", true).await;
    let res = sign_in("bob@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let identities: Value = app.get(&format!("/api/v1/instances/shop/users/{bob}/identities"), Some(&s.owner)).await.json().await.unwrap();
    assert_eq!(identities["items"].as_array().unwrap().len(), 1);
    // Bob has a password, so the identity can be unlinked.
    let identity = identities["items"][0]["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/instances/shop/users/{bob}/identities/{identity}"), Some(&s.owner)).await.status(), StatusCode::NO_CONTENT);

    // The account's address never verified (anyone may have registered it): not linked.
    let carol = create("carol@example.com", false).await;
    assert_page(sign_in("carol@example.com").await, StatusCode::CONFLICT, "already exists").await;
    // The provider does not vouch for the address: not linked either.
    create("dave@example.com", true).await;
    assert_page(sign_in("unverified:dave@example.com").await, StatusCode::CONFLICT, "already exists").await;
    let carol_ids: Value = app.get(&format!("/api/v1/instances/shop/users/{carol}/identities"), Some(&s.owner)).await.json().await.unwrap();
    assert!(carol_ids["items"].as_array().unwrap().is_empty());

    // A new address makes a new account, unverified when the provider says so; an account
    // without an address is fine too.
    assert_eq!(sign_in("unverified:erin@example.com").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(sign_in("ada").await.status(), StatusCode::SEE_OTHER);
    let all = users(&app, &s.owner).await;
    let erin = all.iter().find(|u| u["email"] == "erin@example.com").unwrap();
    assert_eq!(erin["email_verified"], false);
    assert_eq!(erin["provider"], "okta");
    let ada = all.iter().find(|u| u["email"].is_null()).expect("a user without an address");
    assert_eq!(ada["name"], "Ada");
    assert_eq!(all.len(), 5);

    // A blocked account cannot sign in through its provider.
    let erin_id = erin["id"].as_str().unwrap();
    assert_eq!(app.post(&format!("/api/v1/instances/shop/users/{erin_id}/block"), Some(&s.owner), json!({})).await.status(), StatusCode::OK);
    assert_page(sign_in("unverified:erin@example.com").await, StatusCode::FORBIDDEN, "blocked").await;
}

async fn provider_configuration_is_validated(app: TestApp) {
    let s = shop(&app).await;
    let (idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    let list: Value = app.get("/api/v1/instances/shop/identity-providers", Some(&s.owner)).await.json().await.unwrap();
    let keys: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["password", "guest", "google", "facebook", "twitter", "linkedin"]);
    assert_eq!(list["items"][0]["enabled"], true);
    assert_eq!(list["items"][1]["enabled"], false);
    assert_eq!(list["items"][2]["callback_url"], callback_url(&app, "google"));

    let fields = |res: Response| async move { field_errors(&assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await) };
    // Enabling a social provider needs its credentials.
    let errors = fields(put_provider(&app, &s.owner, "google", json!({"enabled": true})).await).await;
    assert!(errors.contains(&("client_id".into(), "required".into())), "{errors:?}");
    assert!(errors.contains(&("client_secret".into(), "required".into())), "{errors:?}");
    // An unreachable, a non-JSON and a mismatched discovery document are refused on save.
    let unreachable = json!({"enabled": true, "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration", "client_id": "x", "client_secret": "y"});
    assert!(fields(put_provider(&app, &s.owner, "acme", unreachable).await).await.contains(&("discovery_url".into(), "discovery_failed".into())));
    let not_json = json!({"enabled": true, "discovery_url": app.url("/healthz"), "client_id": "x", "client_secret": "y"});
    assert!(fields(put_provider(&app, &s.owner, "acme", not_json).await).await.contains(&("discovery_url".into(), "discovery_failed".into())));
    let moved =
        json!({"enabled": true, "discovery_url": format!("{issuer}/elsewhere/.well-known/openid-configuration"), "client_id": "x", "client_secret": "y"});
    assert!(fields(put_provider(&app, &s.owner, "acme", moved).await).await.contains(&("discovery_url".into(), "discovery_failed".into())));
    // Keys: built-in names and malformed keys are refused; settings of another kind too.
    assert!(fields(put_provider(&app, &s.owner, "Bad_Key", json!({"enabled": false})).await).await.contains(&("key".into(), "invalid_key".into())));
    let errors = fields(put_provider(&app, &s.owner, "password", json!({"enabled": true, "client_id": "x", "guest_lifetime_secs": 10})).await).await;
    assert!(errors.contains(&("client_id".into(), "not_applicable".into())), "{errors:?}");
    assert!(errors.contains(&("guest_lifetime_secs".into(), "not_applicable".into())), "{errors:?}");
    let errors = fields(put_provider(&app, &s.owner, "guest", json!({"enabled": true, "guest_lifetime_secs": 10})).await).await;
    assert!(errors.contains(&("guest_lifetime_secs".into(), "out_of_range".into())), "{errors:?}");
    let errors = fields(put_provider(&app, &s.owner, "google", json!({"enabled": false, "scopes": ["email"]})).await).await;
    assert!(errors.contains(&("scopes".into(), "openid_required".into())), "{errors:?}");
    let errors = fields(put_provider(&app, &s.owner, "google", json!({"enabled": false, "application_ids": [uuid::Uuid::now_v7()]})).await).await;
    assert!(errors.contains(&("application_ids".into(), "unknown_application".into())), "{errors:?}");
    let nothing: Value = app.get("/api/v1/instances/shop/identity-providers", Some(&s.owner)).await.json().await.unwrap();
    assert_eq!(nothing, list, "refused saves changed nothing");

    // Saved: the secret never comes back; a new discovery URL needs the secret again.
    add_okta(&app, &s.owner, &issuer).await;
    let body = app.get("/api/v1/instances/shop/identity-providers", Some(&s.owner)).await.text().await.unwrap();
    assert!(!body.contains(IDP_SECRET));
    let errors = fields(
        put_provider(&app, &s.owner, "okta", json!({"enabled": true, "discovery_url": format!("{issuer}/.well-known/openid-configuration?again")})).await,
    )
    .await;
    assert!(errors.contains(&("client_secret".into(), "reenter_secret".into())) || errors.iter().any(|(f, _)| f == "discovery_url"), "{errors:?}");
    // A change that keeps the issuer keeps the secret.
    let kept: Value = put_provider(&app, &s.owner, "okta", json!({"enabled": true, "button_label": "Use the company account"})).await.json().await.unwrap();
    assert_eq!(kept["client_secret_set"], true);
    assert_eq!(kept["button_label"], "Use the company account");
    // An issuer that stopped answering can still be turned off (its document is not needed).
    drop(idp);
    let off = put_provider(&app, &s.owner, "okta", json!({"enabled": false})).await;
    assert_eq!(off.status(), StatusCode::OK);
    let errors = fields(put_provider(&app, &s.owner, "okta", json!({"enabled": true})).await).await;
    assert!(errors.contains(&("discovery_url".into(), "discovery_failed".into())), "{errors:?}");

    // Roles: a viewer reads, cannot write; a developer neither writes.
    let viewer = app.member_token(&s.owner, "shop", "viewer@example.com", "viewer").await;
    assert_eq!(app.get("/api/v1/instances/shop/identity-providers", Some(&viewer)).await.status(), StatusCode::OK);
    assert_problem(put_provider(&app, &viewer, "guest", json!({"enabled": true})).await, StatusCode::FORBIDDEN, "forbidden").await;
    // Another instance's owner sees nothing of it.
    let stranger = app.signup("stranger@example.com").await.access;
    assert_eq!(app.get("/api/v1/instances/shop/identity-providers", Some(&stranger)).await.status(), StatusCode::NOT_FOUND);

    // Reset: the OIDC provider is gone, a built-in one back to its defaults.
    assert_eq!(app.delete("/api/v1/instances/shop/identity-providers/okta", Some(&s.owner)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete("/api/v1/instances/shop/identity-providers/okta", Some(&s.owner)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.delete("/api/v1/instances/shop/identity-providers/guest", Some(&s.owner)).await.status(), StatusCode::NO_CONTENT);
    let after: Value = app.get("/api/v1/instances/shop/identity-providers", Some(&s.owner)).await.json().await.unwrap();
    assert_eq!(after, list);
}

/// Posts the hosted page's form `action` of request page `page_url` in `browser`.
async fn submit(browser: &Browser, page_url: &str, action: &str, form: &[(&str, &str)]) -> Response {
    browser.post_form(&format!("{}/{action}", page_url.split('?').next().unwrap()), form).await
}

/// Opens the hosted page; answers the request page's URL.
async fn open_page(app: &TestApp, browser: &Browser, client_id: &str, challenge: &str) -> String {
    let start = authorize_url(app, client_id, challenge, &[]);
    let html = browser.get(&start).await.text().await.unwrap();
    let action = html.split("action=\"").nth(1).unwrap().split('"').next().unwrap();
    action.trim_end_matches("/password").to_owned()
}

async fn hosted_password_sign_in_and_registration(app: TestApp) {
    let s = shop(&app).await;
    let browser = Browser::new();
    let (verifier, challenge) = pkce();
    let page = open_page(&app, &browser, &s.client_id, &challenge).await;

    // Registration on the hosted page, then sign-in with the password.
    let res = submit(&browser, &page, "register", &[("email", "Grace@Example.com"), ("password", "short"), ("name", "Grace")]).await;
    assert_page(res, StatusCode::BAD_REQUEST, "8").await;
    let res = submit(&browser, &page, "register", &[("email", "grace@example.com"), ("password", PASSWORD), ("name", "Grace Hopper")]).await;
    assert_page(res, StatusCode::OK, "confirm the address").await;
    let res = submit(&browser, &page, "password", &[("email", "grace@example.com"), ("password", "wrong password")]).await;
    assert_page(res, StatusCode::UNAUTHORIZED, "incorrect").await;
    // The form is bound to this browser: another one (or a cross-site post without the
    // cookie) is refused.
    let res = submit(&Browser::new(), &page, "password", &[("email", "grace@example.com"), ("password", PASSWORD)]).await;
    assert_page(res, StatusCode::BAD_REQUEST, "expired").await;
    let res = submit(&browser, &page, "password", &[("email", "grace@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let q = query_of(&location(&page, &res));
    let tokens: Value = redeem(&app, &q["code"], &verifier, &s.client_id).await;
    assert_eq!(jwt_claims(tokens["id_token"].as_str().unwrap())["email"], "grace@example.com");
    // The request is done: its page is gone.
    assert_page(browser.get(&page).await, StatusCode::BAD_REQUEST, "expired").await;

    // Forgot password: the same notice whether or not the address has an account.
    let browser = Browser::new();
    let page = open_page(&app, &browser, &s.client_id, &challenge).await;
    for email in ["grace@example.com", "nobody@example.com"] {
        assert_page(submit(&browser, &page, "forgot", &[("email", email)]).await, StatusCode::OK, "we sent it a link").await;
    }

    // Registration closed and password sign-in off, for the page and the API alike.
    assert_eq!(put_provider(&app, &s.owner, "password", json!({"enabled": true, "allow_registration": false})).await.status(), StatusCode::OK);
    let html = Browser::new().get(&authorize_url(&app, &s.client_id, &challenge, &[])).await.text().await.unwrap();
    assert!(!html.contains("Create an account"));
    let res = submit(&browser, &page, "register", &[("email", "hacker@example.com"), ("password", PASSWORD)]).await;
    assert_page(res, StatusCode::FORBIDDEN, "closed").await;
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/register"))
        .header("x-client-id", &s.client_id)
        .json(&json!({"email": "hacker@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "registration_closed").await;
    assert_eq!(put_provider(&app, &s.owner, "password", json!({"enabled": false})).await.status(), StatusCode::OK);
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", &s.client_id)
        .json(&json!({"email": "grace@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN, "provider_disabled").await;
    let res = submit(&browser, &page, "password", &[("email", "grace@example.com"), ("password", PASSWORD)]).await;
    assert_page(res, StatusCode::FORBIDDEN, "not enabled").await;
    assert!(users(&app, &s.owner).await.iter().all(|u| u["email"] != "hacker@example.com"));
}

async fn guest_tokens(app: &TestApp, client_id: &str) -> Response {
    app.client.post(app.url("/public/v1/shop/auth/guest")).header("x-client-id", client_id).send().await.unwrap()
}

async fn guests_start_upgrade_and_expire(app: TestApp) {
    let s = shop(&app).await;
    assert_problem(guest_tokens(&app, &s.client_id).await, StatusCode::FORBIDDEN, "provider_disabled").await;
    assert_eq!(put_provider(&app, &s.owner, "guest", json!({"enabled": true, "guest_lifetime_secs": 3600})).await.status(), StatusCode::OK);

    // A guest: no address, tokens whose session lasts the guest lifetime.
    let res = guest_tokens(&app, &s.client_id).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let guest: Value = res.json().await.unwrap();
    let guest_id = guest["user"]["id"].as_str().unwrap().to_owned();
    assert!(guest["user"]["email"].is_null());
    assert_eq!(guest["user"]["provider"], "guest");
    let filtered: Value = app.get("/api/v1/instances/shop/users?provider=guest", Some(&s.owner)).await.json().await.unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    let access = guest["access_token"].as_str().unwrap().to_owned();
    let metadata = app.client.patch(app.url("/public/v1/shop/me")).bearer_auth(&access).json(&json!({"name": "Curious visitor"})).send().await.unwrap();
    assert_eq!(metadata.status(), StatusCode::OK);

    // Upgrade with an email and a password: same id, its data kept, the address to confirm.
    let upgrade = |body: Value, token: String| {
        let app = &app;
        async move { app.client.post(app.url("/public/v1/shop/auth/guest/upgrade")).bearer_auth(token).json(&body).send().await.unwrap() }
    };
    let taken = app.post("/api/v1/instances/shop/users", Some(&s.owner), json!({"email": "taken@example.com"})).await;
    assert_eq!(taken.status(), StatusCode::CREATED);
    assert_problem(upgrade(json!({"email": "taken@example.com", "password": PASSWORD}), access.clone()).await, StatusCode::CONFLICT, "email_taken").await;
    assert_problem(upgrade(json!({"email": "nope", "password": "x"}), access.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = upgrade(json!({"email": "visitor@example.com", "password": PASSWORD}), access.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let upgraded: Value = res.json().await.unwrap();
    assert_eq!(upgraded["id"], guest_id);
    assert_eq!(upgraded["email"], "visitor@example.com");
    assert_eq!(upgraded["name"], "Curious visitor");
    assert_eq!(upgraded["provider"], "password");
    assert_eq!(upgraded["email_verified"], false);
    // No longer a guest: a second upgrade is refused; the password signs in.
    assert_problem(upgrade(json!({"email": "again@example.com", "password": PASSWORD}), access.clone()).await, StatusCode::FORBIDDEN, "not_a_guest").await;
    let login = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", &s.client_id)
        .json(&json!({"email": "visitor@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);

    // Upgrade at a provider through the hosted page: the identity becomes the guest's.
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    let second: Value = guest_tokens(&app, &s.client_id).await.json().await.unwrap();
    let second_id = second["user"]["id"].as_str().unwrap().to_owned();
    let (verifier, challenge) = pkce();
    let res = app
        .client
        .post(app.url("/public/v1/shop/auth/guest/link"))
        .bearer_auth(second["access_token"].as_str().unwrap())
        .json(&json!({"redirect_uri": APP_REDIRECT, "code_challenge": challenge, "code_challenge_method": "S256", "state": "up"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let link: Value = res.json().await.unwrap();
    let url = link["authorization_url"].as_str().unwrap().to_owned();
    let browser = Browser::new();
    let claimed = browser.get(&url).await;
    assert_eq!(claimed.status(), StatusCode::SEE_OTHER);
    // The link works once: someone else holding it gets nothing.
    assert_page(Browser::new().get(&url).await, StatusCode::BAD_REQUEST, "expired").await;
    let page = location(&url, &claimed);
    let html = browser.get(&page).await.text().await.unwrap();
    assert!(html.contains("Save your"), "{html}");
    let at_idp = location(&page, &browser.get(&format!("{page}/provider/okta")).await);
    let callback = sign_in_at_idp(&browser, &at_idp, "ada.lovelace@example.com").await;
    let back = browser.get(&callback).await;
    let q = query_of(&location(&callback, &back));
    assert_eq!(q["state"], "up");
    let tokens: Value = redeem(&app, &q["code"], &verifier, &s.client_id).await;
    assert_eq!(jwt_claims(tokens["access_token"].as_str().unwrap())["sub"], second_id);
    let me: Value = app.get(&format!("/api/v1/instances/shop/users/{second_id}"), Some(&s.owner)).await.json().await.unwrap();
    assert_eq!(me["email"], "ada.lovelace@example.com");
    assert_eq!(me["provider"], "okta");

    // A guest past its lifetime is deleted by the retention job; the upgraded ones stay.
    let third: Value = guest_tokens(&app, &s.client_id).await.json().await.unwrap();
    let third_id: uuid::Uuid = third["user"]["id"].as_str().unwrap().parse().unwrap();
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, sea_query::Expr};
    use steward_persistence::entities::end_users::{Column, Entity};
    Entity::update_many()
        .col_expr(Column::CreatedAt, Expr::value(steward_persistence::now() - chrono::Duration::hours(2)))
        .filter(Column::Id.is_in([third_id, guest_id.parse::<uuid::Uuid>().unwrap()]))
        .exec(&app.state.db)
        .await
        .unwrap();
    let r = steward::retention::Retention {
        days: 30,
        login_attempts_days: 90,
        mailbox_days: 7,
        audit_days: 365,
        usage_minute_days: 7,
        usage_hour_days: 400,
        interval: std::time::Duration::from_secs(3600),
    };
    let deleted = steward::retention::run_once(&app.state.db, &r).await.unwrap();
    assert_eq!(deleted.guests, 1);
    assert_eq!(app.get(&format!("/api/v1/instances/shop/users/{third_id}"), Some(&s.owner)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/instances/shop/users/{guest_id}"), Some(&s.owner)).await.status(), StatusCode::OK);
    let guest_access = third["access_token"].as_str().unwrap();
    let me = app.client.get(app.url("/public/v1/shop/me")).bearer_auth(guest_access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "a deleted guest's tokens stop");
}

async fn social_providers_through_their_endpoints(app: TestApp) {
    let s = shop(&app).await;
    let social = Peer::start(
        "social-idp.mjs",
        json!({"port": 0, "clients": {"facebook": {"client_id": "fb-app", "client_secret": "fb-secret"}, "twitter": {"client_id": "tw-app", "client_secret": "tw-secret"}}}),
    );
    let base = social.hello["base"].as_str().unwrap().to_owned();
    // The endpoints are the server's settings; this app was started with the defaults, so a
    // second process on the same database points them at the stand-ins: Facebook's and X's at
    // the OAuth stand-in, Google's and LinkedIn's discovery at the OpenID provider — which must
    // know the callback URLs, so the second process's port is chosen first.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let callback = |key: &str| format!("http://127.0.0.1:{port}/public/v1/shop/oauth/callback/{key}");
    let oidc = Peer::start(
        "oidc-idp.mjs",
        json!({"port": 0, "clients": [
            {"client_id": "google-app", "client_secret": "google-secret", "redirect_uris": [callback("google")]},
            {"client_id": "linkedin-app", "client_secret": "linkedin-secret", "redirect_uris": [callback("linkedin")]},
        ]}),
    );
    let discovery = format!("{}/.well-known/openid-configuration", oidc.hello["issuer"].as_str().unwrap());
    let app = TestApp::start(app.db(), |st| {
        st.bind = format!("127.0.0.1:{port}");
        st.idp_google_discovery_url = discovery.clone();
        st.idp_linkedin_discovery_url = discovery.clone();
        st.idp_timeout_secs = 2;
        st.idp_facebook_authorize_url = format!("{base}/facebook/v19.0/dialog/oauth");
        st.idp_facebook_token_url = format!("{base}/facebook/v19.0/oauth/access_token");
        st.idp_facebook_userinfo_url = format!("{base}/facebook/v19.0/me");
        st.idp_twitter_authorize_url = format!("{base}/twitter/i/oauth2/authorize");
        st.idp_twitter_token_url = format!("{base}/twitter/2/oauth2/token");
        st.idp_twitter_userinfo_url = format!("{base}/twitter/2/users/me");
    })
    .await;
    // Console tokens name the process's URL: sign in again there.
    let login: Value = app.login("owner@example.com", PASSWORD).await.json().await.unwrap();
    let s = Shop { owner: login["access_token"].as_str().unwrap().to_owned(), ..s };
    for (key, id, secret) in [
        ("facebook", "fb-app", "fb-secret"),
        ("twitter", "tw-app", "tw-secret"),
        ("google", "google-app", "google-secret"),
        ("linkedin", "linkedin-app", "linkedin-secret"),
    ] {
        let res = put_provider(&app, &s.owner, key, json!({"enabled": true, "client_id": id, "client_secret": secret})).await;
        assert_eq!(res.status(), StatusCode::OK, "{key}");
    }
    let flow = |key: &'static str, login: &'static str| {
        let app = &app;
        let client_id = s.client_id.clone();
        async move {
            let browser = Browser::new();
            let (verifier, challenge) = pkce();
            let at_provider = to_provider(app, &browser, &client_id, &challenge, key).await;
            let params = query_of(&at_provider);
            assert_eq!(params["code_challenge_method"], "S256", "{key} gets PKCE");
            let res = browser.get(&format!("{at_provider}&login_hint={login}")).await;
            let callback = location(&at_provider, &res);
            let back = browser.get(&callback).await;
            (back, verifier)
        }
    };
    let (back, verifier) = flow("facebook", "frank@example.com").await;
    let q = query_of(&location(&app.address, &back));
    let tokens: Value = redeem(&app, &q["code"], &verifier, &s.client_id).await;
    let user = me(&app, &tokens).await;
    assert_eq!(user["email"], "frank@example.com");
    assert_eq!(user["provider"], "facebook");
    assert_eq!(user["email_verified"], false, "Facebook does not say the address was confirmed");

    let (back, verifier) = flow("twitter", "ada").await;
    let q = query_of(&location(&app.address, &back));
    let tokens: Value = redeem(&app, &q["code"], &verifier, &s.client_id).await;
    let user = me(&app, &tokens).await;
    assert!(user["email"].is_null(), "X gives no address");
    assert_eq!(user["provider"], "twitter");

    // Google and LinkedIn: OpenID Connect, found by discovery, ID tokens checked.
    for (key, login) in [("google", "gina@example.com"), ("linkedin", "lin@example.com")] {
        let browser = Browser::new();
        let (verifier, challenge) = pkce();
        let at_provider = to_provider(&app, &browser, &s.client_id, &challenge, key).await;
        assert!(query_of(&at_provider).contains_key("nonce"), "{key} gets a nonce");
        let back_to_steward = sign_in_at_idp(&browser, &at_provider, login).await;
        let back = browser.get(&back_to_steward).await;
        let q = query_of(&location(&app.address, &back));
        let tokens: Value = redeem(&app, &q["code"], &verifier, &s.client_id).await;
        let user = me(&app, &tokens).await;
        assert_eq!(user["email"], login);
        assert_eq!(user["provider"], key);
        assert_eq!(user["email_verified"], true);
    }

    // A wrong secret at the provider: a page saying it refused; nothing created.
    assert_eq!(put_provider(&app, &s.owner, "twitter", json!({"enabled": true, "client_secret": "wrong"})).await.status(), StatusCode::OK);
    let (back, _) = flow("twitter", "grace").await;
    assert_page(back, StatusCode::BAD_REQUEST, "refused").await;
    // A provider answering garbage.
    let res = reqwest::Client::new().post(format!("{base}/__tamper")).json(&json!({"provider": "facebook", "mode": "garbage"})).send().await.unwrap();
    assert!(res.status().is_success());
    let (back, _) = flow("facebook", "henry@example.com").await;
    assert_page(back, StatusCode::BAD_GATEWAY, "not JSON").await;
    assert_eq!(users(&app, &s.owner).await.len(), 4);
}

async fn providers_list_and_per_application_limits(app: TestApp) {
    let s = shop(&app).await;
    let other = app
        .create_app(&s.owner, "shop", json!({"name": "Kiosk", "kind": "frontend", "allowed_origins": ["https://kiosk.test"], "redirect_uris": [APP_REDIRECT]}))
        .await;
    let kiosk = other["client_id"].as_str().unwrap().to_owned();
    let kiosk_id = other["id"].as_str().unwrap().to_owned();
    // Guests only in the kiosk.
    let res = put_provider(&app, &s.owner, "guest", json!({"enabled": true, "application_ids": [kiosk_id], "position": 0})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let offered = |client: String| {
        let app = &app;
        async move { app.client.get(app.url("/public/v1/shop/auth/providers")).header("x-client-id", client).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let web = offered(s.client_id.clone()).await;
    let keys: Vec<&str> = web["items"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["password"]);
    assert_eq!(web["registration_enabled"], true);
    assert_eq!(web["authorization_endpoint"], app.url("/public/v1/shop/oauth/authorize"));
    let kiosk_offer = offered(kiosk.clone()).await;
    let keys: Vec<&str> = kiosk_offer["items"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["guest", "password"], "in order of position, then key");
    assert_problem(guest_tokens(&app, &s.client_id).await, StatusCode::FORBIDDEN, "provider_disabled").await;
    assert_eq!(guest_tokens(&app, &kiosk).await.status(), StatusCode::CREATED);
    // Without an application: 401.
    assert_eq!(app.get("/public/v1/shop/auth/providers", None).await.status(), StatusCode::UNAUTHORIZED);
}

/// Each view of the hosted page opens an authorization request: a client IP may open so many per
/// 10 minutes and instance (counted in the database), then gets a 429 page with Retry-After.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosted_page_views_are_limited_per_ip() {
    let app = TestApp::spawn_with(Backend::Sqlite, |st| st.signin_page_limit_per_ip = 3).await.expect("sqlite app");
    let s = shop(&app).await;
    let (_, challenge) = pkce();
    let url = authorize_url(&app, &s.client_id, &challenge, &[]);
    let browsers: Vec<Browser> = (0..6).map(|_| Browser::new()).collect();
    let views = futures_util::future::join_all(browsers.iter().map(|b| b.get(&url))).await;
    let statuses: Vec<StatusCode> = views.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 3, "{statuses:?}");
    let refused = views.into_iter().find(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).unwrap();
    assert!(refused.headers().contains_key(reqwest::header::RETRY_AFTER));
    assert_page(refused, StatusCode::TOO_MANY_REQUESTS, "Too many sign-ins").await;
}

/// A signed-in account links a provider through the hosted page, lists its identities and
/// unlinks one; a provider account already linked to someone else is refused.
async fn accounts_link_and_unlink_their_own_providers(app: TestApp) {
    let s = shop(&app).await;
    let (_idp, issuer) = oidc_idp(&callback_url(&app, "okta"));
    add_okta(&app, &s.owner, &issuer).await;
    let created =
        app.post("/api/v1/instances/shop/users", Some(&s.owner), json!({"email": "pat@example.com", "password": PASSWORD, "email_verified": true})).await;
    let pat_id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let login = app
        .client
        .post(app.url("/public/v1/shop/auth/login"))
        .header("x-client-id", &s.client_id)
        .json(&json!({"email": "pat@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let tokens: Value = login.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let own = |path: &'static str| {
        let app = &app;
        let access = access.clone();
        async move { app.client.get(app.url(&format!("/public/v1/shop{path}"))).bearer_auth(access).send().await.unwrap() }
    };
    assert!(own("/me/identities").await.json::<Value>().await.unwrap()["items"].as_array().unwrap().is_empty());

    // Link: the one-time link opens the page in linking mode; the provider's identity is added
    // to this account (an address of its own does not matter).
    let link = |login_at_idp: &'static str| {
        let app = &app;
        let access = access.clone();
        async move {
            let (_, challenge) = pkce();
            let res = app
                .client
                .post(app.url("/public/v1/shop/me/identities/link"))
                .bearer_auth(access)
                .json(&json!({"redirect_uri": APP_REDIRECT, "code_challenge": challenge, "code_challenge_method": "S256"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let url = res.json::<Value>().await.unwrap()["authorization_url"].as_str().unwrap().to_owned();
            let browser = Browser::new();
            let page = location(&url, &browser.get(&url).await);
            let html = browser.get(&page).await.text().await.unwrap();
            assert!(html.contains("Link a way to sign in"), "{html}");
            assert!(!html.contains("name=\"password\""), "linking offers providers only");
            let at_idp = location(&page, &browser.get(&format!("{page}/provider/okta")).await);
            let callback = sign_in_at_idp(&browser, &at_idp, login_at_idp).await;
            browser.get(&callback).await
        }
    };
    let back = link("pat.work@example.com").await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let identities: Value = own("/me/identities").await.json().await.unwrap();
    assert_eq!(identities["items"][0]["subject"], "pat.work@example.com");
    assert_eq!(users(&app, &s.owner).await.len(), 1, "no new account");
    // Signing in with that provider now opens Pat's account.
    let (verifier, challenge) = pkce();
    let res = okta_flow(&app, &Browser::new(), &s.client_id, &challenge, "pat.work@example.com").await;
    let q = query_of(&location(&app.address, &res));
    let signed_in = redeem(&app, &q["code"], &verifier, &s.client_id).await;
    assert_eq!(jwt_claims(signed_in["access_token"].as_str().unwrap())["sub"], pat_id);

    // A provider account already linked to someone else cannot be linked here too.
    let (verifier, challenge) = pkce();
    let other = okta_flow(&app, &Browser::new(), &s.client_id, &challenge, "quinn@example.com").await;
    let _ = redeem(&app, &query_of(&location(&app.address, &other))["code"], &verifier, &s.client_id).await;
    assert_page(link("quinn@example.com").await, StatusCode::CONFLICT, "already linked to another account").await;

    // Unlink (Pat has a password); another user's identity is not Pat's to unlink.
    let identity = identities["items"][0]["id"].as_str().unwrap();
    let quinn = users(&app, &s.owner).await.into_iter().find(|u| u["email"] == "quinn@example.com").unwrap();
    let quinn_ids: Value =
        app.get(&format!("/api/v1/instances/shop/users/{}/identities", quinn["id"].as_str().unwrap()), Some(&s.owner)).await.json().await.unwrap();
    let quinns = quinn_ids["items"][0]["id"].as_str().unwrap();
    let res = app.client.delete(app.url(&format!("/public/v1/shop/me/identities/{quinns}"))).bearer_auth(&access).send().await.unwrap();
    assert_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.client.delete(app.url(&format!("/public/v1/shop/me/identities/{identity}"))).bearer_auth(&access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(own("/me/identities").await.json::<Value>().await.unwrap()["items"].as_array().unwrap().is_empty());
}
