//! The outbox's sender: hands queued mail to the transport, each mail claimed by one sender
//! at a time (many servers may run it), retried with backoff ([`crate::rules::mail_retry`])
//! until it is sent, refused for good, or no longer worth sending.

use super::Auth;
use crate::domain::mail::OutboxStats;
use crate::error::Fault;
use crate::rules::mail_retry::{Attempts, NextStep};
use time::Duration;

/// How long a claimed mail is one sender's: past it, another sender may take the mail (the
/// first one died mid-send). Far longer than any transport's timeout.
pub const CLAIM_FOR: Duration = Duration::minutes(5);

/// Most mails one [`Auth::deliver_mail`] call sends, so one call never runs unbounded.
pub const BATCH: usize = 50;

/// What one round of sending did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// Mails handed over.
    pub sent: u32,
    /// Attempts that failed and will be retried.
    pub retried: u32,
    /// Mails given up for good.
    pub failed: u32,
}

impl Auth {
    /// Sends the mail that is due now, up to [`BATCH`] mails; nothing when mail is off.
    pub async fn deliver_mail(&self) -> Result<Delivery, Fault> {
        let mut done = Delivery::default();
        let Some(setup) = self.mail.clone() else { return Ok(done) };
        let accounts = &self.ports.accounts;
        for _ in 0..BATCH {
            let now = self.now();
            let Some(entry) = accounts.claim_mail(now, now + CLAIM_FOR).await? else { break };
            let id = entry.mail.id();
            match setup.transport.send(&entry.mail).await {
                Ok(()) => {
                    accounts.mail_sent(id, self.now()).await?;
                    tracing::info!(mail_id = %id, kind = %entry.kind, "mail sent");
                    done.sent += 1;
                }
                Err(e) => {
                    let error = crate::error::error_chain(&e);
                    let attempts = Attempts {
                        queued_at: entry.queued_at,
                        failures: entry.failures + 1,
                        expires_at: entry.expires_at,
                    };
                    let now = self.now();
                    match setup.retry.after_failure(e.kind(), &attempts, now) {
                        NextStep::RetryAt(next) => {
                            accounts.mail_retry(id, attempts.failures, next, &error).await?;
                            tracing::warn!(mail_id = %id, kind = %entry.kind, %error, retry_at = %next, "mail not sent; will retry");
                            done.retried += 1;
                        }
                        NextStep::GiveUp(reason) => {
                            accounts.mail_failed(id, now, &error).await?;
                            tracing::error!(mail_id = %id, kind = %entry.kind, %error, ?reason, "mail given up");
                            done.failed += 1;
                        }
                    }
                }
            }
        }
        Ok(done)
    }

    /// How the outbox stands, for `/metrics`.
    pub async fn outbox_stats(&self) -> Result<OutboxStats, Fault> {
        Ok(self.ports.accounts.outbox_stats().await?)
    }
}
