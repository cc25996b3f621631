//! Rules for parameters: `name` versus `use:`, where each one goes, fixed
//! values, wire formats, ranges, session headers and local (never sent) options.

use std::collections::BTreeSet;

use crate::load::{RawParam, S};
use crate::model::TypeExpr;
use crate::names;
use crate::query::inferred_location;

use super::endpoints::EndpointContext;
use super::{LOCAL_CHECKS, Validator, WIRE_FORMATS};

impl<'a> Validator<'a> {
    /// Checks one parameter; returns its name and where it goes.
    pub(super) fn param(
        &mut self,
        p: &'a RawParam,
        ctx: &EndpointContext<'_>,
        what: &str,
    ) -> Option<(&'a S<String>, String)> {
        let (name, definition) = match (&p.name, &p.use_) {
            (Some(_), Some(u)) => {
                self.at(
                    u,
                    format!("{what}: a parameter has either `name` or `use`, not both"),
                );
                return None;
            }
            (None, None) => {
                self.at_opt(
                    p.doc.as_ref().or(p.ty.as_ref()),
                    &format!("{what}: a parameter needs `name` or `use`"),
                );
                return None;
            }
            (Some(name), None) => {
                self.local_param(p, name, Some(ctx));
                (name, p)
            }
            (None, Some(u)) => {
                let Some(common) = self.spec.common_param(u) else {
                    self.at(
                        u,
                        format!(
                            "{what}: `use: {}` names no parameter in common.yaml",
                            u.as_str()
                        ),
                    );
                    // Still account for the name, so a placeholder it would fill
                    // is not reported as a second problem.
                    let located_in = match &p.location {
                        Some(l) => l.to_string(),
                        None if ctx.placeholders.contains(u.as_str()) => "path".to_owned(),
                        None => "body".to_owned(),
                    };
                    return Some((u, located_in));
                };
                if p.ty.is_some()
                    || p.doc.is_some()
                    || p.min.is_some()
                    || p.max.is_some()
                    || p.default.is_some()
                    || p.headers.is_some()
                    || p.value.is_some()
                    || p.format.is_some()
                {
                    self.at(u, format!("{what}: `use: {}` takes only `required` and `in`; type, doc, constraints, value and format come from common.yaml", u.as_str()));
                }
                (u, common)
            }
        };
        let is_session = definition
            .ty
            .as_ref()
            .is_some_and(|t| t.as_str() == "member_session_auth");
        let inferred = inferred_location(
            ctx.placeholders.contains(name.as_str()),
            is_session,
            ctx.http,
        );
        let location = self.spec.param_location(p);
        let located_in = location
            .map(|l| l.to_string())
            .unwrap_or_else(|| inferred.to_owned());
        if let Some(l) = location
            && !matches!(l.as_str(), "path" | "query" | "body" | "header" | "local")
        {
            self.at(
                l,
                format!(
                    "{what}: `in` must be path, query, body, header or local, not `{}`",
                    l.as_str()
                ),
            );
        }
        let required = p.required.as_ref().map(|r| **r).unwrap_or(false);
        let special = [
            ("value", definition.value.is_some()),
            ("format", definition.format.is_some()),
        ];
        for (key, set) in special {
            if set && !matches!(located_in.as_str(), "query" | "body") {
                self.at(
                    name,
                    format!(
                        "{what}: parameter `{}` has `{key}`, which only applies to query and body parameters, but it goes in {located_in}",
                        name.as_str()
                    ),
                );
            }
        }
        if definition.value.is_some() && !required {
            self.at(
                name,
                format!(
                    "{what}: parameter `{}` has a fixed `value`, which is always sent: mark it `required: true`",
                    name.as_str()
                ),
            );
        }
        if located_in == "local" {
            let ty = definition.ty.as_ref().map(|t| t.as_str()).unwrap_or("");
            if !LOCAL_CHECKS
                .iter()
                .any(|&(id, param, t)| id == ctx.id && param == name.as_str() && t == ty)
            {
                let known: Vec<String> = LOCAL_CHECKS
                    .iter()
                    .map(|(id, param, t)| format!("{id}: {param} ({t})"))
                    .collect();
                self.at(
                    name,
                    format!(
                        "{what}: parameter `{}` of type `{ty}` is `in: local`, but the SDK applies a local check by hand only to {}",
                        name.as_str(),
                        known.join(", ")
                    ),
                );
            }
            if required {
                self.at(
                    name,
                    format!(
                        "{what}: local parameter `{}` must be optional (it is an extra check the caller may ask for)",
                        name.as_str()
                    ),
                );
            }
        }
        match located_in.as_str() {
            "path" if !ctx.placeholders.contains(name.as_str()) => self.at(
                name,
                format!(
                    "{what}: path parameter `{}` has no `{{{}}}` placeholder in the path",
                    name.as_str(),
                    name.as_str()
                ),
            ),
            "path" if !required => self.at(
                name,
                format!(
                    "{what}: path parameter `{}` must be `required: true`",
                    name.as_str()
                ),
            ),
            "header" if !is_session => self.at(
                name,
                format!(
                    "{what}: header parameter `{}` must have type `member_session_auth`",
                    name.as_str()
                ),
            ),
            _ if is_session && located_in != "header" => self.at(
                name,
                format!(
                    "{what}: `{}` has type member_session_auth and must be `in: header`",
                    name.as_str()
                ),
            ),
            _ => {}
        }
        Some((name, located_in))
    }

    /// Checks the definition of a parameter written with `name` (locally or in common).
    pub(super) fn local_param(
        &mut self,
        p: &RawParam,
        name: &S<String>,
        _ctx: Option<&EndpointContext<'_>>,
    ) {
        let label = format!("parameter `{}`", name.as_str());
        if let Err(m) = names::snake(name) {
            self.at(name, m);
        }
        match &p.doc {
            Some(doc) => self.doc(doc, &label),
            None => self.at(name, format!("{label} needs a `doc`")),
        }
        let Some(ty) = &p.ty else {
            self.at(name, format!("{label} needs a `type`"));
            return;
        };
        let expr = self.type_expr(ty, true);
        let numeric = matches!(expr, Some(TypeExpr::Builtin("integer" | "number")));
        for (key, value) in [("min", &p.min), ("max", &p.max), ("default", &p.default)] {
            if let Some(value) = value
                && !numeric
                && expr.is_some()
            {
                self.at(value, format!("{label}: `{key}` is only allowed on integer or number parameters, not `{}`", ty.as_str()));
            }
        }
        if let (Some(min), Some(max)) = (&p.min, &p.max)
            && **min > **max
        {
            self.at(
                min,
                format!("{label}: min {} is greater than max {}", **min, **max),
            );
        }
        if let Some(default) = &p.default {
            let below = p.min.as_ref().is_some_and(|m| **default < **m);
            let above = p.max.as_ref().is_some_and(|m| **default > **m);
            if below || above {
                self.at(
                    default,
                    format!("{label}: default {} lies outside min/max", **default),
                );
            }
        }
        let string = matches!(expr, Some(TypeExpr::Builtin("string")));
        if let Some(value) = &p.value {
            if !string && expr.is_some() {
                self.at(
                    value,
                    format!(
                        "{label}: a fixed `value` needs type `string`, not `{}`",
                        ty.as_str()
                    ),
                );
            }
            if value.trim().is_empty() {
                self.at(value, format!("{label}: a fixed `value` cannot be empty"));
            }
            if let Some(format) = &p.format {
                self.at(
                    format,
                    format!("{label}: a parameter with a fixed `value` takes no `format`"),
                );
            }
        }
        if let Some(format) = &p.format {
            if !WIRE_FORMATS.contains(&format.as_str()) {
                self.at(
                    format,
                    format!(
                        "{label}: unknown format `{}`: expected one of {WIRE_FORMATS:?}",
                        format.as_str()
                    ),
                );
            } else if !string && expr.is_some() {
                self.at(format, format!("{label}: format `{}` describes how a list travels as one string, so the type must be `string`, not `{}`", format.as_str(), ty.as_str()));
            }
        }
        let is_session = ty.as_str() == "member_session_auth";
        match (&p.headers, is_session) {
            (Some(h), true) => {
                let keys: BTreeSet<&str> = h.keys().map(String::as_str).collect();
                if keys != BTreeSet::from(["session_jwt", "session_token"]) {
                    self.at(h, format!("{label}: `headers` must map exactly `session_token` and `session_jwt` to header names"));
                }
                for value in h.values() {
                    if value.is_empty()
                        || !value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        self.at(h, format!("{label}: `{value}` is not a valid header name"));
                    }
                }
            }
            (None, true) => self.at(
                ty,
                format!("{label}: a member_session_auth parameter needs `headers`"),
            ),
            (Some(h), false) => self.at(
                h,
                format!("{label}: `headers` only applies to member_session_auth parameters"),
            ),
            (None, false) => {}
        }
    }
}
