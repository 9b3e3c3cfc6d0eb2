//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps,
//! six digits — what every authenticator app computes from a scanned `otpauth://` URI.
//!
//! A code is accepted for the current step and one step either side (clock drift), and only for
//! a step later than the last one accepted: a code works once, and an older code cannot be used
//! after a newer one.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of the current one.
pub const DRIFT_STEPS: i64 = 1;
/// Bytes of a secret (160 bits, the size RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The step that `unix_secs` falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of `secret` at `step` (RFC 4226 dynamic truncation).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary =
        (u32::from(digest[offset]) & 0x7f) << 24 | u32::from(digest[offset + 1]) << 16 | u32::from(digest[offset + 2]) << 8 | u32::from(digest[offset + 3]);
    binary % 10u32.pow(DIGITS)
}

/// The code of `secret` at `step`, as typed: six digits with leading zeros.
pub fn format_code(secret: &[u8], step: i64) -> String {
    format!("{:0width$}", code_at(secret, step), width = DIGITS as usize)
}

/// Parses what a person typed: six digits, spaces and dashes ignored.
pub fn parse_code(typed: &str) -> Option<u32> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// The step whose code `typed` is, within the drift window around `unix_secs` and later than
/// `last_step` (the last step accepted, if any); `None` when the code is wrong, outside the
/// window or already used.
pub fn verify(secret: &[u8], typed: &str, unix_secs: i64, last_step: Option<i64>) -> Option<i64> {
    let code = parse_code(typed)?;
    let now = step_at(unix_secs);
    let mut matched = None;
    // Every candidate is computed, whichever matches, so the time taken says nothing.
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let fresh = last_step.is_none_or(|last| step > last);
        if code_at(secret, step) == code && fresh && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes [`base32`] (case-insensitive, spaces and padding ignored).
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|&a| char::from(a) == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn uri_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `otpauth://` URI an authenticator app scans (Key Uri Format).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let (issuer, account) = (uri_escape(issuer), uri_escape(account));
    format!("otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}", base32(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (eight-digit codes; ours are their last six digits).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight) in
            [(59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"), (2_000_000_000, "69279037")]
        {
            assert_eq!(format_code(secret, step_at(time)), eight[2..], "at {time}");
        }
    }

    #[test]
    fn a_code_works_once_and_within_one_step_of_drift() {
        let secret = b"12345678901234567890";
        let t = 1_111_111_111;
        let step = step_at(t);
        let code = format_code(secret, step);
        assert_eq!(verify(secret, &code, t, None), Some(step));
        assert_eq!(verify(secret, &code, t, Some(step)), None, "replayed");
        assert_eq!(verify(secret, &code, t + STEP_SECS, None), Some(step), "one step late");
        assert_eq!(verify(secret, &code, t - STEP_SECS, None), Some(step), "one step early");
        assert_eq!(verify(secret, &code, t + 2 * STEP_SECS, None), None, "two steps late");
        let newer = format_code(secret, step + 1);
        assert_eq!(verify(secret, &code, t, Some(step - 1)), Some(step));
        assert_eq!(verify(secret, &code, t + STEP_SECS, Some(step + 1)), None, "older than the last accepted");
        assert_eq!(verify(secret, &newer, t, Some(step)), Some(step + 1));
    }

    #[test]
    fn codes_are_parsed_leniently_but_exactly() {
        assert_eq!(parse_code("123 456"), Some(123_456));
        assert_eq!(parse_code("012-345"), Some(12_345));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("1234567"), None);
        assert_eq!(parse_code("12345a"), None);
        assert_eq!(parse_code("١٢٣٤٥٦"), None, "only ASCII digits");
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw6ytboi").as_deref(), Some(&b"foobar"[..]));
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32(&secret)), Some(secret));
        assert_eq!(base32_decode("not base32!"), None);
    }

    #[test]
    fn uri_names_issuer_and_account() {
        let uri = otpauth_uri("Steward", "ana@example.com", b"12345678901234567890");
        assert_eq!(uri, "otpauth://totp/Steward:ana@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steward&algorithm=SHA1&digits=6&period=30");
    }
}
