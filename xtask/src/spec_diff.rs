//! `cargo xtask spec-diff <git-rev> [--deny-breaking]`: compares the spec of a git revision
//! with the working `spec/`, sorts every change by what it means for the semver of the
//! published `stytch-sdk` crate, and prints a CHANGELOG section with the version bump it
//! implies.
//!
//! # How changes are classified
//!
//! The classification is about the Rust API and the wire behaviour of the generated crate,
//! not about the HTTP API alone:
//!
//! - **Breaking**: something a caller can name disappears or changes type (namespace,
//!   endpoint, parameter, field, object type, enum, enum value, enum alias target); a
//!   request changes shape (a new required parameter, optional → required, and also
//!   required → optional, because required parameters are the arguments of the request's
//!   `new()` and that signature changes); the wire changes (host, path, HTTP method,
//!   encoding, parameter location or header names, a fixed value, a wire format); a
//!   documented range gets narrower (values accepted before are now refused before
//!   sending); a field's nilability flips either way (the Rust field changes between `T`
//!   and `Option<T>`); a new field in an object type (model structs are exhaustive, so
//!   struct literals that build them stop compiling).
//! - **Additive**: new namespaces, endpoints, optional or local parameters, parameters
//!   with a fixed value (the SDK sends them by itself), response fields (response structs
//!   are `#[non_exhaustive]`), object types, enums and enum values (enums are
//!   `#[non_exhaustive]` and keep unknown values in `Unrecognized`, so a new value is not
//!   a break), a wider documented range, and an endpoint newly marked idempotent or no
//!   longer so (only the retry behaviour changes).
//! - **Docs-only**: changed doc texts and documented defaults (the SDK never sends a
//!   default; it only appears in the docs).
//!
//! A rename shows up as a removal plus an addition: the model has no notion of identity
//! beyond names.
//!
//! # Version bump
//!
//! Before 1.0 (`0.y.z`) a breaking change raises the minor version and anything else
//! the patch version; from 1.0 on the usual major / minor / patch rule applies (breaking
//! → major, additive → minor, docs-only → patch). No change needs no release.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use stytch_codegen::model::{
    Api, Encoding, EnumType, Field, Host, Location, Namespace, ObjectType, Param, WireFormat,
};

/// What a change means for the crate's semver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Callers or the wire may break.
    Breaking,
    /// New surface; existing callers keep working.
    Additive,
    /// Only doc texts change.
    DocsOnly,
}

/// One classified change, described as a line of Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its class.
    pub kind: Kind,
    /// What changed.
    pub text: String,
}

/// Runs the command: the spec at `rev` against the working `spec/` of `root`.
pub fn run(root: &Path, rev: &str, deny_breaking: bool) -> Result<(), String> {
    let old_dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    extract_spec(root, rev, old_dir.path())?;
    let old = stytch_codegen::model(&old_dir.path().join("spec"))
        .map_err(|e| format!("the spec at `{rev}` does not load with today's generator:\n{e}"))?;
    let new = stytch_codegen::model(&root.join("spec")).map_err(|e| e.to_string())?;
    let version = crate::sdk_version(root)?;
    let changes = compare(&old, &new);
    print!("{}", changelog(&changes, rev, &version));
    if deny_breaking && changes.iter().any(|c| c.kind == Kind::Breaking) {
        return Err(format!(
            "breaking spec changes since `{rev}` (--deny-breaking)"
        ));
    }
    Ok(())
}

/// Writes the `spec/` directory as committed at `rev` into `into/spec`.
fn extract_spec(root: &Path, rev: &str, into: &Path) -> Result<(), String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .map_err(|e| format!("running git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("`{rev}` is not a commit of this repository"))?;
    let archive = into.join("spec.tar");
    let archive_arg = archive.to_string_lossy().into_owned();
    git(&[
        "archive",
        "--format=tar",
        "-o",
        &archive_arg,
        commit.trim(),
        "spec",
    ])?;
    let status = Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(into)
        .status()
        .map_err(|e| format!("running tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar could not unpack {}", archive.display()));
    }
    Ok(())
}

/// The version that follows `current` given `changes`, or `None` when nothing changed.
pub fn next_version(current: &str, changes: &[Change]) -> Result<Option<String>, String> {
    let parts: Vec<u64> = current
        .split('.')
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{current}` is not a major.minor.patch version"))?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!("`{current}` is not a major.minor.patch version"));
    };
    let Some(worst) = changes.iter().map(|c| c.kind).min() else {
        return Ok(None);
    };
    let next = match (major, worst) {
        (0, Kind::Breaking) => (0, minor + 1, 0),
        (0, _) => (0, minor, patch + 1),
        (_, Kind::Breaking) => (major + 1, 0, 0),
        (_, Kind::Additive) => (major, minor + 1, 0),
        (_, Kind::DocsOnly) => (major, minor, patch + 1),
    };
    Ok(Some(format!("{}.{}.{}", next.0, next.1, next.2)))
}

/// A Markdown CHANGELOG section for `changes` since `since`, with the version bump.
pub fn changelog(changes: &[Change], since: &str, current: &str) -> String {
    let mut out = String::new();
    let next = match next_version(current, changes) {
        Ok(next) => next,
        Err(e) => {
            let _ = writeln!(out, "<!-- {e} -->");
            None
        }
    };
    let Some(next) = next else {
        let _ = writeln!(
            out,
            "## stytch-sdk {current}: no spec changes since `{since}`\n\nNo release needed."
        );
        return out;
    };
    let worst = changes.iter().map(|c| c.kind).min();
    let reason = match (current.starts_with("0."), worst) {
        (true, Some(Kind::Breaking)) => "breaking changes raise the minor version before 1.0",
        (true, _) => "no breaking changes: a patch release before 1.0",
        (false, Some(Kind::Breaking)) => "breaking changes raise the major version",
        (false, Some(Kind::Additive)) => "additions raise the minor version",
        (false, _) => "documentation only: a patch release",
    };
    let _ = writeln!(out, "## stytch-sdk {next} (spec changes since `{since}`)\n");
    let _ = writeln!(out, "Version bump: {current} → {next} ({reason}).");
    for (kind, title) in [
        (Kind::Breaking, "Breaking changes"),
        (Kind::Additive, "Additions"),
        (Kind::DocsOnly, "Documentation"),
    ] {
        let lines: Vec<&Change> = changes.iter().filter(|c| c.kind == kind).collect();
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {title} ({})\n", lines.len());
        for c in lines {
            let _ = writeln!(out, "- {}", c.text);
        }
    }
    out
}

/// Every change from `old` to `new`: breaking ones first, then additions, then doc changes,
/// each in spec order (namespaces, then types, then enums, each sorted by id).
pub fn compare(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Changes::default();
    let (old_ns, new_ns) = (namespaces(old), namespaces(new));
    for (id, o) in &old_ns {
        match new_ns.get(id) {
            None => out.push(
                Kind::Breaking,
                format!(
                    "namespace `{id}` removed{}",
                    endpoint_list(o, " (with its endpoints ", ")")
                ),
            ),
            Some(n) => compare_namespace(&mut out, o, n),
        }
    }
    for (id, n) in &new_ns {
        if !old_ns.contains_key(id) {
            out.push(
                Kind::Additive,
                format!(
                    "new namespace `{id}`{}",
                    endpoint_list(n, " with endpoints ", "")
                ),
            );
        }
    }

    let (old_types, new_types) = (object_types(old), object_types(new));
    for (id, o) in &old_types {
        match new_types.get(id) {
            None => out.push(Kind::Breaking, format!("type `{id}` removed")),
            Some(n) => {
                if o.doc != n.doc {
                    out.push(Kind::DocsOnly, format!("type `{id}`: doc text changed"));
                }
                compare_fields(
                    &mut out,
                    &format!("type `{id}`"),
                    &o.fields,
                    &n.fields,
                    true,
                );
            }
        }
    }
    for id in new_types.keys().filter(|id| !old_types.contains_key(*id)) {
        out.push(Kind::Additive, format!("new type `{id}`"));
    }

    let (old_enums, new_enums) = (enums(old), enums(new));
    for (id, o) in &old_enums {
        match new_enums.get(id) {
            None => out.push(Kind::Breaking, format!("enum `{id}` removed")),
            Some(n) => compare_enum(&mut out, id, o, n),
        }
    }
    for id in new_enums.keys().filter(|id| !old_enums.contains_key(*id)) {
        out.push(Kind::Additive, format!("new enum `{id}`"));
    }
    out.0.sort_by_key(|c| c.kind);
    out.0
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, kind: Kind, text: String) {
        self.0.push(Change { kind, text });
    }
}

fn namespaces(api: &Api) -> BTreeMap<String, &Namespace> {
    api.all_namespaces()
        .into_iter()
        .map(|n| (n.id.clone(), n))
        .collect()
}

fn object_types(api: &Api) -> BTreeMap<String, &ObjectType> {
    api.object_types()
        .into_iter()
        .map(|(id, t)| (id.to_string(), t))
        .collect()
}

fn enums(api: &Api) -> BTreeMap<String, &EnumType> {
    api.enums()
        .into_iter()
        .map(|(id, e)| (id.to_string(), e))
        .collect()
}

fn endpoint_list(ns: &Namespace, before: &str, after: &str) -> String {
    if ns.endpoints.is_empty() {
        return String::new();
    }
    let names: Vec<String> = ns
        .endpoints
        .iter()
        .map(|e| format!("`{}`", e.name))
        .collect();
    format!("{before}{}{after}", names.join(", "))
}

fn host_name(host: Host) -> &'static str {
    match host {
        Host::Api => "api",
        Host::Telemetry => "telemetry",
    }
}

fn compare_namespace(out: &mut Changes, o: &Namespace, n: &Namespace) {
    let id = &o.id;
    if o.host != n.host {
        out.push(
            Kind::Breaking,
            format!(
                "namespace `{id}`: host changed from {} to {}",
                host_name(o.host),
                host_name(n.host)
            ),
        );
    }
    if o.doc != n.doc {
        out.push(
            Kind::DocsOnly,
            format!("namespace `{id}`: doc text changed"),
        );
    }
    for e in &o.endpoints {
        let Some(f) = n.endpoints.iter().find(|f| f.name == e.name) else {
            out.push(Kind::Breaking, format!("endpoint `{}` removed", e.id));
            continue;
        };
        let what = format!("endpoint `{}`", e.id);
        if (&e.http, &e.path) != (&f.http, &f.path) {
            out.push(
                Kind::Breaking,
                format!(
                    "{what}: `{} {}` became `{} {}`",
                    e.http, e.path, f.http, f.path
                ),
            );
        }
        if e.encoding != f.encoding {
            out.push(
                Kind::Breaking,
                format!(
                    "{what}: parameters now travel as {} instead of {}",
                    encoding_text(f.encoding),
                    encoding_text(e.encoding)
                ),
            );
        }
        if e.idempotent != f.idempotent {
            let now = if f.idempotent {
                "is now idempotent (the transport may retry it)"
            } else {
                "is no longer idempotent (the transport no longer retries it)"
            };
            out.push(Kind::Additive, format!("{what} {now}"));
        }
        if e.doc != f.doc {
            out.push(Kind::DocsOnly, format!("{what}: doc text changed"));
        }
        for p in &e.params {
            match f.params.iter().find(|q| q.name == p.name) {
                None => out.push(
                    Kind::Breaking,
                    format!("{what}: parameter `{}` removed", p.name),
                ),
                Some(q) => compare_param(out, &what, p, q),
            }
        }
        for q in f
            .params
            .iter()
            .filter(|q| !e.params.iter().any(|p| p.name == q.name))
        {
            let (kind, how) = match (&q.fixed, q.required, &q.location) {
                (Some(value), _, _) => (
                    Kind::Additive,
                    format!("always sent as `{value}` by the SDK"),
                ),
                (None, true, _) => (Kind::Breaking, "required: a new argument of `new()`".into()),
                (None, false, Location::Local) => {
                    (Kind::Additive, "optional, checked locally".into())
                }
                (None, false, _) => (Kind::Additive, "optional".into()),
            };
            out.push(kind, format!("{what}: new parameter `{}` ({how})", q.name));
        }
        compare_fields(
            out,
            &format!("{what} response"),
            &e.response,
            &f.response,
            false,
        );
    }
    for f in &n.endpoints {
        if !o.endpoints.iter().any(|e| e.name == f.name) {
            out.push(
                Kind::Additive,
                format!("new endpoint `{}` (`{} {}`)", f.id, f.http, f.path),
            );
        }
    }
}

fn encoding_text(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Json => "a JSON body",
        Encoding::Query => "a query string",
        Encoding::Form => "a form body",
    }
}

fn location_text(location: &Location) -> String {
    match location {
        Location::Path => "the path".into(),
        Location::Query => "the query string".into(),
        Location::Body => "the body".into(),
        Location::Local => "nowhere (checked locally)".into(),
        Location::Header { token, jwt } => format!("the headers `{token}` / `{jwt}`"),
    }
}

fn format_text(format: Option<WireFormat>) -> &'static str {
    match format {
        Some(WireFormat::SpaceSeparated) => "a space-separated list (`Vec<String>` in Rust)",
        None => "a plain value",
    }
}

fn compare_param(out: &mut Changes, endpoint: &str, p: &Param, q: &Param) {
    let what = format!("{endpoint}: parameter `{}`", p.name);
    // A wire format decides the Rust type by itself; its change is reported below.
    if p.ty != q.ty && p.format == q.format {
        out.push(
            Kind::Breaking,
            format!(
                "{what} changed type from `{}` to `{}`",
                p.ty.spec_text(),
                q.ty.spec_text()
            ),
        );
    }
    if p.required != q.required {
        let now = if q.required {
            "is now required"
        } else {
            "is now optional (it leaves the arguments of `new()`)"
        };
        out.push(Kind::Breaking, format!("{what} {now}"));
    }
    if p.location != q.location {
        out.push(
            Kind::Breaking,
            format!(
                "{what} moved from {} to {}",
                location_text(&p.location),
                location_text(&q.location)
            ),
        );
    }
    if p.fixed != q.fixed {
        let show = |v: &Option<String>| match v {
            Some(v) => format!("`{v}`"),
            None => "none".to_owned(),
        };
        out.push(
            Kind::Breaking,
            format!(
                "{what}: fixed value changed from {} to {}",
                show(&p.fixed),
                show(&q.fixed)
            ),
        );
    }
    if p.format != q.format {
        out.push(
            Kind::Breaking,
            format!(
                "{what}: wire format changed from {} to {}",
                format_text(p.format),
                format_text(q.format)
            ),
        );
    }
    // A lower bound that rises or an upper bound that falls refuses values that passed before.
    let narrower = |old: Option<i64>, new: Option<i64>, lower: bool| match (old, new) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(n)) => {
            if lower {
                n > o
            } else {
                n < o
            }
        }
    };
    for (name, old, new, lower) in [
        ("minimum", p.min, q.min, true),
        ("maximum", p.max, q.max, false),
    ] {
        if old != new {
            let kind = if narrower(old, new, lower) {
                Kind::Breaking
            } else {
                Kind::Additive
            };
            let show = |v: Option<i64>| v.map_or("none".to_owned(), |v| v.to_string());
            out.push(
                kind,
                format!("{what}: {name} changed from {} to {}", show(old), show(new)),
            );
        }
    }
    if p.default != q.default {
        let show = |v: Option<i64>| v.map_or("none".to_owned(), |v| v.to_string());
        out.push(
            Kind::DocsOnly,
            format!(
                "{what}: documented default changed from {} to {}",
                show(p.default),
                show(q.default)
            ),
        );
    }
    if p.doc != q.doc {
        out.push(Kind::DocsOnly, format!("{what}: doc text changed"));
    }
}

/// Compares the fields of a response (`exhaustive: false`, the struct is
/// `#[non_exhaustive]`) or of an object type (`exhaustive: true`).
fn compare_fields(out: &mut Changes, owner: &str, old: &[Field], new: &[Field], exhaustive: bool) {
    for f in old {
        let what = format!("{owner}: field `{}`", f.name);
        let Some(g) = new.iter().find(|g| g.name == f.name) else {
            out.push(Kind::Breaking, format!("{what} removed"));
            continue;
        };
        if f.ty != g.ty {
            out.push(
                Kind::Breaking,
                format!(
                    "{what} changed type from `{}` to `{}`",
                    f.ty.spec_text(),
                    g.ty.spec_text()
                ),
            );
        }
        if f.nilable != g.nilable {
            let now = if g.nilable {
                "may now be null (its Rust type becomes an `Option`)"
            } else {
                "is never null any more (its Rust type is no longer an `Option`)"
            };
            out.push(Kind::Breaking, format!("{what} {now}"));
        }
        if f.rest != g.rest {
            let now = if g.rest {
                "now collects the object's remaining keys"
            } else {
                "no longer collects the object's remaining keys"
            };
            out.push(Kind::Breaking, format!("{what} {now}"));
        }
        if f.doc != g.doc {
            out.push(Kind::DocsOnly, format!("{what}: doc text changed"));
        }
    }
    let added: Vec<String> = new
        .iter()
        .filter(|g| !old.iter().any(|f| f.name == g.name))
        .map(|g| format!("`{}`", g.name))
        .collect();
    if added.is_empty() {
        return;
    }
    let fields = if added.len() == 1 {
        format!("new field {}", added[0])
    } else {
        format!("new fields {}", added.join(", "))
    };
    if exhaustive {
        out.push(
            Kind::Breaking,
            format!("{owner}: {fields} (model structs are exhaustive: struct literals need it)"),
        );
    } else {
        out.push(Kind::Additive, format!("{owner}: {fields}"));
    }
}

fn compare_enum(out: &mut Changes, id: &str, o: &EnumType, n: &EnumType) {
    let what = format!("enum `{id}`");
    if o.same_as != n.same_as {
        let show = |t: &Option<stytch_codegen::model::TypeId>| match t {
            Some(t) => format!("an alias of `{t}`"),
            None => "its own enum".to_owned(),
        };
        out.push(
            Kind::Breaking,
            format!(
                "{what} changed from {} to {}",
                show(&o.same_as),
                show(&n.same_as)
            ),
        );
    }
    if o.doc != n.doc {
        out.push(Kind::DocsOnly, format!("{what}: doc text changed"));
    }
    for v in &o.values {
        match n.values.iter().find(|w| w.wire == v.wire) {
            None => out.push(
                Kind::Breaking,
                format!("{what}: value `{}` removed", v.wire),
            ),
            Some(w) if w.doc != v.doc => out.push(
                Kind::DocsOnly,
                format!("{what}: doc text of value `{}` changed", v.wire),
            ),
            Some(_) => {}
        }
    }
    for w in n
        .values
        .iter()
        .filter(|w| !o.values.iter().any(|v| v.wire == w.wire))
    {
        out.push(Kind::Additive, format!("{what}: new value `{}`", w.wire));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(case: &str) -> (Api, Api) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/spec-diff")
            .join(case);
        let load = |side: &str| {
            stytch_codegen::model(&dir.join(side))
                .unwrap_or_else(|e| panic!("fixture {case}/{side}: {e}"))
        };
        (load("old"), load("new"))
    }

    fn report(case: &str) -> (Vec<Change>, String) {
        let (old, new) = fixture(case);
        let changes = compare(&old, &new);
        let text = changelog(&changes, "v0.1.0", "0.1.0");
        (changes, text)
    }

    #[test]
    fn no_change() {
        let (changes, text) = report("no-change");
        assert_eq!(changes, vec![]);
        insta::assert_snapshot!("no_change", text);
    }

    #[test]
    fn docs_only() {
        let (changes, text) = report("docs-only");
        assert!(!changes.is_empty());
        assert!(
            changes.iter().all(|c| c.kind == Kind::DocsOnly),
            "{changes:#?}"
        );
        insta::assert_snapshot!("docs_only", text);
    }

    #[test]
    fn additive() {
        let (changes, text) = report("additive");
        assert!(!changes.is_empty());
        assert!(
            changes.iter().all(|c| c.kind == Kind::Additive),
            "{changes:#?}"
        );
        insta::assert_snapshot!("additive", text);
    }

    #[test]
    fn breaking() {
        let (changes, text) = report("breaking");
        assert!(
            changes.iter().any(|c| c.kind == Kind::Breaking),
            "{changes:#?}"
        );
        insta::assert_snapshot!("breaking", text);
    }

    #[test]
    fn comparing_a_spec_with_itself_finds_nothing() {
        for case in ["breaking", "additive", "docs-only"] {
            let (old, new) = fixture(case);
            assert_eq!(compare(&old, &old), vec![], "{case}/old");
            assert_eq!(compare(&new, &new), vec![], "{case}/new");
        }
    }

    #[test]
    fn version_bumps_follow_the_documented_rule() {
        let one = |kind| {
            vec![Change {
                kind,
                text: String::new(),
            }]
        };
        let next = |v: &str, c: &[Change]| next_version(v, c).unwrap();
        assert_eq!(next("0.4.2", &[]), None);
        assert_eq!(
            next("0.4.2", &one(Kind::Breaking)).as_deref(),
            Some("0.5.0")
        );
        assert_eq!(
            next("0.4.2", &one(Kind::Additive)).as_deref(),
            Some("0.4.3")
        );
        assert_eq!(
            next("0.4.2", &one(Kind::DocsOnly)).as_deref(),
            Some("0.4.3")
        );
        assert_eq!(
            next("1.4.2", &one(Kind::Breaking)).as_deref(),
            Some("2.0.0")
        );
        assert_eq!(
            next("1.4.2", &one(Kind::Additive)).as_deref(),
            Some("1.5.0")
        );
        assert_eq!(
            next("1.4.2", &one(Kind::DocsOnly)).as_deref(),
            Some("1.4.3")
        );
        let mixed = [one(Kind::DocsOnly), one(Kind::Breaking)].concat();
        assert_eq!(next("0.4.2", &mixed).as_deref(), Some("0.5.0"));
        assert!(next_version("0.4", &[]).is_err());
    }

    /// A repository whose `HEAD` holds the `old` spec of `case` and whose working tree
    /// holds the `new` one.
    fn repository(case: &str) -> tempfile::TempDir {
        let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/spec-diff")
            .join(case);
        let repo = tempfile::tempdir().unwrap();
        let copy = |from: &Path, to: &Path| {
            let status = Command::new("cp")
                .arg("-R")
                .arg(from)
                .arg(to)
                .status()
                .unwrap();
            assert!(status.success());
        };
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(repo.path())
                .args([
                    "-c",
                    "user.name=xtask",
                    "-c",
                    "user.email=xtask@example.com",
                ])
                .args(args)
                .status()
                .unwrap();
            assert!(status.success(), "git {args:?}");
        };
        std::fs::create_dir_all(repo.path().join("stytch-sdk")).unwrap();
        std::fs::write(
            repo.path().join("stytch-sdk/Cargo.toml"),
            "[package]\nname = \"stytch-sdk\"\nversion = \"0.3.1\"\n",
        )
        .unwrap();
        copy(&fixture.join("old"), &repo.path().join("spec"));
        git(&["init", "--quiet"]);
        git(&["add", "."]);
        git(&["commit", "--quiet", "-m", "old spec"]);
        std::fs::remove_dir_all(repo.path().join("spec")).unwrap();
        copy(&fixture.join("new"), &repo.path().join("spec"));
        repo
    }

    #[test]
    fn deny_breaking_fails_only_on_breaking_changes() {
        let breaking = repository("breaking");
        assert!(run(breaking.path(), "HEAD", false).is_ok());
        let err = run(breaking.path(), "HEAD", true).unwrap_err();
        assert!(err.contains("breaking spec changes since `HEAD`"), "{err}");
        let additive = repository("additive");
        assert!(run(additive.path(), "HEAD", true).is_ok());
        let err = run(additive.path(), "HEAD~5", true).unwrap_err();
        assert!(err.contains("is not a commit"), "{err}");
    }

    #[test]
    fn the_spec_of_head_loads_from_git() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        if !root.join(".git").exists() {
            // A source tarball without history has no revision to read.
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        extract_spec(&root, "HEAD", dir.path()).unwrap();
        assert!(dir.path().join("spec/common.yaml").is_file());
        stytch_codegen::model(&dir.path().join("spec")).expect("the committed spec loads");
        let err = extract_spec(&root, "no-such-revision-anywhere", dir.path()).unwrap_err();
        assert!(err.contains("is not a commit"), "{err}");
    }
}
