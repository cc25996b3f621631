//! Specs at the edges of what the validator accepts must give an SDK that
//! compiles. Each directory under `tests/compiled/` changes the real `spec/`:
//! its files are added (replacing any of the same path) and the paths listed
//! in its `DELETE` file are removed. The test renders the SDK of each into a
//! member crate of one scratch workspace (the hand-written SDK source with
//! that rendering as `generated/`) and runs one `cargo check` over all of
//! them, with every product and the mock, warnings denied.
//!
//! It takes minutes on a cold cache, so `cargo test` skips it; CI runs it
//! with `cargo test -p stytch-codegen --test compiled_specs -- --ignored`.
//! Compiled dependencies are kept in `target/compiled-specs/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn copy_dir(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if skip(&path) {
            continue;
        }
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target, skip);
        } else {
            std::fs::copy(&path, target).unwrap();
        }
    }
}

/// The real spec with the edge spec `edge` applied, in `dir`.
fn edge_spec(edge: &Path, dir: &Path) {
    copy_dir(&root().join("spec"), dir, &|_| false);
    let deleted = std::fs::read_to_string(edge.join("DELETE")).unwrap_or_default();
    for line in deleted.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let path = dir.join(line);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path)
                .unwrap_or_else(|e| panic!("{}: cannot delete {line}: {e}", edge.display()));
        }
    }
    copy_dir(edge, dir, &|p| p.file_name().is_some_and(|n| n == "DELETE"));
}

/// The SDK's manifest for a member crate named `name`: its dependencies and
/// features, without benches, examples and dev-dependencies.
fn manifest(name: &str) -> String {
    let sdk = std::fs::read_to_string(root().join("stytch-sdk/Cargo.toml")).unwrap();
    let mut out = String::new();
    let mut keep = true;
    for line in sdk.lines() {
        if line.starts_with('[') {
            keep = matches!(line, "[package]" | "[dependencies]" | "[features]");
        }
        if !keep || line.starts_with("readme") || line.starts_with("include") {
            continue;
        }
        if line.starts_with("name = ") {
            out.push_str(&format!("name = \"{name}\"\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
#[ignore = "runs cargo check over several generated SDKs; CI runs it with --ignored"]
fn every_edge_spec_gives_an_sdk_that_compiles() {
    let scratch = tempfile::tempdir().unwrap();
    let edges_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compiled");
    let mut edges: Vec<PathBuf> = std::fs::read_dir(&edges_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    edges.sort();
    assert!(
        edges.len() >= 2,
        "no edge specs under {}",
        edges_dir.display()
    );
    let mut members = Vec::new();
    for edge in &edges {
        let name = edge
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .replace('_', "-");
        let spec = scratch.path().join("spec").join(&name);
        edge_spec(edge, &spec);
        let files = stytch_codegen::generate(&spec)
            .unwrap_or_else(|e| panic!("edge spec {name} is refused:\n{e}"));
        let krate = scratch.path().join(&name);
        let generated = root().join("stytch-sdk/src/generated");
        copy_dir(&root().join("stytch-sdk/src"), &krate.join("src"), &|p| {
            p == generated
        });
        stytch_codegen::write::write(&krate.join("src/generated"), &files).unwrap();
        std::fs::write(krate.join("Cargo.toml"), manifest(&format!("edge-{name}"))).unwrap();
        members.push(format!("\"{name}\""));
    }
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let package = &workspace[workspace.find("[workspace.package]").unwrap()..];
    std::fs::write(
        scratch.path().join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n{package}",
            members.join(", ")
        ),
    )
    .unwrap();
    std::fs::copy(root().join("Cargo.lock"), scratch.path().join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(scratch.path())
        .args([
            "check",
            "--workspace",
            "--features",
            "consumer,b2b,samlshield,test-util",
        ])
        .env("CARGO_TARGET_DIR", root().join("target/compiled-specs"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "an accepted edge spec gives an SDK that does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
