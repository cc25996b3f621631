//! The staleness check behind `cargo xtask codegen --check`: it passes on the
//! committed SDK and fails after a hand edit, a deleted file or a stray file.

use std::path::{Path, PathBuf};

use stytch_codegen::write::{check, write};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn committed_sdk_matches_the_spec() {
    let files = stytch_codegen::generate(&root().join("spec")).expect("spec generates");
    let stale = check(&root().join("stytch-sdk/src/generated"), &files).expect("check runs");
    assert!(stale.is_fresh(), "run `cargo xtask codegen`: {stale:?}");
}

#[test]
fn hand_edits_missing_and_stray_files_are_reported() {
    let files = stytch_codegen::generate(&root().join("spec")).expect("spec generates");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files).unwrap();
    assert!(check(dir.path(), &files).unwrap().is_fresh());

    let edited = dir.path().join("consumer/totps.rs");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\n// a hand edit\n");
    std::fs::write(&edited, text).unwrap();
    let removed = dir.path().join("b2b/recovery_codes.rs");
    std::fs::remove_file(&removed).unwrap();
    let stray = dir.path().join("consumer/stray.rs");
    std::fs::write(&stray, "// not from the spec\n").unwrap();

    let stale = check(dir.path(), &files).unwrap();
    assert_eq!(stale.changed, vec![edited]);
    assert_eq!(stale.missing, vec![removed]);
    assert_eq!(stale.extra, vec![stray]);
    assert!(!stale.is_fresh());

    write(dir.path(), &files).unwrap();
    assert!(
        check(dir.path(), &files).unwrap().is_fresh(),
        "regenerating repairs every difference"
    );
}
