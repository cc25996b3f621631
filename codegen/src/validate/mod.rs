//! Stage 2: check the raw spec for everything the later stages rely on.
//!
//! All problems are collected, each with its file, line and column. After this
//! stage succeeds, resolving and rendering cannot fail on spec content.
//!
//! This module holds the entry point, the `Validator` with its helpers for
//! reporting a problem at a position, and the constants other stages share;
//! each submodule adds the rules of one part of the spec. The lookups it
//! shares with the later stages live in [`query`](crate::query).

mod common;
mod cross_item;
mod endpoints;
mod fields;
mod namespaces;
mod nesting;
mod pagination;
mod params;
pub mod reserved;
mod types;

use std::collections::HashMap;

use crate::error::{SpecError, SpecErrors};
use crate::load::{RawSpec, S, pos};
use crate::model::TypeId;
use crate::query::Kind;

/// The fallback variant every generated enum has; no wire value may take its name.
pub const UNKNOWN_VARIANT: &str = "Unrecognized";

/// Path placeholders the client fills in itself when no parameter has the name.
pub const CLIENT_PLACEHOLDERS: &[&str] = &["project_id"];

/// Where a parameter may be `in: local`: `(endpoint id, parameter, type)`.
///
/// A local parameter is never sent; hand-written code in the SDK's `auth`
/// module applies it to the answer. The generator renders such an endpoint's
/// call as a crate-private `<method>_unchecked`, and `auth` provides the
/// public method that calls it and then applies the check, so the check can
/// never be skipped. The SDK compiles only when this table and `auth` agree:
/// an entry `auth` does not wrap leaves `<method>_unchecked` unused (a
/// warning, an error under CI's `-D warnings`), and a method `auth` wraps
/// that is not listed here has no `<method>_unchecked` to call.
pub const LOCAL_CHECKS: &[(&str, &str, &str)] = &[
    (
        "consumer.idp.introspect_token_network",
        "authorization_check",
        "consumer.sessions.AuthorizationCheck",
    ),
    (
        "b2b.idp.introspect_token_network",
        "authorization_check",
        "b2b.sessions.AuthorizationCheck",
    ),
];

/// Wire formats a list parameter may be written in (`format:`).
pub const WIRE_FORMATS: &[&str] = &["space_separated"];

/// Checks the whole spec; returns every problem found.
pub fn validate(spec: &RawSpec) -> Result<(), SpecErrors> {
    let mut v = Validator {
        spec,
        errors: Vec::new(),
        kinds: HashMap::new(),
        anchor: None,
    };
    v.collect_type_ids();
    v.common();
    v.namespaces();
    v.type_files();
    let cross_item = cross_item::check(spec, &v.kinds);
    v.errors.extend(cross_item);
    v.errors.extend(nesting::check(spec, &v.kinds));
    missing_common(spec, &mut v.errors);
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(SpecErrors(v.errors))
    }
}

/// Without common.yaml every `use:` fails; say once that the file is missing
/// instead of once per use.
fn missing_common(spec: &RawSpec, errors: &mut Vec<SpecError>) {
    if spec
        .files
        .iter()
        .any(|f| f.as_path() == std::path::Path::new("common.yaml"))
    {
        return;
    }
    let before = errors.len();
    errors.retain(|e| {
        !e.message.contains("names no parameter in common.yaml")
            && !e.message.contains("names no field in common.yaml")
    });
    if errors.len() < before {
        errors.insert(
            0,
            SpecError {
                file: "common.yaml".into(),
                line: 0,
                column: 0,
                message: format!(
                    "common.yaml is missing: {} `use:` reference(s) have nothing to refer to",
                    before - errors.len()
                ),
            },
        );
    }
}

/// Records that `name` takes the Rust name `rust`; when another name took it
/// first, describes that one and where it is.
fn clash(
    taken: &mut HashMap<String, (String, usize, usize)>,
    rust: &str,
    name: &S<String>,
) -> Option<String> {
    if let Some((other, l, c)) = taken.get(rust) {
        return Some(format!("`{other}` (line {l}, column {c})"));
    }
    let (l, c) = pos(name);
    taken.insert(rust.to_owned(), (name.to_string(), l, c));
    None
}

/// Walks the spec and collects every problem it finds.
struct Validator<'a> {
    spec: &'a RawSpec,
    errors: Vec<SpecError>,
    kinds: HashMap<TypeId, Kind>,
    /// Where the item being checked starts (file, line, column), for problems
    /// of a part that carries no position of its own (an empty parameter).
    anchor: Option<(usize, usize, usize)>,
}

impl<'a> Validator<'a> {
    fn at<T>(&mut self, s: &S<T>, message: impl Into<String>) {
        self.errors.push(self.spec.error_at_value(s, message));
    }

    fn at_file(&mut self, source: usize, line: usize, column: usize, message: impl Into<String>) {
        self.errors
            .push(self.spec.error_at(source, line, column, message));
    }

    fn doc(&mut self, doc: &S<String>, what: &str) {
        let text = doc.trim();
        if text.is_empty() || text.starts_with("TODO") {
            self.at(doc, format!("{what} needs a doc text"));
        }
    }

    fn at_opt<T>(&mut self, s: Option<&S<T>>, message: &str) {
        match s {
            Some(s) => self.at(s, message),
            None => {
                let (source, line, column) = self.anchor.unwrap_or((usize::MAX, 0, 0));
                self.at_file(source, line, column, message)
            }
        }
    }
}
