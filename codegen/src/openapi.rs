//! Renders the whole API (every product) as one OpenAPI 3.1 document,
//! `openapi/stytch.json`, from the same resolved model as the SDK.
//! `cargo xtask codegen` writes it with the SDK, through the same write stage
//! (which also removes any other `.json` file of `openapi/`), and `--check`
//! covers it.
//!
//! What the document holds:
//!
//! - `servers`: the hosts of the first product (the live and the test API host). A
//!   product served elsewhere (SAML Shield) names its hosts in a path-level `servers` of
//!   each of its paths; operations of telemetry namespaces (the fraud endpoints) carry
//!   their own `servers` naming the telemetry host.
//! - Security: HTTP basic auth (project id and secret) is the document default; the
//!   operations of a product that authenticates otherwise (SAML Shield: a bearer public
//!   token) carry their own `security`.
//! - Every endpoint as an operation whose `operationId` is the endpoint id
//!   (`consumer.totps.create`) and whose tag is its namespace id. `x-stytch-endpoints`
//!   maps each product to the endpoint id the operation stands for.
//! - Path and query parameters; a member session becomes two optional header
//!   parameters named after its headers. Body parameters form the request body, as
//!   `application/json` or `application/x-www-form-urlencoded`. Parameters that the SDK
//!   checks locally are left out: they never reach the API.
//! - Fixed wire values as `const`, space-separated lists as plain strings, documented
//!   ranges and defaults as `minimum` / `maximum` / `default`.
//! - A `200` response with the response fields, and a `default` response with the Stytch
//!   error body.
//! - Object types and enums (with their wire values) under `components/schemas`, keyed
//!   by type id (`consumer.m2m.M2MClient`, `b2b.sessions.MemberSession`): the product
//!   prefix keeps the products' types apart.
//!
//! Consumer and B2B share some endpoints under the very same method and path (M2M
//! clients, connected apps, fraud rules, `debug/whoami`, …). A document holds one
//! operation per method and path, so such endpoints are merged into one operation:
//!
//! - Its `operationId` is the endpoint id of the first product (in spec order), its tags
//!   are every product's namespace, and `x-stytch-endpoints` lists every product's id.
//! - When the endpoints send and receive the same thing (parameters, request body,
//!   response, hosts, authentication: everything but doc texts), the operation is that
//!   one shape. Doc texts that differ are kept, each labelled with its product.
//! - Otherwise every parameter of either product is listed, required only when every
//!   product requires it; request bodies and responses that differ become an `anyOf` of
//!   the products' schemas, each alternative titled with its endpoint id. (Not `oneOf`:
//!   the products' object schemas overlap, and a body that both accept would then match
//!   neither.) Endpoints that differ in host or authentication cannot be merged and fail
//!   the render.
//!
//! Object keys are written in sorted order whatever serde_json's map type is, so the file
//! is the same byte for byte in every build of this crate.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::model::{
    Api, Endpoint, EnumType, Field, Host, Location, Namespace, ObjectType, Param, Ty,
};
use crate::products::{self, Auth, Product};
use crate::render::OutputFile;

/// Where the document lives, relative to the repository root.
pub const DIR: &str = "openapi";

/// The document's file name inside [`DIR`].
pub const FILE_NAME: &str = "stytch.json";

/// Host of the fraud and device-fingerprinting endpoints.
pub const TELEMETRY_URL: &str = "https://telemetry.stytch.com";

/// Name of the error body schema.
const ERROR: &str = "Error";

/// Name of the key listing, per product, the endpoint ids an operation stands for.
pub const ENDPOINTS_KEY: &str = "x-stytch-endpoints";

/// The document of every product of `api`, as a file of [`DIR`]; `version`
/// (the `stytch-sdk` version) is the document's version: it describes what
/// that release of the crate speaks.
pub fn render(api: &Api, version: &str) -> Result<OutputFile, Error> {
    let doc = document(api, version).map_err(|message| Error::Render {
        file: format!("{DIR}/{FILE_NAME}"),
        message,
    })?;
    Ok(OutputFile {
        path: FILE_NAME.to_owned(),
        content: doc,
    })
}

/// One endpoint, rendered as an operation of its own product.
struct Rendered<'a> {
    product: &'static Product,
    ns: &'a Namespace,
    endpoint: &'a Endpoint,
    op: Value,
}

/// Name of the security scheme of an authentication kind.
fn scheme_name(auth: Auth) -> &'static str {
    match auth {
        Auth::ProjectSecret => "stytchAuth",
        Auth::PublicToken => "stytchPublicToken",
        Auth::WorkspaceKey => "stytchWorkspaceKey",
    }
}

fn scheme(auth: Auth) -> Value {
    match auth {
        Auth::ProjectSecret => json!({
            "type": "http",
            "scheme": "basic",
            "description": "The project id as user name and the project secret as password.",
        }),
        Auth::PublicToken => json!({
            "type": "http",
            "scheme": "bearer",
            "description": "The project's public token (SAML Shield).",
        }),
        Auth::WorkspaceKey => json!({
            "type": "http",
            "scheme": "basic",
            "description": "A workspace management key: its id as user name and its secret as password (or an access token as a bearer token).",
        }),
    }
}

fn servers(product: &Product) -> Value {
    product
        .servers
        .iter()
        .map(|(url, description)| json!({"url": url, "description": description}))
        .collect()
}

/// Who calls a product's endpoints, for labelling doc texts.
fn audience(product: &Product) -> String {
    match product.name {
        "consumer" => "Consumer projects".to_owned(),
        "b2b" => "B2B projects".to_owned(),
        "samlshield" => "SAML Shield".to_owned(),
        "management" => "The workspace (Management API)".to_owned(),
        _ => format!("Projects of product {}", product.about),
    }
}

/// The document of every product of `api` (see [`render`]): pretty-printed
/// JSON with a final newline.
fn document(api: &Api, version: &str) -> Result<String, String> {
    let mut products_used = Vec::new();
    for v in &api.verticals {
        let product = products::product(&v.name)
            .ok_or_else(|| format!("`{}` is not a product the generator knows", v.name))?;
        products_used.push((v, product));
    }
    let home = products_used
        .first()
        .map(|(_, p)| *p)
        .ok_or("the spec describes no product")?;

    // Every endpoint as an operation of its product, grouped by path and method.
    let mut tags = Vec::new();
    let mut grouped: BTreeMap<String, BTreeMap<String, Vec<Rendered>>> = BTreeMap::new();
    for (v, product) in &products_used {
        for ns in v.all_namespaces() {
            if ns.endpoints.is_empty() {
                continue;
            }
            tags.push(json!({"name": ns.id, "description": ns.doc}));
            for e in &ns.endpoints {
                let mut op = operation(ns, e)?;
                op[ENDPOINTS_KEY] = json!({product.name: e.id});
                if product.auth != home.auth {
                    op["security"] = json!([{scheme_name(product.auth): []}]);
                }
                let group = grouped
                    .entry(e.path.clone())
                    .or_default()
                    .entry(e.http.to_lowercase())
                    .or_default();
                if let Some(twin) = group.iter().find(|r| r.product.name == product.name) {
                    return Err(format!(
                        "two {} endpoints are `{} {}`: `{}` and `{}`",
                        product.name, e.http, e.path, twin.endpoint.id, e.id
                    ));
                }
                group.push(Rendered {
                    product,
                    ns,
                    endpoint: e,
                    op,
                });
            }
        }
    }

    let mut paths = Map::new();
    for (path, methods) in grouped {
        let mut item = Map::new();
        let mut hosts: Option<&'static Product> = None;
        for (method, group) in methods {
            for r in &group {
                match hosts {
                    Some(p) if p.servers != r.product.servers => {
                        return Err(format!(
                            "`{path}` is served by {} and by {}, which live on different hosts",
                            p.name, r.product.name
                        ));
                    }
                    _ => hosts = Some(r.product),
                }
            }
            let op = match group.as_slice() {
                [single] => single.op.clone(),
                several => merge(&method, &path, several)?,
            };
            item.insert(method, op);
        }
        if let Some(product) = hosts.filter(|p| p.servers != home.servers) {
            item.insert("servers".into(), servers(product));
        }
        paths.insert(path, Value::Object(item));
    }

    // Every model module some product's endpoints reach, once, under its own product.
    let mut schemas = Map::new();
    for v in &api.verticals {
        for module in v.models.iter().filter(|m| !m.used_by.is_empty()) {
            for t in &module.types {
                let id = v.type_id(&module.name, &t.name);
                schemas.insert(id.to_string(), object_schema(t));
            }
            for e in &module.enums {
                let id = v.type_id(&module.name, &e.name);
                schemas.insert(id.to_string(), enum_schema(e));
            }
        }
    }
    schemas.insert(ERROR.to_owned(), error_schema());

    let mut schemes = Map::new();
    for (_, product) in &products_used {
        schemes.insert(scheme_name(product.auth).to_owned(), scheme(product.auth));
    }
    let audiences: Vec<String> = products_used.iter().map(|(_, p)| audience(p)).collect();
    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Stytch API",
            "version": version,
            "description": format!(
                "The endpoints of the Stytch authentication API ({}), as the stytch-sdk crate \
                speaks them. Where two products share a method and path, one operation serves \
                both: `x-stytch-endpoints` names each product's endpoint, and whatever differs \
                between them is labelled with its product. Generated from the YAML description \
                in spec/ by `cargo xtask codegen`, which writes it together with the SDK; do \
                not edit by hand.",
                audiences.join(", ")
            ),
        },
        "servers": servers(home),
        "security": [{scheme_name(home.auth): []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": schemes,
            "schemas": schemas,
        },
    });
    let text = serde_json::to_string_pretty(&sorted(document)).map_err(|e| e.to_string())?;
    Ok(text + "\n")
}

/// One operation for endpoints of several products under the same method and path.
fn merge(method: &str, path: &str, group: &[Rendered]) -> Result<Value, String> {
    let ids: Vec<&str> = group.iter().map(|r| r.endpoint.id.as_str()).collect();
    for key in ["servers", "security"] {
        let first = group[0].op.get(key);
        if group.iter().any(|r| r.op.get(key) != first) {
            return Err(format!(
                "{} share `{} {path}` but not its {key}; one operation cannot describe them",
                ids.join(" and "),
                method.to_uppercase()
            ));
        }
    }
    let labels: Vec<String> = group.iter().map(|r| audience(r.product)).collect();
    let ops: Vec<(usize, &Value)> = group.iter().map(|r| &r.op).enumerate().collect();
    let alike = ops
        .iter()
        .all(|(_, op)| wire_shape(op) == wire_shape(ops[0].1));
    let mut op = if alike {
        combine(&ops, &labels, false)
    } else {
        alternatives(group, &labels)
    };

    let who = labels.join(" and ");
    let mut description = if alike {
        format!("{who} call this operation alike: the same parameters, request body and response.")
    } else {
        format!(
            "{who} both call this operation, with different parameters or bodies. A \
            parameter only some of them send says so; where request bodies or responses \
            differ, the schema is an `anyOf` whose alternatives are titled with the endpoint \
            id they belong to."
        )
    };
    for (r, label) in group.iter().zip(&labels) {
        if !r.endpoint.doc.is_empty() {
            description.push_str(&format!(
                "\n\n{label} (`{}`): {}",
                r.endpoint.id, r.endpoint.doc
            ));
        }
    }
    op["description"] = json!(description);
    op["operationId"] = json!(ids[0]);
    let mut tags: Vec<&str> = Vec::new();
    for r in group {
        if !tags.contains(&r.ns.id.as_str()) {
            tags.push(&r.ns.id);
        }
    }
    op["tags"] = json!(tags);
    let endpoints: Map<String, Value> = group
        .iter()
        .map(|r| (r.product.name.to_owned(), json!(r.endpoint.id)))
        .collect();
    op[ENDPOINTS_KEY] = Value::Object(endpoints);
    let map = op.as_object_mut().expect("an operation is an object");
    if group.iter().all(|r| r.endpoint.idempotent) {
        map.insert("x-idempotent".into(), json!(true));
    } else {
        map.remove("x-idempotent");
    }
    Ok(op)
}

/// What an operation puts on the wire: the operation without its identity (id, tags,
/// endpoint ids), its retry hint and every doc text.
fn wire_shape(op: &Value) -> Value {
    let mut shape = op.clone();
    if let Some(map) = shape.as_object_mut() {
        for key in ["operationId", "tags", ENDPOINTS_KEY, "x-idempotent"] {
            map.remove(key);
        }
    }
    without_docs(&shape, false)
}

/// `value` without `description` texts. `names` says that the keys of this object are
/// property names (a property may be called `description`).
fn without_docs(value: &Value, names: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| names || !(k.as_str() == "description" && v.is_string()))
                .map(|(k, v)| (k.clone(), without_docs(v, !names && k == "properties")))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| without_docs(v, false)).collect()),
        other => other.clone(),
    }
}

/// Values of the same wire shape made one: the first's structure, with each doc text
/// that differs between them replaced by every product's text, labelled. Each value
/// comes with the index of its product in `labels`.
fn combine(values: &[(usize, &Value)], labels: &[String], names: bool) -> Value {
    match values[0].1 {
        Value::Object(first) => {
            let mut keys: Vec<&String> = first.keys().collect();
            for (_, v) in &values[1..] {
                if let Value::Object(map) = v {
                    keys.extend(map.keys().filter(|k| !first.contains_key(*k)));
                }
            }
            let mut out = Map::new();
            for key in keys {
                let present: Vec<(usize, &Value)> = values
                    .iter()
                    .filter_map(|(i, v)| v.get(key).map(|x| (*i, x)))
                    .collect();
                let merged =
                    if !names && key == "description" && present.iter().all(|(_, v)| v.is_string())
                    {
                        labelled_text(&present, values.len(), labels)
                    } else {
                        combine(&present, labels, !names && key == "properties")
                    };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        Value::Array(first) => Value::Array(
            (0..first.len())
                .map(|n| {
                    let items: Vec<(usize, &Value)> = values
                        .iter()
                        .filter_map(|(i, v)| v.get(n).map(|x| (*i, x)))
                        .collect();
                    combine(&items, labels, false)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One text for several products' doc texts: the text itself when all `of` values say
/// the same, else each product's text after its label.
fn labelled_text(texts: &[(usize, &Value)], of: usize, labels: &[String]) -> Value {
    let first = texts[0].1;
    if texts.len() == of && texts.iter().all(|(_, t)| *t == first) {
        return first.clone();
    }
    let parts: Vec<String> = texts
        .iter()
        .map(|(i, t)| format!("{}: {}", labels[*i], t.as_str().unwrap_or_default()))
        .collect();
    json!(parts.join("\n\n"))
}

/// Schemas of several products for one place: one schema when they have the same wire
/// shape, else an `anyOf` of them, each titled with its endpoint id.
fn alternative_schemas(
    schemas: &[(usize, &Value)],
    group: &[Rendered],
    labels: &[String],
) -> Value {
    let first = without_docs(schemas[0].1, false);
    if schemas.iter().all(|(_, s)| without_docs(s, false) == first) {
        return combine(schemas, labels, false);
    }
    let options: Vec<Value> = schemas
        .iter()
        .map(|(i, s)| {
            let mut s = (*s).clone();
            if s.get("$ref").is_some() {
                s = json!({"allOf": [s]});
            }
            s["title"] = json!(group[*i].endpoint.id);
            let note = format!("What {} send or receive here.", labels[*i]);
            match s.get("description").and_then(Value::as_str) {
                Some(doc) => s["description"] = json!(format!("{note} {doc}")),
                None => s["description"] = json!(note),
            }
            s
        })
        .collect();
    json!({"anyOf": options})
}

/// The parameters, request body and responses of endpoints that differ on the wire.
fn alternatives(group: &[Rendered], labels: &[String]) -> Value {
    let mut op = group[0].op.clone();
    let map = op.as_object_mut().expect("an operation is an object");
    for key in ["parameters", "requestBody", "responses"] {
        map.remove(key);
    }

    // Parameters: the union, keyed by location and name.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut by_key: BTreeMap<(String, String), Vec<(usize, &Value)>> = BTreeMap::new();
    for (i, r) in group.iter().enumerate() {
        for p in r.op["parameters"].as_array().into_iter().flatten() {
            let key = (
                p["in"].as_str().unwrap_or_default().to_owned(),
                p["name"].as_str().unwrap_or_default().to_owned(),
            );
            if !by_key.contains_key(&key) {
                order.push(key.clone());
            }
            by_key.entry(key).or_default().push((i, p));
        }
    }
    let mut parameters = Vec::new();
    for key in order {
        let found = &by_key[&key];
        let schemas: Vec<(usize, &Value)> = found.iter().map(|(i, p)| (*i, &p["schema"])).collect();
        let mut p = combine(found, labels, false);
        p["schema"] = alternative_schemas(&schemas, group, labels);
        let everywhere = found.len() == group.len();
        p["required"] = json!(
            key.0 == "path"
                || (everywhere && found.iter().all(|(_, p)| p["required"] == json!(true)))
        );
        if !everywhere {
            let who: Vec<&str> = found.iter().map(|(i, _)| labels[*i].as_str()).collect();
            let note = format!("Only {} send this parameter.", who.join(" and "));
            let doc = p["description"].as_str().unwrap_or_default().to_owned();
            p["description"] = json!(format!("{doc} {note}").trim());
        }
        parameters.push(p);
    }
    if !parameters.is_empty() {
        map.insert("parameters".into(), Value::Array(parameters));
    }

    // Request bodies: per content type, the products' schemas.
    let mut bodies: BTreeMap<&str, Vec<(usize, &Value)>> = BTreeMap::new();
    let mut every_body_required = true;
    for (i, r) in group.iter().enumerate() {
        match r.op.get("requestBody") {
            Some(body) => {
                every_body_required &= body["required"] == json!(true);
                for (content_type, media) in body["content"].as_object().into_iter().flatten() {
                    bodies
                        .entry(content_type.as_str())
                        .or_default()
                        .push((i, &media["schema"]));
                }
            }
            None => every_body_required = false,
        }
    }
    if !bodies.is_empty() {
        let content: Map<String, Value> = bodies
            .iter()
            .map(|(content_type, schemas)| {
                let schema = alternative_schemas(schemas, group, labels);
                (content_type.to_string(), json!({"schema": schema}))
            })
            .collect();
        map.insert(
            "requestBody".into(),
            json!({"required": every_body_required, "content": content}),
        );
    }

    // Responses: per status and content type, the products' schemas.
    let mut responses = Map::new();
    let mut statuses: BTreeMap<&str, Vec<(usize, &Value)>> = BTreeMap::new();
    for (i, r) in group.iter().enumerate() {
        for (status, response) in r.op["responses"].as_object().into_iter().flatten() {
            statuses
                .entry(status.as_str())
                .or_default()
                .push((i, response));
        }
    }
    for (status, found) in statuses {
        let mut response = combine(&found, labels, false);
        let mut types: BTreeMap<&str, Vec<(usize, &Value)>> = BTreeMap::new();
        for (i, r) in &found {
            for (content_type, media) in r["content"].as_object().into_iter().flatten() {
                types
                    .entry(content_type.as_str())
                    .or_default()
                    .push((*i, &media["schema"]));
            }
        }
        for (content_type, schemas) in types {
            response["content"][content_type]["schema"] =
                alternative_schemas(&schemas, group, labels);
        }
        responses.insert(status.to_owned(), response);
    }
    map.insert("responses".into(), Value::Object(responses));
    op
}

/// The same value with every object's keys inserted in sorted order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let entries: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The operation of one endpoint, as its own product serves it.
fn operation(ns: &Namespace, e: &crate::model::Endpoint) -> Result<Value, String> {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(e.id));
    op.insert("tags".into(), json!([ns.id]));
    op.insert("description".into(), json!(e.doc));
    if ns.host == Host::Telemetry {
        op.insert(
            "servers".into(),
            json!([{"url": TELEMETRY_URL, "description": "Fraud and device fingerprinting host."}]),
        );
    }
    if e.idempotent {
        // Not part of OpenAPI itself: tells readers that the call may safely be repeated.
        op.insert("x-idempotent".into(), json!(true));
    }

    let mut parameters = Vec::new();
    let mut body = Map::new();
    let mut body_required = Vec::new();
    for p in &e.params {
        match &p.location {
            Location::Local => {}
            Location::Path | Location::Query => {
                let place = if p.location == Location::Path {
                    "path"
                } else {
                    "query"
                };
                parameters.push(json!({
                    "name": p.name,
                    "in": place,
                    "required": p.required || p.location == Location::Path,
                    "description": param_doc(p),
                    "schema": param_schema(p),
                }));
            }
            Location::Header { token, jwt } => {
                for (header, carries) in [(token, "session token"), (jwt, "session JWT")] {
                    parameters.push(json!({
                        "name": header,
                        "in": "header",
                        "required": false,
                        "description": format!("{} This header carries the member's {carries}.", p.doc),
                        "schema": {"type": "string"},
                    }));
                }
            }
            Location::Body => {
                let mut schema = param_schema(p);
                describe(&mut schema, &param_doc(p));
                body.insert(p.name.clone(), schema);
                if p.required {
                    body_required.push(json!(p.name));
                }
            }
        }
    }
    // Placeholders that no parameter fills come from the client's configuration.
    let placeholders = e.placeholders().map_err(|message| {
        format!(
            "internal generator error: endpoint `{}`: {message} (validation should have refused this)",
            e.id
        )
    })?;
    for name in placeholders {
        if !e.params.iter().any(|p| p.name == name) {
            parameters.push(json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": "Filled in by the SDK from the client's configuration (the project id).",
                "schema": {"type": "string"},
            }));
        }
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if !body.is_empty() {
        let content_type = match e.encoding {
            crate::model::Encoding::Form => "application/x-www-form-urlencoded",
            _ => "application/json",
        };
        let mut schema = json!({"type": "object", "properties": body});
        if !body_required.is_empty() {
            schema["required"] = Value::Array(body_required.clone());
        }
        op.insert(
            "requestBody".into(),
            json!({
                "required": !body_required.is_empty(),
                "content": {content_type: {"schema": schema}},
            }),
        );
    }
    op.insert(
        "responses".into(),
        json!({
            "200": {
                "description": "The call succeeded.",
                "content": {"application/json": {"schema": fields_schema(&e.response)}},
            },
            "default": {
                "description": "The call failed; the body says why.",
                "content": {"application/json": {"schema": {"$ref": reference(ERROR)}}},
            },
        }),
    );
    Ok(Value::Object(op))
}

fn reference(id: &str) -> String {
    format!("#/components/schemas/{id}")
}

/// Adds a description to a schema unless the text is empty.
fn describe(schema: &mut Value, doc: &str) {
    if !doc.is_empty()
        && let Value::Object(map) = schema
    {
        map.insert("description".into(), json!(doc));
    }
}

fn ty_schema(ty: &Ty) -> Value {
    match ty {
        Ty::String => json!({"type": "string"}),
        Ty::Integer => json!({"type": "integer", "format": "int64"}),
        Ty::Number => json!({"type": "number", "format": "double"}),
        Ty::Boolean => json!({"type": "boolean"}),
        Ty::Timestamp => json!({"type": "string", "format": "date-time"}),
        // Any JSON value.
        Ty::Json => json!({}),
        Ty::List(inner) => json!({"type": "array", "items": ty_schema(inner)}),
        Ty::Map(inner) => json!({"type": "object", "additionalProperties": ty_schema(inner)}),
        Ty::Object(id) | Ty::Enum(id) => json!({"$ref": reference(&id.to_string())}),
        // Travels as headers, never as a schema'd value; see `operation`.
        Ty::MemberSessionAuth => json!({"type": "string"}),
    }
}

/// A parameter's doc text, saying how a space-separated list travels.
fn param_doc(p: &Param) -> String {
    match p.format {
        Some(_) => format!(
            "{} Several values travel as one string, separated by single spaces.",
            p.doc
        ),
        None => p.doc.clone(),
    }
}

fn param_schema(p: &Param) -> Value {
    if let Some(value) = &p.fixed {
        return json!({"type": "string", "const": value});
    }
    if p.format.is_some() {
        // The SDK takes a list and sends its items joined by single spaces.
        return json!({"type": "string"});
    }
    let mut schema = ty_schema(&p.ty);
    for (key, value) in [
        ("minimum", p.min),
        ("maximum", p.max),
        ("default", p.default),
    ] {
        if let Some(value) = value {
            schema[key] = json!(value);
        }
    }
    schema
}

/// A field's schema, allowing `null` when the field is nilable.
fn field_schema(f: &Field) -> Value {
    let mut schema = ty_schema(&f.ty);
    // The empty schema (any JSON value) admits null already.
    let any = schema.as_object().is_some_and(Map::is_empty);
    if f.nilable && !any {
        schema = match schema.get("type").and_then(Value::as_str) {
            Some(single) => {
                let mut widened = schema.clone();
                widened["type"] = json!([single, "null"]);
                widened
            }
            None => json!({"anyOf": [schema, {"type": "null"}]}),
        };
    }
    describe(&mut schema, &f.doc);
    schema
}

/// An object schema: every field a property, the non-nilable ones required, and a
/// `rest` field as the schema of the remaining keys.
fn fields_schema(fields: &[Field]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut rest = None;
    for f in fields {
        if f.rest {
            if let Ty::Map(inner) = &f.ty {
                rest = Some(ty_schema(inner));
            }
            continue;
        }
        properties.insert(f.name.clone(), field_schema(f));
        if !f.nilable {
            required.push(json!(f.name));
        }
    }
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    if let Some(rest) = rest {
        schema["additionalProperties"] = rest;
    }
    schema
}

fn object_schema(t: &ObjectType) -> Value {
    let mut schema = fields_schema(&t.fields);
    describe(&mut schema, &t.doc);
    schema
}

fn enum_schema(e: &EnumType) -> Value {
    let mut schema = match &e.same_as {
        Some(target) => json!({"$ref": reference(&target.to_string())}),
        None => {
            let values: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
            json!({"type": "string", "enum": values})
        }
    };
    let mut doc = e.doc.clone();
    if e.same_as.is_none() {
        for v in &e.values {
            doc.push_str(&format!("\n- `{}`: {}", v.wire, v.doc));
        }
    }
    describe(&mut schema, &doc);
    schema
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "The body of every error answer of the API.",
        "properties": {
            "status_code": {"type": "integer", "description": "The HTTP status of the answer."},
            "request_id": {"type": "string", "description": "Identifier of the failed call, for support requests."},
            "error_type": {"type": "string", "description": "Machine-readable reason, such as `unauthorized_credentials`."},
            "error_message": {"type": "string", "description": "What went wrong, in English."},
            "error_url": {"type": "string", "description": "Link to the documentation of this error."},
        },
        "required": ["status_code", "request_id", "error_type", "error_message", "error_url"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use oas3::spec::{ObjectOrReference, ParameterIn, Schema, SchemaType};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf()
    }

    fn model() -> Api {
        crate::model(&root().join("spec")).expect("spec/ loads")
    }

    fn committed() -> String {
        let path = root().join(DIR).join(FILE_NAME);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask codegen`", path.display()))
    }

    fn object(schema: &Schema) -> &oas3::spec::ObjectSchema {
        match schema {
            Schema::Object(o) => match o.as_ref() {
                ObjectOrReference::Object(o) => o,
                ObjectOrReference::Ref { ref_path, .. } => panic!("a reference: {ref_path}"),
            },
            Schema::Boolean(_) => panic!("a boolean schema"),
        }
    }

    /// The schema an endpoint sends or receives at a place: the place's schema, or
    /// when products differ there, the `anyOf` alternative titled with the endpoint id.
    fn own<'a>(schema: &'a Schema, id: &str) -> &'a oas3::spec::ObjectSchema {
        let schema = object(schema);
        if schema.any_of.is_empty() {
            return schema;
        }
        schema
            .any_of
            .iter()
            .map(object)
            .find(|alt| alt.title.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no alternative titled {id}"))
    }

    /// Every `$ref` string anywhere in `value`.
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(target)) => out.push(target),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    /// Every endpoint of the model with its product and namespace.
    fn endpoints(api: &Api) -> Vec<(&'static Product, &Namespace, &Endpoint)> {
        let mut out = Vec::new();
        for v in &api.verticals {
            let product = products::product(&v.name).unwrap();
            for ns in v.all_namespaces() {
                for e in &ns.endpoints {
                    out.push((product, ns, e));
                }
            }
        }
        out
    }

    #[test]
    fn every_endpoint_is_one_operation_or_one_alternative_of_a_merged_one() {
        let api = model();
        let text = committed();
        let doc = oas3::from_json(&text).expect("a valid OpenAPI document");
        let json: Value = serde_json::from_str(&text).unwrap();
        let all = endpoints(&api);
        assert!(all.iter().any(|(p, _, _)| p.name == "samlshield"));

        // The endpoint ids each operation stands for; the operation id is one of them.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut operations = 0;
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if method == "servers" {
                    continue;
                }
                operations += 1;
                let ids = op[ENDPOINTS_KEY]
                    .as_object()
                    .unwrap_or_else(|| panic!("{method} {path}: no {ENDPOINTS_KEY}"));
                assert!(
                    ids.values().any(|id| op["operationId"] == *id),
                    "{method} {path}"
                );
                for id in ids.values() {
                    *seen.entry(id.as_str().unwrap().to_owned()).or_default() += 1;
                }
            }
        }
        assert_eq!(operations, doc.operations().count());
        let expected: BTreeMap<String, usize> =
            all.iter().map(|(_, _, e)| (e.id.clone(), 1)).collect();
        assert_eq!(seen, expected, "every endpoint exactly once");

        // Endpoints of several products under one method and path are one operation.
        let mut pairs: BTreeMap<(String, String), Vec<&Endpoint>> = BTreeMap::new();
        for (_, _, e) in &all {
            pairs
                .entry((e.http.clone(), e.path.clone()))
                .or_default()
                .push(e);
        }
        assert_eq!(operations, pairs.len(), "shared pairs merged");
        let shared: Vec<_> = pairs.values().filter(|list| list.len() > 1).collect();
        assert!(!shared.is_empty());
        for list in shared {
            let op = &json["paths"][&list[0].path][list[0].http.to_lowercase()];
            assert_eq!(op["operationId"], json!(list[0].id));
            assert_eq!(op[ENDPOINTS_KEY].as_object().unwrap().len(), list.len());
            for e in list {
                assert!(
                    op["description"].as_str().unwrap().contains(&e.doc),
                    "{}: its doc text is kept",
                    e.id
                );
            }
        }

        // Each endpoint: under its product's key, tagged with its namespace, on its
        // product's hosts with its product's authentication.
        let home = products::product(&api.verticals[0].name).unwrap();
        for (product, ns, e) in &all {
            let method = e.http.to_lowercase();
            let op = &json["paths"][&e.path][&method];
            assert_eq!(op[ENDPOINTS_KEY][product.name], json!(e.id));
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert!(tags.contains(&ns.id.as_str()), "{}", e.id);
            let parsed = doc.operation(&e.http.parse().unwrap(), &e.path).unwrap();
            let hosts: Vec<&str> = parsed.servers.iter().map(|s| s.url.as_str()).collect();
            if ns.host == Host::Telemetry {
                assert_eq!(hosts, [TELEMETRY_URL], "{}", e.id);
            } else {
                assert!(hosts.is_empty(), "{}", e.id);
            }
            let item = &doc.paths.as_ref().unwrap()[&e.path];
            let path_hosts: Vec<&str> = item.servers.iter().map(|s| s.url.as_str()).collect();
            if product.servers == home.servers {
                assert!(path_hosts.is_empty(), "{}", e.id);
                assert!(parsed.security.is_empty(), "{}", e.id);
            } else {
                let own: Vec<&str> = product.servers.iter().map(|(url, _)| *url).collect();
                assert_eq!(path_hosts, own, "{}", e.id);
            }
            if product.auth == home.auth {
                assert!(op.get("security").is_none(), "{}", e.id);
            } else {
                assert_eq!(
                    op["security"],
                    json!([{scheme_name(product.auth): []}]),
                    "{}",
                    e.id
                );
            }
        }
        let schemes = &json["components"]["securitySchemes"];
        assert_eq!(schemes["stytchAuth"]["scheme"], "basic");
        assert_eq!(schemes["stytchPublicToken"]["scheme"], "bearer");
        assert_eq!(json["security"], json!([{"stytchAuth": []}]));
        let shield = &json["paths"]["/v1/saml/validate"]["post"];
        assert_eq!(shield["security"], json!([{"stytchPublicToken": []}]));
    }

    #[test]
    fn committed_document_parses_as_openapi_3_1_and_says_what_the_model_says() {
        let api = model();
        let text = committed();
        let doc = oas3::from_json(&text).expect("a valid OpenAPI document");
        assert_eq!(doc.openapi, "3.1.0");
        doc.validate_version().expect("a supported OpenAPI version");
        let servers: Vec<&str> = doc.servers.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(
            servers,
            ["https://api.stytch.com", "https://test.stytch.com"]
        );

        // Component keys are valid, and every reference points at one of them.
        let schemas = &doc.components.as_ref().unwrap().schemas;
        for key in schemas.keys() {
            assert!(
                !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)),
                "{key}"
            );
        }
        let mut targets = Vec::new();
        let json: Value = serde_json::from_str(&text).unwrap();
        refs(&json, &mut targets);
        assert!(!targets.is_empty());
        for target in targets {
            let id = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or(target);
            assert!(schemas.contains_key(id), "dangling {target}");
        }

        let mut enums = 0;
        let mut local_params = 0;
        let mut header_params = 0;
        for (_, _, e) in endpoints(&api) {
            let op = doc
                .operation(&e.http.parse().unwrap(), &e.path)
                .unwrap_or_else(|| panic!("no operation for {} {}", e.http, e.path));
            let params = op.parameters(&doc).unwrap();
            // Path parameters are required and fill the placeholders of the path.
            let mut path_params = Vec::new();
            for p in params.iter().filter(|p| p.location == ParameterIn::Path) {
                assert_eq!(p.required, Some(true), "{}: {}", e.id, p.name);
                path_params.push(p.name.as_str());
            }
            assert_eq!(path_params, e.placeholders().unwrap(), "{}", e.id);
            let body = op.request_body(&doc).unwrap();
            let form = e.encoding == crate::model::Encoding::Form;
            let content_type = if form {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            let body_schema = body.as_ref().and_then(|b| {
                b.content
                    .get(content_type)
                    .map(|media| own(media.schema.as_ref().unwrap(), &e.id))
            });
            for p in &e.params {
                match &p.location {
                    // Local options never appear: neither as parameters nor in the body.
                    Location::Local => {
                        local_params += 1;
                        assert!(params.iter().all(|q| q.name != p.name), "{}", e.id);
                        if let Some(schema) = body_schema {
                            assert!(!schema.properties.contains_key(&p.name), "{}", e.id);
                        }
                    }
                    // A member session is two optional headers.
                    Location::Header { token, jwt } => {
                        header_params += 1;
                        for header in [token, jwt] {
                            let found = params
                                .iter()
                                .find(|q| &q.name == header)
                                .unwrap_or_else(|| panic!("{}: no header {header}", e.id));
                            assert_eq!(found.location, ParameterIn::Header);
                            assert_eq!(found.required, Some(false));
                        }
                    }
                    Location::Body => {
                        let schema = body_schema.unwrap_or_else(|| panic!("{}", e.id));
                        assert!(schema.properties.contains_key(&p.name), "{}", e.id);
                        assert_eq!(schema.required.contains(&p.name), p.required, "{}", e.id);
                    }
                    Location::Path | Location::Query => {
                        assert!(params.iter().any(|q| q.name == p.name), "{}", e.id);
                    }
                }
            }
            let response = &op.responses(&doc)["200"];
            let schema = own(
                response.content["application/json"]
                    .schema
                    .as_ref()
                    .unwrap(),
                &e.id,
            );
            for field in e.response.iter().filter(|f| !f.rest) {
                assert!(schema.properties.contains_key(&field.name), "{}", e.id);
            }
        }

        // Every enum lists exactly its wire values.
        for v in &api.verticals {
            for m in v.models.iter().filter(|m| !m.used_by.is_empty()) {
                for en in m.enums.iter().filter(|en| en.same_as.is_none()) {
                    let id = format!("{}.{}.{}", v.name, m.name, en.name);
                    let schema = object(schemas.get(&id).unwrap_or_else(|| panic!("{id}")));
                    let wire: Vec<Value> = en.values.iter().map(|x| json!(x.wire)).collect();
                    assert_eq!(schema.enum_values, wire, "{id}");
                    enums += 1;
                }
            }
        }
        assert!(enums > 0 && local_params > 0 && header_params > 0);

        // The M2M token request always sends the client-credentials grant, and the scope
        // list travels as one string.
        let token = doc
            .operation_by_id("consumer.m2m.token")
            .expect("m2m token");
        let body = token.request_body(&doc).unwrap().expect("a request body");
        let schema = own(
            body.content
                .values()
                .next()
                .unwrap()
                .schema
                .as_ref()
                .unwrap(),
            "consumer.m2m.token",
        );
        let grant = object(&schema.properties["grant_type"]);
        assert_eq!(grant.const_value, Some(json!("client_credentials")));
        assert!(schema.required.contains(&"grant_type".to_owned()));
        let scope = object(&schema.properties["scope"]);
        assert!(
            scope
                .schema_type
                .as_ref()
                .unwrap()
                .contains(SchemaType::String)
        );
        assert!(!schema.required.contains(&"scope".to_owned()));
    }

    #[test]
    fn documented_ranges_and_nilable_fields_become_schema_keywords() {
        let api = model();
        let doc = oas3::from_json(committed()).unwrap();
        let (ns, e) = api.verticals[0]
            .namespaces
            .iter()
            .flat_map(|ns| ns.endpoints.iter().map(move |e| (ns, e)))
            .find(|(_, e)| {
                e.params
                    .iter()
                    .any(|p| p.location == Location::Body && p.min.is_some())
            })
            .expect("a body parameter with a documented range");
        let p = e.params.iter().find(|p| p.min.is_some()).unwrap();
        let op = doc.operation_by_id(&e.id).unwrap();
        let body = op.request_body(&doc).unwrap().unwrap();
        let schema = own(
            body.content
                .values()
                .next()
                .unwrap()
                .schema
                .as_ref()
                .unwrap(),
            &e.id,
        );
        let range = object(&schema.properties[&p.name]);
        assert_eq!(range.minimum, p.min.map(Into::into), "{}", ns.id);
        assert_eq!(range.maximum, p.max.map(Into::into), "{}", ns.id);
        assert_eq!(range.default, p.default.map(|d| json!(d)), "{}", ns.id);

        let f = e.response.iter().find(|f| f.nilable && f.ty == Ty::String);
        let response = &op.responses(&doc)["200"];
        let schema = own(
            response.content["application/json"]
                .schema
                .as_ref()
                .unwrap(),
            &e.id,
        );
        for field in &e.response {
            assert_eq!(
                schema.required.contains(&field.name),
                !field.nilable && !field.rest,
                "{}: {}",
                e.id,
                field.name
            );
        }
        if let Some(f) = f {
            let nullable = object(&schema.properties[&f.name]);
            assert!(
                nullable
                    .schema_type
                    .as_ref()
                    .unwrap()
                    .contains(SchemaType::Null)
            );
        }
    }

    /// A consumer endpoint of the model with a body and a response.
    fn sample(api: &Api) -> (&Namespace, &Endpoint) {
        let (_, ns, e) = endpoints(api)
            .into_iter()
            .find(|(p, _, e)| {
                p.name == "consumer"
                    && e.params.iter().any(|p| p.location == Location::Body)
                    && !e.response.is_empty()
            })
            .expect("a consumer endpoint with a body and a response");
        (ns, e)
    }

    /// The endpoint `id` of a (separately loaded, so changeable) model.
    fn endpoint_mut<'a>(api: &'a mut Api, id: &str) -> &'a mut Endpoint {
        fn find<'a>(list: &'a mut [Namespace], id: &str) -> Option<&'a mut Endpoint> {
            for ns in list {
                if let Some(e) = ns.endpoints.iter_mut().find(|e| e.id == id) {
                    return Some(e);
                }
                if let Some(e) = find(&mut ns.children, id) {
                    return Some(e);
                }
            }
            None
        }
        api.verticals
            .iter_mut()
            .find_map(|v| find(&mut v.namespaces, id))
            .unwrap_or_else(|| panic!("no endpoint {id}"))
    }

    /// A B2B twin of the consumer endpoint `id`, under the same method and path.
    fn twin<'a>(copy: &'a mut Api, id: &str) -> &'a mut Endpoint {
        let b2b = endpoint_mut(copy, id);
        b2b.id = id.replacen("consumer.", "b2b.", 1);
        b2b.doc = "The B2B flavour.".to_owned();
        b2b
    }

    /// A body parameter of the endpoint `id`, taken out of a separately loaded model.
    fn spare_param(id: &str) -> Param {
        let mut spare = model();
        let e = endpoint_mut(&mut spare, id);
        let at = e
            .params
            .iter()
            .position(|p| p.location == Location::Body)
            .unwrap();
        e.params.remove(at)
    }

    fn rendered<'a>(product: &str, ns: &'a Namespace, e: &'a Endpoint) -> Rendered<'a> {
        let product = products::product(product).unwrap();
        let mut op = operation(ns, e).unwrap();
        op[ENDPOINTS_KEY] = json!({product.name: e.id});
        Rendered {
            product,
            ns,
            endpoint: e,
            op,
        }
    }

    #[test]
    fn endpoints_alike_on_the_wire_merge_into_one_shape_keeping_both_doc_texts() {
        let api = model();
        let (ns, consumer) = sample(&api);
        let mut copy = model();
        let b2b = twin(&mut copy, &consumer.id);
        let body = b2b
            .params
            .iter_mut()
            .find(|p| p.location == Location::Body)
            .unwrap();
        body.doc = "Said otherwise for organizations.".to_owned();
        let name = body.name.clone();
        let group = [rendered("consumer", ns, consumer), rendered("b2b", ns, b2b)];
        let op = merge("post", &consumer.path, &group).unwrap();
        assert_eq!(op["operationId"], json!(consumer.id));
        assert_eq!(
            op[ENDPOINTS_KEY],
            json!({"consumer": consumer.id, "b2b": b2b.id})
        );
        let description = op["description"].as_str().unwrap();
        assert!(description.contains("call this operation alike"));
        assert!(description.contains(&format!("B2B projects (`{}`): The B2B flavour.", b2b.id)));
        assert!(description.contains(&consumer.doc));
        let text = op.to_string();
        assert!(!text.contains("anyOf"), "{text}");
        let property = op["requestBody"]["content"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["schema"]["properties"][&name]
            .clone();
        let doc = property["description"].as_str().unwrap();
        assert!(doc.starts_with("Consumer projects: "), "{doc}");
        assert!(
            doc.ends_with("\n\nB2B projects: Said otherwise for organizations."),
            "{doc}"
        );
    }

    #[test]
    fn endpoints_that_differ_on_the_wire_become_alternatives() {
        let api = model();
        let (ns, consumer) = sample(&api);
        let mut copy = model();
        let b2b = twin(&mut copy, &consumer.id);
        // B2B sends one more required body parameter and one required query parameter,
        // and answers with one field less.
        let mut extra = spare_param(&consumer.id);
        extra.name = "organization_id".to_owned();
        extra.required = true;
        extra.fixed = None;
        extra.format = None;
        extra.ty = Ty::String;
        let mut query = spare_param(&consumer.id);
        query.name = "only_for_b2b".to_owned();
        query.required = true;
        query.fixed = None;
        query.format = None;
        query.ty = Ty::String;
        query.location = Location::Query;
        b2b.params.push(extra);
        b2b.params.push(query);
        let dropped = b2b.response.pop().unwrap();
        let group = [rendered("consumer", ns, consumer), rendered("b2b", ns, b2b)];
        let op = merge("post", &consumer.path, &group).unwrap();
        assert!(
            op["description"]
                .as_str()
                .unwrap()
                .contains("the schema is an `anyOf`")
        );

        let query = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "only_for_b2b")
            .unwrap();
        assert_eq!(query["required"], json!(false));
        assert!(
            query["description"]
                .as_str()
                .unwrap()
                .ends_with("Only B2B projects send this parameter.")
        );

        let content = op["requestBody"]["content"].as_object().unwrap();
        assert_eq!(content.len(), 1);
        let alternatives = content.values().next().unwrap()["schema"]["anyOf"]
            .as_array()
            .unwrap();
        assert_eq!(alternatives.len(), 2);
        assert_eq!(alternatives[0]["title"], json!(consumer.id));
        assert_eq!(alternatives[1]["title"], json!(b2b.id));
        assert!(
            !alternatives[0]["properties"]
                .as_object()
                .unwrap()
                .contains_key("organization_id")
        );
        assert!(
            alternatives[1]["required"]
                .as_array()
                .unwrap()
                .contains(&json!("organization_id"))
        );

        let answers = op["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"]
            .as_array()
            .unwrap();
        assert_eq!(answers.len(), 2);
        assert!(answers[0]["properties"].get(&dropped.name).is_some());
        assert!(answers[1]["properties"].get(&dropped.name).is_none());
        assert_eq!(
            op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/Error")
        );

        // Endpoints on different hosts cannot share an operation.
        let mut elsewhere = rendered("b2b", ns, b2b);
        elsewhere.op["servers"] = json!([{"url": TELEMETRY_URL}]);
        let group = [rendered("consumer", ns, consumer), elsewhere];
        let err = merge("post", &consumer.path, &group).unwrap_err();
        assert!(err.contains("but not its servers"), "{err}");
    }
}
