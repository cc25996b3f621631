//! The product modules (`<product>/mod.rs`, `models/mod.rs`) and one module
//! per namespace: its handle struct, the accessors reaching child namespaces,
//! and one method per endpoint.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use heck::ToUpperCamelCase as _;

use crate::error::Error;
use crate::model::*;
use crate::products::{Auth, Product};

use super::docs::{docs, inner_docs};
use super::endpoints::render_endpoint_types;
use super::mock::mock_routes;
use super::models::render_model_module;
use super::pagination::page_methods;
use super::{OutputFile, feature_cfg, finish, ident};

pub(super) fn render_vertical(v: &Vertical, files: &mut Vec<OutputFile>) -> Result<(), Error> {
    let name = &v.name;
    let feature = feature_cfg([name]);
    let product = crate::products::product(name).ok_or_else(|| Error::Render {
        file: format!("{name}/mod.rs"),
        message: format!("`{name}` is not a product the generator knows"),
    })?;
    let client_ident = ident(product.client);
    let client = quote!(crate::#client_ident);
    let client_doc = format!("crate::{}", product.client);
    let modules: Vec<Ident> = v.namespaces.iter().map(|n| ident(&n.module)).collect();
    let accessors = v
        .namespaces
        .iter()
        .map(|n| accessor(n, quote!(&self.core), quote!('_)));
    let about = format!(
        "The {} API: endpoints reached through [`{client_doc}`], and the object types they exchange (in [`models`]).",
        product.about
    );
    let about = inner_docs(&about);
    let routes = mock_routes(v);
    let product_impls = product_impls(v, product, &feature);
    let tokens = quote! {
        #about
        pub mod models;
        #(#feature pub mod #modules;)*
        #feature
        impl #client {
            #(#accessors)*
        }
        #product_impls
        #routes
    };
    files.push(finish(&format!("{name}/mod.rs"), tokens)?);

    let model_modules = v.models.iter().map(|m| {
        let cfg = feature_cfg(&m.used_by);
        let module = ident(&m.name);
        quote!(#cfg pub mod #module;)
    });
    let about = inner_docs(&format!(
        "Object types and enums of the {name} API, grouped by the module they belong to."
    ));
    files.push(finish(
        &format!("{name}/models/mod.rs"),
        quote!(#about #(#model_modules)*),
    )?);
    for m in &v.models {
        files.push(render_model_module(name, m)?);
    }
    for ns in &v.namespaces {
        render_namespace(name, ns, &format!("{name}/"), files)?;
    }
    Ok(())
}

/// The product's entry of the product table as hand-written code reads it:
/// `PRODUCT`, a `runtime::Product` (credential scheme and names, default
/// host), and, for products verified locally whose spec has the endpoints
/// the table names, a marker type implementing `runtime::VerifyingProduct`
/// (the endpoints verification fetches from, and its cache slot).
fn product_impls(v: &Vertical, product: &Product, feature: &TokenStream) -> TokenStream {
    let name = product.name;
    let marker = format_ident!("{}Product", name.to_upper_camel_case());
    let doc = docs(&format!(
        "The {} product as its client builder sees it (from the generator's product table).",
        product.about
    ));
    let scheme = match product.auth {
        Auth::ProjectSecret => quote!(ProjectSecret),
        Auth::PublicToken => quote!(PublicToken),
        Auth::WorkspaceKey => quote!(WorkspaceKey),
    };
    let [id_name, secret_name] = product.credential_names;
    let first = product.servers.first().map_or("", |(url, _)| *url);
    let default_host = match (product.live_prefix, product.servers) {
        (Some(prefix), [(live, _), (test, _), ..]) => quote! {
            if credential_id.starts_with(#prefix) { #live } else { #test }
        },
        _ => quote! {
            let _ = credential_id;
            #first
        },
    };
    let verifying = match crate::products::verifying()
        .enumerate()
        .find(|(_, (p, _))| p.name == name)
    {
        None => None,
        // A spec without these endpoints (a test spec of a few endpoints)
        // gives a product that is not verified locally.
        Some((slot, (_, verification))) => (|| {
            let slot = proc_macro2::Literal::usize_unsuffixed(slot);
            let key_set = request_path(v, verification.key_set)?;
            let policy = request_path(v, verification.policy)?;
            let token = request_path(v, verification.token)?;
            Some(quote! {
                #feature
                impl crate::runtime::VerifyingProduct for #marker {
                    const SLOT: usize = #slot;
                    type KeySet = #key_set;
                    type Policy = #policy;
                    type Token = #token;
                    fn key_set(project_id: &str) -> Self::KeySet {
                        #key_set::new(project_id)
                    }
                    fn policy() -> Self::Policy {
                        #policy::new()
                    }
                    fn token(client_id: &str, client_secret: &str, scopes: Option<Vec<String>>) -> Self::Token {
                        let request = #token::new(client_id, client_secret);
                        match scopes {
                            Some(scopes) => request.scope(scopes),
                            None => request,
                        }
                    }
                }
            })
        })(),
    };
    let marker_doc = docs(&format!(
        "The {} product as local token verification sees it: where keys, policy and M2M tokens come from.",
        product.about
    ));
    let marker = verifying.as_ref().map(|_| {
        quote! {
            #marker_doc
            #feature
            #[derive(Debug, Clone, Copy)]
            pub(crate) struct #marker;
        }
    });
    quote! {
        #doc
        #feature
        pub(crate) const PRODUCT: crate::runtime::Product = crate::runtime::Product {
            scheme: crate::runtime::Scheme::#scheme,
            credential_names: [#id_name, #secret_name],
            default_host: |credential_id| { #default_host },
        };
        #marker
        #verifying
    }
}

/// The path (from the product module) of the request type of endpoint `id`
/// (`sessions.get_jwks`) of product `v`.
fn request_path(v: &Vertical, id: &str) -> Option<TokenStream> {
    fn find<'a>(
        namespaces: &'a [Namespace],
        id: &str,
        modules: &mut Vec<&'a str>,
    ) -> Option<&'a Endpoint> {
        for ns in namespaces {
            modules.push(&ns.module);
            if let Some(e) = ns.endpoints.iter().find(|e| e.id == id) {
                return Some(e);
            }
            if let Some(e) = find(&ns.children, id, modules) {
                return Some(e);
            }
            modules.pop();
        }
        None
    }
    let full = format!("{}.{id}", v.name);
    let mut modules = Vec::new();
    let endpoint = find(&v.namespaces, &full, &mut modules)?;
    let modules = modules.into_iter().map(ident);
    let ty = format_ident!("{}Request", endpoint.type_prefix);
    Some(quote!(#(#modules::)*#ty))
}

/// A method returning a namespace handle.
fn accessor(ns: &Namespace, core: TokenStream, lifetime: TokenStream) -> TokenStream {
    let module = ident(&ns.module);
    let handle = ident(&ns.handle);
    let doc = docs(&first_paragraph(&ns.doc));
    quote! {
        #doc
        #[inline]
        pub fn #module(&self) -> #module::#handle<#lifetime> {
            #module::#handle { core: #core }
        }
    }
}

fn first_paragraph(text: &str) -> String {
    text.split("\n").next().unwrap_or_default().to_owned()
}
fn render_namespace(
    vertical: &str,
    ns: &Namespace,
    dir: &str,
    files: &mut Vec<OutputFile>,
) -> Result<(), Error> {
    let handle = ident(&ns.handle);
    let about = inner_docs(&ns.doc);
    let handle_doc = docs(&format!(
        "{}\n\nReached through `{}`.",
        ns.doc,
        reach(vertical, &ns.segments)
    ));
    let children: Vec<Ident> = ns.children.iter().map(|c| ident(&c.module)).collect();
    let accessors = ns
        .children
        .iter()
        .map(|c| accessor(c, quote!(self.core), quote!('a)));
    let methods = ns.endpoints.iter().map(|e| {
        let doc = docs(&format!("{}\n\nSends `{} {}`.", e.doc, e.http, e.path));
        let method = ident(&e.method_name);
        let request = format_ident!("{}Request", e.type_prefix);
        let response = format_ident!("{}Response", e.type_prefix);
        let paging = e.pagination.as_ref().map(|p| page_methods(e, p));
        if e.params.iter().any(|p| p.location == Location::Local) {
            // The public method is written by hand in `auth`: it calls this
            // one and then applies the local parameter's check.
            let unchecked = format_ident!("{}_unchecked", e.method_name);
            let doc = docs(&format!(
                "Sends `{} {}` and decodes the answer without applying the request's local check; the public [`{}`](Self::{}) (in `crate::auth`) calls this and then applies it.",
                e.http, e.path, e.method_name, e.method_name
            ));
            return quote! {
                #doc
                #[inline]
                pub(crate) fn #unchecked(&self, request: #request) -> impl ::std::future::Future<Output = Result<#response, crate::Error>> + Send + '_ {
                    self.core.transport.call(request)
                }
                #paging
            };
        }
        quote! {
            #doc
            #[inline]
            pub fn #method(&self, request: #request) -> impl ::std::future::Future<Output = Result<#response, crate::Error>> + Send + '_ {
                self.core.transport.call(request)
            }
            #paging
        }
    });
    let types = ns
        .endpoints
        .iter()
        .map(|e| render_endpoint_types(ns, e))
        .collect::<Result<Vec<_>, Error>>()?;
    let tokens = quote! {
        #about
        #(pub mod #children;)*

        #handle_doc
        #[derive(Debug, Clone, Copy)]
        pub struct #handle<'a> {
            pub(crate) core: &'a crate::client::Core,
        }

        impl<'a> #handle<'a> {
            #(#accessors)*
            #(#methods)*
        }

        #(#types)*
    };
    let path = if ns.children.is_empty() {
        format!("{dir}{}.rs", ns.module)
    } else {
        format!("{dir}{}/mod.rs", ns.module)
    };
    files.push(finish(&path, tokens)?);
    let child_dir = format!("{dir}{}/", ns.module);
    for child in &ns.children {
        render_namespace(vertical, child, &child_dir, files)?;
    }
    Ok(())
}
fn reach(vertical: &str, segments: &[String]) -> String {
    let client = crate::products::product(vertical).map_or("client", |p| p.variable);
    let calls: Vec<String> = segments
        .iter()
        .map(|s| {
            format!(
                ".{}()",
                crate::names::snake(s).unwrap_or_else(|_| s.clone())
            )
        })
        .collect();
    format!("{client}{}", calls.join(""))
}
