//! Email: the customisable messages (minijinja templates, HTML and plain-text parts) and the SMTP
//! transports. Queueing and retries live in the outbox (persistence + the worker).

pub mod egress;
pub mod smtp;
pub mod templates;
pub mod text;

pub use egress::Egress;
pub use smtp::{Outgoing, SmtpConfig, SmtpSender, TestReport, TrustedRoots};
pub use templates::{Parts, Rendered, Source, TemplateError, Vars, escape_html, render};
