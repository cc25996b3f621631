//! Stage 3: turn the validated raw spec into the resolved [`model`](crate::model).
//!
//! Runs only after [`validate`](crate::validate) succeeded and relies on what
//! it guarantees: every reference resolves, every name converts, every value
//! is one the spec format allows. A lookup that misses anyway is a generator
//! bug (a rule missing from validation); it ends resolving with an
//! [`Error::Internal`] naming the item, never a skipped item or a guess.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::{Error, internal};
use crate::load::{RawEndpoint, RawEnum, RawField, RawNamespaceFile, RawParam, RawSpec, VERTICALS};
use crate::model::*;
use crate::names;
use crate::query::{Kind, declared_types, follow, inferred_location, placeholders};

/// Builds the model from a spec that passed validation.
pub fn resolve(spec: &RawSpec) -> Result<Api, Error> {
    let r = Resolver {
        spec,
        kinds: declared_types(spec),
        enum_values: enum_values(spec)?,
        sentinels: sentinels(spec)?,
    };
    let mut verticals = Vec::new();
    for vertical in VERTICALS {
        let namespaces = r.namespaces(vertical, &[])?;
        let mut models = Vec::new();
        for f in spec.type_files.iter().filter(|f| f.vertical == vertical) {
            models.push(ModelModule {
                name: f.module.clone(),
                used_by: BTreeSet::new(),
                types: f
                    .body
                    .types
                    .iter()
                    .map(|t| r.object(&f.type_id(&t.name), t))
                    .collect::<Result<_, _>>()?,
                enums: f
                    .body
                    .enums
                    .iter()
                    .map(|e| r.enumeration(&f.type_id(&e.name), e))
                    .collect::<Result<_, _>>()?,
            });
        }
        models.sort_by(|a, b| a.name.cmp(&b.name));
        // A product the spec leaves out still gets its (empty) module: the
        // hand-written SDK names each product's module under its feature.
        verticals.push(Vertical {
            name: vertical.to_owned(),
            namespaces,
            models,
        });
    }
    mark_usage(&mut verticals)?;
    Ok(Api { verticals })
}

struct Resolver<'a> {
    spec: &'a RawSpec,
    kinds: HashMap<TypeId, Kind>,
    enum_values: HashMap<TypeId, Vec<String>>,
    /// The `unknown:` placeholder of each enum that has one, aliases included.
    sentinels: HashMap<TypeId, String>,
}

/// The enum an alias names with `same_as`, or `None` for an enum with values.
fn alias_target(id: &TypeId, e: &RawEnum) -> Result<Option<TypeId>, Error> {
    match e.same_as.as_ref().map(|s| TypeExpr::parse(s)) {
        None => Ok(None),
        Some(Ok(TypeExpr::Named(target))) => Ok(Some(target)),
        Some(_) => Err(internal(
            format!("enum `{id}`"),
            "`same_as` is not a type id",
        )),
    }
}

/// The `unknown:` placeholder value of every enum that declares one; an alias
/// shares its target's.
fn sentinels(spec: &RawSpec) -> Result<HashMap<TypeId, String>, Error> {
    let mut found = HashMap::new();
    let mut aliases = Vec::new();
    for file in &spec.type_files {
        for e in &file.body.enums {
            let id = file.type_id(&e.name);
            if let Some(target) = alias_target(&id, e)? {
                aliases.push((id, target));
            } else if let Some(wire) = e.unknown.as_ref().and_then(|u| u.keys().next()) {
                found.insert(id, wire.clone());
            }
        }
    }
    // A target without a placeholder leaves its aliases without one too.
    for (alias, target) in aliases {
        if let Some(wire) = found.get(&target).cloned() {
            found.insert(alias, wire);
        }
    }
    Ok(found)
}

/// Wire values of every enum, aliases resolved to their target's values.
fn enum_values(spec: &RawSpec) -> Result<HashMap<TypeId, Vec<String>>, Error> {
    let mut values = HashMap::new();
    let mut aliases = Vec::new();
    for file in &spec.type_files {
        for e in &file.body.enums {
            let id = file.type_id(&e.name);
            match alias_target(&id, e)? {
                Some(target) => aliases.push((id, target)),
                None => {
                    values.insert(
                        id,
                        e.values.iter().flat_map(|v| v.keys().cloned()).collect(),
                    );
                }
            }
        }
    }
    for (alias, target) in aliases {
        let found = values.get(&target).cloned().ok_or_else(|| {
            internal(
                format!("enum `{alias}`"),
                format!("`same_as` names `{target}`, which is not an enum with values"),
            )
        })?;
        values.insert(alias, found);
    }
    Ok(values)
}

/// A name converted by `convert` (one of [`names`]' conversions, the one the
/// validator checked the name with).
fn converted(
    convert: fn(&str) -> Result<String, String>,
    raw: &str,
    item: impl FnOnce() -> String,
) -> Result<String, Error> {
    convert(raw).map_err(|message| internal(item(), message))
}

impl Resolver<'_> {
    /// The wire values of an enum type, or of the enum in a list or map.
    fn values_of(&self, ty: &Ty, item: &str) -> Result<Vec<String>, Error> {
        match ty {
            Ty::Enum(id) => self
                .enum_values
                .get(id)
                .cloned()
                .ok_or_else(|| internal(item, format!("`{id}` is not an enum"))),
            Ty::List(inner) | Ty::Map(inner) => self.values_of(inner, item),
            _ => Ok(Vec::new()),
        }
    }

    fn ty(&self, text: &str, item: &str) -> Result<Ty, Error> {
        let expr = TypeExpr::parse(text).map_err(|message| internal(item, message))?;
        self.expr(expr, item)
    }

    fn expr(&self, expr: TypeExpr, item: &str) -> Result<Ty, Error> {
        Ok(match expr {
            TypeExpr::Builtin(b) => match b {
                "string" => Ty::String,
                "integer" => Ty::Integer,
                "number" => Ty::Number,
                "boolean" => Ty::Boolean,
                "timestamp" => Ty::Timestamp,
                "member_session_auth" => Ty::MemberSessionAuth,
                "json" => Ty::Json,
                other => return Err(internal(item, format!("unknown built-in type `{other}`"))),
            },
            TypeExpr::List(inner) => Ty::List(Box::new(self.expr(*inner, item)?)),
            TypeExpr::Map(inner) => Ty::Map(Box::new(self.expr(*inner, item)?)),
            TypeExpr::Named(id) => match self.kinds.get(&id) {
                Some(Kind::Object) => Ty::Object(id),
                Some(Kind::Enum | Kind::EnumAlias) => Ty::Enum(id),
                None => {
                    return Err(internal(
                        item,
                        format!("no type or enum `{id}` is declared"),
                    ));
                }
            },
        })
    }

    fn namespaces(&self, vertical: &str, parent: &[String]) -> Result<Vec<Namespace>, Error> {
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

    fn namespace(&self, vertical: &str, file: &RawNamespaceFile) -> Result<Namespace, Error> {
        let id = format!("{vertical}.{}", file.segments.join("."));
        let item = || format!("namespace `{id}`");
        let host = match file.body.base_url.as_deref().map(String::as_str) {
            None | Some("api") => Host::Api,
            Some("telemetry") => Host::Telemetry,
            Some(other) => return Err(internal(item(), format!("unknown base_url `{other}`"))),
        };
        let mut endpoints = file
            .body
            .endpoints
            .iter()
            .map(|e| self.endpoint(&id, e))
            .collect::<Result<Vec<Endpoint>, Error>>()?;
        endpoints.sort_by(|a, b| a.name.cmp(&b.name));
        // Each segment is a module name as written: it also names files and
        // the generated test of each endpoint (through the endpoint id).
        for segment in &file.segments {
            converted(names::module_name, segment, item)?;
        }
        let last = file
            .segments
            .last()
            .ok_or_else(|| internal(item(), "the namespace has no path segment"))?;
        Ok(Namespace {
            module: converted(names::snake, last, item)?,
            handle: converted(names::pascal, &file.segments.join("_"), item)?,
            segments: file.segments.clone(),
            doc: file.body.doc.trim().to_owned(),
            host,
            endpoints,
            children: self.namespaces(vertical, &file.segments)?,
            id,
        })
    }

    fn endpoint(&self, ns: &str, raw: &RawEndpoint) -> Result<Endpoint, Error> {
        let id = format!("{ns}.{}", raw.name.as_str());
        let item = format!("endpoint `{id}`");
        let http = raw.method.to_uppercase();
        let encoding = match (
            raw.content_type.as_deref().map(String::as_str),
            http.as_str(),
        ) {
            (Some("form"), _) => Encoding::Form,
            (None | Some("json"), "GET" | "DELETE") => Encoding::Query,
            (None | Some("json"), _) => Encoding::Json,
            (Some(other), _) => {
                return Err(internal(item, format!("unknown content_type `{other}`")));
            }
        };
        let holes = placeholders(&raw.path).map_err(|message| internal(&item, message))?;
        Ok(Endpoint {
            name: raw.name.to_string(),
            method_name: converted(names::method_name, &raw.name, || item.clone())?,
            type_prefix: converted(names::pascal, &raw.name, || item.clone())?,
            path: raw.path.to_string(),
            encoding,
            doc: raw.doc.trim().to_owned(),
            idempotent: raw.idempotent.as_ref().is_some_and(|i| **i),
            pagination: match &raw.paginate {
                Some(p) => Some(self.pagination(raw, p, &item)?),
                None => None,
            },
            params: raw
                .params
                .iter()
                .map(|p| self.param(p, &http, &holes, &item))
                .collect::<Result<_, _>>()?,
            response: raw
                .response
                .iter()
                .map(|f| self.field(f, &item))
                .collect::<Result<_, _>>()?,
            http,
            id,
        })
    }

    fn pagination(
        &self,
        raw: &RawEndpoint,
        p: &crate::load::RawPagination,
        item: &str,
    ) -> Result<Pagination, Error> {
        let fail = |message: String| internal(item, format!("`paginate`: {message}"));
        let snake = |raw: &str| converted(names::snake, raw, || item.to_owned());
        let mut steps = Vec::new();
        for s in follow(self.spec, &raw.response, &p.next_cursor).map_err(fail)? {
            steps.push(PathStep {
                rust_name: snake(&s.name)?,
                nilable: s.nilable,
            });
        }
        let next_cursor = steps
            .pop()
            .ok_or_else(|| fail("`next_cursor` leads nowhere".into()))?;
        let items = follow(self.spec, &raw.response, &p.items).map_err(fail)?;
        let items_ty = &items
            .first()
            .ok_or_else(|| fail("`items` names no field".into()))?
            .ty;
        let Ty::List(item_ty) = self.ty(items_ty, item)? else {
            return Err(fail(format!("`items` has type `{items_ty}`, not a list")));
        };
        Ok(Pagination {
            cursor: snake(&p.cursor)?,
            through: steps,
            next_cursor,
            items: snake(&p.items)?,
            item: *item_ty,
        })
    }

    fn param(
        &self,
        p: &RawParam,
        http: &str,
        holes: &[&str],
        endpoint: &str,
    ) -> Result<Param, Error> {
        let def = self.spec.param_definition(p).ok_or_else(|| {
            let used = p.use_.as_deref().map_or("", String::as_str);
            internal(endpoint, format!("`use: {used}` names no common parameter"))
        })?;
        let name = def
            .name
            .as_ref()
            .ok_or_else(|| internal(endpoint, "a parameter has no name"))?
            .to_string();
        let item = format!("{endpoint}, parameter `{name}`");
        let format = def.format.as_ref().map(|_| WireFormat::SpaceSeparated);
        let ty = match format {
            // The caller hands over a list; the wire carries it joined into one string.
            Some(_) => Ty::List(Box::new(Ty::String)),
            None => {
                let text = def
                    .ty
                    .as_ref()
                    .ok_or_else(|| internal(&item, "it has no type"))?;
                self.ty(text, &item)?
            }
        };
        let is_session = ty == Ty::MemberSessionAuth;
        let goes = self.spec.param_location(p).map_or_else(
            || inferred_location(holes.contains(&name.as_str()), is_session, http),
            |written| written.as_str(),
        );
        let location = match goes {
            "header" if is_session => {
                let headers = def.headers.as_deref();
                let get = |k: &str| headers.and_then(|h| h.get(k)).cloned().unwrap_or_default();
                Location::Header {
                    token: get("session_token"),
                    jwt: get("session_jwt"),
                }
            }
            "path" => Location::Path,
            "query" => Location::Query,
            "body" => Location::Body,
            "local" => Location::Local,
            other => {
                return Err(internal(
                    item,
                    format!("`in: {other}` does not fit the parameter"),
                ));
            }
        };
        let sentinel = match &ty {
            Ty::Enum(id) => self.sentinels.get(id).cloned(),
            _ => None,
        };
        Ok(Param {
            enum_values: self.values_of(&ty, &item)?,
            sentinel,
            rust_name: converted(names::snake, &name, || item.clone())?,
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

    /// A response field (`owner` names the endpoint) or an object type's field
    /// (`owner` names the type).
    fn field(&self, f: &RawField, owner: &str) -> Result<Field, Error> {
        let def = self.spec.field_definition(f).ok_or_else(|| {
            let used = f.use_.as_deref().map_or("", String::as_str);
            internal(owner, format!("`use: {used}` names no common field"))
        })?;
        let name = def
            .name
            .as_ref()
            .ok_or_else(|| internal(owner, "a field has no name"))?
            .to_string();
        let item = format!("{owner}, field `{name}`");
        let text = def
            .ty
            .as_ref()
            .ok_or_else(|| internal(&item, "it has no type"))?;
        let ty = self.ty(text, &item)?;
        Ok(Field {
            enum_values: self.values_of(&ty, &item)?,
            rust_name: converted(names::snake, &name, || item.clone())?,
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

    fn object(&self, id: &TypeId, t: &crate::load::RawType) -> Result<ObjectType, Error> {
        let item = format!("type `{id}`");
        Ok(ObjectType {
            name: t.name.to_string(),
            rust_name: converted(names::pascal, &t.name, || item.clone())?,
            doc: t.doc.trim().to_owned(),
            fields: t
                .fields
                .iter()
                .map(|f| self.field(f, &item))
                .collect::<Result<_, _>>()?,
        })
    }

    fn enumeration(&self, id: &TypeId, e: &RawEnum) -> Result<EnumType, Error> {
        let item = format!("enum `{id}`");
        let mut values = Vec::new();
        let listed = e
            .values
            .iter()
            .flat_map(|v| v.iter())
            .map(|(w, d)| (w, d, false));
        let unknown = e
            .unknown
            .iter()
            .flat_map(|u| u.iter())
            .map(|(w, d)| (w, d, true));
        for (wire, doc, sentinel) in listed.chain(unknown) {
            values.push(EnumValue {
                wire: wire.clone(),
                rust_name: converted(names::pascal, wire, || format!("{item}, value `{wire}`"))?,
                doc: doc.trim().to_owned(),
                sentinel,
            });
        }
        Ok(EnumType {
            name: e.name.to_string(),
            rust_name: converted(names::pascal, &e.name, || item.clone())?,
            doc: e.doc.trim().to_owned(),
            values,
            same_as: alias_target(id, e)?,
        })
    }
}

/// Records, for each model module, which verticals' endpoints reach it
/// (directly or through other types), so the renderer can gate it on the
/// right cargo features. Modules no endpoint reaches belong to their own vertical.
fn mark_usage(verticals: &mut [Vertical]) -> Result<(), Error> {
    // A module is compiled whole, so reaching one of its types reaches all of them.
    let mut members: HashMap<(String, String), Vec<Ty>> = HashMap::new();
    let mut fields_of: HashMap<(String, String, String), Vec<Ty>> = HashMap::new();
    for v in verticals.iter() {
        for m in &v.models {
            let id = |name: &str| v.type_id(&m.name, name);
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
        for e in v.all_namespaces().into_iter().flat_map(|ns| &ns.endpoints) {
            stack.extend(e.params.iter().map(|p| p.ty.clone()));
            stack.extend(e.response.iter().map(|f| f.ty.clone()));
        }
        let mut seen = BTreeSet::new();
        while let Some(ty) = stack.pop() {
            let (id, object) = match ty {
                Ty::List(inner) | Ty::Map(inner) => {
                    stack.push(*inner);
                    continue;
                }
                Ty::Object(id) => (id, true),
                Ty::Enum(id) => (id, false),
                _ => continue,
            };
            let key = (id.vertical.clone(), id.module.clone(), id.name.clone());
            if !seen.insert(key.clone()) {
                continue;
            }
            let missing = || internal(format!("type `{id}`"), "it is not in the model");
            let module = (id.vertical.clone(), id.module.clone());
            if usage
                .entry(module.clone())
                .or_default()
                .insert(v.name.clone())
            {
                stack.extend(members.get(&module).ok_or_else(missing)?.iter().cloned());
            }
            match fields_of.get(&key) {
                Some(held) => stack.extend(held.iter().cloned()),
                // An enum with values holds no other type.
                None if !object => {}
                None => return Err(missing()),
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
    Ok(())
}
