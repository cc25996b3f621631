//! `cargo xtask codegen [--check]`: renders every generated artifact from the spec (the
//! SDK's `generated/` modules, the per-endpoint test and the OpenAPI document
//! `openapi/stytch.json`) and writes them, or (with `--check`) shows how the committed
//! files differ.
//!
//! The check prints a unified diff per changed file (from the committed file to what the
//! spec produces, so applying it is the same as regenerating), names missing and stray
//! files, and keeps each diff to [`DIFF_LINE_CAP`] lines so a CI log stays readable.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use similar::TextDiff;
use stytch_codegen::render::OutputFile;

/// Most lines of one file's diff that the check prints; the rest is counted.
pub const DIFF_LINE_CAP: usize = 200;

/// Regenerates (or checks) every generated file under `root` from the spec in `spec`.
pub fn run(root: &Path, spec: &Path, check_only: bool) -> Result<(), String> {
    let started = std::time::Instant::now();
    let api = stytch_codegen::model(spec).map_err(|e| e.to_string())?;
    let sdk = stytch_codegen::render::render(&api).map_err(|e| e.to_string())?;
    let test = stytch_codegen::render_tests::render(&api).map_err(|e| e.to_string())?;
    let openapi = stytch_codegen::openapi::render(&api, &crate::sdk_version(root)?)
        .map_err(|e| e.to_string())?;
    // Each output directory holds only generated files and goes through the same write stage.
    let outputs = [
        (root.join("stytch-sdk/src/generated"), sdk),
        (root.join(stytch_codegen::render_tests::DIR), vec![test]),
        (root.join(stytch_codegen::openapi::DIR), vec![openapi]),
    ];
    let count: usize = outputs.iter().map(|(_, files)| files.len()).sum();
    if check_only {
        let report = stale_report(root, &outputs, DIFF_LINE_CAP)?;
        if report.is_empty() {
            println!("generated code is up to date ({count} files)");
            return Ok(());
        }
        return Err(format!(
            "the generated code differs from what spec/ produces; run `cargo xtask codegen`:\n{report}"
        ));
    }
    for (dir, files) in &outputs {
        stytch_codegen::write::write(dir, files).map_err(|e| e.to_string())?;
    }
    println!(
        "generated {count} files from {} in {:.2?}",
        spec.display(),
        started.elapsed()
    );
    Ok(())
}

/// Describes every difference between the disk and the rendered files of each output
/// directory; empty when all are fresh. Paths are shown relative to `root`.
pub fn stale_report(
    root: &Path,
    outputs: &[(PathBuf, Vec<OutputFile>)],
    cap: usize,
) -> Result<String, String> {
    let mut report = String::new();
    for (dir, files) in outputs {
        let stale = stytch_codegen::write::check(dir, files).map_err(|e| e.to_string())?;
        let shown = |path: &Path| {
            path.strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string()
                .replace('\\', "/")
        };
        let rendered = |path: &Path| {
            files
                .iter()
                .find(|f| dir.join(&f.path) == path)
                .map(|f| f.content.as_str())
                .unwrap_or_default()
        };
        for path in &stale.changed {
            let on_disk =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = shown(path);
            let _ = writeln!(report, "changed: {name}");
            report.push_str(&capped_diff(&name, &on_disk, rendered(path), cap));
        }
        for path in &stale.missing {
            let lines = rendered(path).lines().count();
            let _ = writeln!(
                report,
                "missing: {} (the spec produces {lines} lines)",
                shown(path)
            );
        }
        for path in &stale.extra {
            let _ = writeln!(report, "not produced by the spec: {}", shown(path));
        }
    }
    Ok(report)
}

/// A unified diff from `old` (on disk) to `new` (rendered), at most `cap` lines long,
/// followed by a line counting what was left out.
pub fn capped_diff(name: &str, old: &str, new: &str, cap: usize) -> String {
    let diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    let lines: Vec<&str> = diff.lines().collect();
    let mut out = String::new();
    for line in lines.iter().take(cap) {
        out.push_str(line);
        out.push('\n');
    }
    if lines.len() > cap {
        let _ = writeln!(
            out,
            "[… {} more diff lines of {name} cut; run `cargo xtask codegen` and `git diff` to see all]",
            lines.len() - cap
        );
    }
    out
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
            "doc: Things.\nendpoints:\n  - name: get\n    method: GET\n    path: /v1/things/{thing_id}\n    doc: Gets one.\n    params:\n      - name: thing_id\n        type: string\n        required: true\n        doc: Which.\n    response:\n      - use: request_id\n      - name: size\n        type: integer\n        doc: How big.\n",
        ),
    ];

    fn rendered() -> Vec<OutputFile> {
        let spec = tempfile::tempdir().unwrap();
        for (path, text) in SPEC {
            let path = spec.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let api = stytch_codegen::model(spec.path()).unwrap();
        stytch_codegen::render::render(&api).unwrap()
    }

    #[test]
    fn fresh_output_has_an_empty_report() {
        let files = rendered();
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("generated");
        stytch_codegen::write::write(&dir, &files).unwrap();
        let report = stale_report(root.path(), &[(dir, files)], DIFF_LINE_CAP).unwrap();
        assert_eq!(report, "");
    }

    #[test]
    fn edited_missing_and_stray_files_are_shown() {
        let files = rendered();
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("generated");
        stytch_codegen::write::write(&dir, &files).unwrap();

        let edited = dir.join("consumer/things.rs");
        let text = std::fs::read_to_string(&edited).unwrap();
        let original_line = text
            .lines()
            .find(|l| l.contains("pub size: i64"))
            .expect("the rendered response has the size field")
            .to_owned();
        std::fs::write(&edited, text.replace("pub size: i64", "pub size: u8")).unwrap();
        let removed = files
            .iter()
            .find(|f| f.path != "consumer/things.rs")
            .unwrap();
        std::fs::remove_file(dir.join(&removed.path)).unwrap();
        std::fs::write(dir.join("consumer/stray.rs"), "// hand-made\n").unwrap();

        let report = stale_report(root.path(), &[(dir, files.clone())], DIFF_LINE_CAP).unwrap();
        assert!(
            report.contains("changed: generated/consumer/things.rs\n"),
            "{report}"
        );
        assert!(
            report.contains("--- a/generated/consumer/things.rs\n"),
            "{report}"
        );
        assert!(
            report.contains("+++ b/generated/consumer/things.rs\n"),
            "{report}"
        );
        let removed_line = original_line.replace("pub size: i64", "pub size: u8");
        assert!(report.contains(&format!("\n-{removed_line}\n")), "{report}");
        assert!(
            report.contains(&format!("\n+{original_line}\n")),
            "{report}"
        );
        assert!(
            report.contains(&format!(
                "missing: generated/{} (the spec produces",
                removed.path
            )),
            "{report}"
        );
        assert!(
            report.contains("not produced by the spec: generated/consumer/stray.rs\n"),
            "{report}"
        );
        assert!(!report.contains("more diff lines"), "{report}");
    }

    #[test]
    fn long_diffs_are_cut_and_counted() {
        let old: String = (0..100).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..100).map(|i| format!("new {i}\n")).collect();
        // Header (2) + hunk header (1) + 100 removed + 100 added = 203 lines.
        let diff = capped_diff("x.rs", &old, &new, 50);
        let lines: Vec<&str> = diff.lines().collect();
        assert_eq!(lines.len(), 51, "{diff}");
        assert_eq!(lines[0], "--- a/x.rs");
        assert_eq!(
            lines[50],
            "[… 153 more diff lines of x.rs cut; run `cargo xtask codegen` and `git diff` to see all]"
        );
        let whole = capped_diff("x.rs", &old, &new, 1000);
        assert_eq!(whole.lines().count(), 203);
        assert!(!whole.contains("cut;"));
    }

    #[test]
    fn the_openapi_document_is_written_checked_and_kept_alone() {
        let spec = tempfile::tempdir().unwrap();
        for (path, text) in SPEC {
            let path = spec.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let repo = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(repo.path().join("stytch-sdk")).unwrap();
        std::fs::write(
            repo.path().join("stytch-sdk/Cargo.toml"),
            "[package]\nname = \"stytch-sdk\"\nversion = \"0.7.0\"\n",
        )
        .unwrap();
        let err = run(repo.path(), spec.path(), true).unwrap_err();
        assert!(err.contains("missing: openapi/stytch.json"), "{err}");

        run(repo.path(), spec.path(), false).unwrap();
        run(repo.path(), spec.path(), true).unwrap();
        let path = repo.path().join("openapi/stytch.json");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": \"0.7.0\""), "{text}");
        assert!(
            text.contains("\"operationId\": \"consumer.things.get\""),
            "{text}"
        );

        // A document of an older layout is reported, then removed.
        let old = repo.path().join("openapi/consumer.json");
        std::fs::write(&old, "{}").unwrap();
        let err = run(repo.path(), spec.path(), true).unwrap_err();
        assert!(
            err.contains("not produced by the spec: openapi/consumer.json"),
            "{err}"
        );
        run(repo.path(), spec.path(), false).unwrap();
        assert!(!old.exists());

        std::fs::write(&path, text.replace("Gets one.", "Fetches one.")).unwrap();
        let err = run(repo.path(), spec.path(), true).unwrap_err();
        assert!(err.contains("--- a/openapi/stytch.json"), "{err}");
        assert!(err.contains("\"description\": \"Fetches one.\""), "{err}");
        run(repo.path(), spec.path(), false).unwrap();
        run(repo.path(), spec.path(), true).unwrap();
    }
}
