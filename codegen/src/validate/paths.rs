//! Path templates: [`placeholders`] parses the `{name}` placeholders of an
//! endpoint path strictly, since the template ends up in a `format!` string.

use std::collections::BTreeSet;

use crate::names;

/// The `{name}` placeholders of a path template.
///
/// Strict, because the template becomes a `format!` string: every `{` opens a
/// placeholder whose name is an identifier and which the next `}` closes;
/// braces appear nowhere else.
pub fn placeholders(path: &str) -> Result<BTreeSet<String>, String> {
    if !path.starts_with('/') {
        return Err(format!("path `{path}` must start with `/`"));
    }
    let mut out = BTreeSet::new();
    let mut rest = path;
    while let Some(brace) = rest.find(['{', '}']) {
        if rest[brace..].starts_with('}') {
            return Err(format!("path `{path}` has a `}}` without `{{`"));
        }
        let after = &rest[brace + 1..];
        let end = after
            .find(['{', '}'])
            .filter(|&i| after[i..].starts_with('}'))
            .ok_or_else(|| match after.find('{') {
                Some(_) if after.contains('}') => {
                    format!("path `{path}` has a nested placeholder")
                }
                _ => format!("path `{path}` has an unclosed `{{`"),
            })?;
        let name = &after[..end];
        if name.is_empty() {
            return Err(format!("path `{path}` has an empty placeholder `{{}}`"));
        }
        if !names::is_plain_identifier(name) {
            return Err(format!(
                "path `{path}`: placeholder `{{{name}}}` must name a parameter (letters, digits and `_`)"
            ));
        }
        if !out.insert(name.to_owned()) {
            return Err(format!("path `{path}` repeats placeholder `{{{name}}}`"));
        }
        rest = &after[end + 1..];
    }
    Ok(out)
}
