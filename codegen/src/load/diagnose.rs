//! Load diagnostics: turning what the YAML parser and the deserializer say
//! into one located message in the spec's words (where an unknown key is,
//! which item a missing key belongs to, how deep nesting went too far).

use std::path::Path;

use crate::error::SpecError;

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
pub(super) fn too_deep(text: &str) -> Option<(usize, String)> {
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

/// A YAML syntax problem, located once, in the spec's words.
pub(super) fn syntax_error(e: &marked_yaml::LoadError, text: &str, rel: &Path) -> SpecError {
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
pub(super) fn shape_error(
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
