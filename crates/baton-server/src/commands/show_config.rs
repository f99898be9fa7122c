//! `baton config`: the effective configuration, secrets redacted, with each value's origin.

use crate::config::{Config, Source, explain, render_entries};

/// Prints every key as `key = value  # origin` (default, a file, or `env VAR`), after a
/// header naming the profile and the files read. Database passwords and JWT secrets show as
/// `<redacted>`.
pub fn show_config(config: &Config, source: &Source) {
    let files: Vec<String> =
        source.existing_files().iter().map(|p| p.display().to_string()).collect();
    println!("# profile: {}", source.profile);
    println!(
        "# files read: {}",
        if files.is_empty() { "none".to_owned() } else { files.join(", ") }
    );
    println!("# precedence: default < files < DATABASE_URL < BATON_* variables");
    print!("{}", render_entries(&explain(source, config)));
}
