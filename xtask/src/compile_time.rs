//! `cargo xtask compile-time [--runs N] [--peer VERSION]`: how long a debug
//! build of `stytch-sdk` takes next to the official `stytch` crate.
//!
//! Both crates are built as dependencies of one scratch project in a
//! temporary directory (the official crate comes from crates.io, ours by
//! path), so they share the same dependency builds and profile. After one
//! warm-up build, each measurement removes only the SDK crate's own artifacts
//! (`cargo clean -p <crate>`) and times `cargo build`: dependencies stay
//! built, only the SDK crate compiles. Runs alternate between the crates so
//! that machine load affects both alike; the median of each is reported,
//! with its ratio to the official crate.
//!
//! Builds are not incremental (`CARGO_INCREMENTAL=0`), which is how cargo
//! builds any crate that comes from a registry: a user of either SDK gets
//! it that way. Cargo would otherwise build our crate, a path dependency
//! here, incrementally and the official one not, which costs our side about
//! half as much again (writing the incremental cache) and compares unlike
//! builds. `--incremental` compares the other like-for-like case: both
//! crates as path dependencies (the official one from its unpacked registry
//! source), both built incrementally from scratch.
//!
//! `--baseline DIR` adds one more subject: the `stytch-sdk` of another
//! checkout (say `git worktree add ../before <rev>`), default features, to
//! compare a change before and after in the same run.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::scratch;

/// One thing to build: a crate, with the features to enable.
struct Subject {
    label: &'static str,
    package: &'static str,
    features: Option<&'static str>,
}

const SUBJECTS: &[Subject] = &[
    Subject {
        label: "official stytch (whole API)",
        package: "stytch",
        features: None,
    },
    Subject {
        label: "stytch-sdk, default features",
        package: "stytch-sdk",
        features: None,
    },
    Subject {
        label: "stytch-sdk, consumer only",
        package: "stytch-sdk",
        features: Some("consumer,rustls"),
    },
    Subject {
        label: "stytch-sdk, b2b only",
        package: "stytch-sdk",
        features: Some("b2b,rustls"),
    },
    Subject {
        label: "stytch-sdk, default + test-util",
        package: "stytch-sdk",
        features: Some("consumer,b2b,rustls,test-util"),
    },
];

/// What to measure, from the command line.
pub struct Options {
    pub runs: usize,
    /// Version of the official crate.
    pub peer: String,
    /// Another checkout to build as well.
    pub baseline: Option<std::path::PathBuf>,
    /// Build both crates as path dependencies, incrementally.
    pub incremental: bool,
}

/// Runs the comparison and prints one line per subject.
pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let (runs, peer, incremental) = (options.runs, options.peer.as_str(), options.incremental);
    let baseline = options.baseline.as_deref();
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let has_test_util = std::fs::read_to_string(root.join("stytch-sdk/Cargo.toml"))
        .map_err(|e| e.to_string())?
        .contains("test-util");
    // Each subject with the checkout it builds from.
    let mut subjects: Vec<(String, &Subject, &Path)> = SUBJECTS
        .iter()
        .filter(|s| has_test_util || !s.features.is_some_and(|f| f.contains("test-util")))
        .map(|s| (s.label.to_owned(), s, root))
        .collect();
    if let Some(baseline) = baseline {
        if !baseline.join("stytch-sdk/Cargo.toml").is_file() {
            return Err(format!(
                "--baseline {}: no stytch-sdk/Cargo.toml there",
                baseline.display()
            ));
        }
        subjects.insert(
            1,
            (
                "baseline, default features".to_owned(),
                &SUBJECTS[1],
                baseline,
            ),
        );
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    for (i, (label, subject, checkout)) in subjects.iter().enumerate() {
        // One scratch project per subject, so feature sets do not mix.
        let project = dir.path().join(format!("subject-{i}"));
        scaffold(&project, checkout, subject, peer, None)?;
        if incremental && subject.package == "stytch" {
            // Fetch it once, then depend on its unpacked source by path.
            cargo(&project, &["fetch", "--quiet"], incremental)?;
            let source = scratch::registry_source(&project, subject.package)?;
            scaffold(&project, checkout, subject, peer, Some(&source))?;
        }
        eprintln!("warming up: {label}");
        cargo(&project, &["build", "--quiet"], incremental)?;
    }
    for round in 0..runs {
        for (i, (label, subject, _)) in subjects.iter().enumerate() {
            let project = dir.path().join(format!("subject-{i}"));
            cargo(
                &project,
                &["clean", "--quiet", "-p", subject.package],
                incremental,
            )?;
            let started = Instant::now();
            cargo(&project, &["build", "--quiet"], incremental)?;
            let took = started.elapsed();
            eprintln!("round {}: {label} {:.1?}", round + 1, took);
            times[i].push(took);
        }
    }
    let medians: Vec<Duration> = times.iter_mut().map(|t| median(t)).collect();
    let peer_median = medians[0].as_secs_f64();
    let how = if incremental {
        "incremental, both crates as path dependencies"
    } else {
        "not incremental, as cargo builds a registry dependency"
    };
    println!(
        "debug build of the SDK crate alone (dependencies prebuilt; {how}), median of {runs}:"
    );
    for ((label, _, _), m) in subjects.iter().zip(&medians) {
        println!(
            "  {:<36} {:>6.1} s  {:.2}x official",
            label,
            m.as_secs_f64(),
            m.as_secs_f64() / peer_median
        );
    }
    Ok(())
}

/// Writes a scratch crate depending on the subject only; the official crate
/// comes from the registry, or from `official_source` when given.
fn scaffold(
    project: &Path,
    root: &Path,
    subject: &Subject,
    peer: &str,
    official_source: Option<&Path>,
) -> Result<(), String> {
    std::fs::create_dir_all(project.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(project.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let dependency = match (subject.package, official_source) {
        ("stytch", Some(source)) => {
            format!("stytch = {{ path = {:?} }}", source.display().to_string())
        }
        ("stytch", None) => format!("stytch = \"={peer}\""),
        _ => scratch::sdk_dependency(root, subject.features),
    };
    let manifest = scratch::manifest("compile-time-subject", &dependency);
    std::fs::write(project.join("Cargo.toml"), manifest).map_err(|e| e.to_string())
}

/// Runs cargo in a scratch project; all projects share one target directory
/// beside them, so dependencies built with the same features are built once.
fn cargo(project: &Path, args: &[&str], incremental: bool) -> Result<(), String> {
    let target = project.parent().unwrap_or(project).join("target");
    scratch::cargo(project, &target, args, incremental)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_run() {
        let mut runs = [3, 1, 2].map(Duration::from_secs);
        assert_eq!(median(&mut runs), Duration::from_secs(2));
    }

    #[test]
    fn scaffolds_name_the_crate_and_its_features() {
        let dir = tempfile::tempdir().unwrap();
        scaffold(dir.path(), Path::new("/repo"), &SUBJECTS[2], "11.1.0", None).unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(
                "stytch-sdk = { path = \"/repo/stytch-sdk\", default-features = false, features = [\"consumer\", \"rustls\"] }"
            ),
            "{manifest}"
        );
        scaffold(dir.path(), Path::new("/repo"), &SUBJECTS[0], "11.1.0", None).unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("stytch = \"=11.1.0\""), "{manifest}");
        let source = Path::new("/registry/stytch-11.1.0");
        scaffold(
            dir.path(),
            Path::new("/repo"),
            &SUBJECTS[0],
            "11.1.0",
            Some(source),
        )
        .unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("stytch = { path = \"/registry/stytch-11.1.0\" }"),
            "{manifest}"
        );
    }
}
