//! Who is asking: the client address that login counters and the rate limit are charged to,
//! and the [`Client`] extractor that records it with the `User-Agent` on new sessions.
//!
//! The TCP peer, unless the peer is one of `server.trusted_proxies`: then the rightmost
//! `X-Forwarded-For` entry that is not itself a trusted proxy (each proxy appends the address
//! it saw, so entries left of the last untrusted one may be forged by the client). Without
//! trusted proxies the header is ignored: any client can write it.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest};
use baton_core::ClientInfo;
use ipnet::IpNet;
use std::future::{Ready, ready};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Longest `User-Agent` kept on a session; the rest is cut at a character boundary.
pub const MAX_USER_AGENT_BYTES: usize = 512;

/// `server.trusted_proxies`, as app data for the extractors and middleware that need the
/// client's address.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpNet]>);

impl TrustedProxies {
    /// The client address of `req` behind these proxies.
    pub fn client_of(&self, req: &HttpRequest) -> Option<IpAddr> {
        client_address(req.peer_addr(), req.headers(), &self.0)
    }
}

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

/// The caller's `User-Agent` and address (see [`client_address`]: the TCP peer, or the
/// forwarded address behind a trusted proxy), recorded on new sessions for the sessions list
/// and charged with login attempts.
pub struct Client(pub ClientInfo);

impl FromRequest for Client {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .map(|v| truncate(&String::from_utf8_lossy(v.as_bytes()), MAX_USER_AGENT_BYTES))
            .filter(|ua| !ua.is_empty());
        let client_addr = req
            .app_data::<TrustedProxies>()
            .map_or_else(|| req.peer_addr().map(|p| p.ip()), |t| t.client_of(req))
            .map(|ip| ip.to_string());
        ready(Ok(Client(ClientInfo { user_agent, client_addr })))
    }
}

/// `s` cut to at most `max` bytes without splitting a character.
fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim().to_owned()
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
    fn truncates_user_agents_at_char_boundaries() {
        assert_eq!(truncate("ééé", 3), "é");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn junk_or_missing_hops_fall_back_to_the_last_trusted_address() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        let h = headers(&["not-an-ip, 10.2.2.2"]);
        assert_eq!(client_address(peer("10.0.0.1"), &h, &trusted), addr("10.2.2.2"));
        assert_eq!(client_address(peer("10.0.0.1"), &HeaderMap::new(), &trusted), addr("10.0.0.1"));
    }
}
