//! The login-attempt counters: one conditional upsert per counter, so that a burst of
//! attempts on any number of servers is counted exactly and refused past its limit (see
//! `baton_core::ports::UserStore::reserve_login_attempt`).

use super::KeepPrepared;
use crate::exec::Loads;
use crate::sql_types::{DbTime, Ts};
use diesel::QueryableByName;
use diesel::sql_types::{Binary, Integer, Text};
use time::OffsetDateTime;

/// Counts one failure for an address, in its window; no row when the address has used up its
/// failures in a window that is still open. `$1` address, `$2` end of a window opened now,
/// `$3` now, `$4` the maximum.
const ADDRESS: &str = "\
INSERT INTO address_attempts (client_addr, failures, window_ends) VALUES ($1, 1, $2)
ON CONFLICT (client_addr) DO UPDATE SET
    failures = CASE WHEN address_attempts.window_ends <= $3 THEN 1
                    ELSE address_attempts.failures + 1 END,
    window_ends = CASE WHEN address_attempts.window_ends <= $3 THEN $2
                       ELSE address_attempts.window_ends END
WHERE address_attempts.window_ends <= $3 OR address_attempts.failures < $4
RETURNING failures";

/// Counts one failure for an (account, address) pair and locks it at the maximum; no row
/// while the pair is locked. An expired lock, or a last attempt at or before `$6`, restarts
/// the count. `$1` account, `$2` address, `$3` the maximum, `$4` end of a lock set now,
/// `$5` now, `$6` stale-before.
const PAIR: &str = "\
INSERT INTO login_attempts (account, client_addr, failures, locked_until, last_attempt_at)
VALUES ($1, $2, 1, CASE WHEN $3 <= 1 THEN $4 ELSE NULL END, $5)
ON CONFLICT (account, client_addr) DO UPDATE SET
    failures = CASE WHEN login_attempts.locked_until IS NOT NULL
                      OR login_attempts.last_attempt_at <= $6 THEN 1
                    ELSE login_attempts.failures + 1 END,
    locked_until = CASE WHEN (CASE WHEN login_attempts.locked_until IS NOT NULL
                                     OR login_attempts.last_attempt_at <= $6 THEN 1
                                   ELSE login_attempts.failures + 1 END) >= $3 THEN $4
                        ELSE NULL END,
    last_attempt_at = $5
WHERE login_attempts.locked_until IS NULL OR login_attempts.locked_until <= $5
RETURNING failures";

/// The count a successful upsert returns: a row back means counted, none means refused.
#[derive(QueryableByName)]
pub(crate) struct Counted {
    #[diesel(sql_type = Integer)]
    #[allow(dead_code)]
    failures: i32,
}

struct AddressStatement;
struct PairStatement;

/// Counts a failure for `address`; no row when its window is used up (nothing counted).
pub(crate) fn count_address(
    address: &str,
    max: u32,
    window_end: OffsetDateTime,
    now: OffsetDateTime,
) -> impl Loads<'_, Counted> {
    KeepPrepared::<_, AddressStatement>::new(
        diesel::sql_query(ADDRESS)
            .bind::<Text, _>(address)
            .bind::<DbTime, _>(Ts::new(window_end))
            .bind::<DbTime, _>(Ts::new(now))
            .bind::<Integer, _>(limit(max)),
    )
}

/// Counts a failure for the (`account`, `address`) pair; no row when it is locked (nothing
/// counted).
pub(crate) fn count_pair<'a>(
    account: &'a [u8; 32],
    address: &'a str,
    max: u32,
    lock_until: OffsetDateTime,
    now: OffsetDateTime,
    stale_before: OffsetDateTime,
) -> impl Loads<'a, Counted> {
    KeepPrepared::<_, PairStatement>::new(
        diesel::sql_query(PAIR)
            .bind::<Binary, _>(account.as_slice())
            .bind::<Text, _>(address)
            .bind::<Integer, _>(limit(max))
            .bind::<DbTime, _>(Ts::new(lock_until))
            .bind::<DbTime, _>(Ts::new(now))
            .bind::<DbTime, _>(Ts::new(stale_before)),
    )
}

/// Configured maxima fit an `integer` column; a larger one means "practically unlimited".
fn limit(max: u32) -> i32 {
    i32::try_from(max).unwrap_or(i32::MAX)
}
