//! Questions about the spec that more than one stage asks, answered in one place.
//!
//! Validation, resolving, rendering, the OpenAPI renderer and the xtask
//! commands (`spec-diff`, `coverage`) all need to know the same things: which
//! type ids are declared and what each one is, which placeholders a path
//! holds, what a `use:` or a dotted response path leads to, how a type is
//! spelled in the spec, which namespaces and model types an API has. Each of
//! those questions is answered here once, so that the stages cannot come to
//! disagree about the spec they share.
//!
//! Queries on the raw spec come first; queries on the resolved model follow.
//! Nothing here reports a problem at a location: where an answer may be
//! missing, it says so with `None` or `Err`, and the caller decides whether
//! that is a spec error (validation) or a generator bug (the later stages).

use std::collections::HashMap;

use crate::load::{RawField, RawParam, RawSpec, RawType, RawTypeFile, S};
use crate::model::{
    Api, Endpoint, EnumType, Namespace, ObjectType, Ty, TypeExpr, TypeId, Vertical,
};

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

impl RawTypeFile {
    /// The id of the type or enum `name` declared in this file.
    pub fn type_id(&self, name: &str) -> TypeId {
        TypeId {
            vertical: self.vertical.clone(),
            module: self.module.clone(),
            name: name.to_owned(),
        }
    }
}

/// Every declared object type and enum id, with what it is.
pub fn declared_types(spec: &RawSpec) -> HashMap<TypeId, Kind> {
    let mut kinds = HashMap::new();
    for file in &spec.type_files {
        for t in &file.body.types {
            kinds.insert(file.type_id(&t.name), Kind::Object);
        }
        for e in &file.body.enums {
            kinds.insert(
                file.type_id(&e.name),
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

impl RawSpec {
    /// The common parameter named `name` (what `use: name` refers to).
    pub fn common_param(&self, name: &str) -> Option<&RawParam> {
        self.common
            .params
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == name))
    }

    /// The common field named `name`.
    pub fn common_field(&self, name: &str) -> Option<&RawField> {
        self.common
            .fields
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == name))
    }

    /// Where a parameter is defined: itself, or the common one it `use`s.
    pub fn param_definition<'a>(&'a self, p: &'a RawParam) -> Option<&'a RawParam> {
        match &p.use_ {
            Some(u) => self.common_param(u),
            None => Some(p),
        }
    }

    /// Where a field is defined: itself, or the common one it `use`s.
    pub fn field_definition<'a>(&'a self, f: &'a RawField) -> Option<&'a RawField> {
        match &f.use_ {
            Some(u) => self.common_field(u),
            None => Some(f),
        }
    }

    /// The `in:` written for a parameter: at the place of use, else in its
    /// definition. `None` means the location is inferred.
    pub fn param_location<'a>(&'a self, p: &'a RawParam) -> Option<&'a S<String>> {
        p.location
            .as_ref()
            .or_else(|| self.param_definition(p)?.location.as_ref())
    }

    /// The object type declared under `id`, if there is one.
    pub fn object_type(&self, id: &TypeId) -> Option<&RawType> {
        self.type_files
            .iter()
            .filter(|f| f.vertical == id.vertical && f.module == id.module)
            .flat_map(|f| &f.body.types)
            .find(|t| t.name.as_str() == id.name)
    }
}

/// Where a parameter without `in:` goes: the path when the template has its
/// placeholder, the headers for a member session, the query string for GET
/// and DELETE, the body otherwise.
pub fn inferred_location(in_template: bool, is_session: bool, http: &str) -> &'static str {
    if in_template {
        "path"
    } else if is_session {
        "header"
    } else if matches!(http, "GET" | "DELETE") {
        "query"
    } else {
        "body"
    }
}

/// The `{name}` placeholders of a path template, in the order written.
///
/// Strict, because the template becomes a `format!` string: every `{` opens a
/// placeholder whose name is an identifier and which the next `}` closes;
/// braces appear nowhere else, and no placeholder appears twice.
pub fn placeholders(path: &str) -> Result<Vec<&str>, String> {
    Ok(path_parts(path)?
        .into_iter()
        .filter_map(|part| match part {
            PathPart::Placeholder(name) => Some(name),
            PathPart::Text(_) => None,
        })
        .collect())
}

/// One piece of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPart<'a> {
    /// Text sent as written.
    Text(&'a str),
    /// The name inside a `{name}` placeholder.
    Placeholder(&'a str),
}

/// A path template cut into its text and its placeholders, in order, by the
/// rules of [`placeholders`].
pub fn path_parts(path: &str) -> Result<Vec<PathPart<'_>>, String> {
    if !path.starts_with('/') {
        return Err(format!("path `{path}` must start with `/`"));
    }
    let mut parts = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
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
        if !crate::names::is_plain_identifier(name) {
            return Err(format!(
                "path `{path}`: placeholder `{{{name}}}` must name a parameter (letters, digits and `_`)"
            ));
        }
        if seen.contains(&name) {
            return Err(format!("path `{path}` repeats placeholder `{{{name}}}`"));
        }
        seen.push(name);
        if brace > 0 {
            parts.push(PathPart::Text(&rest[..brace]));
        }
        parts.push(PathPart::Placeholder(name));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(PathPart::Text(rest));
    }
    Ok(parts)
}

/// Names of the two streaming methods a paginated endpoint adds to its
/// handle, next to its own method `method` (a Rust method name).
pub fn page_method_names(method: &str) -> [String; 2] {
    let method = method.trim_start_matches("r#");
    [format!("{method}_pages"), format!("{method}_items")]
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
    let def = spec.field_definition(f)?;
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
            let object = spec.object_type(&id).ok_or_else(|| {
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

impl Ty {
    /// The type as the spec writes it (`list<consumer.users.User>`).
    pub fn spec_text(&self) -> String {
        self.text_with(&|_, id| id.to_string())
    }

    /// The type as the spec writes it, with each named type spelled by
    /// `named` (told whether it is an enum).
    pub fn text_with(&self, named: &dyn Fn(bool, &TypeId) -> String) -> String {
        match self {
            Ty::String => "string".into(),
            Ty::Integer => "integer".into(),
            Ty::Number => "number".into(),
            Ty::Boolean => "boolean".into(),
            Ty::Timestamp => "timestamp".into(),
            Ty::Json => "json".into(),
            Ty::MemberSessionAuth => "member_session_auth".into(),
            Ty::List(inner) => format!("list<{}>", inner.text_with(named)),
            Ty::Map(inner) => format!("map<{}>", inner.text_with(named)),
            Ty::Object(id) => named(false, id),
            Ty::Enum(id) => named(true, id),
        }
    }
}

impl Api {
    /// Every namespace of every product, each before its children, in spec order.
    pub fn all_namespaces(&self) -> Vec<&Namespace> {
        self.verticals
            .iter()
            .flat_map(Vertical::all_namespaces)
            .collect()
    }

    /// Every object type of every product with its id, in model order.
    pub fn object_types(&self) -> Vec<(TypeId, &ObjectType)> {
        self.verticals
            .iter()
            .flat_map(|v| v.models.iter().map(move |m| (v, m)))
            .flat_map(|(v, m)| {
                m.types
                    .iter()
                    .map(move |t| (v.type_id(&m.name, &t.name), t))
            })
            .collect()
    }

    /// Every enum (aliases included) of every product with its id, in model order.
    pub fn enums(&self) -> Vec<(TypeId, &EnumType)> {
        self.verticals
            .iter()
            .flat_map(|v| v.models.iter().map(move |m| (v, m)))
            .flat_map(|(v, m)| {
                m.enums
                    .iter()
                    .map(move |e| (v.type_id(&m.name, &e.name), e))
            })
            .collect()
    }
}

impl Vertical {
    /// Every namespace, each before its children, in spec order.
    pub fn all_namespaces(&self) -> Vec<&Namespace> {
        let mut out = Vec::new();
        let mut stack: Vec<&Namespace> = self.namespaces.iter().rev().collect();
        while let Some(ns) = stack.pop() {
            out.push(ns);
            stack.extend(ns.children.iter().rev());
        }
        out
    }

    /// The id of the type or enum `name` of this product's model module `module`.
    pub fn type_id(&self, module: &str, name: &str) -> TypeId {
        TypeId {
            vertical: self.name.clone(),
            module: module.to_owned(),
            name: name.to_owned(),
        }
    }
}

impl Endpoint {
    /// The `{name}` placeholders of the path template, in order (see
    /// [`placeholders`]); an error only for a path validation would refuse.
    pub fn placeholders(&self) -> Result<Vec<&str>, String> {
        placeholders(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_splits_into_text_and_placeholders_in_order() {
        assert_eq!(
            path_parts("/v1/{b}/x/{a}"),
            Ok(vec![
                PathPart::Text("/v1/"),
                PathPart::Placeholder("b"),
                PathPart::Text("/x/"),
                PathPart::Placeholder("a"),
            ])
        );
        assert_eq!(placeholders("/v1/{b}/x/{a}"), Ok(vec!["b", "a"]));
        assert_eq!(placeholders("/v1/users"), Ok(vec![]));
        for bad in [
            "v1/{a}",
            "/v1/{a",
            "/v1/a}",
            "/v1/{}",
            "/v1/{a}/{a}",
            "/{a{b}}",
            "/{a-b}",
        ] {
            assert!(placeholders(bad).is_err(), "{bad}");
        }
    }
}
