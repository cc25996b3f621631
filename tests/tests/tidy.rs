//! Structural rules of `stytch-sdk`, checked on its source text (in the
//! spirit of rust-analyzer's tidy tests): dependencies run one way.
//!
//! - The runtime (`runtime/`, `error/`, `retry.rs`, `codec.rs`,
//!   `pagination.rs`) names neither local verification (`auth`), the client
//!   glue, the generated API nor the mock.
//! - Generated code names the runtime and the client core it is handed,
//!   never `auth`.
//! - A public method of `auth` is an `async fn` only when it may call an
//!   endpoint; the local checks return `AuthFuture`, so that their bodies
//!   compile in the SDK and not in every crate that awaits them.
//!
//! Comments are skipped: a doc link to a higher layer is not a dependency.

use std::path::{Path, PathBuf};

/// The SDK crate's sources.
fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../stytch-sdk/src")
}

/// Every `.rs` file under `path` (or `path` itself).
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Lines of code (not comments) of `file` that name one of `forbidden`.
fn offending_lines(file: &Path, forbidden: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .filter(|(_, line)| forbidden.iter().any(|path| names(line, path)))
        .map(|(n, line)| format!("{}:{}: {}", file.display(), n + 1, line.trim()))
        .collect()
}

/// Whether `line` names the module `path` (`crate::auth` but not `crate::authx`).
fn names(line: &str, path: &str) -> bool {
    line.match_indices(path).any(|(at, _)| {
        !line[at + path.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Modules above the runtime, and the product modules of the generated API.
const ABOVE_RUNTIME: &[&str] = &[
    "crate::auth",
    "crate::client",
    "crate::Client",
    "crate::B2BClient",
    "crate::SamlShieldClient",
    "crate::ManagementClient",
    "crate::generated",
    "crate::consumer",
    "crate::b2b",
    "crate::samlshield",
    "crate::management",
    "crate::test_util",
    "super::auth",
];

#[test]
fn the_runtime_depends_on_neither_auth_nor_generated_code() {
    let root = src();
    let runtime = ["runtime", "error", "retry.rs", "codec.rs", "pagination.rs"];
    let mut offending = Vec::new();
    let mut scanned = 0;
    for part in runtime {
        for file in rust_files(&root.join(part)) {
            scanned += 1;
            offending.extend(offending_lines(&file, ABOVE_RUNTIME));
        }
    }
    assert!(scanned >= 8, "the runtime files moved: scanned {scanned}");
    assert!(
        offending.is_empty(),
        "the runtime must not depend on auth, the client or generated code:\n{}",
        offending.join("\n")
    );
}

#[test]
fn generated_code_does_not_depend_on_auth() {
    let files = rust_files(&src().join("generated"));
    assert!(files.len() > 100, "generated code moved");
    let offending: Vec<String> = files
        .iter()
        .flat_map(|file| offending_lines(file, &["crate::auth"]))
        .collect();
    assert!(
        offending.is_empty(),
        "generated code must not depend on auth:\n{}",
        offending.join("\n")
    );
}

/// The public `async fn`s of `auth`: each may call an endpoint, whose
/// answer's decoder then compiles where the method is called, like every
/// endpoint method's.
const CALLING_ENDPOINTS: &[&str] = &[
    "authenticate_jwt",
    "access_token",
    "introspect_token_network",
];

#[test]
fn only_auth_methods_that_call_endpoints_are_async_fns() {
    let mut found = Vec::new();
    for file in rust_files(&src().join("auth")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix("pub async fn ") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !CALLING_ENDPOINTS.contains(&name.as_str()) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "local checks return `AuthFuture` (a future built in the SDK), not an `async fn` \
         whose body every caller compiles:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_code_and_skips_comments() {
    let dir = tempfile_dir();
    let file = dir.join("sample.rs");
    std::fs::write(
        &file,
        "/// See [`crate::auth::AuthError`].\nuse crate::auth::AuthState;\nuse crate::authority;\n",
    )
    .unwrap();
    let found = offending_lines(&file, ABOVE_RUNTIME);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(":2: use crate::auth::AuthState;"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A fresh directory under the target directory's temporary space.
fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stytch-tidy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
