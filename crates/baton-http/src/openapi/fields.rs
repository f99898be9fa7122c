//! The schemas of the register fields whose rules live in the core (SPEC §5), built from the
//! core's own limits so that the document states what the server enforces.
//!
//! Why by hand rather than with `#[schema(max_length = ...)]`: JSON Schema counts characters
//! (code points), the core counts UTF-8 bytes for a password's maximum (bcrypt's limit) and an
//! email's, and it trims surrounding whitespace before counting names and checking emails. So:
//! - **email** and **name** get a `pattern` that is exactly the core's check, trimming included
//!   (the unit tests below compare the two on generated strings); what no pattern can count —
//!   an email's bytes — is in the description and in `x-utf8-bytes`;
//! - **password**: `minLength` is the rule itself (8 characters, SPEC §5); `maxLength` only
//!   says what every password of at most 72 bytes is in characters (72), and the byte rule is
//!   in the description and in `x-utf8-bytes`, which `tests/schemathesis/baton_hooks.py` reads
//!   to generate passwords the server accepts. docs/DECISIONS.md has the trade-offs.

use baton_core::domain::email::{MAX_EMAIL_BYTES, MAX_LOCAL_PART_BYTES};
use baton_core::domain::password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use baton_core::domain::user::MAX_NAME_CHARS;
use serde_json::json;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{Object, Schema};

/// The vendor extension that states a string's length rule in UTF-8 bytes, which JSON Schema's
/// `minLength`/`maxLength` (characters) cannot: `{"min": n, "max": m}`, either may be absent;
/// on the email also `maxLocalPart`, the limit of the part before the `@`.
pub const UTF8_BYTES: &str = "x-utf8-bytes";

/// The characters Rust's `str::trim` removes (Unicode `White_Space`), as a regex class body.
/// `U+0009`–`U+000D` and `U+0085` are also control characters.
const WHITESPACE: &str =
    r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Control characters (`char::is_control`, Unicode `Cc`), as a regex class body.
const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";

/// [`WHITESPACE`] and [`CONTROL`] together, which is shorter written as one.
const SPACE_OR_CONTROL: &str =
    r"\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The longest a password can be in characters: as many bytes, all ASCII.
const MAX_PASSWORD_CHARS: usize = MAX_PASSWORD_BYTES;

/// The register email: exactly the core's `Email::parse` after trimming — one `@`, a local
/// part of 1 to 64 characters, a domain of at least two dot-separated labels that neither
/// start nor end with `-`, no whitespace or control character inside — except the byte limits.
pub fn email_pattern() -> String {
    let label_edge = format!("[^{SPACE_OR_CONTROL}@.-]");
    let label = format!("{label_edge}(?:[^{SPACE_OR_CONTROL}@.]*{label_edge})?");
    let local = format!("[^{SPACE_OR_CONTROL}@]{{1,{MAX_LOCAL_PART_BYTES}}}");
    format!("^[{WHITESPACE}]*{local}@{label}(?:\\.{label})+[{WHITESPACE}]*$")
}

/// The register name: exactly the core's `DisplayName::parse` — after trimming, at most 100
/// characters and no control character; blank (or only whitespace) means no name.
pub fn name_pattern() -> String {
    let edge = format!("[^{SPACE_OR_CONTROL}]");
    let inner = MAX_NAME_CHARS - 2;
    format!("^[{WHITESPACE}]*(?:{edge}(?:[^{CONTROL}]{{0,{inner}}}{edge})?)?[{WHITESPACE}]*$")
}

/// Schema of `RegisterRequest.email`.
pub fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(email_pattern()))
        .description(Some(format!(
            "Login address. The server trims surrounding whitespace and lower-cases it, then \
             requires one `@`, a local part of at most {MAX_LOCAL_PART_BYTES} bytes, a domain \
             of dot-separated labels not starting or ending with `-`, no whitespace or control \
             character inside, and at most {MAX_EMAIL_BYTES} bytes of UTF-8 in all (the \
             `pattern` is exactly that rule but for the byte counts, which are in \
             `{UTF8_BYTES}`, measured on the trimmed, lower-cased address)."
        )))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add(
                    UTF8_BYTES,
                    json!({"max": MAX_EMAIL_BYTES, "maxLocalPart": MAX_LOCAL_PART_BYTES}),
                )
                .build(),
        ))
        .examples([json!("ada@example.com")])
        .build()
}

/// Schema of `RegisterRequest.password`.
pub fn password() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(MIN_PASSWORD_CHARS))
        .max_length(Some(MAX_PASSWORD_CHARS))
        .description(Some(format!(
            "Chosen password: at least {MIN_PASSWORD_CHARS} characters (Unicode code points, \
             as `minLength` counts) and at most {MAX_PASSWORD_BYTES} bytes of UTF-8 (bcrypt's \
             limit; longer is refused, never truncated), any characters. JSON Schema counts \
             characters, so `maxLength` ({MAX_PASSWORD_CHARS}) only says what every such \
             password is in characters; the byte limit is `{UTF8_BYTES}`."
        )))
        .extensions(Some(
            ExtensionsBuilder::new().add(UTF8_BYTES, json!({"max": MAX_PASSWORD_BYTES})).build(),
        ))
        .examples([json!("correct horse battery")])
        .build()
}

/// Schema of `RegisterRequest.name` (`null` or absent: no name).
pub fn name() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(name_pattern()))
        .description(Some(format!(
            "Optional display name: at most {MAX_NAME_CHARS} characters once surrounding \
             whitespace is trimmed, no control characters; blank means no name."
        )))
        .examples([json!("Ada")])
        .build()
}

/// `email()` as the `schema_with` of a field.
pub fn email_schema() -> Schema {
    Schema::Object(email())
}

/// `password()` as the `schema_with` of a field.
pub fn password_schema() -> Schema {
    Schema::Object(password())
}

/// `name()` as the `schema_with` of a field.
pub fn name_schema() -> Schema {
    Schema::Object(name())
}

#[cfg(test)]
mod tests;
