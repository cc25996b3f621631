//! Property test: mechanically broken versions of a small valid spec (lines
//! deleted, duplicated or re-indented, values replaced by odd ones, extra
//! files, a byte-order mark, bytes that are not UTF-8) either fail with
//! located spec errors or generate code that parses and hangs together.
//! Never a panic, never a render error, never a hang.
//!
//! The case count is fixed so the test takes a few seconds; `codegen/fuzz`
//! runs the same check without a bound.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The base spec: the files of `tests/broken/_base`.
fn base() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/_base");
    [
        "common.yaml",
        "consumer/types/users.yaml",
        "consumer/things.yaml",
    ]
    .iter()
    .map(|p| ((*p).to_owned(), std::fs::read(root.join(p)).unwrap()))
    .collect()
}

/// Values that broke the generator at some point, or are near a limit.
const ODD_VALUES: &[&str] = &[
    "",
    "get thing",
    "get-thing",
    "type",
    "mod",
    "self",
    "new",
    "String",
    "Vec",
    "TOTP",
    "authenticate_jwt",
    "cached_policy",
    "9lives",
    "_",
    "r#x",
    "list<list<list<list<list<list<list<list<list<string>>>>>>>>>",
    "list<consumer.users.User>",
    "map<consumer.users.Locale>",
    "consumer.users.User",
    "consumer.users.Locale",
    "consumer.users.Nope",
    "json",
    "number",
    "boolean",
    "member_session_auth",
    "/v1/users/}{user_id}",
    "/v1/things/{thing_id}/{thing_id}",
    "/v1/{}",
    "/v1/{a{b}}",
    "/v1/things/{limit}",
    "no-slash",
    "99999999999999999999999",
    "-9223372036854775808",
    "1.5",
    "true",
    "null",
    "[1, 2]",
    "{}",
    "\"quoted: text\"",
    "Gets: a thing",
    "path",
    "header",
    "query",
    "form",
    "telemetry",
    "PATCH",
    "FETCH",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "list<list<list<list<list<list<list<list<list<list<list<list<list<list<list<list<list<list<list<list<string>>>>>>>>>>>>>>>>>>>>",
    "&anchor x",
    "*alias",
    "!tag x",
];

/// Files that clash with the base in some way.
const EXTRA_FILES: &[(&str, &str)] = &[
    ("consumer/Things.yaml", "doc: Again.\n"),
    ("consumer/things.yml", "doc: Again.\n"),
    ("consumer/type.yaml", "doc: Types.\n"),
    ("consumer/builder.yaml", "doc: Builders.\n"),
    ("consumer/my-things.yaml", "doc: Mine.\n"),
    (
        "consumer/things/sub.yaml",
        "doc: Below.\nendpoints:\n  - name: get\n    method: GET\n    path: /v1/sub\n    doc: Gets.\n",
    ),
    (
        "consumer/types/fooBar.yaml",
        "types:\n  - name: Foo\n    doc: Foo.\n",
    ),
    (
        "consumer/types/cycle.yaml",
        "types:\n  - name: A\n    doc: A.\n    fields:\n      - name: b\n        type: consumer.cycle.B\n        doc: B.\n  - name: B\n    doc: B.\n    fields:\n      - name: a\n        type: consumer.cycle.A\n        doc: A.\n",
    ),
    (
        "consumer/types/tree.yaml",
        "types:\n  - name: Node\n    doc: A node.\n    fields:\n      - name: up\n        type: map<consumer.tree.Node>\n        nilable: true\n        doc: Up.\n      - name: down\n        type: list<consumer.tree.Node>\n        doc: Down.\n",
    ),
    ("b2b/things.yaml", "doc: B2B things.\n"),
    ("other/x.yaml", "doc: x\n"),
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize, usize),
    DuplicateLine(usize, usize),
    Indent(usize, usize, bool),
    ReplaceValue(usize, usize, usize),
    Bom(usize),
    Bytes(usize, usize, u8),
    AddFile(usize),
    DeleteFile(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let file = 0..3usize;
    let line = 0..40usize;
    prop_oneof![
        1 => (file.clone(), line.clone()).prop_map(|(f, l)| Mutation::DeleteLine(f, l)),
        1 => (file.clone(), line.clone()).prop_map(|(f, l)| Mutation::DuplicateLine(f, l)),
        1 => (file.clone(), line.clone(), any::<bool>())
            .prop_map(|(f, l, d)| Mutation::Indent(f, l, d)),
        4 => (file.clone(), line.clone(), 0..ODD_VALUES.len())
            .prop_map(|(f, l, v)| Mutation::ReplaceValue(f, l, v)),
        1 => file.clone().prop_map(Mutation::Bom),
        1 => (file.clone(), 0..1000usize, 0x80..=0xffu8)
            .prop_map(|(f, at, b)| Mutation::Bytes(f, at, b)),
        1 => (0..EXTRA_FILES.len()).prop_map(Mutation::AddFile),
        1 => file.prop_map(Mutation::DeleteFile),
    ]
}

fn lines(content: &[u8]) -> Vec<Vec<u8>> {
    content.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply(files: &mut Vec<(String, Vec<u8>)>, m: &Mutation) {
    let edit_lines =
        |files: &mut Vec<(String, Vec<u8>)>, f: usize, edit: &dyn Fn(&mut Vec<Vec<u8>>)| {
            if let Some((_, content)) = files.get_mut(f) {
                let mut ls = lines(content);
                edit(&mut ls);
                *content = ls.join(&b'\n');
            }
        };
    match *m {
        Mutation::DeleteLine(f, l) => edit_lines(files, f, &|ls| {
            if l < ls.len() {
                ls.remove(l);
            }
        }),
        Mutation::DuplicateLine(f, l) => edit_lines(files, f, &|ls| {
            if l < ls.len() {
                let copy = ls[l].clone();
                ls.insert(l, copy);
            }
        }),
        Mutation::Indent(f, l, deeper) => edit_lines(files, f, &|ls| {
            if let Some(line) = ls.get_mut(l) {
                if deeper {
                    line.splice(0..0, *b"  ");
                } else if line.starts_with(b"  ") {
                    line.drain(0..2);
                }
            }
        }),
        Mutation::ReplaceValue(f, l, v) => edit_lines(files, f, &|ls| {
            if let Some(line) = ls.get_mut(l) {
                let at = line
                    .windows(2)
                    .position(|w| w == b": ")
                    .map(|i| i + 2)
                    .or_else(|| line.iter().position(|&b| b == b'-').map(|i| i + 2))
                    .unwrap_or(0)
                    .min(line.len());
                line.truncate(at);
                line.extend_from_slice(ODD_VALUES[v].as_bytes());
            }
        }),
        Mutation::Bom(f) => {
            if let Some((_, content)) = files.get_mut(f) {
                content.splice(0..0, [0xef, 0xbb, 0xbf]);
            }
        }
        Mutation::Bytes(f, at, b) => {
            if let Some((_, content)) = files.get_mut(f) {
                let at = at.min(content.len());
                content.insert(at, b);
            }
        }
        Mutation::AddFile(i) => {
            let (path, content) = EXTRA_FILES[i];
            files.push((path.to_owned(), content.as_bytes().to_vec()));
        }
        Mutation::DeleteFile(f) => {
            if f < files.len() {
                files.remove(f);
            }
        }
    }
}

/// Runs the generator on the files; `Err` says what went wrong with the generator.
fn check(files: &[(String, Vec<u8>)]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let api = match stytch_codegen::model(dir.path()) {
        Ok(api) => api,
        Err(stytch_codegen::Error::Spec(errors)) => {
            let mut distinct = std::collections::BTreeSet::new();
            for e in &errors.0 {
                if !distinct.insert(e.to_string()) {
                    return Err(format!("reported twice: {e}"));
                }
                let shown = e.to_string();
                if e.message.is_empty() || shown.contains("<spec>") || shown.contains("Raw") {
                    return Err(format!(
                        "a spec error without place or in internal words: {shown}"
                    ));
                }
            }
            return Ok(());
        }
        Err(other) => return Err(format!("not a spec error: {other}")),
    };
    let sdk = stytch_codegen::render::render(&api).map_err(|e| format!("accepted, then: {e}"))?;
    let test =
        stytch_codegen::render_tests::render(&api).map_err(|e| format!("accepted, then: {e}"))?;
    // A quick check that the files hang together: each parses, no two share a
    // path (in any case), and every `pub mod` has its file.
    let mut paths = std::collections::BTreeSet::new();
    for file in sdk.iter().chain([&test]) {
        let parsed = syn::parse_file(&file.content)
            .map_err(|e| format!("{} does not parse: {e}\n{}", file.path, file.content))?;
        unique_names(&parsed).map_err(|e| format!("{}: {e}", file.path))?;
        if !paths.insert(file.path.to_lowercase()) {
            return Err(format!("two files at {}", file.path));
        }
    }
    for file in &sdk {
        let dir = file.path.trim_end_matches("mod.rs");
        for line in file.content.lines() {
            if let Some(module) = line
                .trim()
                .strip_prefix("pub mod ")
                .and_then(|m| m.strip_suffix(';'))
            {
                let module = module.trim_start_matches("r#");
                let alone = format!("{dir}{module}.rs");
                let folder = format!("{dir}{module}/mod.rs");
                if !paths.contains(&alone) && !paths.contains(&folder) {
                    return Err(format!(
                        "{} declares `{module}` but there is no file for it",
                        file.path
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Names that must be unique for the file to compile: items of the file,
/// methods of each impl block, fields of each struct, variants of each enum.
fn unique_names(file: &syn::File) -> Result<(), String> {
    fn once(
        seen: &mut std::collections::BTreeSet<String>,
        what: &str,
        name: String,
    ) -> Result<(), String> {
        if seen.insert(name.clone()) {
            Ok(())
        } else {
            Err(format!("{what} `{name}` is defined twice"))
        }
    }
    let mut items = std::collections::BTreeSet::new();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                once(&mut items, "item", s.ident.to_string())?;
                let mut fields = std::collections::BTreeSet::new();
                for f in &s.fields {
                    if let Some(name) = &f.ident {
                        once(&mut fields, "field", format!("{}.{name}", s.ident))?;
                    }
                }
            }
            syn::Item::Enum(e) => {
                once(&mut items, "item", e.ident.to_string())?;
                let mut variants = std::collections::BTreeSet::new();
                for v in &e.variants {
                    once(
                        &mut variants,
                        "variant",
                        format!("{}::{}", e.ident, v.ident),
                    )?;
                }
            }
            syn::Item::Type(t) => once(&mut items, "item", t.ident.to_string())?,
            syn::Item::Mod(m) => once(&mut items, "module", m.ident.to_string())?,
            syn::Item::Fn(f) => once(&mut items, "function", f.sig.ident.to_string())?,
            syn::Item::Impl(i) => {
                let mut methods = std::collections::BTreeSet::new();
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        once(&mut methods, "method", f.sig.ident.to_string())?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn mutated_specs_fail_cleanly_or_generate_sound_code() {
    let config = Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let base = base();
    let result = runner.run(&proptest::collection::vec(mutation(), 1..5), |mutations| {
        let mut files = base.clone();
        for m in &mutations {
            apply(&mut files, m);
        }
        check(&files).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
