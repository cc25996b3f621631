//! `cargo xtask bench [--rounds N] [--peer VERSION] [--quick] [--requests-only] [--only WHO]`: the request
//! path, decoding and local token checks of `stytch-sdk` measured side by
//! side with the official `stytch` crate and hand-written baselines.
//!
//! The bench program is `xtask/bench/side_by_side.rs` (its own doc comment
//! says what it measures and how). It is not a workspace member: this task
//! copies it into a scratch project under `target/side-by-side/` that
//! depends on our SDK by path and on the official crate from crates.io,
//! builds it in release mode and runs it. The project stays there between
//! runs, so only the first run builds the dependencies.
//!
//! The workspace's `Cargo.lock` seeds the scratch project's, so shared
//! dependencies (reqwest, hyper, serde, jsonwebtoken, ...) are the versions
//! the SDK is tested with; cargo adds what only the official crate needs.

use std::path::Path;
use std::process::Command;

use crate::scratch;

/// The bench program, copied into the scratch project as its `main.rs`.
const PROGRAM: &str = "xtask/bench/side_by_side.rs";
/// The small answer the program serves, included by it at compile time.
const SMALL_ANSWER: &str = "tests/fixtures/consumer_totps_create.json";
/// Name of the scratch package and of its binary.
const PACKAGE: &str = "stytch-side-by-side";

/// What the bench program needs besides the two SDKs; versions follow the
/// SDK's own.
const DEPENDENCIES: &str = r#"reqwest = { version = "0.13.5", default-features = false, features = ["json"] }
tokio = { version = "1.54.1", features = ["rt-multi-thread", "net", "time"] }
hyper = { version = "1.12.0", features = ["server", "http1"] }
hyper-util = { version = "0.1.21", features = ["tokio"] }
http-body-util = "0.1.5"
bytes = "1.12.2"
serde = { version = "1.0.229", features = ["derive"] }
serde_json = "1.0.154"
time = { version = "0.3.55", features = ["serde", "parsing", "formatting"] }
jsonwebtoken = { version = "11.1.0", default-features = false, features = ["aws_lc_rs"] }
aws-lc-rs = "1.19.0"
base64 = "0.23.1"
"#;

/// What to run, from the command line.
#[derive(Debug, PartialEq)]
pub struct Options {
    /// Rounds per measurement; the program's default when not given.
    pub rounds: Option<usize>,
    /// Version of the official crate.
    pub peer: String,
    /// A short smoke run instead of the full measurement.
    pub quick: bool,
    /// Only the request-path section, for profiling it.
    pub requests_only: bool,
    /// Only one contender's small calls, 64 in flight (`ours`, `official`
    /// or `baseline`), for `perf stat`; the program checks the name.
    pub only: Option<String>,
}

/// Builds the scratch project and runs the bench program, whose table goes
/// straight to standard output.
pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let project = root.join("target/side-by-side");
    let target = project.join("target");
    write_project(root, &project, &options.peer)?;
    eprintln!(
        "building the bench against stytch {} in {} (release)",
        options.peer,
        project.display()
    );
    scratch::cargo(&project, &target, &["build", "--release", "--quiet"], false)?;
    let binary = target.join("release").join(PACKAGE);
    let mut command = Command::new(&binary);
    if let Some(rounds) = options.rounds {
        command.args(["--rounds", &rounds.to_string()]);
    }
    if options.quick {
        command.arg("--quick");
    }
    if options.requests_only {
        command.arg("--requests-only");
    }
    if let Some(who) = &options.only {
        command.args(["--only", who]);
    }
    let status = command
        .status()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the bench program failed ({status})"))
    }
}

/// Writes the scratch project: manifest, lock file, program and fixture.
fn write_project(root: &Path, project: &Path, peer: &str) -> Result<(), String> {
    let dependencies = format!(
        "{}\nstytch = \"={peer}\"\n{DEPENDENCIES}",
        scratch::sdk_dependency(root, None)
    );
    let manifest = scratch::manifest(PACKAGE, &dependencies);
    scratch::write_if_changed(&project.join("Cargo.toml"), manifest.as_bytes())?;
    let read = |path: &str| {
        let path = root.join(path);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    scratch::write_if_changed(&project.join("Cargo.lock"), &read("Cargo.lock")?)?;
    scratch::write_if_changed(&project.join("src/main.rs"), &read(PROGRAM)?)?;
    scratch::write_if_changed(
        &project.join("src/consumer_totps_create.json"),
        &read(SMALL_ANSWER)?,
    )
}

/// `[--rounds N] [--peer VERSION] [--quick] [--requests-only] [--only WHO]`, defaulting
/// to the program's round count, `stytch` 11.1.0 and the full measurement.
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        rounds: None,
        peer: "11.1.0".to_owned(),
        quick: false,
        requests_only: false,
        only: None,
    };
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match *flag {
            "--quick" => options.quick = true,
            "--requests-only" => options.requests_only = true,
            _ => {}
        }
        if matches!(*flag, "--quick" | "--requests-only") {
            continue;
        }
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match *flag {
            "--rounds" => {
                let rounds: usize = value
                    .parse()
                    .map_err(|_| format!("--rounds {value}: not a count"))?;
                if rounds == 0 {
                    return Err("--rounds 0: at least one round is needed".to_owned());
                }
                options.rounds = Some(rounds);
            }
            "--peer" => options.peer = (*value).to_owned(),
            "--only" => options.only = Some((*value).to_owned()),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_to_the_full_run_against_11_1_0() {
        assert_eq!(
            parse_args(&[]).unwrap(),
            Options {
                rounds: None,
                peer: "11.1.0".to_owned(),
                quick: false,
                requests_only: false,
                only: None
            }
        );
        assert_eq!(
            parse_args(&["--quick", "--rounds", "3", "--peer", "11.0.0"]).unwrap(),
            Options {
                rounds: Some(3),
                peer: "11.0.0".to_owned(),
                quick: true,
                requests_only: false,
                only: None
            }
        );
        let profiling = parse_args(&["--requests-only", "--rounds", "2"]).unwrap();
        assert!(profiling.requests_only && !profiling.quick);
        assert_eq!(profiling.rounds, Some(2));
        let one = parse_args(&["--only", "official"]).unwrap();
        assert_eq!(one.only.as_deref(), Some("official"));
    }

    #[test]
    fn bad_options_are_named() {
        assert_eq!(
            parse_args(&["--rounds"]).unwrap_err(),
            "--rounds needs a value"
        );
        assert_eq!(
            parse_args(&["--rounds", "many"]).unwrap_err(),
            "--rounds many: not a count"
        );
        assert!(
            parse_args(&["--rounds", "0"])
                .unwrap_err()
                .contains("at least one")
        );
        assert_eq!(
            parse_args(&["--fast", "1"]).unwrap_err(),
            "unknown option --fast"
        );
    }

    #[test]
    fn the_scratch_project_depends_on_both_sdks_and_carries_the_program() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dir = tempfile::tempdir().unwrap();
        write_project(root, dir.path(), "11.1.0").unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("stytch = \"=11.1.0\""), "{manifest}");
        let sdk = format!(
            "stytch-sdk = {{ path = {:?} }}",
            root.join("stytch-sdk").display().to_string()
        );
        assert!(manifest.contains(&sdk), "{manifest}");
        assert!(manifest.contains("[workspace]"), "{manifest}");
        let program = std::fs::read_to_string(dir.path().join("src/main.rs")).unwrap();
        assert!(program.contains("fn main()"));
        // The program includes the fixture next to it.
        assert!(program.contains("include_str!(\"consumer_totps_create.json\")"));
        assert!(dir.path().join("src/consumer_totps_create.json").is_file());
        assert!(dir.path().join("Cargo.lock").is_file());
    }
}
