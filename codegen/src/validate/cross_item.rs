//! Checks that span more than one item of the spec, run by
//! [`validate`](super::validate) after its per-item checks.
//!
//! Each guards against a spec the renderer would turn into Rust that does not
//! compile (or into a generator that never finishes): types that contain
//! themselves other than through a list or map, path parameters that cannot be written into a URL,
//! names that clash with the hand-written runtime or the standard prelude, and
//! type names that differ only in case.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::reserved::{CLIENT_METHODS, HANDLE_METHODS, MAX_NAMESPACE_DEPTH, REQUEST_METHODS};
use crate::error::SpecError;
use crate::load::{RawField, RawParam, RawSpec, S, pos};
use crate::model::{TypeExpr, TypeId};
use crate::names;
use crate::query::{Kind, PathPart, path_parts, placeholders};

/// Every problem of the kinds this module looks for.
pub(crate) fn check(spec: &RawSpec, kinds: &HashMap<TypeId, Kind>) -> Vec<SpecError> {
    let mut c = Checker {
        spec,
        kinds,
        errors: Vec::new(),
    };
    c.runtime_names();
    c.type_names();
    c.by_value_cycles();
    c.path_parameters();
    c.routes();
    c.errors
}

struct Checker<'a> {
    spec: &'a RawSpec,
    kinds: &'a HashMap<TypeId, Kind>,
    errors: Vec<SpecError>,
}

impl Checker<'_> {
    fn at<T>(&mut self, s: &S<T>, message: String) {
        self.errors.push(self.spec.error_at_value(s, message));
    }

    fn at_file(&mut self, source: usize, line: usize, column: usize, message: String) {
        self.errors
            .push(self.spec.error_at(source, line, column, message));
    }

    /// Endpoint and namespace names that would collide with hand-written methods.
    fn runtime_names(&mut self) {
        for ns in &self.spec.namespaces {
            let id = format!("{}.{}", ns.vertical, ns.segments.join("."));
            if ns.segments.len() > MAX_NAMESPACE_DEPTH {
                self.at_file(
                    ns.file,
                    0,
                    0,
                    format!(
                        "namespace `{id}` is nested {} deep; namespaces nest at most {MAX_NAMESPACE_DEPTH} deep",
                        ns.segments.len()
                    ),
                );
            }
            if let [top] = ns.segments.as_slice()
                && CLIENT_METHODS.contains(&top.as_str())
            {
                self.at_file(
                    ns.file,
                    1,
                    1,
                    format!(
                        "namespace `{id}`: `{top}` is already a method of the client (hand-written), so it cannot name a namespace"
                    ),
                );
            }
            if let Some(last) = ns.segments.last()
                && HANDLE_METHODS.contains(&last.as_str())
            {
                self.at_file(
                    ns.file,
                    1,
                    1,
                    format!(
                        "namespace `{id}`: `{last}` is a hand-written method of the SDK's handles, so it cannot name a namespace"
                    ),
                );
            }
            for ep in &ns.body.endpoints {
                if let Ok(method) = names::method_name(&ep.name)
                    && HANDLE_METHODS.contains(&method.as_str())
                {
                    self.at(
                        &ep.name,
                        format!(
                            "endpoint `{id}.{}`: `{method}` is a hand-written method of the SDK's handles; choose another name",
                            ep.name.as_str()
                        ),
                    );
                }
                for p in &ep.params {
                    let Some(name) = &p.name else { continue };
                    if let Ok(rust) = names::snake(name)
                        && REQUEST_METHODS.contains(&rust.as_str())
                    {
                        self.at(
                            name,
                            format!(
                                "endpoint `{id}.{}`: a parameter named `{}` would clash with the request's `{rust}` method",
                                ep.name.as_str(),
                                name.as_str()
                            ),
                        );
                    }
                }
            }
        }
        for p in &self.spec.common.params {
            if let Some(name) = &p.name
                && let Ok(rust) = names::snake(name)
                && REQUEST_METHODS.contains(&rust.as_str())
            {
                self.at(
                    name,
                    format!(
                        "common parameter `{}` would clash with the request's `{rust}` method",
                        name.as_str()
                    ),
                );
            }
        }
    }

    /// Type and enum names: identifiers as written, not standard names, and
    /// distinct after conversion within their module.
    fn type_names(&mut self) {
        for file in &self.spec.type_files {
            let mut rust_names: BTreeMap<String, (&S<String>, usize, usize)> = BTreeMap::new();
            let names = file
                .body
                .types
                .iter()
                .map(|t| &t.name)
                .chain(file.body.enums.iter().map(|e| &e.name));
            for name in names {
                let Ok(rust) = names::pascal(name) else {
                    continue; // reported by the validator
                };
                if !names::is_plain_identifier(name) {
                    self.at(
                        name,
                        format!(
                            "type `{}` is not an identifier as written (letters, digits and `_`): write `{rust}`",
                            name.as_str()
                        ),
                    );
                    continue;
                }
                if names::STD_TYPE_NAMES.contains(&rust.as_str()) {
                    self.at(
                        name,
                        format!(
                            "type `{}` would become `{rust}`, which generated code uses for the standard type of that name; choose another name",
                            name.as_str()
                        ),
                    );
                    continue;
                }
                let (line, column) = pos(name);
                match rust_names.get(&rust) {
                    Some((first, l, c)) if first.as_str() != name.as_str() => {
                        let message = format!(
                            "types `{}` (line {l}, column {c}) and `{}` both become Rust type `{rust}`",
                            first.as_str(),
                            name.as_str()
                        );
                        self.at(name, message);
                    }
                    Some(_) => {} // same spelling: the validator reports the duplicate
                    None => {
                        rust_names.insert(rust, (name, line, column));
                    }
                }
            }
        }
    }

    /// Object types that contain themselves other than through a list or a
    /// map have no finite size: Rust rejects them, nilable (`Option`) or not.
    fn by_value_cycles(&mut self) {
        // Edges: type → (field, type it holds by value), in file order.
        let mut edges: BTreeMap<TypeId, Vec<(&S<String>, TypeId)>> = BTreeMap::new();
        for file in &self.spec.type_files {
            for t in &file.body.types {
                let from = file.type_id(&t.name);
                let list = edges.entry(from).or_default();
                for f in &t.fields {
                    if let Some((name, to)) = by_value_object(f, self.kinds) {
                        list.push((name, to));
                    }
                }
            }
        }
        // Iterative depth-first search; a grey node met again closes a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Colour {
            Grey,
            Black,
        }
        let mut colour: HashMap<&TypeId, Colour> = HashMap::new();
        let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
        let mut found: Vec<(&S<String>, String)> = Vec::new();
        for root in edges.keys() {
            if colour.contains_key(root) {
                continue;
            }
            // Each frame: the type, the index of its next edge, the field that led here.
            let mut stack: Vec<(&TypeId, usize, Option<&S<String>>)> = vec![(root, 0, None)];
            colour.insert(root, Colour::Grey);
            while let Some(top) = stack.last_mut() {
                let (node, next) = (top.0, top.1);
                let Some((field, to)) = edges.get(node).and_then(|e| e.get(next)) else {
                    colour.insert(node, Colour::Black);
                    stack.pop();
                    continue;
                };
                top.1 += 1;
                let Some((to, _)) = edges.get_key_value(to) else {
                    continue;
                };
                match colour.get(to) {
                    Some(Colour::Black) => {}
                    Some(Colour::Grey) => {
                        let start = stack.iter().position(|(n, _, _)| *n == to).unwrap_or(0);
                        let mut fields: Vec<&S<String>> = stack[start + 1..]
                            .iter()
                            .filter_map(|(_, _, f)| *f)
                            .collect();
                        fields.push(field);
                        let steps: Vec<String> = stack[start..]
                            .iter()
                            .zip(&fields)
                            .map(|((n, _, _), f)| format!("{n}.{}", f.as_str()))
                            .collect();
                        // Each back edge closes its own cycle; report each set of fields once.
                        if reported.insert(steps.iter().cloned().collect()) {
                            found.push((fields[0], format!("{} → {to}", steps.join(" → "))));
                        }
                    }
                    None => {
                        colour.insert(to, Colour::Grey);
                        stack.push((to, 0, Some(field)));
                    }
                }
            }
        }
        for (at, cycle) in found {
            self.at(
                at,
                format!(
                    "a type contains itself by value, so it has no finite size: {cycle}; make one of these fields a list or a map (`nilable` does not help: an `Option` holds its value inline)"
                ),
            );
        }
    }

    /// Two endpoints of one product on the same method and path would be one
    /// operation on the wire, and the generated mock and the OpenAPI
    /// document key operations by method and path alone, whatever the host.
    /// Placeholder names do not matter (`/users/{id}` is `/users/{user_id}`).
    fn routes(&mut self) {
        // (product, method, path shape) → (endpoint, file, line, column).
        type Route = (String, String, String);
        let mut seen: HashMap<Route, (String, usize, usize, usize)> = HashMap::new();
        for ns in &self.spec.namespaces {
            for ep in &ns.body.endpoints {
                let Some(shape) = route_shape(&ep.path) else {
                    continue; // reported by the endpoint rules
                };
                let id = format!(
                    "{}.{}.{}",
                    ns.vertical,
                    ns.segments.join("."),
                    ep.name.as_str()
                );
                let key = (ns.vertical.clone(), ep.method.to_string(), shape);
                let (line, column) = pos(&ep.path);
                let source = ep.path.span().start().map_or(ns.file, |m| m.source());
                match seen.get(&key) {
                    Some((first, file, l, c)) => {
                        let file = self.spec.files.get(*file).map(|f| f.display().to_string());
                        let message = format!(
                            "endpoint `{id}`: `{} {}` is already the route of endpoint `{first}` ({}:{l}:{c}); two endpoints of one product cannot share a method and path",
                            ep.method.as_str(),
                            ep.path.as_str(),
                            file.unwrap_or_default()
                        );
                        self.at(&ep.path, message);
                    }
                    None => {
                        seen.insert(key, (id, source, line, column));
                    }
                }
            }
        }
    }

    /// Path parameters are written into the URL as text; only strings,
    /// integers, booleans and enums (their wire value) have one that means
    /// something.
    fn path_parameters(&mut self) {
        for ns in &self.spec.namespaces {
            for ep in &ns.body.endpoints {
                let Ok(holes) = placeholders(&ep.path) else {
                    continue; // reported by the validator
                };
                for p in &ep.params {
                    let Some((name, ty)) = definition(p, self.spec) else {
                        continue;
                    };
                    let explicit = self.spec.param_location(p);
                    let in_path = match explicit {
                        Some(l) => l.as_str() == "path",
                        None => holes.contains(&name.as_str()),
                    };
                    if !in_path {
                        continue;
                    }
                    // Unparsable types and unknown names are the validator's to report.
                    let allowed = match TypeExpr::parse(ty) {
                        Ok(TypeExpr::Builtin(b)) => matches!(b, "string" | "integer" | "boolean"),
                        Ok(TypeExpr::Named(id)) => {
                            !matches!(self.kinds.get(&id), Some(Kind::Object))
                        }
                        Ok(TypeExpr::List(_) | TypeExpr::Map(_)) => false,
                        Err(_) => true,
                    };
                    if !allowed {
                        let at = p.use_.as_ref().unwrap_or(ty);
                        self.at(
                            at,
                            format!(
                                "endpoint `{}.{}.{}`: path parameter `{}` has type `{}`; a path parameter must be a string, integer, boolean or enum",
                                ns.vertical,
                                ns.segments.join("."),
                                ep.name.as_str(),
                                name.as_str(),
                                ty.as_str()
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// A path with every placeholder emptied (`/v1/users/{}`); `None` for a path
/// the endpoint rules refuse.
fn route_shape(path: &str) -> Option<String> {
    let parts = path_parts(path).ok()?;
    Some(
        parts
            .into_iter()
            .map(|part| match part {
                PathPart::Text(text) => text,
                PathPart::Placeholder(_) => "{}",
            })
            .collect(),
    )
}

/// The name and type of a parameter, looking `use` up in common.yaml.
fn definition<'a>(p: &'a RawParam, spec: &'a RawSpec) -> Option<(&'a S<String>, &'a S<String>)> {
    let def = spec.param_definition(p)?;
    Some((def.name.as_ref()?, def.ty.as_ref()?))
}

/// The object type a field holds directly, not in a list or map. A nilable
/// field counts too: it is rendered as `Option<T>`, which holds `T` inline.
fn by_value_object<'a>(
    f: &'a RawField,
    kinds: &HashMap<TypeId, Kind>,
) -> Option<(&'a S<String>, TypeId)> {
    let name = f.name.as_ref()?;
    match TypeExpr::parse(f.ty.as_ref()?) {
        Ok(TypeExpr::Named(id)) if kinds.get(&id) == Some(&Kind::Object) => Some((name, id)),
        _ => None,
    }
}
