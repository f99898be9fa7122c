//! [`ConfigError`]: what every check of the configuration answers, one line for stderr.

/// Configuration that cannot be used; the message is one line, fit for stderr, says how to
/// fix it and never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read or parsed, or a value has the wrong type.
    #[error("{0}")]
    Read(String),
    /// A `BATON_*` variable or a file key that is no setting.
    #[error("{0}")]
    Unknown(String),
    /// Values that parse but break a rule (short secret, unknown database scheme, ...).
    #[error("{0}")]
    Invalid(String),
}

impl ConfigError {
    /// The first of `problems`, saying how many more there are, or `Ok` when there are none.
    pub fn first_of(problems: Vec<ConfigError>) -> Result<(), ConfigError> {
        let more = problems.len().saturating_sub(1);
        let Some(first) = problems.into_iter().next() else {
            return Ok(());
        };
        if more == 0 {
            return Err(first);
        }
        let suffix = format!(" (and {more} more: `baton config` lists them all)");
        Err(match first {
            ConfigError::Read(m) => ConfigError::Read(m + &suffix),
            ConfigError::Unknown(m) => ConfigError::Unknown(m + &suffix),
            ConfigError::Invalid(m) => ConfigError::Invalid(m + &suffix),
        })
    }
}
