//! Rust spellings of spec types: type paths from the crate root and field types.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::*;

use super::ident;

/// The Rust type of a spec type, with paths from the crate root.
pub(super) fn rust_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Integer => quote!(i64),
        Ty::Number => quote!(f64),
        Ty::Boolean => quote!(bool),
        Ty::Timestamp => quote!(::time::OffsetDateTime),
        Ty::Json => quote!(::serde_json::Value),
        Ty::List(inner) => {
            let inner = rust_ty(inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = rust_ty(inner);
            quote!(::std::collections::HashMap<String, #inner>)
        }
        Ty::MemberSessionAuth => quote!(crate::MemberSessionAuth),
        Ty::Object(id) | Ty::Enum(id) => type_path(id),
    }
}

pub(super) fn type_path(id: &TypeId) -> TokenStream {
    type_path_from(quote!(crate), id)
}

/// Path of a model type below the given crate root (`crate` inside the SDK, `stytch_sdk` outside).
///
/// The module is named as written, as `models/mod.rs` declares it (validation
/// holds module names to lower snake case and no keyword).
pub(crate) fn type_path_from(root: TokenStream, id: &TypeId) -> TokenStream {
    let vertical = ident(&id.vertical);
    let module = ident(&id.module);
    let name = ident(&crate::names::pascal(&id.name).unwrap_or_else(|_| id.name.clone()));
    quote!(#root::#vertical::models::#module::#name)
}

/// Whether `#[derive(Default)]` works for a struct with these field types.
pub(super) fn defaultable(ty: &Ty, optional: bool) -> bool {
    optional || !matches!(ty, Ty::Timestamp | Ty::Object(_) | Ty::Enum(_))
}

pub(super) fn field_ty(f: &Field) -> TokenStream {
    let ty = rust_ty(&f.ty);
    if f.optional() {
        quote!(Option<#ty>)
    } else {
        ty
    }
}
