//! Stage 1: read the YAML files of the spec directory into raw, span-carrying structures.
//!
//! Nothing is checked here beyond YAML syntax and the shape of each file;
//! meaning is the validator's job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marked_yaml::Spanned;
use serde::Deserialize;

use crate::error::{Error, SpecError, SpecErrors};

mod diagnose;

pub use diagnose::MAX_YAML_DEPTH;
use diagnose::{shape_error, syntax_error, too_deep};

/// A value together with where it was written.
pub type S<T> = Spanned<T>;

/// The whole spec as written, file by file.
#[derive(Debug, Default)]
pub struct RawSpec {
    /// Files in load order; spans refer to indexes into this list.
    pub files: Vec<PathBuf>,
    /// `common.yaml`, when present.
    pub common: RawCommon,
    /// Namespace files, keyed by their dotted id (`consumer.otps.email`).
    pub namespaces: Vec<RawNamespaceFile>,
    /// Type files (`<vertical>/types/<module>.yaml`).
    pub type_files: Vec<RawTypeFile>,
}

impl RawSpec {
    /// A problem at `line`:`column` of the file with index `source`.
    pub fn error_at(
        &self,
        source: usize,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> SpecError {
        SpecError {
            file: self
                .files
                .get(source)
                .cloned()
                .unwrap_or_else(|| "<spec>".into()),
            line,
            column,
            message: message.into(),
        }
    }

    /// A problem where the value `s` was written.
    pub fn error_at_value<T>(&self, s: &S<T>, message: impl Into<String>) -> SpecError {
        let (line, column) = pos(s);
        let source = s.span().start().map(|m| m.source()).unwrap_or(usize::MAX);
        self.error_at(source, line, column, message)
    }
}

/// Shared parameter and field definitions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommon {
    /// Parameters referenced with `use:`.
    #[serde(default)]
    pub params: Vec<RawParam>,
    /// Response fields referenced with `use:`.
    #[serde(default)]
    pub fields: Vec<RawField>,
}

/// One namespace file with the id derived from its path.
#[derive(Debug)]
pub struct RawNamespaceFile {
    /// Index into [`RawSpec::files`].
    pub file: usize,
    /// `consumer` or `b2b`.
    pub vertical: String,
    /// Client path segments, e.g. `["otps", "email"]`.
    pub segments: Vec<String>,
    /// The content.
    pub body: RawNamespace,
}

/// Content of a namespace file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNamespace {
    /// What the group of endpoints is for.
    pub doc: S<String>,
    /// `api` (default) or `telemetry`.
    #[serde(default)]
    pub base_url: Option<S<String>>,
    /// The endpoints.
    #[serde(default)]
    pub endpoints: Vec<RawEndpoint>,
}

/// One endpoint as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    /// Method name on the namespace.
    pub name: S<String>,
    /// HTTP method.
    pub method: S<String>,
    /// Path template with `{param}` placeholders.
    pub path: S<String>,
    /// `json` (default) or `form`.
    #[serde(default)]
    pub content_type: Option<S<String>>,
    /// What the endpoint does.
    pub doc: S<String>,
    /// Whether repeating the call has no further effect, so it may be retried.
    #[serde(default)]
    pub idempotent: Option<S<bool>>,
    /// How to walk the pages of a cursor-paginated endpoint.
    #[serde(default)]
    pub paginate: Option<RawPagination>,
    /// Request parameters.
    #[serde(default)]
    pub params: Vec<RawParam>,
    /// Response fields.
    #[serde(default)]
    pub response: Vec<RawField>,
}

/// Where a cursor-paginated endpoint keeps its cursor and items.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagination {
    /// The request parameter that carries the cursor.
    pub cursor: S<String>,
    /// Dotted path of the next cursor in the response (`results_metadata.next_cursor`).
    pub next_cursor: S<String>,
    /// The response field (a list) holding the page's items.
    pub items: S<String>,
}

/// A parameter: either defined here (`name`) or pulled from common (`use`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParam {
    /// Wire name of a locally defined parameter.
    #[serde(default)]
    pub name: Option<S<String>>,
    /// Name of a common parameter to use.
    #[serde(default, rename = "use")]
    pub use_: Option<S<String>>,
    /// Type expression.
    #[serde(default, rename = "type")]
    pub ty: Option<S<String>>,
    /// Whether the API needs it.
    #[serde(default)]
    pub required: Option<S<bool>>,
    /// `path`, `query`, `body` or `header`; inferred when absent.
    #[serde(default, rename = "in")]
    pub location: Option<S<String>>,
    /// Smallest accepted value.
    #[serde(default)]
    pub min: Option<S<i64>>,
    /// Largest accepted value.
    #[serde(default)]
    pub max: Option<S<i64>>,
    /// Value the API applies when the parameter is omitted.
    #[serde(default)]
    pub default: Option<S<i64>>,
    /// Header names of a `member_session_auth` parameter.
    #[serde(default)]
    pub headers: Option<S<BTreeMap<String, String>>>,
    /// A fixed wire value the SDK always sends.
    #[serde(default)]
    pub value: Option<S<String>>,
    /// How a list is written on the wire (`space_separated`).
    #[serde(default)]
    pub format: Option<S<String>>,
    /// What the parameter means.
    #[serde(default)]
    pub doc: Option<S<String>>,
}

/// A response or object field: defined here (`name`) or pulled from common (`use`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// Wire name of a locally defined field.
    #[serde(default)]
    pub name: Option<S<String>>,
    /// Name of a common field to use.
    #[serde(default, rename = "use")]
    pub use_: Option<S<String>>,
    /// Type expression.
    #[serde(default, rename = "type")]
    pub ty: Option<S<String>>,
    /// Whether the value may be null or absent.
    #[serde(default)]
    pub nilable: Option<S<bool>>,
    /// Collects every key that no other field of the object names.
    #[serde(default)]
    pub rest: Option<S<bool>>,
    /// A response field the answer may leave out, in which case the SDK
    /// fills it with the HTTP status of the answer (`status_code` of OAuth
    /// 2.0 endpoints, which may answer in the bare RFC 6749/7662 form).
    #[serde(default)]
    pub http_status: Option<S<bool>>,
    /// What the field means.
    #[serde(default)]
    pub doc: Option<S<String>>,
}

/// One type file with its module derived from the path.
#[derive(Debug)]
pub struct RawTypeFile {
    /// Index into [`RawSpec::files`].
    pub file: usize,
    /// `consumer` or `b2b`.
    pub vertical: String,
    /// Module name (file stem).
    pub module: String,
    /// The content.
    pub body: RawTypes,
}

/// Content of a type file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTypes {
    /// Object types.
    #[serde(default)]
    pub types: Vec<RawType>,
    /// String enums.
    #[serde(default)]
    pub enums: Vec<RawEnum>,
}

/// An object type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawType {
    /// Type name.
    pub name: S<String>,
    /// What the record represents.
    pub doc: S<String>,
    /// Its fields.
    #[serde(default)]
    pub fields: Vec<RawField>,
}

/// A string enum, with its values or an alias to another enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    /// Enum name.
    pub name: S<String>,
    /// What the enum selects.
    pub doc: S<String>,
    /// Values as one-entry maps `wire value: doc`.
    #[serde(default)]
    pub values: Vec<S<BTreeMap<String, String>>>,
    /// Id of an enum with the same values to alias.
    #[serde(default)]
    pub same_as: Option<S<String>>,
    /// The API's placeholder for "not set", as a one-entry map `wire value: doc`:
    /// answers may carry it, requests may not.
    #[serde(default)]
    pub unknown: Option<S<BTreeMap<String, String>>>,
}

/// Verticals the spec may describe.
pub const VERTICALS: [&str; 4] = ["consumer", "b2b", "samlshield", "management"];

/// Reads every `.yaml` file under `dir`.
pub fn load(dir: &Path) -> Result<RawSpec, Error> {
    let mut paths = Vec::new();
    collect(dir, &mut paths)?;
    paths.sort();
    let mut spec = RawSpec::default();
    let rels: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap_or(p).to_path_buf())
        .collect();
    let mut errors = clashing_files(&rels);
    for path in paths {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let index = spec.files.len();
        let text = match text_of(bytes, &rel) {
            Ok(text) => text,
            Err(e) => {
                // Keep the index so later files keep their place, and go on.
                spec.files.push(rel);
                errors.push(e);
                continue;
            }
        };
        spec.files.push(rel.clone());
        let parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let whole_file = |message: String| SpecError {
            file: rel.clone(),
            line: 0,
            column: 0,
            message,
        };
        match parts.as_slice() {
            [only] if only == "common" => match parse::<RawCommon>(index, &text, &rel) {
                Ok(common) => spec.common = common,
                Err(e) => errors.push(e),
            },
            [vertical, rest @ ..] if !VERTICALS.contains(&vertical.as_str()) || rest.is_empty() => {
                let _ = rest;
                errors.push(whole_file(format!(
                    "unexpected file: spec files live in `common.yaml`, `<vertical>/…` or `<vertical>/types/…`, with vertical one of {VERTICALS:?}"
                )));
            }
            [vertical, types, module] if types == "types" => {
                match parse::<RawTypes>(index, &text, &rel) {
                    Ok(body) => spec.type_files.push(RawTypeFile {
                        file: index,
                        vertical: vertical.clone(),
                        module: module.clone(),
                        body,
                    }),
                    Err(e) => errors.push(e),
                }
            }
            [vertical, segments @ ..] => match parse::<RawNamespace>(index, &text, &rel) {
                Ok(body) => spec.namespaces.push(RawNamespaceFile {
                    file: index,
                    vertical: vertical.clone(),
                    segments: segments.to_vec(),
                    body,
                }),
                Err(e) => errors.push(e),
            },
            [] => errors.push(whole_file("empty path".into())),
        }
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(Error::Spec(SpecErrors(errors)))
    }
}

/// Directories below the spec directory deeper than this hold nothing the
/// spec can use: a product directory, then namespaces at most
/// [`MAX_NAMESPACE_DEPTH`](crate::validate::reserved::MAX_NAMESPACE_DEPTH) deep.
const MAX_DIR_DEPTH: usize = crate::validate::reserved::MAX_NAMESPACE_DEPTH + 1;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut ancestors = Vec::new();
    collect_below(dir, dir, out, &mut ancestors)
}

/// Reads `dir` (below the spec directory `root`) and what it holds;
/// `ancestors` are the real paths of the directories above it, so a symbolic
/// link back to one of them is reported, not followed for ever.
fn collect_below(
    root: &Path,
    dir: &Path,
    out: &mut Vec<PathBuf>,
    ancestors: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let relative = dir.strip_prefix(root).unwrap_or(dir);
    let located = |message: String| {
        Error::Spec(SpecErrors(vec![SpecError {
            file: relative.to_path_buf(),
            line: 0,
            column: 0,
            message,
        }]))
    };
    let real = std::fs::canonicalize(dir).map_err(io)?;
    if let Some(at) = ancestors.iter().position(|a| *a == real) {
        let above: PathBuf = relative.components().take(at).collect();
        return Err(located(format!(
            "this directory is a symbolic link back to `{}`; the spec would contain itself",
            if at == 0 {
                "spec/".into()
            } else {
                format!("spec/{}", above.display())
            }
        )));
    }
    if ancestors.len() > MAX_DIR_DEPTH {
        return Err(located(format!(
            "this directory is {} levels below spec/; namespaces nest at most {} deep, so nothing this deep belongs to the spec",
            ancestors.len(),
            crate::validate::reserved::MAX_NAMESPACE_DEPTH
        )));
    }
    ancestors.push(real);
    let entries = std::fs::read_dir(dir).map_err(io)?;
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_below(root, &path, out, ancestors)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    ancestors.pop();
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(
    index: usize,
    text: &str,
    rel: &Path,
) -> Result<T, SpecError> {
    if text.trim().is_empty() {
        return Err(SpecError {
            file: rel.to_path_buf(),
            line: 0,
            column: 0,
            message: "file is empty".into(),
        });
    }
    if let Some((line, message)) = too_deep(text) {
        return Err(SpecError {
            file: rel.to_path_buf(),
            line,
            column: 1,
            message,
        });
    }
    let options = marked_yaml::LoaderOptions::default().error_on_duplicate_keys(true);
    let node = marked_yaml::parse_yaml_with_options(index, text, options)
        .map_err(|e| syntax_error(&e, text, rel))?;
    marked_yaml::from_node(&node).map_err(|e| shape_error(&e, &node, text, rel))
}

/// Text of a spec file: UTF-8 without a leading byte-order mark.
fn text_of(bytes: Vec<u8>, rel: &Path) -> Result<String, SpecError> {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_owned(),
                None => text,
            };
            // Anywhere else a byte-order mark is invisible but part of a key or value.
            match text.find('\u{feff}') {
                Some(offset) => {
                    let before = &text[..offset];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    Err(SpecError {
                        file: rel.to_path_buf(),
                        line,
                        column,
                        message:
                            "an invisible byte-order mark (U+FEFF) sits in the text here; remove it"
                                .to_owned(),
                    })
                }
                None => Ok(text),
            }
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            Err(SpecError {
                file: rel.to_path_buf(),
                line,
                column: offset - line_start + 1,
                message: format!(
                    "the file is not UTF-8 text: byte {offset} (0x{:02x}) starts no UTF-8 character; save the file as UTF-8",
                    e.as_bytes()[offset]
                ),
            })
        }
    }
}

/// Files whose paths differ only in case or in `.yaml`/`.yml` would write the
/// same Rust module (and overwrite each other on case-insensitive disks).
fn clashing_files(rels: &[PathBuf]) -> Vec<SpecError> {
    let mut first: BTreeMap<String, &PathBuf> = BTreeMap::new();
    let mut errors = Vec::new();
    for rel in rels {
        let key = rel.with_extension("").to_string_lossy().to_lowercase();
        match first.get(&key) {
            Some(other) => errors.push(SpecError {
                file: rel.clone(),
                line: 0,
                column: 0,
                message: format!(
                    "`{}` and `{}` describe the same module (their names differ only in case or extension); keep one",
                    other.display(),
                    rel.display()
                ),
            }),
            None => {
                first.insert(key, rel);
            }
        }
    }
    errors
}

/// Line and column of a spanned value (0, 0 when unknown).
pub fn pos<T>(s: &S<T>) -> (usize, usize) {
    s.span()
        .start()
        .map(|m| (m.line(), m.column()))
        .unwrap_or((0, 0))
}
