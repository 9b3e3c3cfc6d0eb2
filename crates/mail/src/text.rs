//! The plain-text part of an email, derived from its HTML: paragraphs and line breaks kept,
//! links written out, tags dropped, entities decoded.

/// Block elements that start a new paragraph.
const BLOCKS: [&str; 16] = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol", "blockquote", "hr", "section", "pre"];

fn decode_entity(entity: &str) -> Option<char> {
    match entity {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "mdash" => Some('—'),
        "ndash" => Some('–'),
        "hellip" => Some('…'),
        "copy" => Some('©'),
        _ => {
            let num = entity.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Decodes the entities of `s`.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        match tail.find(';').filter(|end| *end <= 10).and_then(|end| decode_entity(&tail[..end]).map(|c| (c, end))) {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in a tag's inside (`a href="x" class=y`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[at + name.len()..].trim_start();
        if before_ok && rest.starts_with('=') {
            let offset = tag.len() - rest.len() + 1;
            let value = tag[offset..].trim_start();
            let v = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
                _ => value.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or_default(),
            };
            return Some(decode_entities(v));
        }
        from = at + name.len();
    }
    None
}

/// Converts an HTML fragment to readable plain text.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    // Links open: (href, where their text starts in `out`).
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut skip_until: Option<&'static str> = None;
    let mut rest = html;
    let push_text = |out: &mut String, text: &str| {
        let decoded = decode_entities(text);
        for (i, word) in decoded.split_whitespace().enumerate() {
            let starts_with_space = i > 0 || decoded.starts_with(char::is_whitespace);
            if starts_with_space && !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
            out.push_str(word);
        }
        if decoded.ends_with(char::is_whitespace) && !decoded.trim().is_empty() {
            out.push(' ');
        }
    };
    let paragraph = |out: &mut String| {
        while out.ends_with(' ') {
            out.pop();
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
        }
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                push_text(&mut out, rest);
            }
            break;
        };
        if skip_until.is_none() {
            push_text(&mut out, &rest[..lt]);
        }
        let Some(gt) = rest[lt..].find('>') else { break };
        let inside = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if inside.starts_with("!--") {
            continue;
        }
        let closing = inside.starts_with('/');
        let name: String = inside.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if let Some(until) = skip_until {
            if closing && name == until {
                skip_until = None;
            }
            continue;
        }
        match (name.as_str(), closing) {
            ("style", false) => skip_until = Some("style"),
            ("script", false) => skip_until = Some("script"),
            ("head", false) => skip_until = Some("head"),
            ("title", false) => skip_until = Some("title"),
            ("br", _) => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
            }
            ("li", false) => {
                while out.ends_with(' ') {
                    out.pop();
                }
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("- ");
            }
            ("a", false) => links.push((attribute(inside, "href").unwrap_or_default(), out.len())),
            ("a", true) => {
                if let Some((href, start)) = links.pop() {
                    let text = out[start.min(out.len())..].trim().to_owned();
                    if !href.is_empty() && !href.starts_with('#') && text != href {
                        while out.ends_with(' ') {
                            out.pop();
                        }
                        if text.is_empty() {
                            out.push_str(&href);
                        } else {
                            out.push_str(&format!(": {href}"));
                        }
                    }
                }
            }
            ("img", _) => {}
            (n, _) if BLOCKS.contains(&n) => paragraph(&mut out),
            _ => {}
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = lines.join("\n").trim().to_owned();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_links_and_entities() {
        let t = html_to_text(
            "<p>Hello Ada &amp; co,</p>\n<p>Click <a href=\"https://x.example/?a=1&amp;b=2\" style=\"x\">Verify email</a> now.</p><ul><li>one</li><li>two</li></ul><p>a<br>b</p><style>p{}</style><p>&#8212; bye</p>",
        );
        assert_eq!(t, "Hello Ada & co,\n\nClick Verify email: https://x.example/?a=1&b=2 now.\n\n- one\n- two\n\na\nb\n\n— bye\n");
    }

    #[test]
    fn bare_links_are_not_repeated() {
        assert_eq!(html_to_text("<a href=\"https://a.example\">https://a.example</a>"), "https://a.example\n");
        assert_eq!(html_to_text("<a href='https://a.example'></a>"), "https://a.example\n");
    }

    #[test]
    fn garbage_does_not_panic() {
        for s in ["<", "<<a href=", "&", "&#xffffffff;", "<a href=\"x\">é</a", "é<p>ü&", "</a></a>"] {
            let _ = html_to_text(s);
        }
    }
}
