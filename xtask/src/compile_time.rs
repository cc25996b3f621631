//! `cargo xtask compile-time [--runs N] [--peer VERSION] [--baseline DIR]
//! [--incremental] [--rows TEXT]`: how long debug builds take with `stytch-sdk` next to
//! the same builds with the official `stytch` crate.
//!
//! Two kinds of subject, each in its own scratch project in a temporary
//! directory, all sharing one target directory so that third-party
//! dependencies are built once (the official crate comes from crates.io, ours
//! by path; the official crate's subjects also turn on the TLS backend its
//! users must add, see [`OFFICIAL_TLS`]):
//!
//! - the SDK crate alone, under an empty library: what building the
//!   dependency costs;
//! - a user's binary making SDK calls: [`FEW_CALLS`] consumer calls, or all
//!   [`CALLS`] (consumer and B2B, every answer decoded and printed) plus one
//!   local session JWT check. The endpoint methods of this SDK are generic
//!   and inlined, so the decoding behind each call compiles in the user's
//!   crate; these rows count it where a user pays for it. A binary's row is
//!   its clean build (the SDK crate and the binary, third-party dependencies
//!   prebuilt); the larger binary is also timed when rebuilt after touching
//!   its `main.rs` (incremental, as cargo builds a user's own crate).
//!
//! Each measurement first removes the artifacts it times (`cargo clean -p`).
//! Rounds alternate between all subjects so that machine load affects each
//! alike; the median of each row is reported with its ratio to the same row
//! built with the official crate.
//!
//! The SDK crates build non-incrementally, which is how cargo builds any
//! crate that comes from a registry (ours is a path dependency here, so a
//! profile override turns incremental builds off for it). `--incremental`
//! compares the other like-for-like case: both SDK crates as path
//! dependencies (the official one from its unpacked registry source), both
//! built incrementally.
//!
//! `--baseline DIR` adds the `stytch-sdk` of another checkout (say `git
//! worktree add ../before <rev>`) to every row whose features it declares,
//! to compare a change before and after in the same run.
//!
//! `--rows TEXT` times only the rows whose label contains `TEXT` (ignoring
//! case), plus the first row, whose official build every uncompared row is
//! measured against.
//!
//! This is a maintainer's command: a round takes minutes, so CI never runs it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use crate::scratch;

/// The calls a downstream binary makes, each as written against this SDK and
/// against the official crate (whose request types all implement `Default`;
/// the values sent do not change what compiles). Consumer first, then B2B.
const CALLS: &[(&str, &str)] = &[
    (
        r#"c.users().get(stytch_sdk::consumer::users::GetRequest::new("user-test-1"))"#,
        r#"c.users.get(Default::default())"#,
    ),
    (
        r#"c.users().create(stytch_sdk::consumer::users::CreateRequest::new())"#,
        r#"c.users.create(Default::default())"#,
    ),
    (
        r#"c.users().search(stytch_sdk::consumer::users::SearchRequest::new())"#,
        r#"c.users.search(Default::default())"#,
    ),
    (
        r#"c.users().update(stytch_sdk::consumer::users::UpdateRequest::new("user-test-1"))"#,
        r#"c.users.update(Default::default())"#,
    ),
    (
        r#"c.sessions().authenticate(stytch_sdk::consumer::sessions::AuthenticateRequest::new())"#,
        r#"c.sessions.authenticate(Default::default())"#,
    ),
    (
        r#"c.users().delete(stytch_sdk::consumer::users::DeleteRequest::new("user-test-1"))"#,
        r#"c.users.delete(Default::default())"#,
    ),
    (
        r#"c.sessions().get(stytch_sdk::consumer::sessions::GetRequest::new("user-test-1"))"#,
        r#"c.sessions.get(Default::default())"#,
    ),
    (
        r#"c.sessions().revoke(stytch_sdk::consumer::sessions::RevokeRequest::new())"#,
        r#"c.sessions.revoke(Default::default())"#,
    ),
    (
        r#"c.magic_links().email().login_or_create(stytch_sdk::consumer::magic_links::email::LoginOrCreateRequest::new("a@example.com"))"#,
        r#"c.magic_links.email.login_or_create(Default::default())"#,
    ),
    (
        r#"c.magic_links().authenticate(stytch_sdk::consumer::magic_links::AuthenticateRequest::new("token"))"#,
        r#"c.magic_links.authenticate(Default::default())"#,
    ),
    (
        r#"c.otps().authenticate(stytch_sdk::consumer::otps::AuthenticateRequest::new("phone-test-1", "123456"))"#,
        r#"c.otps.authenticate(Default::default())"#,
    ),
    (
        r#"c.otps().sms().login_or_create(stytch_sdk::consumer::otps::sms::LoginOrCreateRequest::new("+12025550123"))"#,
        r#"c.otps.sms.login_or_create(Default::default())"#,
    ),
    (
        r#"c.otps().email().login_or_create(stytch_sdk::consumer::otps::email::LoginOrCreateRequest::new("a@example.com"))"#,
        r#"c.otps.email.login_or_create(Default::default())"#,
    ),
    (
        r#"c.passwords().create(stytch_sdk::consumer::passwords::CreateRequest::new("a@example.com", "correct horse"))"#,
        r#"c.passwords.create(Default::default())"#,
    ),
    (
        r#"c.passwords().authenticate(stytch_sdk::consumer::passwords::AuthenticateRequest::new("a@example.com", "correct horse"))"#,
        r#"c.passwords.authenticate(Default::default())"#,
    ),
    (
        r#"c.totps().create(stytch_sdk::consumer::totps::CreateRequest::new("user-test-1"))"#,
        r#"c.totps.create(Default::default())"#,
    ),
    (
        r#"c.oauth().authenticate(stytch_sdk::consumer::oauth::AuthenticateRequest::new("token"))"#,
        r#"c.oauth.authenticate(Default::default())"#,
    ),
    (
        r#"b.organizations().create(stytch_sdk::b2b::organizations::CreateRequest::new("Acme"))"#,
        r#"b.organizations.create(Default::default())"#,
    ),
    (
        r#"b.organizations().get(stytch_sdk::b2b::organizations::GetRequest::new("organization-test-1"))"#,
        r#"b.organizations.get(Default::default())"#,
    ),
    (
        r#"b.organizations().members().create(stytch_sdk::b2b::organizations::members::CreateRequest::new("organization-test-1", "a@example.com"))"#,
        r#"b.organizations.members.create(Default::default())"#,
    ),
    (
        r#"b.organizations().members().get(stytch_sdk::b2b::organizations::members::GetRequest::new("organization-test-1"))"#,
        r#"b.organizations.members.get(Default::default())"#,
    ),
    (
        r#"b.organizations().members().search(stytch_sdk::b2b::organizations::members::SearchRequest::new(vec!["organization-test-1".into()]))"#,
        r#"b.organizations.members.search(Default::default())"#,
    ),
    (
        r#"b.sessions().authenticate(stytch_sdk::b2b::sessions::AuthenticateRequest::new())"#,
        r#"b.sessions.authenticate(Default::default())"#,
    ),
    (
        r#"b.sessions().get(stytch_sdk::b2b::sessions::GetRequest::new("organization-test-1", "member-test-1"))"#,
        r#"b.sessions.get(Default::default())"#,
    ),
    (
        r#"b.magic_links().email().login_or_signup(stytch_sdk::b2b::magic_links::email::LoginOrSignupRequest::new("organization-test-1", "a@example.com"))"#,
        r#"b.magic_links.email.login_or_signup(Default::default())"#,
    ),
    (
        r#"b.magic_links().authenticate(stytch_sdk::b2b::magic_links::AuthenticateRequest::new("token"))"#,
        r#"b.magic_links.authenticate(Default::default())"#,
    ),
    (
        r#"b.otps().email().login_or_signup(stytch_sdk::b2b::otps::email::LoginOrSignupRequest::new("organization-test-1", "a@example.com"))"#,
        r#"b.otps.email.login_or_signup(Default::default())"#,
    ),
    (
        r#"b.otps().email().authenticate(stytch_sdk::b2b::otps::email::AuthenticateRequest::new("organization-test-1", "a@example.com", "123456"))"#,
        r#"b.otps.email.authenticate(Default::default())"#,
    ),
    (
        r#"b.discovery().organizations().list(stytch_sdk::b2b::discovery::organizations::ListRequest::new())"#,
        r#"b.discovery.organizations.list(Default::default())"#,
    ),
    (
        r#"b.passwords().authenticate(stytch_sdk::b2b::passwords::AuthenticateRequest::new("organization-test-1", "a@example.com", "correct horse"))"#,
        r#"b.passwords.authenticate(Default::default())"#,
    ),
];

/// How many of [`CALLS`] the smaller binary makes (all of them consumer
/// calls).
pub const FEW_CALLS: usize = 5;

/// Which SDK a subject builds with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sdk {
    /// The official `stytch` crate from crates.io.
    Official,
    /// `stytch-sdk` of the `--baseline` checkout.
    Baseline,
    /// `stytch-sdk` of this checkout.
    Ours,
}

/// What a scratch project contains besides its dependency.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Program {
    /// An empty library: only the SDK crate compiles.
    Empty,
    /// A binary making the first `calls` of [`CALLS`]; with `jwt`, also one
    /// local session JWT check.
    Calls { calls: usize, jwt: bool },
}

/// One line of the table.
struct Row {
    label: &'static str,
    /// Features of `stytch-sdk` (`None`: its defaults).
    features: Option<&'static str>,
    program: Program,
    /// Built with the official crate (and the baseline) too; rows without
    /// compare against the official crate of the first row.
    compared: bool,
    /// A binary also timed when rebuilt after its `main.rs` changed.
    rebuilt: bool,
}

static ROWS: &[Row] = &[
    Row {
        label: "SDK alone, default features",
        features: None,
        program: Program::Empty,
        compared: true,
        rebuilt: false,
    },
    Row {
        label: "SDK alone, consumer only",
        features: Some("consumer,rustls"),
        program: Program::Empty,
        compared: false,
        rebuilt: false,
    },
    Row {
        label: "SDK alone, b2b only",
        features: Some("b2b,rustls"),
        program: Program::Empty,
        compared: false,
        rebuilt: false,
    },
    Row {
        label: "SDK alone, default + test-util",
        features: Some("consumer,b2b,rustls,test-util"),
        program: Program::Empty,
        compared: false,
        rebuilt: false,
    },
    Row {
        label: "SDK alone, default + management",
        features: Some("consumer,b2b,rustls,management"),
        program: Program::Empty,
        compared: false,
        rebuilt: false,
    },
    Row {
        label: "(a) binary, 5 calls: clean",
        features: None,
        program: Program::Calls {
            calls: FEW_CALLS,
            jwt: false,
        },
        compared: true,
        rebuilt: false,
    },
    Row {
        label: "(b) binary, 30 calls + JWT: clean",
        features: None,
        program: Program::Calls {
            calls: CALLS.len(),
            jwt: true,
        },
        compared: true,
        rebuilt: true,
    },
];

/// The label of the second measurement of a binary: its rebuild.
const REBUILD: &str = "(c) (b) after touching main.rs";

/// One scratch project: a row built with one SDK.
struct Subject {
    row: &'static Row,
    sdk: Sdk,
    /// The checkout whose `stytch-sdk` it uses (unused for the official).
    checkout: PathBuf,
    project: PathBuf,
    /// Clean builds, and for binaries rebuilds after a touch.
    clean: Vec<Duration>,
    rebuild: Vec<Duration>,
}

impl Subject {
    /// The scratch project's package name (unique, so that binaries in the
    /// shared target directory do not overwrite each other).
    fn package(&self) -> String {
        self.project
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The package of the SDK crate it builds.
    fn sdk_package(&self) -> &'static str {
        match self.sdk {
            Sdk::Official => "stytch",
            Sdk::Baseline | Sdk::Ours => "stytch-sdk",
        }
    }
}

/// What to measure, from the command line.
pub struct Options {
    /// Rounds; every subject is built once per round.
    pub runs: usize,
    /// Version of the official crate.
    pub peer: String,
    /// Another checkout to build as well.
    pub baseline: Option<PathBuf>,
    /// Build both SDK crates as path dependencies, incrementally.
    pub incremental: bool,
    /// Only the rows whose label contains this (and the first row).
    pub rows: Option<String>,
}

/// Whether `--rows` keeps the row at `index`.
fn selected(index: usize, row: &Row, filter: Option<&str>) -> bool {
    index == 0
        || filter.is_none_or(|text| {
            row.label
                .to_ascii_lowercase()
                .contains(&text.to_ascii_lowercase())
        })
}

/// Runs the comparison and prints the table.
pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let (runs, peer, incremental) = (options.runs, options.peer.as_str(), options.incremental);
    if let Some(baseline) = &options.baseline
        && !baseline.join("stytch-sdk/Cargo.toml").is_file()
    {
        return Err(format!(
            "--baseline {}: no stytch-sdk/Cargo.toml there",
            baseline.display()
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let has_test_util = std::fs::read_to_string(root.join("stytch-sdk/Cargo.toml"))
        .map_err(|e| e.to_string())?
        .contains("test-util");
    let mut subjects = Vec::new();
    for (index, row) in ROWS.iter().enumerate() {
        if !selected(index, row, options.rows.as_deref()) {
            continue;
        }
        if !has_test_util && row.features.is_some_and(|f| f.contains("test-util")) {
            continue;
        }
        let mut with = vec![(Sdk::Ours, root.to_path_buf())];
        if let Some(baseline) = &options.baseline
            && declares_features(baseline, row.features)?
        {
            with.insert(0, (Sdk::Baseline, baseline.clone()));
        }
        if row.compared {
            with.insert(0, (Sdk::Official, root.to_path_buf()));
        }
        for (sdk, checkout) in with {
            let project = dir.path().join(format!("subject-{}", subjects.len()));
            subjects.push(Subject {
                row,
                sdk,
                checkout,
                project,
                clean: Vec::new(),
                rebuild: Vec::new(),
            });
        }
    }
    eprintln!("load before: {}", load());
    for subject in &subjects {
        let name = subject.package();
        scaffold(subject, &name, peer, incremental, None)?;
        if incremental && subject.sdk == Sdk::Official {
            // Fetch it once, then depend on its unpacked source by path.
            cargo(&subject.project, &["fetch", "--quiet"], incremental)?;
            let source = scratch::registry_source(&subject.project, "stytch")?;
            scaffold(subject, &name, peer, incremental, Some(&source))?;
        }
        eprintln!("warming up: {} ({:?})", subject.row.label, subject.sdk);
        cargo(&subject.project, &["build", "--quiet"], incremental)?;
    }
    for round in 1..=runs {
        for subject in &mut subjects {
            let (sdk, own) = (subject.sdk_package(), subject.package());
            let mut clean = vec!["clean", "--quiet", "-p", sdk];
            if subject.row.program != Program::Empty {
                clean.extend(["-p", own.as_str()]);
            }
            cargo(&subject.project, &clean, incremental)?;
            let took = timed(&subject.project, incremental)?;
            eprintln!(
                "round {round}: {} ({:?}) {took:.1?}",
                subject.row.label, subject.sdk
            );
            subject.clean.push(took);
            if subject.row.rebuilt {
                touch(&subject.project.join("src/main.rs"))?;
                let took = timed(&subject.project, incremental)?;
                eprintln!("round {round}: {REBUILD} ({:?}) {took:.1?}", subject.sdk);
                subject.rebuild.push(took);
            }
        }
    }
    eprintln!("load after: {}", load());
    let how = if incremental {
        "SDK crates incremental, as path dependencies"
    } else {
        "SDK crates not incremental, as cargo builds a registry dependency"
    };
    println!(
        "debug builds, third-party dependencies prebuilt ({how}); medians of {runs} alternating runs"
    );
    print!("{}", table(&mut subjects, options.baseline.is_some()));
    Ok(())
}

/// One timed `cargo build`.
fn timed(project: &Path, incremental: bool) -> Result<Duration, String> {
    let started = Instant::now();
    cargo(project, &["build", "--quiet"], incremental)?;
    Ok(started.elapsed())
}

/// Marks a file as changed, as an edit would.
fn touch(path: &Path) -> Result<(), String> {
    std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|file| file.set_modified(SystemTime::now()))
        .map_err(|e| format!("touching {}: {e}", path.display()))
}

/// The load averages, as `uptime` shows them.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Whether the `stytch-sdk` of `checkout` declares every feature in
/// `features` (comma-separated; `None`, its defaults, always holds), so that a
/// row can be built with it.
fn declares_features(checkout: &Path, features: Option<&str>) -> Result<bool, String> {
    let Some(features) = features else {
        return Ok(true);
    };
    let path = checkout.join("stytch-sdk/Cargo.toml");
    let manifest =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // The names at the start of the lines of the `[features]` table.
    let declared: Vec<&str> = manifest
        .lines()
        .skip_while(|line| line.trim() != "[features]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
        .collect();
    Ok(features
        .split(',')
        .all(|feature| declared.contains(&feature)))
}

/// The table of medians: a line per row (and one per binary's rebuild), a
/// column per SDK, each with its ratio to the official crate.
fn table(subjects: &mut [Subject], with_baseline: bool) -> String {
    // Each line: label, and the medians of the official, baseline and our SDK.
    let mut lines: Vec<(String, [Option<Duration>; 3])> = Vec::new();
    let column = |sdk: Sdk| match sdk {
        Sdk::Official => 0,
        Sdk::Baseline => 1,
        Sdk::Ours => 2,
    };
    for row in ROWS {
        let mut clean = [None; 3];
        let mut rebuild = [None; 3];
        let mut present = false;
        for subject in subjects.iter_mut().filter(|s| std::ptr::eq(s.row, row)) {
            present = true;
            clean[column(subject.sdk)] = Some(median(&mut subject.clean));
            if !subject.rebuild.is_empty() {
                rebuild[column(subject.sdk)] = Some(median(&mut subject.rebuild));
            }
        }
        if !present {
            continue;
        }
        lines.push((row.label.to_owned(), clean));
        if row.rebuilt {
            lines.push((REBUILD.to_owned(), rebuild));
        }
    }
    // Rows built only with our SDK compare against the official crate alone.
    let whole_official = lines.first().and_then(|(_, m)| m[0]);
    let mut out = format!(
        "  {:<38} {:>9} {}{:>15}\n",
        "",
        "official",
        if with_baseline {
            format!("{:>15}", "baseline")
        } else {
            String::new()
        },
        "this checkout"
    );
    for (label, medians) in &lines {
        let official = medians[0].or(whole_official);
        let cell = |value: Option<Duration>| match (value, official) {
            (Some(v), Some(o)) => format!(
                "{:>7.1} s {:>5.2}x",
                v.as_secs_f64(),
                v.as_secs_f64() / o.as_secs_f64()
            ),
            (Some(v), None) => format!("{:>7.1} s       ", v.as_secs_f64()),
            (None, _) => format!("{:>15}", "-"),
        };
        let official_cell = match medians[0] {
            Some(v) => format!("{:>7.1} s", v.as_secs_f64()),
            None => format!("{:>9}", "-"),
        };
        let baseline = if with_baseline {
            cell(medians[1])
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {label:<38} {official_cell} {baseline}{}\n",
            cell(medians[2])
        ));
    }
    out
}

/// Writes a subject's scratch project: a manifest naming its SDK (the
/// official crate from the registry, or from `official_source` when given)
/// and its program.
fn scaffold(
    subject: &Subject,
    name: &str,
    peer: &str,
    incremental: bool,
    official_source: Option<&Path>,
) -> Result<(), String> {
    let project = &subject.project;
    std::fs::create_dir_all(project.join("src")).map_err(|e| e.to_string())?;
    let dependency = match (subject.sdk, official_source) {
        (Sdk::Official, Some(source)) => format!(
            "stytch = {{ path = {:?} }}\n{OFFICIAL_TLS}",
            source.display().to_string()
        ),
        (Sdk::Official, None) => format!("stytch = \"={peer}\"\n{OFFICIAL_TLS}"),
        (Sdk::Baseline | Sdk::Ours, _) => {
            let path = subject.checkout.join("stytch-sdk");
            let features = match subject.row.features {
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
    };
    // A path dependency builds incrementally unless told otherwise; a
    // registry one never does.
    let profile = if subject.sdk != Sdk::Official && !incremental {
        "\n[profile.dev.package.stytch-sdk]\nincremental = false\n"
    } else {
        ""
    };
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependency}\n{profile}\n[workspace]\n"
    );
    std::fs::write(project.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    let (file, text) = match subject.row.program {
        Program::Empty => ("src/lib.rs", String::new()),
        Program::Calls { calls, jwt } => ("src/main.rs", program(subject.sdk, calls, jwt)),
    };
    std::fs::write(project.join(file), text).map_err(|e| e.to_string())
}

/// The `main.rs` of a user's binary making the first `calls` of [`CALLS`]
/// with `sdk` (and with `jwt`, checking a session JWT locally). It is only
/// built, never run: `main` polls the calls once so that they are compiled.
fn program(sdk: Sdk, calls: usize, jwt: bool) -> String {
    let official = sdk == Sdk::Official;
    let mut body = String::new();
    for (ours, theirs) in &CALLS[..calls.min(CALLS.len())] {
        let call = if official { theirs } else { ours };
        body.push_str(&format!("    show(&{call}.await?);\n"));
    }
    if jwt {
        // The official crate checks no session JWT locally; its local JWT
        // check is the M2M one, which does the same work (key set, RS256).
        body.push_str(if official {
            "    show(&c.m2m.authenticate_token(Default::default()).await?);\n"
        } else {
            "    let options = stytch_sdk::auth::SessionJwtOptions::default();\n    show(&c.sessions().authenticate_jwt_local(\"eyJhbGciOiJSUzI1NiJ9.e30.c2ln\", &options).await?);\n"
        });
    }
    let (consumer, b2b, result, new_consumer, new_b2b) = if official {
        (
            "stytch::consumer::client::Client",
            "stytch::b2b::client::Client",
            "stytch::Result<()>",
            "stytch::consumer::client::Client::new",
            "stytch::b2b::client::Client::new",
        )
    } else {
        (
            "stytch_sdk::Client",
            "stytch_sdk::B2BClient",
            "Result<(), stytch_sdk::Error>",
            "stytch_sdk::Client::new",
            "stytch_sdk::B2BClient::new",
        )
    };
    format!(
        r#"//! A user's binary: SDK calls whose answers are decoded and printed.
#![allow(unused)]
use std::future::Future;

fn show<T: std::fmt::Debug>(answer: &T) {{
    println!("{{answer:?}}");
}}

async fn calls(c: &{consumer}, b: &{b2b}) -> {result} {{
{body}    Ok(())
}}

fn main() {{
    let c = {new_consumer}("project-test-1", "secret-test-1").expect("client");
    let b = {new_b2b}("project-test-1", "secret-test-1").expect("client");
    let mut calls = std::pin::pin!(calls(&c, &b));
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = calls.as_mut().poll(&mut context);
}}
"#
    )
}

/// What a user of the official crate adds to reach Stytch at all: the
/// crate builds `reqwest` without a TLS backend, so its calls to the https
/// API hosts fail unless the user's own manifest turns one on. Its subjects
/// get the backend this SDK uses by default (rustls), so that both sides
/// build and link a program that works.
const OFFICIAL_TLS: &str =
    "reqwest = { version = \"0.13\", default-features = false, features = [\"rustls\"] }";

/// Runs cargo in a scratch project; all projects share one target directory
/// beside them, so dependencies built with the same features are built once.
/// Without `incremental`, cargo's defaults apply (the user's own crate
/// incremental) and the manifest's profile keeps the SDK crate from it.
fn cargo(project: &Path, args: &[&str], incremental: bool) -> Result<(), String> {
    let target = project.parent().unwrap_or(project).join("target");
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target);
    if incremental {
        command.env("CARGO_INCREMENTAL", "1");
    } else {
        command.env_remove("CARGO_INCREMENTAL");
    }
    let status = command
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

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_builds_the_rows_whose_features_it_declares() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("stytch-sdk")).unwrap();
        std::fs::write(
            dir.path().join("stytch-sdk/Cargo.toml"),
            "[package]\nname = \"stytch-sdk\"\n\n[features]\ndefault = [\"consumer\"]\n\
             consumer = []\nb2b = []\nrustls = [\"reqwest/rustls\"]\n\n[dependencies]\n\
             management = \"1\"\n",
        )
        .unwrap();
        assert!(declares_features(dir.path(), None).unwrap());
        assert!(declares_features(dir.path(), Some("b2b,rustls")).unwrap());
        // A dependency of the same name is not a feature.
        assert!(!declares_features(dir.path(), Some("consumer,management")).unwrap());
        let missing = declares_features(&dir.path().join("nowhere"), Some("b2b")).unwrap_err();
        assert!(missing.contains("nowhere"), "{missing}");
    }

    fn subject(row: usize, sdk: Sdk, project: &Path) -> Subject {
        Subject {
            row: &ROWS[row],
            sdk,
            checkout: PathBuf::from("/repo"),
            project: project.to_path_buf(),
            clean: Vec::new(),
            rebuild: Vec::new(),
        }
    }

    #[test]
    fn a_row_filter_keeps_matching_rows_and_the_reference_row() {
        let kept = |filter: Option<&str>| {
            ROWS.iter()
                .enumerate()
                .filter(|(i, row)| selected(*i, row, filter))
                .map(|(_, row)| row.label)
                .collect::<Vec<_>>()
        };
        assert_eq!(kept(None).len(), ROWS.len());
        assert_eq!(
            kept(Some("MANAGEMENT")),
            [
                "SDK alone, default features",
                "SDK alone, default + management"
            ]
        );
        assert_eq!(kept(Some("no such row")), ["SDK alone, default features"]);
    }

    #[test]
    fn the_median_is_the_middle_run() {
        let mut runs = [3, 1, 2].map(Duration::from_secs);
        assert_eq!(median(&mut runs), Duration::from_secs(2));
    }

    #[test]
    fn scaffolds_name_the_crate_its_features_and_keep_it_out_of_incremental_builds() {
        let dir = tempfile::tempdir().unwrap();
        let read = || std::fs::read_to_string(dir.path().join("Cargo.toml")).unwrap();
        scaffold(
            &subject(1, Sdk::Ours, dir.path()),
            "s",
            "11.1.0",
            false,
            None,
        )
        .unwrap();
        let manifest = read();
        assert!(
            manifest.contains(
                "stytch-sdk = { path = \"/repo/stytch-sdk\", default-features = false, features = [\"consumer\", \"rustls\"] }"
            ),
            "{manifest}"
        );
        assert!(
            manifest.contains("[profile.dev.package.stytch-sdk]\nincremental = false"),
            "{manifest}"
        );
        scaffold(
            &subject(1, Sdk::Ours, dir.path()),
            "s",
            "11.1.0",
            true,
            None,
        )
        .unwrap();
        assert!(!read().contains("incremental = false"), "{}", read());
        scaffold(
            &subject(0, Sdk::Official, dir.path()),
            "s",
            "11.1.0",
            false,
            None,
        )
        .unwrap();
        let manifest = read();
        assert!(manifest.contains("stytch = \"=11.1.0\""), "{manifest}");
        assert!(manifest.contains(OFFICIAL_TLS), "{manifest}");
        assert!(!manifest.contains("[profile"), "{manifest}");
        let source = Path::new("/registry/stytch-11.1.0");
        let official = subject(0, Sdk::Official, dir.path());
        scaffold(&official, "s", "11.1.0", true, Some(source)).unwrap();
        let manifest = read();
        assert!(
            manifest.contains("stytch = { path = \"/registry/stytch-11.1.0\" }"),
            "{manifest}"
        );
    }

    #[test]
    fn binaries_make_the_same_calls_with_either_sdk() {
        let ours = program(Sdk::Ours, FEW_CALLS, false);
        let theirs = program(Sdk::Official, FEW_CALLS, false);
        assert_eq!(ours.matches(".await?").count(), FEW_CALLS, "{ours}");
        assert_eq!(theirs.matches(".await?").count(), FEW_CALLS, "{theirs}");
        assert!(ours.contains("c.users().get(") && theirs.contains("c.users.get("));
        assert!(!ours.contains("b.") && !ours.contains("authenticate_jwt_local"));
        let ours = program(Sdk::Ours, CALLS.len(), true);
        let theirs = program(Sdk::Official, CALLS.len(), true);
        assert_eq!(ours.matches(".await?").count(), CALLS.len() + 1, "{ours}");
        assert_eq!(
            theirs.matches(".await?").count(),
            CALLS.len() + 1,
            "{theirs}"
        );
        assert!(ours.contains("authenticate_jwt_local("), "{ours}");
        assert!(theirs.contains("c.m2m.authenticate_token("), "{theirs}");
        assert!(
            ours.contains("b.organizations().members().search("),
            "{ours}"
        );
        assert!(
            theirs.contains("b.organizations.members.search("),
            "{theirs}"
        );
    }

    #[test]
    fn each_call_is_the_same_endpoint_in_both_crates() {
        for (ours, theirs) in CALLS {
            // `c.users().get(..)` and `c.users.get(..)` name the same path.
            let path = |call: &str| {
                call.split('(')
                    .next()
                    .unwrap_or_default()
                    .replace("()", "")
                    .to_owned()
            };
            let ours = ours.replace("()", "");
            assert_eq!(path(&ours), path(theirs), "{ours} / {theirs}");
        }
        assert!(
            CALLS[..FEW_CALLS]
                .iter()
                .all(|(ours, _)| ours.starts_with("c."))
        );
        assert!(CALLS.iter().any(|(ours, _)| ours.starts_with("b.")));
        assert!((28..=32).contains(&CALLS.len()));
    }

    #[test]
    fn the_table_gives_each_row_its_ratio_to_the_official_crate() {
        let dir = Path::new("/scratch");
        // The larger binary: the row also timed when rebuilt.
        let b = ROWS.iter().position(|r| r.rebuilt).expect("a rebuilt row");
        let mut subjects: Vec<Subject> = [
            (0, Sdk::Official, 40),
            (0, Sdk::Baseline, 20),
            (0, Sdk::Ours, 10),
            (1, Sdk::Ours, 8),
            (b, Sdk::Official, 50),
            (b, Sdk::Baseline, 30),
            (b, Sdk::Ours, 25),
        ]
        .into_iter()
        .map(|(row, sdk, seconds)| {
            let mut s = subject(row, sdk, dir);
            s.clean.push(Duration::from_secs(seconds));
            if ROWS[row].rebuilt {
                s.rebuild.push(Duration::from_secs(seconds / 5));
            }
            s
        })
        .collect();
        let table = table(&mut subjects, true);
        let line = |label: &str| {
            table
                .lines()
                .find(|l| l.trim_start().starts_with(label))
                .unwrap_or_else(|| panic!("no {label} in\n{table}"))
                .to_owned()
        };
        let whole = line("SDK alone, default features");
        assert!(
            whole.contains("40.0 s") && whole.contains("0.50x") && whole.contains("0.25x"),
            "{whole}"
        );
        // One product, against the whole official crate.
        assert!(
            line("SDK alone, consumer only").contains("0.20x"),
            "{table}"
        );
        assert!(line("(b)").contains("0.50x"), "{table}");
        let rebuild = line("(c)");
        assert!(
            rebuild.contains("10.0 s") && rebuild.contains("0.60x"),
            "{rebuild}"
        );
    }
}
