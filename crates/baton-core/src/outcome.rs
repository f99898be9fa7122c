//! Outcome labels: the one name of each way a use case can end, for `/metrics` and for tests
//! that compare answers.
//!
//! Derived from the error types themselves (strum's `EnumDiscriminants`: one fieldless "kind"
//! per variant, named in snake_case), so a new variant gets its label and joins every list of
//! labels without anyone writing it down: `/metrics` registers its series from
//! [`Outcomes::labels`], and its test walks the same list. A [`Fault`](crate::Fault) is
//! labelled by what failed instead of `fault`: `unavailable` (worth retrying) or `error`.

use strum::{EnumIter, IntoStaticStr};

/// A use-case error whose variants name its outcomes.
pub trait Outcomes {
    /// The label of this error: its variant's name, or the fault's label for a fault.
    fn label(&self) -> &'static str;

    /// Every label the type can give, each once, in declaration order.
    fn labels() -> Vec<&'static str>;
}

/// What kind of failure on Baton's side a [`Fault`](crate::Fault) is, as operators alert on
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum FaultKind {
    /// The database did not answer in time: clients were told to retry (503).
    Unavailable,
    /// Anything else: a bug or a broken dependency (500).
    Error,
}

/// Implements [`Outcomes`] for use-case errors whose strum discriminants are `$kind` and whose
/// `Fault(Fault)` variant is labelled by the fault.
macro_rules! outcomes {
    ($($error:ty => $kind:ty),* $(,)?) => {$(
        impl Outcomes for $error {
            fn label(&self) -> &'static str {
                match self {
                    Self::Fault(fault) => fault.label(),
                    other => <$kind>::from(other).into(),
                }
            }

            fn labels() -> Vec<&'static str> {
                <$kind>::iter()
                    .filter(|kind| *kind != <$kind>::Fault)
                    .map(Into::into)
                    .chain(<Fault as Outcomes>::labels())
                    .collect()
            }
        }
    )*};
}

pub(crate) use outcomes;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Fault, LoginError, RefreshError, RegisterError};
    use crate::ports::StoreError;

    #[derive(Debug, thiserror::Error)]
    #[error("x")]
    struct X;

    #[test]
    fn labels_are_the_variants_with_faults_told_apart() {
        assert_eq!(
            RefreshError::labels(),
            [
                "expired",
                "invalid",
                "revoked",
                "reuse_detected",
                "replay_rejected",
                "disabled",
                "unverified",
                "unavailable",
                "error"
            ]
        );
        assert_eq!(
            LoginError::labels(),
            [
                "bad_credentials",
                "disabled",
                "unverified",
                "locked",
                "mfa_required",
                "unavailable",
                "error"
            ]
        );
        assert_eq!(
            RegisterError::labels(),
            ["invalid_input", "email_taken", "unavailable", "error"]
        );
        let mfa = crate::error::MfaError::labels();
        assert_eq!(mfa.len(), 17, "{mfa:?}");
        let distinct: std::collections::HashSet<_> = mfa.iter().collect();
        assert_eq!(distinct.len(), mfa.len(), "every label once: {mfa:?}");
        assert!(mfa.contains(&"mfa_unavailable") && mfa.ends_with(&["unavailable", "error"]));
    }

    #[test]
    fn each_error_gives_its_own_label() {
        assert_eq!(RefreshError::Invalid("x".into()).label(), "invalid");
        assert_eq!(RefreshError::SessionRevoked.label(), "revoked");
        let down = RefreshError::Fault(Fault::Store(StoreError::unavailable(X)));
        assert_eq!(down.label(), "unavailable");
        let broken = LoginError::Fault(Fault::Store(StoreError::backend(X)));
        assert_eq!(broken.label(), "error");
    }
}
