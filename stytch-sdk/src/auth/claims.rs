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
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::AuthError;

/// Claim holding the session.
pub(crate) const SESSION_CLAIM: &str = "https://stytch.com/session";
/// Claim holding the organization of a B2B member session or access token.
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

/// Decodes custom claims into a caller's type; a mismatch names the path
/// of the claim that did not fit.
pub(crate) fn decode_custom_claims<T: DeserializeOwned>(claims: &Value) -> Result<T, AuthError> {
    serde_path_to_error::deserialize(claims).map_err(|e| {
        let path = e.path().to_string();
        AuthError::CustomClaims {
            path,
            message: e.into_inner().to_string(),
        }
    })
}

/// Decodes the `custom_claims` of a session (absent means none: `{}`).
fn decode_optional<T: DeserializeOwned>(claims: Option<&Value>) -> Result<T, AuthError> {
    match claims {
        Some(value) => decode_custom_claims(value),
        None => decode_custom_claims(&Value::Object(Map::new())),
    }
}

#[cfg(feature = "consumer")]
impl crate::consumer::models::sessions::Session {
    /// Decodes the session's custom claims into `T` (any
    /// [`serde::Deserialize`] type). A claim of the wrong shape fails with
    /// [`AuthError::CustomClaims`] naming its path, such as `limits.seats`.
    ///
    /// ```
    /// # fn run(session: stytch_sdk::consumer::models::sessions::Session) -> Result<(), stytch_sdk::auth::AuthError> {
    /// #[derive(serde::Deserialize)]
    /// struct Claims {
    ///     plan: String,
    /// }
    /// let claims: Claims = session.custom_claims_as()?;
    /// println!("plan {}", claims.plan);
    /// # Ok(()) }
    /// ```
    pub fn custom_claims_as<T: DeserializeOwned>(&self) -> Result<T, AuthError> {
        decode_optional(self.custom_claims.as_ref())
    }
}

#[cfg(feature = "b2b")]
impl crate::b2b::models::sessions::MemberSession {
    /// Decodes the member session's custom claims into `T`; a claim of the
    /// wrong shape fails with [`AuthError::CustomClaims`] naming its path.
    pub fn custom_claims_as<T: DeserializeOwned>(&self) -> Result<T, AuthError> {
        decode_optional(self.custom_claims.as_ref())
    }
}

/// Older tokens carry the session expiry as an empty string or not at all;
/// the token's own `exp` stands in for it then.
fn fill_expiry(out: &mut Map<String, Value>, token_expiry: OffsetDateTime) {
    let missing = match out.get("expires_at") {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.is_empty(),
        Some(_) => false,
    };
    if missing && let Ok(text) = token_expiry.format(&Rfc3339) {
        out.insert("expires_at".into(), Value::String(text));
    }
}

/// Builds the consumer session from the claims of a verified session JWT.
#[cfg(feature = "consumer")]
pub(crate) fn consumer_session<T: DeserializeOwned>(
    subject: String,
    mut claims: Map<String, Value>,
    token_expiry: OffsetDateTime,
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
    fill_expiry(&mut out, token_expiry);
    decode("the session claim", out)
}

/// Builds the B2B member session from the claims of a verified session JWT.
#[cfg(feature = "b2b")]
pub(crate) fn member_session<T: DeserializeOwned>(
    subject: String,
    mut claims: Map<String, Value>,
    token_expiry: OffsetDateTime,
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
    fill_expiry(&mut out, token_expiry);
    decode("the member session claims", out)
}

/// What a token that is not of the expected kind appears to be, judged by
/// the Stytch claims it carries and its subject: session JWTs carry the
/// session claim; OAuth access tokens act for a user or member (and, for
/// B2B, carry the organization claim).
pub(crate) fn user_bound_kind(claims: &Map<String, Value>, subject: &str) -> Option<&'static str> {
    if claims.contains_key(SESSION_CLAIM) {
        if claims.contains_key(ORGANIZATION_CLAIM) {
            return Some("a B2B member session JWT");
        }
        return Some("a session JWT");
    }
    if claims.contains_key(ORGANIZATION_CLAIM)
        || subject.starts_with("user-")
        || subject.starts_with("member-")
    {
        return Some("a token issued for a user or member (such as an OAuth access token)");
    }
    None
}
