//! Rust names for spec names, shared by the validator (which checks them) and
//! the resolver (which records them).

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Names that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// A field, method or module name: snake case, raw when it is a keyword (`type` → `r#type`).
pub fn snake(name: &str) -> Result<String, String> {
    let converted = name.to_snake_case();
    check(name, &converted)?;
    if NOT_RAW.contains(&converted.as_str()) {
        return Err(format!(
            "`{name}` becomes `{converted}`, which Rust does not allow as a name"
        ));
    }
    Ok(if KEYWORDS.contains(&converted.as_str()) {
        format!("r#{converted}")
    } else {
        converted
    })
}

/// A type or variant name: upper camel case.
pub fn pascal(name: &str) -> Result<String, String> {
    let converted = name.to_upper_camel_case();
    check(name, &converted)?;
    if NOT_RAW.contains(&converted.as_str()) || KEYWORDS.contains(&converted.as_str()) {
        return Err(format!(
            "`{name}` becomes `{converted}`, which Rust does not allow as a type name"
        ));
    }
    Ok(converted)
}

fn check(original: &str, converted: &str) -> Result<(), String> {
    let mut chars = converted.chars();
    let valid = match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {
            chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        }
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{original}` does not convert to a valid Rust identifier (got `{converted}`)"
        ))
    }
}

/// Whether `name`, exactly as written, is a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`).
///
/// Names reach generated code in more places than their converted forms
/// (test function names, file names, dotted ids), so the spec's own spelling
/// has to be an identifier too, not only what `heck` makes of it.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Whether `name` is a Rust keyword (strict, reserved or weak) or one of the
/// names that cannot be an identifier at all (`self`, `Self`, `super`, `crate`, `_`).
pub fn is_reserved_word(name: &str) -> bool {
    KEYWORDS.contains(&name) || NOT_RAW.contains(&name)
}

/// A name that becomes a Rust module and a file of its own (a namespace
/// segment or a type module): lower snake case exactly as written, and not a
/// keyword, since a file `type.rs` cannot hold `mod r#type`.
pub fn module_name(name: &str) -> Result<String, String> {
    let snake_as_written = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit());
    if !snake_as_written {
        return Err(format!(
            "`{name}` is not a module name: use lower snake case (`a-z`, `0-9`, `_`, starting with a letter), e.g. `{}`",
            heck::ToSnakeCase::to_snake_case(name)
        ));
    }
    if is_reserved_word(name) {
        return Err(format!(
            "`{name}` is a Rust keyword and cannot name a module or file"
        ));
    }
    Ok(name.to_owned())
}

/// An endpoint's method name: the name as written must be an identifier
/// (it also names the generated test), and its snake case a usable method name.
pub fn method_name(name: &str) -> Result<String, String> {
    if !is_plain_identifier(name) {
        return Err(format!(
            "`{name}` is not an identifier: endpoint names use letters, digits and `_` only, e.g. `{}`",
            heck::ToSnakeCase::to_snake_case(name)
        ));
    }
    snake(name)
}

/// Type names of the standard prelude and of the standard types generated
/// code names without a path; a model type with one of these names would
/// shadow it inside its module.
pub const STD_TYPE_NAMES: &[&str] = &[
    "String",
    "Vec",
    "Option",
    "Result",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "ToOwned",
    "ToString",
    "HashMap",
    "Self",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_escapes() {
        assert_eq!(snake("type").unwrap(), "r#type");
        assert_eq!(snake("x5tS256").unwrap(), "x5t_s256");
        assert_eq!(snake("loginOrCreate").unwrap(), "login_or_create");
        assert_eq!(pascal("pt-br").unwrap(), "PtBr");
        assert_eq!(pascal("SCIMConnection").unwrap(), "ScimConnection");
        assert!(snake("9lives").is_err());
        assert!(pascal("").is_err());
        assert!(snake("self").is_err());
        assert!(pascal("+").is_err());
    }

    #[test]
    fn names_as_written() {
        assert!(is_plain_identifier("get_thing"));
        assert!(!is_plain_identifier("get thing"));
        assert!(!is_plain_identifier("get-thing"));
        assert!(!is_plain_identifier(""));
        assert!(method_name("get-thing").is_err());
        assert_eq!(method_name("loginOrCreate").unwrap(), "login_or_create");
        assert!(module_name("my-things").is_err());
        assert!(module_name("fooBar").is_err());
        assert!(module_name("Totps").is_err());
        assert!(module_name("type").is_err());
        assert!(module_name("mod").is_err());
        assert!(module_name("self").is_err());
        assert_eq!(module_name("magic_links").unwrap(), "magic_links");
    }
}
