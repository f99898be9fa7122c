//! `baton config`: the effective configuration, secrets redacted, with each value's origin,
//! then every problem. It helps most when the configuration is wrong, so it never stops at
//! the first problem and never fails on a closed stdout (`baton config | head -1`).

use crate::{Source, render_entries, report};
use std::io::Write;

/// Prints every key it could resolve as `key = value  # origin` (default, a file, or
/// `env VAR`) on stdout after a header naming the profile and the files read, then each
/// problem as one `baton: configuration error: ...` line on stderr. Returns whether there were
/// none. Database passwords, secrets and private keys show as `<redacted>`.
pub fn print_report(source: &Source) -> bool {
    let report = report(source);
    tracing::debug!(
        profile = %source.profile,
        dir = %source.dir.display(),
        problems = report.problems.len(),
        "configuration resolved"
    );
    let files: Vec<String> =
        source.existing_files().iter().map(|p| p.display().to_string()).collect();
    let text = format!(
        "# profile: {}\n# files read: {}\n# precedence: default < files < DATABASE_URL < \
         BATON_* variables\n{}",
        source.profile,
        if files.is_empty() { "none".to_owned() } else { files.join(", ") },
        render_entries(&report.entries)
    );
    let mut stdout = std::io::stdout().lock();
    // A reader that went away (a closed pipe) wanted no more: stop quietly.
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return report.problems.is_empty();
    }
    drop(stdout);
    let mut stderr = std::io::stderr().lock();
    for problem in &report.problems {
        let line = problem.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(stderr, "baton: configuration error: {line}");
    }
    report.problems.is_empty()
}
