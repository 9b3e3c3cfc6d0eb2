//! Just enough `multipart/form-data` (RFC 7578) to take one file field out of a body that was
//! already read under a size limit. Browsers' and curl's uploads parse; anything else is refused.

/// What went wrong reading a multipart body.
#[derive(Debug, PartialEq, Eq)]
pub enum MultipartError {
    /// The `Content-Type` has no usable `boundary` parameter.
    NoBoundary,
    /// The body does not follow the multipart structure.
    Malformed(&'static str),
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 200)
        .ok_or(MultipartError::NoBoundary)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The named parameter of a `Content-Disposition` header value (`name`, `filename`).
fn disposition_param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    value.split(';').skip(1).filter_map(|p| p.split_once('=')).find(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().trim_matches('"'))
}

/// The content of the part named `field`, or `None` when the body has no such part.
pub fn file_field<'a>(body: &'a [u8], boundary: &str, field: &str) -> Result<Option<&'a [u8]>, MultipartError> {
    let delimiter = format!("--{boundary}");
    let mut at = find(body, delimiter.as_bytes()).ok_or(MultipartError::Malformed("the body does not contain the boundary"))?;
    loop {
        let after = at + delimiter.len();
        let rest = &body[after..];
        if rest.starts_with(b"--") {
            return Ok(None);
        }
        let rest = rest.strip_prefix(b"\r\n").ok_or(MultipartError::Malformed("a boundary is not followed by a line break"))?;
        let head_end = find(rest, b"\r\n\r\n").ok_or(MultipartError::Malformed("a part has no end of headers"))?;
        let head = std::str::from_utf8(&rest[..head_end]).map_err(|_| MultipartError::Malformed("a part's headers are not text"))?;
        let content = &rest[head_end + 4..];
        let next_delimiter = format!("\r\n--{boundary}");
        let end = find(content, next_delimiter.as_bytes()).ok_or(MultipartError::Malformed("a part is not closed by the boundary"))?;
        let name = head
            .split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            .and_then(|(_, v)| disposition_param(v, "name"));
        if name == Some(field) {
            return Ok(Some(&content[..end]));
        }
        at = (body.len() - content.len()) + end + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--X\r\n--XyZ--\r\n";

    #[test]
    fn takes_the_named_part() {
        assert_eq!(boundary("multipart/form-data; boundary=XyZ").unwrap(), "XyZ");
        assert_eq!(boundary("multipart/form-data; boundary=\"XyZ\"").unwrap(), "XyZ");
        assert_eq!(boundary("multipart/form-data"), Err(MultipartError::NoBoundary));
        assert_eq!(file_field(BODY, "XyZ", "file").unwrap(), Some(&b"\x89PNG\r\n--X"[..]));
        assert_eq!(file_field(BODY, "XyZ", "note").unwrap(), Some(&b"hello"[..]));
        assert_eq!(file_field(BODY, "XyZ", "other").unwrap(), None);
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        for body in [&b""[..], b"--XyZ", b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc", b"--XyZ\r\nno end of headers", b"--XyZx"] {
            assert!(file_field(body, "XyZ", "file").is_err() || file_field(body, "XyZ", "file").unwrap().is_none());
        }
    }
}
