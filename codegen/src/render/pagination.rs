//! Cursor pagination: the `<method>_pages` and `<method>_items` stream methods
//! of a namespace handle, and the `Paginated` impl of a paginated request.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::*;
use crate::query::page_method_names;

use super::docs::docs;
use super::ident;
use super::types::rust_ty;

/// The `<method>_pages` and `<method>_items` methods of a paginated endpoint.
pub(super) fn page_methods(e: &Endpoint, p: &Pagination) -> TokenStream {
    let method = e.method_name.trim_start_matches("r#");
    let [pages_name, items_name] = page_method_names(method);
    let pages = ident(&pages_name);
    let items = ident(&items_name);
    let request = format_ident!("{}Request", e.type_prefix);
    let response = format_ident!("{}Response", e.type_prefix);
    let item = rust_ty(&p.item);
    let pages_doc = docs(&format!(
        "Every page of [`{method}`](Self::{method}), starting from the request's cursor: each page's next cursor is sent as `{}` for the following one, until the API returns none (or an empty one, or the same one again). The first error ends the stream; [`Pages::resume`](crate::Pages::resume) requests the failed page again, and [`Pages::next_cursor`](crate::Pages::next_cursor) tells where it stands.",
        p.cursor.trim_start_matches("r#")
    ));
    let items_doc = docs(&format!(
        "The items of every page of [`{method}`](Self::{method}) (see [`{pages_name}`](Self::{pages_name})), one by one."
    ));
    quote! {
        #pages_doc
        #[inline]
        pub fn #pages(&self, request: #request) -> crate::Pages<#response> {
            crate::Pages::new(self.core.transport.clone(), request)
        }
        #items_doc
        #[inline]
        pub fn #items(&self, request: #request) -> crate::Items<#item> {
            crate::Items::new(self.core.transport.clone(), request)
        }
    }
}

/// `impl Paginated` for the request of a paginated endpoint.
pub(super) fn render_paginated(e: &Endpoint, p: &Pagination) -> TokenStream {
    let request = format_ident!("{}Request", e.type_prefix);
    let cursor = ident(&p.cursor);
    let items = ident(&p.items);
    let item = rust_ty(&p.item);
    let last = &p.next_cursor;
    let mut path = quote!(response);
    for step in &p.through {
        let field = ident(&step.rust_name);
        path = if step.nilable {
            quote!(#path.#field.as_ref()?)
        } else {
            quote!(#path.#field)
        };
    }
    let field = ident(&last.rust_name);
    let next = if last.nilable {
        quote!(#path.#field.as_deref())
    } else {
        quote!(Some(#path.#field.as_str()))
    };
    quote! {
        impl crate::pagination::Paginated for #request {
            type Item = #item;
            #[inline]
            fn cursor(&self) -> Option<&str> {
                self.#cursor.as_deref()
            }
            #[inline]
            fn set_cursor(&mut self, cursor: String) {
                self.#cursor = Some(cursor);
            }
            #[inline]
            fn next_cursor(response: &Self::Response) -> Option<&str> {
                #next
            }
            #[inline]
            fn into_items(response: Self::Response) -> Vec<Self::Item> {
                response.#items
            }
        }
    }
}
