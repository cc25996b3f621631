//! JWT parsing, signature verification and registered-claim checks.
//!
//! Parsing and claim checks are plain functions over the token text, so they
//! need neither keys nor a network; [`verify`] ties them to the key cache of
//! a transport.
//!
//! The claims segment is decoded in one pass: the registered claims into
//! loose values the checks judge, every other claim by the caller's
//! [`ClaimSet`], which keeps what it needs in the form it needs.

use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use time::OffsetDateTime;

use super::jwks::{KeyUse, Lookup, VerifyingKey};
use super::{AuthError, MAX_TOKEN_LEN};
use crate::client::Core;
use crate::codec::Text;
use crate::runtime::VerifyingProduct;

/// The only algorithm Stytch signs with and the only one accepted.
const ACCEPTED_ALG: &str = "RS256";

/// What the caller requires of the time claims.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeRules {
    /// Tokens whose `iat` is further back than this fail with [`AuthError::TooOld`].
    pub(crate) max_age: Option<Duration>,
    /// Slack allowed on `exp`, `nbf` and `iat` for clock skew.
    pub(crate) tolerance: Duration,
}

/// A token whose signature, issuer, audience and times all checked out.
#[derive(Debug)]
pub(crate) struct Verified<C> {
    /// The claims other than `iss`, `sub`, `aud`, `exp`, `nbf` and `iat`,
    /// as the caller's [`ClaimSet`] read them.
    pub(crate) claims: C,
    /// The `sub` claim.
    pub(crate) subject: String,
    /// The `iss` claim.
    pub(crate) issuer: String,
    /// The `aud` claim as a list.
    pub(crate) audience: Vec<String>,
    /// The `nbf` claim, when present.
    pub(crate) not_before: Option<OffsetDateTime>,
    /// The `iat` claim.
    pub(crate) issued_at: OffsetDateTime,
    /// The `exp` claim.
    pub(crate) expires_at: OffsetDateTime,
}

/// What a caller reads of the claims other than the registered ones the
/// checks look at (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`), in the same
/// pass over the claims segment.
pub(crate) trait ClaimSet: Default {
    /// Reads the value of the claim `name` from `map`. A claim that appears
    /// twice is read twice, and the last one should win, as it does in a
    /// JSON object decoded into a map.
    fn read<'de, A: MapAccess<'de>>(
        &mut self,
        name: Text<'de>,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// No claim besides the registered ones; the others are [`Checked`].
impl ClaimSet for () {
    fn read<'de, A: MapAccess<'de>>(&mut self, _: Text<'de>, map: &mut A) -> Result<(), A::Error> {
        map.next_value::<Checked>().map(drop)
    }
}

/// Any JSON value, read as strictly as into a `serde_json::Value` (numbers
/// within range, string escapes valid, nesting within serde_json's limit)
/// and then dropped, without building it. Claims nobody reads are checked
/// this way, so that a token is refused as malformed exactly when decoding
/// its claims into a map would have failed.
pub(crate) struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// A registered claim as the token writes it, loose enough that each check
/// can tell a missing claim from one of the wrong type.
#[derive(Debug)]
enum Claim {
    /// `null`.
    Null,
    Text(String),
    /// A number, as `serde_json::Number::as_f64` would read it.
    Number(f64),
    List(Vec<Claim>),
    /// A boolean or an object.
    Other,
}

impl<'de> Deserialize<'de> for Claim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ClaimVisitor)
    }
}

struct ClaimVisitor;

impl<'de> Visitor<'de> for ClaimVisitor {
    type Value = Claim;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Claim, E> {
        Ok(Claim::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Claim, E> {
        Ok(Claim::Other)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Claim, E> {
        Ok(Claim::Number(n as f64))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Claim, E> {
        Ok(Claim::Number(n as f64))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Claim, E> {
        Ok(Claim::Number(n))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Claim, E> {
        Ok(Claim::Text(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Claim, E> {
        Ok(Claim::Text(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Claim, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Claim::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claim, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Claim::Other)
    }
}

/// The decoded claims segment: the registered claims the checks look at,
/// and the rest as `C` read it.
struct Claims<C> {
    iss: Option<Claim>,
    sub: Option<Claim>,
    aud: Option<Claim>,
    exp: Option<Claim>,
    nbf: Option<Claim>,
    iat: Option<Claim>,
    rest: C,
}

impl<'de, C: ClaimSet> Deserialize<'de> for Claims<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ClaimsVisitor(PhantomData))
    }
}

struct ClaimsVisitor<C>(PhantomData<fn() -> C>);

impl<'de, C: ClaimSet> Visitor<'de> for ClaimsVisitor<C> {
    type Value = Claims<C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The words of `serde_json::Map`, which the claims used to decode into.
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims<C>, A::Error> {
        let mut claims = Claims {
            iss: None,
            sub: None,
            aud: None,
            exp: None,
            nbf: None,
            iat: None,
            rest: C::default(),
        };
        while let Some(name) = map.next_key::<Text<'de>>()? {
            let slot = match name.as_str() {
                "iss" => &mut claims.iss,
                "sub" => &mut claims.sub,
                "aud" => &mut claims.aud,
                "exp" => &mut claims.exp,
                "nbf" => &mut claims.nbf,
                "iat" => &mut claims.iat,
                _ => {
                    claims.rest.read(name, &mut map)?;
                    continue;
                }
            };
            // A repeated claim replaces the earlier one, as in a map.
            *slot = Some(map.next_value()?);
        }
        Ok(claims)
    }
}

/// The JOSE header fields looked at.
#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

/// A token split into its parts, header checked, signature not yet verified.
#[derive(Debug)]
pub(crate) struct Parsed<'t> {
    kid: String,
    /// `header.payload`, the bytes the signature covers.
    signing_input: &'t str,
    /// The signature, decoded from its base64url segment.
    signature: Vec<u8>,
    /// The base64url claims segment.
    payload: &'t str,
}

/// Splits a token and checks everything that can be checked without a key;
/// the signature is decoded here, once, and kept for [`check_signature`].
pub(crate) fn parse(token: &str) -> Result<Parsed<'_>, AuthError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(AuthError::TooLarge {
            size: token.len(),
            limit: MAX_TOKEN_LEN,
        });
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        let count = token.split('.').count();
        return Err(AuthError::malformed(format!(
            "a JWT has 3 dot-separated segments, this token has {count}"
        )));
    };
    let signing_input = &token[..header.len() + 1 + payload.len()];
    let header_bytes = decode_segment("header", header)?;
    let header: Header = serde_json::from_slice(&header_bytes).map_err(|e| {
        AuthError::malformed(format!("header is not a JSON object with an `alg`: {e}"))
    })?;
    if header.alg != ACCEPTED_ALG {
        return Err(AuthError::UnsupportedAlgorithm { alg: header.alg });
    }
    if header.crit.is_some() {
        return Err(AuthError::UnsupportedAlgorithm {
            alg: format!("{} with critical header extensions", header.alg),
        });
    }
    let kid = match header.kid {
        Some(kid) if !kid.is_empty() => kid,
        _ => return Err(AuthError::malformed("header has no `kid`")),
    };
    if payload.is_empty() || signature.is_empty() {
        return Err(AuthError::malformed("claims or signature segment is empty"));
    }
    // Decoding before any key is looked up keeps "not base64url" apart
    // from "does not verify".
    let signature = decode_segment("signature", signature)?;
    Ok(Parsed {
        kid,
        signing_input,
        signature,
        payload,
    })
}

fn decode_segment(name: &str, segment: &str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|e| AuthError::malformed(format!("{name} is not unpadded base64url: {e}")))
}

/// Checks the RS256 signature of a parsed token with `key`, parsed when the
/// key set was fetched: RSASSA-PKCS1-v1_5 with SHA-256 over
/// `header.payload`, a 2048 to 8192-bit modulus.
pub(crate) fn check_signature(parsed: &Parsed<'_>, key: &VerifyingKey) -> Result<(), AuthError> {
    let public = match &key.usage {
        KeyUse::Rs256(public) => public,
        KeyUse::Rs256Rejected => return Err(AuthError::InvalidSignature),
        KeyUse::Unusable(declared) => {
            return Err(AuthError::AlgorithmMismatch {
                token: ACCEPTED_ALG.to_owned(),
                key: declared.clone(),
            });
        }
    };
    public
        .verify_sig(parsed.signing_input.as_bytes(), &parsed.signature)
        .map_err(|_| AuthError::InvalidSignature)
}

/// Decodes the claims segment of a parsed token (verified or not) in one
/// pass: the registered claims for the checks, the rest read by `C`.
fn decode_claims<C: ClaimSet>(parsed: &Parsed<'_>) -> Result<Claims<C>, AuthError> {
    let payload = decode_segment("claims segment", parsed.payload)?;
    serde_json::from_slice(&payload)
        .map_err(|e| AuthError::malformed(format!("claims are not a JSON object: {e}")))
}

/// Checks that `iss` is one of `issuers` and `aud` contains the project;
/// returns both.
fn check_issuer_and_audience(
    iss: Option<Claim>,
    aud: Option<Claim>,
    project_id: &str,
    issuers: &[String],
) -> Result<(String, Vec<String>), AuthError> {
    let issuer = match iss {
        Some(Claim::Text(iss)) if issuers.contains(&iss) => iss,
        Some(Claim::Text(iss)) => return Err(AuthError::WrongIssuer { issuer: Some(iss) }),
        None | Some(Claim::Null) => return Err(AuthError::WrongIssuer { issuer: None }),
        Some(_) => return Err(AuthError::malformed("`iss` is not a string")),
    };

    let audience = match aud {
        Some(Claim::Text(aud)) => vec![aud],
        Some(Claim::List(items)) => items
            .into_iter()
            .map(|item| match item {
                Claim::Text(aud) => Ok(aud),
                _ => Err(AuthError::malformed(
                    "`aud` holds a value that is not a string",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        None | Some(Claim::Null) => Vec::new(),
        Some(_) => return Err(AuthError::malformed("`aud` is neither a string nor a list")),
    };
    if !audience.iter().any(|aud| aud == project_id) {
        return Err(AuthError::WrongAudience { audience });
    }
    Ok((issuer, audience))
}

/// Decodes the claims of a token whose signature has been verified (the
/// claims besides the registered ones read by `C`) and applies the issuer,
/// audience and time rules.
pub(crate) fn check_claims<C: ClaimSet>(
    parsed: &Parsed<'_>,
    project_id: &str,
    issuers: &[String],
    rules: TimeRules,
    now: SystemTime,
) -> Result<Verified<C>, AuthError> {
    let claims = decode_claims::<C>(parsed)?;
    let (issuer, audience) =
        check_issuer_and_audience(claims.iss, claims.aud, project_id, issuers)?;

    let subject = match claims.sub {
        Some(Claim::Text(sub)) if !sub.is_empty() => sub,
        _ => return Err(AuthError::malformed("`sub` is missing or not a string")),
    };

    let now = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let tolerance = rules.tolerance.as_secs_f64();
    let iat = numeric_date(claims.iat.as_ref(), "iat")?
        .ok_or_else(|| AuthError::malformed("`iat` is missing"))?;
    let exp = numeric_date(claims.exp.as_ref(), "exp")?
        .ok_or_else(|| AuthError::malformed("`exp` is missing"))?;
    let nbf = numeric_date(claims.nbf.as_ref(), "nbf")?;

    // Expiry comes first: a token past its `exp` is expired, whatever its
    // age; only an unexpired token can be too old for the maximum age.
    if now >= exp + tolerance {
        return Err(AuthError::Expired {
            expired_at: to_datetime(exp),
        });
    }
    if let Some(max_age) = rules.max_age
        && now - iat > max_age.as_secs_f64()
    {
        return Err(AuthError::TooOld {
            issued_at: to_datetime(iat),
            max_age,
        });
    }
    let valid_from = nbf.map_or(iat, |nbf| nbf.max(iat));
    if valid_from > now + tolerance {
        return Err(AuthError::NotYetValid {
            valid_from: to_datetime(valid_from),
        });
    }

    Ok(Verified {
        claims: claims.rest,
        subject,
        issuer,
        audience,
        not_before: nbf.map(to_datetime),
        issued_at: to_datetime(iat),
        expires_at: to_datetime(exp),
    })
}

/// Seconds since the epoch beyond which a date is taken as nonsense (end of year 9999).
const LATEST_DATE: f64 = 253_402_300_799.0;

/// Reads the NumericDate claim `name` (seconds since the epoch, possibly
/// fractional); absent and `null` are `None`.
fn numeric_date(claim: Option<&Claim>, name: &str) -> Result<Option<f64>, AuthError> {
    match claim {
        None | Some(Claim::Null) => Ok(None),
        Some(Claim::Number(secs)) if (0.0..=LATEST_DATE).contains(secs) => Ok(Some(*secs)),
        Some(Claim::Number(_)) => Err(AuthError::malformed(format!("`{name}` is out of range"))),
        Some(_) => Err(AuthError::malformed(format!("`{name}` is not a number"))),
    }
}

fn to_datetime(secs: f64) -> OffsetDateTime {
    // `numeric_date` keeps values within the range OffsetDateTime represents.
    OffsetDateTime::from_unix_timestamp(secs.floor() as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Why a token was not accepted locally, and whether the sessions API
/// might still accept it.
#[derive(Debug)]
pub(crate) struct Rejection {
    pub(crate) error: AuthError,
    /// The token is genuine as far as can be told here (or signed by a key
    /// the freshly fetched key set does not hold) and only failed on time
    /// or key availability, so asking the API is worthwhile.
    pub(crate) ask_api: bool,
}

impl From<AuthError> for Rejection {
    fn from(error: AuthError) -> Self {
        Self {
            error,
            ask_api: false,
        }
    }
}

impl From<Rejection> for AuthError {
    fn from(rejection: Rejection) -> Self {
        rejection.error
    }
}

/// Verifies a token with the key set of product `P`, fetching or refreshing
/// the key set when needed; the claims besides the registered ones come
/// back as `C` read them.
///
/// The rejection says whether the API might accept the token: for an
/// expired or too old token whose signature, issuer and audience checked
/// out, and for a token naming a key that a key set fetched for this very
/// call does not hold (as long as its unverified issuer and audience name
/// this project). Forged or malformed tokens never qualify.
pub(crate) async fn verify<P: VerifyingProduct, C: ClaimSet>(
    core: &Core,
    token: &str,
    rules: TimeRules,
) -> Result<Verified<C>, Rejection> {
    let parsed = parse(token)?;
    let auth = core.auth();
    let key = match auth.jwks::<P>().key::<P>(core, &parsed.kid).await? {
        Lookup::Found(key) => key,
        absent => {
            let error = AuthError::UnknownKey {
                kid: parsed.kid.clone(),
            };
            if matches!(absent, Lookup::AbsentCached) {
                return Err(error.into());
            }
            // Unverifiable: only worth asking about when it claims to be
            // issued by and for this project.
            let claims = decode_claims::<()>(&parsed)?;
            check_issuer_and_audience(claims.iss, claims.aud, core.project_id(), &auth.issuers)?;
            return Err(Rejection {
                error,
                ask_api: true,
            });
        }
    };
    check_signature(&parsed, &key)?;
    check_claims(
        &parsed,
        core.project_id(),
        &auth.issuers,
        rules,
        SystemTime::now(),
    )
    .map_err(|error| {
        let ask_api = matches!(error, AuthError::TooOld { .. } | AuthError::Expired { .. });
        Rejection { error, ask_api }
    })
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{
        KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
        RsaPublicKeyComponents,
    };

    use super::*;

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// An RS256 token over `claims` signed by `pair` under the key id `k`.
    fn sign(pair: &RsaKeyPair, claims: &str) -> String {
        let input = format!(
            "{}.{}",
            b64(br#"{"alg":"RS256","kid":"k"}"#),
            b64(claims.as_bytes())
        );
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut signature,
        )
        .unwrap();
        format!("{input}.{}", b64(&signature))
    }

    fn key_of(pair: &RsaKeyPair) -> VerifyingKey {
        let public = pair.public_key();
        let components = RsaPublicKeyComponents {
            n: public.modulus().big_endian_without_leading_zero(),
            e: public.exponent().big_endian_without_leading_zero(),
        };
        VerifyingKey {
            usage: KeyUse::Rs256(
                components
                    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
                    .unwrap(),
            ),
        }
    }

    /// A token over `claims` with a made-up signature, for the claim checks.
    fn unsigned(claims: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256","kid":"k"}"#),
            b64(claims),
            b64(b"signature")
        )
    }

    /// The registered-claim checks as they were when the claims were
    /// decoded into a map first, to compare with.
    fn reference(payload: &[u8], rules: TimeRules, now: f64) -> Result<String, String> {
        let malformed = |m: &str| Err(format!("{:?}", AuthError::malformed(m)));
        let claims: serde_json::Map<String, Value> = match serde_json::from_slice(payload) {
            Ok(claims) => claims,
            Err(e) => return malformed(&format!("claims are not a JSON object: {e}")),
        };
        let issuer = match claims.get("iss") {
            Some(Value::String(iss)) if iss == "stytch.com/p" => iss.clone(),
            Some(Value::String(iss)) => {
                let issuer = Some(iss.clone());
                return Err(format!("{:?}", AuthError::WrongIssuer { issuer }));
            }
            None | Some(Value::Null) => {
                return Err(format!("{:?}", AuthError::WrongIssuer { issuer: None }));
            }
            Some(_) => return malformed("`iss` is not a string"),
        };
        let audience = match claims.get("aud") {
            Some(Value::String(aud)) => vec![aud.clone()],
            Some(Value::Array(items)) => {
                let mut audience = Vec::new();
                for item in items {
                    match item {
                        Value::String(aud) => audience.push(aud.clone()),
                        _ => return malformed("`aud` holds a value that is not a string"),
                    }
                }
                audience
            }
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return malformed("`aud` is neither a string nor a list"),
        };
        if !audience.iter().any(|aud| aud == "p") {
            return Err(format!("{:?}", AuthError::WrongAudience { audience }));
        }
        let subject = match claims.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
            _ => return malformed("`sub` is missing or not a string"),
        };
        let date = |name: &str| match claims.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(secs) if (0.0..=LATEST_DATE).contains(&secs) => Ok(Some(secs)),
                _ => Err(format!(
                    "{:?}",
                    AuthError::malformed(format!("`{name}` is out of range"))
                )),
            },
            Some(_) => Err(format!(
                "{:?}",
                AuthError::malformed(format!("`{name}` is not a number"))
            )),
        };
        let Some(iat) = date("iat")? else {
            return malformed("`iat` is missing");
        };
        let Some(exp) = date("exp")? else {
            return malformed("`exp` is missing");
        };
        let nbf = date("nbf")?;
        let tolerance = rules.tolerance.as_secs_f64();
        if now >= exp + tolerance {
            let expired_at = to_datetime(exp);
            return Err(format!("{:?}", AuthError::Expired { expired_at }));
        }
        if let Some(max_age) = rules.max_age
            && now - iat > max_age.as_secs_f64()
        {
            let issued_at = to_datetime(iat);
            return Err(format!("{:?}", AuthError::TooOld { issued_at, max_age }));
        }
        let valid_from = nbf.map_or(iat, |nbf| nbf.max(iat));
        if valid_from > now + tolerance {
            let valid_from = to_datetime(valid_from);
            return Err(format!("{:?}", AuthError::NotYetValid { valid_from }));
        }
        let dates = (to_datetime(iat), to_datetime(exp), nbf.map(to_datetime));
        Ok(format!("{issuer} {audience:?} {subject} {dates:?}"))
    }

    #[test]
    fn registered_claims_are_judged_as_they_were_from_a_map() {
        let now = 1_800_000_000u64;
        let clock = UNIX_EPOCH + Duration::from_secs(now);
        let rules = TimeRules {
            max_age: Some(Duration::from_secs(300)),
            tolerance: Duration::from_secs(5),
        };
        let base = serde_json::json!({
            "iss": "stytch.com/p", "aud": ["p"], "sub": "user-test-1",
            "iat": now - 10, "nbf": now - 10, "exp": now + 300,
        });
        let variants = serde_json::json!([
            {}, {"iss": null}, {"iss": "<absent>"}, {"iss": "stytch.com/q"}, {"iss": 5},
            {"iss": ["stytch.com/p"]}, {"aud": "p"}, {"aud": "q"}, {"aud": []}, {"aud": null},
            {"aud": "<absent>"}, {"aud": ["q", "p"]}, {"aud": ["p", 5]}, {"aud": [["p"]]},
            {"aud": {"p": 1}}, {"aud": true}, {"sub": ""}, {"sub": null}, {"sub": 5},
            {"sub": "<absent>"}, {"iat": "<absent>"}, {"iat": null}, {"iat": "now"},
            {"iat": -1}, {"iat": 1e300}, {"iat": 1_800_000_000.5}, {"exp": "<absent>"},
            {"exp": now}, {"exp": now - 6}, {"exp": now - 4}, {"exp": 18_446_744_073_709_551_615u64},
            {"iat": now - 400}, {"iat": now - 400, "exp": now - 10}, {"nbf": now + 60},
            {"nbf": now + 4}, {"nbf": "<absent>"}, {"nbf": null}, {"nbf": [1]},
            {"iat": now + 60, "nbf": null}, {"iss": "stytch.com/q", "exp": now - 100},
            {"custom": {"deep": [1, {"a": null}]}, "jti": "j"},
        ]);
        let mut payloads: Vec<Vec<u8>> = variants
            .as_array()
            .unwrap()
            .iter()
            .map(|changes| {
                let mut claims = base.clone();
                for (name, value) in changes.as_object().unwrap() {
                    if value == "<absent>" {
                        claims.as_object_mut().unwrap().remove(name);
                    } else {
                        claims[name] = value.clone();
                    }
                }
                claims.to_string().into_bytes()
            })
            .collect();
        for raw in [
            &br#"{"iss":"stytch.com/q","iss":"stytch.com/p","aud":"p","sub":"s","iat":1799999990,"exp":1800000100}"#[..],
            br#"{"iss":"stytch.com/p","aud":"p","sub":"s","iat":1799999990,"exp":1800000100,"exp":1}"#,
            br#"{"i\u0073s":"stytch.com/p","aud":"p","sub":"s","iat":1799999990,"exp":1800000100}"#,
            br#"{"iss":"stytch.com/p","aud":"p","sub":"s","iat":1799999990,"exp":1800000100,"x":1e400}"#,
            br#"{"iss":"stytch.com/p","aud":"p","sub":"s","iat":1799999990,"exp":1800000100} x"#,
            b"null",
            b"[1]",
            br#""claims""#,
            b"{not json",
        ] {
            payloads.push(raw.to_vec());
        }
        for payload in &payloads {
            let token = unsigned(payload);
            let parsed = parse(&token).unwrap();
            let ours = check_claims::<()>(&parsed, "p", &["stytch.com/p".to_owned()], rules, clock)
                .map(|v| {
                    let dates = (v.issued_at, v.expires_at, v.not_before);
                    format!("{} {:?} {} {dates:?}", v.issuer, v.audience, v.subject)
                })
                .map_err(|e| format!("{e:?}"));
            let theirs = reference(payload, rules, now as f64);
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(payload));
        }
    }

    #[test]
    fn signatures_verify_only_with_the_signing_key_over_the_signed_bytes() {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let other = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let token = sign(&pair, r#"{"sub":"user-test-1"}"#);
        let parsed = parse(&token).unwrap();
        assert!(check_signature(&parsed, &key_of(&pair)).is_ok());
        assert!(matches!(
            check_signature(&parsed, &key_of(&other)),
            Err(AuthError::InvalidSignature)
        ));
        let rejected = VerifyingKey {
            usage: KeyUse::Rs256Rejected,
        };
        assert!(matches!(
            check_signature(&parsed, &rejected),
            Err(AuthError::InvalidSignature)
        ));

        // The same signature over other claims.
        let (_, signature) = token.rsplit_once('.').unwrap();
        let forged = format!(
            "{}.{}.{signature}",
            b64(br#"{"alg":"RS256","kid":"k"}"#),
            b64(br#"{"sub":"user-test-2"}"#)
        );
        let parsed = parse(&forged).unwrap();
        assert!(matches!(
            check_signature(&parsed, &key_of(&pair)),
            Err(AuthError::InvalidSignature)
        ));
    }
}
