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
}
