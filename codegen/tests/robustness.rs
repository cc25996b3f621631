//! Specs that used to crash or stall the generator, or to produce an SDK that
//! does not compile, and now either render small, correct code or fail with
//! a located error.

use std::path::Path;
use std::time::{Duration, Instant};

use stytch_codegen::Error;

const COMMON: &str = "params:\n  - name: session_token\n    type: string\n    doc: Token of a session.\nfields:\n  - name: request_id\n    type: string\n    doc: Id of the call.\n";

fn spec(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut all: Vec<(&str, &[u8])> = vec![("common.yaml", COMMON.as_bytes())];
    all.extend_from_slice(files);
    for (path, content) in all {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The generated SDK files and the generated endpoint test, or the error.
fn generate(dir: &Path) -> Result<(Vec<String>, String), Error> {
    let api = stytch_codegen::model(dir)?;
    let sdk = stytch_codegen::render::render(&api)?;
    let test = stytch_codegen::render_tests::render(&api)?;
    Ok((sdk.into_iter().map(|f| f.content).collect(), test.content))
}

/// A namespace with one POST endpoint taking `tree` of the given type and returning it.
fn tree_endpoint(ty: &str) -> String {
    format!(
        "doc: Trees.\nendpoints:\n  - name: plant\n    method: POST\n    path: /v1/trees\n    doc: Plants a tree.\n    params:\n      - name: tree\n        type: {ty}\n        required: true\n        doc: The tree.\n    response:\n      - name: tree\n        type: {ty}\n        nilable: true\n        doc: The tree.\n"
    )
}

#[test]
fn recursive_type_through_a_list_in_a_request_has_a_small_sample() {
    let types = "types:\n  - name: Node\n    doc: A node.\n    fields:\n      - name: label\n        type: string\n        doc: Label.\n      - name: children\n        type: list<consumer.trees.Node>\n        doc: Children.\n";
    let ns = tree_endpoint("consumer.trees.Node");
    let dir = spec(&[
        ("consumer/types/trees.yaml", types.as_bytes()),
        ("consumer/trees.yaml", ns.as_bytes()),
    ]);
    let started = Instant::now();
    let (_, test) = generate(dir.path()).expect("a list of itself is a fine type");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The innermost node's list is left empty (prettyplease keeps `vec![]` as written).
    assert!(test.contains("children : Vec::new()"), "{test}");
    assert!(test.len() < 20_000, "the test grew to {} bytes", test.len());
}

#[test]
fn many_self_references_through_lists_and_maps_stay_small() {
    // Sixteen ways down at every level: unbounded, the sample would have 16^12 values.
    let mut types = String::from("types:\n  - name: Node\n    doc: A node.\n    fields:\n");
    for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        types.push_str(&format!(
            "      - name: {name}\n        type: list<consumer.trees.Node>\n        nilable: true\n        doc: Link.\n      - name: {name}s\n        type: map<list<consumer.trees.Node>>\n        doc: Links.\n"
        ));
    }
    let ns = tree_endpoint("consumer.trees.Node");
    let dir = spec(&[
        ("consumer/types/trees.yaml", types.as_bytes()),
        ("consumer/trees.yaml", ns.as_bytes()),
    ]);
    let started = Instant::now();
    let (_, test) = generate(dir.path()).expect("self references through lists are fine");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        test.len() < 200_000,
        "the test grew to {} bytes",
        test.len()
    );
    // The samples stop growing at their budget, for requests and responses
    // alike; the required parts of the objects still open then come on top.
    let api = stytch_codegen::model(dir.path()).unwrap();
    let samples = stytch_codegen::samples::Samples::new(&api);
    let endpoint = &api.verticals[0].namespaces[0].endpoints[0];
    let sample = samples.param(&endpoint.params[0]);
    assert!(count(&sample) <= 2 * stytch_codegen::samples::SIZE_BUDGET);
    let response = samples.value(&endpoint.response[0].ty, "tree", true, 0);
    assert!(count(&response) <= 2 * stytch_codegen::samples::SIZE_BUDGET);
}

fn count(sample: &stytch_codegen::samples::Sample) -> usize {
    use stytch_codegen::samples::Sample;
    1 + match sample {
        Sample::List(inner) | Sample::Map(inner) => count(inner),
        Sample::Object { fields, .. } => fields
            .iter()
            .filter_map(|(_, v)| v.as_ref())
            .map(count)
            .sum(),
        _ => 0,
    }
}

#[test]
fn list_nested_a_hundred_thousand_deep_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}string{}", "list<".repeat(100_000), ">".repeat(100_000));
    let ns = tree_endpoint(&deep);
    let dir = spec(&[("consumer/trees.yaml", ns.as_bytes())]);
    let Err(Error::Spec(errors)) = generate(dir.path()) else {
        panic!("accepted")
    };
    assert!(errors.0.iter().any(|e| e.line == 9
        && e.file == Path::new("consumer/trees.yaml")
        && e.message.contains("nests lists and maps more than 8 deep")));
}

#[test]
fn a_leading_byte_order_mark_is_ignored() {
    let ns = format!("\u{feff}{}", tree_endpoint("string"));
    let dir = spec(&[("consumer/trees.yaml", ns.as_bytes())]);
    generate(dir.path()).expect("a BOM is not part of the YAML");
}

#[test]
fn integer_and_boolean_path_parameters_render_without_encoding() {
    let ns = "doc: Trees.\nendpoints:\n  - name: get\n    method: GET\n    path: /v1/trees/{number}/{flag}\n    doc: Gets a tree.\n    params:\n      - name: number\n        type: integer\n        required: true\n        doc: Which tree.\n      - name: flag\n        type: boolean\n        required: true\n        doc: A flag.\n";
    let dir = spec(&[("consumer/trees.yaml", ns.as_bytes())]);
    let (sdk, _) = generate(dir.path()).expect("integer and boolean path parameters work");
    let trees = sdk
        .iter()
        .find(|f| f.contains("pub struct GetRequest"))
        .unwrap();
    // Their text needs no percent-encoding, and `format!` prints them directly.
    assert!(trees.contains("let number = self.number;"), "{trees}");
    assert!(trees.contains("let flag = self.flag;"), "{trees}");
    assert!(
        trees.contains("format!(\"/v1/trees/{number}/{flag}\")"),
        "{trees}"
    );
}

#[test]
fn a_type_module_is_named_as_written_where_it_is_declared_and_where_it_is_used() {
    // `tree__kinds` is a valid module name whose snake case (`tree_kinds`)
    // differs: paths to its types must use the declared name.
    let types = "types:\n  - name: Tree\n    doc: A tree.\n    fields:\n      - name: height\n        type: integer\n        doc: Height.\n";
    let ns = tree_endpoint("consumer.tree__kinds.Tree");
    let dir = spec(&[
        ("consumer/types/tree__kinds.yaml", types.as_bytes()),
        ("consumer/trees.yaml", ns.as_bytes()),
    ]);
    let (sdk, test) = generate(dir.path()).expect("a valid spec");
    let all = sdk.join("\n");
    assert!(all.contains("pub mod tree__kinds;"), "{all}");
    assert!(all.contains("models::tree__kinds::Tree"), "{all}");
    assert!(
        !all.contains("tree_kinds") && !test.contains("tree_kinds::"),
        "{all}\n{test}"
    );
}

#[test]
fn resolving_a_spec_validation_never_saw_is_an_internal_error_not_a_guess() {
    // Resolving relies on validation: a spec that skipped it (the same as a
    // rule missing from the validator) ends in an error naming the item, not
    // in a skipped item, a made-up default or a panic later in rendering.
    let cases = [
        // A name that is no identifier as written.
        (
            tree_endpoint("string").replace("name: plant", "name: plant-tree"),
            "endpoint `consumer.trees.plant-tree`",
        ),
        // A type nobody declares.
        (tree_endpoint("consumer.trees.Missing"), "parameter `tree`"),
        // A location the spec format does not have.
        (
            tree_endpoint("string").replace("required: true", "required: true\n        in: cookie"),
            "parameter `tree`",
        ),
    ];
    for (ns, item) in cases {
        let dir = spec(&[("consumer/trees.yaml", ns.as_bytes())]);
        assert!(
            stytch_codegen::model(dir.path()).is_err(),
            "validation refuses it"
        );
        let raw = stytch_codegen::load::load(dir.path()).unwrap();
        let error = stytch_codegen::resolve::resolve(&raw).expect_err("resolved an invalid spec");
        let text = error.to_string();
        assert!(matches!(error, Error::Internal { .. }), "{text}");
        assert!(text.starts_with("internal generator error: "), "{text}");
        assert!(text.contains(item), "{text}");
        assert!(
            text.ends_with("(validation should have refused this)"),
            "{text}"
        );
    }
}

#[test]
fn types_holding_others_by_value_exponentially_are_refused_at_once_and_located() {
    // T0 holds two T1, T1 two T2, …: 2^40 values without a single optional part.
    let mut types = String::from("types:\n");
    for i in 0..40 {
        types.push_str(&format!(
            "  - name: T{i}\n    doc: Level {i}.\n    fields:\n      - name: left\n        type: consumer.trees.T{next}\n        doc: Left.\n      - name: right\n        type: consumer.trees.T{next}\n        doc: Right.\n",
            next = i + 1
        ));
    }
    types.push_str("  - name: T40\n    doc: Leaf.\n    fields:\n      - name: leaf\n        type: string\n        doc: Leaf.\n");
    let ns = tree_endpoint("consumer.trees.T0");
    let dir = spec(&[
        ("consumer/types/trees.yaml", types.as_bytes()),
        ("consumer/trees.yaml", ns.as_bytes()),
    ]);
    let started = Instant::now();
    let Err(Error::Spec(errors)) = stytch_codegen::model(dir.path()) else {
        panic!("accepted a type whose sample needs 3·2^40 values")
    };
    let message = errors.to_string();
    assert!(
        message.contains(
            "consumer/types/trees.yaml:2:11: type `consumer.trees.T0` needs 3298534883327 values"
        ),
        "{message}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn namespaces_twenty_folders_deep_are_located_below_spec() {
    let path = format!("consumer/{}x.yaml", "n/".repeat(20));
    let dir = spec(&[(path.as_str(), b"doc: Deep.\n")]);
    let Err(Error::Spec(errors)) = stytch_codegen::model(dir.path()) else {
        panic!("loaded a namespace 21 folders deep")
    };
    let message = errors.to_string();
    assert!(
        message.starts_with("consumer/n/n/n/n/n/n/n/n/n:0:0: this directory is 10 levels below spec/; namespaces nest at most 8 deep"),
        "{message}"
    );
    assert!(
        !message.contains(&dir.path().display().to_string()),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_named_as_one() {
    let dir = spec(&[("consumer/things.yaml", tree_endpoint("string").as_bytes())]);
    std::os::unix::fs::symlink(
        dir.path().join("consumer"),
        dir.path().join("consumer/again"),
    )
    .unwrap();
    let Err(Error::Spec(errors)) = stytch_codegen::model(dir.path()) else {
        panic!("followed a symbolic link loop")
    };
    assert_eq!(
        errors.to_string().trim(),
        "consumer/again:0:0: this directory is a symbolic link back to `spec/consumer`; the spec would contain itself"
    );
}
