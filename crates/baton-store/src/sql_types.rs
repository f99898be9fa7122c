//! The two column types that differ between the backends, behind one diesel SQL type each.
//!
//! The query code is written once for both backends (see `crate::exec`), so every column
//! needs one SQL type both backends understand. Diesel's shared set covers
//! text, integers and bytes but not UUIDs, and its `Timestamp` would drop PostgreSQL's time
//! zone. So two custom SQL types pick each backend's natural storage:
//!
//! | SQL type  | PostgreSQL    | SQLite                        | Rust value            |
//! |-----------|---------------|-------------------------------|-----------------------|
//! | [`DbUuid`] | `uuid`        | `BLOB`, 16 bytes              | [`Id`] (a `Uuid`)     |
//! | [`DbTime`] | `timestamptz` | `INTEGER`, Unix seconds (UTC) | [`Ts`] (whole seconds) |
//!
//! Times are truncated to whole seconds on the way in for both backends, so they compare and
//! round-trip identically everywhere (the core only writes whole seconds anyway).

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Binary, Timestamptz};
use diesel::sqlite::{Sqlite, SqliteValue};
use diesel::{QueryId, SqlType};
use time::OffsetDateTime;
use uuid::Uuid;

/// SQL type of identifier columns: `uuid` on PostgreSQL, a 16-byte `BLOB` on SQLite.
#[derive(Debug, Clone, Copy, Default, SqlType, QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Binary"))]
pub struct DbUuid;

/// SQL type of instants: `timestamptz` on PostgreSQL, Unix seconds as `INTEGER` on SQLite.
#[derive(Debug, Clone, Copy, Default, SqlType, QueryId)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Long"))]
pub struct DbTime;

/// A UUID bound to or read from a [`DbUuid`] column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = DbUuid)]
pub struct Id(pub Uuid);

/// An instant bound to or read from a [`DbTime`] column, always whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = DbTime)]
pub struct Ts(OffsetDateTime);

impl Ts {
    /// Drops sub-second precision so both backends store and compare the same value.
    pub fn new(at: OffsetDateTime) -> Self {
        Self(at.replace_nanosecond(0).unwrap_or(at))
    }

    /// The instant, in UTC.
    pub fn get(self) -> OffsetDateTime {
        self.0
    }
}

impl ToSql<DbUuid, Pg> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <Uuid as ToSql<diesel::sql_types::Uuid, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<DbUuid, Pg> for Id {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <Uuid as FromSql<diesel::sql_types::Uuid, Pg>>::from_sql(value).map(Id)
    }
}

impl ToSql<DbUuid, Sqlite> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.as_bytes().as_slice());
        Ok(IsNull::No)
    }
}

impl FromSql<DbUuid, Sqlite> for Id {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let bytes = <Vec<u8> as FromSql<Binary, Sqlite>>::from_sql(value)?;
        Uuid::from_slice(&bytes)
            .map(Id)
            .map_err(|_| format!("uuid column holds {} bytes, not 16", bytes.len()).into())
    }
}

impl ToSql<DbTime, Pg> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <OffsetDateTime as ToSql<Timestamptz, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<DbTime, Pg> for Ts {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <OffsetDateTime as FromSql<Timestamptz, Pg>>::from_sql(value).map(Ts::new)
    }
}

impl ToSql<DbTime, Sqlite> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.unix_timestamp());
        Ok(IsNull::No)
    }
}

impl FromSql<DbTime, Sqlite> for Ts {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let secs = <i64 as FromSql<BigInt, Sqlite>>::from_sql(value)?;
        OffsetDateTime::from_unix_timestamp(secs)
            .map(Ts)
            .map_err(|_| format!("time column holds {secs}, out of range").into())
    }
}
