"""Schemathesis hooks for Steward's contract test (crates/server/tests/api/contract.rs).

Authentication is a real sign-in, renewed every few seconds: the run itself signs the account
out, revokes sessions and rotates secrets, and a revoked token would otherwise leave every later
request at 401 (documented, so passing, but testing nothing).
"""

import base64
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request

import schemathesis

BASE = os.environ["STEWARD_CONTRACT_BASE"]
DOC = os.environ["STEWARD_CONTRACT_DOC"]


def _post(path, data, headers):
    req = urllib.request.Request(BASE + path, data=data, method="POST", headers=headers)
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


@schemathesis.auth(refresh_interval=2)
class StewardAuth:
    """A console session renewed with its refresh token (a sign-in only when the run ended the
    session: Schemathesis's own sign-ins may lock the address out for a while), or a back-end
    application's client-credentials token."""

    refresh_token = os.environ.get("STEWARD_CONTRACT_REFRESH_TOKEN")
    lock = threading.Lock()

    def get(self, case, ctx):
        with StewardAuth.lock:  # a refresh token works once: two workers must not both use it
            return self._get()

    def _get(self):
        if DOC == "console":
            grant = None
            if self.refresh_token:
                try:
                    grant = _post("/api/v1/auth/refresh", json.dumps({"refresh_token": self.refresh_token}).encode(), {"Content-Type": "application/json"})
                except urllib.error.HTTPError:
                    grant = None
            if grant is None:
                body = json.dumps({"email": os.environ["STEWARD_CONTRACT_EMAIL"], "password": os.environ["STEWARD_CONTRACT_PASSWORD"]})
                try:
                    grant = _post("/api/v1/auth/login", body.encode(), {"Content-Type": "application/json"})
                except urllib.error.HTTPError as e:
                    print(f"contract hooks: sign-in failed: {e.code} {e.read()!r}", file=sys.stderr)
                    raise
            StewardAuth.refresh_token = grant["refresh_token"]
            return grant["access_token"]
        basic = base64.b64encode(f'{os.environ["STEWARD_CONTRACT_CLIENT_ID"]}:{os.environ["STEWARD_CONTRACT_CLIENT_SECRET"]}'.encode()).decode()
        slug = os.environ["STEWARD_CONTRACT_INSTANCE"]
        return _post(f"/public/v1/{slug}/oauth/token", b"grant_type=client_credentials&scope=users%3Amanage",
                     {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"})["access_token"]

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# Rules a JSON Schema cannot state, by the problem document's (field, code) — and why. A request
# the schema allows but one of these refuses is the server being right, not the document being
# wrong; any other refusal of schema-valid data still fails the run. Keep this list short: when
# a rule *can* be written in the schema (a length, a pattern, a range), write it there instead.
INEXPRESSIBLE = {
    ("email", "invalid_email"): "RFC 5321's 64-character limit on the local part, with its dot rules, needs a look-ahead the generator cannot use (the schema states format email and the length)",
    ("cursor", "invalid_cursor"): "a cursor is an opaque position this API handed out; a made-up one is refused",
    ("expires_at", "in_the_past"): "relative to the time of the request",
    ("time_zone", "invalid_time_zone"): "a name in the IANA time zone database of the server's build",
    ("redirect_uris", "not_applicable"): "depends on the application's kind (front end or back end)",
    ("allowed_origins", "not_applicable"): "depends on the application's kind (front end or back end)",
    ("redirect_uris[]", "invalid_url"): "https, or http for localhost only; no fragment",
    ("allowed_origins[]", "invalid_origin"): "https://host[:port], or http for localhost only",
    ("allowed_origins[]", "invalid_url"): "https://host[:port], or http for localhost only",
    ("ids", "duplicate"): "uniqueItems, which the document generator (utoipa) cannot emit; the description says it",
    ("code", "one_of"): "either a code or a recovery code, not both",
    ("recovery_code", "one_of"): "either a code or a recovery code, not both",
    ("refresh_token", "required"): "required unless the session cookie is used instead",
    ("end_user_id", "not_found"): "must name an existing end user",
    ("host", "required"): "required only when custom SMTP is enabled",
    ("from_address", "required"): "required only when custom SMTP is enabled",
    ("current_password", "required"): "required only when the email changes",
    ("current_password", "incorrect_password"): "a credential: the schema promises a well-formed request, not the right password",
    ("name", "invalid_characters"): "stated by the schema's pattern (no control characters), which Schemathesis's coverage phase does not always honour",
    ("from_address", "invalid_email"): "the email rule above",
    ("send_invitation", "not_applicable"): "either an invitation or a password, not both",
    ("subject", "required"): "depends on the template's kind in the path (whole emails have a subject; the layout has none)",
    ("from", "invalid_date"): "an RFC 3339 date-time, or empty for no bound",
    ("to", "invalid_date"): "an RFC 3339 date-time, or empty for no bound",
    ("created_from", "invalid_date"): "an RFC 3339 date-time, or empty for no bound",
    ("created_to", "invalid_date"): "an RFC 3339 date-time, or empty for no bound",
    ("limit", "out_of_range"): "a whole number from 1 to 100, or empty (the users list takes its filters as text, like a form)",
    ("url", "invalid_url"): "a URL the server can parse, with a host",
    ("settings", "required"): "required until an SMTP server is saved",
    ("given_name", "invalid_characters"): "stated by the schema's pattern, which the coverage phase does not always honour",
    ("family_name", "invalid_characters"): "stated by the schema's pattern, which the coverage phase does not always honour",
    ("ids", "invalid_id"): "user ids separated by commas",
    ("subject", "not_allowed"): "depends on the template's kind in the path (fragments have no subject)",
    ("to", "required"): "the test's recipient, checked with the settings",
    ("to", "invalid_email"): "the email rule above",
    ("host", "invalid_host"): "a host name or an IP address, without a port",
    ("from_name", "invalid_characters"): "no line breaks or control characters (a header value)",
    ("reply_to", "invalid_email"): "the email rule above",
    ("allowed_origins[]", "not_applicable"): "depends on the application's kind (front end or back end)",
    ("redirect_uris[]", "not_applicable"): "depends on the application's kind (front end or back end)",
    ("password", "required"): "an SMTP password is required with a username",
    ("username", "invalid_characters"): "no control characters (sent in an SMTP command)",
    ("code", "required"): "either a code or a recovery code is required",
    ("event_types", "not_subscribable"): "webhook.test is in the event-type enum (deliveries carry it) but is sent only on request",
    ("header", "invalid_header"): "the CSV's header row must name known columns",
    # Identity providers: which settings apply, and which are required, depend on the provider's
    # kind, named by the key in the path; a discovery document is fetched on save.
    ("client_id", "not_applicable"): "depends on the provider's kind (the key in the path)",
    ("client_secret", "not_applicable"): "depends on the provider's kind (the key in the path)",
    ("scopes", "not_applicable"): "depends on the provider's kind (the key in the path)",
    ("discovery_url", "not_applicable"): "depends on the provider's kind (the key in the path)",
    ("allow_registration", "not_applicable"): "depends on the provider's kind (the key in the path)",
    ("guest_lifetime_secs", "not_applicable"): "depends on the provider's kind (the key in the path)",
    ("scopes", "openid_required"): "an OpenID Connect provider (by the key in the path) needs the openid scope",
    ("scopes", "invalid_scope"): "RFC 6749 scope tokens: visible ASCII without spaces, quotes or backslashes",
    ("client_id", "required"): "required to enable a provider that signs in elsewhere",
    ("client_secret", "required"): "required to enable a provider that signs in elsewhere",
    ("discovery_url", "required"): "required for an OpenID Connect provider",
    ("client_secret", "reenter_secret"): "a stored secret is sent only to the issuer it was saved for",
    ("discovery_url", "discovery_failed"): "the document is fetched and checked on save; a generated host does not answer",
    ("discovery_url", "invalid_url"): "an http(s) URL with a host",
    ("discovery_url", "address_not_allowed"): "the egress policy of the operator",
    ("application_ids", "unknown_application"): "must name applications of the instance",
    ("key", "invalid_key"): "a provider key: the path's pattern, and not ending with a hyphen",
    ("key", "reserved_key"): "a built-in provider's name is not an OpenID Connect key",
    ("display_name", "invalid_characters"): "stated by the schema's pattern, which the coverage phase does not always honour",
    ("button_label", "invalid_characters"): "stated by the schema's pattern, which the coverage phase does not always honour",
    ("display_name", "required"): "not blank",
    ("button_label", "required"): "not blank",
    # A guest's upgrade link: the application's own redirect URIs, PKCE and scopes.
    ("redirect_uri", "unknown_redirect_uri"): "must be one of the application's redirect URIs",
    ("code_challenge", "invalid_request"): "S256 only, the base64url SHA-256 of a verifier",
    ("code_challenge", "unsupported_response_type"): "never answered for a guest link",
    ("scope", "invalid_scope"): "openid, email, profile and offline_access, space-separated",
    # Usage windows: a custom frame needs both bounds, in order, and a series at most 1500 points.
    ("from", "required"): "required when the frame is custom",
    ("to", "required"): "required when the frame is custom",
    ("from", "from_after_to"): "relative to `to`",
    ("granularity", "too_many_points"): "depends on the window's length (at most 1500 points)",
    ("plan", "unknown_plan"): "a key of the operator's plan catalogue (configuration, listed by GET /api/v1/billing/plans)",
    # Configuration: custom keys live outside the built-in entries' namespaces; a description
    # has no control characters; a backup's name is not blank once trimmed.
    ("key", "unknown_key"): "must name a built-in entry or one defined in the instance",
    ("description", "invalid_description"): "not blank, no control characters but line breaks",
    ("name", "invalid_name"): "not blank once trimmed, no control characters",
}

# The same, for refusals of a whole body: a logo must be a complete PNG of 100 to 1200 pixels a
# side; the schema can say "binary", not "a valid PNG image".
INEXPRESSIBLE_CODES = {"logo_missing", "logo_not_png", "logo_corrupt", "logo_too_small_dimensions", "logo_too_large_dimensions"}

# Answers that depend on a credential the generator cannot know (a one-time link's token, an
# application's secret): the schema promises a well-formed request, not a valid credential.
CREDENTIAL_CODES = {"invalid_token", "invalid_client", "invalid_grant", "incorrect_password"}

# An `If-Match` must name an ETag this API handed out (and still current): a made-up one is
# refused with 412, as a made-up cursor is.
PRECONDITION_CODES = {"stale_version"}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if getattr(failure, "code", None) != "ST202":
        return True
    # The hosted sign-in pages (HTML) need a registered client with its exact redirect URI, or a
    # request bound to the browser by a cookie, or a provider's one-time state: credentials the
    # generator cannot know. Their refusals are pages for a person, not problem documents.
    content_type = response.headers.get("content-type") or [""]
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if ("/oauth/authorize" in case.path or "/oauth/callback/" in case.path) and content_type.startswith("text/html"):
        return False
    try:
        problem = response.json()
    except Exception:
        return True
    if problem.get("code") in CREDENTIAL_CODES | INEXPRESSIBLE_CODES | PRECONDITION_CODES or problem.get("error") in CREDENTIAL_CODES:
        return False
    # A form may not repeat a parameter (RFC 6749 §3.2); a generator can write two names that
    # decode to one.
    if problem.get("error") == "invalid_request" and "more than once" in problem.get("error_description", ""):
        return False
    # Which form fields a token request needs depends on its grant (RFC 6749 §4.3, §6): one form
    # schema cannot say it per grant_type.
    if problem.get("error") in ("invalid_request", "unsupported_grant_type", "invalid_scope") and case.path.endswith("/oauth/token"):
        return False
    # `settings.host` (the SMTP test's draft) is the same rule as `host`; `ids[3]` as `ids[]`.
    errors = [(re.sub(r"\[\d+\]", "[]", (e.get("field") or "").removeprefix("settings.")), e.get("code")) for e in problem.get("errors") or []]
    return not errors or not all(e in INEXPRESSIBLE or _rule_of_a_kind(e) for e in errors)


def _rule_of_a_kind(error):
    field, code = error
    # A configuration value (or a custom entry's default) is checked against the entry's own
    # JSON Schema, chosen at run time by the key in the path or the document's definitions; a
    # custom schema against the JSON Schema meta-schema.
    if field.startswith(("value", "default", "schema", "entries.", "definitions.")) or field in ("format", "values", "definitions"):
        return True
    # A template is checked against its kind's variables and the template language's syntax;
    # an origin or redirect URI against the rules of origins (https, or http for localhost; no
    # path; no wildcard; no duplicates), which a pattern would state only in part.
    return (code or "").startswith("template_") or field.startswith(("allowed_origins[]", "redirect_uris[]"))
