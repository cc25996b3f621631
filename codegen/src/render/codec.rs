//! The serde impls of generated types (requests, object types, responses,
//! enums), written out instead of derived: one line per wire key, each
//! naming the key, the field and how it is read or written, over the generic
//! helpers of the SDK's `codec` module. A derived `Deserialize` costs about
//! thirty lines of expansion per field, which made it most of the crate's
//! compile time.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::*;

use super::ident;

/// How a field is read.
#[derive(Clone)]
pub(super) enum Kind {
    /// Must be present and not null.
    Required,
    /// May be absent or null (an `Option`).
    Nilable,
    /// May be absent or null; the SDK then puts the answer's HTTP status in
    /// its place (read as zero, which no HTTP status is, and replaced by the
    /// transport).
    HttpStatus,
    /// Collects every key no other field names.
    Rest,
    /// Never read from the input: always this value (fixed wire values, and
    /// options the SDK evaluates itself).
    Set(TokenStream),
}

/// How a field's value looks on the wire.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// As serde writes the Rust type.
    Plain,
    /// An RFC 3339 string.
    Timestamp,
    /// A list as one string, the items separated by single spaces.
    SpaceSeparated,
}

/// One field of a struct, as the codec sees it.
pub(super) struct CodecField {
    /// Wire key.
    pub wire: String,
    /// Rust field name.
    pub rust: Ident,
    /// Full Rust type of the field (`Option<...>` for nilable ones).
    pub ty: TokenStream,
    pub kind: Kind,
    pub format: Format,
    /// Written by `Serialize`; request parameters that travel in the path or
    /// in headers, or are never sent, are not.
    pub sent: bool,
}

impl CodecField {
    /// The codec view of a spec field (object types and responses).
    pub fn of(f: &Field, ty: TokenStream) -> Self {
        CodecField {
            wire: f.name.clone(),
            rust: ident(&f.rust_name),
            ty,
            kind: if f.rest {
                Kind::Rest
            } else if f.http_status {
                Kind::HttpStatus
            } else if f.nilable {
                Kind::Nilable
            } else {
                Kind::Required
            },
            format: if f.ty == Ty::Timestamp {
                Format::Timestamp
            } else {
                Format::Plain
            },
            sent: true,
        }
    }

    /// The codec view of a request parameter. A decoded request (the mock
    /// server's view) also carries the path and header values, which the
    /// mock adds to the body before decoding.
    pub fn of_param(p: &Param, ty: TokenStream, fixed: Option<TokenStream>) -> Self {
        let kind = match (&p.location, fixed) {
            (_, Some(value)) => Kind::Set(value),
            (Location::Local, None) => Kind::Set(quote!(Default::default())),
            (Location::Header { .. }, None) => Kind::Nilable,
            (_, None) if p.required => Kind::Required,
            (_, None) => Kind::Nilable,
        };
        CodecField {
            wire: p.name.clone(),
            rust: ident(&p.rust_name),
            ty,
            kind,
            format: if p.format == Some(WireFormat::SpaceSeparated) {
                Format::SpaceSeparated
            } else if p.ty == Ty::Timestamp {
                Format::Timestamp
            } else {
                Format::Plain
            },
            sent: matches!(p.location, Location::Query | Location::Body),
        }
    }
}

/// A local variable name for generated code that no field's slot takes:
/// `base`, with underscores added while a field has that name.
fn unused(base: &str, fields: &[CodecField]) -> Ident {
    let mut name = base.to_owned();
    while fields.iter().any(|f| f.rust == name.as_str()) {
        name.push('_');
    }
    ident(&name)
}

/// `impl Object` and `impl Deserialize` of a struct. `from_map` keeps one
/// slot (an `Option`) per field it reads, matches each key to its slot with
/// one arm per wire key, checks with one `let ... else` per required field
/// that it was given, and then builds the value with one line per field
/// (a `Reader` method names a nilable field or a wire format). An absent
/// required field leaves the labeled block with its wire key, and the one
/// error return after the block names it.
/// `only_if` goes before each impl (a `#[cfg]` or nothing).
pub(super) fn decode_impls(
    name: &Ident,
    fields: &[CodecField],
    only_if: TokenStream,
) -> TokenStream {
    let type_name = name.to_string();
    let (map, reader, key, absent) = (
        unused("map", fields),
        unused("fields", fields),
        unused("key", fields),
        unused("absent", fields),
    );
    let read: Vec<&CodecField> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required | Kind::Nilable | Kind::HttpStatus))
        .collect();
    let slots = read.iter().map(|f| {
        let var = &f.rust;
        quote!(let mut #var = None;)
    });
    let arms = read.iter().map(|f| {
        let (var, wire) = (&f.rust, &f.wire);
        quote!(#wire => #reader.read(&mut #var, #wire),)
    });
    let (rest_slot, unknown) = match fields.iter().find(|f| matches!(f.kind, Kind::Rest)) {
        Some(rest) => {
            let (var, ty) = (&rest.rust, &rest.ty);
            (
                quote!(let mut #var = <#ty>::default();),
                quote!(_ => #reader.rest(&mut #var, #key),),
            )
        }
        None => (quote!(), quote!(_ => #reader.skip(),)),
    };
    // A required field that is absent ends the decoding with an error naming
    // it. Each field's `let ... else` only hands its key to the single error
    // return after the block (rather than building an error itself, or using
    // `?` on a helper): that keeps the thousands of these lines cheap to
    // type-check.
    let present = read
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required))
        .map(|f| {
            let (var, wire) = (&f.rust, &f.wire);
            quote!(let Some(#var) = #var else { break 'missing #wire };)
        });
    let inits = fields.iter().map(|f| {
        let var = &f.rust;
        let value = match (&f.kind, f.format) {
            (Kind::Set(value), _) => value.clone(),
            (Kind::Rest, _) | (Kind::Required, Format::Plain) => return quote!(#var),
            (Kind::Required, Format::Timestamp) => quote!(#reader.time(#var)),
            (Kind::Required, Format::SpaceSeparated) => quote!(#reader.spaces(#var)),
            (Kind::Nilable, Format::Plain) => quote!(#reader.nilable(#var)),
            (Kind::Nilable, Format::Timestamp) => quote!(#reader.nilable_time(#var)),
            (Kind::Nilable, Format::SpaceSeparated) => quote!(#reader.nilable_spaces(#var)),
            (Kind::HttpStatus, _) => quote!(#reader.http_status(#var)),
        };
        quote!(#var: #value)
    });
    // With no field to match, each entry is skipped.
    let entries = if read.is_empty() && rest_slot.is_empty() {
        quote! {
            while #reader.next_key()?.is_some() {
                #reader.skip()?;
            }
        }
    } else {
        quote! {
            while let Some(#key) = #reader.next_key()? {
                match #key.as_str() {
                    #(#arms)*
                    #unknown
                }?;
            }
        }
    };
    let present: Vec<TokenStream> = present.collect();
    let finish = if present.is_empty() {
        quote!(Ok(Self { #(#inits),* }))
    } else {
        quote! {
            let #absent = 'missing: {
                #(#present)*
                return Ok(Self { #(#inits),* });
            };
            Err(#reader.missing(#absent))
        }
    };
    quote! {
        #only_if
        impl crate::codec::Object for #name {
            const NAME: &'static str = #type_name;
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(#map: A) -> Result<Self, A::Error> {
                #(#slots)*
                #rest_slot
                let mut #reader = crate::codec::Reader::new(#map);
                #entries
                #finish
            }
        }

        #only_if
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::codec::object(deserializer)
            }
        }
    }
}

/// `impl Serialize` of a struct: one `Writer` call per written key, naming
/// how it is written (always, when set, as a timestamp or a space-separated
/// list), and the entries of the catch-all map.
pub(super) fn encode_impl(name: &Ident, fields: &[CodecField]) -> TokenStream {
    let entries = fields.iter().filter(|f| f.sent).map(|f| {
        let (var, wire) = (&f.rust, &f.wire);
        match (&f.kind, f.format) {
            (Kind::Rest, _) => quote!(object.each(&self.#var);),
            (Kind::Set(_) | Kind::Required | Kind::HttpStatus, Format::Plain) => {
                quote!(object.entry(#wire, &self.#var);)
            }
            (Kind::Set(_) | Kind::Required | Kind::HttpStatus, Format::Timestamp) => {
                quote!(object.time(#wire, &self.#var);)
            }
            (Kind::Set(_) | Kind::Required | Kind::HttpStatus, Format::SpaceSeparated) => {
                quote!(object.spaces(#wire, &self.#var);)
            }
            (Kind::Nilable, Format::Plain) => quote!(object.if_set(#wire, &self.#var);),
            (Kind::Nilable, Format::Timestamp) => quote!(object.time_if_set(#wire, &self.#var);),
            (Kind::Nilable, Format::SpaceSeparated) => {
                quote!(object.spaces_if_set(#wire, &self.#var);)
            }
        }
    });
    let entries: Vec<TokenStream> = entries.collect();
    // A struct that sends nothing writes an empty object.
    let object = if entries.is_empty() {
        quote!(_)
    } else {
        quote!(object)
    };
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                crate::codec::write(serializer, |#object| {
                    #(#entries)*
                })
            }
        }
    }
}

/// `as_str`, `Serialize` and `Deserialize` of a string enum with its
/// fallback variant for values this SDK does not know.
pub(super) fn enum_impls(name: &Ident, e: &EnumType, fallback: &Ident) -> TokenStream {
    let variants: Vec<Ident> = e.values.iter().map(|v| ident(&v.rust_name)).collect();
    let wires: Vec<&String> = e.values.iter().map(|v| &v.wire).collect();
    quote! {
        impl #name {
            /// The value as the API writes it.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::#fallback(value) => value,
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value: crate::codec::Text<'de> = ::serde::Deserialize::deserialize(deserializer)?;
                Ok(match value.as_str() {
                    #(#wires => Self::#variants,)*
                    _ => Self::#fallback(value.into_string()),
                })
            }
        }
    }
}
