//! The contract suites. Each function is one behaviour of a port; it panics when the adapter
//! breaks it. The `*_contract!` macros turn every function of a suite into a `#[test]`, so an
//! adapter runs the whole suite, including functions added later, with one line:
//!
//! ```text
//! baton_core::store_contract!(crate::support::sqlite_subject().await);
//! ```
//!
//! The store and hasher suites are `async`: each test runs on a fresh multi-thread tokio
//! runtime ([`block_on`]), and its subject expression is evaluated inside it (it may `.await`),
//! so an adapter's connections belong to the runtime that uses them. Races spawn their
//! requests as tasks on that runtime ([`race`]), so they run in parallel on its worker threads
//! and meet each store's real concurrency: a PostgreSQL pool's connections, SQLite's blocking
//! pool, the fake's mutex.

pub mod accounts;
pub mod factors;
pub mod hasher;
pub mod issuer;
pub mod mail;
pub mod passkeys;
pub mod paths;
pub mod races;
pub mod sealing;
pub mod sessions;
pub mod throttle;
pub mod totp;
pub mod users;

use std::future::Future;
use std::sync::Arc;

use crate::domain::email::Email;
use crate::domain::password::PasswordHash;
use crate::domain::session::{Amr, ClientInfo, RefreshHash, Session};
use crate::domain::user::User;
use crate::ports::{AccountStore, FactorStore, TokenIssuer, TokenStore, UserStore};
use crate::rules::policy::Policy;
use crate::service::{Auth, Ports};
use crate::testing::{FakeClock, FakeHasher, SeqRandom};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Every store port, as one adapter implements them.
pub trait Stores: UserStore + TokenStore + AccountStore + FactorStore {}

impl<T: UserStore + TokenStore + AccountStore + FactorStore + ?Sized> Stores for T {}

/// What the store suite runs on: a fresh, empty store, the token issuer for the tests that
/// drive the real use cases, and whatever must live as long as the store (a temporary
/// directory, a database dropped at the end).
pub struct StoreSubject {
    /// The stores under test.
    pub store: Arc<dyn Stores>,
    /// The same database as another server would reach it (its own pool, where the adapter has
    /// one); the store itself unless [`StoreSubject::with_peer`] says otherwise.
    pub peer: Arc<dyn Stores>,
    /// Signs the tokens of the use-case-level tests.
    pub issuer: Arc<dyn TokenIssuer>,
    _keep: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl StoreSubject {
    /// A subject for `store`, with `issuer` for the use-case-level tests.
    pub fn new(store: Arc<dyn Stores>, issuer: Arc<dyn TokenIssuer>) -> Self {
        Self { peer: store.clone(), store, issuer, _keep: None }
    }

    /// The same subject with `peer` as the second server's handle on its database.
    pub fn with_peer(mut self, peer: Arc<dyn Stores>) -> Self {
        self.peer = peer;
        self
    }

    /// Keeps `resource` alive (and drops it) with the subject.
    pub fn holding(mut self, resource: impl std::any::Any + Send + Sync) -> Self {
        self._keep = Some(Box::new(resource));
        self
    }

    /// The real use cases on this store under `policy`, with a clock that stands at [`now`]
    /// until the test moves it, and a hasher that counts password checks.
    pub fn world(&self, policy: Policy) -> World {
        world_on(self.store.clone(), self.issuer.clone(), policy)
    }

    /// Like [`StoreSubject::world`], on the peer: another server on the same database.
    pub fn peer_world(&self, policy: Policy) -> World {
        world_on(self.peer.clone(), self.issuer.clone(), policy)
    }
}

fn world_on(store: Arc<dyn Stores>, issuer: Arc<dyn TokenIssuer>, policy: Policy) -> World {
    let clock = Arc::new(FakeClock::at(now()));
    let hasher = Arc::new(FakeHasher::default());
    let ports = Ports {
        users: store.clone(),
        tokens: store.clone(),
        accounts: store.clone(),
        factors: store.clone(),
        issuer,
        hasher: hasher.clone(),
        clock: clock.clone(),
        random: Arc::new(SeqRandom::seeded(u64::from(rand_seed()))),
    };
    World { auth: Auth::new(ports, policy), clock, hasher, store }
}

/// The use cases of a [`StoreSubject`] with handles on their clock and hasher. Cheap to clone
/// (into the tasks of a race).
#[derive(Clone)]
pub struct World {
    /// The use cases.
    pub auth: Auth,
    /// Their clock.
    pub clock: Arc<FakeClock>,
    /// Their hasher, counting password checks.
    pub hasher: Arc<FakeHasher>,
    /// The store under test.
    pub store: Arc<dyn Stores>,
}

/// The password every fixture account has.
pub const PASSWORD: &str = "correct horse battery";

impl World {
    /// Registers `email` with [`PASSWORD`] and returns its first pair.
    pub async fn register(&self, email: &str) -> crate::IssuedTokens {
        self.auth.register(email, PASSWORD.into(), Some("Ada"), client()).await.expect("register")
    }

    /// The session as stored.
    pub async fn session(&self, id: Uuid) -> Session {
        self.store.find_session(id).await.expect("read").expect("session exists").0
    }
}

/// A client as the transport would describe it.
pub fn client() -> ClientInfo {
    ClientInfo { user_agent: Some("test-agent".into()), client_addr: Some("192.0.2.1".into()) }
}

/// How many requests the race tests start at once.
pub const RACERS: usize = 32;

/// Worker threads of a contract test's runtime: more than one, whatever the machine, so that
/// racing tasks run in parallel.
pub const WORKERS: usize = 4;

/// Distinct seeds for the random sources of several worlds on one store.
fn rand_seed() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

/// Now, in whole seconds (every instant the core writes is whole seconds).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// A user as the core would create it.
pub fn user(email: &str, at: OffsetDateTime) -> User {
    User {
        id: Uuid::new_v4(),
        email: Email::parse(email).expect("a valid test email"),
        name: None,
        password_hash: PasswordHash::new("fake$0$not-a-real-hash".into()),
        disabled_at: None,
        email_verified_at: None,
        created_at: at,
        updated_at: at,
    }
}

/// A fresh session (generation 0) of `user_id` opened at `at`, holding `token`'s hash.
pub fn session(user_id: Uuid, token: &str, at: OffsetDateTime) -> Session {
    Session {
        id: Uuid::new_v4(),
        user_id,
        refresh_hash: RefreshHash::of(token),
        generation: 0,
        rotated_at: at,
        created_at: at,
        last_used_at: at,
        expires_at: at + Duration::days(7),
        absolute_expires_at: at + Duration::days(30),
        revoked_at: None,
        revoke_reason: None,
        user_agent: Some("test-agent/1.0".into()),
        client_addr: Some("127.0.0.1".into()),
        amr: Amr::password(),
    }
}

/// Stores a user and returns it.
pub async fn stored_user(store: &dyn Stores, email: &str) -> User {
    let user = user(email, now());
    store.create_user(&user, None).await.expect("create user");
    user
}

/// Stores a fresh session for `user` and returns it.
pub async fn stored_session(store: &dyn Stores, user: &User, token: &str) -> Session {
    let session = session(user.id, token, now());
    store.create_session(&session).await.expect("create session");
    session
}

/// The session `id` as stored.
pub async fn current(store: &dyn Stores, id: Uuid) -> Session {
    store.find_session(id).await.expect("read").expect("session exists").0
}

/// Runs a contract test on a fresh multi-thread runtime of [`WORKERS`] threads, with time and
/// I/O enabled. The `*_contract!` macros call it; adapters' own async tests may too.
pub fn block_on<F: Future>(test: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .expect("a tokio runtime for the contract test")
        .block_on(test)
}

/// Spawns `work(0)` … `work(RACERS - 1)` as tasks of the current (multi-thread) runtime, all
/// released at the same instant by a barrier, and returns their results in order. Call it
/// inside [`block_on`].
pub async fn race<T, Fut>(work: impl Fn(usize) -> Fut) -> Vec<T>
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let (start, work) = (start.clone(), work(i));
            tokio::spawn(async move {
                start.wait().await;
                work.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(RACERS);
    for task in tasks {
        results.push(task.await.expect("a racer panicked"));
    }
    results
}

/// Instantiates every function of the store suite as a `#[test]` on the subject `$subject`
/// (an expression evaluated afresh for each test, inside the test's runtime, so it may
/// `.await`). Use it once per backend, inside a module.
#[macro_export]
macro_rules! store_contract {
    ($subject:expr) => {
        $crate::__async_contract_tests!($subject;
            users {
                created_user_reads_back_by_id_and_email,
                unknown_users_are_none,
                equal_email_is_email_taken,
                email_differing_only_in_case_is_email_taken,
                duplicate_id_is_a_backend_error_not_email_taken,
                a_user_and_its_first_session_are_stored_together,
                a_failed_first_session_leaves_no_account_and_a_retry_succeeds,
                accounts_are_disabled_and_enabled,
            }
            throttle {
                the_pair_locks_at_the_max_and_the_last_attempt_is_still_granted,
                the_lock_holds_only_for_its_address,
                an_expired_lock_or_a_stale_count_restarts_at_one,
                release_clears_the_pair_and_gives_back_the_address_attempt,
                the_address_ceiling_spans_accounts_until_its_window_closes,
                a_locked_pair_does_not_use_up_the_address,
                zero_limits_never_lock,
                purge_drops_only_counters_that_no_longer_matter,
            }
            sessions {
                created_session_reads_back_with_its_user,
                a_session_needs_an_existing_user,
                rotate_swaps_in_the_successor_and_returns_the_owner,
                rotate_refuses_a_wrong_generation_or_hash,
                rotate_refuses_a_revoked_or_expired_session,
                rotate_refuses_a_wrong_owner_or_absolute_end,
                rotate_refuses_a_disabled_owner,
                rotate_of_an_unknown_session_is_none,
                revoke_session_succeeds_once,
                revoke_user_sessions_revokes_all_of_one_user,
                revoke_user_sessions_spares_the_exception,
                unrevoked_sessions_lists_live_and_expired_but_not_revoked,
                purge_deletes_old_revoked_and_expired_sessions_only,
            }
            races {
                rotate_race_has_one_winner,
                refresh_race_strict_revokes_once,
                refresh_race_with_grace_shares_one_successor,
                login_burst_gets_at_most_the_max_password_checks,
                reservation_burst_grants_exactly_the_max,
                concurrent_revocations_report_one_revoker,
                register_race_creates_one_account,
                refresh_race_across_servers_revokes_once,
            }
            paths {
                fast_and_slow_refresh_paths_agree,
            }
            accounts {
                a_newer_token_retires_the_older_ones_of_its_purpose,
                a_token_is_taken_once_under_a_race,
                passwords_and_verified_emails_are_stored,
                an_email_changes_only_to_a_free_address,
                clearing_login_attempts_lifts_the_lock_everywhere,
                deleting_an_account_takes_everything_of_it,
                the_outbox_hands_each_due_mail_to_one_sender,
                concurrent_senders_claim_each_mail_once,
            }
            factors {
                a_pending_totp_is_replaced_until_one_is_confirmed,
                confirming_needs_the_pending_secret_and_stores_recovery_codes,
                a_totp_step_is_accepted_once_and_only_after_the_last,
                a_race_for_one_totp_step_has_one_winner,
                a_recovery_code_is_used_once_and_only_by_its_user,
                a_race_for_one_recovery_code_has_one_winner,
                deleting_the_totp_takes_the_recovery_codes,
                resealing_replaces_only_the_expected_text,
                passkeys_are_unique_by_credential_and_listed_oldest_first,
                passkeys_are_renamed_and_deleted_only_by_their_owner,
                a_used_passkey_records_when_and_its_new_blob,
                challenges_are_stored_replaced_and_given_a_state,
                a_challenge_is_taken_once_under_a_race,
                purging_drops_only_expired_challenges,
                deleting_the_account_takes_its_factors_and_challenges,
            }
        );
    };
}

/// Expands a list of async suite functions into `#[test]`s that each run on a fresh
/// multi-thread runtime ([`block_on`]); used by `store_contract!` and `hasher_contract!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __async_contract_tests {
    ($subject:expr; $($module:ident { $($test:ident),* $(,)? })*) => {
        $(
            mod $module {
                $(
                    #[test]
                    fn $test() {
                        $crate::testing::contract::block_on(async {
                            let subject = $subject;
                            $crate::testing::contract::$module::$test(&subject).await;
                        });
                    }
                )*
            }
        )*
    };
}

/// Expands a list of synchronous suite functions into `#[test]`s; used by `issuer_contract!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_tests {
    ($subject:expr; $($module:ident { $($test:ident),* $(,)? })*) => {
        $(
            mod $module {
                $(
                    #[test]
                    fn $test() {
                        let subject = $subject;
                        $crate::testing::contract::$module::$test(&subject);
                    }
                )*
            }
        )*
    };
}
