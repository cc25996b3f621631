//! Rules for one endpoint: method, content type, path placeholders against
//! path parameters, and the uniqueness of its parameters and response fields.

use std::collections::{BTreeSet, HashMap};

use crate::load::{RawEndpoint, S, pos};
use crate::names;

use super::{CLIENT_PLACEHOLDERS, LOCAL_CHECKS, Validator, clash};
use crate::query::placeholders;

/// Where an endpoint's parameter is used, for the checks that depend on it.
pub(super) struct EndpointContext<'a> {
    /// Dotted id, such as `consumer.idp.introspect_token_network`.
    pub(super) id: String,
    pub(super) http: &'a str,
    pub(super) placeholders: BTreeSet<String>,
}

impl<'a> Validator<'a> {
    pub(super) fn endpoint(&mut self, ep: &'a RawEndpoint, ns: &str) {
        let what = format!("endpoint `{ns}.{}`", ep.name.as_str());
        self.doc(&ep.doc, &what);
        if !matches!(
            ep.method.as_str(),
            "GET" | "POST" | "PUT" | "DELETE" | "PATCH"
        ) {
            self.at(
                &ep.method,
                format!("{what}: unknown HTTP method `{}`", ep.method.as_str()),
            );
        }
        if let Some(ct) = &ep.content_type
            && !matches!(ct.as_str(), "json" | "form")
        {
            self.at(
                ct,
                format!(
                    "{what}: content_type must be `json` or `form`, not `{}`",
                    ct.as_str()
                ),
            );
        }
        if let Some(idempotent) = &ep.idempotent
            && **idempotent
            && ep.method.as_str() == "GET"
        {
            self.at(
                idempotent,
                format!("{what}: GET endpoints are always safe to repeat; `idempotent` is for POST, PUT, PATCH and DELETE"),
            );
        }
        let product = ns.split('.').next().and_then(crate::products::product);
        if let Some(product) = product
            && !product
                .path_prefixes
                .iter()
                .any(|prefix| ep.path.starts_with(prefix))
        {
            self.at(
                &ep.path,
                format!(
                    "{what}: path `{}` starts with none of the {} product's path prefixes {:?}",
                    ep.path.as_str(),
                    product.name,
                    product.path_prefixes
                ),
            );
        }
        let placeholders = match placeholders(&ep.path) {
            Ok(p) => p.into_iter().map(str::to_owned).collect(),
            Err(message) => {
                self.at(&ep.path, format!("{what}: {message}"));
                BTreeSet::new()
            }
        };
        let ctx = EndpointContext {
            id: format!("{ns}.{}", ep.name.as_str()),
            http: ep.method.as_str(),
            placeholders,
        };
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        let mut rust_names: HashMap<String, (String, usize, usize)> = HashMap::new();
        let mut path_params = BTreeSet::new();
        let mut local: Option<&S<String>> = None;
        for p in &ep.params {
            let Some((name, located_in)) = self.param(p, &ctx, &what) else {
                continue;
            };
            if let Some((l, c)) = seen.get(name.as_str()) {
                let msg = format!(
                    "{what}: duplicate parameter `{}` (first at line {l}, column {c})",
                    name.as_str()
                );
                self.at(name, msg);
            } else {
                seen.insert(name.to_string(), pos(name));
                if let Ok(rust) = names::snake(name)
                    && let Some(other) = clash(&mut rust_names, &rust, name)
                {
                    self.at(
                        name,
                        format!(
                            "{what}: parameter `{}` clashes with {other} as Rust field `{rust}`",
                            name.as_str()
                        ),
                    );
                }
            }
            if located_in == "path" {
                path_params.insert(name.to_string());
            }
            if located_in == "local" {
                if let Some(first) = local {
                    let (l, c) = pos(first);
                    self.at(name, format!("{what}: only one parameter may be `in: local` (the first is at line {l}, column {c})"));
                }
                local = Some(name);
            }
        }
        if local.is_none()
            && let Some((_, param, ty)) = LOCAL_CHECKS.iter().find(|(id, ..)| *id == ctx.id)
        {
            self.at(
                &ep.name,
                format!("{what}: the SDK wraps this endpoint by hand to apply its local check; declare parameter `{param}` (type `{ty}`) with `in: local`"),
            );
        }
        for missing in ctx
            .placeholders
            .difference(&path_params)
            .filter(|m| !CLIENT_PLACEHOLDERS.contains(&m.as_str()))
        {
            self.at(
                &ep.path,
                format!("{what}: path placeholder `{{{missing}}}` has no path parameter"),
            );
        }
        self.one_rest_field(&ep.response, &what);
        self.one_http_status_field(&ep.response, &what);
        if let Some(paginate) = &ep.paginate {
            self.pagination(ep, paginate, &what);
        }
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        let mut rust_names = HashMap::new();
        for f in &ep.response {
            let Some(name) = self.field(f) else { continue };
            if let Some((l, c)) = seen.get(name.as_str()) {
                let msg = format!(
                    "{what}: duplicate response field `{}` (first at line {l}, column {c})",
                    name.as_str()
                );
                self.at(name, msg);
            } else {
                seen.insert(name.to_string(), pos(name));
                if let Ok(rust) = names::snake(name)
                    && let Some(other) = clash(&mut rust_names, &rust, name)
                {
                    self.at(name, format!("{what}: response field `{}` clashes with {other} as Rust field `{rust}`", name.as_str()));
                }
            }
        }
    }
}
