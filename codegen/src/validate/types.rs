//! Rules for types: type expressions wherever a type is written, and the
//! object types and enums declared in `<vertical>/types/<module>.yaml`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::load::{S, pos};
use crate::model::{TypeExpr, TypeId};
use crate::names;

use super::{UNKNOWN_VARIANT, Validator, clash};
use crate::query::{Kind, declared_types};

impl<'a> Validator<'a> {
    pub(super) fn collect_type_ids(&mut self) {
        let mut seen: HashMap<TypeId, (usize, usize, usize)> = HashMap::new();
        for file in &self.spec.type_files {
            let names = file
                .body
                .types
                .iter()
                .map(|t| &t.name)
                .chain(file.body.enums.iter().map(|e| &e.name));
            for name in names {
                let id = file.type_id(name);
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

    pub(super) fn type_expr(&mut self, ty: &S<String>, allow_session: bool) -> Option<TypeExpr> {
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

    pub(super) fn type_files(&mut self) {
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
                    if let Some(flag) = f.http_status.as_ref().filter(|h| ***h) {
                        self.at(flag, "`http_status` belongs to an endpoint response, where the HTTP status is known; an object type cannot take it");
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
                if let Some(unknown) = &e.unknown {
                    let wires: Vec<&String> = e.values.iter().flat_map(|v| v.keys()).collect();
                    if e.same_as.is_some() {
                        self.at(unknown, format!("{label}: an alias (`same_as`) shares its target's `unknown` value and cannot declare its own"));
                    } else if unknown.len() != 1 {
                        self.at(unknown, format!("{label}: `unknown` is one `wire-value: doc` entry, the value the API uses for \"not set\""));
                    } else if let Some((wire, _)) = unknown.iter().next()
                        && wires.contains(&wire)
                    {
                        self.at(unknown, format!("{label}: `unknown` value `{wire}` is also listed in `values`; the placeholder is not a valid input, so list it only under `unknown`"));
                    }
                }
                for value in e.values.iter().chain(e.unknown.iter()) {
                    if value.len() != 1 {
                        if e.unknown.as_ref().is_some_and(|u| std::ptr::eq(u, value)) {
                            continue;
                        }
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
