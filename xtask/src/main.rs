//! Project tasks: `cargo xtask codegen [--check]`, `cargo xtask coverage --reference <file>`.

mod coverage;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["codegen"] => codegen(&root().join("spec"), false),
        ["codegen", "--check"] => codegen(&root().join("spec"), true),
        ["codegen", "--spec", dir] => codegen(Path::new(dir), false),
        ["coverage", "--reference", file] => coverage::run(&root().join("spec"), Path::new(file)),
        ["coverage", "--reference", file, "--spec", dir] => coverage::run(Path::new(dir), Path::new(file)),
        _ => Err("usage: cargo xtask codegen [--check | --spec <dir>] | cargo xtask coverage --reference <stytch-api.json>".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(spec: &Path, check_only: bool) -> Result<(), String> {
    let root = root();
    let out = root.join("stytch-sdk/src/generated");
    let started = std::time::Instant::now();
    let api = stytch_codegen::model(spec).map_err(|e| e.to_string())?;
    let files = stytch_codegen::render::render(&api).map_err(|e| e.to_string())?;
    let test = stytch_codegen::render_tests::render(&api).map_err(|e| e.to_string())?;
    let test_path = root.join(&test.path);
    let test_fresh =
        std::fs::read_to_string(&test_path).is_ok_and(|current| current == test.content);
    if check_only {
        let stale = stytch_codegen::write::check(&out, &files).map_err(|e| e.to_string())?;
        if stale.is_fresh() && test_fresh {
            println!("generated SDK is up to date ({} files)", files.len());
            return Ok(());
        }
        let mut message = String::from(
            "the generated SDK differs from what spec/ produces; run `cargo xtask codegen`:\n",
        );
        for (what, list) in [
            ("changed", &stale.changed),
            ("missing", &stale.missing),
            ("not produced by the spec", &stale.extra),
        ] {
            for path in list {
                let shown = path.strip_prefix(&root).unwrap_or(path);
                message.push_str(&format!("  {what}: {}\n", shown.display()));
            }
        }
        if !test_fresh {
            message.push_str(&format!("  changed: {}\n", test.path));
        }
        return Err(message);
    }
    stytch_codegen::write::write(&out, &files).map_err(|e| e.to_string())?;
    if !test_fresh {
        if let Some(dir) = test_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&test_path, &test.content)
            .map_err(|e| format!("{}: {e}", test_path.display()))?;
    }
    println!(
        "generated {} files under {} and {} in {:.2?}",
        files.len(),
        out.strip_prefix(&root).unwrap_or(&out).display(),
        test.path,
        started.elapsed()
    );
    Ok(())
}
