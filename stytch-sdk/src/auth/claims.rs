//! Turning the claims of a verified Stytch token into SDK types.
//!
//! A session JWT carries the session in the `https://stytch.com/session`
//! claim (`id`, `started_at`, `last_accessed_at`, `expires_at`, `attributes`,
//! `authentication_factors`, `roles`) and the user or member id in `sub`; a
//! B2B one adds `https://stytch.com/organization` (`organization_id`,
//! `slug`). Everything else that is neither a registered JWT claim nor a
//! `https://stytch.com/…` claim is a custom claim.
//!
//! The claims are read in the one pass over the claims segment that also
//! reads the registered claims ([`ClaimSet`]): the session and organization
//! claims are kept as the JSON text they are (checked for syntax, not yet
//! decoded), the custom claims are decoded into a map. Once the token has
//! passed every check, the session type is decoded from that text, field by
//! field, in the order and with the renames a JSON object built from the
//! claims would give it.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::AuthError;
use super::verify::{Checked, ClaimSet};
use crate::codec::Text;

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

/// Adds a custom claim (the last of a repeated name wins, as in a map).
fn read_custom<'de, A: MapAccess<'de>>(
    custom: &mut Map<String, Value>,
    name: Text<'de>,
    map: &mut A,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    custom.insert(name.into_string(), value);
    Ok(())
}

/// Reads a claim as JSON text, after checking it as [`Checked`] does, so a
/// claim decoded only later is held to the same rules as one decoded at once.
fn read_text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Box<RawValue>, A::Error> {
    let raw: Box<RawValue> = map.next_value()?;
    if let Err(e) = Checked::deserialize(&*raw) {
        // The position is the one after the claim, not within it.
        return Err(de::Error::custom(without_position(&e)));
    }
    Ok(raw)
}

/// The claims of a session JWT (consumer or B2B) besides the registered ones.
#[derive(Debug, Default)]
pub(crate) struct SessionParts {
    /// `https://stytch.com/session`, as written.
    session: Option<Box<RawValue>>,
    /// `https://stytch.com/organization`, as written.
    organization: Option<Box<RawValue>>,
    /// The custom claims.
    custom: Map<String, Value>,
}

impl ClaimSet for SessionParts {
    /// Keeps the session and organization claims as text and decodes the
    /// custom claims; other reserved claims are skipped.
    fn read<'de, A: MapAccess<'de>>(
        &mut self,
        name: Text<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match name.as_str() {
            SESSION_CLAIM => self.session = Some(read_text(map)?),
            ORGANIZATION_CLAIM => self.organization = Some(read_text(map)?),
            reserved if is_reserved(reserved) => {
                map.next_value::<Checked>()?;
            }
            _ => read_custom(&mut self.custom, name, map)?,
        }
        Ok(())
    }
}

/// The claims of an M2M access token besides the registered ones.
#[derive(Debug, Default)]
pub(crate) struct M2mParts {
    /// Whether the token carries a session claim (whatever its value).
    pub(crate) has_session: bool,
    /// Whether the token carries an organization claim (whatever its value).
    pub(crate) has_organization: bool,
    /// The `scope` claim.
    pub(crate) scope: Option<Value>,
    /// The custom claims (not registered, not Stytch's own, not `scope`).
    pub(crate) custom: Map<String, Value>,
}

impl ClaimSet for M2mParts {
    /// Notes the session and organization claims, keeps `scope`, decodes the
    /// custom claims; other reserved claims are skipped.
    fn read<'de, A: MapAccess<'de>>(
        &mut self,
        name: Text<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match name.as_str() {
            SESSION_CLAIM => {
                self.has_session = true;
                map.next_value::<Checked>()?;
            }
            ORGANIZATION_CLAIM => {
                self.has_organization = true;
                map.next_value::<Checked>()?;
            }
            "scope" => self.scope = Some(map.next_value()?),
            reserved if is_reserved(reserved) => {
                map.next_value::<Checked>()?;
            }
            _ => read_custom(&mut self.custom, name, map)?,
        }
        Ok(())
    }
}

/// The claims of a Connected App access token besides the registered ones.
#[derive(Debug, Default)]
pub(crate) struct AccessTokenParts {
    /// Whether the token carries a session claim (whatever its value).
    pub(crate) has_session: bool,
    /// The `scope` claim.
    pub(crate) scope: Option<Value>,
    /// The `client_id` claim.
    pub(crate) client_id: Option<Value>,
    /// The organization claim.
    pub(crate) organization: Option<Value>,
    /// Every other claim, `jti` and Stytch's other claims included.
    pub(crate) rest: Map<String, Value>,
}

impl ClaimSet for AccessTokenParts {
    /// Notes the session claim, keeps `scope`, `client_id` and the
    /// organization claim, and decodes every other claim.
    fn read<'de, A: MapAccess<'de>>(
        &mut self,
        name: Text<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match name.as_str() {
            SESSION_CLAIM => {
                self.has_session = true;
                map.next_value::<Checked>()?;
            }
            "scope" => self.scope = Some(map.next_value()?),
            "client_id" => self.client_id = Some(map.next_value()?),
            ORGANIZATION_CLAIM => self.organization = Some(map.next_value()?),
            _ => read_custom(&mut self.rest, name, map)?,
        }
        Ok(())
    }
}

/// The object claim `name`, which must be present and an object.
fn object<'a>(claim: Option<&'a RawValue>, name: &str) -> Result<&'a RawValue, AuthError> {
    match claim {
        Some(raw) if raw.get().starts_with('{') => Ok(raw),
        Some(_) => Err(AuthError::malformed(format!("`{name}` is not an object"))),
        None => Err(AuthError::malformed(format!("`{name}` claim is missing"))),
    }
}

/// The members `names` of the JSON object `raw`, each as its text (the
/// last of a repeated name wins); other members are skipped.
fn members<'a, const N: usize>(
    raw: &'a RawValue,
    names: [&'static str; N],
    what: &str,
) -> Result<[Option<&'a RawValue>; N], AuthError> {
    struct Members<const N: usize>([&'static str; N]);

    impl<'a, const N: usize> Visitor<'a> for Members<N> {
        type Value = [Option<&'a RawValue>; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = [None; N];
            while let Some(name) = map.next_key::<Text<'a>>()? {
                match self.0.iter().position(|wanted| *wanted == name.as_str()) {
                    Some(i) => found[i] = Some(map.next_value()?),
                    // Already held to the rules of `Checked` when read.
                    None => drop(map.next_value::<IgnoredAny>()?),
                }
            }
            Ok(found)
        }
    }

    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_map(&mut deserializer, Members(names))
        .map_err(|e| decode_error(what, &e))
}

/// One value of the object a session type is decoded from.
enum Part<'a> {
    /// JSON text from the token.
    Raw(&'a RawValue),
    /// A value made here: the subject, an empty list, the custom claims, a
    /// filled-in expiry.
    Value(Value),
}

/// Decodes `T` from the object of `entries` (sorted by key, each key once;
/// absent ones left out); `what` names the object in the error.
///
/// The object is written out as JSON text and decoded like an API answer,
/// so that a session type has one decoder, shared with the endpoints that
/// return it, instead of one per kind of in-memory source.
fn decode<T: DeserializeOwned, const N: usize>(
    what: &str,
    entries: [(&'static str, Option<Part<'_>>); N],
) -> Result<T, AuthError> {
    let mut text = Vec::with_capacity(SESSION_TEXT_CAPACITY);
    text.push(b'{');
    for (key, part) in entries
        .into_iter()
        .filter_map(|(key, part)| part.map(|part| (key, part)))
    {
        if text.len() > 1 {
            text.push(b',');
        }
        // The keys are field names of the session types: nothing to escape.
        text.push(b'"');
        text.extend_from_slice(key.as_bytes());
        text.extend_from_slice(b"\":");
        match part {
            Part::Raw(raw) => text.extend_from_slice(raw.get().as_bytes()),
            Part::Value(value) => {
                serde_json::to_writer(&mut text, &value).map_err(|e| decode_error(what, &e))?
            }
        }
    }
    text.push(b'}');
    serde_json::from_slice(&text).map_err(|e| decode_error(what, &e))
}

/// Bytes first set aside for the JSON text of a session (it grows past this
/// when needed).
const SESSION_TEXT_CAPACITY: usize = 1024;

/// The error of a session type that does not decode, worded as when the
/// claims were decoded from an in-memory map: positions within the token's
/// JSON text are left out.
fn decode_error(what: &str, e: &serde_json::Error) -> AuthError {
    AuthError::malformed(format!("{what} does not decode: {}", without_position(e)))
}

/// The message of `e` without the position serde_json appends to errors
/// found in JSON text.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&position) {
        Some(text) if e.line() != 0 => text.to_owned(),
        _ => text,
    }
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

/// The session's expiry as written, unless it is missing: older tokens
/// carry it as an empty string or not at all, and the token's own `exp`
/// stands in for it then.
fn expiry(written: Option<&RawValue>, token_expiry: OffsetDateTime) -> Option<Part<'_>> {
    let missing = written.is_none_or(|raw| matches!(raw.get(), "null" | "\"\""));
    if missing && let Ok(text) = token_expiry.format(&Rfc3339) {
        return Some(Part::Value(Value::String(text)));
    }
    written.map(Part::Raw)
}

/// A list of the session (factors, roles): absent and `null` are empty.
fn list(written: Option<&RawValue>) -> Part<'_> {
    match written {
        Some(raw) if raw.get() != "null" => Part::Raw(raw),
        _ => Part::Value(Value::Array(Vec::new())),
    }
}

/// Decodes the consumer session from the claims of a verified session JWT:
/// the session claim's members (`id` as `session_id`), the subject as
/// `user_id`, the custom claims, and the token's expiry when the session
/// names none.
#[cfg(feature = "consumer")]
pub(crate) fn consumer_session<T: DeserializeOwned>(
    subject: String,
    claims: SessionParts,
    token_expiry: OffsetDateTime,
) -> Result<T, AuthError> {
    const WHAT: &str = "the session claim";
    let session = object(claims.session.as_deref(), SESSION_CLAIM)?;
    let [
        id,
        started_at,
        last_accessed_at,
        expires_at,
        attributes,
        authentication_factors,
        roles,
    ] = members(
        session,
        [
            "id",
            "started_at",
            "last_accessed_at",
            "expires_at",
            "attributes",
            "authentication_factors",
            "roles",
        ],
        WHAT,
    )?;
    decode(
        WHAT,
        [
            ("attributes", attributes.map(Part::Raw)),
            ("authentication_factors", Some(list(authentication_factors))),
            (
                "custom_claims",
                Some(Part::Value(Value::Object(claims.custom))),
            ),
            ("expires_at", expiry(expires_at, token_expiry)),
            ("last_accessed_at", last_accessed_at.map(Part::Raw)),
            ("roles", Some(list(roles))),
            ("session_id", id.map(Part::Raw)),
            ("started_at", started_at.map(Part::Raw)),
            ("user_id", Some(Part::Value(Value::String(subject)))),
        ],
    )
}

/// Decodes the B2B member session from the claims of a verified session
/// JWT: the session claim's members (`id` as `member_session_id`), the
/// organization claim's `organization_id` and `slug` (as
/// `organization_slug`), the subject as `member_id`, the custom claims, and
/// the token's expiry when the session names none.
#[cfg(feature = "b2b")]
pub(crate) fn member_session<T: DeserializeOwned>(
    subject: String,
    claims: SessionParts,
    token_expiry: OffsetDateTime,
) -> Result<T, AuthError> {
    const WHAT: &str = "the member session claims";
    let session = object(claims.session.as_deref(), SESSION_CLAIM)?;
    let organization = object(claims.organization.as_deref(), ORGANIZATION_CLAIM)?;
    let [
        id,
        started_at,
        last_accessed_at,
        expires_at,
        authentication_factors,
        roles,
    ] = members(
        session,
        [
            "id",
            "started_at",
            "last_accessed_at",
            "expires_at",
            "authentication_factors",
            "roles",
        ],
        WHAT,
    )?;
    let [organization_id, slug] = members(organization, ["organization_id", "slug"], WHAT)?;
    decode(
        WHAT,
        [
            ("authentication_factors", Some(list(authentication_factors))),
            (
                "custom_claims",
                Some(Part::Value(Value::Object(claims.custom))),
            ),
            ("expires_at", expiry(expires_at, token_expiry)),
            ("last_accessed_at", last_accessed_at.map(Part::Raw)),
            ("member_id", Some(Part::Value(Value::String(subject)))),
            ("member_session_id", id.map(Part::Raw)),
            ("organization_id", organization_id.map(Part::Raw)),
            ("organization_slug", slug.map(Part::Raw)),
            ("roles", Some(list(roles))),
            ("started_at", started_at.map(Part::Raw)),
        ],
    )
}

/// What a token that is not of the expected kind appears to be, judged by
/// the Stytch claims it carries (`has_session`, `has_organization`) and its
/// subject: session JWTs carry the session claim; OAuth access tokens act
/// for a user or member (and, for B2B, carry the organization claim).
pub(crate) fn user_bound_kind(
    has_session: bool,
    has_organization: bool,
    subject: &str,
) -> Option<&'static str> {
    if has_session {
        if has_organization {
            return Some("a B2B member session JWT");
        }
        return Some("a session JWT");
    }
    if has_organization || subject.starts_with("user-") || subject.starts_with("member-") {
        return Some("a token issued for a user or member (such as an OAuth access token)");
    }
    None
}

#[cfg(all(test, feature = "consumer", feature = "b2b"))]
mod tests {
    //! The session types decoded from the claims text must come out exactly
    //! as when the claims were decoded into a map, rearranged into the
    //! session's object and decoded from that: same value, or same error
    //! message. `reference_*` is that earlier way, kept here to compare.

    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use super::*;
    use crate::auth::verify::{self, TimeRules};
    use crate::b2b::models::sessions::MemberSession;
    use crate::consumer::models::sessions::Session;

    const PROJECT: &str = "project-test-claims";

    fn take_object(
        claims: &mut Map<String, Value>,
        name: &str,
    ) -> Result<Map<String, Value>, String> {
        match claims.remove(name) {
            Some(Value::Object(object)) => Ok(object),
            Some(_) => Err(format!("`{name}` is not an object")),
            None => Err(format!("`{name}` claim is missing")),
        }
    }

    fn carry(source: &mut Map<String, Value>, from: &str, out: &mut Map<String, Value>, to: &str) {
        if let Some(value) = source.remove(from) {
            out.insert(to.to_owned(), value);
        }
    }

    fn common(
        session: &mut Map<String, Value>,
        claims: &mut Map<String, Value>,
        out: &mut Map<String, Value>,
        exp: OffsetDateTime,
    ) {
        for field in ["started_at", "last_accessed_at", "expires_at"] {
            carry(session, field, out, field);
        }
        for list in ["authentication_factors", "roles"] {
            let value = session.remove(list).filter(|v| !v.is_null());
            out.insert(list.into(), value.unwrap_or(Value::Array(Vec::new())));
        }
        let custom: Map<String, Value> = claims
            .iter()
            .filter(|(name, _)| !is_reserved(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        out.insert("custom_claims".into(), Value::Object(custom));
        let missing = match out.get("expires_at") {
            None | Some(Value::Null) => true,
            Some(Value::String(text)) => text.is_empty(),
            Some(_) => false,
        };
        if missing {
            out.insert("expires_at".into(), exp.format(&Rfc3339).unwrap().into());
        }
    }

    fn reference_consumer(claims: &Value, exp: OffsetDateTime) -> Result<Session, String> {
        let mut claims = claims.as_object().unwrap().clone();
        let mut session = take_object(&mut claims, SESSION_CLAIM)?;
        let mut out = Map::new();
        carry(&mut session, "id", &mut out, "session_id");
        carry(&mut session, "attributes", &mut out, "attributes");
        out.insert("user_id".into(), claims["sub"].clone());
        common(&mut session, &mut claims, &mut out, exp);
        serde_json::from_value(Value::Object(out))
            .map_err(|e| format!("the session claim does not decode: {e}"))
    }

    fn reference_member(claims: &Value, exp: OffsetDateTime) -> Result<MemberSession, String> {
        let mut claims = claims.as_object().unwrap().clone();
        let mut session = take_object(&mut claims, SESSION_CLAIM)?;
        let mut organization = take_object(&mut claims, ORGANIZATION_CLAIM)?;
        let mut out = Map::new();
        carry(&mut session, "id", &mut out, "member_session_id");
        carry(
            &mut organization,
            "organization_id",
            &mut out,
            "organization_id",
        );
        carry(&mut organization, "slug", &mut out, "organization_slug");
        out.insert("member_id".into(), claims["sub"].clone());
        common(&mut session, &mut claims, &mut out, exp);
        serde_json::from_value(Value::Object(out))
            .map_err(|e| format!("the member session claims does not decode: {e}"))
    }

    /// Runs the claims text `payload` through the registered-claim checks
    /// (no signature), the rest read by `C`.
    fn check<C: ClaimSet>(payload: &[u8]) -> Result<verify::Verified<C>, AuthError> {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let token = format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256","kid":"k"}"#),
            b64(payload),
            b64(b"signature")
        );
        let parsed = verify::parse(&token).unwrap();
        let rules = TimeRules {
            max_age: None,
            tolerance: Duration::ZERO,
        };
        let issuers = [format!("stytch.com/{PROJECT}")];
        verify::check_claims(&parsed, PROJECT, &issuers, rules, SystemTime::now())
    }

    fn checked(claims: &Value) -> verify::Verified<SessionParts> {
        check(claims.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn claims_nobody_reads_are_held_to_the_rules_of_a_map() {
        let claims = claims_with(json!({"id": "session-test-1"}), None).to_string();
        let claims = claims.strip_suffix('}').unwrap();
        let escaped = r#""\ud800""#;
        for (name, value) in [
            (
                SESSION_CLAIM,
                r#"{"id": "session-test-1", "unknown": 1e400}"#.to_owned(),
            ),
            (SESSION_CLAIM, format!(r#"{{"id": {escaped}}}"#)),
            (ORGANIZATION_CLAIM, "[1e400]".to_owned()),
            ("jti", escaped.to_owned()),
            ("https://stytch.com/other", r#"{"n": -1e999}"#.to_owned()),
            ("https://stytch.com/other", format!(r#"{{{escaped}: 1}}"#)),
            ("custom", "1e400".to_owned()),
        ] {
            let payload = format!(r#"{claims},"{name}":{value}}}"#);
            let map = serde_json::from_str::<Map<String, Value>>(&payload).unwrap_err();
            let expected = format!("claims are not a JSON object: {}", without_position(&map));
            let refused = |error: Option<AuthError>| match error {
                Some(AuthError::Malformed(message)) => message.starts_with(&expected),
                _ => false,
            };
            assert!(
                refused(check::<SessionParts>(payload.as_bytes()).err()),
                "{payload}"
            );
            assert!(
                refused(check::<M2mParts>(payload.as_bytes()).err()),
                "{payload}"
            );
            assert!(
                refused(check::<AccessTokenParts>(payload.as_bytes()).err()),
                "{payload}"
            );
            assert!(refused(check::<()>(payload.as_bytes()).err()), "{payload}");
        }
    }

    fn message(error: AuthError) -> String {
        match error {
            AuthError::Malformed(message) => message,
            other => panic!("not a malformed-token error: {other:?}"),
        }
    }

    fn claims_with(session: Value, organization: Option<Value>) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut claims = json!({
            "sub": "member-test-1",
            "iss": format!("stytch.com/{PROJECT}"),
            "aud": [PROJECT],
            "iat": now, "nbf": now, "exp": now + 300,
            "jti": "jti-test-1",
            "https://stytch.com/other": {"x": 1},
            "plan": "pro",
            "limits": {"seats": 3},
        });
        claims[SESSION_CLAIM] = session;
        if let Some(organization) = organization {
            claims[ORGANIZATION_CLAIM] = organization;
        }
        claims
    }

    #[test]
    fn sessions_decode_as_they_did_from_a_map() {
        let full = json!({
            "id": "session-test-1",
            "started_at": "2026-01-02T03:04:05Z",
            "last_accessed_at": "2026-01-02T03:04:05Z",
            "expires_at": "2026-01-09T03:04:05Z",
            "attributes": {"user_agent": "test", "ip_address": "203.0.113.1"},
            "authentication_factors": [{
                "type": "otp", "delivery_method": "sms",
                "last_authenticated_at": "2026-01-02T03:04:05Z",
                "phone_number_factor": {"phone_id": "phone-number-test-1", "phone_number": "+12025550123"}
            }],
            "roles": ["stytch_user"],
            "unknown": [1, 2],
        });
        let with = |changes: Value| {
            let mut session = full.clone();
            for (name, value) in changes.as_object().unwrap() {
                if value == "<absent>" {
                    session.as_object_mut().unwrap().remove(name);
                } else {
                    session[name] = value.clone();
                }
            }
            session
        };
        let sessions = [
            full.clone(),
            with(json!({"expires_at": ""})),
            with(json!({"expires_at": null})),
            with(json!({"expires_at": "<absent>"})),
            with(json!({"expires_at": "next tuesday"})),
            with(json!({"started_at": "yesterday"})),
            with(json!({"started_at": 17})),
            with(json!({"roles": null, "authentication_factors": "<absent>"})),
            with(json!({"roles": [1]})),
            with(json!({"roles": "admin"})),
            with(json!({"authentication_factors": [{"type": 5}]})),
            with(json!({"attributes": 5})),
            with(json!({"id": "<absent>"})),
            with(json!({"id": null})),
            with(json!({"id": 7, "roles": [1]})),
            json!({}),
            json!(null),
            json!("session"),
        ];
        let organizations = [
            Some(json!({"organization_id": "organization-test-1", "slug": "test"})),
            Some(json!({"organization_id": "organization-test-1"})),
            Some(json!({"organization_id": 5, "slug": "test"})),
            Some(json!([])),
            None,
        ];
        let (mut accepted, mut refused) = (0, 0);
        for session in &sessions {
            for organization in &organizations {
                let claims = claims_with(session.clone(), organization.clone());
                let verified = checked(&claims);
                let exp = verified.expires_at;
                let consumer: Result<Session, _> =
                    consumer_session("member-test-1".into(), checked(&claims).claims, exp);
                assert_eq!(
                    consumer.map_err(message),
                    reference_consumer(&claims, exp),
                    "{claims}"
                );
                let member: Result<MemberSession, _> =
                    member_session("member-test-1".into(), verified.claims, exp);
                let member = member.map_err(message);
                assert_eq!(member, reference_member(&claims, exp), "{claims}");
                match member {
                    Ok(_) => accepted += 1,
                    Err(_) => refused += 1,
                }
            }
        }
        // Both outcomes were compared, many times over.
        assert!(accepted >= 5 && refused >= 50, "{accepted} {refused}");
    }
}
