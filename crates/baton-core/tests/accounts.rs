//! Registration, login and lockout (SPEC §5) with a fake clock and in-memory ports.

mod support;

use baton_core::TokenStore;
use baton_core::{AdminError, Fault, HashError, InputError, LoginError, Policy, RegisterError};
use support::{PASSWORD, client, client_from, world, world_with};
use time::Duration;

#[tokio::test]
async fn registering_logs_in_with_a_normalised_email() {
    let w = world();
    let pair = w
        .auth
        .register("  Ada@Example.COM ", PASSWORD.into(), Some(" Ada "), client())
        .await
        .unwrap();
    assert_eq!(pair.user.email.as_str(), "ada@example.com");
    assert_eq!(pair.user.name.as_ref().unwrap().as_str(), "Ada");
    let s = w.session(pair.session_id);
    assert_eq!((s.generation, s.user_agent.as_deref()), (0, Some("test-agent")));
    assert_eq!(pair.access_expires_at, w.now() + Duration::minutes(15));
    assert_eq!(pair.refresh_expires_at, w.now() + Duration::days(7));
    assert_eq!(w.auth.authenticate(&pair.access_token).await.unwrap().user.id, pair.user.id);
}

#[tokio::test]
async fn an_email_registers_once_whatever_its_case() {
    let w = world();
    w.register("ada@example.com").await;
    let err =
        w.auth.register("ADA@example.com", PASSWORD.into(), None, client()).await.unwrap_err();
    assert!(matches!(err, RegisterError::EmailTaken), "{err:?}");
}

#[tokio::test]
async fn registration_applies_the_password_length_rule_in_bytes() {
    let w = world();
    let register =
        async |n: usize, email: &str| w.auth.register(email, "p".repeat(n), None, client()).await;
    assert!(matches!(
        register(7, "a7@example.com").await,
        Err(RegisterError::InvalidInput(InputError::PasswordTooShort))
    ));
    assert!(register(8, "a8@example.com").await.is_ok());
    assert!(register(72, "a72@example.com").await.is_ok());
    assert!(matches!(
        register(73, "a73@example.com").await,
        Err(RegisterError::InvalidInput(InputError::PasswordTooLong))
    ));
}

#[tokio::test]
async fn registration_refuses_bad_emails_and_names() {
    let w = world();
    for bad in ["not-an-email", "", "a@b", &format!("{}@example.com", "a".repeat(250))] {
        let r = w.auth.register(bad, PASSWORD.into(), None, client()).await;
        assert!(matches!(r, Err(RegisterError::InvalidInput(InputError::Email(_)))), "{bad:?}");
    }
    let long_name = "n".repeat(101);
    let r = w.auth.register("ada@example.com", PASSWORD.into(), Some(&long_name), client()).await;
    assert!(matches!(r, Err(RegisterError::InvalidInput(InputError::NameTooLong))));
    assert_eq!(w.store.user_count(), 0, "nothing stored on bad input");
}

#[tokio::test]
async fn login_opens_a_new_session_each_time() {
    let w = world();
    let first = w.register("ada@example.com").await;
    let second = w.auth.login("ADA@example.com", PASSWORD, client()).await.unwrap();
    assert_ne!(first.session_id, second.session_id);
    assert_eq!(second.user.id, first.user.id);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_give_the_same_error_after_a_hash_check() {
    let w = world();
    w.register("ada@example.com").await;
    let before = w.hasher.verifications();
    let wrong = w.auth.login("ada@example.com", "wrong password", client()).await.unwrap_err();
    let unknown = w.auth.login("bob@example.com", PASSWORD, client()).await.unwrap_err();
    let malformed = w.auth.login("bob", PASSWORD, client()).await.unwrap_err();
    assert!(matches!(wrong, LoginError::InvalidCredentials));
    assert!(matches!(unknown, LoginError::InvalidCredentials));
    assert!(matches!(malformed, LoginError::InvalidCredentials));
    // Each attempt paid for exactly one password verification (the dummy hash for unknowns).
    assert_eq!(w.hasher.verifications() - before, 3);
}

#[tokio::test]
async fn lockout_after_max_failures_holds_even_against_the_right_password() {
    let w = world();
    w.register("ada@example.com").await;
    for _ in 0..5 {
        let err = w.auth.login("ada@example.com", "wrong password", client()).await.unwrap_err();
        assert!(matches!(err, LoginError::InvalidCredentials));
    }
    let err = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap_err();
    let LoginError::LockedOut { retry_after } = err else { panic!("{err:?}") };
    assert_eq!(retry_after, std::time::Duration::from_secs(15 * 60));

    w.clock.advance(Duration::minutes(10));
    let Err(LoginError::LockedOut { retry_after }) =
        w.auth.login("ada@example.com", PASSWORD, client()).await
    else {
        panic!("still locked")
    };
    assert_eq!(retry_after, std::time::Duration::from_secs(5 * 60));
}

#[tokio::test]
async fn lockout_expires_and_the_count_starts_again() {
    let w = world();
    w.register("ada@example.com").await;
    for _ in 0..5 {
        let _ = w.auth.login("ada@example.com", "wrong password", client()).await;
    }
    w.clock.advance(Duration::minutes(15));
    // One more failure after the lock lifted does not lock again at once.
    let err = w.auth.login("ada@example.com", "wrong password", client()).await.unwrap_err();
    assert!(matches!(err, LoginError::InvalidCredentials));
    w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let w = world_with(Policy { max_failed_logins: 3, ..Policy::default() });
    w.register("ada@example.com").await;
    for _ in 0..2 {
        let _ = w.auth.login("ada@example.com", "wrong password", client()).await;
    }
    w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    for _ in 0..2 {
        let _ = w.auth.login("ada@example.com", "wrong password", client()).await;
    }
    w.auth
        .login("ada@example.com", PASSWORD, client())
        .await
        .expect("not locked: failures were reset");
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in_and_says_so_only_to_the_password_holder() {
    let w = world();
    w.register("ada@example.com").await;
    w.auth.set_account_disabled("ada@example.com", true).await.unwrap();
    let right = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap_err();
    assert!(matches!(right, LoginError::AccountDisabled), "{right:?}");
    let wrong = w.auth.login("ada@example.com", "wrong password", client()).await.unwrap_err();
    assert!(matches!(wrong, LoginError::InvalidCredentials), "{wrong:?}");
    w.auth.set_account_disabled("ada@example.com", false).await.unwrap();
    w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
}

#[tokio::test]
async fn admin_commands_refuse_unknown_users() {
    let w = world();
    assert!(matches!(
        w.auth.set_account_disabled("x@example.com", true).await,
        Err(AdminError::UserNotFound)
    ));
    let user = w.auth.create_user("x@example.com", PASSWORD.into(), None).await.unwrap();
    assert!(
        w.auth.set_account_disabled("X@example.com", true).await.unwrap().disabled_at.is_some()
    );
    assert!(w.store.unrevoked_sessions(user.id).await.unwrap().is_empty(), "no session opened");
}

#[tokio::test]
async fn logins_past_the_session_cap_revoke_the_least_recently_used() {
    let w = world_with(Policy { max_sessions_per_user: 3, ..Policy::default() });
    let first = w.register("ada@example.com").await;
    w.clock.advance(Duration::minutes(1));
    let second = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    w.clock.advance(Duration::minutes(1));
    let third = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();
    w.clock.advance(Duration::minutes(1));
    // Using the first session makes the second the least recently used.
    let first = w.auth.refresh(&first.refresh_token).await.unwrap();
    w.clock.advance(Duration::minutes(1));
    let fourth = w.auth.login("ada@example.com", PASSWORD, client()).await.unwrap();

    assert!(matches!(
        w.auth.authenticate(&second.access_token).await,
        Err(baton_core::AccessError::SessionRevoked)
    ));
    for live in [&first, &third, &fourth] {
        w.auth.authenticate(&live.access_token).await.unwrap();
    }
}

#[tokio::test]
async fn a_lock_from_one_address_does_not_lock_the_owner_out_elsewhere() {
    let w = world();
    w.register("ada@example.com").await;
    for _ in 0..5 {
        let _ =
            w.auth.login("ada@example.com", "wrong password", client_from("203.0.113.66")).await;
    }
    let attacker = w.auth.login("ada@example.com", PASSWORD, client_from("203.0.113.66")).await;
    assert!(matches!(attacker, Err(LoginError::LockedOut { .. })), "{attacker:?}");
    w.auth
        .login("ada@example.com", PASSWORD, client_from("198.51.100.1"))
        .await
        .expect("the owner");
}

#[tokio::test]
async fn one_address_failing_over_many_accounts_hits_the_address_ceiling() {
    let w = world_with(Policy { max_failures_per_address: 3, ..Policy::default() });
    w.register("ada@example.com").await;
    let stuffer = client_from("203.0.113.66");
    for i in 0..3 {
        let e = w.auth.login(&format!("user{i}@example.com"), "guess-guess", stuffer.clone()).await;
        assert!(matches!(e, Err(LoginError::InvalidCredentials)), "{e:?}");
    }
    let checks = w.hasher.verifications();
    let e = w.auth.login("ada@example.com", PASSWORD, stuffer.clone()).await.unwrap_err();
    let LoginError::LockedOut { retry_after } = e else { panic!("{e:?}") };
    assert_eq!(retry_after, std::time::Duration::from_secs(15 * 60));
    assert_eq!(w.hasher.verifications(), checks, "no password checked while locked out");
    w.auth
        .login("ada@example.com", PASSWORD, client())
        .await
        .expect("other addresses are not affected");
    w.clock.advance(Duration::minutes(15));
    w.auth.login("ada@example.com", PASSWORD, stuffer).await.expect("the window has closed");
}

#[tokio::test]
async fn a_locked_attempt_checks_no_password() {
    let w = world();
    w.register("ada@example.com").await;
    for _ in 0..5 {
        let _ = w.auth.login("ada@example.com", "wrong password", client()).await;
    }
    let checks = w.hasher.verifications();
    for _ in 0..3 {
        let e = w.auth.login("ada@example.com", PASSWORD, client()).await;
        assert!(matches!(e, Err(LoginError::LockedOut { .. })), "{e:?}");
    }
    assert_eq!(w.hasher.verifications(), checks);
}

#[tokio::test]
async fn a_busy_hasher_is_a_fault_that_stores_nothing_and_keeps_the_attempt_counted() {
    let w = world_with(Policy { max_failed_logins: 2, ..Policy::default() });
    w.register("ada@example.com").await;
    w.hasher.set_busy(true);
    let e = w.auth.register("bob@example.com", PASSWORD.into(), None, client()).await;
    assert!(matches!(e, Err(RegisterError::Fault(Fault::Hashing(HashError::Busy)))), "{e:?}");
    assert_eq!(w.store.user_count(), 1, "no account without a hash");
    for _ in 0..2 {
        let e = w.auth.login("ada@example.com", PASSWORD, client()).await;
        assert!(matches!(e, Err(LoginError::Fault(Fault::Hashing(HashError::Busy)))), "{e:?}");
    }
    w.hasher.set_busy(false);
    let e = w.auth.login("ada@example.com", PASSWORD, client()).await;
    assert!(
        matches!(e, Err(LoginError::LockedOut { .. })),
        "an attempt the busy hasher never checked still counts, or overloading the hasher \
         would be a way around the lockout: {e:?}"
    );
}
