//! The per-address rate limit of register and login (SPEC §5): each costs a bcrypt (about a
//! quarter of a core at cost 12), so one client must not be able to pin the CPU. A token
//! bucket per client address (`rate_limit.burst`, one request regained per
//! `rate_limit.interval`), in this process's memory; an empty bucket answers 429 with
//! `Retry-After` before any bcrypt runs. Refresh and access checks are not limited by it.
//!
//! Per process on purpose: it protects this process's CPU, which is what it is for. The
//! rules that must hold across servers (lockout) live in the database.

use crate::error::{ApiError, HttpError};
use crate::extract::TrustedProxies;
use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use baton_config::RateLimitConfig;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Token buckets per client address; `None` inside when the limit is off (`burst = 0`).
pub struct RateLimiter {
    buckets: Option<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
}

impl RateLimiter {
    /// Buckets of `config.burst` requests, one regained per `config.interval`.
    pub fn new(config: &RateLimitConfig) -> Self {
        let buckets = NonZeroU32::new(config.burst).map(|burst| {
            let quota = Quota::with_period(config.interval.max(Duration::from_millis(1)))
                .map_or_else(|| Quota::per_second(burst), |q| q.allow_burst(burst));
            DefaultKeyedRateLimiter::keyed(quota)
        });
        Self { buckets, clock: DefaultClock::default() }
    }

    /// Takes one request from `addr`'s bucket; `Err(wait)` when it is empty.
    pub fn check(&self, addr: IpAddr) -> Result<(), Duration> {
        let Some(buckets) = &self.buckets else { return Ok(()) };
        buckets.check_key(&addr).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets buckets that are full again, so memory follows the clients of the last
    /// minutes, not every address ever seen. Run periodically.
    pub fn upkeep(&self) {
        if let Some(buckets) = &self.buckets {
            buckets.retain_recent();
            buckets.shrink_to_fit();
        }
    }
}

/// Middleware for the resources it wraps (register and login, see [`crate::app`]): a request
/// from an address whose bucket is empty answers 429 `rate_limited` with `Retry-After` (whole
/// seconds, at least one) and runs nothing. Needs the limiter (`Arc<RateLimiter>`) and
/// [`TrustedProxies`] as app data.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let (Some(limiter), Some(trusted)) =
        (req.app_data::<Arc<RateLimiter>>(), req.app_data::<TrustedProxies>())
        && let Some(addr) = trusted.client_of(req.request())
        && let Err(wait) = limiter.check(addr)
    {
        let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return Err(ApiError::from(HttpError::RateLimited { retry_after }).into());
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(burst: u32, secs: u64) -> RateLimitConfig {
        RateLimitConfig { burst, interval: Duration::from_secs(secs) }
    }

    #[test]
    fn a_burst_passes_then_the_bucket_is_empty_for_that_address_only() {
        let limiter = RateLimiter::new(&config(3, 60));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            limiter.check(a).expect("inside the burst");
        }
        let wait = limiter.check(a).expect_err("the fourth is refused");
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        limiter.check(b).expect("another address has its own bucket");
    }

    #[test]
    fn a_zero_burst_turns_the_limit_off() {
        let limiter = RateLimiter::new(&config(0, 60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..1_000 {
            limiter.check(a).expect("no limit");
        }
        limiter.upkeep();
    }
}
