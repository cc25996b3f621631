//! `cargo xtask openapi [--check]`: describes the whole API (consumer and B2B) as one
//! OpenAPI 3.1 document, `openapi/stytch.json`, rendered from the same resolved model as
//! the SDK. `--check` fails when the committed document is not what the spec produces.
//!
//! What the document holds:
//!
//! - `servers`: the live and the test API host; operations of telemetry namespaces (the
//!   fraud endpoints) carry their own `servers` naming the telemetry host.
//! - One HTTP basic-auth security scheme (project id and secret), required everywhere.
//! - Every endpoint as an operation whose `operationId` is the endpoint id
//!   (`consumer.totps.create`) and whose tag is its namespace id.
//! - Path and query parameters; a member session becomes two optional header
//!   parameters named after its headers. Body parameters form the request body, as
//!   `application/json` or `application/x-www-form-urlencoded`. Parameters that the SDK
//!   checks locally are left out: they never reach the API.
//! - Fixed wire values as `const`, space-separated lists as plain strings, documented
//!   ranges and defaults as `minimum` / `maximum` / `default`.
//! - A `200` response with the response fields, and a `default` response with the Stytch
//!   error body.
//! - Object types and enums (with their wire values) under `components/schemas`, keyed
//!   by type id (`consumer.m2m.M2MClient`).
//!
//! Object keys are written in sorted order whatever serde_json's map type is, so the file
//! is the same byte for byte in every build of this crate.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};
use stytch_codegen::model::{
    Api, EnumType, Field, Host, Location, Namespace, ObjectType, Param, Ty,
};

/// Where the document lives, relative to the repository root.
pub const PATH: &str = "openapi/stytch.json";

/// Live API host.
pub const LIVE_URL: &str = "https://api.stytch.com";
/// Test API host.
pub const TEST_URL: &str = "https://test.stytch.com";
/// Host of the fraud and device-fingerprinting endpoints.
pub const TELEMETRY_URL: &str = "https://telemetry.stytch.com";

/// Name of the security scheme.
const AUTH: &str = "basicAuth";
/// Name of the error body schema.
const ERROR: &str = "Error";

/// Writes (or with `check_only`, compares) the document under `root`.
pub fn run(root: &Path, spec: &Path, check_only: bool) -> Result<(), String> {
    let api = stytch_codegen::model(spec).map_err(|e| e.to_string())?;
    let document = render(&api, &sdk_version(root)?)?;
    let path = root.join(PATH);
    let current = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if check_only {
        return match current {
            Some(text) if text == document => {
                println!("{PATH} is up to date ({} bytes)", document.len());
                Ok(())
            }
            Some(text) => Err(format!(
                "{PATH} differs from what spec/ produces; run `cargo xtask openapi`:\n{}",
                crate::codegen::capped_diff(PATH, &text, &document, crate::codegen::DIFF_LINE_CAP)
            )),
            None => Err(format!("{PATH} is missing; run `cargo xtask openapi`")),
        };
    }
    if current.as_deref() != Some(document.as_str()) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &document).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("wrote {PATH} ({} bytes)", document.len());
    Ok(())
}

/// The `version` of the `stytch-sdk` package: the document describes what that release speaks.
pub fn sdk_version(root: &Path) -> Result<String, String> {
    let path = root.join("stytch-sdk/Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| {
            let value = l.trim().strip_prefix("version")?.trim().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| format!("{}: no version", path.display()))
}

/// The document for `api`, pretty-printed with a final newline.
pub fn render(api: &Api, version: &str) -> Result<String, String> {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut tags = Vec::new();
    let mut schemas = Map::new();
    for vertical in &api.verticals {
        let mut namespaces = Vec::new();
        flatten(&vertical.namespaces, &mut namespaces);
        for ns in namespaces {
            if ns.endpoints.is_empty() {
                continue;
            }
            tags.push(json!({"name": ns.id, "description": ns.doc}));
            for e in &ns.endpoints {
                let method = e.http.to_lowercase();
                let item = paths.entry(e.path.clone()).or_default();
                if item.contains_key(&method) {
                    return Err(format!(
                        "two endpoints are `{} {}`; one OpenAPI document cannot hold both (the second is `{}`)",
                        e.http, e.path, e.id
                    ));
                }
                item.insert(method, operation(ns, e));
            }
        }
        for module in &vertical.models {
            for t in &module.types {
                let id = format!("{}.{}.{}", vertical.name, module.name, t.name);
                schemas.insert(id, object_schema(t));
            }
            for e in &module.enums {
                let id = format!("{}.{}.{}", vertical.name, module.name, e.name);
                schemas.insert(id, enum_schema(e));
            }
        }
    }
    schemas.insert(ERROR.to_owned(), error_schema());

    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Stytch API",
            "version": version,
            "description": "The consumer and B2B endpoints of the Stytch authentication API as \
                the stytch-sdk crate speaks them. Rendered by `cargo xtask openapi` from the \
                YAML description in spec/; do not edit by hand.",
        },
        "servers": [
            {"url": LIVE_URL, "description": "Live environment (`project-live-…` projects)."},
            {"url": TEST_URL, "description": "Test environment (`project-test-…` projects)."},
        ],
        "security": [{AUTH: []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {
                AUTH: {
                    "type": "http",
                    "scheme": "basic",
                    "description": "The project id as user name and the project secret as password.",
                },
            },
            "schemas": schemas,
        },
    });
    let text = serde_json::to_string_pretty(&sorted(document)).map_err(|e| e.to_string())?;
    Ok(text + "\n")
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

fn flatten<'a>(list: &'a [Namespace], out: &mut Vec<&'a Namespace>) {
    for ns in list {
        out.push(ns);
        flatten(&ns.children, out);
    }
}

fn operation(ns: &Namespace, e: &stytch_codegen::model::Endpoint) -> Value {
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
                let place = if p.location == Location::Path { "path" } else { "query" };
                parameters.push(json!({
                    "name": p.name,
                    "in": place,
                    "required": p.required || p.location == Location::Path,
                    "description": p.doc,
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
                describe(&mut schema, &p.doc);
                body.insert(p.name.clone(), schema);
                if p.required {
                    body_required.push(json!(p.name));
                }
            }
        }
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if !body.is_empty() {
        let content_type = match e.encoding {
            stytch_codegen::model::Encoding::Form => "application/x-www-form-urlencoded",
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
    Value::Object(op)
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

fn param_schema(p: &Param) -> Value {
    if let Some(value) = &p.fixed {
        return json!({"type": "string", "const": value});
    }
    if p.format.is_some() {
        // The SDK takes a list and sends its items joined by single spaces.
        return json!({"type": "string", "description": "Items separated by single spaces."});
    }
    let mut schema = ty_schema(&p.ty);
    for (key, value) in [("minimum", p.min), ("maximum", p.max), ("default", p.default)] {
        if let Some(value) = value {
            schema[key] = json!(value);
        }
    }
    schema
}

/// A field's schema, allowing `null` when the field is nilable.
fn field_schema(f: &Field) -> Value {
    let mut schema = ty_schema(&f.ty);
    if f.nilable {
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

    use oas3::spec::{ObjectOrReference, ParameterIn, Schema};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf()
    }

    fn model() -> Api {
        stytch_codegen::model(&root().join("spec")).expect("spec/ loads")
    }

    fn committed() -> String {
        std::fs::read_to_string(root().join(PATH)).expect("the OpenAPI document is committed")
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

    #[test]
    fn committed_document_is_fresh() {
        let api = model();
        let rendered = render(&api, &sdk_version(&root()).unwrap()).unwrap();
        assert!(
            committed() == rendered,
            "{PATH} is stale; run `cargo xtask openapi`:\n{}",
            crate::codegen::capped_diff(PATH, &committed(), &rendered, 60)
        );
    }

    #[test]
    fn committed_document_parses_as_openapi_3_1_and_says_what_the_model_says() {
        let api = model();
        let doc = oas3::from_json(committed()).expect("a valid OpenAPI document");
        assert_eq!(doc.openapi, "3.1.0");
        doc.validate_version().expect("a supported OpenAPI version");

        let servers: Vec<&str> = doc.servers.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(servers, [LIVE_URL, TEST_URL]);

        // Every endpoint is one operation, found under its id, with its path and method.
        let mut endpoints = Vec::new();
        for v in &api.verticals {
            let mut list = Vec::new();
            flatten(&v.namespaces, &mut list);
            for ns in list {
                for e in &ns.endpoints {
                    endpoints.push((ns, e));
                }
            }
        }
        assert_eq!(doc.operations().count(), endpoints.len());
        for (ns, e) in &endpoints {
            let method: oas3::spec::Operation = doc
                .operation(&e.http.parse().unwrap(), &e.path)
                .unwrap_or_else(|| panic!("no operation for {} {}", e.http, e.path))
                .clone();
            assert_eq!(method.operation_id.as_deref(), Some(e.id.as_str()));
            let telemetry: Vec<&str> = method.servers.iter().map(|s| s.url.as_str()).collect();
            if ns.host == Host::Telemetry {
                assert_eq!(telemetry, [TELEMETRY_URL], "{}", e.id);
            } else {
                assert!(telemetry.is_empty(), "{}", e.id);
            }
            let params = method.parameters(&doc).unwrap();
            // Path parameters are required and fill a placeholder of the path.
            for p in params.iter().filter(|p| p.location == ParameterIn::Path) {
                assert_eq!(p.required, Some(true), "{}: {}", e.id, p.name);
                assert!(e.path.contains(&format!("{{{}}}", p.name)), "{}: {}", e.id, p.name);
            }
            // Local options never appear: neither as parameters nor in the body.
            let body = method.request_body(&doc).unwrap();
            for local in e.params.iter().filter(|p| p.location == Location::Local) {
                assert!(params.iter().all(|p| p.name != local.name), "{}", e.id);
                if let Some(body) = &body {
                    for media in body.content.values() {
                        let schema = object(media.schema.as_ref().unwrap());
                        assert!(!schema.properties.contains_key(&local.name), "{}", e.id);
                    }
                }
            }
            // A member session is two optional headers.
            for p in &e.params {
                if let Location::Header { token, jwt } = &p.location {
                    for header in [token, jwt] {
                        let found = params
                            .iter()
                            .find(|q| &q.name == header)
                            .unwrap_or_else(|| panic!("{}: no header {header}", e.id));
                        assert_eq!(found.location, ParameterIn::Header);
                        assert_eq!(found.required, Some(false));
                    }
                }
            }
        }

        // The M2M token request always sends the client-credentials grant.
        let token = doc.operation_by_id("consumer.m2m.token").expect("m2m token");
        let body = token.request_body(&doc).unwrap().expect("a request body");
        let media = body.content.values().next().expect("one content type");
        let schema = object(media.schema.as_ref().unwrap());
        let grant = object(&schema.properties["grant_type"]);
        assert_eq!(grant.const_value, Some(json!("client_credentials")));
        assert!(schema.required.contains(&"grant_type".to_owned()));
        let scope = object(&schema.properties["scope"]);
        assert!(scope.schema_type.as_ref().unwrap().contains(oas3::spec::SchemaType::String));

        // Every enum lists exactly its wire values.
        let schemas = &doc.components.as_ref().unwrap().schemas;
        let mut enums = 0;
        for v in &api.verticals {
            for m in &v.models {
                for e in m.enums.iter().filter(|e| e.same_as.is_none()) {
                    let id = format!("{}.{}.{}", v.name, m.name, e.name);
                    let schema = object(schemas.get(&id).unwrap_or_else(|| panic!("no {id}")));
                    let wire: Vec<Value> = e.values.iter().map(|v| json!(v.wire)).collect();
                    assert_eq!(schema.enum_values, wire, "{id}");
                    enums += 1;
                }
                for t in &m.types {
                    let id = format!("{}.{}.{}", v.name, m.name, t.name);
                    assert!(schemas.contains_key(&id), "no schema {id}");
                }
            }
        }
        assert!(enums > 0);
    }
}
