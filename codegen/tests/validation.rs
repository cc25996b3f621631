//! Broken specs produce errors that name file, line, column and the problem; never a panic.

use std::path::Path;

use stytch_codegen::{Error, SpecError};

const COMMON: &str = "params:\n  - name: session_token\n    type: string\n    doc: Token of a session.\nfields:\n  - name: request_id\n    type: string\n    doc: Id of the call.\n";
const TYPES: &str = "types:\n  - name: User\n    doc: A user.\n    fields:\n      - name: user_id\n        type: string\n        doc: Id.\nenums:\n  - name: Locale\n    doc: A language.\n    values:\n      - en: English.\n      - pt-br: Brazilian Portuguese.\n";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// A valid spec with one namespace, plus the given overrides.
fn spec_with(namespace: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("common.yaml", COMMON),
            ("consumer/types/users.yaml", TYPES),
            ("consumer/things.yaml", namespace),
        ],
    );
    write(dir.path(), extra);
    dir
}

fn errors(dir: &tempfile::TempDir) -> Vec<SpecError> {
    match stytch_codegen::model(dir.path()) {
        Err(Error::Spec(errors)) => errors.0,
        Err(other) => panic!("expected spec errors, got {other}"),
        Ok(_) => panic!("expected spec errors, the spec was accepted"),
    }
}

fn assert_error(errors: &[SpecError], file: &str, line: usize, column: usize, needle: &str) {
    let found = errors.iter().any(|e| {
        e.file == Path::new(file)
            && e.line == line
            && e.column == column
            && e.message.contains(needle)
    });
    assert!(
        found,
        "no error at {file}:{line}:{column} containing {needle:?}; got:\n{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const GOOD: &str = "doc: Things.\nendpoints:\n  - name: get\n    method: GET\n    path: /v1/things/{thing_id}\n    doc: Gets a thing.\n    params:\n      - name: thing_id\n        type: string\n        required: true\n        doc: Which thing.\n      - name: limit\n        type: integer\n        min: 1\n        max: 10\n        doc: How many.\n    response:\n      - use: request_id\n      - name: user\n        type: consumer.users.User\n        nilable: true\n        doc: The user.\n";

#[test]
fn a_valid_spec_resolves() {
    let dir = spec_with(GOOD, &[]);
    let api = stytch_codegen::model(dir.path()).expect("valid spec");
    let ns = &api.verticals[0].namespaces[0];
    assert_eq!(ns.id, "consumer.things");
    let endpoint = &ns.endpoints[0];
    assert_eq!(endpoint.params[1].max, Some(10));
    assert_eq!(
        endpoint.params[0].location,
        stytch_codegen::model::Location::Path
    );
    assert_eq!(
        endpoint.params[1].location,
        stytch_codegen::model::Location::Query
    );
    let files = stytch_codegen::render::render(&api).expect("renders");
    let things = files
        .iter()
        .find(|f| f.path == "consumer/things.rs")
        .expect("namespace file");
    assert!(things.content.starts_with(stytch_codegen::render::HEADER));
    assert!(things.content.contains("pub struct GetRequest"));
}

#[test]
fn unknown_type_reference() {
    let dir = spec_with(
        &GOOD.replace("type: consumer.users.User", "type: consumer.users.Usr"),
        &[],
    );
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        20,
        15,
        "unknown type or enum `consumer.users.Usr`",
    );
}

#[test]
fn duplicate_endpoint() {
    let twice = format!("{GOOD}{}", &GOOD[GOOD.find("  - name: get").unwrap()..]);
    let dir = spec_with(&twice, &[]);
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        23,
        11,
        "duplicate endpoint `get`",
    );
}

#[test]
fn duplicate_field_and_parameter() {
    let dir = spec_with(
        &GOOD.replace(
            "      - use: request_id\n",
            "      - use: request_id\n      - use: request_id\n",
        ),
        &[],
    );
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        19,
        14,
        "duplicate response field `request_id`",
    );
    let dir = spec_with(&GOOD.replace("      - name: limit\n", "      - name: thing_id\n        type: string\n        doc: Again.\n      - name: limit\n"), &[]);
    assert!(
        errors(&dir)
            .iter()
            .any(|e| e.message.contains("duplicate parameter `thing_id`"))
    );
}

#[test]
fn placeholder_without_parameter_and_parameter_without_placeholder() {
    let dir = spec_with(
        &GOOD.replace("/v1/things/{thing_id}", "/v1/things/{thing_id}/{other}"),
        &[],
    );
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        5,
        11,
        "path placeholder `{other}` has no path parameter",
    );
    let dir = spec_with(&GOOD.replace("      - name: limit\n        type: integer\n", "      - name: limit\n        in: path\n        required: true\n        type: integer\n"), &[]);
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        12,
        15,
        "path parameter `limit` has no `{limit}` placeholder",
    );
}

#[test]
fn enum_without_values() {
    let dir = spec_with(
        GOOD,
        &[(
            "consumer/types/users.yaml",
            &TYPES.replace(
                "    values:\n      - en: English.\n      - pt-br: Brazilian Portuguese.\n",
                "",
            ),
        )],
    );
    assert_error(
        &errors(&dir),
        "consumer/types/users.yaml",
        9,
        11,
        "has no values",
    );
}

#[test]
fn constraint_on_non_numeric_type() {
    let dir = spec_with(
        &GOOD.replace(
            "        type: string\n        required: true\n",
            "        type: string\n        required: true\n        max: 3\n",
        ),
        &[],
    );
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        11,
        14,
        "`max` is only allowed on integer or number parameters",
    );
}

#[test]
fn name_that_is_not_an_identifier() {
    let dir = spec_with(&GOOD.replace("name: limit", "name: 9limit"), &[]);
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        12,
        15,
        "`9limit` does not convert to a valid Rust identifier",
    );
    let dir = spec_with(
        GOOD,
        &[(
            "consumer/types/users.yaml",
            &TYPES.replace("- en: English.", "- \"+\": Plus."),
        )],
    );
    assert!(
        errors(&dir)
            .iter()
            .any(|e| e.file == Path::new("consumer/types/users.yaml")
                && e.message.contains("`+` does not convert"))
    );
}

#[test]
fn keywords_become_raw_identifiers() {
    let dir = spec_with(&GOOD.replace("name: limit", "name: type"), &[]);
    let api = stytch_codegen::model(dir.path()).expect("keywords are fine");
    assert_eq!(
        api.verticals[0].namespaces[0].endpoints[0].params[1].rust_name,
        "r#type"
    );
}

#[test]
fn missing_doc_and_leftover_todo() {
    let dir = spec_with(
        &GOOD.replace("    doc: Gets a thing.\n", "    doc: TODO\n"),
        &[],
    );
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        6,
        10,
        "endpoint `consumer.things.get` needs a doc text",
    );
}

#[test]
fn yaml_syntax_and_unknown_keys_are_located() {
    let dir = spec_with(
        &GOOD.replace("    method: GET\n", "    method: GET\n    methd: GET\n"),
        &[],
    );
    let errs = errors(&dir);
    assert!(
        errs.iter()
            .any(|e| e.file == Path::new("consumer/things.yaml")
                && e.line == 5
                && e.message.contains("methd")),
        "{errs:?}"
    );
    let dir = spec_with("doc: [unclosed\n", &[]);
    let errs = errors(&dir);
    assert!(
        errs.iter()
            .any(|e| e.file == Path::new("consumer/things.yaml") && e.line >= 1),
        "{errs:?}"
    );
}

#[test]
fn unknown_common_reference_and_bad_enum_alias() {
    let dir = spec_with(&GOOD.replace("use: request_id", "use: reqest_id"), &[]);
    assert_error(
        &errors(&dir),
        "consumer/things.yaml",
        18,
        14,
        "`use: reqest_id` names no field in common.yaml",
    );
    let alias =
        format!("{TYPES}  - name: Other\n    doc: Same.\n    same_as: consumer.users.User\n");
    let dir = spec_with(GOOD, &[("consumer/types/users.yaml", &alias)]);
    assert!(
        errors(&dir)
            .iter()
            .any(|e| e.message.contains("an object type, not an enum"))
    );
}

#[test]
fn all_problems_are_reported_together() {
    let broken = GOOD
        .replace("type: consumer.users.User", "type: nope.nope.Nope")
        .replace("method: GET", "method: FETCH");
    let dir = spec_with(&broken, &[]);
    let errs = errors(&dir);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("unknown HTTP method `FETCH`"))
    );
    assert!(
        errs.iter()
            .any(|e| e.message.contains("unknown type or enum `nope.nope.Nope`"))
    );
}

#[test]
fn garbage_input_never_panics() {
    let samples: [&[u8]; 6] = [
        b"\x00\xff\xfe",
        b"- - - :",
        b"doc: 1\nendpoints: 7\n",
        b"&a [*a]",
        b"endpoints:\n  - {}\n",
        b"doc: x\nendpoints:\n  - name: [1]\n",
    ];
    for sample in samples {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("consumer")).unwrap();
        std::fs::write(dir.path().join("consumer/x.yaml"), sample).unwrap();
        assert!(
            stytch_codegen::model(dir.path()).is_err(),
            "accepted {sample:?}"
        );
    }
}

/// An endpoint using the wire concepts (fixed value, space-separated list,
/// rest field, idempotent), with `broken` appended to its params.
fn oauth_spec(broken_params: &str, broken_response: &str, idempotent: &str) -> String {
    format!(
        "doc: Things.\nendpoints:\n  - name: token\n    method: POST\n    path: /v1/token\n{idempotent}    doc: Gets a token.\n    params:\n      - name: grant_type\n        type: string\n        required: true\n        value: client_credentials\n        doc: Grant.\n      - name: scope\n        type: string\n        format: space_separated\n        doc: Scopes.\n{broken_params}    response:\n      - use: request_id\n      - name: rest\n        type: map<json>\n        rest: true\n        doc: Other keys.\n{broken_response}"
    )
}

#[test]
fn wire_concepts_resolve() {
    let dir = spec_with(&oauth_spec("", "", "    idempotent: true\n"), &[]);
    let api = stytch_codegen::model(dir.path()).expect("valid spec");
    let endpoint = &api.verticals[0].namespaces[0].endpoints[0];
    assert!(endpoint.idempotent);
    let [grant, scope] = &endpoint.params[..] else {
        panic!("two params")
    };
    assert_eq!(grant.fixed.as_deref(), Some("client_credentials"));
    assert_eq!(
        scope.format,
        Some(stytch_codegen::model::WireFormat::SpaceSeparated)
    );
    assert_eq!(
        scope.ty,
        stytch_codegen::model::Ty::List(Box::new(stytch_codegen::model::Ty::String))
    );
    assert!(endpoint.response[1].rest);
    stytch_codegen::render::render(&api).expect("renders");
}

#[test]
fn wire_concepts_are_checked() {
    let params = "      - name: count\n        type: integer\n        required: true\n        value: three\n        doc: Count.\n      - name: tags\n        type: list<string>\n        format: comma_separated\n        doc: Tags.\n      - name: other_check\n        type: string\n        in: local\n        doc: Other.\n      - name: fixed_optional\n        type: string\n        value: x\n        doc: Fixed.\n";
    let response = "      - name: more\n        type: string\n        rest: true\n        nilable: true\n        doc: More.\n";
    let dir = spec_with(&oauth_spec(params, response, ""), &[]);
    let found = errors(&dir);
    let file = "consumer/things.yaml";
    assert_error(&found, file, 20, 16, "a fixed `value` needs type `string`");
    assert_error(&found, file, 24, 17, "unknown format `comma_separated`");
    assert_error(
        &found,
        file,
        26,
        15,
        "the SDK applies a local check by hand only to consumer.idp.introspect_token_network",
    );
    assert_error(&found, file, 30, 15, "mark it `required: true`");
    assert_error(&found, file, 42, 15, "its type must be `map<T>`");
    assert_error(&found, file, 42, 15, "drop `nilable`");
    assert_error(&found, file, 42, 15, "only one field may be `rest`");
    let get = oauth_spec("", "", "    idempotent: true\n").replace("method: POST", "method: GET");
    let dir = spec_with(&get, &[]);
    assert_error(
        &errors(&dir),
        file,
        6,
        17,
        "GET endpoints are always safe to repeat",
    );
}

#[test]
fn pagination_declarations_must_name_what_exists() {
    let paginated = |cursor: &str, next: &str, items: &str| {
        format!(
            "doc: Things.\nendpoints:\n  - name: search\n    method: POST\n    path: /v1/things/search\n    paginate:\n      cursor: {cursor}\n      next_cursor: {next}\n      items: {items}\n    doc: Finds things.\n    params:\n      - name: cursor\n        type: string\n        doc: Where to go on.\n    response:\n      - use: request_id\n      - name: users\n        type: list<consumer.users.User>\n        doc: The page.\n      - name: meta\n        type: consumer.users.User\n        doc: Paging.\n"
        )
    };
    let good = spec_with(&paginated("cursor", "meta.user_id", "users"), &[]);
    let api = stytch_codegen::model(good.path()).expect("valid pagination");
    let pagination = api.verticals[0].namespaces[0].endpoints[0]
        .pagination
        .as_ref()
        .expect("paginated");
    assert_eq!(pagination.next_cursor.rust_name, "user_id");
    assert_eq!(pagination.through[0].rust_name, "meta");
    stytch_codegen::render::render(&api).expect("renders");

    let bad = spec_with(&paginated("page", "meta.missing", "meta"), &[]);
    let found = errors(&bad);
    let file = "consumer/things.yaml";
    assert_error(
        &found,
        file,
        7,
        15,
        "`paginate.cursor` names no parameter `page`",
    );
    assert_error(&found, file, 8, 20, "`meta` has no field `missing`");
    assert_error(
        &found,
        file,
        9,
        14,
        "must name a response field of type `list<T>`",
    );

    let bad = spec_with(&paginated("cursor", "users.user_id", "nothing"), &[]);
    let found = errors(&bad);
    assert_error(
        &found,
        file,
        8,
        20,
        "`users` has type `list<consumer.users.User>`, which has no field `user_id`",
    );
    assert_error(&found, file, 9, 14, "the response has no field `nothing`");
}
