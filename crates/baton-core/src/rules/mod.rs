//! The rules of SPEC §3 to §5 as plain functions over plain data: no I/O, no clock of their
//! own. The use cases in [`crate::service`] fetch the data, ask these functions, and act.

pub mod amr;
pub mod lockout;
pub mod mail_retry;
pub mod policy;
pub mod rotation;
pub mod totp;
