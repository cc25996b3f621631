//! The body of `Endpoint::path`: the path template with its placeholders
//! filled from parameters (encoded) or from the client's project id.

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::Error;
use crate::model::*;
use crate::query::{PathPart, path_parts};

use super::ident;

/// Code building the request path: a literal, or `format!` with encoded segments.
pub(super) fn render_path(e: &Endpoint) -> Result<TokenStream, Error> {
    let parts = path_parts(&e.path)
        .map_err(|message| crate::error::internal(format!("endpoint `{}`", e.id), message))?;
    // Each placeholder becomes a local holding the encoded value, so the
    // `format!` call only carries a literal with inline arguments.
    let mut template = String::new();
    let mut locals = Vec::new();
    for part in parts {
        let name = match part {
            PathPart::Text(text) => {
                template.push_str(text);
                continue;
            }
            PathPart::Placeholder(name) => name,
        };
        let param = e
            .params
            .iter()
            .find(|p| p.name == name && p.location == Location::Path);
        let (local, value) = match param {
            Some(p) => {
                let field = ident(&p.rust_name);
                let local = match p.rust_name.strip_prefix("r#") {
                    Some(keyword) => format!("{keyword}_"),
                    None => p.rust_name.clone(),
                };
                // Integers and booleans (the only other path parameter types the
                // validator allows) print nothing but unreserved characters; a
                // string, or an enum's wire value, is refused when empty, `.`
                // or `..`, and encoded otherwise.
                let wire = &p.name;
                let value = match p.ty {
                    Ty::String => quote!(crate::runtime::segment(Self::ID, #wire, &self.#field)?),
                    Ty::Enum(_) => {
                        quote!(crate::runtime::segment(Self::ID, #wire, self.#field.as_str())?)
                    }
                    _ => quote!(self.#field),
                };
                (local, value)
            }
            // A client-filled placeholder (validated against CLIENT_PLACEHOLDERS),
            // checked like a string parameter.
            None => (
                name.to_owned(),
                quote!(crate::runtime::segment(Self::ID, #name, project_id)?),
            ),
        };
        template.push('{');
        template.push_str(&local);
        template.push('}');
        let local = ident(&local);
        locals.push(quote!(let #local = #value;));
    }
    Ok(if locals.is_empty() {
        quote!(Ok(#template.to_owned()))
    } else {
        quote!(#(#locals)* Ok(format!(#template)))
    })
}
