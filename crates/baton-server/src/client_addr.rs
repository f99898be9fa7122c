//! Who is asking: the client address that login counters and the rate limit are charged to.
//!
//! The TCP peer, unless the peer is one of `server.trusted_proxies`: then the rightmost
//! `X-Forwarded-For` entry that is not itself a trusted proxy (each proxy appends the address
//! it saw, so entries left of the last untrusted one may be forged by the client). Without
//! trusted proxies the header is ignored: any client can write it.

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The forwarding header read behind trusted proxies.
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client address of a request from `peer` with `headers`; `None` when the transport
/// could not tell (no peer address).
pub fn client_address(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // All X-Forwarded-For headers, in order, as one list of hops.
    let hops: Vec<&str> = headers
        .get_all(X_FORWARDED_FOR)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address ends the walk: the last address known to come from a
        // trusted proxy stands (never a string the client made up).
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|s| s.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(
                HeaderName::from_static(X_FORWARDED_FOR),
                HeaderValue::from_str(v).expect("valid header"),
            );
        }
        map
    }

    fn addr(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("an address"))
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(s.parse().expect("an address"), 40000))
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let h = headers(&["203.0.113.7"]);
        assert_eq!(client_address(peer("198.51.100.1"), &h, &[]), addr("198.51.100.1"));
        assert_eq!(client_address(None, &h, &[]), None);
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        let h = headers(&["6.6.6.6, 203.0.113.7", "10.1.2.3"]);
        // 6.6.6.6 may be forged by the client; 203.0.113.7 was seen by a trusted proxy.
        assert_eq!(client_address(peer("10.0.0.1"), &h, &trusted), addr("203.0.113.7"));
        let h = headers(&["[2001:db8::5]:4711"]);
        assert_eq!(client_address(peer("10.0.0.1"), &h, &trusted), addr("2001:db8::5"));
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        let h = headers(&["10.9.9.9"]);
        assert_eq!(client_address(peer("198.51.100.1"), &h, &trusted), addr("198.51.100.1"));
    }

    #[test]
    fn junk_or_missing_hops_fall_back_to_the_last_trusted_address() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        let h = headers(&["not-an-ip, 10.2.2.2"]);
        assert_eq!(client_address(peer("10.0.0.1"), &h, &trusted), addr("10.2.2.2"));
        assert_eq!(client_address(peer("10.0.0.1"), &HeaderMap::new(), &trusted), addr("10.0.0.1"));
    }
}
