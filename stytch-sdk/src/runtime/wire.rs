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
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &'static str, body: &[u8]) -> Result<T, Error> {
    // The plain decoder is the fast path; only a body that does not fit is
    // decoded a second time with path tracking, to say where it broke.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut path = e.path().to_string();
        let message = e.into_inner().to_string();
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
