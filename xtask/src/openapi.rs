//! `cargo xtask openapi [--check]`: describes the whole API as OpenAPI 3.1, rendered from
//! the same resolved model as the SDK: `openapi/consumer.json` and `openapi/b2b.json`.
//! `--check` fails when a committed document is not what the spec produces.
//!
//! Why two documents: consumer and B2B share some endpoints under the very same method
//! and path (M2M clients, connected apps, fraud rules, `debug/whoami`, …), which answer
//! according to the kind of project calling them. One document cannot hold two
//! operations at one method and path, and merging them would give up `operationId` =
//! endpoint id, so each kind of project gets its own complete document.
//!
//! What a document holds:
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
//!   by type id (`consumer.m2m.M2MClient`): every model module the vertical's endpoints
//!   reach, including modules of the other vertical that they share.
//!
//! Object keys are written in sorted order whatever serde_json's map type is, so the file
//! is the same byte for byte in every build of this crate.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};
use stytch_codegen::model::{
    Api, EnumType, Field, Host, Location, Namespace, ObjectType, Param, Ty,
};
use stytch_codegen::products::{self, Auth};

/// Where the documents live, relative to the repository root.
pub const DIR: &str = "openapi";

/// Host of the fraud and device-fingerprinting endpoints.
pub const TELEMETRY_URL: &str = "https://telemetry.stytch.com";

/// Name of the security scheme.
const AUTH: &str = "stytchAuth";
/// Name of the error body schema.
const ERROR: &str = "Error";

/// Writes (or with `check_only`, compares) the documents under `root`.
pub fn run(root: &Path, spec: &Path, check_only: bool) -> Result<(), String> {
    let api = stytch_codegen::model(spec).map_err(|e| e.to_string())?;
    let documents = render(&api, &crate::sdk_version(root)?)?;
    let mut stale = String::new();
    for doc in &documents {
        let path = root.join(&doc.path);
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if check_only {
            match current {
                Some(text) if text == doc.text => {}
                Some(text) => stale.push_str(&crate::codegen::capped_diff(
                    &doc.path,
                    &text,
                    &doc.text,
                    crate::codegen::DIFF_LINE_CAP,
                )),
                None => stale.push_str(&format!("missing: {}\n", doc.path)),
            }
            continue;
        }
        if current.as_deref() != Some(doc.text.as_str()) {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&path, &doc.text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        println!("wrote {} ({} bytes)", doc.path, doc.text.len());
    }
    if !stale.is_empty() {
        return Err(format!(
            "the OpenAPI documents differ from what spec/ produces; run `cargo xtask openapi`:\n{stale}"
        ));
    }
    if check_only {
        let names: Vec<&str> = documents.iter().map(|d| d.path.as_str()).collect();
        println!("{} up to date", names.join(" and "));
    }
    Ok(())
}

/// One rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Path relative to the repository root: `openapi/<vertical>.json`.
    pub path: String,
    /// Pretty-printed JSON with a final newline.
    pub text: String,
}

/// One document per vertical of `api`; `version` (the `stytch-sdk` version) is the
/// documents' version: they describe what that release of the crate speaks.
pub fn render(api: &Api, version: &str) -> Result<Vec<Document>, String> {
    api.verticals
        .iter()
        .map(|v| {
            Ok(Document {
                path: format!("{DIR}/{}.json", v.name),
                text: render_vertical(api, &v.name, version)?,
            })
        })
        .collect()
}

/// The document of one vertical: its endpoints and every model module they reach.
fn render_vertical(api: &Api, vertical: &str, version: &str) -> Result<String, String> {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut tags = Vec::new();
    let mut schemas = Map::new();
    for v in api.verticals.iter().filter(|v| v.name == vertical) {
        let mut namespaces = Vec::new();
        flatten(&v.namespaces, &mut namespaces);
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
                        "two {vertical} endpoints are `{} {}` (the second is `{}`)",
                        e.http, e.path, e.id
                    ));
                }
                item.insert(method, operation(ns, e));
            }
        }
    }
    // Model modules are shared across verticals where the endpoints of both reach them.
    for v in &api.verticals {
        for module in &v.models {
            if !module.used_by.contains(vertical) {
                continue;
            }
            for t in &module.types {
                let id = format!("{}.{}.{}", v.name, module.name, t.name);
                schemas.insert(id, object_schema(t));
            }
            for e in &module.enums {
                let id = format!("{}.{}.{}", v.name, module.name, e.name);
                schemas.insert(id, enum_schema(e));
            }
        }
    }
    schemas.insert(ERROR.to_owned(), error_schema());

    let product = products::product(vertical)
        .ok_or_else(|| format!("`{vertical}` is not a product the generator knows"))?;
    let (title, projects) = match vertical {
        "b2b" => ("Stytch B2B API", "B2B projects"),
        "samlshield" => ("Stytch SAML Shield API", "SAML Shield"),
        _ => ("Stytch consumer API", "consumer projects"),
    };
    let servers: Vec<Value> = product
        .servers
        .iter()
        .map(|(url, description)| json!({"url": url, "description": description}))
        .collect();
    let scheme = match product.auth {
        Auth::ProjectSecret => json!({
            "type": "http",
            "scheme": "basic",
            "description": "The project id as user name and the project secret as password.",
        }),
        Auth::PublicToken => json!({
            "type": "http",
            "scheme": "bearer",
            "description": "The project's public token.",
        }),
    };
    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": format!(
                "The endpoints of the Stytch authentication API for {projects}, as the \
                stytch-sdk crate speaks them. Rendered by `cargo xtask openapi` from the YAML \
                description in spec/; do not edit by hand."
            ),
        },
        "servers": servers,
        "security": [{AUTH: []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {
                AUTH: scheme,
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
    for name in placeholders(&e.path) {
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

/// The `{name}` placeholders of a path template, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
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
        stytch_codegen::model(&root().join("spec")).expect("spec/ loads")
    }

    fn committed(vertical: &str) -> String {
        let path = root().join(format!("{DIR}/{vertical}.json"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask openapi`", path.display()))
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

    #[test]
    fn check_fails_on_a_stale_or_missing_document() {
        let spec = root().join("xtask/tests/fixtures/spec-diff/breaking/old");
        let repo = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(repo.path().join("stytch-sdk")).unwrap();
        std::fs::write(
            repo.path().join("stytch-sdk/Cargo.toml"),
            "[package]\nname = \"stytch-sdk\"\nversion = \"0.7.0\"\n",
        )
        .unwrap();
        let err = run(repo.path(), &spec, true).unwrap_err();
        assert!(err.contains("missing: openapi/consumer.json"), "{err}");

        run(repo.path(), &spec, false).unwrap();
        run(repo.path(), &spec, true).unwrap();
        let path = repo.path().join("openapi/consumer.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": \"0.7.0\""));
        // The fixture's token endpoint sends a form body with a fixed grant.
        assert!(text.contains("\"application/x-www-form-urlencoded\""));
        assert!(text.contains("\"const\": \"client_credentials\""));

        std::fs::write(
            &path,
            text.replace("Issues an access token.", "Hands out tokens."),
        )
        .unwrap();
        let err = run(repo.path(), &spec, true).unwrap_err();
        assert!(err.contains("--- a/openapi/consumer.json"), "{err}");
        assert!(
            err.contains("\n-        \"description\": \"Hands out tokens.\",\n"),
            "{err}"
        );
        assert!(
            err.contains("\n+        \"description\": \"Issues an access token.\",\n"),
            "{err}"
        );
        run(repo.path(), &spec, false).unwrap();
        run(repo.path(), &spec, true).unwrap();
    }

    #[test]
    fn committed_documents_are_fresh() {
        let api = model();
        let documents = render(&api, &crate::sdk_version(&root()).unwrap()).unwrap();
        let paths: Vec<&str> = documents.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "openapi/consumer.json",
                "openapi/b2b.json",
                "openapi/samlshield.json"
            ]
        );
        for doc in documents {
            let on_disk = std::fs::read_to_string(root().join(&doc.path)).unwrap_or_default();
            assert!(
                on_disk == doc.text,
                "{} is stale; run `cargo xtask openapi`:\n{}",
                doc.path,
                crate::codegen::capped_diff(&doc.path, &on_disk, &doc.text, 60)
            );
        }
    }

    #[test]
    fn committed_documents_parse_as_openapi_3_1_and_say_what_the_model_says() {
        let api = model();
        let mut enums = 0;
        let mut local_params = 0;
        let mut header_params = 0;
        for vertical in &api.verticals {
            let text = committed(&vertical.name);
            let doc = oas3::from_json(&text).expect("a valid OpenAPI document");
            assert_eq!(doc.openapi, "3.1.0");
            doc.validate_version().expect("a supported OpenAPI version");
            let servers: Vec<&str> = doc.servers.iter().map(|s| s.url.as_str()).collect();
            let product = products::product(&vertical.name).unwrap();
            let expected: Vec<&str> = product.servers.iter().map(|(url, _)| *url).collect();
            assert_eq!(servers, expected);
            if vertical.name != "samlshield" {
                assert_eq!(
                    servers,
                    ["https://api.stytch.com", "https://test.stytch.com"]
                );
            }

            // Every reference points at a schema of the same document.
            let schemas = &doc.components.as_ref().unwrap().schemas;
            let mut targets = Vec::new();
            let json: Value = serde_json::from_str(&text).unwrap();
            refs(&json, &mut targets);
            assert!(!targets.is_empty());
            for target in targets {
                let id = target
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or(target);
                assert!(
                    schemas.contains_key(id),
                    "{}: dangling {target}",
                    vertical.name
                );
            }

            // Every endpoint is one operation, under its id, path and method.
            let mut namespaces = Vec::new();
            flatten(&vertical.namespaces, &mut namespaces);
            let endpoints: Vec<_> = namespaces
                .iter()
                .flat_map(|ns| ns.endpoints.iter().map(move |e| (*ns, e)))
                .collect();
            assert_eq!(doc.operations().count(), endpoints.len());
            for (ns, e) in endpoints {
                let op = doc
                    .operation(&e.http.parse().unwrap(), &e.path)
                    .unwrap_or_else(|| panic!("no operation for {} {}", e.http, e.path));
                assert_eq!(op.operation_id.as_deref(), Some(e.id.as_str()));
                let hosts: Vec<&str> = op.servers.iter().map(|s| s.url.as_str()).collect();
                if ns.host == Host::Telemetry {
                    assert_eq!(hosts, [TELEMETRY_URL], "{}", e.id);
                } else {
                    assert!(hosts.is_empty(), "{}", e.id);
                }
                let params = op.parameters(&doc).unwrap();
                // Path parameters are required and fill the placeholders of the path.
                let mut path_params = Vec::new();
                for p in params.iter().filter(|p| p.location == ParameterIn::Path) {
                    assert_eq!(p.required, Some(true), "{}: {}", e.id, p.name);
                    path_params.push(p.name.as_str());
                }
                assert_eq!(path_params, placeholders(&e.path), "{}", e.id);
                let body = op.request_body(&doc).unwrap();
                let body_schema = body.as_ref().map(|b| {
                    assert_eq!(b.content.len(), 1, "{}", e.id);
                    let (content_type, media) = b.content.iter().next().unwrap();
                    let form = e.encoding == stytch_codegen::model::Encoding::Form;
                    assert_eq!(
                        content_type == "application/x-www-form-urlencoded",
                        form,
                        "{}",
                        e.id
                    );
                    object(media.schema.as_ref().unwrap())
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
            }

            // Every enum the document holds lists exactly its wire values.
            for v in &api.verticals {
                for m in v
                    .models
                    .iter()
                    .filter(|m| m.used_by.contains(&vertical.name))
                {
                    for en in m.enums.iter().filter(|en| en.same_as.is_none()) {
                        let id = format!("{}.{}.{}", v.name, m.name, en.name);
                        let schema = object(schemas.get(&id).unwrap_or_else(|| panic!("{id}")));
                        let wire: Vec<Value> = en.values.iter().map(|x| json!(x.wire)).collect();
                        assert_eq!(schema.enum_values, wire, "{id}");
                        enums += 1;
                    }
                }
            }
        }
        assert!(enums > 0 && local_params > 0 && header_params > 0);

        // The M2M token request always sends the client-credentials grant, and the scope
        // list travels as one string.
        let doc = oas3::from_json(committed("consumer")).unwrap();
        let token = doc
            .operation_by_id("consumer.m2m.token")
            .expect("m2m token");
        let body = token.request_body(&doc).unwrap().expect("a request body");
        let schema = object(
            body.content
                .values()
                .next()
                .unwrap()
                .schema
                .as_ref()
                .unwrap(),
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
        let doc = oas3::from_json(committed("consumer")).unwrap();
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
        let schema = object(
            body.content
                .values()
                .next()
                .unwrap()
                .schema
                .as_ref()
                .unwrap(),
        );
        let range = object(&schema.properties[&p.name]);
        assert_eq!(range.minimum, p.min.map(Into::into), "{}", ns.id);
        assert_eq!(range.maximum, p.max.map(Into::into), "{}", ns.id);
        assert_eq!(range.default, p.default.map(|d| json!(d)), "{}", ns.id);

        let f = e.response.iter().find(|f| f.nilable && f.ty == Ty::String);
        let response = &op.responses(&doc)["200"];
        let schema = object(
            response.content["application/json"]
                .schema
                .as_ref()
                .unwrap(),
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
}
