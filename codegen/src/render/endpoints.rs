//! Everything one endpoint adds to its namespace module: the request type with
//! its constructor and setters, the `Endpoint` impl (range checks, headers,
//! the HTTP status), the `MockEndpoint` impl and the response type.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::error::Error;
use crate::model::*;

use super::codec::{CodecField, Format, Kind, decode_impls, encode_impl};
use super::docs::{docs, with_values};
use super::ident;
use super::models::decoded_fields;
use super::pagination::render_paginated;
use super::paths::render_path;
use super::types::rust_ty;

fn param_doc(p: &Param) -> String {
    let mut doc = with_values(p.doc.clone(), &p.enum_values);
    if let Some(value) = &p.fixed {
        doc.push_str(&format!(
            "\n\nAlways `{value}`: the SDK sets it and the caller cannot change it."
        ));
    }
    if p.format == Some(WireFormat::SpaceSeparated) {
        doc.push_str("\n\nSent as one string, the items separated by single spaces; an empty list is not sent.");
    }
    if p.location == Location::Local {
        doc.push_str("\n\nNever sent: the SDK checks it itself once the response arrives.");
    }
    let range = match (p.min, p.max) {
        (Some(min), Some(max)) => Some(format!("Accepted range: {min} to {max}.")),
        (Some(min), None) => Some(format!("Must be at least {min}.")),
        (None, Some(max)) => Some(format!("Must be at most {max}.")),
        (None, None) => None,
    };
    let mut extra: Vec<String> = range.into_iter().collect();
    if let Some(default) = p.default {
        extra.push(format!("The API uses {default} when this is not set."));
    }
    if !extra.is_empty() {
        doc.push_str("\n\n");
        doc.push_str(&extra.join(" "));
    }
    doc
}

/// The request's private function returning a parameter's fixed value.
fn fixed_fn(p: &Param) -> Ident {
    format_ident!("fixed_{}", p.rust_name.trim_start_matches("r#"))
}

/// The Rust type of a request parameter's field (`Option` when optional).
fn param_ty(p: &Param) -> TokenStream {
    let ty = rust_ty(&p.ty);
    if p.required { ty } else { quote!(Option<#ty>) }
}

pub(super) fn render_endpoint_types(ns: &Namespace, e: &Endpoint) -> Result<TokenStream, Error> {
    let request = format_ident!("{}Request", e.type_prefix);
    let response = format_ident!("{}Response", e.type_prefix);
    let handle = &ns.handle;
    let method = e.method_name.trim_start_matches("r#");
    let request_doc = docs(&format!("Parameters of [`{handle}::{method}`]."));
    let response_doc = docs(&format!("What [`{handle}::{method}`] returns."));

    // Fixed values are set by `new` alone, so they count as neither argument nor option.
    let required: Vec<&Param> = e
        .params
        .iter()
        .filter(|p| p.required && p.fixed.is_none())
        .collect();
    let mut derives = vec![quote!(Debug), quote!(Clone)];
    if required.is_empty() && e.params.iter().all(|p| p.fixed.is_none()) {
        derives.push(quote!(Default));
    }
    let fields = e.params.iter().map(|p| {
        let doc = docs(&param_doc(p));
        let field = ident(&p.rust_name);
        if p.fixed.is_some() {
            // Private: always the fixed value, which `new` sets.
            return quote!(#doc #field: &'static str,);
        }
        let ty = param_ty(p);
        quote!(#doc pub #field: #ty,)
    });
    let request_codec: Vec<CodecField> = e
        .params
        .iter()
        .map(|p| {
            let fixed = p.fixed.as_ref().map(|_| {
                let name = fixed_fn(p);
                quote!(Self::#name())
            });
            CodecField::of_param(p, param_ty(p), fixed)
        })
        .collect();
    let encode_request = encode_impl(&request, &request_codec);
    let decode_request = decode_impls(
        &request,
        &request_codec,
        quote!(#[cfg(feature = "test-util")]),
    );
    let args = required.iter().map(|p| {
        let field = ident(&p.rust_name);
        if p.ty == Ty::String {
            quote!(#field: impl Into<String>)
        } else {
            let ty = rust_ty(&p.ty);
            quote!(#field: #ty)
        }
    });
    let inits = e.params.iter().map(|p| {
        let field = ident(&p.rust_name);
        if p.fixed.is_some() {
            let fixed = fixed_fn(p);
            return quote!(#field: Self::#fixed());
        }
        match (p.required, &p.ty) {
            (true, Ty::String) => quote!(#field: #field.into()),
            (true, _) => quote!(#field),
            (false, _) => quote!(#field: None),
        }
    });
    let fixed_fns = e.params.iter().filter_map(|p| {
        let value = p.fixed.as_ref()?;
        let name = fixed_fn(p);
        Some(quote! {
            #[inline]
            fn #name() -> &'static str {
                #value
            }
        })
    });
    let too_many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let setters = e.params.iter().filter(|p| !p.required).map(|p| {
        let field = ident(&p.rust_name);
        let doc = docs(&format!(
            "Sets [`{0}`](Self::{0}).",
            p.rust_name.trim_start_matches("r#")
        ));
        if p.ty == Ty::String {
            quote! {
                #doc
                #[inline]
                pub fn #field(mut self, value: impl Into<String>) -> Self {
                    self.#field = Some(value.into());
                    self
                }
            }
        } else {
            let ty = rust_ty(&p.ty);
            quote! {
                #doc
                #[inline]
                pub fn #field(mut self, value: #ty) -> Self {
                    self.#field = Some(value);
                    self
                }
            }
        }
    });

    let http = ident(&e.http);
    let encoding = ident(match e.encoding {
        Encoding::Json => "Json",
        Encoding::Query => "Query",
        Encoding::Form => "Form",
    });
    let idempotent = e.idempotent.then(|| {
        quote!(
            const IDEMPOTENT: bool = true;
        )
    });
    let http_status = e.response.iter().find(|f| f.http_status).map(|f| {
        let field = ident(&f.rust_name);
        quote! {
            #[inline]
            fn fill_http_status(response: &mut Self::Response, status: u16) {
                if response.#field == 0 {
                    response.#field = i64::from(status);
                }
            }
        }
    });
    let paginated = e.pagination.as_ref().map(|p| render_paginated(e, p));
    let host = (ns.host == Host::Telemetry).then(|| {
        quote!(
            const HOST: crate::runtime::Host = crate::runtime::Host::Telemetry;
        )
    });
    let id = &e.id;
    let path = render_path(e)?;
    let project_arg =
        if e.path.contains("{project_id}") && !e.params.iter().any(|p| p.name == "project_id") {
            quote!(project_id)
        } else {
            quote!(_project_id)
        };
    let path_fn = quote! {
        #[inline]
        fn path(&self, #project_arg: &str) -> Result<String, crate::Error> {
            #path
        }
    };
    let sentinel_checks = e.params.iter().filter_map(|p| {
        let sentinel = p.sentinel.as_ref()?;
        let field = ident(&p.rust_name);
        let wire = &p.name;
        let value = if p.required {
            quote!(Some(self.#field.as_str()))
        } else {
            quote!(self.#field.as_ref().map(|v| v.as_str()))
        };
        Some(quote!(crate::runtime::check_not_placeholder(Self::ID, #wire, #value, #sentinel)?;))
    });
    let checks: Vec<TokenStream> = e
        .params
        .iter()
        .filter(|p| p.min.is_some() || p.max.is_some())
        .map(|p| {
            let field = ident(&p.rust_name);
            let wire = &p.name;
            let bound = |b: Option<i64>| match (b, &p.ty) {
                (Some(b), Ty::Number) => {
                    let lit = Literal::f64_suffixed(b as f64);
                    quote!(Some(#lit))
                }
                (Some(b), _) => {
                    let lit = Literal::i64_suffixed(b);
                    quote!(Some(#lit))
                }
                (None, _) => quote!(None),
            };
            let (min, max) = (bound(p.min), bound(p.max));
            quote!(crate::runtime::check_range(Self::ID, #wire, self.#field, #min, #max)?;)
        })
        .chain(sentinel_checks)
        .collect();
    let check = (!checks.is_empty()).then(|| {
        quote! {
            #[inline]
            fn check(&self) -> Result<(), crate::Error> {
                #(#checks)*
                Ok(())
            }
        }
    });
    let header_writes: Vec<TokenStream> = e
        .params
        .iter()
        .filter_map(|p| match &p.location {
            Location::Header { token, jwt } => {
                let field = ident(&p.rust_name);
                Some(quote! {
                    if let Some(auth) = &self.#field {
                        auth.write(#token, #jwt, out)?;
                    }
                })
            }
            _ => None,
        })
        .collect();
    let headers = (!header_writes.is_empty()).then(|| {
        quote! {
            #[inline]
            fn headers(&self, out: &mut ::reqwest::header::HeaderMap) -> Result<(), crate::Error> {
                #(#header_writes)*
                Ok(())
            }
        }
    });

    let (response_fields, codec) = if e.response.is_empty() {
        let ty = quote!(::serde_json::Map<String, ::serde_json::Value>);
        let field = quote! {
            /// The response body as received; the spec documents no fields for this endpoint.
            pub body: #ty,
        };
        let body = CodecField {
            wire: String::new(),
            rust: ident("body"),
            ty,
            kind: Kind::Rest,
            format: Format::Plain,
            sent: true,
        };
        (vec![field], vec![body])
    } else {
        decoded_fields(&e.response)
    };
    let encode_response = encode_impl(&response, &codec);
    let decode_response = decode_impls(&response, &codec, quote!());

    Ok(quote! {
        #request_doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #request {
            #(#fields)*
        }

        #encode_request

        #decode_request

        impl #request {
            /// Creates the request from its required parameters; set optional ones with the methods below.
            #too_many
            #[inline]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
            #(#fixed_fns)*
        }

        impl crate::runtime::Endpoint for #request {
            type Response = #response;
            const ID: &'static str = #id;
            const METHOD: ::reqwest::Method = ::reqwest::Method::#http;
            #host
            const ENCODING: crate::runtime::Encoding = crate::runtime::Encoding::#encoding;
            #idempotent
            #path_fn
            #check
            #headers
            #http_status
        }

        #[cfg(feature = "test-util")]
        impl crate::test_util::MockEndpoint for #request {
            type Response = #response;
            const ENDPOINT_ID: &'static str = #id;
        }

        #paginated

        #response_doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #response {
            #(#response_fields)*
        }

        #decode_response

        #[cfg(feature = "test-util")]
        #encode_response
    })
}
