//! The environment layer: which `BATON_*` variables are settings, which are not, and the
//! refusal of every other one (SPEC §6: a typo never silently leaves a setting at its default).
//!
//! A setting's variable is `BATON_` plus its key path in upper case with `__` between levels
//! (`server.port` → `BATON_SERVER__PORT`). The list of settings is read off the serialized
//! defaults of [`Config`], so a new key gets its variable with no list to update.

use super::Config;
use super::problem::ConfigError;
use std::collections::BTreeSet;

/// The prefix of Baton's variables.
pub const PREFIX: &str = "BATON_";

/// `BATON_*` variables that are not settings: they choose the configuration (read by the
/// command line) rather than being part of it. Documented in README.md.
pub const NON_SETTING_VARS: [&str; 2] = ["BATON_PROFILE", "BATON_CONFIG_DIR"];

/// Settings whose variables are taken literally as strings, never parsed as numbers, lists or
/// tables: a secret made only of digits or starting with `[` stays what it is.
pub const LITERAL_VARS: [&str; 1] = ["BATON_JWT__SECRET"];

/// The `BATON_...` variable that sets the key at `path`, e.g. `BATON_SERVER__PORT`.
pub fn env_var_name(path: &[&str]) -> String {
    format!("{PREFIX}{}", path.join("__").to_ascii_uppercase())
}

/// Every setting as a dotted key (`server.port`, `jwt.keys`, ...), sorted. Lists and
/// optional values are single settings; tables are not.
pub fn setting_keys() -> BTreeSet<String> {
    let value = serde_json::to_value(Config::default()).unwrap_or(serde_json::Value::Null);
    let mut keys = BTreeSet::new();
    collect_keys(String::new(), &value, &mut keys);
    keys
}

fn collect_keys(prefix: String, value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                collect_keys(key, v, out);
            }
        }
        _ => {
            out.insert(prefix);
        }
    }
}

/// The variable of every setting, e.g. `BATON_SERVER__PORT`.
pub fn setting_vars() -> BTreeSet<String> {
    setting_keys().iter().map(|k| env_var_name(&k.split('.').collect::<Vec<_>>())).collect()
}

/// One error per `BATON_*` variable in `vars` that is neither a setting nor in
/// [`NON_SETTING_VARS`], naming it and, when one is close, the variable it probably meant.
/// Names compare case-insensitively, as figment reads them.
pub fn unknown_vars(vars: impl IntoIterator<Item = String>) -> Vec<ConfigError> {
    let settings = setting_vars();
    let allowed: Vec<String> =
        settings.iter().cloned().chain(NON_SETTING_VARS.iter().map(|v| v.to_string())).collect();
    let mut errors = Vec::new();
    for name in vars {
        let upper = name.to_ascii_uppercase();
        if !upper.starts_with(PREFIX) || allowed.contains(&upper) {
            continue;
        }
        let hint = match suggest(&upper, &allowed) {
            Some(close) => format!(" (did you mean {close}?)"),
            None => format!(
                "; settings are BATON_<SECTION>__<KEY> such as BATON_SERVER__PORT, listed by \
                 `baton config`; other BATON_ variables are only {}",
                NON_SETTING_VARS.join(" and ")
            ),
        };
        errors.push(ConfigError::Unknown(format!("unknown setting {name}{hint}")));
    }
    errors
}

/// The candidate closest to `name`, if close enough to be a likely typo: at most a quarter
/// of the name's characters differ (at least 2 allowed), ignoring underscores and case first.
pub fn suggest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    let squash = |s: &str| s.to_ascii_uppercase().replace('_', "");
    if let Some(same) = candidates.iter().find(|c| squash(c) == squash(name)) {
        return Some(same);
    }
    let limit = (name.len() / 4).max(2);
    candidates
        .iter()
        .map(|c| {
            let distance =
                strsim::damerau_levenshtein(&name.to_ascii_uppercase(), &c.to_ascii_uppercase());
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(var: &str) -> String {
        let errors = unknown_vars([var.to_owned()]);
        assert_eq!(errors.len(), 1, "{var}");
        errors[0].to_string()
    }

    #[test]
    fn every_setting_has_a_variable() {
        let vars = setting_vars();
        for expected in [
            "BATON_SERVER__PORT",
            "BATON_SERVER__TRUSTED_PROXIES",
            "BATON_DATABASE__URL",
            "BATON_JWT__SECRET",
            "BATON_JWT__KEYS",
            "BATON_TOKENS__REUSE_GRACE",
            "BATON_PASSWORDS__THREADS",
            "BATON_LOGIN__MAX_FAILURES_PER_ADDRESS",
            "BATON_RATE_LIMIT__BURST",
            "BATON_RATE_LIMIT__INTERVAL",
            "BATON_JWKS__MAX_AGE",
            "BATON_INTROSPECTION__CLIENTS",
            "BATON_COOKIES__SAME_SITE",
            "BATON_COOKIES__ALLOWED_ORIGINS",
            "BATON_COOKIES__SECURE",
        ] {
            assert!(vars.contains(expected), "{expected} missing from {vars:?}");
        }
        assert!(
            !vars.iter().any(|v| v.contains("URL_EXPLICIT")),
            "internal fields are no settings"
        );
    }

    #[test]
    fn typos_are_named_with_the_setting_they_probably_meant() {
        assert_eq!(
            one("BATON_TOKEN__REUSE_GRACE"),
            "unknown setting BATON_TOKEN__REUSE_GRACE (did you mean BATON_TOKENS__REUSE_GRACE?)"
        );
        assert!(
            one("BATON_LOGIN_MAX_FAILED_LOGINS")
                .ends_with("(did you mean BATON_LOGIN__MAX_FAILED_LOGINS?)")
        );
        assert!(one("BATON_SERVER__PROT").ends_with("(did you mean BATON_SERVER__PORT?)"));
        assert!(one("BATON_PROFILES").ends_with("(did you mean BATON_PROFILE?)"));
        assert!(one("baton_jwt_secret").contains("did you mean BATON_JWT__SECRET?"));
        let far = one("BATON_SOMETHING_ELSE_ENTIRELY");
        assert!(far.contains("BATON_PROFILE and BATON_CONFIG_DIR"), "{far}");
    }

    #[test]
    fn settings_and_documented_variables_pass_and_others_are_ignored() {
        let vars = ["BATON_PROFILE", "BATON_CONFIG_DIR", "BATON_SERVER__PORT", "baton_log__level"]
            .into_iter()
            .chain(["DATABASE_URL", "RUST_LOG", "BATONX", "PATH"])
            .map(String::from);
        assert!(unknown_vars(vars).is_empty());
        assert_eq!(unknown_vars(["BATON_JWT__KEYS__0__KID".to_owned()]).len(), 1);
        assert_eq!(unknown_vars(["BATON_SERVER".to_owned()]).len(), 1);
    }
}
