//! Cursor pagination shared by every list.

use base64::Engine as _;

/// One page of a list: the items, an opaque cursor to the next page, and the total count.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

impl<T> Page<T> {
    /// A page from `items` fetched with `limit + 1` rows: the extra row, when present, only says
    /// that a next page exists, whose cursor is `key` of the last kept item.
    pub fn from_overfetch(mut items: Vec<T>, limit: u64, total: u64, key: impl Fn(&T) -> String) -> Self {
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|last| Cursor::encode(&key(last)))
        } else {
            None
        };
        Page { items, next_cursor, total }
    }
}

/// An opaque cursor: the sort key of the last item of the previous page, base64url-encoded.
pub struct Cursor;

impl Cursor {
    pub fn encode(key: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
    }

    /// `None` when the cursor was not made by [`Cursor::encode`]: not base64url, not text, too
    /// long, or holding control characters (no sort key has them, and PostgreSQL refuses NUL).
    pub fn decode(cursor: &str) -> Option<String> {
        if cursor.len() > 1024 {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
        String::from_utf8(bytes).ok().filter(|s| !s.is_empty() && !s.chars().any(char::is_control))
    }
}
