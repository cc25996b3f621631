//! Turning the claims of a verified Stytch token into SDK types.
//!
//! A session JWT carries the session in the `https://stytch.com/session`
//! claim (`id`, `started_at`, `last_accessed_at`, `expires_at`, `attributes`,
//! `authentication_factors`, `roles`) and the user or member id in `sub`; a
//! B2B one adds `https://stytch.com/organization` (`organization_id`,
//! `slug`). Everything else that is neither a registered JWT claim nor a
//! `https://stytch.com/…` claim is a custom claim.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::AuthError;

/// Claim holding the session.
pub(crate) const SESSION_CLAIM: &str = "https://stytch.com/session";
/// Claim holding the organization of a B2B member session.
#[cfg(feature = "b2b")]
pub(crate) const ORGANIZATION_CLAIM: &str = "https://stytch.com/organization";
/// Prefix of every claim Stytch reserves for itself.
const STYTCH_PREFIX: &str = "https://stytch.com/";
/// Claims registered by RFC 7519.
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Whether `name` is a claim the token format itself defines.
fn is_reserved(name: &str) -> bool {
    REGISTERED.contains(&name) || name.starts_with(STYTCH_PREFIX)
}

/// Removes and returns the custom claims: everything not registered and not Stytch's own.
pub(crate) fn take_custom_claims(
    claims: &mut Map<String, Value>,
    also_reserved: &[&str],
) -> Map<String, Value> {
    let names: Vec<String> = claims
        .keys()
        .filter(|name| !is_reserved(name) && !also_reserved.contains(&name.as_str()))
        .cloned()
        .collect();
    names
        .into_iter()
        .filter_map(|name| claims.remove_entry(&name))
        .collect()
}

fn take_object(
    claims: &mut Map<String, Value>,
    name: &str,
) -> Result<Map<String, Value>, AuthError> {
    match claims.remove(name) {
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err(AuthError::malformed(format!("`{name}` is not an object"))),
        None => Err(AuthError::malformed(format!("`{name}` claim is missing"))),
    }
}

/// Moves `from` of `source` to `to` of `target`, when present.
fn carry(source: &mut Map<String, Value>, from: &str, target: &mut Map<String, Value>, to: &str) {
    if let Some(value) = source.remove(from) {
        target.insert(to.to_owned(), value);
    }
}

fn decode<T: DeserializeOwned>(what: &str, value: Map<String, Value>) -> Result<T, AuthError> {
    serde_json::from_value(Value::Object(value))
        .map_err(|e| AuthError::malformed(format!("{what} does not decode: {e}")))
}

/// Builds the consumer session from the claims of a verified session JWT.
#[cfg(feature = "consumer")]
pub(crate) fn consumer_session<T: DeserializeOwned>(
    subject: String,
    mut claims: Map<String, Value>,
) -> Result<T, AuthError> {
    let mut session = take_object(&mut claims, SESSION_CLAIM)?;
    let custom = take_custom_claims(&mut claims, &[]);
    let mut out = Map::new();
    carry(&mut session, "id", &mut out, "session_id");
    out.insert("user_id".into(), Value::String(subject));
    for field in ["started_at", "last_accessed_at", "expires_at", "attributes"] {
        carry(&mut session, field, &mut out, field);
    }
    let list = |session: &mut Map<String, Value>, name: &str| {
        session
            .remove(name)
            .filter(|v| !v.is_null())
            .unwrap_or(Value::Array(Vec::new()))
    };
    out.insert(
        "authentication_factors".into(),
        list(&mut session, "authentication_factors"),
    );
    out.insert("roles".into(), list(&mut session, "roles"));
    out.insert("custom_claims".into(), Value::Object(custom));
    decode("the session claim", out)
}

/// Builds the B2B member session from the claims of a verified session JWT.
#[cfg(feature = "b2b")]
pub(crate) fn member_session<T: DeserializeOwned>(
    subject: String,
    mut claims: Map<String, Value>,
) -> Result<T, AuthError> {
    let mut session = take_object(&mut claims, SESSION_CLAIM)?;
    let mut organization = take_object(&mut claims, ORGANIZATION_CLAIM)?;
    let custom = take_custom_claims(&mut claims, &[]);
    let mut out = Map::new();
    carry(&mut session, "id", &mut out, "member_session_id");
    out.insert("member_id".into(), Value::String(subject));
    for field in ["started_at", "last_accessed_at", "expires_at"] {
        carry(&mut session, field, &mut out, field);
    }
    let list = |session: &mut Map<String, Value>, name: &str| {
        session
            .remove(name)
            .filter(|v| !v.is_null())
            .unwrap_or(Value::Array(Vec::new()))
    };
    out.insert(
        "authentication_factors".into(),
        list(&mut session, "authentication_factors"),
    );
    out.insert("roles".into(), list(&mut session, "roles"));
    carry(
        &mut organization,
        "organization_id",
        &mut out,
        "organization_id",
    );
    carry(&mut organization, "slug", &mut out, "organization_slug");
    out.insert("custom_claims".into(), Value::Object(custom));
    decode("the member session claims", out)
}
