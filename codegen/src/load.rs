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

impl RawSpec {
    /// The common parameter named `name` (what `use: name` refers to).
    pub fn common_param(&self, name: &str) -> Option<&RawParam> {
        self.common
            .params
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == name))
    }

    /// The common field named `name`.
    pub fn common_field(&self, name: &str) -> Option<&RawField> {
        self.common
            .fields
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.as_str() == name))
    }

    /// Where a parameter is defined: itself, or the common one it `use`s.
    pub fn param_definition<'a>(&'a self, p: &'a RawParam) -> Option<&'a RawParam> {
        match &p.use_ {
            Some(u) => self.common_param(u),
            None => Some(p),
        }
    }

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

    /// Where a field is defined: itself, or the common one it `use`s.
    pub fn field_definition<'a>(&'a self, f: &'a RawField) -> Option<&'a RawField> {
        match &f.use_ {
            Some(u) => self.common_field(u),
            None => Some(f),
        }
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

/// Directories below the spec directory this deep are not read (a symbolic
/// link to a parent would otherwise be followed for ever).
const MAX_DIR_DEPTH: usize = 16;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    collect_below(dir, out, 0)
}

fn collect_below(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), Error> {
    if depth > MAX_DIR_DEPTH {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::other(format!(
                "the spec directory nests more than {MAX_DIR_DEPTH} directories deep (a symbolic link loop?)"
            )),
        });
    }
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
            collect_below(&path, out, depth + 1)?;
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

/// How deep YAML may nest (blocks, flow collections, `- - -` items). The spec
/// needs about eight levels; the limit keeps the recursive loader and
/// deserializer far from the end of the stack on any input.
pub const MAX_YAML_DEPTH: usize = 48;

/// The first line that nests deeper than [`MAX_YAML_DEPTH`], with the complaint.
fn too_deep(text: &str) -> Option<(usize, String)> {
    let mut flow = 0usize;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let mut rest = line.trim_start_matches([' ', '\t']);
        let mut dashes = 0;
        while let Some(after) = rest.strip_prefix('-') {
            if !(after.is_empty() || after.starts_with([' ', '\t'])) {
                break;
            }
            dashes += 1;
            rest = after.trim_start_matches([' ', '\t']);
        }
        let mut deepest = flow;
        for b in line.bytes() {
            match b {
                b'[' | b'{' => {
                    flow += 1;
                    deepest = deepest.max(flow);
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
        // Two columns of indentation per block level is the usual style; allow one.
        if indent + dashes > MAX_YAML_DEPTH * 2 || deepest + dashes > MAX_YAML_DEPTH {
            return Some((
                i + 1,
                format!(
                    "the YAML nests more than {MAX_YAML_DEPTH} levels deep here; the spec never needs that"
                ),
            ));
        }
    }
    None
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

/// A YAML syntax problem, located once, in the spec's words.
fn syntax_error(e: &marked_yaml::LoadError, text: &str, rel: &Path) -> SpecError {
    use marked_yaml::LoadError::*;
    let (line, column) = marker_of_load(e);
    let message = match e {
        TopLevelMustBeMapping(_) | TopLevelMustBeSequence(_) => {
            "the file must be a mapping of keys (`doc:`, `endpoints:`, `types:`, …)".to_owned()
        }
        UnexpectedAnchor(_) => "YAML anchors (`&name`) are not supported in the spec".to_owned(),
        MappingKeyMustBeScalar(_) => "keys must be plain words, not lists or mappings".to_owned(),
        UnexpectedTag(_) => "YAML tags (`!tag`) are not supported in the spec".to_owned(),
        DuplicateKey(inner) => {
            let (l, c) = inner
                .prev_key
                .span()
                .start()
                .map(|m| (m.line(), m.column()))
                .unwrap_or((0, 0));
            format!(
                "duplicate key `{}` (first at line {l}, column {c})",
                inner.key.as_str()
            )
        }
        ScanError(_, scan) => {
            let mut message = format!("YAML syntax error: {}", scan.info());
            // A doc text with `: ` in it reads as a nested key to YAML.
            let suspect = text.lines().skip(line.saturating_sub(2)).take(2).any(|l| {
                l.split_once(": ")
                    .is_some_and(|(_, value)| value.contains(": "))
            });
            if suspect {
                message.push_str(
                    "; a text containing `: ` must be quoted (in double quotes) or written as a block (`doc: >-` and the text on the next lines)",
                );
            }
            message
        }
    };
    SpecError {
        file: rel.to_path_buf(),
        line,
        column,
        message,
    }
}

/// A well-formed YAML file whose content does not have the expected shape
/// (missing, unknown or wrongly typed keys), located at the item concerned and
/// described in the spec's words.
fn shape_error(
    e: &marked_yaml::FromNodeError,
    root: &marked_yaml::Node,
    text: &str,
    rel: &Path,
) -> SpecError {
    use marked_yaml::spanned_serde::Error as E;
    let path = e.path().unwrap_or_default();
    let (node, context, key, key_pos) = walk(root, path);
    let where_ = if context.is_empty() {
        String::new()
    } else {
        format!("{}: ", context.join(", "))
    };
    // An empty value has no place of its own (YAML puts it on the next line):
    // point at its key. A mapping points at its first key.
    let node_pos = match node {
        marked_yaml::Node::Scalar(s) if s.as_str().is_empty() => key_pos,
        marked_yaml::Node::Mapping(m) => m.keys().next().and_then(|k| span_pos(k.span())),
        _ => None,
    }
    .or_else(|| span_pos(node.span()))
    .unwrap_or((0, 0));
    let empty = matches!(node, marked_yaml::Node::Scalar(s) if s.as_str().is_empty());
    let value_pos = |span: &marked_yaml::Span| {
        if empty {
            node_pos
        } else {
            span_pos(span).unwrap_or(node_pos)
        }
    };
    let (position, message) = match &**e {
        E::UnknownFieldError(field, expected, span) => {
            let position = node
                .as_mapping()
                .and_then(|m| m.keys().find(|k| k.as_str() == field.as_str()))
                .and_then(|k| k.span().start().map(|m| (m.line(), m.column())))
                .or_else(|| span.start().map(|m| (m.line(), m.column())))
                .or_else(|| locate_unknown_key(text, &format!("Unknown field `{field}`")))
                .unwrap_or(node_pos);
            let expected: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
            (
                position,
                format!(
                    "{where_}unknown key `{field}`; the keys here are {}",
                    expected.join(", ")
                ),
            )
        }
        E::IntegerParseFailure(_, span) => {
            let value = scalar_text(node);
            (
                value_pos(span),
                format!(
                    "{where_}`{}` must be a whole number, not {value}",
                    key.unwrap_or("value")
                ),
            )
        }
        E::FloatParseFailure(_, span) => (
            value_pos(span),
            format!(
                "{where_}`{}` must be a number, not {}",
                key.unwrap_or("value"),
                scalar_text(node)
            ),
        ),
        E::NotBoolean(span) => (
            value_pos(span),
            format!(
                "{where_}`{}` must be `true` or `false`, not {}",
                key.unwrap_or("value"),
                scalar_text(node)
            ),
        ),
        E::Other(message, span) => {
            let (message, span) = match message.strip_prefix("missing field ") {
                // The deserializer places this at the mapping's `:`; use its first key.
                Some(field) => (
                    format!("needs the key {field}"),
                    &marked_yaml::Span::new_blank(),
                ),
                None => (spec_words(message), span),
            };
            let message = match key {
                Some(key) if !message.starts_with("needs") => format!("`{key}`: {message}"),
                _ => message,
            };
            (
                span_pos(span).unwrap_or(node_pos),
                format!("{where_}{message}"),
            )
        }
    };
    SpecError {
        file: rel.to_path_buf(),
        line: position.0,
        column: position.1,
        message,
    }
}

fn span_pos(span: &marked_yaml::Span) -> Option<(usize, usize)> {
    span.start().map(|m| (m.line(), m.column()))
}

/// The value of a node as shown in a message: quoted, or `empty`.
fn scalar_text(node: &marked_yaml::Node) -> String {
    match node {
        marked_yaml::Node::Scalar(s) if s.as_str().is_empty() => "empty".to_owned(),
        marked_yaml::Node::Scalar(s) => format!("`{}`", s.as_str()),
        marked_yaml::Node::Sequence(_) => "a list".to_owned(),
        marked_yaml::Node::Mapping(_) => "a mapping".to_owned(),
    }
}

/// Follows a deserializer path such as `endpoints[2].params[0].min` through
/// the YAML: the deepest node it reaches, the items on the way in spec words
/// (`endpoint `create``, `parameter `user_id``), and the last key named.
#[allow(clippy::type_complexity)]
fn walk<'n, 'p>(
    root: &'n marked_yaml::Node,
    path: &'p str,
) -> (
    &'n marked_yaml::Node,
    Vec<String>,
    Option<&'p str>,
    Option<(usize, usize)>,
) {
    let mut node = root;
    let mut context = Vec::new();
    let mut last_key = None;
    let mut key_pos = None;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            let mapping = node.as_mapping();
            match mapping.and_then(|m| m.get_node(key)) {
                Some(next) => {
                    key_pos = mapping
                        .and_then(|m| m.keys().find(|k| k.as_str() == key))
                        .and_then(|k| span_pos(k.span()));
                    node = next;
                    last_key = Some(key);
                }
                None => {
                    // A key that is missing (the error is about it): stay at the mapping.
                    last_key = Some(key);
                    break;
                }
            }
        }
        for index in indexes
            .split(['[', ']'])
            .filter_map(|i| i.parse::<usize>().ok())
        {
            let Some(item) = node.as_sequence().and_then(|s| s.get_node(index)) else {
                break;
            };
            node = item;
            let what = match key {
                "endpoints" => "endpoint",
                "params" => "parameter",
                "response" => "response field",
                "fields" => "field",
                "types" => "type",
                "enums" => "enum",
                "values" => "value",
                _ => "item",
            };
            let named = item
                .as_mapping()
                .and_then(|m| m.get_scalar("name").or_else(|| m.get_scalar("use")))
                .map(|n| format!("{what} `{}`", n.as_str()))
                .unwrap_or_else(|| format!("{what} {} of `{key}`", index + 1));
            context.push(named);
            last_key = None;
            key_pos = None;
        }
    }
    (node, context, last_key, key_pos)
}

/// The deserializer's wording with the generator's own type names replaced.
fn spec_words(message: &str) -> String {
    let mut out = message.to_owned();
    for (internal, spec) in [
        (
            "struct RawCommon",
            "the content of common.yaml (`params:`, `fields:`)",
        ),
        ("struct RawNamespace", "a namespace (`doc:`, `endpoints:`)"),
        (
            "struct RawEndpoint",
            "an endpoint (a mapping with `name:`, `method:`, `path:`, …)",
        ),
        (
            "struct RawParam",
            "a parameter (a mapping with `name:` or `use:`, …)",
        ),
        (
            "struct RawField",
            "a field (a mapping with `name:` or `use:`, …)",
        ),
        ("struct RawTypes", "a types file (`types:`, `enums:`)"),
        (
            "struct RawType",
            "an object type (`name:`, `doc:`, `fields:`)",
        ),
        (
            "struct RawEnum",
            "an enum (`name:`, `doc:`, `values:`, `unknown:`)",
        ),
        ("i64", "a whole number"),
        ("a sequence", "a list (`- …` items)"),
        ("sequence", "list"),
        ("a map", "a mapping"),
    ] {
        out = out.replace(internal, spec);
    }
    out
}

/// Line and column of a spanned value (0, 0 when unknown).
pub fn pos<T>(s: &S<T>) -> (usize, usize) {
    s.span()
        .start()
        .map(|m| (m.line(), m.column()))
        .unwrap_or((0, 0))
}
