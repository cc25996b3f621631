//! Scratch cargo projects outside the workspace, shared by the commands that
//! build the SDK next to the official crate (`compile-time`, `bench`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// `Cargo.toml` of a scratch package named `name` with the given
/// `[dependencies]` lines; the empty `[workspace]` table keeps cargo from
/// treating it as part of an enclosing workspace.
pub fn manifest(name: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependencies}\n\n[workspace]\n"
    )
}

/// The `stytch-sdk` dependency line for the checkout at `root`, by path,
/// with `features` instead of the default ones when given.
pub fn sdk_dependency(root: &Path, features: Option<&str>) -> String {
    let path = root.join("stytch-sdk");
    let features = match features {
        Some(f) => format!(
            ", default-features = false, features = [{}]",
            f.split(',')
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    format!(
        "stytch-sdk = {{ path = {:?}{features} }}",
        path.display().to_string()
    )
}

/// The cargo that runs this task (so the same toolchain builds the scratch
/// project), or `cargo` from `PATH`.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs cargo with `args` in `project`, building into `target`; fails with
/// the command and project named.
pub fn cargo(
    project: &Path,
    target: &Path,
    args: &[&str],
    incremental: bool,
) -> Result<(), String> {
    let status = Command::new(cargo_program())
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", if incremental { "1" } else { "0" })
        .status()
        .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo {} failed in {}",
            args.join(" "),
            project.display()
        ))
    }
}

/// Where cargo unpacked a registry package the scratch project depends on.
pub fn registry_source(project: &Path, package: &str) -> Result<PathBuf, String> {
    let output = Command::new(cargo_program())
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(project)
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed in {}: {}",
            project.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == package)
        .and_then(|p| p["manifest_path"].as_str())
        .and_then(|manifest| Path::new(manifest).parent())
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("cargo metadata lists no package {package}"))
}

/// Writes `contents` to `path`, creating its directory; a file that already
/// holds exactly `contents` is left untouched so cargo sees no change.
pub fn write_if_changed(path: &Path, contents: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}
