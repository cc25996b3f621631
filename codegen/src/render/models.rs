//! The model modules of a product: object types as structs and string enums
//! with their fallback variant.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Error;
use crate::model::*;

use super::codec::{CodecField, decode_impls, encode_impl, enum_impls};
use super::docs::{docs, field_doc, inner_docs};
use super::types::{defaultable, field_ty, type_path};
use super::{OutputFile, finish, ident};

pub(super) fn render_model_module(vertical: &str, m: &ModelModule) -> Result<OutputFile, Error> {
    let about = inner_docs(&format!(
        "Object types and enums of the `{vertical}.{}` module.",
        m.name
    ));
    let types = m.types.iter().map(render_object);
    let enums = m.enums.iter().map(render_enum);
    finish(
        &format!("{vertical}/models/{}.rs", m.name),
        quote!(#about #(#types)* #(#enums)*),
    )
}

/// The field declarations of a decoded struct (object type or response) and
/// the codec's view of the same fields.
pub(super) fn decoded_fields(fields: &[Field]) -> (Vec<TokenStream>, Vec<CodecField>) {
    fields
        .iter()
        .map(|f| {
            let doc = docs(&field_doc(f));
            let field = ident(&f.rust_name);
            let ty = field_ty(f);
            (quote!(#doc pub #field: #ty,), CodecField::of(f, ty))
        })
        .unzip()
}

fn render_object(t: &ObjectType) -> TokenStream {
    let name = ident(&t.rust_name);
    let doc = docs(&t.doc);
    let default = t
        .fields
        .iter()
        .all(|f| defaultable(&f.ty, f.optional()))
        .then(|| quote!(Default,));
    let (fields, codec) = decoded_fields(&t.fields);
    let encode = encode_impl(&name, &codec);
    let decode = decode_impls(&name, &codec, quote!());
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields)*
        }

        #encode

        #decode
    }
}

fn render_enum(e: &EnumType) -> TokenStream {
    let name = ident(&e.rust_name);
    let doc = docs(&e.doc);
    if let Some(target) = &e.same_as {
        let path = type_path(target);
        return quote!(#doc pub type #name = #path;);
    }
    let variants = e.values.iter().map(|v| {
        let mut text = format!("{} (`{}`)", v.doc.trim_end_matches('.'), v.wire);
        if v.sentinel {
            text.push_str(
                ".\n\nThe API's placeholder for a value that was never set: answers may \
                 carry it, but a request holding it is refused before it is sent.",
            );
        }
        let doc = docs(&text);
        let variant = ident(&v.rust_name);
        quote!(#doc #variant,)
    });
    let fallback = format_ident!("{}", crate::validate::UNKNOWN_VARIANT);
    let codec = enum_impls(&name, e, &fallback);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know, kept exactly as received.
            #fallback(String),
        }

        #codec
    }
}
