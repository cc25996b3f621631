//! The serde support behind the generated object types, responses and enums.
//!
//! Generated code implements `Deserialize` and `Serialize` for those types by
//! hand instead of deriving them: a derived `Deserialize` expands to about
//! thirty lines per field (a field enum, its visitor, a sequence visitor no
//! JSON object needs), and that expansion was over half of what the compiler
//! spent on this crate. A generated impl here is one match arm and one line of
//! construction per field; everything generic lives in this module, once.
//!
//! The wire rules match what the derive did: unknown keys are skipped (or
//! collected by the type's catch-all map), a key given twice is an error, a
//! required field that is absent is an error naming it, a nilable field may be
//! absent or `null`, and timestamps are RFC 3339 strings.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use time::OffsetDateTime;

/// A type read from a JSON object key by key; implemented by generated code.
pub(crate) trait Object: Sized {
    /// The Rust type name, used in "expected ..." messages.
    const NAME: &'static str;
    /// Reads every entry of `map` and builds the value.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of every [`Object`]: asks for a map and hands
/// its entries to [`Object::from_map`].
pub(crate) fn object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object ({})", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// A string from the input: borrowed when the input allows it (object keys
/// without escapes), owned otherwise. Used for object keys and enum values.
pub(crate) enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Text<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(text) => text,
            Text::Owned(text) => text,
        }
    }

    pub(crate) fn into_string(self) -> String {
        match self {
            Text::Borrowed(text) => text.to_owned(),
            Text::Owned(text) => text,
        }
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
        Ok(Text::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
        Ok(Text::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
        Ok(Text::Owned(text))
    }
}

/// Reads the value of the entry just keyed `field` into its slot; the same key
/// twice in one object is an error.
pub(crate) fn put<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads and drops the value of a key no field names.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// Reads the value of a key no field names into the type's catch-all map.
pub(crate) fn rest<'de, A: MapAccess<'de>, V: Deserialize<'de>, M: Extend<(String, V)>>(
    map: &mut A,
    rest: &mut M,
    key: Text<'de>,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    rest.extend([(key.into_string(), value)]);
    Ok(())
}

/// The "missing field" error for the first required field that is absent;
/// `required` pairs each required field with whether it is absent.
pub(crate) fn missing<E: de::Error>(required: &[(&'static str, bool)]) -> E {
    match required.iter().find(|(_, absent)| *absent) {
        Some((field, _)) => E::missing_field(field),
        None => E::custom("an object with every required field"),
    }
}

/// A timestamp read from an RFC 3339 string.
pub(crate) struct Timestamp(pub(crate) OffsetDateTime);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        time::serde::rfc3339::deserialize(deserializer).map(Timestamp)
    }
}

/// A timestamp written as an RFC 3339 string.
pub(crate) struct TimestampRef<'a>(pub(crate) &'a OffsetDateTime);

impl Serialize for TimestampRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        time::serde::rfc3339::serialize(self.0, serializer)
    }
}

/// A list written as one string, the items separated by single spaces.
pub(crate) struct SpaceSeparated<'a>(pub(crate) &'a [String]);

impl Serialize for SpaceSeparated<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.join(" "))
    }
}

/// An optional space-separated list as it is written: left out when unset
/// or empty.
pub(crate) fn space_separated(list: &Option<Vec<String>>) -> Option<SpaceSeparated<'_>> {
    list.as_deref()
        .filter(|items| !items.is_empty())
        .map(SpaceSeparated)
}

/// A list read from one string, split at spaces; an empty string is an empty
/// list.
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) struct SplitSpaces(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for SplitSpaces {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(deserializer)?;
        Ok(SplitSpaces(
            text.as_str()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        ))
    }
}

/// How many of the optional fields are set, for the length of a written object.
pub(crate) fn count_set(present: &[bool]) -> usize {
    present.iter().filter(|set| **set).count()
}

/// Writes an object entry by entry. The first error is kept and returned by
/// [`Writer::end`]; entries after it are not written.
pub(crate) struct Writer<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> Writer<M> {
    /// Starts an object of `len` entries.
    pub(crate) fn new<S: Serializer<SerializeMap = M, Error = M::Error>>(
        serializer: S,
        len: usize,
    ) -> Result<Self, M::Error> {
        Ok(Writer {
            map: serializer.serialize_map(Some(len))?,
            error: None,
        })
    }

    /// Writes one entry.
    pub(crate) fn entry<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.write(key, value);
    }

    /// Writes one entry unless an earlier one failed.
    fn write<K: Serialize + ?Sized, T: Serialize + ?Sized>(&mut self, key: &K, value: &T) {
        if self.error.is_none() {
            self.error = self.map.serialize_entry(key, value).err();
        }
    }

    /// Writes one entry when the value is set; an unset optional field is
    /// left out, never written as `null`.
    pub(crate) fn entry_if<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.entry(key, value);
        }
    }

    /// Writes every entry of a catch-all map. (Today only responses have one,
    /// and responses are written only with `test-util`.)
    #[cfg_attr(not(feature = "test-util"), allow(dead_code))]
    pub(crate) fn entries<'a, K, V, I>(&mut self, entries: I)
    where
        I: IntoIterator<Item = (&'a K, &'a V)>,
        K: Serialize + 'a,
        V: Serialize + 'a,
    {
        for (key, value) in entries {
            self.write(key, value);
        }
    }

    /// Closes the object, or returns the first error met while writing it.
    pub(crate) fn end(self) -> Result<M::Ok, M::Error> {
        match self.error {
            Some(error) => Err(error),
            None => self.map.end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-written [`Object`] shaped like the generated ones.
    #[derive(Debug, PartialEq)]
    struct Sample {
        id: String,
        note: Option<String>,
    }

    impl Object for Sample {
        const NAME: &'static str = "Sample";
        fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let mut id: Option<String> = None;
            let mut note: Option<Option<String>> = None;
            while let Some(key) = map.next_key::<Text<'de>>()? {
                match key.as_str() {
                    "id" => put(&mut map, &mut id, "id"),
                    "note" => put(&mut map, &mut note, "note"),
                    _ => skip(&mut map),
                }?;
            }
            match id {
                Some(id) => Ok(Sample {
                    id,
                    note: note.flatten(),
                }),
                None => Err(missing(&[("id", true)])),
            }
        }
    }

    impl<'de> Deserialize<'de> for Sample {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object(deserializer)
        }
    }

    fn decode(json: &str) -> Result<Sample, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_fields_and_skips_unknown_keys() {
        let sample = decode(r#"{"extra":{"deep":[1,2]},"id":"a","note":"n"}"#).unwrap();
        assert_eq!(
            sample,
            Sample {
                id: "a".into(),
                note: Some("n".into())
            }
        );
    }

    #[test]
    fn a_nilable_field_may_be_null_or_absent() {
        assert_eq!(decode(r#"{"id":"a","note":null}"#).unwrap().note, None);
        assert_eq!(decode(r#"{"id":"a"}"#).unwrap().note, None);
    }

    #[test]
    fn escaped_keys_are_matched_too() {
        // An escape forces the key to be copied instead of borrowed.
        assert_eq!(decode(r#"{"\u0069d":"a"}"#).unwrap().id, "a");
    }

    #[test]
    fn missing_duplicate_and_mistyped_fields_are_named() {
        assert!(
            decode(r#"{"note":"n"}"#)
                .unwrap_err()
                .contains("missing field `id`")
        );
        assert!(
            decode(r#"{"id":"a","id":"b"}"#)
                .unwrap_err()
                .contains("duplicate field `id`")
        );
        let mistyped = decode(r#"{"id":7}"#).unwrap_err();
        assert!(mistyped.contains("invalid type: integer `7`"), "{mistyped}");
        let not_object = decode(r#"[1]"#).unwrap_err();
        assert!(
            not_object.contains("a JSON object (Sample)"),
            "{not_object}"
        );
    }

    #[test]
    fn timestamps_are_rfc3339_both_ways() {
        let parsed: Timestamp = serde_json::from_str(r#""2026-11-30T06:00:00Z""#).unwrap();
        assert_eq!(parsed.0.unix_timestamp(), 1_796_018_400);
        assert_eq!(
            serde_json::to_string(&TimestampRef(&parsed.0)).unwrap(),
            r#""2026-11-30T06:00:00Z""#
        );
        assert!(serde_json::from_str::<Timestamp>(r#""yesterday""#).is_err());
    }

    #[test]
    fn space_separated_lists_are_one_string_and_left_out_when_empty() {
        let scopes = vec!["read:users".to_owned(), "write:users".to_owned()];
        assert_eq!(
            serde_json::to_string(&SpaceSeparated(&scopes)).unwrap(),
            r#""read:users write:users""#
        );
        assert!(space_separated(&None).is_none());
        assert!(space_separated(&Some(Vec::new())).is_none());
        assert!(space_separated(&Some(scopes.clone())).is_some());
        let read: SplitSpaces = serde_json::from_str(r#""read:users  write:users""#).unwrap();
        assert_eq!(read.0, scopes);
        let empty: SplitSpaces = serde_json::from_str(r#""""#).unwrap();
        assert!(empty.0.is_empty());
    }

    #[test]
    fn unset_optional_entries_are_left_out() {
        struct Written(Option<u8>);
        impl Serialize for Written {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut object = Writer::new(serializer, 1 + count_set(&[self.0.is_some()]))?;
                object.entry("always", "x");
                object.entry_if("maybe", &self.0);
                object.end()
            }
        }
        assert_eq!(
            serde_json::to_string(&Written(None)).unwrap(),
            r#"{"always":"x"}"#
        );
        assert_eq!(
            serde_json::to_string(&Written(Some(3))).unwrap(),
            r#"{"always":"x","maybe":3}"#
        );
    }
}
