//! The mail setup as `[mail]` and `[accounts]` configure it (`baton-config`): the transport,
//! the templates, the links and their lifetimes, for [`baton_core::Auth::with_mail`].

use crate::{FileTransport, SetupError, SmtpSettings, SmtpTransport, TemplateSettings, Templates};
use baton_config::{Config, MailTransportKind};
use baton_core::{MailSetup, MailTransport};
use secrecy::SecretString;
use std::sync::Arc;

/// What `config` asks for; `None` when no transport is configured (mail is off: the routes
/// that send links answer 503 `mail_unavailable`).
pub fn mail_setup(config: &Config) -> Result<Option<MailSetup>, SetupError> {
    let mail = &config.mail;
    let transport: Arc<dyn MailTransport> = match mail.transport {
        MailTransportKind::None => return Ok(None),
        MailTransportKind::File => Arc::new(FileTransport::new(&mail.file_dir, &mail.from)?),
        MailTransportKind::Smtp => {
            let url = mail.smtp_url.as_ref().map(|u| u.expose().to_owned()).unwrap_or_default();
            let settings = SmtpSettings {
                url: SecretString::from(url),
                from: mail.from.clone(),
                timeout: mail.timeout,
                ca_file: mail.smtp_ca_file.clone(),
            };
            Arc::new(SmtpTransport::new(&settings)?)
        }
    };
    let templates = Templates::new(&TemplateSettings {
        product_name: mail.product_name.clone(),
        templates_dir: mail.templates_dir.clone(),
        subjects: mail.subjects.overrides(),
    })?;
    let accounts = &config.accounts;
    Ok(Some(MailSetup {
        composer: Arc::new(templates),
        transport,
        reset_link: accounts.reset_link(),
        verify_link: accounts.verify_link(),
        reset_ttl: accounts.reset_ttl(),
        verify_ttl: accounts.verify_ttl(),
        retry: mail.retry_policy(),
    }))
}
