//! The rotation: one conditional statement that swaps the successor in and returns the
//! session with its owner, guarded by exactly what the core's rules call "rotate" (see
//! `baton_core::ports::TokenStore::rotate`).

use super::KeepPrepared;
use crate::exec::Loads;
use crate::rows::RotatedRow;
use crate::sql_types::{DbTime, DbUuid, Id, Ts};
use baton_core::Rotation;
use diesel::sql_types::{BigInt, Binary};

/// PostgreSQL: the owner joins in `FROM`, and `RETURNING` reads both rows.
pub const POSTGRES: &str = "\
UPDATE sessions AS s
   SET refresh_hash = $1, generation = s.generation + 1,
       rotated_at = $2, last_used_at = $2, expires_at = $3
  FROM users AS u
 WHERE s.id = $4 AND s.user_id = $5 AND u.id = s.user_id
   AND s.generation = $6 AND s.refresh_hash = $7 AND s.absolute_expires_at = $8
   AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.absolute_expires_at > $2
   AND u.disabled_at IS NULL
RETURNING s.id, s.user_id, s.refresh_hash, s.generation, s.rotated_at, s.created_at,
          s.last_used_at, s.expires_at, s.absolute_expires_at, s.revoked_at, s.revoke_reason,
          s.user_agent, s.client_addr, s.amr,
          u.email AS u_email, u.password_hash AS u_password_hash, u.name AS u_name,
          u.disabled_at AS u_disabled_at, u.created_at AS u_created_at,
          u.updated_at AS u_updated_at, u.email_verified_at AS u_email_verified_at";

/// SQLite: `RETURNING` may not read a table joined in `FROM`, so the owner's check is an
/// `EXISTS` and its columns come from subqueries (primary-key look-ups in the same statement,
/// under SQLite's single writer lock).
pub const SQLITE: &str = "\
UPDATE sessions
   SET refresh_hash = $1, generation = generation + 1,
       rotated_at = $2, last_used_at = $2, expires_at = $3
 WHERE id = $4 AND user_id = $5
   AND generation = $6 AND refresh_hash = $7 AND absolute_expires_at = $8
   AND revoked_at IS NULL AND expires_at > $2 AND absolute_expires_at > $2
   AND EXISTS (SELECT 1 FROM users u WHERE u.id = sessions.user_id AND u.disabled_at IS NULL)
RETURNING id, user_id, refresh_hash, generation, rotated_at, created_at,
          last_used_at, expires_at, absolute_expires_at, revoked_at, revoke_reason,
          user_agent, client_addr, amr,
          (SELECT email FROM users u WHERE u.id = sessions.user_id) AS u_email,
          (SELECT password_hash FROM users u WHERE u.id = sessions.user_id) AS u_password_hash,
          (SELECT name FROM users u WHERE u.id = sessions.user_id) AS u_name,
          (SELECT disabled_at FROM users u WHERE u.id = sessions.user_id) AS u_disabled_at,
          (SELECT created_at FROM users u WHERE u.id = sessions.user_id) AS u_created_at,
          (SELECT updated_at FROM users u WHERE u.id = sessions.user_id) AS u_updated_at,
          (SELECT email_verified_at FROM users u WHERE u.id = sessions.user_id)
              AS u_email_verified_at";

/// Statement-cache key of the rotation.
struct RotateStatement;

/// The rotation of `r`, in PostgreSQL's or SQLite's dialect; its one row (the rotated
/// session and its owner) comes back only when the guard held.
pub(crate) fn statement(postgres: bool, r: &Rotation) -> impl Loads<'_, RotatedRow> {
    let at = Ts::new(r.rotated_at);
    let query = diesel::sql_query(if postgres { POSTGRES } else { SQLITE })
        .bind::<Binary, _>(r.new_hash.as_bytes().as_slice())
        .bind::<DbTime, _>(at)
        .bind::<DbTime, _>(Ts::new(r.expires_at))
        .bind::<DbUuid, _>(Id(r.session_id))
        .bind::<DbUuid, _>(Id(r.user_id))
        .bind::<BigInt, _>(r.expected_generation)
        .bind::<Binary, _>(r.expected_hash.as_bytes().as_slice())
        .bind::<DbTime, _>(Ts::new(r.absolute_expires_at));
    KeepPrepared::<_, RotateStatement>::new(query)
}
