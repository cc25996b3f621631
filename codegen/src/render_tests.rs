//! Renders the end-to-end test that calls every endpoint once
//! (`tests/tests/generated/endpoints.rs`, included by `tests/tests/endpoints.rs`). Each test builds a request from the
//! [`samples`](crate::samples), sends it to a loopback server, and lets the
//! hand-written harness in `stytch-tests` check the wire format against the
//! spec; it then decodes a full and a minimal response.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::error::Error;
use crate::model::*;
use crate::render::{OutputFile, ident};
use crate::samples::{Sample, Samples};

/// Directory of the rendered test, relative to the workspace root; it holds
/// nothing but generated files, like `stytch-sdk/src/generated`.
pub const DIR: &str = "tests/tests/generated";
/// Path of the rendered test inside [`DIR`].
pub const PATH: &str = "endpoints.rs";

/// Renders the test file.
pub fn render(api: &Api) -> Result<OutputFile, Error> {
    let samples = Samples::new(api);
    check_samples(api, &samples)?;
    let mut tests = Vec::new();
    for v in &api.verticals {
        for ns in v.all_namespaces() {
            // An endpoint with a local check has a hand-written public
            // method (in the SDK's `auth`) that returns its own answer
            // type; its wire format and answers are tested by hand.
            for e in ns
                .endpoints
                .iter()
                .filter(|e| e.params.iter().all(|p| p.location != Location::Local))
            {
                tests.push(endpoint_test(&samples, &v.name, ns, e));
            }
        }
    }
    let tokens = quote! {
        #![doc = " Calls every endpoint of the spec once against loopback servers; see `stytch_tests::wire`."]
        #![allow(clippy::redundant_clone)]
        use stytch_tests::wire::Case;
        #(#tests)*
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Render {
        file: PATH.to_owned(),
        message: e.to_string(),
    })?;
    Ok(OutputFile {
        path: PATH.to_owned(),
        content: format!(
            "{}{}",
            crate::render::HEADER,
            crate::render::space_items(&prettyplease::unparse(&file))
        ),
    })
}

/// Every parameter has a finite sample, since the validator refuses the types
/// that have none; should one lack it anyway, that generator bug is reported
/// instead of a broken test being rendered.
fn check_samples(api: &Api, samples: &Samples<'_>) -> Result<(), Error> {
    for ns in api.all_namespaces() {
        for e in &ns.endpoints {
            for p in &e.params {
                samples.try_param(p).map_err(|message| {
                    crate::error::internal(
                        format!("endpoint `{}`, parameter `{}`", e.id, p.name),
                        format!("no test sample: {message}"),
                    )
                })?;
            }
        }
    }
    Ok(())
}

fn type_path(id: &TypeId) -> TokenStream {
    crate::render::type_path_from(quote!(stytch_sdk), id)
}

/// A Rust expression producing the sample.
fn expr(sample: &Sample) -> TokenStream {
    match sample {
        Sample::Str(s) => quote!(String::from(#s)),
        Sample::Int(i) => {
            let lit = Literal::i64_suffixed(*i);
            quote!(#lit)
        }
        Sample::Num(n) => {
            let lit = Literal::f64_suffixed(*n);
            quote!(#lit)
        }
        Sample::Bool(b) => quote!(#b),
        Sample::Timestamp => quote!(stytch_tests::wire::timestamp()),
        Sample::Json(name) => quote!(serde_json::json!({ "sample": #name })),
        Sample::List(inner) => {
            let inner = expr(inner);
            quote!(vec![#inner])
        }
        Sample::Map(inner) => {
            let inner = expr(inner);
            quote!(std::collections::HashMap::from([(String::from("key"), #inner)]))
        }
        Sample::EmptyList => quote!(Vec::new()),
        Sample::EmptyMap => quote!(std::collections::HashMap::new()),
        Sample::Enum { id, variant, .. } => {
            let path = type_path(id);
            let variant = ident(variant);
            quote!(#path::#variant)
        }
        Sample::Object { id, fields } => {
            let path = type_path(id);
            let fields = fields.iter().map(|(info, value)| {
                let name = ident(&info.rust_name);
                match (value, info.nilable) {
                    (Some(v), true) => {
                        let v = expr(v);
                        quote!(#name: Some(#v))
                    }
                    (Some(v), false) => {
                        let v = expr(v);
                        quote!(#name: #v)
                    }
                    (None, _) => quote!(#name: None),
                }
            });
            quote!(#path { #(#fields),* })
        }
        Sample::Session => quote!(stytch_tests::wire::member_session()),
    }
}

fn endpoint_test(
    samples: &Samples<'_>,
    vertical: &str,
    ns: &Namespace,
    e: &Endpoint,
) -> TokenStream {
    let test_name = format_ident!("{}", e.id.replace('.', "_"));
    let vertical_ident = ident(vertical);
    let modules = ns
        .segments
        .iter()
        .map(|s| ident(&crate::names::snake(s).unwrap_or_else(|_| s.clone())));
    let modules_again: Vec<Ident> = ns
        .segments
        .iter()
        .map(|s| ident(&crate::names::snake(s).unwrap_or_else(|_| s.clone())))
        .collect();
    let request_ty = format_ident!("{}Request", e.type_prefix);
    let accessors: Vec<Ident> = ns
        .segments
        .iter()
        .map(|s| ident(&crate::names::snake(s).unwrap_or_else(|_| s.clone())))
        .collect();
    let method = ident(&e.method_name);
    // The harness has one client constructor per product, named after it.
    let client = {
        let product = ident(vertical);
        quote!(case.#product())
    };
    // Fixed values are not arguments; local options would make the test
    // depend on the RBAC policy, which the hand-written tests cover.
    let required = e
        .params
        .iter()
        .filter(|p| p.required && p.fixed.is_none())
        .map(|p| expr(&samples.param(p)));
    let setters = e
        .params
        .iter()
        .filter(|p| !p.required && p.location != Location::Local)
        .map(|p| {
            let setter = ident(&p.rust_name);
            let value = expr(&samples.param(p));
            quote!(.#setter(#value))
        });
    let id = &e.id;
    let nilable: Vec<Ident> = e
        .response
        .iter()
        .filter(|f| f.optional())
        .map(|f| ident(&f.rust_name))
        .collect();
    let nilable_names: Vec<String> = e
        .response
        .iter()
        .filter(|f| f.optional())
        .map(|f| f.name.clone())
        .collect();
    // A field the SDK fills from the HTTP status when the body lacks it: the
    // harness answers the minimal response with 200.
    let from_http: Vec<Ident> = e
        .response
        .iter()
        .filter(|f| f.http_status)
        .map(|f| ident(&f.rust_name))
        .collect();
    let from_http_names: Vec<String> = e
        .response
        .iter()
        .filter(|f| f.http_status)
        .map(|f| f.name.clone())
        .collect();
    // Bind the minimal response only when there are nilable fields to look at.
    let minimal = if nilable.is_empty() && from_http.is_empty() {
        quote!(let _ =)
    } else {
        quote!(let minimal =)
    };
    // The mock names its clients `client` (consumer) and `<product>_client`.
    let mock_client = match vertical {
        "consumer" => quote!(mock.client()),
        other => {
            let method = format_ident!("{other}_client");
            quote!(mock.#method())
        }
    };
    quote! {
        #[tokio::test]
        async fn #test_name() {
            let case = Case::start(#id).await;
            let request = stytch_sdk::#vertical_ident::#(#modules::)*#request_ty::new(#(#required),*)#(#setters)*;
            let full = #client #(.#accessors())*.#method(request.clone()).await.expect("full response decodes");
            #(assert!(full.#nilable.is_some(), "{} left out of the full response", #nilable_names);)*
            // The offline mock decodes the request from the wire and serves the response back.
            let mock = stytch_sdk::test_util::MockStytch::start().await;
            mock.on::<stytch_sdk::#vertical_ident::#(#modules_again::)*#request_ty>().respond(full.clone());
            let echoed = #mock_client #(.#accessors())*.#method(request.clone()).await.expect("the mock answers");
            assert_eq!(echoed, full, "the response survives Serialize and Deserialize");
            let received = mock.calls::<stytch_sdk::#vertical_ident::#(#modules_again::)*#request_ty>();
            let sent = [request.clone()];
            assert_eq!(format!("{received:?}"), format!("{sent:?}"), "the mock decodes the request as it was built");
            #minimal #client #(.#accessors())*.#method(request).await.expect("minimal response decodes");
            #(assert!(minimal.#nilable.is_none(), "{} should be absent from the minimal response", #nilable_names);)*
            #(assert_eq!(minimal.#from_http, 200, "{} comes from the HTTP status when the body lacks it", #from_http_names);)*
            case.verify();
        }
    }
}
