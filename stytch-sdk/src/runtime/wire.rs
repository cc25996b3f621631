//! Wire encoding and decoding: requests flattened into query strings and
//! form bodies, success bodies decoded with the path of the first field that
//! does not fit, and decoder messages stripped of the values they quote.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, RawBody};

/// The `request_id` of a success body, when it has one (read only for traces).
pub(super) fn body_request_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithRequestId {
        request_id: Option<String>,
    }
    serde_json::from_slice::<WithRequestId>(body)
        .ok()?
        .request_id
}

pub(super) fn encode_error(endpoint: &'static str, error: serde_json::Error) -> Error {
    Error::InvalidParameter {
        endpoint,
        parameter: "(request)",
        message: format!("cannot be encoded: {error}"),
    }
}

/// Turns a request into `name=value` pairs for a query string or form body.
/// Scalars are written as text, lists repeat the name, objects become JSON text.
pub(super) fn flatten<T: Serialize>(
    endpoint: &'static str,
    request: &T,
) -> Result<Vec<(String, String)>, Error> {
    use serde_json::Value;
    let value = serde_json::to_value(request).map_err(|e| encode_error(endpoint, e))?;
    let Value::Object(map) = value else {
        return Ok(Vec::new());
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (name, value) in map {
        match value {
            Value::Null => {}
            Value::Array(items) => {
                pairs.extend(
                    items
                        .into_iter()
                        .map(|item| (name.clone(), scalar_text(item))),
                );
            }
            other => pairs.push((name, scalar_text(other))),
        }
    }
    Ok(pairs)
}

pub(super) fn scalar_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Decodes a success body, naming the path of the first field that does not fit.
///
/// Only this line is compiled per answer type (in the crate that makes the
/// call); the error, path included, is worked out by non-generic code from
/// the body and the position where the decoder stopped. (Tracking the path
/// while decoding, as `serde_path_to_error` does, would compile every
/// answer's decoder a second time in the user's crate.)
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &'static str, body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| decode_error(endpoint, body, &e))
}

/// The error for a success body that does not decode.
fn decode_error(endpoint: &'static str, body: &[u8], error: &serde_json::Error) -> Error {
    let mut path = path_at(body, consumed(body, error.line(), error.column()));
    let message = error.to_string();
    // A missing field is reported at its parent; name the field itself.
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        path = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
    }
    Error::Decode {
        endpoint,
        path,
        message: redact_values(&message),
        body: RawBody::new(body),
    }
}

/// How many bytes of `body` the decoder had read when it stopped at `line`
/// and `column` (both counted from 1, the column in bytes; line 0 for an
/// error without a position).
fn consumed(body: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let line_start = match line {
        1 => 0,
        _ => body
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(at, _)| at + 1),
    };
    line_start.saturating_add(column).min(body.len())
}

/// The path of the value the decoder was reading after `consumed` bytes of
/// `body`, as `user.emails[0].verified` (`.` for the top level): the key or
/// list position last reached in each object or list still open there.
fn path_at(body: &[u8], consumed: usize) -> String {
    enum Open {
        /// An object, with the key last read and whether a key comes next.
        Object { key: Option<String>, key_next: bool },
        /// A list, with the position of the item last reached.
        List { index: usize },
    }
    let text = &body[..consumed.min(body.len())];
    let mut open: Vec<Open> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        match text[at] {
            b'{' => open.push(Open::Object {
                key: None,
                key_next: true,
            }),
            b'[' => open.push(Open::List { index: 0 }),
            b'}' | b']' => {
                open.pop();
            }
            b',' => match open.last_mut() {
                Some(Open::Object { key, key_next }) => (*key, *key_next) = (None, true),
                Some(Open::List { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = at;
                at += 1;
                while at < text.len() && text[at] != b'"' {
                    // An escaped character, a quote among them, is skipped whole.
                    at += if text[at] == b'\\' { 2 } else { 1 };
                }
                if let Some(Open::Object { key, key_next }) = open.last_mut()
                    && *key_next
                {
                    let quoted = &text[start..(at + 1).min(text.len())];
                    *key = Some(key_text(quoted));
                    *key_next = false;
                }
            }
            _ => {}
        }
        at += 1;
    }
    let mut path = String::new();
    for place in &open {
        match place {
            Open::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Open::Object { key: None, .. } => {}
            Open::List { index } => path.push_str(&format!("[{index}]")),
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// The text of an object key as it appears in the body, quotes included
/// (escapes resolved; a key cut short is shown as far as it goes).
fn key_text(quoted: &[u8]) -> String {
    serde_json::from_slice::<String>(quoted).unwrap_or_else(|_| {
        let inner = quoted.get(1..).unwrap_or_default();
        let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
        String::from_utf8_lossy(inner).into_owned()
    })
}

/// Removes the values serde quotes in its messages (`invalid type: string
/// "…"`, `integer \`…\``), which may be tokens or codes, keeping what was
/// expected and the names of fields.
pub(super) fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let string = rest.find("string \"").map(|at| (at + "string ".len(), '"'));
        let number = ["integer `", "floating point `", "character `"]
            .iter()
            .filter_map(|prefix| rest.find(prefix).map(|at| (at + prefix.len() - 1, '`')))
            .min();
        let Some((start, quote)) = [string, number].into_iter().flatten().min() else {
            break;
        };
        let after = &rest[start + 1..];
        // The value ends at the last matching quote before `, expected`
        // (strings may contain quotes themselves), or at the last one at all.
        let scope = after.find(", expected").map_or(after, |end| &after[..end]);
        let Some(end) = scope.rfind(quote) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("(value not shown)");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        count: u32,
        items: Option<Vec<Item>>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        on: bool,
    }

    /// The path and message of a body that does not decode as `Outer`.
    fn failure(body: &str) -> (String, String) {
        match decode::<Outer>("test.endpoint", body.as_bytes()).unwrap_err() {
            Error::Decode { path, message, .. } => (path, message),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn decode_errors_name_the_path_of_the_value_that_does_not_fit() {
        let cases = [
            (r#"{"name":"a","count":"7"}"#, "count"),
            (
                r#"{"name":"a","count":7,"items":[{"on":true},{"on":"no"}]}"#,
                "items[1].on",
            ),
            (
                r#"{"name":"a","count":7,"items":[{"on":true},{}]}"#,
                "items[1].on",
            ),
            (r#"{"name":"a"}"#, "count"),
            (r#"{"name":{"nested":[1,2]},"count":7}"#, "name"),
            (r#"{"name":"a","count":7,"items":7}"#, "items"),
            (
                "{\n  \"name\": \"a\",\n  \"count\": 7,\n  \"items\": [\n    {\"on\": 1}\n  ]\n}",
                "items[0].on",
            ),
            // Keys with escapes, and strings holding brackets, commas and quotes.
            (r#"{"na\u006de":"a, [\"b\"] {c}","count":true}"#, "count"),
            (
                r#"{"count":1,"name":"x","items":[{"on":false}],"items":[]}"#,
                "items",
            ),
            (r#"{"name":"a","count":7,"items":[{"on":true}"#, "items[0]"),
        ];
        for (body, expected) in cases {
            let (path, message) = failure(body);
            assert_eq!(path, expected, "{body}: {message}");
            // The same place `serde_path_to_error` names by tracking the path
            // while decoding (missing fields named at their parent there).
            let mut de = serde_json::Deserializer::from_str(body);
            let tracked = serde_path_to_error::deserialize::<_, Outer>(&mut de).unwrap_err();
            let tracked_path = tracked.path().to_string();
            // (A key given twice: serde's derive names the object, this
            // crate's generated decoders the key.)
            let same = match message.split('`').next() {
                Some("missing field ") => path.ends_with(message.split('`').nth(1).unwrap_or("?")),
                Some("duplicate field ") => true,
                // Where the input itself breaks off, both name a place near
                // the break; only errors in well-formed input must agree.
                _ if !tracked.inner().is_data() => true,
                _ => path == tracked_path,
            };
            assert!(same, "{body}: ours {path}, tracked {tracked_path}");
        }
        let (path, message) = failure("<html>down</html>");
        assert_eq!(path, ".");
        assert!(message.contains("expected value"), "{message}");
    }

    #[test]
    fn positions_count_bytes_on_their_own_line() {
        let body = b"{\n\"a\": 1,\n  \"b\": x}";
        assert_eq!(consumed(body, 0, 0), 0);
        assert_eq!(consumed(body, 1, 1), 1);
        assert_eq!(consumed(body, 2, 4), 6);
        assert_eq!(consumed(body, 3, 7), body.len() - 2);
        assert_eq!(consumed(body, 9, 9), body.len());
    }

    #[test]
    fn decoder_messages_lose_the_values_they_quote() {
        let cases = [
            (
                r#"invalid type: string "tok-1", expected a boolean at line 1 column 9"#,
                "invalid type: string (value not shown), expected a boolean at line 1 column 9",
            ),
            (
                r#"invalid value: string "a "quoted" tok", expected a date"#,
                "invalid value: string (value not shown), expected a date",
            ),
            (
                "invalid type: integer `123456`, expected a string",
                "invalid type: integer (value not shown), expected a string",
            ),
            ("missing field `phone_id`", "missing field `phone_id`"),
            (
                "invalid type: map, expected a string",
                "invalid type: map, expected a string",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(redact_values(message), expected);
        }
    }
}
