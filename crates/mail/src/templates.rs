//! The customisable messages: minijinja templates, autoescaped, sandboxed, checked before they
//! are saved and again before every render.
//!
//! A template is a tenant's code running in a process every instance shares, so it runs under a
//! bound on memory *and* time (DESIGN rule 13). minijinja's fuel bounds steps, not memory: one
//! step can allocate gigabytes (`"x" * 10**10`, a size-taking filter, a string doubled by `set`
//! in a loop). So a message may use only what an email needs — text, `{{ variables }}` with a few
//! text filters, `{% if %}` with comparisons — and nothing that loops, assigns, calls or
//! repeats ([`check_constructs`], on the parsed template). With those constructs every value is
//! at most as large as the template times the largest variable; the output is checked while it is
//! written (a render stops as soon as it passes [`MAX_OUTPUT_BYTES`]) and fuel bounds the steps.
//!
//! A whole email is the layout (logo, font) around the greeting fragment, the message's body and
//! the footer fragment. Every email has an HTML part and a plain-text part derived from it.

use std::collections::{BTreeMap, HashSet};

use minijinja::machinery::{self, Span, ast};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use steward_domain::email::{EmailStyle, TemplateKind};

use crate::text::html_to_text;

/// At most this many bytes of body template.
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// At most this many characters of subject template.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Instructions a render may spend.
const FUEL: u64 = 50_000;
/// A rendered part may be at most this large; checked while it is written.
pub const MAX_OUTPUT_BYTES: usize = 512 * 1024;
/// The filters a message may use: text shaping that never grows a value by more than a constant.
pub const FILTERS: [&str; 9] = ["upper", "lower", "title", "capitalize", "trim", "default", "d", "escape", "e"];
/// The tests a message may use in `{% if %}`.
pub const TESTS: [&str; 3] = ["defined", "undefined", "none"];

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
const METADATA: Variable = Variable {
    name: "metadata",
    description: "The user's metadata fields, one at a time: {{ metadata.plan }} (or {{ metadata[\"first-order\"] }}). A field the user does not have is empty; numbers and booleans print as written, objects and lists as JSON",
    sample: "{\"plan\": \"pro\", \"company\": \"Example Ltd\"}",
};
const LINK: Variable =
    Variable { name: "link", description: "The action link (verify, reset, accept)", sample: "https://steward.example/account/verify?token=sample" };
const EXPIRES: Variable = Variable { name: "expires_in", description: "How long the link works, for people (\"24 hours\")", sample: "24 hours" };
const CHANGE: Variable =
    Variable { name: "change", description: "What changed in the account, as a sentence", sample: "The password of your account was changed" };

/// The variables `kind` may use.
pub fn variables(kind: TemplateKind) -> Vec<Variable> {
    let mut v = COMMON.to_vec();
    v.push(METADATA);
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
    // No built-in globals (`range`, `namespace`...), and only the allowed filters and tests.
    let mut env = Environment::empty();
    env.add_filter("upper", minijinja::filters::upper);
    env.add_filter("lower", minijinja::filters::lower);
    env.add_filter("title", minijinja::filters::title);
    env.add_filter("capitalize", minijinja::filters::capitalize);
    env.add_filter("trim", minijinja::filters::trim);
    env.add_filter("default", minijinja::filters::default);
    env.add_filter("d", minijinja::filters::default);
    env.add_filter("escape", minijinja::filters::escape);
    env.add_filter("e", minijinja::filters::escape);
    env.add_test("defined", minijinja::tests::is_defined);
    env.add_test("undefined", minijinja::tests::is_undefined);
    env.add_test("none", minijinja::tests::is_none);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(move |_| if html { AutoEscape::Html } else { AutoEscape::None });
    env.set_keep_trailing_newline(false);
    env
}

/// The first line where `needle` appears as a word, for error messages.
fn line_of(source: &str, needle: &str) -> Option<usize> {
    source
        .lines()
        .position(|l| {
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

/// Why a construct is refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub line: Option<usize>,
    pub what: String,
}

fn refused(span: Span, what: impl Into<String>) -> Refused {
    Refused { line: Some(span.start_line as usize), what: what.into() }
}

/// Checks that `source` uses only text, `{{ expressions }}` and `{% if %}`, with expressions
/// made of variables, constants, allowed filters and tests, comparisons, `and`/`or`/`not` and
/// `~`. Anything that loops, assigns, calls a function or does arithmetic is refused, so a
/// message's memory is bounded by its size. A syntax error is left to the compiler's message.
pub fn check_constructs(source: &str) -> Result<(), Refused> {
    let Ok(stmt) = machinery::parse(source, "<message>", Default::default(), Default::default()) else { return Ok(()) };
    check_stmt(&stmt)
}

fn check_stmt(stmt: &ast::Stmt<'_>) -> Result<(), Refused> {
    use ast::Stmt;
    let name = match stmt {
        Stmt::Template(t) => return t.children.iter().try_for_each(check_stmt),
        Stmt::EmitRaw(_) => return Ok(()),
        Stmt::EmitExpr(e) => return check_expr(&e.expr),
        Stmt::IfCond(c) => {
            check_expr(&c.expr)?;
            return c.true_body.iter().chain(c.false_body.iter()).try_for_each(check_stmt);
        }
        Stmt::ForLoop(s) => return Err(refused(s.span(), "`{% for %}` loops are not allowed in an email message")),
        Stmt::WithBlock(s) => ("with", s.span()),
        Stmt::Set(s) => ("set", s.span()),
        Stmt::SetBlock(s) => ("set", s.span()),
        Stmt::AutoEscape(s) => ("autoescape", s.span()),
        Stmt::FilterBlock(s) => ("filter", s.span()),
        Stmt::Do(s) => ("do", s.span()),
    };
    Err(refused(name.1, format!("`{{% {} %}}` is not allowed in an email message: use variables, filters and `{{% if %}}`", name.0)))
}

fn check_expr(expr: &ast::Expr<'_>) -> Result<(), Refused> {
    use ast::{BinOpKind, CallArg, Expr, UnaryOpKind};
    let args = |args: &[CallArg<'_>]| {
        args.iter().try_for_each(|a| match a {
            CallArg::Pos(e) | CallArg::Kwarg(_, e) => check_expr(e),
            CallArg::PosSplat(e) | CallArg::KwargSplat(e) => Err(refused(e.span(), "argument unpacking is not allowed in an email message")),
        })
    };
    match expr {
        Expr::Var(v) if v.id == METADATA.name => {
            Err(refused(v.span(), "use one metadata field at a time, like `{{ metadata.plan }}`: the metadata itself is not text"))
        }
        Expr::Var(_) | Expr::Const(_) => Ok(()),
        // One field of the user's metadata: `metadata.plan`, `metadata["first-order"]`.
        Expr::GetAttr(g) if matches!(&g.expr, Expr::Var(v) if v.id == METADATA.name) => Ok(()),
        Expr::GetItem(g) if matches!(&g.expr, Expr::Var(v) if v.id == METADATA.name) && matches!(&g.subscript_expr, Expr::Const(_)) => Ok(()),
        Expr::UnaryOp(u) => match u.op {
            UnaryOpKind::Not => check_expr(&u.expr),
            UnaryOpKind::Neg => Err(refused(u.span(), "arithmetic is not allowed in an email message")),
        },
        Expr::BinOp(b) => match b.op {
            BinOpKind::Eq
            | BinOpKind::Ne
            | BinOpKind::Lt
            | BinOpKind::Lte
            | BinOpKind::Gt
            | BinOpKind::Gte
            | BinOpKind::ScAnd
            | BinOpKind::ScOr
            | BinOpKind::In
            | BinOpKind::Concat => {
                check_expr(&b.left)?;
                check_expr(&b.right)
            }
            _ => Err(refused(b.span(), "arithmetic is not allowed in an email message (only `~` joins text)")),
        },
        Expr::Compare(c) => {
            check_expr(&c.expr)?;
            c.ops.iter().try_for_each(|o| check_expr(&o.expr))
        }
        Expr::IfExpr(i) => {
            check_expr(&i.test_expr)?;
            check_expr(&i.true_expr)?;
            i.false_expr.as_ref().map_or(Ok(()), check_expr)
        }
        Expr::Filter(f) => {
            if !FILTERS.contains(&f.name) {
                return Err(refused(f.span(), format!("the filter `{}` is not allowed in an email message; allowed: {}", f.name, FILTERS.join(", "))));
            }
            f.expr.as_ref().map_or(Ok(()), check_expr)?;
            args(&f.args)
        }
        Expr::Test(t) => {
            if !TESTS.contains(&t.name) {
                return Err(refused(t.span(), format!("the test `{}` is not allowed in an email message; allowed: {}", t.name, TESTS.join(", "))));
            }
            check_expr(&t.expr)?;
            args(&t.args)
        }
        Expr::Call(c) => Err(refused(c.span(), "function and method calls are not allowed in an email message")),
        Expr::GetAttr(g) => {
            Err(refused(g.span(), "attribute lookups are not allowed in an email message: the variables are plain text (only `metadata.field`)"))
        }
        Expr::GetItem(g) => {
            Err(refused(g.span(), "item lookups are not allowed in an email message: the variables are plain text (only `metadata[\"field\"]`)"))
        }
        Expr::Slice(s) => Err(refused(s.span(), "slices are not allowed in an email message")),
        Expr::List(l) => Err(refused(l.span(), "lists are not allowed in an email message")),
        Expr::Map(m) => Err(refused(m.span(), "maps are not allowed in an email message")),
    }
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
        msg = "the template does too much work".into();
    }
    msg
}

/// A writer that refuses to grow past [`MAX_OUTPUT_BYTES`], so an oversized render stops while
/// it is written instead of after.
struct Capped {
    out: Vec<u8>,
    exceeded: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.exceeded = true;
            return Err(std::io::Error::other("the rendered message is too large"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a render failed.
#[derive(Debug)]
enum RenderFailure {
    /// Over the output or fuel bound: `template_too_expensive`.
    TooExpensive(Option<usize>, String),
    /// A construct outside the allowed set (a template saved before the rules).
    Forbidden(Refused),
    Other(minijinja::Error),
}

impl RenderFailure {
    fn into_error(self, field: &'static str) -> TemplateError {
        match self {
            RenderFailure::TooExpensive(line, why) => TemplateError::new(field, "template_too_expensive", line, why),
            RenderFailure::Forbidden(r) => TemplateError::new(field, "template_forbidden", r.line, r.what),
            RenderFailure::Other(e) => TemplateError::new(field, "template_render", error_line(&e), describe(&e)),
        }
    }
}

/// Renders one template with every bound in force: allowed constructs, fuel, output size.
fn render_bounded(source: &str, html: bool, vars: &Value) -> Result<String, RenderFailure> {
    if let Some((line, kw)) = forbidden_statement(source) {
        return Err(RenderFailure::Forbidden(Refused {
            line: Some(line),
            what: format!("`{{% {kw} %}}` is not allowed: a message cannot read other templates or files."),
        }));
    }
    check_constructs(source).map_err(RenderFailure::Forbidden)?;
    let env = environment(html);
    let template = env.template_from_str(source).map_err(RenderFailure::Other)?;
    let mut out = Capped { out: Vec::new(), exceeded: false };
    let result = template.render_captured_to(vars, &mut out).map(|_| ());
    match result {
        _ if out.exceeded => Err(RenderFailure::TooExpensive(None, format!("the message renders more than {} KiB", MAX_OUTPUT_BYTES / 1024))),
        Err(e) if e.kind() == ErrorKind::OutOfFuel => Err(RenderFailure::TooExpensive(error_line(&e), describe(&e))),
        Err(e) => Err(RenderFailure::Other(e)),
        Ok(()) => String::from_utf8(out.out).map_err(|_| RenderFailure::Other(minijinja::Error::new(ErrorKind::InvalidOperation, "the output is not UTF-8"))),
    }
}

/// Checks one template field (`subject` or `body`) of `kind`.
fn check_field(kind: TemplateKind, field: &'static str, source: &str, html: bool, errors: &mut Vec<TemplateError>) {
    if let Some((line, kw)) = forbidden_statement(source) {
        errors.push(TemplateError::new(
            field,
            "template_forbidden",
            Some(line),
            format!("`{{% {kw} %}}` is not allowed: a message cannot read other templates or files."),
        ));
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
    if let Err(r) = check_constructs(source) {
        errors.push(TemplateError::new(field, "template_forbidden", r.line, r.what));
        return;
    }
    let allowed: HashSet<&str> = variables(kind).iter().map(|v| v.name).collect();
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
    // The longest value each variable can have, so a message that fits with samples but not
    // with real data is refused now rather than falling back at send time.
    if let Err(e) = render_bounded(source, html, &longest_vars().to_value()) {
        errors.push(e.into_error(field));
    }
}

/// Checks a template before it is saved: sizes, single-line subject, syntax, known variables,
/// no statements that reach outside, and a render with sample data that stays within bounds.
pub fn validate(kind: TemplateKind, source: &Source) -> Result<(), Vec<TemplateError>> {
    let mut errors = Vec::new();
    match (&source.subject, kind.is_fragment()) {
        (Some(_), true) => errors.push(TemplateError::new(
            "subject",
            "not_allowed",
            None,
            format!("The {} is a fragment of every email and has no subject.", kind.title().to_lowercase()),
        )),
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
    /// The user's metadata, one text per top-level field.
    pub metadata: Metadata,
}

/// An end user's metadata as a message sees it: each top-level field as text (strings as they
/// are, other values as JSON); a field the user does not have is empty rather than an error, so
/// one message serves users with and without it.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    fields: BTreeMap<String, String>,
    /// Every field reads as this (the worst case when checking a template's size).
    every: Option<String>,
}

impl Metadata {
    /// From a user's metadata object (anything else is no fields).
    pub fn from_json(value: &serde_json::Value) -> Self {
        let fields = value
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        (k.clone(), text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { fields, every: None }
    }
}

impl minijinja::value::Object for Metadata {
    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        Some(Value::from(self.every.clone().or_else(|| self.fields.get(key).cloned()).unwrap_or_default()))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::NonEnumerable
    }
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
        .chain([("metadata", Value::from_object(self.metadata.clone()))])
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
        metadata: Metadata::from_json(&serde_json::from_str(METADATA.sample).unwrap_or_default()),
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

/// The largest values the variables take in real emails (names and emails at their domain
/// limits, a long link), to check a template against the worst case.
fn longest_vars() -> Vars {
    let long = |n: usize| "W".repeat(n);
    Vars {
        instance_name: long(100),
        logo_url: long(200),
        first_name: long(steward_domain::end_user::PERSON_NAME_MAX_CHARS),
        last_name: long(steward_domain::end_user::PERSON_NAME_MAX_CHARS),
        user_name: long(steward_domain::end_user::DISPLAY_NAME_MAX_CHARS),
        email: long(254),
        link: long(400),
        expires_in: long(16),
        change: long(400),
        metadata: Metadata { fields: BTreeMap::new(), every: Some(long(steward_domain::end_user::METADATA_MAX_BYTES)) },
    }
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
    let field_err = |field: &'static str| move |e: RenderFailure| e.into_error(field);
    let render_one = render_bounded;
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
        assert_eq!(
            codes(validate(TemplateKind::Verification, &src("Hi", "<p>ok</p>\n<p>{{ undefined_var }}</p>"))),
            vec![("body", "template_unknown_variable", Some(2))]
        );
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", "line\n{% include 'x.html' %}"))), vec![("body", "template_forbidden", Some(2))]);
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", "a\nb\n{% if %}"))), vec![("body", "template_syntax", Some(3))]);
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi\r\nBcc: x@y", "b"))), vec![("subject", "invalid_characters", None)]);
        assert_eq!(codes(validate(TemplateKind::Footer, &src("Hi", "b"))), vec![("subject", "not_allowed", None)]);
        assert_eq!(
            codes(validate(TemplateKind::Greeting, &Source { subject: None, body: "{{ link }}".into() })),
            vec![("body", "template_unknown_variable", Some(1))]
        );
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", &"x".repeat(MAX_BODY_BYTES + 1)))), vec![("body", "too_long", None)]);
        // Conditions, comparisons, text filters and `~` are fine.
        assert_eq!(
            validate(
                TemplateKind::Verification,
                &src(
                    "{{ instance_name|upper }}",
                    "{% if first_name %}Hi {{ first_name|title ~ '!' }}{% elif email is defined and email != '' %}{{ email|lower }}{% else %}Hello{% endif %} {{ link }}"
                )
            ),
            Ok(())
        );
    }

    /// Templates that would allocate without bound or loop are refused before they run, by
    /// construct, with the line; nothing here is ever evaluated.
    #[test]
    fn refuses_constructs_that_could_eat_memory_or_time() {
        let attacks = [
            ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", 1),
            ("ok\n{% set s = link ~ link %}{% set s = s ~ s %}{% set s = s ~ s %}", 2),
            ("{{ link * 10000000000 }}", 1),
            ("{{ 'x' * 999999999 }}", 1),
            ("{{ link|center(2147483647) }}", 1),
            ("{{ link|indent(999999999) }}", 1),
            ("{{ link|replace('a', link)|replace('a', link) }}", 1),
            ("{% with s = link %}{{ s }}{% endwith %}", 1),
            ("{% filter upper %}x{% endfilter %}", 1),
            ("{{ range(10)|join(',') }}", 1),
            ("{{ namespace() }}", 1),
            ("{{ [link, link]|join }}", 1),
            ("{{ link[0:9] }}", 1),
            ("{{ link ** 40 }}", 1),
            ("{{ link|safe }}", 1),
            ("{% autoescape false %}{{ link }}{% endautoescape %}", 1),
        ];
        for (body, line) in attacks {
            let r = codes(validate(TemplateKind::Verification, &src("Hi", body)));
            assert_eq!(r, vec![("body", "template_forbidden", Some(line))], "{body}");
        }
    }

    /// A template that is allowed but renders too much is stopped while it is written
    /// (`template_too_expensive`), with real data as with samples.
    #[test]
    fn output_is_bounded_while_rendering() {
        let huge = "{{ link ~ link ~ link ~ link ~ link ~ link ~ link ~ link }}".repeat(MAX_BODY_BYTES / 60);
        assert!(huge.len() <= MAX_BODY_BYTES);
        assert_eq!(codes(validate(TemplateKind::Verification, &src("Hi", &huge))), vec![("body", "template_too_expensive", None)]);
        // The same bound holds when rendering a stored template (saved before the rules).
        let parts = Parts { message: src("Hi", &huge), ..Parts::defaults(TemplateKind::Verification) };
        let e = render(TemplateKind::Verification, &parts, &EmailStyle::default(), &longest_vars()).unwrap_err();
        assert_eq!((e.field, e.code), ("body", "template_too_expensive"));
        let stored_loop = Parts {
            message: src("Hi", "{% for c in link %}{% for d in link %}{{ link }}{% endfor %}{% endfor %}"),
            ..Parts::defaults(TemplateKind::Verification)
        };
        let e = render(TemplateKind::Verification, &stored_loop, &EmailStyle::default(), &sample_vars(TemplateKind::Verification)).unwrap_err();
        assert_eq!((e.field, e.code), ("body", "template_forbidden"));
    }

    #[test]
    fn subject_variables_cannot_add_headers() {
        let mut v = sample_vars(TemplateKind::UpdateAccount);
        v.instance_name = "Shop\r\nBcc: evil@example.com".into();
        let r = render(TemplateKind::UpdateAccount, &Parts::defaults(TemplateKind::UpdateAccount), &EmailStyle::default(), &v).unwrap();
        assert!(!r.subject.contains(['\r', '\n']));
    }
}
