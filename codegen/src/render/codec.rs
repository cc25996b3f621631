//! The serde impls of generated types (requests, object types, responses,
//! enums), written out instead of derived: one match arm and one line of construction per
//! field, with everything generic in the SDK's `codec` module. A derived
//! `Deserialize` costs about thirty lines of expansion per field, which made
//! it most of the crate's compile time.

use proc_macro2::{Ident, Literal, TokenStream};
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

/// A local name for the generated code that no field variable shadows: the
/// first free candidate, else the first one with underscores appended.
fn free_name(fields: &[CodecField], candidates: &[&str]) -> Ident {
    let taken = |name: &str| {
        fields
            .iter()
            .any(|f| f.rust.to_string().trim_start_matches("r#") == name)
    };
    if let Some(name) = candidates.iter().find(|c| !taken(c)) {
        return ident(name);
    }
    let mut name = candidates[0].to_owned();
    while taken(&name) {
        name.push('_');
    }
    ident(&name)
}

/// `impl Object` and `impl Deserialize` of a struct.
/// `only_if` goes before each impl (a `#[cfg]` or nothing).
pub(super) fn decode_impls(
    name: &Ident,
    fields: &[CodecField],
    only_if: TokenStream,
) -> TokenStream {
    let type_name = name.to_string();
    let map = free_name(fields, &["map", "entries", "input"]);
    let key = free_name(fields, &["key", "entry_key", "wire_key"]);
    let slots = fields.iter().filter_map(|f| {
        let var = &f.rust;
        let ty = &f.ty;
        Some(match (&f.kind, f.format) {
            (Kind::Set(_), _) => return None,
            (Kind::Rest, _) => quote!(let mut #var: #ty = Default::default();),
            (Kind::Required, Format::Timestamp) => {
                quote!(let mut #var: Option<crate::codec::Timestamp> = None;)
            }
            (Kind::Nilable, Format::Timestamp) => {
                quote!(let mut #var: Option<Option<crate::codec::Timestamp>> = None;)
            }
            (_, Format::SpaceSeparated) => {
                quote!(let mut #var: Option<crate::codec::SplitSpaces> = None;)
            }
            (_, Format::Plain) => quote!(let mut #var: Option<#ty> = None;),
        })
    });
    let arms: Vec<TokenStream> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required | Kind::Nilable))
        .map(|f| {
            let (var, wire) = (&f.rust, &f.wire);
            quote!(#wire => crate::codec::put(&mut #map, &mut #var, #wire),)
        })
        .collect();
    let rest = fields.iter().find(|f| matches!(f.kind, Kind::Rest));
    let fallback = match rest {
        Some(rest) => {
            let var = &rest.rust;
            quote!(crate::codec::rest(&mut #map, &mut #var, #key))
        }
        None => quote!(crate::codec::skip(&mut #map)),
    };
    let read = if arms.is_empty() && rest.is_none() {
        quote! {
            while #map.next_key::<::serde::de::IgnoredAny>()?.is_some() {
                #fallback?;
            }
        }
    } else if arms.is_empty() {
        quote! {
            while let Some(#key) = #map.next_key::<crate::codec::Text<'de>>()? {
                #fallback?;
            }
        }
    } else {
        quote! {
            while let Some(#key) = #map.next_key::<crate::codec::Text<'de>>()? {
                match #key.as_str() {
                    #(#arms)*
                    _ => #fallback,
                }?;
            }
        }
    };
    let build = build(fields);
    quote! {
        #only_if
        impl crate::codec::Object for #name {
            const NAME: &'static str = #type_name;
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(mut #map: A) -> Result<Self, A::Error> {
                #(#slots)*
                #read
                #build
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

/// Builds the value from the filled slots: a required field that is still
/// empty fails with the "missing field" error naming the first such field.
fn build(fields: &[CodecField]) -> TokenStream {
    let inits = fields.iter().map(|f| {
        let var = &f.rust;
        match (&f.kind, f.format) {
            (Kind::Set(value), _) => quote!(#var: #value),
            (Kind::Rest, _) | (Kind::Required, Format::Plain) => quote!(#var),
            (Kind::Required, _) => quote!(#var: #var.0),
            (Kind::Nilable, Format::Plain) => quote!(#var: #var.flatten()),
            (Kind::Nilable, Format::Timestamp) => quote!(#var: #var.flatten().map(|time| time.0)),
            (Kind::Nilable, Format::SpaceSeparated) => quote!(#var: #var.map(|list| list.0)),
        }
    });
    let value = quote!(Self { #(#inits),* });
    let required: Vec<&CodecField> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required))
        .collect();
    match required.as_slice() {
        [] => quote!(Ok(#value)),
        [only] => {
            let (var, wire) = (&only.rust, &only.wire);
            quote! {
                match #var {
                    Some(#var) => Ok(#value),
                    None => Err(::serde::de::Error::missing_field(#wire)),
                }
            }
        }
        _ => {
            let vars: Vec<&Ident> = required.iter().map(|f| &f.rust).collect();
            let wires = required.iter().map(|f| &f.wire);
            quote! {
                match (#(#vars),*) {
                    (#(Some(#vars)),*) => Ok(#value),
                    (#(#vars),*) => Err(crate::codec::missing(&[#((#wires, #vars.is_none())),*])),
                }
            }
        }
    }
}

/// `impl Serialize` of a struct: an object with every required field, the
/// set optional ones and the entries of the catch-all map.
pub(super) fn encode_impl(name: &Ident, fields: &[CodecField]) -> TokenStream {
    let sent: Vec<&CodecField> = fields.iter().filter(|f| f.sent).collect();
    let always = sent
        .iter()
        .filter(|f| matches!(f.kind, Kind::Required | Kind::Set(_)))
        .count();
    let optional: Vec<TokenStream> = sent
        .iter()
        .filter(|f| matches!(f.kind, Kind::Nilable))
        .map(|f| {
            let var = &f.rust;
            match f.format {
                Format::SpaceSeparated => {
                    quote!(crate::codec::space_separated(&self.#var).is_some())
                }
                _ => quote!(self.#var.is_some()),
            }
        })
        .collect();
    let mut len = Vec::new();
    if always > 0 || sent.is_empty() {
        let always = Literal::usize_unsuffixed(always);
        len.push(quote!(#always));
    }
    if !optional.is_empty() {
        len.push(quote!(crate::codec::count_set(&[#(#optional),*])));
    }
    if let Some(rest) = sent.iter().find(|f| matches!(f.kind, Kind::Rest)) {
        let var = &rest.rust;
        len.push(quote!(self.#var.len()));
    }
    let writes = sent.iter().map(|f| {
        let (var, wire) = (&f.rust, &f.wire);
        match (&f.kind, f.format) {
            (Kind::Rest, _) => quote!(object.entries(&self.#var);),
            (Kind::Set(_), _) => quote!(object.entry(#wire, self.#var);),
            (Kind::Required, Format::Plain) => quote!(object.entry(#wire, &self.#var);),
            (Kind::Required, Format::Timestamp) => {
                quote!(object.entry(#wire, &crate::codec::TimestampRef(&self.#var));)
            }
            (Kind::Required, Format::SpaceSeparated) => {
                quote!(object.entry(#wire, &crate::codec::SpaceSeparated(&self.#var));)
            }
            (Kind::Nilable, Format::Plain) => quote!(object.entry_if(#wire, &self.#var);),
            (Kind::Nilable, Format::Timestamp) => {
                quote!(object.entry_if(#wire, &self.#var.as_ref().map(crate::codec::TimestampRef));)
            }
            (Kind::Nilable, Format::SpaceSeparated) => {
                quote!(object.entry_if(#wire, &crate::codec::space_separated(&self.#var));)
            }
        }
    });
    let body = if sent.is_empty() {
        quote!(crate::codec::Writer::new(serializer, 0)?.end())
    } else {
        quote! {
            let mut object = crate::codec::Writer::new(serializer, #(#len)+*)?;
            #(#writes)*
            object.end()
        }
    };
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #body
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
