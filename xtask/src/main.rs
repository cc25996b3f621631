//! Project tasks, one module per command:
//!
//! - `cargo xtask codegen [--check]` ([`codegen`])
//! - `cargo xtask coverage --reference <file>` ([`coverage`])
//! - `cargo xtask spec-diff <git-rev> [--deny-breaking]` ([`spec_diff`])
//! - `cargo xtask compile-time [--runs N] [--peer VERSION] [--baseline DIR] [--incremental] [--rows TEXT]` ([`compile_time`])
//! - `cargo xtask bench [--rounds N] [--peer VERSION] [--quick] [--requests-only]` ([`bench`])
//!
//! [`scratch`] holds what the last two share: scratch cargo projects outside
//! the workspace.

mod bench;
mod codegen;
mod compile_time;
mod coverage;
mod scratch;
mod spec_diff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask codegen [--check | --spec <dir>]
  cargo xtask coverage --reference <stytch-api.json> [--spec <dir>]
  cargo xtask spec-diff <git-rev> [--deny-breaking]
  cargo xtask compile-time [--runs N] [--peer VERSION] [--baseline DIR] [--incremental] [--rows TEXT]
  cargo xtask bench [--rounds N] [--peer VERSION] [--quick] [--requests-only]";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The `version` of the `stytch-sdk` package under `root`.
fn sdk_version(root: &Path) -> Result<String, String> {
    let path = root.join("stytch-sdk/Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| {
            let value = l.trim().strip_prefix("version")?.trim().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| format!("{}: no version", path.display()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    let spec = root.join("spec");
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen::run(&root, &spec, false),
        ["codegen", "--check"] => codegen::run(&root, &spec, true),
        ["codegen", "--spec", dir] => codegen::run(&root, Path::new(dir), false),
        ["coverage", "--reference", file] => coverage::run(&spec, Path::new(file)),
        ["coverage", "--reference", file, "--spec", dir] => {
            coverage::run(Path::new(dir), Path::new(file))
        }
        ["spec-diff", rev] if !rev.starts_with('-') => spec_diff::run(&root, rev, false),
        ["spec-diff", rev, "--deny-breaking"] | ["spec-diff", "--deny-breaking", rev]
            if !rev.starts_with('-') =>
        {
            spec_diff::run(&root, rev, true)
        }
        ["compile-time", rest @ ..] => {
            compile_time_args(rest).and_then(|options| compile_time::run(&root, &options))
        }
        ["bench", rest @ ..] => bench::parse_args(rest)
            .map_err(|e| format!("{e}\n{USAGE}"))
            .and_then(|options| bench::run(&root, &options)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `[--runs N] [--peer VERSION] [--baseline DIR] [--incremental] [--rows TEXT] [--rows TEXT]`,
/// defaulting to 3 runs against `stytch` 11.1.0, no baseline, not
/// incremental, every row.
fn compile_time_args(args: &[&str]) -> Result<compile_time::Options, String> {
    let (mut runs, mut peer, mut baseline, mut incremental) = (3, "11.1.0".to_owned(), None, false);
    let mut rows = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        if *flag == "--incremental" {
            incremental = true;
            continue;
        }
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match *flag {
            "--runs" => {
                runs = value
                    .parse()
                    .map_err(|_| format!("--runs {value}: not a count"))?
            }
            "--peer" => peer = (*value).to_owned(),
            "--baseline" => baseline = Some(PathBuf::from(value)),
            "--rows" => rows = Some((*value).to_owned()),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(compile_time::Options {
        runs: runs.max(1),
        peer,
        baseline,
        incremental,
        rows,
    })
}
