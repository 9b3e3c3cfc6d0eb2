//! Where the server may connect for instances' own SMTP servers. A host is named by an instance
//! admin; on a shared deployment that must not let them reach (or probe, through the SMTP test's
//! step report) the operator's own network. With `allow_private: false` the host must resolve to
//! a public address, and the connection goes to the address that was checked (no second lookup
//! that DNS could answer differently).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::smtp::TIMEOUT;

/// The operator's policy (`STEWARD_SMTP_ALLOW_PRIVATE_NETWORKS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Egress {
    pub allow_private: bool,
}

impl Default for Egress {
    /// Self-hosted: the relay is often on the local network.
    fn default() -> Self {
        Self { allow_private: true }
    }
}

/// Why an address is not public, or `None` when it is.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => non_public_v4(v4),
            None => non_public_v6(v6),
        },
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT address")
    } else if a == 0 || ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Some("not a unicast address")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unique_local() {
        Some("a private address")
    } else if ip.is_unicast_link_local() {
        Some("a link-local address")
    } else if ip.is_unspecified() || ip.is_multicast() {
        Some("not a unicast address")
    } else {
        None
    }
}

impl Egress {
    /// Refuses an IP literal the policy forbids, when settings are saved (names are resolved
    /// only when connecting: their DNS may not exist yet).
    pub fn check_literal(&self, host: &str) -> Result<(), String> {
        let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
        match literal.and_then(|ip| non_public(ip).map(|why| (ip, why))) {
            Some((ip, why)) if !self.allow_private => Err(format!("{ip} is {why}; this server connects only to public addresses.")),
            _ => Ok(()),
        }
    }

    /// The addresses to try, in order, for `host:port`: every answer of the system resolver
    /// with private networks allowed; otherwise its public answers, or why there is none.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let found: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => match tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((bare, port))).await {
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(e)) => return Err(format!("could not resolve {host}: {e}")),
                Err(_) => return Err(format!("resolving {host} took more than {} seconds", TIMEOUT.as_secs())),
            },
        };
        let allowed: Vec<SocketAddr> = found.iter().copied().filter(|a| self.allow_private || non_public(a.ip()).is_none()).collect();
        if !allowed.is_empty() {
            return Ok(allowed);
        }
        match found.first() {
            Some(a) => {
                Err(format!("{host} resolves to {}, {}; this server connects only to public addresses", a.ip(), non_public(a.ip()).unwrap_or("not public")))
            }
            None => Err(format!("{host} has no address")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_public_from_private() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(non_public(private.parse().unwrap()).is_some(), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:8.8.8.8"] {
            assert_eq!(non_public(public.parse().unwrap()), None, "{public}");
        }
    }

    #[tokio::test]
    async fn resolves_under_the_policy() {
        let deny = Egress { allow_private: false };
        let allow = Egress::default();
        assert_eq!(allow.resolve("127.0.0.1", 25).await, Ok(vec!["127.0.0.1:25".parse().unwrap()]));
        assert_eq!(allow.resolve("[::1]", 25).await, Ok(vec!["[::1]:25".parse().unwrap()]));
        let refused = deny.resolve("127.0.0.1", 25).await.unwrap_err();
        assert!(refused.contains("127.0.0.1, a loopback address"), "{refused}");
        let refused = deny.resolve("localhost", 25).await.unwrap_err();
        assert!(refused.contains("localhost resolves to") && refused.contains("loopback"), "{refused}");
        assert_eq!(deny.resolve("8.8.8.8", 587).await, Ok(vec!["8.8.8.8:587".parse().unwrap()]));
        assert!(deny.check_literal("10.0.0.1").unwrap_err().contains("a private address"));
        assert!(deny.check_literal("smtp.example.com").is_ok() && allow.check_literal("10.0.0.1").is_ok());
    }
}
