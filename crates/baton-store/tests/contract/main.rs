//! The storage contract: every behaviour the core relies on, written once and run against
//! both backends. Test names carry the backend and the port, e.g.
//! `postgres::races::refresh_race_strict`; `cargo test -p baton-store sqlite::` runs one side.
//!
//! PostgreSQL tests need `TEST_DATABASE_URL`; `scripts/with-postgres.sh` provides a server.

mod connect;
mod operations;
mod races;
mod support;
mod token_store;
mod user_store;

/// Instantiates every listed contract function once per backend, each on a fresh database.
macro_rules! contract {
    ($($port:ident { $($test:ident),* $(,)? })*) => {
        contract!(@backend sqlite; $($port { $($test),* })*);
        contract!(@backend postgres; $($port { $($test),* })*);
    };
    (@backend $backend:ident; $($port:ident { $($test:ident),* })*) => {
        mod $backend {
            $(
                mod $port {
                    $(
                        #[test]
                        fn $test() {
                            let db = crate::support::Db::$backend();
                            crate::$port::$test(&db);
                        }
                    )*
                }
            )*
        }
    };
}

contract! {
    user_store {
        created_user_reads_back_by_id_and_email,
        unknown_users_are_none,
        equal_email_is_email_taken,
        email_differing_only_in_case_is_email_taken,
        duplicate_id_is_a_backend_error_not_email_taken,
        login_failures_count_up_and_unknown_users_count_zero,
        lock_sets_the_lock_and_restarts_the_count,
        clearing_failures_drops_count_and_lock,
        accounts_are_disabled_and_enabled,
    }
    token_store {
        created_session_reads_back_with_its_user,
        a_session_needs_an_existing_user,
        rotate_swaps_in_the_successor,
        rotate_refuses_a_wrong_generation,
        rotate_refuses_a_wrong_hash,
        rotate_refuses_a_revoked_session,
        rotate_of_an_unknown_session_is_none,
        revoke_session_succeeds_once,
        revoke_user_sessions_revokes_all_of_one_user,
        revoke_user_sessions_spares_the_exception,
        unrevoked_sessions_lists_live_and_expired_but_not_revoked,
        purge_deletes_old_revoked_and_expired_sessions_only,
    }
    races {
        rotate_race_has_one_winner,
        refresh_race_strict,
        refresh_race_with_grace,
        login_failure_race_counts_every_failure,
        rolled_back_rotation_leaves_the_token_usable,
        no_plaintext_secret_is_stored,
    }
    operations {
        ping_answers,
        migrations_ran_on_connect_and_rerun_is_a_no_op,
        pool_state_reports_open_connections,
        active_sessions_are_counted,
        deleting_a_user_deletes_its_sessions,
    }
}
