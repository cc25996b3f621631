//! The serde impls of decoded types (object types, responses, enums), written
//! out instead of derived: one match arm and one line of construction per
//! field, with everything generic in the SDK's `codec` module. A derived
//! `Deserialize` costs about thirty lines of expansion per field, which made
//! it most of the crate's compile time.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::model::*;

use super::ident;

/// How a field is read and written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Must be present and not null.
    Required,
    /// May be absent or null (an `Option`).
    Nilable,
    /// Collects every key no other field names.
    Rest,
}

/// One field of a decoded struct, as the codec sees it.
pub(super) struct CodecField {
    /// Wire key.
    pub wire: String,
    /// Rust field name.
    pub rust: Ident,
    /// Full Rust type of the field (`Option<...>` for nilable ones).
    pub ty: TokenStream,
    pub kind: Kind,
    /// Written and read as an RFC 3339 string.
    pub timestamp: bool,
}

impl CodecField {
    /// The codec view of a spec field.
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
            timestamp: f.ty == Ty::Timestamp,
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
pub(super) fn decode_impls(name: &Ident, fields: &[CodecField]) -> TokenStream {
    let type_name = name.to_string();
    let map = free_name(fields, &["map", "entries", "input"]);
    let key = free_name(fields, &["key", "entry_key", "wire_key"]);
    let slots = fields.iter().map(|f| {
        let var = &f.rust;
        let ty = &f.ty;
        match (f.kind, f.timestamp) {
            (Kind::Rest, _) => quote!(let mut #var: #ty = Default::default();),
            (Kind::Required, true) => quote!(let mut #var: Option<crate::codec::Timestamp> = None;),
            (Kind::Nilable, true) => {
                quote!(let mut #var: Option<Option<crate::codec::Timestamp>> = None;)
            }
            (_, false) => quote!(let mut #var: Option<#ty> = None;),
        }
    });
    let arms: Vec<TokenStream> = fields
        .iter()
        .filter(|f| f.kind != Kind::Rest)
        .map(|f| {
            let (var, wire) = (&f.rust, &f.wire);
            quote!(#wire => crate::codec::put(&mut #map, &mut #var, #wire),)
        })
        .collect();
    let fallback = match fields.iter().find(|f| f.kind == Kind::Rest) {
        Some(rest) => {
            let var = &rest.rust;
            quote!(crate::codec::rest(&mut #map, &mut #var, #key))
        }
        None => quote!(crate::codec::skip(&mut #map)),
    };
    let read = if arms.is_empty() {
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
        impl crate::codec::Object for #name {
            const NAME: &'static str = #type_name;
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(mut #map: A) -> Result<Self, A::Error> {
                #(#slots)*
                #read
                #build
            }
        }

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
        match (f.kind, f.timestamp) {
            (Kind::Rest, _) | (Kind::Required, false) => quote!(#var),
            (Kind::Required, true) => quote!(#var: #var.0),
            (Kind::Nilable, false) => quote!(#var: #var.flatten()),
            (Kind::Nilable, true) => quote!(#var: #var.flatten().map(|time| time.0)),
        }
    });
    let value = quote!(Self { #(#inits),* });
    let required: Vec<&CodecField> = fields.iter().filter(|f| f.kind == Kind::Required).collect();
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
    let required = fields.iter().filter(|f| f.kind == Kind::Required).count();
    let optional: Vec<TokenStream> = fields
        .iter()
        .filter(|f| f.kind == Kind::Nilable)
        .map(|f| {
            let var = &f.rust;
            quote!(self.#var.is_some())
        })
        .collect();
    let mut len = Vec::new();
    if required > 0 || fields.is_empty() {
        let required = Literal::usize_unsuffixed(required);
        len.push(quote!(#required));
    }
    if !optional.is_empty() {
        len.push(quote!(crate::codec::count_set(&[#(#optional),*])));
    }
    if let Some(rest) = fields.iter().find(|f| f.kind == Kind::Rest) {
        let var = &rest.rust;
        len.push(quote!(self.#var.len()));
    }
    let writes = fields.iter().map(|f| {
        let (var, wire) = (&f.rust, &f.wire);
        match (f.kind, f.timestamp) {
            (Kind::Required, false) => quote!(object.entry(#wire, &self.#var);),
            (Kind::Required, true) => {
                quote!(object.entry(#wire, &crate::codec::TimestampRef(&self.#var));)
            }
            (Kind::Nilable, false) => quote!(object.entry_if(#wire, &self.#var);),
            (Kind::Nilable, true) => {
                quote!(object.entry_if(#wire, &self.#var.as_ref().map(crate::codec::TimestampRef));)
            }
            (Kind::Rest, _) => quote!(object.entries(&self.#var);),
        }
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut object = crate::codec::Writer::new(serializer, #(#len)+*)?;
                #(#writes)*
                object.end()
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
