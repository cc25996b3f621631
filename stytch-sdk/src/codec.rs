//! The serde support behind the generated object types, responses and enums.
//!
//! Generated code implements `Deserialize` and `Serialize` for those types by
//! hand instead of deriving them: a derived `Deserialize` expands to about
//! thirty lines per field (a field enum, its visitor, a sequence visitor no
//! JSON object needs), and that expansion was over half of what the compiler
//! spent on this crate. A generated impl here is one call: [`fields`] with a
//! tuple of slot types and the wire keys, or [`write`] with a tuple of
//! entries. Everything per field is generic code in this module, checked
//! once and instantiated only where a type is actually decoded or encoded.
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

/// The fields of an object, read as one tuple of slots: `fields::<(Req<String>,
/// Nil<Option<i64>>), _>(map, &["id", "count"])` yields `(String, Option<i64>)`.
/// Generated `from_map` bodies are that one call and the construction of
/// `Self`, so the per-field work (matching keys, storing values, naming
/// missing or repeated fields) is compiled here once rather than in every type.
///
/// Keys no field names are skipped. `names` gives the wire key of each slot,
/// in order.
pub(crate) fn fields<'de, S: Slots<'de>, A: MapAccess<'de>>(
    map: A,
    names: &[&'static str],
) -> Result<S::Values, A::Error> {
    read::<S, A>(map, names, |map, _| skip(map))
}

/// [`fields`] for a type with a catch-all map: keys no field names go into
/// it, with their values, instead of being skipped.
pub(crate) fn fields_and_rest<'de, S, M, V, A>(
    map: A,
    names: &[&'static str],
) -> Result<(S::Values, M), A::Error>
where
    S: Slots<'de>,
    M: Default + Extend<(String, V)>,
    V: Deserialize<'de>,
    A: MapAccess<'de>,
{
    let mut rest = M::default();
    let values = read::<S, A>(map, names, |map, key| {
        let value = map.next_value()?;
        rest.extend([(key.into_string(), value)]);
        Ok(())
    })?;
    Ok((values, rest))
}

/// The loop behind [`fields`] and [`fields_and_rest`]: each key goes to its
/// slot, or to `unknown` (with the map, to read its value) when no field
/// names it.
fn read<'de, S: Slots<'de>, A: MapAccess<'de>>(
    mut map: A,
    names: &[&'static str],
    mut unknown: impl FnMut(&mut A, Text<'de>) -> Result<(), A::Error>,
) -> Result<S::Values, A::Error> {
    if let Some(mismatch) = NameCount::check(names, S::LEN) {
        return Err(de::Error::custom(mismatch));
    }
    let mut slots = S::default();
    let mut next = 0;
    while let Some(key) = map.next_key::<Text<'de>>()? {
        match find(names, key.as_str(), next) {
            Some(index) => {
                slots.fill(index, &mut map, names)?;
                next = index + 1;
            }
            None => unknown(&mut map, key)?,
        }
    }
    slots.finish(names)
}

/// The slot index of a key, or `None` for a key no field names. The search
/// starts at `next`, the field after the previous key's, and wraps around:
/// an answer whose keys come in the documented order costs one comparison
/// per key, any other order no more than a plain scan.
#[inline]
fn find(names: &[&'static str], key: &str, next: usize) -> Option<usize> {
    let next = next.min(names.len());
    let (before, after) = names.split_at(next);
    match after.iter().position(|name| *name == key) {
        Some(index) => Some(next + index),
        None => before.iter().position(|name| *name == key),
    }
}

/// A list of wire names whose length does not match the fields it names (a
/// generator bug): refused, so that no field is read or written under
/// another field's name.
struct NameCount {
    given: usize,
    expected: usize,
}

impl NameCount {
    fn check(names: &[&'static str], expected: usize) -> Option<NameCount> {
        (names.len() != expected).then_some(NameCount {
            given: names.len(),
            expected,
        })
    }
}

impl fmt::Display for NameCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} field names for {} fields", self.given, self.expected)
    }
}

/// Reads and drops the value of a key no field names.
fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// One field's slot ([`Req`], [`Nil`]), or a tuple of slots (up to twelve,
/// nested for longer structs).
pub(crate) trait Slots<'de>: Default {
    /// How many fields, so how many wire names, this covers.
    const LEN: usize;
    /// What the fields become once read.
    type Values;
    /// Reads the value of the entry for field `index` (counted in `names`,
    /// which holds exactly `LEN` names).
    fn fill<A: MapAccess<'de>>(
        &mut self,
        index: usize,
        map: &mut A,
        names: &[&'static str],
    ) -> Result<(), A::Error>;
    /// The values, or the "missing field" error for the first required field
    /// that was absent.
    fn finish<E: de::Error>(self, names: &[&'static str]) -> Result<Self::Values, E>;
}

/// Turns a wire value into the field's type: the identity, except for the
/// wire formats below.
pub(crate) trait FromWire<W> {
    fn from_wire(wire: W) -> Self;
}

impl<T> FromWire<T> for T {
    #[inline]
    fn from_wire(wire: T) -> T {
        wire
    }
}

impl FromWire<Timestamp> for OffsetDateTime {
    #[inline]
    fn from_wire(wire: Timestamp) -> Self {
        wire.0
    }
}

impl FromWire<Option<Timestamp>> for Option<OffsetDateTime> {
    #[inline]
    fn from_wire(wire: Option<Timestamp>) -> Self {
        wire.map(|time| time.0)
    }
}

impl FromWire<SplitSpaces> for Vec<String> {
    #[inline]
    fn from_wire(wire: SplitSpaces) -> Self {
        wire.0
    }
}

impl FromWire<Option<SplitSpaces>> for Option<Vec<String>> {
    #[inline]
    fn from_wire(wire: Option<SplitSpaces>) -> Self {
        wire.map(|list| list.0)
    }
}

/// The slot of a required field, read as `W` and kept as `F`: absent or
/// `null` is an error naming it.
pub(crate) struct Req<W, F = W>(Option<W>, PhantomData<fn() -> F>);

/// The slot of a nilable field (an `F` that is an `Option`), read as `W`:
/// absent and `null` both give `None`.
pub(crate) struct Nil<W, F = W>(Option<W>, PhantomData<fn() -> F>);

impl<W, F> Default for Req<W, F> {
    #[inline]
    fn default() -> Self {
        Req(None, PhantomData)
    }
}

impl<W, F> Default for Nil<W, F> {
    #[inline]
    fn default() -> Self {
        Nil(None, PhantomData)
    }
}

/// Stores the value of the entry just read; a key given twice is an error.
#[inline]
fn put<'de, A: MapAccess<'de>, W: Deserialize<'de>>(
    slot: &mut Option<W>,
    map: &mut A,
    names: &[&'static str],
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(names[0]));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl<'de, W: Deserialize<'de>, F: FromWire<W>> Slots<'de> for Req<W, F> {
    const LEN: usize = 1;
    type Values = F;

    #[inline]
    fn fill<A: MapAccess<'de>>(
        &mut self,
        _: usize,
        map: &mut A,
        names: &[&'static str],
    ) -> Result<(), A::Error> {
        put(&mut self.0, map, names)
    }

    #[inline]
    fn finish<E: de::Error>(self, names: &[&'static str]) -> Result<F, E> {
        match self.0 {
            Some(wire) => Ok(F::from_wire(wire)),
            None => Err(E::missing_field(names[0])),
        }
    }
}

impl<'de, W: Deserialize<'de>, F: FromWire<W> + Default> Slots<'de> for Nil<W, F> {
    const LEN: usize = 1;
    type Values = F;

    #[inline]
    fn fill<A: MapAccess<'de>>(
        &mut self,
        _: usize,
        map: &mut A,
        names: &[&'static str],
    ) -> Result<(), A::Error> {
        put(&mut self.0, map, names)
    }

    #[inline]
    fn finish<E: de::Error>(self, _: &[&'static str]) -> Result<F, E> {
        Ok(self.0.map(F::from_wire).unwrap_or_default())
    }
}

/// `Slots` for tuples of slots: each element covers the next `LEN` names.
macro_rules! tuple_slots {
    ($($slot:ident $value:ident),*) => {
        impl<'de, $($slot: Slots<'de>),*> Slots<'de> for ($($slot,)*) {
            const LEN: usize = 0 $(+ $slot::LEN)*;
            type Values = ($($slot::Values,)*);

            #[inline]
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn fill<A: MapAccess<'de>>(
                &mut self,
                mut index: usize,
                map: &mut A,
                mut names: &[&'static str],
            ) -> Result<(), A::Error> {
                let ($($value,)*) = self;
                $(
                    let (these, others) = names.split_at($slot::LEN);
                    if index < $slot::LEN {
                        return $value.fill(index, map, these);
                    }
                    index -= $slot::LEN;
                    names = others;
                )*
                Err(de::Error::custom("field index out of range"))
            }

            #[inline]
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn finish<E: de::Error>(self, mut names: &[&'static str]) -> Result<Self::Values, E> {
                let ($($value,)*) = self;
                $(
                    let (these, others) = names.split_at($slot::LEN);
                    names = others;
                    let $value = $value.finish(these)?;
                )*
                Ok(($($value,)*))
            }
        }
    };
}

tuple_slots!();
tuple_slots!(S0 v0);
tuple_slots!(S0 v0, S1 v1);
tuple_slots!(S0 v0, S1 v1, S2 v2);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5, S6 v6);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5, S6 v6, S7 v7);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5, S6 v6, S7 v7, S8 v8);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5, S6 v6, S7 v7, S8 v8, S9 v9);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5, S6 v6, S7 v7, S8 v8, S9 v9, S10 v10);
tuple_slots!(S0 v0, S1 v1, S2 v2, S3 v3, S4 v4, S5 v5, S6 v6, S7 v7, S8 v8, S9 v9, S10 v10, S11 v11);

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

/// Writes an object from a tuple of entries ([`Always`], [`IfSet`],
/// [`IfSetTime`], [`IfSetSpaces`], [`Each`]; up to twelve per tuple, nested
/// for longer structs) and the wire key of each, in order. Generated
/// `serialize` bodies are this one call: the per-field work (counting the
/// entries, leaving out unset ones) is compiled here once.
pub(crate) fn write<S: Serializer, E: Entries>(
    serializer: S,
    names: &[&'static str],
    entries: E,
) -> Result<S::Ok, S::Error> {
    if let Some(mismatch) = NameCount::check(names, E::LEN) {
        return Err(serde::ser::Error::custom(mismatch));
    }
    let mut map = serializer.serialize_map(Some(entries.count()))?;
    entries.write(&mut map, names)?;
    map.end()
}

/// One field's entry, or a tuple of entries.
pub(crate) trait Entries {
    /// How many wire names this covers (the catch-all map has none).
    const LEN: usize;
    /// How many entries will be written.
    fn count(&self) -> usize;
    /// Writes the entries; `names` holds exactly `LEN` names.
    fn write<M: SerializeMap>(&self, map: &mut M, names: &[&'static str]) -> Result<(), M::Error>;
}

/// An entry that is always written.
pub(crate) struct Always<T>(pub(crate) T);

/// An optional entry: written when set, left out (never `null`) when not.
pub(crate) struct IfSet<'a, T>(pub(crate) &'a Option<T>);

/// An optional timestamp, written as RFC 3339 when set.
pub(crate) struct IfSetTime<'a>(pub(crate) &'a Option<OffsetDateTime>);

/// An optional list written as one space-separated string; left out when
/// unset or empty.
pub(crate) struct IfSetSpaces<'a>(pub(crate) &'a Option<Vec<String>>);

/// The entries of a catch-all map, written as they are. (Today only
/// responses have one, and responses are written only with `test-util`.)
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) struct Each<'a, M>(pub(crate) &'a M);

impl<T: Serialize> Entries for Always<T> {
    const LEN: usize = 1;

    #[inline]
    fn count(&self) -> usize {
        1
    }

    #[inline]
    fn write<M: SerializeMap>(&self, map: &mut M, names: &[&'static str]) -> Result<(), M::Error> {
        map.serialize_entry(names[0], &self.0)
    }
}

impl<T: Serialize> Entries for IfSet<'_, T> {
    const LEN: usize = 1;

    #[inline]
    fn count(&self) -> usize {
        usize::from(self.0.is_some())
    }

    #[inline]
    fn write<M: SerializeMap>(&self, map: &mut M, names: &[&'static str]) -> Result<(), M::Error> {
        match self.0 {
            Some(value) => map.serialize_entry(names[0], value),
            None => Ok(()),
        }
    }
}

impl Entries for IfSetTime<'_> {
    const LEN: usize = 1;

    #[inline]
    fn count(&self) -> usize {
        usize::from(self.0.is_some())
    }

    #[inline]
    fn write<M: SerializeMap>(&self, map: &mut M, names: &[&'static str]) -> Result<(), M::Error> {
        match self.0 {
            Some(time) => map.serialize_entry(names[0], &TimestampRef(time)),
            None => Ok(()),
        }
    }
}

impl Entries for IfSetSpaces<'_> {
    const LEN: usize = 1;

    #[inline]
    fn count(&self) -> usize {
        usize::from(space_separated(self.0).is_some())
    }

    #[inline]
    fn write<M: SerializeMap>(&self, map: &mut M, names: &[&'static str]) -> Result<(), M::Error> {
        match space_separated(self.0) {
            Some(list) => map.serialize_entry(names[0], &list),
            None => Ok(()),
        }
    }
}

impl<'a, C, K, V> Entries for Each<'a, C>
where
    &'a C: IntoIterator<Item = (&'a K, &'a V)>,
    <&'a C as IntoIterator>::IntoIter: ExactSizeIterator,
    K: Serialize + 'a,
    V: Serialize + 'a,
{
    const LEN: usize = 0;

    #[inline]
    fn count(&self) -> usize {
        self.0.into_iter().len()
    }

    #[inline]
    fn write<M: SerializeMap>(&self, map: &mut M, _: &[&'static str]) -> Result<(), M::Error> {
        self.0
            .into_iter()
            .try_for_each(|(key, value)| map.serialize_entry(key, value))
    }
}

/// `Entries` for tuples of entries: each element covers the next `LEN` names.
macro_rules! tuple_entries {
    ($($entry:ident $value:ident),*) => {
        impl<$($entry: Entries),*> Entries for ($($entry,)*) {
            const LEN: usize = 0 $(+ $entry::LEN)*;

            #[inline]
            #[allow(unused_variables)]
            fn count(&self) -> usize {
                let ($($value,)*) = self;
                0 $(+ $value.count())*
            }

            #[inline]
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn write<M: SerializeMap>(&self, map: &mut M, mut names: &[&'static str]) -> Result<(), M::Error> {
                let ($($value,)*) = self;
                $(
                    let (these, others) = names.split_at($entry::LEN);
                    $value.write(map, these)?;
                    names = others;
                )*
                Ok(())
            }
        }
    };
}

tuple_entries!();
tuple_entries!(E0 v0);
tuple_entries!(E0 v0, E1 v1);
tuple_entries!(E0 v0, E1 v1, E2 v2);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5, E6 v6);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5, E6 v6, E7 v7);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5, E6 v6, E7 v7, E8 v8);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5, E6 v6, E7 v7, E8 v8, E9 v9);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5, E6 v6, E7 v7, E8 v8, E9 v9, E10 v10);
tuple_entries!(E0 v0, E1 v1, E2 v2, E3 v3, E4 v4, E5 v5, E6 v6, E7 v7, E8 v8, E9 v9, E10 v10, E11 v11);

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
        fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
            let (id, note) = fields::<(Req<String>, Nil<Option<String>>), _>(map, &["id", "note"])?;
            Ok(Sample { id, note })
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

    /// Decodes `json` with the slots `S` and the names given.
    fn read<S: for<'de> Slots<'de>>(
        json: &str,
        names: &[&'static str],
    ) -> Result<<S as Slots<'static>>::Values, String> {
        struct Read<'n, S>(&'n [&'static str], PhantomData<S>);
        impl<'de, S: Slots<'de>> de::DeserializeSeed<'de> for Read<'_, S> {
            type Value = S::Values;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Values, D::Error> {
                struct V<'n, S>(&'n [&'static str], PhantomData<S>);
                impl<'de, S: Slots<'de>> Visitor<'de> for V<'_, S> {
                    type Value = S::Values;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Values, A::Error> {
                        fields::<S, A>(map, self.0)
                    }
                }
                d.deserialize_map(V::<S>(self.0, PhantomData))
            }
        }
        let json: &'static str = Box::leak(json.to_owned().into_boxed_str());
        let mut deserializer = serde_json::Deserializer::from_str(json);
        de::DeserializeSeed::deserialize(Read::<S>(names, PhantomData), &mut deserializer)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn long_structs_nest_their_slots_and_keep_every_name() {
        // Fourteen fields: a tuple of twelve and a tuple of two.
        type Twelve = (
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
            Req<u8>,
        );
        type Long = (Twelve, (Nil<Option<u8>>, Req<u8>));
        const NAMES: &[&str] = &[
            "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13",
        ];
        let all: String = (0..14)
            .map(|i| format!("\"f{i}\":{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let ((first, ..), (twelfth, thirteenth)) =
            read::<Long>(&format!("{{{all}}}"), NAMES).unwrap();
        assert_eq!((first, twelfth, thirteenth), (0, Some(12), 13));
        let without_last = all.replace(",\"f13\":13", "");
        let missing = read::<Long>(&format!("{{{without_last}}}"), NAMES).unwrap_err();
        assert!(missing.contains("missing field `f13`"), "{missing}");
        let twice = read::<Long>(&format!("{{{all},\"f12\":1}}"), NAMES).unwrap_err();
        assert!(twice.contains("duplicate field `f12`"), "{twice}");
        // A list of names that does not fit the slots is refused, not misread.
        let short = read::<Long>(&format!("{{{all}}}"), &NAMES[..13]).unwrap_err();
        assert!(short.contains("13 field names for 14 fields"), "{short}");
    }

    #[test]
    fn wire_formats_become_the_field_types() {
        type Slots = (
            Req<Timestamp, OffsetDateTime>,
            Nil<Option<Timestamp>, Option<OffsetDateTime>>,
            Nil<Option<SplitSpaces>, Option<Vec<String>>>,
        );
        let names = &["at", "until", "scopes"];
        let (at, until, scopes) = read::<Slots>(
            r#"{"at":"2026-11-30T06:00:00Z","until":null,"scopes":"a b"}"#,
            names,
        )
        .unwrap();
        assert_eq!(at.unix_timestamp(), 1_796_018_400);
        assert_eq!(until, None);
        assert_eq!(scopes, Some(vec!["a".to_owned(), "b".to_owned()]));
        let bad = read::<Slots>(r#"{"at":"noon"}"#, names).unwrap_err();
        assert!(bad.contains("at line 1"), "{bad}");
    }

    #[test]
    fn unknown_keys_go_to_the_catch_all_map_when_there_is_one() {
        let mut deserializer = serde_json::Deserializer::from_str(r#"{"id":"a","x":1,"y":[true]}"#);
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = (String, serde_json::Map<String, serde_json::Value>);
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let ((id,), rest) =
                    fields_and_rest::<(Req<String>,), serde_json::Map<_, _>, _, _>(map, &["id"])?;
                Ok((id, rest))
            }
        }
        let (id, rest) = (&mut deserializer).deserialize_map(V).unwrap();
        assert_eq!(id, "a");
        assert_eq!(
            serde_json::Value::Object(rest),
            serde_json::json!({"x": 1, "y": [true]})
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
        struct Written {
            always: &'static str,
            maybe: Option<u8>,
            at: Option<OffsetDateTime>,
            scopes: Option<Vec<String>>,
            rest: serde_json::Map<String, serde_json::Value>,
        }
        impl Serialize for Written {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                write(
                    serializer,
                    &["always", "maybe", "at", "scopes"],
                    (
                        Always(self.always),
                        IfSet(&self.maybe),
                        IfSetTime(&self.at),
                        IfSetSpaces(&self.scopes),
                        Each(&self.rest),
                    ),
                )
            }
        }
        let mut written = Written {
            always: "x",
            maybe: None,
            at: None,
            scopes: Some(Vec::new()),
            rest: serde_json::Map::new(),
        };
        assert_eq!(
            serde_json::to_string(&written).unwrap(),
            r#"{"always":"x"}"#
        );
        written.maybe = Some(3);
        written.at = Some(OffsetDateTime::from_unix_timestamp(1_796_018_400).unwrap());
        written.scopes = Some(vec!["a".into(), "b".into()]);
        written.rest.insert("extra".into(), serde_json::json!([1]));
        assert_eq!(
            serde_json::to_string(&written).unwrap(),
            r#"{"always":"x","maybe":3,"at":"2026-11-30T06:00:00Z","scopes":"a b","extra":[1]}"#
        );
        // The length announced up front counts only what is written.
        let scopes = Some(Vec::new());
        let entries = (
            Always(1),
            IfSet(&None::<u8>),
            IfSet(&Some(2)),
            IfSetSpaces(&scopes),
        );
        assert_eq!(entries.count(), 2);
        assert_eq!(Each(&written.rest).count(), 1);
        // A list of names that does not fit the entries is refused, not misread.
        let mut out = Vec::new();
        let short = write(&mut serde_json::Serializer::new(&mut out), &["a"], entries).unwrap_err();
        assert!(
            short.to_string().contains("1 field names for 4 fields"),
            "{short}"
        );
    }
}
