//! The serde impls of generated types (requests, object types, responses,
//! enums), written out instead of derived. A struct's impls are one call each
//! into the SDK's `codec` module: the fields' slot types (or entries) as one
//! tuple and their wire keys as one list. Everything per field is generic
//! code there; a derived `Deserialize` costs about thirty lines of expansion
//! per field, which made it most of the crate's compile time.

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

/// The most slots one tuple holds; longer structs nest tuples of tuples.
const TUPLE_MAX: usize = 12;

/// Groups items into a tuple of at most [`TUPLE_MAX`] elements, nesting
/// groups of that size as often as needed; `one` renders a single item.
fn nest<T>(items: &[T], one: &impl Fn(&T) -> TokenStream) -> TokenStream {
    if items.len() <= TUPLE_MAX {
        let items = items.iter().map(one);
        return quote!((#(#items,)*));
    }
    let mut size = TUPLE_MAX;
    while items.len().div_ceil(size) > TUPLE_MAX {
        size *= TUPLE_MAX;
    }
    let groups = items.chunks(size).map(|group| nest(group, one));
    quote!((#(#groups,)*))
}

/// `impl Object` and `impl Deserialize` of a struct: `from_map` reads every
/// field through one call of the codec's `fields` (with the slot types as a
/// tuple and the wire keys as a list) and builds the value from the result.
/// `only_if` goes before each impl (a `#[cfg]` or nothing).
pub(super) fn decode_impls(
    name: &Ident,
    fields: &[CodecField],
    only_if: TokenStream,
) -> TokenStream {
    let type_name = name.to_string();
    let read: Vec<&CodecField> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required | Kind::Nilable | Kind::HttpStatus))
        .collect();
    let slots = nest(&read, &|f: &&CodecField| slot(f));
    let pattern = nest(&read, &|f: &&CodecField| {
        let var = &f.rust;
        quote!(#var)
    });
    let names = read.iter().map(|f| &f.wire);
    let call = match fields.iter().find(|f| matches!(f.kind, Kind::Rest)) {
        Some(rest) => {
            let (var, ty) = (&rest.rust, &rest.ty);
            quote! {
                let (#pattern, #var) = crate::codec::fields_and_rest::<#slots, #ty, _, _>(map, &[#(#names),*])?;
            }
        }
        None => quote! {
            let #pattern = crate::codec::fields::<#slots, _>(map, &[#(#names),*])?;
        },
    };
    let inits = fields.iter().map(|f| {
        let var = &f.rust;
        match &f.kind {
            Kind::Set(value) => quote!(#var: #value),
            _ => quote!(#var),
        }
    });
    quote! {
        #only_if
        impl crate::codec::Object for #name {
            const NAME: &'static str = #type_name;
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
                #call
                Ok(Self { #(#inits),* })
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

/// The slot type of a field that is read: what it is read as on the wire,
/// and the field's type when that differs.
fn slot(f: &CodecField) -> TokenStream {
    let ty = &f.ty;
    match (&f.kind, f.format) {
        (Kind::Nilable | Kind::HttpStatus, Format::Plain) => quote!(crate::codec::Nil<#ty>),
        (Kind::Nilable | Kind::HttpStatus, Format::Timestamp) => {
            quote!(crate::codec::Nil<Option<crate::codec::Timestamp>, #ty>)
        }
        (Kind::Nilable | Kind::HttpStatus, Format::SpaceSeparated) => {
            quote!(crate::codec::Nil<Option<crate::codec::SplitSpaces>, #ty>)
        }
        (_, Format::Timestamp) => quote!(crate::codec::Req<crate::codec::Timestamp, #ty>),
        (_, Format::SpaceSeparated) => quote!(crate::codec::Req<crate::codec::SplitSpaces, #ty>),
        (_, Format::Plain) => quote!(crate::codec::Req<#ty>),
    }
}

/// `impl Serialize` of a struct: an object with every required field, the
/// set optional ones and the entries of the catch-all map, written by one
/// call of the codec's `write` with the fields' entries as a tuple.
pub(super) fn encode_impl(name: &Ident, fields: &[CodecField]) -> TokenStream {
    let sent: Vec<&CodecField> = fields.iter().filter(|f| f.sent).collect();
    let entries = nest(&sent, &|f: &&CodecField| entry(f));
    let names = sent
        .iter()
        .filter(|f| !matches!(f.kind, Kind::Rest))
        .map(|f| &f.wire);
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                crate::codec::write(serializer, &[#(#names),*], #entries)
            }
        }
    }
}

/// The entry of a written field: always there, there when set, or the
/// catch-all map's entries.
fn entry(f: &CodecField) -> TokenStream {
    let var = &f.rust;
    match (&f.kind, f.format) {
        (Kind::Rest, _) => quote!(crate::codec::Each(&self.#var)),
        (Kind::Set(_), _) => quote!(crate::codec::Always(self.#var)),
        (Kind::Required | Kind::HttpStatus, Format::Plain) => {
            quote!(crate::codec::Always(&self.#var))
        }
        (Kind::Required | Kind::HttpStatus, Format::Timestamp) => {
            quote!(crate::codec::Always(crate::codec::TimestampRef(&self.#var)))
        }
        (Kind::Required | Kind::HttpStatus, Format::SpaceSeparated) => {
            quote!(crate::codec::Always(crate::codec::SpaceSeparated(&self.#var)))
        }
        (Kind::Nilable, Format::Plain) => quote!(crate::codec::IfSet(&self.#var)),
        (Kind::Nilable, Format::Timestamp) => quote!(crate::codec::IfSetTime(&self.#var)),
        (Kind::Nilable, Format::SpaceSeparated) => {
            quote!(crate::codec::IfSetSpaces(&self.#var))
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
