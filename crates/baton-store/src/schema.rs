//! Diesel's view of the tables, shared by both backends; the DDL lives in
//! `migrations/postgres` and `migrations/sqlite` and must match this file.

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// User accounts (see `baton_core::User`). The DDL also has `failed_logins` and
    /// `locked_until`, unused since the login counters moved to `login_attempts` and kept
    /// only for servers of the previous release during a rolling deploy.
    users (id) {
        id -> DbUuid,
        email -> Text,
        password_hash -> Text,
        name -> Nullable<Text>,
        disabled_at -> Nullable<DbTime>,
        created_at -> DbTime,
        updated_at -> DbTime,
        email_verified_at -> Nullable<DbTime>,
    }
}

diesel::table! {
    use diesel::sql_types::{BigInt, Binary, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// Sessions, each the one live row of a refresh-token family (see `baton_core::Session`).
    sessions (id) {
        id -> DbUuid,
        user_id -> DbUuid,
        refresh_hash -> Binary,
        generation -> BigInt,
        rotated_at -> DbTime,
        created_at -> DbTime,
        last_used_at -> DbTime,
        expires_at -> DbTime,
        absolute_expires_at -> DbTime,
        revoked_at -> Nullable<DbTime>,
        revoke_reason -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        amr -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions);

diesel::table! {
    use diesel::sql_types::{Binary, Integer, Nullable, Text};
    use crate::sql_types::DbTime;

    /// Failed logins per (account, client address); see `baton_core::LoginKey`.
    login_attempts (account, client_addr) {
        account -> Binary,
        client_addr -> Text,
        failures -> Integer,
        locked_until -> Nullable<DbTime>,
        last_attempt_at -> DbTime,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Text};
    use crate::sql_types::DbTime;

    /// Failed logins per client address over all accounts, in a window.
    address_attempts (client_addr) {
        client_addr -> Text,
        failures -> Integer,
        window_ends -> DbTime,
    }
}

diesel::table! {
    use diesel::sql_types::{Binary, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// Single-use account tokens, by hash (see `baton_core::AccountToken`).
    account_tokens (token_hash) {
        token_hash -> Binary,
        user_id -> DbUuid,
        purpose -> Text,
        email -> Text,
        created_at -> DbTime,
        expires_at -> DbTime,
    }
}

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// Mail waiting to be sent, and what became of it (see `baton_core::OutboxEntry`).
    mail_outbox (id) {
        id -> DbUuid,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        queued_at -> DbTime,
        expires_at -> Nullable<DbTime>,
        failures -> Integer,
        next_attempt_at -> DbTime,
        claimed_until -> Nullable<DbTime>,
        sent_at -> Nullable<DbTime>,
        failed_at -> Nullable<DbTime>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::{BigInt, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// One TOTP per user, secret sealed (see `baton_core::domain::factor::TotpFactor`).
    totp_factors (user_id) {
        user_id -> DbUuid,
        sealed -> Text,
        confirmed_at -> Nullable<DbTime>,
        last_step -> Nullable<BigInt>,
        created_at -> DbTime,
    }
}

diesel::table! {
    use diesel::sql_types::Binary;
    use crate::sql_types::DbUuid;

    /// Unused recovery codes, by hash.
    recovery_codes (user_id, code_hash) {
        user_id -> DbUuid,
        code_hash -> Binary,
    }
}

diesel::table! {
    use diesel::sql_types::{Bool, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// Registered passkeys (see `baton_core::domain::factor::PasskeyRecord`).
    passkeys (id) {
        id -> DbUuid,
        user_id -> DbUuid,
        credential_id -> Text,
        name -> Text,
        credential -> Text,
        backup_eligible -> Bool,
        created_at -> DbTime,
        last_used_at -> Nullable<DbTime>,
    }
}

diesel::table! {
    use diesel::sql_types::{Binary, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// Logins waiting for a second factor and WebAuthn ceremonies between start and finish
    /// (see `baton_core::domain::factor::Challenge`).
    mfa_challenges (id) {
        id -> Binary,
        kind -> Text,
        user_id -> Nullable<DbUuid>,
        client_id -> Nullable<Text>,
        state -> Nullable<Text>,
        created_at -> DbTime,
        expires_at -> DbTime,
    }
}
