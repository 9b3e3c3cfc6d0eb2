//! Which proxies may say who the client is (`STEWARD_TRUSTED_PROXIES`), and the client address a
//! request really came from.

use std::net::IpAddr;

/// One trusted network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` is believed. Empty (the default): the peer is the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR networks (`10.0.0.0/8, ::1`).
    pub fn parse(list: &str) -> Result<Self, crate::ValueError> {
        let mut networks = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let network = Network::parse(item)
                .ok_or_else(|| crate::ValueError::new("invalid_network", format!("{item:?} is not an IP address or a CIDR network (e.g. 10.0.0.0/8).")))?;
            networks.push(network);
        }
        Ok(Self(networks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy — then the rightmost
    /// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left were
    /// written by the client and prove nothing). `forwarded_for` holds every header value in
    /// order.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.iter().flat_map(|v| v.split(',')).map(str::trim).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
                // A hop we cannot read: stop at the last address we could trust.
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(ip("203.0.113.9"), &["1.2.3.4"]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1, ::1").unwrap();
        assert_eq!(trusted.client_ip(ip("10.1.2.3"), &["198.51.100.7"]), ip("198.51.100.7"));
        // The client wrote a fake first hop; the proxy appended the real one.
        assert_eq!(trusted.client_ip(ip("10.1.2.3"), &["6.6.6.6, 198.51.100.7"]), ip("198.51.100.7"));
        // Two proxies in a row.
        assert_eq!(trusted.client_ip(ip("127.0.0.1"), &["198.51.100.7", "10.0.0.5"]), ip("198.51.100.7"));
        // Only proxies: the leftmost known.
        assert_eq!(trusted.client_ip(ip("::1"), &["10.0.0.5"]), ip("10.0.0.5"));
        // No header.
        assert_eq!(trusted.client_ip(ip("10.1.2.3"), &[]), ip("10.1.2.3"));
        // Garbage stops the walk at what could be trusted.
        assert_eq!(trusted.client_ip(ip("10.1.2.3"), &["x, 10.0.0.9"]), ip("10.0.0.9"));
        // An untrusted peer's header is ignored.
        assert_eq!(trusted.client_ip(ip("198.51.100.1"), &["1.1.1.1"]), ip("198.51.100.1"));
        // IPv4-mapped peers count as IPv4.
        assert_eq!(trusted.client_ip(ip("::ffff:10.0.0.1"), &["198.51.100.7"]), ip("198.51.100.7"));
    }

    #[test]
    fn lists_are_checked() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("10.0.0.0/8, nope").is_err());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(ip("8.8.8.8")));
        assert!(TrustedProxies::parse("fd00::/8").unwrap().trusts(ip("fd12::1")));
        assert!(!TrustedProxies::parse("fd00::/8").unwrap().trusts(ip("fe80::1")));
    }
}
