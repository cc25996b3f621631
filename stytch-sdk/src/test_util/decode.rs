//! Turns a request the mock received back into its typed form.
//!
//! The transport writes query strings and form bodies as text pairs (lists
//! repeat the name, objects become JSON text) and fills path placeholders
//! with text, so a received request is a list of named fields, each either a
//! JSON value (from a JSON body or a header) or one or more text values. The
//! deserializer here reads text values as whatever type the request field
//! asks for: numbers and booleans are parsed, repeated names form lists, and
//! JSON text fills objects.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde_json::Value;

/// One received field.
#[derive(Debug, Clone)]
pub(crate) enum Field {
    /// A value that arrived as JSON.
    Json(Value),
    /// Text values, in the order received (several for a repeated name).
    Text(Vec<String>),
}

/// Error of a request that does not fit its type.
#[derive(Debug)]
pub(crate) struct DecodeError(String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// Decodes the fields into `T`, naming the path of the first field that does not fit.
pub(crate) fn decode<T: DeserializeOwned>(fields: Vec<(String, Field)>) -> Result<T, String> {
    serde_path_to_error::deserialize(Fields(fields)).map_err(|e| {
        let path = e.path().to_string();
        format!("{path}: {}", e.into_inner())
    })
}

/// Parses `a=1&b=x+y&b=z` into text fields, keeping the order of first appearance.
pub(crate) fn text_pairs(encoded: &str, out: &mut Vec<(String, Field)>) {
    for pair in encoded.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (unescape(name), unescape(value));
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, Field::Text(values))) => values.push(value),
            Some((_, field)) => *field = Field::Text(vec![value]),
            None => out.push((name, Field::Text(vec![value]))),
        }
    }
}

/// Decodes one `application/x-www-form-urlencoded` component.
fn unescape(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

struct Fields(Vec<(String, Field)>);

impl<'de> de::Deserializer<'de> for Fields {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(FieldsAccess {
            fields: self.0.into_iter(),
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct FieldsAccess {
    fields: std::vec::IntoIter<(String, Field)>,
    value: Option<Field>,
}

impl<'de> MapAccess<'de> for FieldsAccess {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((name, value)) = self.fields.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        match self.value.take() {
            Some(Field::Json(value)) => seed.deserialize(value).map_err(de::Error::custom),
            Some(Field::Text(values)) => seed.deserialize(Text(values)),
            None => Err(de::Error::custom("value without a name")),
        }
    }
}

/// Text values read as the type the visitor asks for.
struct Text(Vec<String>);

impl Text {
    fn single(self) -> Result<String, DecodeError> {
        let mut values = self.0;
        match values.len() {
            1 => Ok(values.remove(0)),
            n => Err(de::Error::custom(format!("expected one value, got {n}"))),
        }
    }

    fn json(text: &str) -> Option<Value> {
        text.trim_start()
            .starts_with(['{', '['])
            .then(|| serde_json::from_str(text).ok())
            .flatten()
    }
}

macro_rules! parse_as {
    ($($method:ident => $visit:ident: $ty:ty,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
                let text = self.single()?;
                let value: $ty = text
                    .trim()
                    .parse()
                    .map_err(|_| de::Error::custom(format!("`{text}` is not a {}", stringify!($ty))))?;
                visitor.$visit(value)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Text {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.0.len() != 1 {
            return self.deserialize_seq(visitor);
        }
        let text = self.single()?;
        match Text::json(&text) {
            Some(value) => value.deserialize_any(visitor).map_err(de::Error::custom),
            None => visitor.visit_string(text),
        }
    }

    parse_as! {
        deserialize_bool => visit_bool: bool,
        deserialize_i8 => visit_i64: i64,
        deserialize_i16 => visit_i64: i64,
        deserialize_i32 => visit_i64: i64,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u64: u64,
        deserialize_u16 => visit_u64: u64,
        deserialize_u32 => visit_u64: u64,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f64: f64,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let items = self.0.into_iter().map(|v| Text(vec![v]));
        visitor.visit_seq(de::value::SeqDeserializer::new(items))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let text = self.single()?;
        let value: Value = serde_json::from_str(&text).map_err(de::Error::custom)?;
        value.deserialize_map(visitor).map_err(de::Error::custom)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let text = self.single()?;
        match Text::json(&text) {
            Some(value) => value
                .deserialize_enum(name, variants, visitor)
                .map_err(de::Error::custom),
            None => visitor.visit_enum(text.into_deserializer()),
        }
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple_struct
        identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, DecodeError> for Text {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Sample {
        name: String,
        limit: Option<i64>,
        ratio: f64,
        flag: bool,
        tags: Vec<String>,
        nested: Option<Nested>,
        missing: Option<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Nested {
        a: i64,
    }

    #[test]
    fn text_values_take_the_type_of_their_field() {
        let mut fields = Vec::new();
        text_pairs(
            "name=a+b%2Fc&limit=20&ratio=0.5&flag=true&tags=x&tags=y&nested=%7B%22a%22%3A3%7D",
            &mut fields,
        );
        let sample: Sample = decode(fields).unwrap();
        assert_eq!(
            sample,
            Sample {
                name: "a b/c".into(),
                limit: Some(20),
                ratio: 0.5,
                flag: true,
                tags: vec!["x".into(), "y".into()],
                nested: Some(Nested { a: 3 }),
                missing: None,
            }
        );
    }

    #[test]
    fn a_field_that_does_not_fit_is_named() {
        let mut fields = vec![("name".to_owned(), Field::Json(Value::from("n")))];
        text_pairs("limit=many&ratio=1&flag=false", &mut fields);
        let error = decode::<Sample>(fields).unwrap_err();
        assert!(error.starts_with("limit:"), "{error}");
        assert!(error.contains("`many` is not a i64"), "{error}");
    }
}
