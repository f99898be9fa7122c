//! The mail suite on the in-memory transport, so the fake the use-case tests rely on
//! behaves as `baton-mail`'s transports do.

use std::sync::Arc;

use baton_core::Email;
use baton_core::testing::MemTransport;
use baton_core::testing::contract::mail::MailSubject;

async fn subject() -> MailSubject {
    let transport = Arc::new(MemTransport::new("baton@example.com"));
    transport.refuse(Email::parse("nobody@refused.example").expect("an address"));
    MailSubject::new(transport.clone(), transport.clone(), transport, "baton@example.com")
        .refusing(Email::parse("nobody@refused.example").expect("an address"))
}

baton_core::mail_contract!(crate::subject());
baton_core::mail_refusal_contract!(crate::subject());
