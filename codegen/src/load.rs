//! Stage 1: read the YAML files of the spec directory into raw, span-carrying structures.
//!
//! Nothing is checked here beyond YAML syntax and the shape of each file;
//! meaning is the validator's job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use marked_yaml::Spanned;
use serde::Deserialize;

use crate::error::{Error, SpecError, SpecErrors};

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
}

/// Verticals the spec may describe.
pub const VERTICALS: [&str; 2] = ["consumer", "b2b"];

/// Reads every `.yaml` file under `dir`.
pub fn load(dir: &Path) -> Result<RawSpec, Error> {
    let mut paths = Vec::new();
    collect(dir, &mut paths)?;
    paths.sort();
    let mut spec = RawSpec::default();
    let mut errors = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let index = spec.files.len();
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

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
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
    let options = marked_yaml::LoaderOptions::default().error_on_duplicate_keys(true);
    marked_yaml::from_yaml_with_options(index, text, options).map_err(|e| {
        let (line, column) = match &e {
            marked_yaml::FromYamlError::ParseYaml(l) => marker_of_load(l),
            marked_yaml::FromYamlError::FromNode(n) => n
                .start_mark()
                .map(|m| (m.line(), m.column()))
                .unwrap_or((0, 0)),
        };
        let message = e.to_string();
        let (line, column) = if line == 0 {
            locate_unknown_key(text, &message).unwrap_or((0, 0))
        } else {
            (line, column)
        };
        SpecError {
            file: rel.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

/// The YAML loader reports unknown keys without a position; find the key in the text.
fn locate_unknown_key(text: &str, message: &str) -> Option<(usize, usize)> {
    let key = message.split("Unknown field `").nth(1)?.split('`').next()?;
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let column = line.len() - trimmed.len() + 1;
        trimmed
            .strip_prefix(key)?
            .starts_with(':')
            .then_some((i + 1, column))
    })
}

fn marker_of_load(e: &marked_yaml::LoadError) -> (usize, usize) {
    use marked_yaml::LoadError::*;
    let m = match e {
        TopLevelMustBeMapping(m)
        | TopLevelMustBeSequence(m)
        | UnexpectedAnchor(m)
        | MappingKeyMustBeScalar(m)
        | UnexpectedTag(m)
        | ScanError(m, _) => Some(*m),
        DuplicateKey(inner) => inner.key.span().start().copied(),
    };
    m.map(|m| (m.line(), m.column())).unwrap_or((0, 0))
}

/// Line and column of a spanned value (0, 0 when unknown).
pub fn pos<T>(s: &S<T>) -> (usize, usize) {
    s.span()
        .start()
        .map(|m| (m.line(), m.column()))
        .unwrap_or((0, 0))
}
