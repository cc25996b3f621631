//! Doc comments of generated items: text wrapped into `#[doc]` attributes, and
//! the wire values appended to a field's documentation.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::*;

/// Doc attributes for a text, wrapped at about 90 columns; blank lines separate paragraphs.
pub(super) fn docs(text: &str) -> TokenStream {
    let lines = wrap(text);
    quote!(#(#[doc = #lines])*)
}

/// Inner doc attributes (`//!`).
pub(super) fn inner_docs(text: &str) -> TokenStream {
    let lines = wrap(text);
    quote!(#(#![doc = #lines])*)
}

fn wrap(text: &str) -> Vec<String> {
    const WIDTH: usize = 90;
    let mut out: Vec<String> = Vec::new();
    let mut last_was_item = false;
    for paragraph in text.trim().split('\n').map(str::trim_end) {
        let item = paragraph.starts_with("- ") || paragraph.starts_with("* ");
        // Paragraphs are separated by a blank line; consecutive list items are not.
        if !(item && last_was_item) && out.last().is_some_and(|l| !l.is_empty()) {
            out.push(String::new());
        }
        last_was_item = item;
        if paragraph.is_empty() {
            continue;
        }
        let continuation = if item { "   " } else { " " };
        let mut line = String::from(" ");
        let mut empty = true;
        for word in paragraph.split_whitespace() {
            if !empty && line.len() + 1 + word.len() > WIDTH {
                out.push(std::mem::replace(&mut line, continuation.to_owned()));
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        if !empty {
            out.push(line);
        }
    }
    out
}

/// A field's doc text followed by its enum values, when it has any.
pub(super) fn field_doc(f: &Field) -> String {
    with_values(f.doc.clone(), &f.enum_values)
}

pub(super) fn with_values(mut doc: String, values: &[String]) -> String {
    if !values.is_empty() {
        let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        doc.push_str("\n\nWire values: ");
        doc.push_str(&listed.join(", "));
        doc.push('.');
    }
    doc
}
