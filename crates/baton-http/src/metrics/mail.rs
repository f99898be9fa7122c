//! The outbox's metrics (SPEC §12): mails sent, retried and given up, and how many wait and
//! since when. The sender ([`crate::server::spawn_mail_sender`]) feeds them after each round.

use super::{METADATA, Metrics};
use baton_core::{Delivery, OutboxStats};
use metrics::{Key, Label, Recorder, Unit};
use time::OffsetDateTime;

/// Mail delivery attempts by outcome: `sent`, `retried`, `failed` (given up).
pub const MAILS: &str = "baton_mail_total";
/// Mails neither sent nor given up, across every server on the database.
pub const MAIL_WAITING: &str = "baton_mail_waiting";
/// Age of the oldest waiting mail (0 when none waits).
pub const MAIL_OLDEST: &str = "baton_mail_oldest_waiting_seconds";
/// The labels of [`MAILS`].
pub const MAIL_OUTCOMES: [&str; 3] = ["sent", "retried", "failed"];

impl Metrics {
    /// Describes the mail series and registers them at 0; called once by [`Metrics::new`].
    pub(super) fn register_mail(&self) {
        let r = &self.inner.recorder;
        r.describe_counter(
            MAILS.into(),
            None,
            "Mail delivery attempts: sent, retried (a transient failure), failed (given up)."
                .into(),
        );
        r.describe_gauge(
            MAIL_WAITING.into(),
            None,
            "Mails in the outbox not yet sent nor given up (whole database).".into(),
        );
        r.describe_gauge(
            MAIL_OLDEST.into(),
            Some(Unit::Seconds),
            "Age of the oldest waiting mail.".into(),
        );
        for outcome in MAIL_OUTCOMES {
            self.mail_counter(outcome).increment(0);
        }
        self.gauge(MAIL_WAITING).set(0.0);
        self.gauge(MAIL_OLDEST).set(0.0);
    }

    /// Counts one sending round.
    pub fn mail_delivered(&self, d: &Delivery) {
        for (outcome, n) in MAIL_OUTCOMES.into_iter().zip([d.sent, d.retried, d.failed]) {
            self.mail_counter(outcome).increment(u64::from(n));
        }
    }

    /// Shows how the outbox stands at `now`.
    pub fn outbox(&self, stats: &OutboxStats, now: OffsetDateTime) {
        self.gauge(MAIL_WAITING).set(stats.waiting as f64);
        let age = stats.oldest_waiting_since.map_or(0.0, |at| (now - at).as_seconds_f64().max(0.0));
        self.gauge(MAIL_OLDEST).set(age);
    }

    fn mail_counter(&self, outcome: &'static str) -> metrics::Counter {
        let key = Key::from_parts(MAILS, vec![Label::from_static_parts("outcome", outcome)]);
        self.inner.recorder.register_counter(&key, &METADATA)
    }

    fn gauge(&self, name: &'static str) -> metrics::Gauge {
        self.inner.recorder.register_gauge(&Key::from_name(name), &METADATA)
    }
}
