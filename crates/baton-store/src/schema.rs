//! Diesel's view of the tables, shared by both backends; the DDL lives in
//! `migrations/postgres` and `migrations/sqlite` and must match this file.

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::sql_types::{DbTime, DbUuid};

    /// User accounts (see `baton_core::User`).
    users (id) {
        id -> DbUuid,
        email -> Text,
        password_hash -> Text,
        name -> Nullable<Text>,
        disabled_at -> Nullable<DbTime>,
        failed_logins -> Integer,
        locked_until -> Nullable<DbTime>,
        created_at -> DbTime,
        updated_at -> DbTime,
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
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions);
