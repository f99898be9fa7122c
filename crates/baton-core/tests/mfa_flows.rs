//! The second-factor use cases (SPEC §13) on the in-memory fakes, with a fake clock: passkeys
//! as second factor and alone, removing the last factor, races on codes and on `mfa_token`s,
//! and a sealing key rotation. TOTP codes come from the independent HOTP of
//! `baton_core::testing::hotp`; the HTTP tests and the browser test do the same through the
//! real adapters.

mod support;

use std::sync::Arc;

use baton_core::domain::totp::TimeStep;
use baton_core::ports::{FactorStore, SecretSealer, TokenStore};
use baton_core::testing::contract::passkeys::TestAuthenticator;
use baton_core::testing::hotp_code;
use baton_core::testing::{FakeAuthenticator, FakePasskeys, FakeSealer, RefTotp, SeqBytes};
use baton_core::{
    Auth, Clock, LoginError, MfaError, MfaPending, Policy, Principal, Proof, RevokeReason,
    SecondFactors,
};
use support::{PASSWORD, World, block_on, client, world, world_with};

fn second_factors(sealer: FakeSealer) -> SecondFactors {
    SecondFactors {
        totp: Arc::new(RefTotp::new("Baton")),
        sealer: Some(Arc::new(sealer)),
        passkeys: Arc::new(FakePasskeys::default()),
        random: Arc::new(SeqBytes::seeded(7)),
    }
}

/// A world whose use cases have second factors, sealing under key `a`.
fn mfa_world() -> (World, Auth) {
    mfa_world_with(Policy::default())
}

/// [`mfa_world`] under `policy`.
fn mfa_world_with(policy: Policy) -> (World, Auth) {
    let w = world_with(policy);
    let auth = w.auth.clone().with_second_factors(second_factors(FakeSealer::named(&["a"])));
    (w, auth)
}

async fn principal(auth: &Auth, access_token: &str) -> Principal {
    auth.authenticate(access_token).await.expect("a live access token")
}

async fn pending_login(auth: &Auth, email: &str) -> MfaPending {
    match auth.login(email, PASSWORD, client()).await {
        Err(LoginError::MfaRequired(pending)) => pending,
        other => panic!("expected mfa_required, got {other:?}"),
    }
}

/// Enrols and confirms TOTP for the principal; the raw secret.
async fn enable_totp(w: &World, auth: &Auth, p: &Principal) -> Vec<u8> {
    let enrolment = auth.enrol_totp(p).await.unwrap();
    let secret = data_encoding::BASE32_NOPAD.decode(enrolment.secret_base32.as_bytes()).unwrap();
    let step = TimeStep::containing(w.clock.now()).number() as u64;
    auth.confirm_totp(p, &hotp_code(&secret, step)).await.unwrap();
    secret
}

/// The code of the step after the clock's (accepted within the skew, and after the step
/// that confirmed).
fn next_code(w: &World, secret: &[u8]) -> String {
    hotp_code(secret, TimeStep::containing(w.clock.now()).number() as u64 + 1)
}

#[test]
fn a_passkey_is_a_second_factor_and_its_login_says_hwk_and_mfa() {
    block_on(async {
        let (w, auth) = mfa_world();
        let t = w.register("ada@example.com").await;
        let p = principal(&auth, &t.access_token).await;
        let mut device = FakeAuthenticator::new(1);
        let options = auth.start_passkey_registration(&p).await.unwrap();
        let credential = device.create(&options);
        let record = auth.finish_passkey_registration(&p, &credential, Some("Key")).await.unwrap();
        assert_eq!(record.name, "Key");
        // The registration is used once.
        let again = auth.finish_passkey_registration(&p, &credential, None).await;
        assert!(matches!(again, Err(MfaError::InvalidChallenge)), "{again:?}");

        let pending = pending_login(&auth, "ada@example.com").await;
        assert_eq!(pending.methods, ["webauthn"]);
        let options = auth.start_mfa_webauthn(&pending.mfa_token).await.unwrap();
        let assertion = device.get(&options);
        let issued =
            auth.verify_mfa(&pending.mfa_token, Proof::Passkey(assertion), client()).await.unwrap();
        let session = w.session(issued.session_id);
        assert_eq!(session.amr.values(), ["pwd", "hwk", "mfa"]);
        let used = auth.list_passkeys(&p).await.unwrap();
        assert_eq!(used[0].last_used_at, Some(w.clock.now().replace_nanosecond(0).unwrap()));
    });
}

#[test]
fn a_discoverable_passkey_logs_in_alone_until_it_is_deleted() {
    block_on(async {
        let (w, auth) = mfa_world();
        let t = w.register("ada@example.com").await;
        let p = principal(&auth, &t.access_token).await;
        let mut device = FakeAuthenticator::new(2);
        let options = auth.start_passkey_registration(&p).await.unwrap();
        let record =
            auth.finish_passkey_registration(&p, &device.create(&options), None).await.unwrap();
        assert_eq!(record.name, "Passkey");

        let start = auth.start_passwordless().await.unwrap();
        let assertion = device.get(&start.options_json);
        let issued =
            auth.finish_passwordless(&start.challenge_id, &assertion, client()).await.unwrap();
        assert_eq!(issued.user.id, p.user.id);
        assert_eq!(w.session(issued.session_id).amr.values(), ["hwk", "mfa"]);
        let replay = auth.finish_passwordless(&start.challenge_id, &assertion, client()).await;
        assert!(matches!(replay, Err(MfaError::InvalidChallenge)), "{replay:?}");

        // The last second factor goes only with the password; the other sessions end.
        let other = issued.session_id;
        let refused = auth.delete_passkey(&p, record.id, None, Some("127.0.0.1")).await;
        assert!(matches!(refused, Err(MfaError::PasswordRequired)), "{refused:?}");
        let wrong = auth.delete_passkey(&p, record.id, Some("nope"), Some("127.0.0.1")).await;
        assert!(matches!(wrong, Err(MfaError::InvalidCredentials)), "{wrong:?}");
        auth.delete_passkey(&p, record.id, Some(PASSWORD), Some("127.0.0.1")).await.unwrap();
        assert_eq!(w.session(other).revoke_reason, Some(RevokeReason::FactorRemoved));
        assert!(w.session(p.session.id).revoked_at.is_none(), "the caller's session lives");

        let start = auth.start_passwordless().await.unwrap();
        let assertion = device.get(&start.options_json);
        let gone = auth.finish_passwordless(&start.challenge_id, &assertion, client()).await;
        assert!(matches!(gone, Err(MfaError::PasskeyRefused)), "{gone:?}");
        assert!(auth.login("ada@example.com", PASSWORD, client()).await.is_ok(), "password only");
    });
}

#[test]
fn of_two_logins_racing_with_the_same_code_one_wins() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).build().unwrap();
    runtime.block_on(async {
        // No lockout: the losers' failures would otherwise lock the winner out first.
        let (w, auth) = mfa_world_with(Policy { max_failed_logins: 0, ..Policy::default() });
        let t = w.register("ada@example.com").await;
        let p = principal(&auth, &t.access_token).await;
        let secret = enable_totp(&w, &auth, &p).await;
        let code = next_code(&w, &secret);
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let pending = pending_login(&auth, "ada@example.com").await;
            let (auth, code) = (auth.clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                auth.verify_mfa(&pending.mfa_token, Proof::Totp(code), client()).await
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => wins += 1,
                Err(MfaError::InvalidCode) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(wins, 1, "a code is accepted once");
    });
}

#[test]
fn an_mfa_token_opens_one_session_even_with_two_right_factors_at_once() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).build().unwrap();
    runtime.block_on(async {
        let (w, auth) = mfa_world();
        let t = w.register("ada@example.com").await;
        let p = principal(&auth, &t.access_token).await;
        let secret = enable_totp(&w, &auth, &p).await;
        let summary = w.store.factor_summary(p.user.id).await.unwrap();
        assert_eq!((summary.totp, summary.recovery_codes), (true, 10));
        let sessions = || async { w.store.unrevoked_sessions(p.user.id).await.unwrap().len() };
        let before = sessions().await;
        // The recovery codes are only shown once: the test takes one through a new
        // confirmation's answer, so it disables and re-enables TOTP first.
        let code = next_code(&w, &secret);
        auth.disable_totp(&p, PASSWORD, &code, Some("127.0.0.1")).await.unwrap();
        let enrolment = auth.enrol_totp(&p).await.unwrap();
        let secret =
            data_encoding::BASE32_NOPAD.decode(enrolment.secret_base32.as_bytes()).unwrap();
        let step = TimeStep::containing(w.clock.now()).number() as u64;
        let codes = auth.confirm_totp(&p, &hotp_code(&secret, step)).await.unwrap();
        let before = before.min(sessions().await);
        let pending = pending_login(&auth, "ada@example.com").await;
        let racer = |proof: Proof| {
            let (auth, token) = (auth.clone(), pending.mfa_token.clone());
            tokio::spawn(async move { auth.verify_mfa(&token, proof, client()).await })
        };
        let a = racer(Proof::Totp(next_code(&w, &secret)));
        let b = racer(Proof::RecoveryCode(codes[0].clone()));
        let results = [a.await.unwrap(), b.await.unwrap()];
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{results:?}");
        assert!(results.iter().any(|r| matches!(r, Err(MfaError::InvalidMfaToken))));
        assert_eq!(sessions().await, before + 1, "one session opened");
    });
}

#[test]
fn a_rotated_sealing_key_still_opens_old_secrets_and_reseals_them() {
    block_on(async {
        let w = world();
        let old = w.auth.clone().with_second_factors(second_factors(FakeSealer::named(&["a"])));
        let t = w.register("ada@example.com").await;
        let p = principal(&old, &t.access_token).await;
        let secret = enable_totp(&w, &old, &p).await;
        let sealed = w.store.totp(p.user.id).await.unwrap().unwrap().sealed;
        assert_eq!(sealed.key_id(), Some("a"));
        // The operator puts a new key first and keeps the old one.
        let rotated = FakeSealer::named(&["b", "a"]);
        assert!(!rotated.is_current(&sealed));
        let new = w.auth.clone().with_second_factors(second_factors(rotated));
        let pending = pending_login(&new, "ada@example.com").await;
        let code = next_code(&w, &secret);
        new.verify_mfa(&pending.mfa_token, Proof::Totp(code), client()).await.unwrap();
        let resealed = w.store.totp(p.user.id).await.unwrap().unwrap().sealed;
        assert_eq!(resealed.key_id(), Some("b"), "re-sealed under the current key");
    });
}

#[test]
fn without_second_factor_adapters_totp_and_passkeys_are_unavailable() {
    block_on(async {
        let w = world();
        let t = w.register("ada@example.com").await;
        let p = principal(&w.auth, &t.access_token).await;
        assert!(matches!(w.auth.enrol_totp(&p).await, Err(MfaError::Unavailable)));
        assert!(matches!(w.auth.start_passwordless().await, Err(MfaError::Unavailable)));
        assert!(w.auth.login("ada@example.com", PASSWORD, client()).await.is_ok());
    });
}
