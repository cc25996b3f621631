//! Compares the spec with a reference description of the API and lists every difference.
//!
//! A reference file describes some products (the `vertical` of its
//! namespaces: consumer and B2B in `stytch-api.json`, management in
//! `stytch-management-api.json`); only those products of the spec are compared.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use stytch_codegen::model::{Api, Encoding, Field, Host, Location, Namespace, Ty};

#[derive(Deserialize)]
struct Reference {
    namespaces: Vec<RefNamespace>,
    types: Vec<RefType>,
    enums: Vec<RefEnum>,
}

#[derive(Deserialize)]
struct RefNamespace {
    id: String,
    vertical: String,
    base_url: String,
    methods: Vec<RefMethod>,
}

#[derive(Deserialize)]
struct RefMethod {
    name: String,
    http: String,
    path: String,
    content_type: String,
    params: Vec<RefParam>,
    response: Vec<RefField>,
}

#[derive(Deserialize)]
struct RefParam {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    required: bool,
    #[serde(rename = "in")]
    location: String,
    #[serde(default)]
    constraints: BTreeMap<String, i64>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// A fixed wire value the SDK always sends.
    #[serde(default)]
    value: Option<String>,
    /// How a list travels as one string (`space_separated`).
    #[serde(default)]
    format: Option<String>,
}

#[derive(Deserialize)]
struct RefField {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    nilable: bool,
}

#[derive(Deserialize)]
struct RefType {
    id: String,
    fields: Vec<RefField>,
}

#[derive(Deserialize)]
struct RefEnum {
    id: String,
    values: Vec<String>,
    /// The placeholder for "not set" that answers may carry (the spec's `unknown:`).
    #[serde(default)]
    unknown: Option<String>,
}

/// Runs the comparison; `Err` lists the differences.
pub fn run(spec: &Path, reference: &Path) -> Result<(), String> {
    let text =
        std::fs::read_to_string(reference).map_err(|e| format!("{}: {e}", reference.display()))?;
    let reference: Reference =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", reference.display()))?;
    let api = stytch_codegen::model(spec).map_err(|e| e.to_string())?;
    let diffs = compare(&api, &reference);
    if diffs.is_empty() {
        let endpoints: usize = reference.namespaces.iter().map(|n| n.methods.len()).sum();
        println!(
            "spec matches the reference: {} namespaces, {endpoints} endpoints, {} types, {} enums",
            reference.namespaces.len(),
            reference.types.len(),
            reference.enums.len()
        );
        Ok(())
    } else {
        Err(format!(
            "{} difference(s) between spec/ and the reference:\n  {}",
            diffs.len(),
            diffs.join("\n  ")
        ))
    }
}

/// A type in the reference's spelling: object types as `ref:<id>`, enums as `enum:<id>`.
fn type_text(ty: &Ty) -> String {
    ty.text_with(&|is_enum, id| {
        if is_enum {
            format!("enum:{id}")
        } else {
            format!("ref:{id}")
        }
    })
}

fn compare_fields(diffs: &mut Vec<String>, what: &str, ours: &[Field], theirs: &[RefField]) {
    // A `rest` field gathers the keys no other field names; it is not a wire key itself.
    let ours: BTreeMap<&str, &Field> = ours
        .iter()
        .filter(|f| !f.rest)
        .map(|f| (f.name.as_str(), f))
        .collect();
    let theirs: BTreeMap<&str, &RefField> = theirs.iter().map(|f| (f.name.as_str(), f)).collect();
    for (name, r) in &theirs {
        match ours.get(name) {
            None => diffs.push(format!("{what}: field `{name}` missing from the spec")),
            Some(f) => {
                if type_text(&f.ty) != r.ty {
                    diffs.push(format!(
                        "{what}: field `{name}` has type {} in the spec, {} in the reference",
                        type_text(&f.ty),
                        r.ty
                    ));
                }
                if f.nilable != r.nilable {
                    diffs.push(format!(
                        "{what}: field `{name}` nilable {} in the spec, {} in the reference",
                        f.nilable, r.nilable
                    ));
                }
            }
        }
    }
    for name in ours.keys().filter(|n| !theirs.contains_key(*n)) {
        diffs.push(format!(
            "{what}: field `{name}` is in the spec but not in the reference"
        ));
    }
}

fn compare(api: &Api, reference: &Reference) -> Vec<String> {
    let mut diffs = Vec::new();
    // Only the products the reference describes are compared.
    let described: BTreeSet<&str> = reference
        .namespaces
        .iter()
        .map(|n| n.vertical.as_str())
        .collect();
    let namespaces: BTreeMap<&str, &Namespace> = api
        .all_namespaces()
        .into_iter()
        .filter(|n| described.contains(n.id.split('.').next().unwrap_or_default()))
        .map(|n| (n.id.as_str(), n))
        .collect();
    let reference_ns: BTreeSet<&str> = reference.namespaces.iter().map(|n| n.id.as_str()).collect();
    for r in &reference.namespaces {
        let Some(ns) = namespaces.get(r.id.as_str()) else {
            diffs.push(format!("namespace `{}` missing from the spec", r.id));
            continue;
        };
        let main_host =
            r.id.split('.')
                .next()
                .and_then(stytch_codegen::products::product)
                .map_or("api", |p| p.main_host);
        let host = if ns.host == Host::Telemetry {
            "telemetry"
        } else {
            main_host
        };
        if host != r.base_url {
            diffs.push(format!(
                "namespace `{}`: base_url {host} in the spec, {} in the reference",
                r.id, r.base_url
            ));
        }
        let theirs: BTreeSet<&str> = r.methods.iter().map(|m| m.name.as_str()).collect();
        for e in ns
            .endpoints
            .iter()
            .filter(|e| !theirs.contains(e.name.as_str()))
        {
            diffs.push(format!(
                "endpoint `{}` is in the spec but not in the reference",
                e.id
            ));
        }
        for m in &r.methods {
            let id = format!("{}.{}", r.id, m.name);
            let Some(e) = ns.endpoints.iter().find(|e| e.name == m.name) else {
                diffs.push(format!("endpoint `{id}` missing from the spec"));
                continue;
            };
            if e.http != m.http || e.path != m.path {
                diffs.push(format!(
                    "endpoint `{id}`: {} {} in the spec, {} {} in the reference",
                    e.http, e.path, m.http, m.path
                ));
            }
            let form = m.content_type == "application/x-www-form-urlencoded";
            if (e.encoding == Encoding::Form) != form {
                diffs.push(format!(
                    "endpoint `{id}`: content type differs (reference: {})",
                    m.content_type
                ));
            }
            for p in &m.params {
                let Some(ours) = e.params.iter().find(|q| q.name == p.name) else {
                    diffs.push(format!(
                        "endpoint `{id}`: parameter `{}` missing from the spec",
                        p.name
                    ));
                    continue;
                };
                let location = match &ours.location {
                    Location::Path => "path",
                    Location::Query => "query",
                    Location::Body => "body",
                    Location::Local => "local",
                    Location::Header { token, jwt } => {
                        let headers = BTreeMap::from([
                            ("session_jwt".to_owned(), jwt.clone()),
                            ("session_token".to_owned(), token.clone()),
                        ]);
                        if headers != p.headers {
                            diffs.push(format!(
                                "endpoint `{id}`: parameter `{}` header names differ",
                                p.name
                            ));
                        }
                        "header"
                    }
                };
                let what = format!("endpoint `{id}`: parameter `{}`", p.name);
                if location != p.location {
                    diffs.push(format!(
                        "{what} goes in {location} in the spec, {} in the reference",
                        p.location
                    ));
                }
                if ours.required != p.required {
                    diffs.push(format!(
                        "{what} required {} in the spec, {} in the reference",
                        ours.required, p.required
                    ));
                }
                // A formatted list is a string on the wire, which is what the reference records.
                let ty = match ours.format {
                    Some(_) => "string".to_owned(),
                    None => type_text(&ours.ty),
                };
                if ty != p.ty {
                    diffs.push(format!(
                        "{what} has type {ty} in the spec, {} in the reference",
                        p.ty
                    ));
                }
                if ours.fixed != p.value {
                    diffs.push(format!(
                        "{what}: fixed value {:?} in the spec, {:?} in the reference",
                        ours.fixed, p.value
                    ));
                }
                let format = ours.format.map(|f| f.as_str().to_owned());
                if format != p.format {
                    diffs.push(format!(
                        "{what}: format {format:?} in the spec, {:?} in the reference",
                        p.format
                    ));
                }
                for (key, value) in [
                    ("min", ours.min),
                    ("max", ours.max),
                    ("default", ours.default),
                ] {
                    if value != p.constraints.get(key).copied() {
                        diffs.push(format!(
                            "{what}: {key} {value:?} in the spec, {:?} in the reference",
                            p.constraints.get(key)
                        ));
                    }
                }
            }
            for q in e
                .params
                .iter()
                .filter(|q| !m.params.iter().any(|p| p.name == q.name))
            {
                diffs.push(format!(
                    "endpoint `{id}`: parameter `{}` is in the spec but not in the reference",
                    q.name
                ));
            }
            compare_fields(
                &mut diffs,
                &format!("endpoint `{id}` response"),
                &e.response,
                &m.response,
            );
        }
    }
    for (id, ns) in &namespaces {
        if !reference_ns.contains(id) && !ns.endpoints.is_empty() {
            diffs.push(format!(
                "namespace `{id}` is in the spec but not in the reference"
            ));
        }
    }

    let mut types: BTreeMap<String, _> = api
        .object_types()
        .into_iter()
        .filter(|(id, _)| described.contains(id.vertical.as_str()))
        .map(|(id, t)| (id.to_string(), t))
        .collect();
    let enums: BTreeMap<String, _> = api
        .enums()
        .into_iter()
        .filter(|(id, _)| described.contains(id.vertical.as_str()))
        .map(|(id, e)| (id.to_string(), e))
        .collect();
    for r in &reference.types {
        match types.remove(&r.id) {
            None => diffs.push(format!("type `{}` missing from the spec", r.id)),
            Some(t) => compare_fields(
                &mut diffs,
                &format!("type `{}`", r.id),
                &t.fields,
                &r.fields,
            ),
        }
    }
    diffs.extend(
        types
            .keys()
            .map(|id| format!("type `{id}` is in the spec but not in the reference")),
    );
    // The values a request may carry, and the placeholder answers may carry.
    let values_of = |id: &str| -> Option<(Vec<String>, Option<String>)> {
        let e = enums.get(id)?;
        let e = match &e.same_as {
            Some(target) => enums.get(&target.to_string())?,
            None => e,
        };
        let wires = |sentinel: bool| e.values.iter().filter(move |v| v.sentinel == sentinel);
        Some((
            wires(false).map(|v| v.wire.clone()).collect(),
            wires(true).map(|v| v.wire.clone()).next(),
        ))
    };
    let reference_enums: BTreeSet<&str> = reference.enums.iter().map(|e| e.id.as_str()).collect();
    for r in &reference.enums {
        match values_of(&r.id) {
            None => diffs.push(format!("enum `{}` missing from the spec", r.id)),
            Some((values, _)) if values != r.values => diffs.push(format!(
                "enum `{}`: values {values:?} in the spec, {:?} in the reference",
                r.id, r.values
            )),
            Some((_, unknown)) if unknown != r.unknown => diffs.push(format!(
                "enum `{}`: unknown {unknown:?} in the spec, {:?} in the reference",
                r.id, r.unknown
            )),
            Some(_) => {}
        }
    }
    diffs.extend(
        enums
            .keys()
            .filter(|id| !reference_enums.contains(id.as_str()))
            .map(|id| format!("enum `{id}` is in the spec but not in the reference")),
    );
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[(&str, &str)] = &[
        (
            "common.yaml",
            "fields:\n  - name: request_id\n    type: string\n    doc: Id of the call.\n",
        ),
        (
            "consumer/things.yaml",
            "doc: Things.\nendpoints:\n  - name: get\n    method: GET\n    path: /v1/things/{thing_id}\n    doc: Gets one.\n    params:\n      - name: thing_id\n        type: string\n        required: true\n        doc: Which.\n      - name: limit\n        type: integer\n        max: 10\n        doc: How many.\n    response:\n      - use: request_id\n      - name: color\n        type: consumer.things.Color\n        doc: Its color.\n",
        ),
        (
            "consumer/types/things.yaml",
            "enums:\n  - name: Color\n    doc: A color.\n    values:\n      - red: Red.\n      - blue: Blue.\n",
        ),
    ];

    fn diffs(reference: serde_json::Value) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in SPEC {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let api = stytch_codegen::model(dir.path()).unwrap();
        compare(&api, &serde_json::from_value(reference).unwrap())
    }

    fn reference(
        required: bool,
        max: i64,
        values: &[&str],
        extra_field: bool,
    ) -> serde_json::Value {
        let mut response = vec![
            serde_json::json!({"name": "request_id", "type": "string", "nilable": false}),
            serde_json::json!({"name": "color", "type": "enum:consumer.things.Color", "nilable": false}),
        ];
        if extra_field {
            response.push(serde_json::json!({"name": "size", "type": "integer", "nilable": true}));
        }
        serde_json::json!({
            "namespaces": [{"id": "consumer.things", "vertical": "consumer", "base_url": "api", "methods": [{
                "name": "get", "http": "GET", "path": "/v1/things/{thing_id}", "content_type": "application/json",
                "params": [
                    {"name": "thing_id", "type": "string", "required": true, "in": "path"},
                    {"name": "limit", "type": "integer", "required": required, "in": "query", "constraints": {"max": max}}
                ],
                "response": response
            }]}],
            "types": [],
            "enums": [{"id": "consumer.things.Color", "values": values}]
        })
    }

    #[test]
    fn identical_descriptions_have_no_differences() {
        assert_eq!(
            diffs(reference(false, 10, &["red", "blue"], false)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_kind_of_difference_is_listed() {
        let found = diffs(reference(true, 20, &["red", "green"], true));
        let expect = [
            "parameter `limit` required false in the spec, true in the reference",
            "parameter `limit`: max Some(10) in the spec, Some(20) in the reference",
            "field `size` missing from the spec",
            "enum `consumer.things.Color`: values",
        ];
        for needle in expect {
            assert!(
                found.iter().any(|d| d.contains(needle)),
                "missing {needle:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
    }

    #[test]
    fn the_unknown_placeholder_is_compared_apart_from_the_values() {
        let mut changed = reference(false, 10, &["red", "blue"], false);
        changed["enums"][0]["unknown"] = serde_json::json!("COLOR_UNSPECIFIED");
        let found = diffs(changed);
        assert_eq!(
            found,
            [
                "enum `consumer.things.Color`: unknown None in the spec, Some(\"COLOR_UNSPECIFIED\") in the reference"
            ]
        );
    }

    #[test]
    fn products_the_reference_does_not_describe_are_left_out() {
        let mut other = reference(false, 10, &["red", "blue"], false);
        other["namespaces"][0]["vertical"] = serde_json::json!("management");
        other["namespaces"][0]["id"] = serde_json::json!("management.things");
        other["enums"] = serde_json::json!([]);
        let found = diffs(other);
        // Only the reference's own namespace is missing; the spec's consumer
        // namespace and enum are not reported as extra.
        assert_eq!(
            found,
            ["namespace `management.things` missing from the spec"]
        );
    }

    #[test]
    fn wire_values_formats_and_local_options_are_compared() {
        let mut changed = reference(false, 10, &["red", "blue"], false);
        let limit = &mut changed["namespaces"][0]["methods"][0]["params"][1];
        limit["value"] = serde_json::json!("five");
        limit["format"] = serde_json::json!("space_separated");
        limit["in"] = serde_json::json!("local");
        let found = diffs(changed);
        let expect = [
            "parameter `limit` goes in query in the spec, local in the reference",
            "parameter `limit`: fixed value None in the spec, Some(\"five\") in the reference",
            "parameter `limit`: format None in the spec, Some(\"space_separated\") in the reference",
        ];
        for needle in expect {
            assert!(
                found.iter().any(|d| d.contains(needle)),
                "missing {needle:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
    }
}
