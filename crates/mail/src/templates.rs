//! The customisable messages: minijinja templates, autoescaped, sandboxed (no loader, so no
//! `include`/`import`; fuel bounds loops), checked before they are saved.
//!
//! A whole email is the layout (logo, font) around the greeting fragment, the message's body and
//! the footer fragment. Every email has an HTML part and a plain-text part derived from it.

use std::collections::{BTreeMap, HashSet};

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use steward_domain::email::{EmailStyle, TemplateKind};

use crate::text::html_to_text;

/// At most this many bytes of body template.
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// At most this many characters of subject template.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Instructions a render may spend (bounds loops and recursion).
const FUEL: u64 = 50_000;
/// A rendered part may be at most this large.
const MAX_OUTPUT_BYTES: usize = 512 * 1024;

/// A template as written: `subject` for whole emails, `None` for fragments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub subject: Option<String>,
    pub body: String,
}

/// A variable a message may use.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    pub name: &'static str,
    pub description: &'static str,
    pub sample: &'static str,
}

const COMMON: [Variable; 6] = [
    Variable { name: "instance_name", description: "The instance's name", sample: "Acme Shop" },
    Variable { name: "logo_url", description: "The URL of the instance's logo (empty when none is uploaded)", sample: "" },
    Variable { name: "user_name", description: "The user's full name, or their email when they have no name", sample: "Ada Lovelace" },
    Variable { name: "first_name", description: "The user's given name (may be empty)", sample: "Ada" },
    Variable { name: "last_name", description: "The user's family name (may be empty)", sample: "Lovelace" },
    Variable { name: "email", description: "The user's email address", sample: "ada@example.com" },
];
const LINK: Variable = Variable { name: "link", description: "The action link (verify, reset, accept)", sample: "https://steward.example/account/verify?token=sample" };
const EXPIRES: Variable = Variable { name: "expires_in", description: "How long the link works, for people (\"24 hours\")", sample: "24 hours" };
const CHANGE: Variable = Variable { name: "change", description: "What changed in the account, as a sentence", sample: "The password of your account was changed" };

/// The variables `kind` may use.
pub fn variables(kind: TemplateKind) -> Vec<Variable> {
    let mut v = COMMON.to_vec();
    match kind {
        TemplateKind::Verification | TemplateKind::ResetPassword | TemplateKind::Invitation => v.extend([LINK, EXPIRES]),
        TemplateKind::UpdateAccount => v.push(CHANGE),
        TemplateKind::Greeting | TemplateKind::Footer => {}
    }
    v
}

const BUTTON: &str = "display:inline-block;padding:10px 18px;background:#228be6;color:#ffffff;border-radius:6px;text-decoration:none";

/// The built-in text of each message.
pub fn default_source(kind: TemplateKind) -> Source {
    let whole = |subject: &str, body: String| Source { subject: Some(subject.to_owned()), body };
    match kind {
        TemplateKind::Greeting => Source { subject: None, body: "<p>Hello {{ user_name }},</p>".into() },
        TemplateKind::Footer => Source { subject: None, body: "<p>— The {{ instance_name }} team</p>".into() },
        TemplateKind::Verification => whole(
            "Verify your email for {{ instance_name }}",
            format!(
                "<p>Please confirm that {{{{ email }}}} is your email address.</p>\n<p><a href=\"{{{{ link }}}}\" style=\"{BUTTON}\">Verify email</a></p>\n<p>The link works for {{{{ expires_in }}}}. If you did not create an account, ignore this email.</p>"
            ),
        ),
        TemplateKind::ResetPassword => whole(
            "Reset your {{ instance_name }} password",
            format!(
                "<p>Someone asked to reset the password of your account. If it was you, choose a new password:</p>\n<p><a href=\"{{{{ link }}}}\" style=\"{BUTTON}\">Choose a new password</a></p>\n<p>The link works for {{{{ expires_in }}}} and only once. If it was not you, ignore this email.</p>"
            ),
        ),
        TemplateKind::UpdateAccount => whole(
            "Your {{ instance_name }} account was updated",
            "<p>{{ change }}.</p>\n<p>If you did not make this change, reset your password and contact support.</p>".into(),
        ),
        TemplateKind::Invitation => whole(
            "You are invited to {{ instance_name }}",
            format!(
                "<p>An account was created for {{{{ email }}}}. Choose a password to start:</p>\n<p><a href=\"{{{{ link }}}}\" style=\"{BUTTON}\">Accept the invitation</a></p>\n<p>The link works for {{{{ expires_in }}}}.</p>"
            ),
        ),
    }
}

/// Why a template is refused: which field, a stable code, the line (1-based) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub field: &'static str,
    pub code: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

impl TemplateError {
    fn new(field: &'static str, code: &'static str, line: Option<usize>, message: impl Into<String>) -> Self {
        let message = message.into();
        let message = match line {
            Some(l) => format!("Line {l}: {message}"),
            None => message,
        };
        Self { field, code, line, message }
    }
}

fn environment(html: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(move |_| if html { AutoEscape::Html } else { AutoEscape::None });
    env.set_keep_trailing_newline(false);
    env
}

/// Names a template may call without declaring them (minijinja's global functions).
const GLOBALS: [&str; 4] = ["range", "dict", "namespace", "debug"];

/// The first line where `needle` appears as a word, for error messages.
fn line_of(source: &str, needle: &str) -> Option<usize> {
    source.lines().position(|l| {
        l.match_indices(needle).any(|(i, _)| {
            let before = l[..i].chars().next_back();
            let after = l[i + needle.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
    })
    .map(|i| i + 1)
}

/// Statements that would reach outside the template.
fn forbidden_statement(source: &str) -> Option<(usize, &'static str)> {
    for (n, line) in source.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("{%") {
            let after = rest[i + 2..].trim_start_matches(['-', '+']).trim_start();
            for kw in ["include", "import", "from", "extends"] {
                if after.starts_with(kw) && !after[kw.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                    return Some((n + 1, kw));
                }
            }
            rest = &rest[i + 2..];
        }
    }
    None
}

fn error_line(e: &minijinja::Error) -> Option<usize> {
    e.line()
}

fn describe(e: &minijinja::Error) -> String {
    let mut msg = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if e.kind() == ErrorKind::OutOfFuel {
        msg = "the template does too much work (a loop that runs too long?)".into();
    }
    msg
}

/// Checks one template field (`subject` or `body`) of `kind`.
fn check_field(kind: TemplateKind, field: &'static str, source: &str, html: bool, errors: &mut Vec<TemplateError>) {
    if let Some((line, kw)) = forbidden_statement(source) {
        errors.push(TemplateError::new(field, "template_forbidden", Some(line), format!("`{{% {kw} %}}` is not allowed: a message cannot read other templates or files.")));
        return;
    }
    let env = environment(html);
    let template = match env.template_from_str(source) {
        Ok(t) => t,
        Err(e) => {
            errors.push(TemplateError::new(field, "template_syntax", error_line(&e), describe(&e)));
            return;
        }
    };
    let allowed: HashSet<&str> = variables(kind).iter().map(|v| v.name).chain(GLOBALS).collect();
    let mut unknown: Vec<String> = template.undeclared_variables(false).into_iter().filter(|v| !allowed.contains(v.as_str())).collect();
    unknown.sort();
    if let Some(name) = unknown.first() {
        let known: Vec<&str> = variables(kind).iter().map(|v| v.name).collect();
        errors.push(TemplateError::new(
            field,
            "template_unknown_variable",
            line_of(source, name),
            format!("unknown variable `{name}`; the {} message knows: {}.", kind.title().to_lowercase(), known.join(", ")),
        ));
        return;
    }
    let sample = sample_vars(kind);
    match template.render(sample.to_value()) {
        Ok(out) if out.len() > MAX_OUTPUT_BYTES => errors.push(TemplateError::new(field, "template_output_too_large", None, "the template renders more than 512 KiB.")),
        Ok(_) => {}
        Err(e) => errors.push(TemplateError::new(field, "template_render", error_line(&e), describe(&e))),
    }
}

/// Checks a template before it is saved: sizes, single-line subject, syntax, known variables,
/// no statements that reach outside, and a render with sample data that stays within bounds.
pub fn validate(kind: TemplateKind, source: &Source) -> Result<(), Vec<TemplateError>> {
    let mut errors = Vec::new();
    match (&source.subject, kind.is_fragment()) {
        (Some(_), true) => errors.push(TemplateError::new("subject", "not_allowed", None, format!("The {} is a fragment of every email and has no subject.", kind.title().to_lowercase()))),
        (None, false) => errors.push(TemplateError::new("subject", "required", None, "Subject is required.")),
        (Some(s), false) if s.trim().is_empty() => errors.push(TemplateError::new("subject", "required", None, "Subject is required.")),
        (Some(s), false) if s.contains(['\r', '\n']) => {
            errors.push(TemplateError::new("subject", "invalid_characters", None, "Subject must be a single line (no line breaks)."))
        }
        (Some(s), false) if s.chars().count() > MAX_SUBJECT_CHARS => {
            errors.push(TemplateError::new("subject", "too_long", None, format!("Subject must be at most {MAX_SUBJECT_CHARS} characters.")))
        }
        (Some(s), false) => check_field(kind, "subject", s, false, &mut errors),
        (None, true) => {}
    }
    if source.body.len() > MAX_BODY_BYTES {
        errors.push(TemplateError::new("body", "too_long", None, "Body must be at most 32 KiB."));
    } else if source.body.trim().is_empty() && !kind.is_fragment() {
        errors.push(TemplateError::new("body", "required", None, "Body is required."));
    } else {
        check_field(kind, "body", &source.body, true, &mut errors);
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The values a message is rendered with.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub instance_name: String,
    pub logo_url: String,
    pub first_name: String,
    pub last_name: String,
    /// The full name; empty means "use the email".
    pub user_name: String,
    pub email: String,
    pub link: String,
    pub expires_in: String,
    pub change: String,
}

impl Vars {
    fn to_value(&self) -> Value {
        let user_name = if self.user_name.trim().is_empty() { self.email.clone() } else { self.user_name.clone() };
        let map: BTreeMap<&str, Value> = [
            ("instance_name", self.instance_name.clone()),
            ("logo_url", self.logo_url.clone()),
            ("user_name", user_name),
            ("first_name", self.first_name.clone()),
            ("last_name", self.last_name.clone()),
            ("email", self.email.clone()),
            ("link", self.link.clone()),
            ("expires_in", self.expires_in.clone()),
            ("change", self.change.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
        Value::from_iter(map)
    }
}

/// Sample values for previews and checks.
pub fn sample_vars(kind: TemplateKind) -> Vars {
    let get = |name: &str| variables(kind).iter().chain([&LINK, &EXPIRES, &CHANGE]).find(|v| v.name == name).map(|v| v.sample.to_owned()).unwrap_or_default();
    Vars {
        instance_name: get("instance_name"),
        logo_url: String::new(),
        first_name: get("first_name"),
        last_name: get("last_name"),
        user_name: get("user_name"),
        email: get("email"),
        link: get("link"),
        expires_in: get("expires_in"),
        change: get("change"),
    }
}

/// The templates an email is made of.
#[derive(Debug, Clone)]
pub struct Parts {
    pub message: Source,
    pub greeting: Source,
    pub footer: Source,
}

impl Parts {
    pub fn defaults(kind: TemplateKind) -> Self {
        Self { message: default_source(kind), greeting: default_source(TemplateKind::Greeting), footer: default_source(TemplateKind::Footer) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn render_one(source: &str, html: bool, vars: &Value) -> Result<String, minijinja::Error> {
    let env = environment(html);
    let out = env.render_str(source, vars.clone())?;
    if out.len() > MAX_OUTPUT_BYTES {
        return Err(minijinja::Error::new(ErrorKind::InvalidOperation, "the rendered output is too large"));
    }
    Ok(out)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a whole email (`kind` must not be a fragment) in the instance's style.
pub fn render(kind: TemplateKind, parts: &Parts, style: &EmailStyle, vars: &Vars) -> Result<Rendered, TemplateError> {
    let value = vars.to_value();
    let field_err = |field: &'static str| move |e: minijinja::Error| TemplateError::new(field, "template_render", error_line(&e), describe(&e));
    let subject_src = parts.message.subject.as_deref().unwrap_or_default();
    let subject = render_one(subject_src, false, &value).map_err(field_err("subject"))?;
    // A subject is one line whatever the variables hold (header injection is impossible).
    let subject: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned();
    let greeting = render_one(&parts.greeting.body, true, &value).map_err(field_err("greeting"))?;
    let body = render_one(&parts.message.body, true, &value).map_err(field_err("body"))?;
    let footer = render_one(&parts.footer.body, true, &value).map_err(field_err("footer"))?;
    let _ = kind;

    let size = style.size();
    let logo = if vars.logo_url.is_empty() {
        String::new()
    } else {
        format!(
            "<div style=\"margin-bottom:20px\"><img src=\"{}\" alt=\"{}\" style=\"max-height:64px;max-width:220px;border:0\"></div>",
            escape_html(&vars.logo_url),
            escape_html(&vars.instance_name)
        )
    };
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
         <body style=\"margin:0;padding:0;background:#f4f5f7\">\
         <div style=\"max-width:600px;margin:0 auto;padding:28px 24px;background:#ffffff;font-family:{font};font-size:{size}px;line-height:1.5;color:#1f2933\">\
         {logo}<div>{greeting}</div>\n<div>{body}</div>\n<div style=\"margin-top:24px;color:#52606d;font-size:{small}px\">{footer}</div>\
         </div></body></html>",
        title = escape_html(&subject),
        font = escape_html(style.css_stack()),
        small = size.saturating_sub(2).max(10),
    );
    let text = html_to_text(&format!("{greeting}\n{body}\n{footer}"));
    Ok(Rendered { subject, text, html })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(subject: &str, body: &str) -> Source {
        Source { subject: Some(subject.into()), body: body.into() }
    }

    fn codes(r: Result<(), Vec<TemplateError>>) -> Vec<(&'static str, &'static str, Option<usize>)> {
        r.err().unwrap_or_default().into_iter().map(|e| (e.field, e.code, e.line)).collect()
    }

    #[test]
    fn defaults_are_valid_and_render_escaped() {
        for kind in TemplateKind::ALL {
            assert_eq!(validate(kind, &default_source(kind)), Ok(()), "{kind:?}");
        }
        let mut v = sample_vars(TemplateKind::Verification);
        v.user_name = "<script>alert(1)</script>".into();
        v.link = "https://x.example/v?token=a&b=\"c\"".into();
        let r = render(TemplateKind::Verification, &Parts::defaults(TemplateKind::Verification), &EmailStyle::default(), &v).unwrap();
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(r.html.contains("font-family:Arial, Helvetica, sans-serif"));
        assert!(r.text.contains("https://x.example/v?token=a&b=\"c\""), "{}", r.text);
        assert!(r.text.starts_with("Hello <script>"), "{}", r.text);
        assert!(r.text.trim_end().ends_with("— The Acme Shop team"), "{}", r.text);
        assert_eq!(r.subject, "Verify your email for Acme Shop");
    }

    #[test]
    fn refuses_bad_templates_with_line_and_reason() {
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", "<p>ok</p>\n<p>{{ undefined_var }}</p>"))), vec![("body", "template_unknown_variable", Some(2))]);
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", "line\n{% include 'x.html' %}"))), vec![("body", "template_forbidden", Some(2))]);
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", "a\nb\n{% if %}"))), vec![("body", "template_syntax", Some(3))]);
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi\r\nBcc: x@y", "b"))), vec![("subject", "invalid_characters", None)]);
        assert_eq!(codes(validate(TemplateKind::Footer, &src("Hi", "b"))), vec![("subject", "not_allowed", None)]);
        assert_eq!(codes(validate(TemplateKind::Greeting, &Source { subject: None, body: "{{ link }}".into() })), vec![("body", "template_unknown_variable", Some(1))]);
        let r = codes(validate(TemplateKind::Verification, &src("Hi", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}")));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1, "template_render");
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", &"x".repeat(MAX_BODY_BYTES + 1)))), vec![("body", "too_long", None)]);
        // Locals and loops are fine.
        assert_eq!(validate(TemplateKind::Verification, &src("{{ instance_name|upper }}", "{% set n = 3 %}{% for i in range(n) %}{{ i }}{% endfor %}{{ link }}")), Ok(()));
    }

    #[test]
    fn subject_variables_cannot_add_headers() {
        let mut v = sample_vars(TemplateKind::UpdateAccount);
        v.instance_name = "Shop\r\nBcc: evil@example.com".into();
        let r = render(TemplateKind::UpdateAccount, &Parts::defaults(TemplateKind::UpdateAccount), &EmailStyle::default(), &v).unwrap();
        assert!(!r.subject.contains(['\r', '\n']));
    }
}
