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
    let started = std::time::Instant::now();
    let api = stytch_codegen::model(spec).map_err(|e| e.to_string())?;
    let sdk = stytch_codegen::render::render(&api).map_err(|e| e.to_string())?;
    let test = stytch_codegen::render_tests::render(&api).map_err(|e| e.to_string())?;
    // Each output directory holds only generated files and goes through the same write stage.
    let outputs = [
        (root.join("stytch-sdk/src/generated"), sdk),
        (root.join(stytch_codegen::render_tests::DIR), vec![test]),
    ];
    let count: usize = outputs.iter().map(|(_, files)| files.len()).sum();
    if check_only {
        let mut message = String::new();
        for (dir, files) in &outputs {
            let stale = stytch_codegen::write::check(dir, files).map_err(|e| e.to_string())?;
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
        }
        if message.is_empty() {
            println!("generated code is up to date ({count} files)");
            return Ok(());
        }
        return Err(format!(
            "the generated code differs from what spec/ produces; run `cargo xtask codegen`:\n{message}"
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
