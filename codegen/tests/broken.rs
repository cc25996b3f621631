//! The corpus of broken specs under `tests/broken/`: each `*.case` file
//! changes the small valid spec in `tests/broken/_base/` and names the errors
//! the generator must report. Every case must end in those errors: not in a
//! panic, and not in an accepted spec.
//!
//! Case file format:
//!
//! ```text
//! # comment lines start with `#`
//! expect: consumer/things.yaml:3:11: substring of one error line
//! count: 1                      (optional: exactly this many errors)
//! --- consumer/things.yaml      (the whole new content of a file follows)
//! --- consumer/things.yaml edit (pairs: `- old text` then `+ new line`s)
//! --- consumer/old.yaml delete
//! --- consumer/x.yaml bytes     (content with `\xNN` escapes)
//! ```

use std::path::{Path, PathBuf};

use stytch_codegen::Error;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Decodes `\xNN` escapes.
fn bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let raw = text.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\\x") && i + 4 <= raw.len() {
            let hex = std::str::from_utf8(&raw[i + 2..i + 4]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("two hex digits after \\x"));
            i += 4;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    out
}

struct Case {
    expects: Vec<String>,
    count: Option<usize>,
}

/// Applies the case to a copy of the base spec in `dir`.
fn apply(case_text: &str, dir: &Path) -> Case {
    let mut case = Case {
        expects: Vec::new(),
        count: None,
    };
    let mut sections: Vec<(String, String, Vec<&str>)> = Vec::new();
    for line in case_text.lines() {
        if let Some(header) = line.strip_prefix("--- ") {
            let mut words = header.split_whitespace();
            let path = words.next().expect("a path after ---").to_owned();
            let mode = words.next().unwrap_or("whole").to_owned();
            sections.push((path, mode, Vec::new()));
        } else if let Some((_, _, body)) = sections.last_mut() {
            body.push(line);
        } else if let Some(expect) = line.strip_prefix("expect: ") {
            case.expects.push(expect.to_owned());
        } else if let Some(count) = line.strip_prefix("count: ") {
            case.count = Some(count.trim().parse().expect("count is a number"));
        } else {
            assert!(
                line.starts_with('#') || line.trim().is_empty(),
                "unexpected line {line:?}"
            );
        }
    }
    assert!(!case.expects.is_empty(), "a case needs `expect:` lines");
    for (path, mode, body) in sections {
        let file = dir.join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        match mode.as_str() {
            "whole" => std::fs::write(&file, format!("{}\n", body.join("\n"))).unwrap(),
            "bytes" => std::fs::write(&file, bytes(&format!("{}\n", body.join("\n")))).unwrap(),
            "delete" => std::fs::remove_file(&file).unwrap(),
            "edit" => {
                let mut text = std::fs::read_to_string(&file).unwrap();
                let mut pairs: Vec<(&str, Vec<&str>)> = Vec::new();
                for line in body {
                    if let Some(old) = line.strip_prefix("- ") {
                        pairs.push((old, Vec::new()));
                    } else if let Some(new) = line.strip_prefix("+") {
                        let new = new.strip_prefix(' ').unwrap_or(new);
                        pairs.last_mut().expect("`+` after `-`").1.push(new);
                    }
                }
                for (old, new) in pairs {
                    assert!(text.contains(old), "{path} has no {old:?}");
                    text = text.replacen(old, &new.join("\n"), 1);
                }
                std::fs::write(&file, text).unwrap();
            }
            other => panic!("unknown section mode {other}"),
        }
    }
    case
}

/// What the generator says about the spec in `dir`: its errors, or `None` when it accepts it.
fn outcome(dir: &Path) -> Result<Vec<String>, String> {
    let api = match stytch_codegen::model(dir) {
        Ok(api) => api,
        Err(Error::Spec(errors)) => return Ok(errors.0.iter().map(|e| e.to_string()).collect()),
        Err(other) => return Ok(vec![other.to_string()]),
    };
    let rendered = stytch_codegen::render::render(&api)
        .and_then(|_| stytch_codegen::render_tests::render(&api));
    match rendered {
        Ok(_) => Err("the spec was accepted and rendered".to_owned()),
        Err(e) => Ok(vec![e.to_string()]),
    }
}

#[test]
fn every_broken_spec_is_reported_at_its_place() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "the corpus lost cases: {}", cases.len());
    let mut failures = Vec::new();
    for path in &cases {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&corpus().join("_base"), dir.path());
        let case = apply(&std::fs::read_to_string(path).unwrap(), dir.path());
        let result = std::panic::catch_unwind(|| outcome(dir.path()));
        let errors = match result {
            Err(_) => {
                failures.push(format!("{name}: the generator panicked"));
                continue;
            }
            Ok(Err(accepted)) => {
                failures.push(format!("{name}: {accepted}"));
                continue;
            }
            Ok(Ok(errors)) => errors,
        };
        for expect in &case.expects {
            if !errors.iter().any(|e| e.contains(expect.as_str())) {
                failures.push(format!(
                    "{name}: no error contains {expect:?}; got:\n    {}",
                    errors.join("\n    ")
                ));
            }
        }
        if let Some(count) = case.count
            && errors.len() != count
        {
            failures.push(format!(
                "{name}: expected {count} error(s), got {}:\n    {}",
                errors.len(),
                errors.join("\n    ")
            ));
        }
        for e in &errors {
            if e.contains("<spec>") || e.contains("Raw") {
                failures.push(format!(
                    "{name}: error without a place or in internal words: {e}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_base_spec_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&corpus().join("_base"), dir.path());
    let api = stytch_codegen::model(dir.path()).expect("the base spec is valid");
    stytch_codegen::render::render(&api).expect("renders");
    stytch_codegen::render_tests::render(&api).expect("renders its test");
}
