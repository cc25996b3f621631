//! Stage 2: check the raw spec for everything the later stages rely on.
//!
//! All problems are collected, each with its file, line and column. After this
//! stage succeeds, resolving and rendering cannot fail on spec content.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::{SpecError, SpecErrors};
use crate::load::{RawEndpoint, RawField, RawPagination, RawParam, RawSpec, S, pos};
use crate::model::{TypeExpr, TypeId};
use crate::names;

/// The fallback variant every generated enum has; no wire value may take its name.
pub const UNKNOWN_VARIANT: &str = "Unrecognized";

/// Path placeholders the client fills in itself when no parameter has the name.
pub const CLIENT_PLACEHOLDERS: &[&str] = &["project_id"];

/// Parameters that may be `in: local`: the SDK runtime evaluates each of them
/// on the response by hand-written code, so only names it implements are allowed.
pub const LOCAL_PARAMS: &[&str] = &["authorization_check"];

/// Wire formats a list parameter may be written in (`format:`).
pub const WIRE_FORMATS: &[&str] = &["space_separated"];

/// What a named type id refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object type.
    Object,
    /// An enum with its own values.
    Enum,
    /// An enum alias (`same_as`).
    EnumAlias,
}

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
    let cross_item = crate::soundness::check(spec, &v.kinds);
    v.errors.extend(cross_item);
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

/// Every declared object type and enum id, with what it is.
pub fn declared_types(spec: &RawSpec) -> HashMap<TypeId, Kind> {
    let mut kinds = HashMap::new();
    for file in &spec.type_files {
        let id = |name: &str| TypeId {
            vertical: file.vertical.clone(),
            module: file.module.clone(),
            name: name.to_owned(),
        };
        for t in &file.body.types {
            kinds.insert(id(&t.name), Kind::Object);
        }
        for e in &file.body.enums {
            kinds.insert(
                id(&e.name),
                if e.same_as.is_some() {
                    Kind::EnumAlias
                } else {
                    Kind::Enum
                },
            );
        }
    }
    kinds
}

struct Validator<'a> {
    spec: &'a RawSpec,
    errors: Vec<SpecError>,
    kinds: HashMap<TypeId, Kind>,
    /// Where the item being checked starts (file, line, column), for problems
    /// of a part that carries no position of its own (an empty parameter).
    anchor: Option<(usize, usize, usize)>,
}

/// Where an endpoint's parameter is used, for the checks that depend on it.
struct EndpointContext<'a> {
    http: &'a str,
    placeholders: BTreeSet<String>,
}

impl<'a> Validator<'a> {
    fn at<T>(&mut self, s: &S<T>, message: impl Into<String>) {
        let (line, column) = pos(s);
        let source = s.span().start().map(|m| m.source()).unwrap_or(usize::MAX);
        self.at_file(source, line, column, message);
    }

    fn at_file(&mut self, source: usize, line: usize, column: usize, message: impl Into<String>) {
        let file = self
            .spec
            .files
            .get(source)
            .cloned()
            .unwrap_or_else(|| "<spec>".into());
        self.errors.push(SpecError {
            file,
            line,
            column,
            message: message.into(),
        });
    }

    fn doc(&mut self, doc: &S<String>, what: &str) {
        let text = doc.trim();
        if text.is_empty() || text.starts_with("TODO") {
            self.at(doc, format!("{what} needs a doc text"));
        }
    }

    fn collect_type_ids(&mut self) {
        let mut seen: HashMap<TypeId, (usize, usize, usize)> = HashMap::new();
        for file in &self.spec.type_files {
            let names = file
                .body
                .types
                .iter()
                .map(|t| &t.name)
                .chain(file.body.enums.iter().map(|e| &e.name));
            for name in names {
                let id = TypeId {
                    vertical: file.vertical.clone(),
                    module: file.module.clone(),
                    name: name.to_string(),
                };
                let (line, column) = pos(name);
                if let Some((_, l, c)) = seen.get(&id) {
                    let msg = format!(
                        "duplicate type or enum `{id}` (first defined at line {l}, column {c})"
                    );
                    self.at_file(file.file, line, column, msg);
                } else {
                    seen.insert(id, (file.file, line, column));
                }
            }
        }
        self.kinds = declared_types(self.spec);
    }

    fn type_expr(&mut self, ty: &S<String>, allow_session: bool) -> Option<TypeExpr> {
        let expr = match TypeExpr::parse(ty) {
            Ok(expr) => expr,
            Err(message) => {
                self.at(ty, message);
                return None;
            }
        };
        self.check_expr(ty, &expr, allow_session, 0);
        Some(expr)
    }

    fn check_expr(&mut self, at: &S<String>, expr: &TypeExpr, allow_session: bool, depth: usize) {
        match expr {
            TypeExpr::Builtin("member_session_auth") if !allow_session || depth > 0 => self.at(
                at,
                "`member_session_auth` is only allowed as the type of an `in: header` parameter",
            ),
            TypeExpr::Builtin("timestamp") if depth > 0 => self.at(
                at,
                "a timestamp inside a list or map is not supported; use `string` there",
            ),
            TypeExpr::Builtin(_) => {}
            TypeExpr::List(inner) | TypeExpr::Map(inner) => {
                self.check_expr(at, inner, allow_session, depth + 1)
            }
            TypeExpr::Named(id) => {
                if !self.kinds.contains_key(id) {
                    self.at(
                        at,
                        format!(
                            "unknown type or enum `{id}`: no `{}/types/{}.yaml` entry named `{}`",
                            id.vertical, id.module, id.name
                        ),
                    );
                }
            }
        }
    }

    fn common(&mut self) {
        let common_file = self
            .spec
            .files
            .iter()
            .position(|f| f.as_path() == std::path::Path::new("common.yaml"));
        self.anchor = common_file.map(|file| (file, 1, 1));
        let common = &self.spec.common;
        let mut seen = BTreeSet::new();
        for p in &common.params {
            let Some(name) = &p.name else {
                self.at_opt(
                    p.use_.as_ref(),
                    "a common parameter needs a `name` (and cannot `use` another)",
                );
                continue;
            };
            if !seen.insert(name.to_string()) {
                self.at(
                    name,
                    format!("duplicate common parameter `{}`", name.as_str()),
                );
            }
            if p.use_.is_some() || p.required.is_some() {
                self.at(name, "a common parameter cannot have `use` or `required`; set `required` where it is used");
            }
            self.local_param(p, name, None);
        }
        let mut seen = BTreeSet::new();
        for f in &common.fields {
            let Some(name) = &f.name else {
                self.at_opt(
                    f.use_.as_ref(),
                    "a common field needs a `name` (and cannot `use` another)",
                );
                continue;
            };
            if !seen.insert(name.to_string()) {
                self.at(name, format!("duplicate common field `{}`", name.as_str()));
            }
            if f.nilable.is_some() {
                self.at(
                    name,
                    "a common field cannot set `nilable`; set it where the field is used",
                );
            }
            self.local_field(f, name);
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

    fn namespaces(&mut self) {
        let mut ids: BTreeMap<(String, Vec<String>), usize> = BTreeMap::new();
        for ns in &self.spec.namespaces {
            ids.insert((ns.vertical.clone(), ns.segments.clone()), ns.file);
        }
        for ns in &self.spec.namespaces {
            let id = format!("{}.{}", ns.vertical, ns.segments.join("."));
            self.doc(&ns.body.doc, &format!("namespace `{id}`"));
            for segment in &ns.segments {
                if let Err(message) = names::module_name(segment) {
                    self.at_file(ns.file, 0, 0, format!("namespace `{id}`: {message}"));
                }
                if segment == "types" || segment == "models" {
                    self.at_file(
                        ns.file,
                        0,
                        0,
                        format!("namespace `{id}`: `{segment}` is reserved"),
                    );
                }
            }
            if ns.segments.len() > 1 {
                let parent = ns.segments[..ns.segments.len() - 1].to_vec();
                if !ids.contains_key(&(ns.vertical.clone(), parent.clone())) {
                    self.at_file(ns.file, 0, 0, format!(
                        "namespace `{id}` has no parent file `{}/{}.yaml` (it holds the parent's doc text)",
                        ns.vertical,
                        parent.join("/")
                    ));
                }
            }
            if let Some(base) = &ns.body.base_url
                && !matches!(base.as_str(), "api" | "telemetry")
            {
                self.at(
                    base,
                    format!(
                        "unknown base_url `{}`: expected `api` or `telemetry`",
                        base.as_str()
                    ),
                );
            }
            let children: BTreeSet<String> = self
                .spec
                .namespaces
                .iter()
                .filter(|c| {
                    c.vertical == ns.vertical
                        && c.segments.len() == ns.segments.len() + 1
                        && c.segments.starts_with(&ns.segments)
                })
                .filter_map(|c| c.segments.last().cloned())
                .collect();
            let mut seen_names: HashMap<String, (usize, usize)> = HashMap::new();
            let mut seen_types: HashMap<String, (usize, usize)> = HashMap::new();
            let methods: BTreeSet<String> = ns
                .body
                .endpoints
                .iter()
                .filter_map(|ep| names::snake(&ep.name).ok())
                .collect();
            for ep in &ns.body.endpoints {
                let (line, column) = pos(&ep.name);
                self.anchor = Some((ns.file, line, column));
                if let (Some(paginate), Ok(method)) = (&ep.paginate, names::snake(&ep.name)) {
                    for extra in crate::render::page_method_names(&method) {
                        if methods.contains(&extra) {
                            self.at(&paginate.cursor, format!("endpoint `{}` is paginated, so it gets a method `{extra}`, which another endpoint of `{id}` already has", ep.name.as_str()));
                        }
                    }
                }
                if let Some((l, c)) = seen_names.get(ep.name.as_str()) {
                    let msg = format!(
                        "duplicate endpoint `{}` in `{id}` (first at line {l}, column {c})",
                        ep.name.as_str()
                    );
                    self.at(&ep.name, msg);
                } else {
                    seen_names.insert(ep.name.to_string(), pos(&ep.name));
                }
                if children.contains(ep.name.as_str()) {
                    self.at(
                        &ep.name,
                        format!(
                            "endpoint `{}` has the same name as a child namespace of `{id}`",
                            ep.name.as_str()
                        ),
                    );
                }
                match (names::method_name(&ep.name), names::pascal(&ep.name)) {
                    (Ok(_), Ok(pascal)) => {
                        if let Some((l, c)) = seen_types.get(&pascal) {
                            let msg = format!(
                                "endpoint `{}` gives the same Rust type names ({pascal}Request) as the endpoint at line {l}, column {c}",
                                ep.name.as_str()
                            );
                            self.at(&ep.name, msg);
                        } else {
                            seen_types.insert(pascal, pos(&ep.name));
                        }
                    }
                    (Err(m), _) | (_, Err(m)) => self.at(&ep.name, m),
                }
                self.endpoint(ep, &id);
            }
        }
    }

    fn endpoint(&mut self, ep: &'a RawEndpoint, ns: &str) {
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
        let placeholders = match placeholders(&ep.path) {
            Ok(p) => p,
            Err(message) => {
                self.at(&ep.path, format!("{what}: {message}"));
                BTreeSet::new()
            }
        };
        let ctx = EndpointContext {
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

    /// Checks one parameter; returns its name and where it goes.
    fn param(
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
                let Some(common) = self
                    .spec
                    .common
                    .params
                    .iter()
                    .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == u.as_str()))
                else {
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
        let inferred = if ctx.placeholders.contains(name.as_str()) {
            "path"
        } else if is_session {
            "header"
        } else if matches!(ctx.http, "GET" | "DELETE") {
            "query"
        } else {
            "body"
        };
        let location = p.location.as_ref().or(definition.location.as_ref());
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
            if !LOCAL_PARAMS.contains(&name.as_str()) {
                self.at(
                    name,
                    format!(
                        "{what}: parameter `{}` is `in: local`, but the runtime only evaluates {LOCAL_PARAMS:?} itself",
                        name.as_str()
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
    fn local_param(&mut self, p: &RawParam, name: &S<String>, _ctx: Option<&EndpointContext<'_>>) {
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

    /// Checks one field; returns its wire name.
    fn field(&mut self, f: &'a RawField) -> Option<&'a S<String>> {
        match (&f.name, &f.use_) {
            (Some(_), Some(u)) => {
                self.at(u, "a field has either `name` or `use`, not both");
                None
            }
            (None, None) => {
                self.at_opt(
                    f.doc.as_ref().or(f.ty.as_ref()),
                    "a field needs `name` or `use`",
                );
                None
            }
            (Some(name), None) => {
                self.local_field(f, name);
                Some(name)
            }
            (None, Some(u)) => {
                if !self
                    .spec
                    .common
                    .fields
                    .iter()
                    .any(|c| c.name.as_ref().is_some_and(|n| n.as_str() == u.as_str()))
                {
                    self.at(
                        u,
                        format!("`use: {}` names no field in common.yaml", u.as_str()),
                    );
                    return None;
                }
                if f.ty.is_some() || f.doc.is_some() || f.rest.is_some() {
                    self.at(
                        u,
                        format!(
                            "`use: {}` takes only `nilable`; type, doc and rest come from common.yaml",
                            u.as_str()
                        ),
                    );
                }
                Some(u)
            }
        }
    }

    fn local_field(&mut self, f: &RawField, name: &S<String>) {
        let label = format!("field `{}`", name.as_str());
        if let Err(m) = names::snake(name) {
            self.at(name, m);
        }
        match &f.doc {
            Some(doc) => self.doc(doc, &label),
            None => self.at(name, format!("{label} needs a `doc`")),
        }
        let expr = match &f.ty {
            Some(ty) => self.type_expr(ty, false),
            None => {
                self.at(name, format!("{label} needs a `type`"));
                None
            }
        };
        if let Some(rest) = &f.rest
            && **rest
        {
            if expr.is_some() && !matches!(expr, Some(TypeExpr::Map(_))) {
                self.at(rest, format!("{label}: a `rest` field collects the remaining keys, so its type must be `map<T>`"));
            }
            if f.nilable.as_ref().is_some_and(|n| **n) {
                self.at(rest, format!("{label}: a `rest` field is never absent (it is empty when no other keys arrive); drop `nilable`"));
            }
        }
    }

    /// A pagination declaration must name an optional string parameter sent
    /// with the request, a string reached through the response, and a list field.
    fn pagination(&mut self, ep: &RawEndpoint, paginate: &RawPagination, what: &str) {
        let cursor = ep.params.iter().find_map(|p| {
            let def = match &p.use_ {
                Some(u) => self
                    .spec
                    .common
                    .params
                    .iter()
                    .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == u.as_str()))?,
                None => p,
            };
            (def.name.as_ref()?.as_str() == paginate.cursor.as_str()).then_some((p, def))
        });
        match cursor {
            None => self.at(
                &paginate.cursor,
                format!(
                    "{what}: `paginate.cursor` names no parameter `{}`",
                    paginate.cursor.as_str()
                ),
            ),
            Some((site, def)) => {
                let string = def.ty.as_ref().is_some_and(|t| t.as_str() == "string");
                let required = site.required.as_ref().is_some_and(|r| **r);
                let location = site
                    .location
                    .as_ref()
                    .or(def.location.as_ref())
                    .map(|l| l.as_str());
                if !string || required || matches!(location, Some("path" | "header" | "local")) {
                    self.at(&paginate.cursor, format!("{what}: the cursor parameter `{}` must be an optional `string` sent in the query or body", paginate.cursor.as_str()));
                }
            }
        }
        match follow(self.spec, &ep.response, &paginate.next_cursor) {
            Ok(path) => {
                if path.last().is_some_and(|f| f.ty != "string") {
                    self.at(
                        &paginate.next_cursor,
                        format!("{what}: `paginate.next_cursor` must lead to a `string` field"),
                    );
                }
            }
            Err(message) => self.at(
                &paginate.next_cursor,
                format!("{what}: `paginate.next_cursor`: {message}"),
            ),
        }
        match follow(self.spec, &ep.response, &paginate.items) {
            Ok(path) if path.len() == 1 && path[0].ty.starts_with("list<") && !path[0].nilable => {}
            Ok(_) => self.at(&paginate.items, format!("{what}: `paginate.items` must name a response field of type `list<T>` that is not nilable")),
            Err(message) => self.at(&paginate.items, format!("{what}: `paginate.items`: {message}")),
        }
    }

    /// At most one field of an object or response may collect the remaining keys.
    fn one_rest_field(&mut self, fields: &[RawField], what: &str) {
        let mut rest = fields
            .iter()
            .filter_map(|f| f.rest.as_ref().filter(|r| ***r));
        if let Some(first) = rest.next() {
            let (l, c) = pos(first);
            for again in rest {
                self.at(again, format!("{what}: only one field may be `rest` (the first is at line {l}, column {c})"));
            }
        }
    }

    fn type_files(&mut self) {
        for file in &self.spec.type_files {
            if let Err(m) = names::module_name(&file.module) {
                self.at_file(file.file, 0, 0, format!("module name: {m}"));
            }
            for t in &file.body.types {
                let (line, column) = pos(&t.name);
                self.anchor = Some((file.file, line, column));
                if let Err(m) = names::pascal(&t.name) {
                    self.at(&t.name, m);
                }
                self.doc(&t.doc, &format!("type `{}`", t.name.as_str()));
                self.one_rest_field(&t.fields, &format!("type `{}`", t.name.as_str()));
                let mut seen = BTreeSet::new();
                let mut rust_names = HashMap::new();
                for f in &t.fields {
                    if f.use_.is_some() {
                        self.at_opt(f.use_.as_ref(), "object type fields are defined in place; `use` is for endpoint responses");
                        continue;
                    }
                    let Some(name) = self.field(f) else { continue };
                    if !seen.insert(name.to_string()) {
                        self.at(
                            name,
                            format!(
                                "type `{}`: duplicate field `{}`",
                                t.name.as_str(),
                                name.as_str()
                            ),
                        );
                    } else if let Ok(rust) = names::snake(name)
                        && let Some(other) = clash(&mut rust_names, &rust, name)
                    {
                        self.at(
                            name,
                            format!(
                                "type `{}`: field `{}` clashes with {other} as Rust field `{rust}`",
                                t.name.as_str(),
                                name.as_str()
                            ),
                        );
                    }
                }
            }
            for e in &file.body.enums {
                let label = format!(
                    "enum `{}.{}.{}`",
                    file.vertical,
                    file.module,
                    e.name.as_str()
                );
                if let Err(m) = names::pascal(&e.name) {
                    self.at(&e.name, m);
                }
                self.doc(&e.doc, &label);
                match (&e.same_as, e.values.is_empty()) {
                    (Some(same), true) => match TypeExpr::parse(same) {
                        Ok(TypeExpr::Named(id)) if id.vertical != file.vertical => self.at(
                            same,
                            format!("{label}: `same_as` must name an enum of the same vertical (`{}`), so each vertical compiles alone", file.vertical),
                        ),
                        Ok(TypeExpr::Named(id)) => match self.kinds.get(&id) {
                            Some(Kind::Enum) => {}
                            Some(Kind::EnumAlias) => self.at(same, format!("{label}: `same_as` must name an enum with values, and `{id}` is itself an alias")),
                            Some(Kind::Object) => self.at(same, format!("{label}: `same_as` names `{id}`, an object type, not an enum")),
                            None => self.at(same, format!("{label}: `same_as` names unknown enum `{id}`")),
                        },
                        _ => self.at(same, format!("{label}: `same_as` must be an enum id `<vertical>.<module>.<Name>`")),
                    },
                    (Some(same), false) => self.at(same, format!("{label}: has both `values` and `same_as`")),
                    (None, true) => self.at(&e.name, format!("{label} has no values")),
                    (None, false) => {}
                }
                let mut variants = BTreeMap::new();
                for value in &e.values {
                    if value.len() != 1 {
                        self.at(
                            value,
                            format!("{label}: each value is one `wire-value: doc` entry"),
                        );
                        continue;
                    }
                    let Some((wire, doc)) = value.iter().next() else {
                        continue;
                    };
                    if doc.trim().is_empty() || doc.trim().starts_with("TODO") {
                        self.at(value, format!("{label}: value `{wire}` needs a doc text"));
                    }
                    match names::pascal(wire) {
                        Ok(variant) if variant == UNKNOWN_VARIANT => {
                            self.at(value, format!("{label}: value `{wire}` would take the name of the fallback variant `{UNKNOWN_VARIANT}`"))
                        }
                        Ok(variant) => {
                            if let Some(other) = variants.insert(variant.clone(), wire.clone()) {
                                self.at(value, format!("{label}: values `{other}` and `{wire}` both become variant `{variant}`"));
                            }
                        }
                        Err(m) => self.at(value, format!("{label}: {m}")),
                    }
                }
            }
        }
    }
}

/// One field reached while following a dotted path through a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// Wire name.
    pub name: String,
    /// Type expression as written.
    pub ty: String,
    /// Whether the field may be null or absent.
    pub nilable: bool,
}

/// The name, type and nilability of a response field, looking `use:` up in common.
fn describe(spec: &RawSpec, f: &RawField) -> Option<Reached> {
    let nilable = f.nilable.as_ref().is_some_and(|n| **n);
    let def = match &f.use_ {
        Some(u) => spec
            .common
            .fields
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == u.as_str()))?,
        None => f,
    };
    Some(Reached {
        name: def.name.as_ref()?.to_string(),
        ty: def.ty.as_ref()?.to_string(),
        nilable,
    })
}

/// Follows `path` (`results_metadata.next_cursor`) from an endpoint's response
/// fields through object types; every field on the way, outermost first.
pub fn follow(spec: &RawSpec, response: &[RawField], path: &str) -> Result<Vec<Reached>, String> {
    let mut fields: Vec<Reached> = response.iter().filter_map(|f| describe(spec, f)).collect();
    let mut out: Vec<Reached> = Vec::new();
    for (i, segment) in path.split('.').enumerate() {
        if let Some(previous) = out.last() {
            let Ok(TypeExpr::Named(id)) = TypeExpr::parse(&previous.ty) else {
                return Err(format!(
                    "`{}` has type `{}`, which has no field `{segment}`",
                    previous.name, previous.ty
                ));
            };
            let object = spec
                .type_files
                .iter()
                .filter(|f| f.vertical == id.vertical && f.module == id.module)
                .flat_map(|f| &f.body.types)
                .find(|t| t.name.as_str() == id.name)
                .ok_or_else(|| {
                    format!(
                        "`{}` has type `{id}`, which is not an object type",
                        previous.name
                    )
                })?;
            fields = object
                .fields
                .iter()
                .filter_map(|f| describe(spec, f))
                .collect();
        }
        let found = fields
            .iter()
            .find(|f| f.name == segment)
            .cloned()
            .ok_or_else(|| match i {
                0 => format!("the response has no field `{segment}`"),
                _ => format!("`{}` has no field `{segment}`", out[i - 1].name),
            })?;
        out.push(found);
    }
    Ok(out)
}

/// The `{name}` placeholders of a path template.
///
/// Strict, because the template becomes a `format!` string: every `{` opens a
/// placeholder whose name is an identifier and which the next `}` closes;
/// braces appear nowhere else.
pub fn placeholders(path: &str) -> Result<BTreeSet<String>, String> {
    if !path.starts_with('/') {
        return Err(format!("path `{path}` must start with `/`"));
    }
    let mut out = BTreeSet::new();
    let mut rest = path;
    while let Some(brace) = rest.find(['{', '}']) {
        if rest[brace..].starts_with('}') {
            return Err(format!("path `{path}` has a `}}` without `{{`"));
        }
        let after = &rest[brace + 1..];
        let end = after
            .find(['{', '}'])
            .filter(|&i| after[i..].starts_with('}'))
            .ok_or_else(|| match after.find('{') {
                Some(_) if after.contains('}') => {
                    format!("path `{path}` has a nested placeholder")
                }
                _ => format!("path `{path}` has an unclosed `{{`"),
            })?;
        let name = &after[..end];
        if name.is_empty() {
            return Err(format!("path `{path}` has an empty placeholder `{{}}`"));
        }
        if !names::is_plain_identifier(name) {
            return Err(format!(
                "path `{path}`: placeholder `{{{name}}}` must name a parameter (letters, digits and `_`)"
            ));
        }
        if !out.insert(name.to_owned()) {
            return Err(format!("path `{path}` repeats placeholder `{{{name}}}`"));
        }
        rest = &after[end + 1..];
    }
    Ok(out)
}
