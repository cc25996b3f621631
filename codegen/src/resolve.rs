//! Stage 3: turn the validated raw spec into the resolved [`model`](crate::model).
//!
//! Runs only after [`validate`](crate::validate) succeeded, so every lookup here
//! is known to succeed; where a lookup could still miss, the item is skipped
//! rather than panicking.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::load::{RawField, RawNamespaceFile, RawParam, RawSpec, VERTICALS};
use crate::model::*;
use crate::names;
use crate::query::{Kind, declared_types, follow, placeholders};

/// Builds the model from a spec that passed validation.
pub fn resolve(spec: &RawSpec) -> Api {
    let kinds = declared_types(spec);
    let r = Resolver {
        spec,
        kinds,
        enum_values: enum_values(spec),
        sentinels: sentinels(spec),
    };
    let mut verticals = Vec::new();
    for vertical in VERTICALS {
        let namespaces = r.namespaces(vertical, &[]);
        let mut models: Vec<ModelModule> = spec
            .type_files
            .iter()
            .filter(|f| f.vertical == vertical)
            .map(|f| ModelModule {
                name: f.module.clone(),
                used_by: BTreeSet::new(),
                types: f.body.types.iter().map(|t| r.object(t)).collect(),
                enums: f.body.enums.iter().map(|e| r.enumeration(e)).collect(),
            })
            .collect();
        models.sort_by(|a, b| a.name.cmp(&b.name));
        // A product the spec leaves out still gets its (empty) module: the
        // hand-written SDK names each product's module under its feature.
        verticals.push(Vertical {
            name: vertical.to_owned(),
            namespaces,
            models,
        });
    }
    mark_usage(&mut verticals);
    Api { verticals }
}

struct Resolver<'a> {
    spec: &'a RawSpec,
    kinds: HashMap<TypeId, Kind>,
    enum_values: HashMap<TypeId, Vec<String>>,
    /// The `unknown:` placeholder of each enum that has one, aliases included.
    sentinels: HashMap<TypeId, String>,
}

/// The `unknown:` placeholder value of every enum that declares one; an alias
/// shares its target's.
fn sentinels(spec: &RawSpec) -> HashMap<TypeId, String> {
    let mut found = HashMap::new();
    let mut aliases = Vec::new();
    for file in &spec.type_files {
        for e in &file.body.enums {
            let id = TypeId {
                vertical: file.vertical.clone(),
                module: file.module.clone(),
                name: e.name.to_string(),
            };
            if let Some(Ok(TypeExpr::Named(target))) =
                e.same_as.as_ref().map(|s| TypeExpr::parse(s))
            {
                aliases.push((id, target));
            } else if let Some(wire) = e.unknown.as_ref().and_then(|u| u.keys().next()) {
                found.insert(id, wire.clone());
            }
        }
    }
    for (alias, target) in aliases {
        if let Some(wire) = found.get(&target).cloned() {
            found.insert(alias, wire);
        }
    }
    found
}

/// Wire values of every enum, aliases resolved to their target's values.
fn enum_values(spec: &RawSpec) -> HashMap<TypeId, Vec<String>> {
    let mut values = HashMap::new();
    let mut aliases = Vec::new();
    for file in &spec.type_files {
        for e in &file.body.enums {
            let id = TypeId {
                vertical: file.vertical.clone(),
                module: file.module.clone(),
                name: e.name.to_string(),
            };
            match e.same_as.as_ref().map(|s| TypeExpr::parse(s)) {
                Some(Ok(TypeExpr::Named(target))) => aliases.push((id, target)),
                _ => {
                    values.insert(
                        id,
                        e.values.iter().flat_map(|v| v.keys().cloned()).collect(),
                    );
                }
            }
        }
    }
    for (alias, target) in aliases {
        let found = values.get(&target).cloned().unwrap_or_default();
        values.insert(alias, found);
    }
    values
}

fn snake(name: &str) -> String {
    names::snake(name).unwrap_or_else(|_| name.to_owned())
}

fn pascal(name: &str) -> String {
    names::pascal(name).unwrap_or_else(|_| name.to_owned())
}

impl Resolver<'_> {
    /// The wire values of an enum type, or of the enum in a list or map.
    fn values_of(&self, ty: &Ty) -> Vec<String> {
        match ty {
            Ty::Enum(id) => self.enum_values.get(id).cloned().unwrap_or_default(),
            Ty::List(inner) | Ty::Map(inner) => self.values_of(inner),
            _ => Vec::new(),
        }
    }

    fn ty(&self, text: &str) -> Ty {
        match TypeExpr::parse(text) {
            Ok(expr) => self.expr(expr),
            Err(_) => Ty::Json,
        }
    }

    fn expr(&self, expr: TypeExpr) -> Ty {
        match expr {
            TypeExpr::Builtin(b) => match b {
                "string" => Ty::String,
                "integer" => Ty::Integer,
                "number" => Ty::Number,
                "boolean" => Ty::Boolean,
                "timestamp" => Ty::Timestamp,
                "member_session_auth" => Ty::MemberSessionAuth,
                _ => Ty::Json,
            },
            TypeExpr::List(inner) => Ty::List(Box::new(self.expr(*inner))),
            TypeExpr::Map(inner) => Ty::Map(Box::new(self.expr(*inner))),
            TypeExpr::Named(id) => match self.kinds.get(&id) {
                Some(Kind::Object) => Ty::Object(id),
                _ => Ty::Enum(id),
            },
        }
    }

    fn namespaces(&self, vertical: &str, parent: &[String]) -> Vec<Namespace> {
        let mut files: Vec<&RawNamespaceFile> = self
            .spec
            .namespaces
            .iter()
            .filter(|n| {
                n.vertical == vertical
                    && n.segments.len() == parent.len() + 1
                    && n.segments.starts_with(parent)
            })
            .collect();
        files.sort_by(|a, b| a.segments.cmp(&b.segments));
        files
            .into_iter()
            .map(|f| self.namespace(vertical, f))
            .collect()
    }

    fn namespace(&self, vertical: &str, file: &RawNamespaceFile) -> Namespace {
        let id = format!("{vertical}.{}", file.segments.join("."));
        let host = match file.body.base_url.as_deref().map(String::as_str) {
            Some("telemetry") => Host::Telemetry,
            _ => Host::Api,
        };
        let mut endpoints: Vec<Endpoint> = file
            .body
            .endpoints
            .iter()
            .map(|e| self.endpoint(&id, e))
            .collect();
        endpoints.sort_by(|a, b| a.name.cmp(&b.name));
        Namespace {
            module: snake(file.segments.last().map(String::as_str).unwrap_or_default()),
            handle: pascal(&file.segments.join("_")),
            segments: file.segments.clone(),
            doc: file.body.doc.trim().to_owned(),
            host,
            endpoints,
            children: self.namespaces(vertical, &file.segments),
            id,
        }
    }

    fn endpoint(&self, ns: &str, raw: &crate::load::RawEndpoint) -> Endpoint {
        let http = raw.method.to_uppercase();
        let encoding = match (
            raw.content_type.as_deref().map(String::as_str),
            http.as_str(),
        ) {
            (Some("form"), _) => Encoding::Form,
            (_, "GET" | "DELETE") => Encoding::Query,
            _ => Encoding::Json,
        };
        let holes = placeholders(&raw.path).unwrap_or_default();
        Endpoint {
            id: format!("{ns}.{}", raw.name.as_str()),
            name: raw.name.to_string(),
            method_name: snake(&raw.name),
            type_prefix: pascal(&raw.name),
            path: raw.path.to_string(),
            encoding,
            doc: raw.doc.trim().to_owned(),
            idempotent: raw.idempotent.as_ref().is_some_and(|i| **i),
            pagination: raw.paginate.as_ref().and_then(|p| self.pagination(raw, p)),
            params: raw
                .params
                .iter()
                .filter_map(|p| self.param(p, &http, &holes))
                .collect(),
            response: raw.response.iter().filter_map(|f| self.field(f)).collect(),
            http,
        }
    }

    fn pagination(
        &self,
        raw: &crate::load::RawEndpoint,
        p: &crate::load::RawPagination,
    ) -> Option<Pagination> {
        let mut steps: Vec<PathStep> = follow(self.spec, &raw.response, &p.next_cursor)
            .ok()?
            .iter()
            .map(|s| PathStep {
                rust_name: snake(&s.name),
                nilable: s.nilable,
            })
            .collect();
        let next_cursor = steps.pop()?;
        let items = follow(self.spec, &raw.response, &p.items).ok()?;
        let Ty::List(item) = self.ty(&items.first()?.ty) else {
            return None;
        };
        Some(Pagination {
            cursor: snake(&p.cursor),
            through: steps,
            next_cursor,
            items: snake(&p.items),
            item: *item,
        })
    }

    fn param(&self, p: &RawParam, http: &str, holes: &[&str]) -> Option<Param> {
        let def = self.spec.param_definition(p)?;
        let name = def.name.as_ref()?.to_string();
        let format = def.format.as_ref().map(|_| WireFormat::SpaceSeparated);
        let ty = match format {
            // The caller hands over a list; the wire carries it joined into one string.
            Some(_) => Ty::List(Box::new(Ty::String)),
            None => self.ty(def.ty.as_ref()?),
        };
        let explicit = self.spec.param_location(p).map(|l| l.to_string());
        let location = match explicit.as_deref() {
            Some("header") | None if ty == Ty::MemberSessionAuth => {
                let headers = def.headers.as_deref();
                let get = |k: &str| headers.and_then(|h| h.get(k)).cloned().unwrap_or_default();
                Location::Header {
                    token: get("session_token"),
                    jwt: get("session_jwt"),
                }
            }
            Some("path") => Location::Path,
            Some("query") => Location::Query,
            Some("body") => Location::Body,
            Some("local") => Location::Local,
            _ if holes.contains(&name.as_str()) => Location::Path,
            _ if matches!(http, "GET" | "DELETE") => Location::Query,
            _ => Location::Body,
        };
        let sentinel = match &ty {
            Ty::Enum(id) => self.sentinels.get(id).cloned(),
            _ => None,
        };
        Some(Param {
            enum_values: self.values_of(&ty),
            sentinel,
            rust_name: snake(&name),
            required: p.required.as_ref().map(|r| **r).unwrap_or(false),
            min: def.min.as_ref().map(|v| **v),
            max: def.max.as_ref().map(|v| **v),
            default: def.default.as_ref().map(|v| **v),
            fixed: def.value.as_ref().map(|v| v.to_string()),
            format,
            doc: def
                .doc
                .as_ref()
                .map(|d| d.trim().to_owned())
                .unwrap_or_default(),
            location,
            ty,
            name,
        })
    }

    fn field(&self, f: &RawField) -> Option<Field> {
        let def = self.spec.field_definition(f)?;
        let name = def.name.as_ref()?.to_string();
        let ty = self.ty(def.ty.as_ref()?);
        Some(Field {
            enum_values: self.values_of(&ty),
            rust_name: snake(&name),
            ty,
            nilable: f.nilable.as_ref().map(|n| **n).unwrap_or(false),
            rest: def.rest.as_ref().is_some_and(|r| **r),
            http_status: f.http_status.as_ref().is_some_and(|h| **h),
            doc: def
                .doc
                .as_ref()
                .map(|d| d.trim().to_owned())
                .unwrap_or_default(),
            name,
        })
    }

    fn object(&self, t: &crate::load::RawType) -> ObjectType {
        ObjectType {
            name: t.name.to_string(),
            rust_name: pascal(&t.name),
            doc: t.doc.trim().to_owned(),
            fields: t.fields.iter().filter_map(|f| self.field(f)).collect(),
        }
    }

    fn enumeration(&self, e: &crate::load::RawEnum) -> EnumType {
        let same_as = e.same_as.as_ref().and_then(|s| match TypeExpr::parse(s) {
            Ok(TypeExpr::Named(id)) => Some(id),
            _ => None,
        });
        EnumType {
            name: e.name.to_string(),
            rust_name: pascal(&e.name),
            doc: e.doc.trim().to_owned(),
            values: e
                .values
                .iter()
                .flat_map(|v| v.iter())
                .map(|(wire, doc)| (wire, doc, false))
                .chain(
                    e.unknown
                        .iter()
                        .flat_map(|u| u.iter())
                        .map(|(wire, doc)| (wire, doc, true)),
                )
                .map(|(wire, doc, sentinel)| EnumValue {
                    wire: wire.clone(),
                    rust_name: pascal(wire),
                    doc: doc.trim().to_owned(),
                    sentinel,
                })
                .collect(),
            same_as,
        }
    }
}

/// Records, for each model module, which verticals' endpoints reach it
/// (directly or through other types), so the renderer can gate it on the
/// right cargo features. Modules no endpoint reaches belong to their own vertical.
fn mark_usage(verticals: &mut [Vertical]) {
    // A module is compiled whole, so reaching one of its types reaches all of them.
    let mut members: HashMap<(String, String), Vec<Ty>> = HashMap::new();
    let mut fields_of: HashMap<(String, String, String), Vec<Ty>> = HashMap::new();
    for v in verticals.iter() {
        for m in &v.models {
            let id = |name: &str| TypeId {
                vertical: v.name.clone(),
                module: m.name.clone(),
                name: name.to_owned(),
            };
            let list = members.entry((v.name.clone(), m.name.clone())).or_default();
            for t in &m.types {
                list.push(Ty::Object(id(&t.name)));
                fields_of.insert(
                    (v.name.clone(), m.name.clone(), t.name.clone()),
                    t.fields.iter().map(|f| f.ty.clone()).collect(),
                );
            }
            for e in &m.enums {
                list.push(Ty::Enum(id(&e.name)));
                if let Some(target) = &e.same_as {
                    fields_of.insert(
                        (v.name.clone(), m.name.clone(), e.name.clone()),
                        vec![Ty::Enum(target.clone())],
                    );
                }
            }
        }
    }
    let mut usage: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for v in verticals.iter() {
        let mut stack: Vec<Ty> = Vec::new();
        for ns in &v.namespaces {
            collect_namespace(ns, &mut stack);
        }
        let mut seen = BTreeSet::new();
        while let Some(ty) = stack.pop() {
            match ty {
                Ty::List(inner) | Ty::Map(inner) => stack.push(*inner),
                Ty::Object(id) | Ty::Enum(id) => {
                    let key = (id.vertical.clone(), id.module.clone(), id.name.clone());
                    if !seen.insert(key.clone()) {
                        continue;
                    }
                    let module = (id.vertical.clone(), id.module.clone());
                    if usage
                        .entry(module.clone())
                        .or_default()
                        .insert(v.name.clone())
                    {
                        stack.extend(members.get(&module).into_iter().flatten().cloned());
                    }
                    stack.extend(fields_of.get(&key).into_iter().flatten().cloned());
                }
                _ => {}
            }
        }
    }
    for v in verticals.iter_mut() {
        for m in &mut v.models {
            m.used_by = usage
                .remove(&(v.name.clone(), m.name.clone()))
                .unwrap_or_else(|| BTreeSet::from([v.name.clone()]));
        }
    }
}

fn collect_namespace(ns: &Namespace, out: &mut Vec<Ty>) {
    for e in &ns.endpoints {
        out.extend(e.params.iter().map(|p| p.ty.clone()));
        out.extend(e.response.iter().map(|f| f.ty.clone()));
    }
    for child in &ns.children {
        collect_namespace(child, out);
    }
}
