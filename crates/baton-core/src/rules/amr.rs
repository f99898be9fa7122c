//! The `amr` claim of access tokens (RFC 8176): how the user proved who they are, so that an
//! API can demand a second factor by looking for `mfa`.

/// One proof given during a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// The account's password.
    Password,
    /// A TOTP code (RFC 6238).
    Totp,
    /// A recovery code: something the user has (on paper), but no RFC 8176 method names it,
    /// so it adds only `mfa` beside the password.
    RecoveryCode,
    /// A passkey assertion.
    Passkey {
        /// The authenticator verified the user (PIN, biometrics).
        user_verified: bool,
        /// A synced passkey: its private key is held in software by a password manager or
        /// platform account (`swk`); a device-bound one counts as hardware (`hwk`).
        backup_eligible: bool,
    },
}

/// The `amr` values for a login that gave `factors`, in a fixed order without duplicates:
/// `pwd` for the password, `otp` for TOTP, `hwk`/`swk` for a passkey, then `mfa` when two
/// different factors were given or a passkey verified its user (possession plus PIN or
/// biometrics is already two factors).
pub fn amr(factors: &[Factor]) -> Vec<&'static str> {
    let mut values = Vec::new();
    let mut push = |v: &'static str| {
        if !values.contains(&v) {
            values.push(v);
        }
    };
    for factor in factors {
        match factor {
            Factor::Password => push("pwd"),
            Factor::Totp => push("otp"),
            Factor::RecoveryCode => {}
            Factor::Passkey { backup_eligible: true, .. } => push("swk"),
            Factor::Passkey { backup_eligible: false, .. } => push("hwk"),
        }
    }
    let kinds = |f: &Factor| std::mem::discriminant(f);
    let distinct = factors
        .iter()
        .enumerate()
        .filter(|(i, f)| !factors[..*i].iter().any(|g| kinds(g) == kinds(f)));
    let verified_passkey =
        factors.iter().any(|f| matches!(f, Factor::Passkey { user_verified: true, .. }));
    if distinct.count() >= 2 || verified_passkey {
        push("mfa");
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYNCED: Factor = Factor::Passkey { user_verified: true, backup_eligible: true };
    const DEVICE: Factor = Factor::Passkey { user_verified: true, backup_eligible: false };

    #[test]
    fn one_factor_is_not_mfa() {
        assert_eq!(amr(&[Factor::Password]), ["pwd"]);
        assert_eq!(amr(&[Factor::Password, Factor::Password]), ["pwd"]);
        let unverified = Factor::Passkey { user_verified: false, backup_eligible: false };
        assert_eq!(amr(&[unverified]), ["hwk"]);
    }

    #[test]
    fn a_second_factor_adds_its_method_and_mfa() {
        assert_eq!(amr(&[Factor::Password, Factor::Totp]), ["pwd", "otp", "mfa"]);
        assert_eq!(amr(&[Factor::Password, Factor::RecoveryCode]), ["pwd", "mfa"]);
        assert_eq!(amr(&[Factor::Password, DEVICE]), ["pwd", "hwk", "mfa"]);
        assert_eq!(amr(&[Factor::Password, SYNCED]), ["pwd", "swk", "mfa"]);
    }

    #[test]
    fn a_passkey_that_verified_its_user_is_mfa_alone() {
        assert_eq!(amr(&[SYNCED]), ["swk", "mfa"]);
        assert_eq!(amr(&[DEVICE]), ["hwk", "mfa"]);
    }
}
