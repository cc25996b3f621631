//! The serde support behind the generated object types, requests, responses
//! and enums.
//!
//! Generated code implements `Deserialize` and `Serialize` for those types by
//! hand instead of deriving them: a derived `Deserialize` expands to about
//! thirty lines per field (a field enum, its visitor, a sequence visitor no
//! JSON object needs), and that expansion was over half of what the compiler
//! spent on this crate. A generated impl reads one line per wire key: a match
//! arm that reads the key's value into its field's slot ([`Reader`]), a
//! `let ... else` for each required field (an absent one leaves a labeled
//! block with its key, for the one error return after it), a line that turns
//! the slot into the field (a [`Reader`] method names a nilable field or a
//! wire format), and one [`Writer`] call per key to encode. The work behind
//! each line is generic code in this module.
//!
//! The generated lines avoid `?`: in a function generic over the
//! deserializer or serializer, each `?` makes the compiler solve `Try` and
//! `From` for the deserializer's error type, and with thousands of these
//! lines that was the largest part of the crate's type checking. The match
//! of a key takes one `?`, an absent required field's `let ... else` only
//! breaks out with its key (one error is built after the block), and the
//! [`Writer`] keeps the first error itself.
//!
//! The wire rules match what the derive did: unknown keys are skipped (or
//! collected by the type's catch-all map), a key given twice is an error
//! naming it, a required field that is absent is an error naming it, a
//! nilable field may be absent or `null`, unset optional fields are never
//! written, timestamps are RFC 3339 strings and some lists travel as one
//! space-separated string.

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

/// The entries of an object being read, for a generated `from_map`: the
/// generated code owns one slot (an `Option`) per field and matches each key
/// to its field; this type reads the values into the slots and turns the
/// slots into the field values, naming the field in every error.
///
/// ```text
/// let mut fields = crate::codec::Reader::new(map);
/// while let Some(key) = fields.next_key()? {
///     match key.as_str() {
///         "user_id" => fields.read(&mut user_id, "user_id"),
///         _ => fields.skip(),
///     }?;
/// }
/// let absent = 'missing: {
///     let Some(user_id) = user_id else { break 'missing "user_id" };
///     return Ok(Self { user_id, .. });
/// };
/// Err(fields.missing(absent))
/// ```
pub(crate) struct Reader<A> {
    map: A,
}

impl<'de, A: MapAccess<'de>> Reader<A> {
    #[inline]
    pub(crate) fn new(map: A) -> Self {
        Reader { map }
    }

    /// The next key, borrowed from the input when it has no escapes.
    #[inline]
    pub(crate) fn next_key(&mut self) -> Result<Option<Text<'de>>, A::Error> {
        self.map.next_key()
    }

    /// Reads the value of the key just returned into the field's slot. A
    /// nilable field's slot holds an `Option` itself, so that `null` is read
    /// as `Some(None)`. A key given twice is an error naming it.
    #[inline]
    pub(crate) fn read<W: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<W>,
        key: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(key));
        }
        *slot = Some(self.map.next_value()?);
        Ok(())
    }

    /// Reads and drops the value of a key no field names.
    #[inline]
    pub(crate) fn skip(&mut self) -> Result<(), A::Error> {
        self.map.next_value::<IgnoredAny>().map(drop)
    }

    /// Puts a key no field names, with its value, into the catch-all map.
    #[inline]
    pub(crate) fn rest<M, V>(&mut self, rest: &mut M, key: Text<'de>) -> Result<(), A::Error>
    where
        M: Extend<(String, V)>,
        V: Deserialize<'de>,
    {
        let value = self.map.next_value()?;
        rest.extend([(key.into_string(), value)]);
        Ok(())
    }

    /// The error for a required field that is absent (or `null`, which its
    /// type does not accept), naming it.
    #[inline]
    pub(crate) fn missing(&self, key: &'static str) -> A::Error {
        de::Error::missing_field(key)
    }

    /// A required RFC 3339 timestamp, once present.
    #[inline]
    pub(crate) fn time(&self, value: Timestamp) -> OffsetDateTime {
        value.0
    }

    /// A required list sent as one space-separated string, once present.
    /// (No spec field is one today; the generator emits this for one.)
    #[inline]
    #[allow(dead_code)]
    pub(crate) fn spaces(&self, value: SplitSpaces) -> Vec<String> {
        value.0
    }

    /// A nilable field: absent and `null` are both `None`.
    #[inline]
    pub(crate) fn nilable<T>(&self, slot: Option<Option<T>>) -> Option<T> {
        slot.flatten()
    }

    /// A nilable RFC 3339 timestamp.
    #[inline]
    pub(crate) fn nilable_time(&self, slot: Option<Option<Timestamp>>) -> Option<OffsetDateTime> {
        slot.flatten().map(|time| time.0)
    }

    /// A nilable list sent as one space-separated string.
    #[inline]
    #[cfg_attr(not(feature = "test-util"), allow(dead_code))]
    pub(crate) fn nilable_spaces(&self, slot: Option<Option<SplitSpaces>>) -> Option<Vec<String>> {
        slot.flatten().map(|list| list.0)
    }

    /// The HTTP status an answer may carry in its body: read like a nilable
    /// integer, and zero (which no HTTP status is) when absent or `null`, so
    /// that the transport puts the status of the HTTP answer in its place.
    #[inline]
    pub(crate) fn http_status<T: Default>(&self, slot: Option<Option<T>>) -> T {
        slot.flatten().unwrap_or_default()
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

/// Writes an object: `entries` is called once to count what it writes (the
/// length announced to the serializer) and once to write it, with a
/// [`Writer`] whose methods say how each key is written:
///
/// ```text
/// crate::codec::write(serializer, |object| {
///     object.entry("user_id", &self.user_id);
///     object.if_set("name", &self.name);
/// })
/// ```
///
/// The writer keeps the first error the serializer reports and skips the
/// entries after it, so the generated lines need no `?`: each `?` costs the
/// compiler a trait lookup, and the crate has thousands of these lines.
pub(crate) fn write<S, F>(serializer: S, entries: F) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    F: Fn(&mut Writer<'_, S::SerializeMap>),
{
    let mut counting = Writer {
        map: None,
        count: 0,
        error: None,
    };
    entries(&mut counting);
    let mut map = serializer.serialize_map(Some(counting.count))?;
    let mut writing = Writer {
        map: Some(&mut map),
        count: 0,
        error: None,
    };
    entries(&mut writing);
    match writing.error {
        Some(error) => Err(error),
        None => map.end(),
    }
}

/// The object [`write`] is writing, or counting when it has no map yet.
pub(crate) struct Writer<'a, M: SerializeMap> {
    map: Option<&'a mut M>,
    count: usize,
    /// The first error of the serializer; nothing more is written after it.
    error: Option<M::Error>,
}

impl<M: SerializeMap> Writer<'_, M> {
    /// Writes one entry (or counts it).
    #[inline]
    fn put<K: Serialize + ?Sized, V: Serialize + ?Sized>(&mut self, key: &K, value: &V) {
        match &mut self.map {
            Some(_) if self.error.is_some() => {}
            Some(map) => {
                if let Err(error) = map.serialize_entry(key, value) {
                    self.error = Some(error);
                }
            }
            None => self.count += 1,
        }
    }

    /// An entry that is always written, as serde writes its type.
    #[inline]
    pub(crate) fn entry<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        self.put(key, value);
    }

    /// An optional entry: written when set, left out (never `null`) when not.
    #[inline]
    pub(crate) fn if_set<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.put(key, value);
        }
    }

    /// A timestamp, written as an RFC 3339 string.
    #[inline]
    pub(crate) fn time(&mut self, key: &'static str, value: &OffsetDateTime) {
        self.put(key, &TimestampRef(value));
    }

    /// An optional timestamp, written as RFC 3339 when set.
    #[inline]
    pub(crate) fn time_if_set(&mut self, key: &'static str, value: &Option<OffsetDateTime>) {
        if let Some(time) = value {
            self.put(key, &TimestampRef(time));
        }
    }

    /// A list written as one string, the items separated by single spaces.
    /// (No spec field is a required one today; the generator emits this for
    /// one.)
    #[inline]
    #[allow(dead_code)]
    pub(crate) fn spaces(&mut self, key: &'static str, value: &[String]) {
        self.put(key, &SpaceSeparated(value));
    }

    /// An optional list written as one space-separated string; left out
    /// when unset or empty.
    #[inline]
    pub(crate) fn spaces_if_set(&mut self, key: &'static str, value: &Option<Vec<String>>) {
        if let Some(list) = space_separated(value) {
            self.put(key, &list);
        }
    }

    /// The entries of a catch-all map, written as they are. (Today only
    /// responses have one, and responses are written only with `test-util`.)
    #[inline]
    #[cfg_attr(not(feature = "test-util"), allow(dead_code))]
    pub(crate) fn each<'c, C, K, V>(&mut self, entries: &'c C)
    where
        &'c C: IntoIterator<Item = (&'c K, &'c V)>,
        K: Serialize + 'c,
        V: Serialize + 'c,
    {
        for (key, value) in entries {
            self.put(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-written [`Object`] shaped like the generated ones: every kind
    /// of field the generator emits.
    #[derive(Debug, PartialEq)]
    struct Sample {
        id: String,
        note: Option<String>,
        at: Option<OffsetDateTime>,
        since: OffsetDateTime,
        scopes: Option<Vec<String>>,
        status_code: i64,
        rest: serde_json::Map<String, serde_json::Value>,
    }

    impl Default for Sample {
        fn default() -> Self {
            Sample {
                id: String::new(),
                note: None,
                at: None,
                since: OffsetDateTime::UNIX_EPOCH,
                scopes: None,
                status_code: 0,
                rest: serde_json::Map::new(),
            }
        }
    }

    impl Object for Sample {
        const NAME: &'static str = "Sample";
        fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
            let mut id = None;
            let mut note = None;
            let mut at = None;
            let mut since = None;
            let mut scopes = None;
            let mut status_code = None;
            let mut rest = <serde_json::Map<String, serde_json::Value>>::default();
            let mut fields = Reader::new(map);
            while let Some(key) = fields.next_key()? {
                match key.as_str() {
                    "id" => fields.read(&mut id, "id"),
                    "note" => fields.read(&mut note, "note"),
                    "at" => fields.read(&mut at, "at"),
                    "since" => fields.read(&mut since, "since"),
                    "scopes" => fields.read(&mut scopes, "scopes"),
                    "status_code" => fields.read(&mut status_code, "status_code"),
                    _ => fields.rest(&mut rest, key),
                }?;
            }
            let absent = 'missing: {
                let Some(id) = id else { break 'missing "id" };
                let Some(since) = since else {
                    break 'missing "since";
                };
                return Ok(Sample {
                    id,
                    note: fields.nilable(note),
                    at: fields.nilable_time(at),
                    since: fields.time(since),
                    scopes: fields.nilable_spaces(scopes),
                    status_code: fields.http_status(status_code),
                    rest,
                });
            };
            Err(fields.missing(absent))
        }
    }

    impl<'de> Deserialize<'de> for Sample {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object(deserializer)
        }
    }

    impl Serialize for Sample {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            write(serializer, |object| write_sample(self, object))
        }
    }

    /// A type with no catch-all map: unknown keys are skipped.
    #[derive(Debug, PartialEq)]
    struct Plain {
        id: String,
    }

    impl Object for Plain {
        const NAME: &'static str = "Plain";
        fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
            let mut id = None;
            let mut fields = Reader::new(map);
            while let Some(key) = fields.next_key()? {
                match key.as_str() {
                    "id" => fields.read(&mut id, "id"),
                    _ => fields.skip(),
                }?;
            }
            let absent = 'missing: {
                let Some(id) = id else { break 'missing "id" };
                return Ok(Plain { id });
            };
            Err(fields.missing(absent))
        }
    }

    impl<'de> Deserialize<'de> for Plain {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object(deserializer)
        }
    }

    const SINCE: &str = r#""since":"2026-11-30T06:00:00Z""#;

    fn decode(json: &str) -> Result<Sample, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn noon() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_796_018_400).unwrap()
    }

    #[test]
    fn reads_every_field_kind() {
        let sample = decode(&format!(
            r#"{{"id":"a","note":"n","at":"2026-11-30T06:00:00Z",{SINCE},"scopes":"read:users  write:users","status_code":201}}"#
        ))
        .unwrap();
        assert_eq!(
            sample,
            Sample {
                id: "a".into(),
                note: Some("n".into()),
                at: Some(noon()),
                since: noon(),
                scopes: Some(vec!["read:users".into(), "write:users".into()]),
                status_code: 201,
                rest: serde_json::Map::new(),
            }
        );
    }

    #[test]
    fn unknown_keys_are_skipped_without_a_catch_all_map() {
        let plain: Plain =
            serde_json::from_str(r#"{"extra":{"deep":[1,2]},"id":"a","more":null}"#).unwrap();
        assert_eq!(plain, Plain { id: "a".into() });
    }

    #[test]
    fn unknown_keys_go_to_the_catch_all_map_when_there_is_one() {
        let sample = decode(&format!(r#"{{"id":"a","x":1,{SINCE},"y":[true]}}"#)).unwrap();
        assert_eq!(
            serde_json::Value::Object(sample.rest),
            serde_json::json!({"x": 1, "y": [true]})
        );
    }

    #[test]
    fn nilable_fields_may_be_null_or_absent() {
        let nulls = decode(&format!(
            r#"{{"id":"a","note":null,"at":null,"scopes":null,"status_code":null,{SINCE}}}"#
        ))
        .unwrap();
        let absent = decode(&format!(r#"{{"id":"a",{SINCE}}}"#)).unwrap();
        for sample in [nulls, absent] {
            assert_eq!((sample.note, sample.at, sample.scopes), (None, None, None));
        }
    }

    #[test]
    fn an_absent_http_status_stays_zero_for_the_transport_to_fill() {
        assert_eq!(
            decode(&format!(r#"{{"id":"a",{SINCE}}}"#))
                .unwrap()
                .status_code,
            0
        );
        let null = format!(r#"{{"id":"a","status_code":null,{SINCE}}}"#);
        assert_eq!(decode(&null).unwrap().status_code, 0);
        let given = format!(r#"{{"id":"a","status_code":429,{SINCE}}}"#);
        assert_eq!(decode(&given).unwrap().status_code, 429);
        let mistyped = decode(&format!(r#"{{"id":"a","status_code":"429",{SINCE}}}"#)).unwrap_err();
        assert!(mistyped.contains("invalid type: string"), "{mistyped}");
    }

    #[test]
    fn escaped_keys_are_matched_too() {
        // An escape forces the key to be copied instead of borrowed.
        assert_eq!(
            decode(&format!(r#"{{"\u0069d":"a",{SINCE}}}"#)).unwrap().id,
            "a"
        );
    }

    #[test]
    fn missing_duplicate_and_mistyped_fields_are_named() {
        let missing = decode(&format!(r#"{{"note":"n",{SINCE}}}"#)).unwrap_err();
        assert!(missing.contains("missing field `id`"), "{missing}");
        let missing = decode(r#"{"id":"a"}"#).unwrap_err();
        assert!(missing.contains("missing field `since`"), "{missing}");
        // `null` is absent for a required field, whose type does not accept it.
        let null = decode(&format!(r#"{{"id":null,{SINCE}}}"#)).unwrap_err();
        assert!(null.contains("invalid type: null"), "{null}");
        let twice = decode(&format!(r#"{{"id":"a","id":"b",{SINCE}}}"#)).unwrap_err();
        assert!(twice.contains("duplicate field `id`"), "{twice}");
        // A nilable field given twice is refused as well, even as `null`.
        let twice = decode(&format!(r#"{{"id":"a","note":null,"note":"n",{SINCE}}}"#)).unwrap_err();
        assert!(twice.contains("duplicate field `note`"), "{twice}");
        let mistyped = decode(&format!(r#"{{"id":7,{SINCE}}}"#)).unwrap_err();
        assert!(mistyped.contains("invalid type: integer `7`"), "{mistyped}");
        // Through the SDK's decoding, the path names the field.
        let mut de = serde_json::Deserializer::from_str(r#"{"id":"a","since":"noon"}"#);
        let bad = serde_path_to_error::deserialize::<_, Sample>(&mut de).unwrap_err();
        assert_eq!(bad.path().to_string(), "since");
        let not_object = decode(r#"[1]"#).unwrap_err();
        assert!(
            not_object.contains("a JSON object (Sample)"),
            "{not_object}"
        );
    }

    #[test]
    fn timestamps_are_rfc3339_both_ways() {
        let parsed: Timestamp = serde_json::from_str(r#""2026-11-30T06:00:00Z""#).unwrap();
        assert_eq!(parsed.0, noon());
        assert_eq!(
            serde_json::to_string(&TimestampRef(&parsed.0)).unwrap(),
            r#""2026-11-30T06:00:00Z""#
        );
        assert!(serde_json::from_str::<Timestamp>(r#""yesterday""#).is_err());
        let bad = decode(r#"{"id":"a","since":"yesterday"}"#).unwrap_err();
        assert!(bad.contains("at line 1"), "{bad}");
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
        let read: SplitSpaces = serde_json::from_str(r#""read:users  write:users""#).unwrap();
        assert_eq!(read.0, scopes);
        let empty: SplitSpaces = serde_json::from_str(r#""""#).unwrap();
        assert!(empty.0.is_empty());
    }

    #[test]
    fn unset_optional_entries_are_left_out_and_the_rest_written_as_is() {
        let mut sample = Sample {
            id: "x".into(),
            since: noon(),
            scopes: Some(Vec::new()),
            ..Sample::default()
        };
        assert_eq!(
            serde_json::to_string(&sample).unwrap(),
            r#"{"id":"x","since":"2026-11-30T06:00:00Z","status_code":0}"#
        );
        sample.note = Some("n".into());
        sample.at = Some(noon());
        sample.scopes = Some(vec!["a".into(), "b".into()]);
        sample.rest.insert("extra".into(), serde_json::json!([1]));
        let written = serde_json::to_string(&sample).unwrap();
        assert_eq!(
            written,
            r#"{"id":"x","note":"n","at":"2026-11-30T06:00:00Z","since":"2026-11-30T06:00:00Z","scopes":"a b","status_code":0,"extra":[1]}"#
        );
        // What is written reads back as the same value.
        assert_eq!(decode(&written).unwrap(), sample);
    }

    #[test]
    fn the_length_announced_up_front_counts_only_what_is_written() {
        type Map = <serde_json::value::Serializer as Serializer>::SerializeMap;
        let sample = Sample {
            note: Some("n".into()),
            scopes: Some(Vec::new()),
            rest: serde_json::Map::from_iter([("x".to_owned(), serde_json::json!(1))]),
            ..Sample::default()
        };
        let mut counting = Writer::<Map> {
            map: None,
            count: 0,
            error: None,
        };
        write_sample(&sample, &mut counting);
        // id, note, since, status_code and the one catch-all entry; the empty
        // list and the unset timestamp are left out.
        assert_eq!(counting.count, 5);
        let written = serde_json::to_value(&sample).unwrap();
        assert_eq!(written.as_object().map(|o| o.len()), Some(counting.count));
    }

    /// The entries of [`Sample`]'s `Serialize`, for a writer of any map.
    fn write_sample<M: SerializeMap>(sample: &Sample, object: &mut Writer<'_, M>) {
        object.entry("id", &sample.id);
        object.if_set("note", &sample.note);
        object.time_if_set("at", &sample.at);
        object.time("since", &sample.since);
        object.spaces_if_set("scopes", &sample.scopes);
        object.entry("status_code", &sample.status_code);
        object.each(&sample.rest);
    }
}
