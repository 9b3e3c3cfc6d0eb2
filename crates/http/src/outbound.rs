//! HTTP calls to hosts a tenant chose or the operator configured (webhook endpoints, identity
//! providers): the egress policy applies to the address actually connected to, redirects are not
//! followed, every call is bounded in time, and an answer is read only up to a size.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Resolves names for the HTTP client under the egress policy: a name whose every address is
/// refused cannot be connected to, and the checked addresses are the ones connected to.
struct EgressResolver(steward_mail::Egress);

impl reqwest::dns::Resolve for EgressResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let egress = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = egress.resolve(&host, 0).await.map_err(|why| -> Box<dyn std::error::Error + Send + Sync> { why.into() })?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A client for outbound calls: `timeout` bounds the connection and (with a second's slack,
/// callers bound the whole call themselves) each request.
pub fn client(egress: steward_mail::Egress, timeout: Duration, user_agent: &str) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(timeout + Duration::from_secs(1))
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .dns_resolver(Arc::new(EgressResolver(egress)))
        .pool_max_idle_per_host(2)
        .build()?)
}

/// Reads at most `max` bytes of an answer's body: `Err` when it is longer.
pub async fn read_capped(mut res: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut body: Vec<u8> = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(format!("the answer is larger than {} KiB", max / 1024));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(describe(&e)),
        }
    }
}

/// Why a call failed, in words a person can act on: what went wrong and its causes.
pub fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "No answer in time".to_owned()
    } else if e.is_connect() {
        "Could not connect".to_owned()
    } else if e.is_redirect() {
        "Redirects are not followed".to_owned()
    } else {
        "The request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    let mut seen = std::collections::HashSet::new();
    while let Some(s) = source {
        let t = s.to_string();
        if seen.insert(t.clone()) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    text.push('.');
    text
}
