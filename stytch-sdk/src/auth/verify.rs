//! JWT parsing, signature verification and registered-claim checks.
//!
//! Parsing and claim checks are plain functions over the token text, so they
//! need neither keys nor a network; [`verify`] ties them to the key cache of
//! a transport.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::jwks::{KeyUse, Lookup, VerifyingKey};
use super::{AuthError, MAX_TOKEN_LEN, Vertical};
use crate::runtime::Transport;

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
pub(crate) struct Verified {
    /// Every claim of the token.
    pub(crate) claims: Map<String, Value>,
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

/// Decodes the claims segment of a parsed token (verified or not).
fn decode_claims(parsed: &Parsed<'_>) -> Result<Map<String, Value>, AuthError> {
    let payload = decode_segment("claims segment", parsed.payload)?;
    serde_json::from_slice(&payload)
        .map_err(|e| AuthError::malformed(format!("claims are not a JSON object: {e}")))
}

/// Checks that `iss` is one of `issuers` and `aud` contains the project;
/// returns both.
fn check_issuer_and_audience(
    claims: &Map<String, Value>,
    project_id: &str,
    issuers: &[String],
) -> Result<(String, Vec<String>), AuthError> {
    let issuer = match claims.get("iss") {
        Some(Value::String(iss)) if issuers.iter().any(|accepted| accepted == iss) => iss.clone(),
        Some(Value::String(iss)) => {
            return Err(AuthError::WrongIssuer {
                issuer: Some(iss.clone()),
            });
        }
        None | Some(Value::Null) => return Err(AuthError::WrongIssuer { issuer: None }),
        Some(_) => return Err(AuthError::malformed("`iss` is not a string")),
    };

    let audience = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(aud) => Ok(aud.clone()),
                _ => Err(AuthError::malformed(
                    "`aud` holds a value that is not a string",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(AuthError::malformed("`aud` is neither a string nor a list")),
    };
    if !audience.iter().any(|aud| aud == project_id) {
        return Err(AuthError::WrongAudience { audience });
    }
    Ok((issuer, audience))
}

/// Decodes the claims of a token whose signature has been verified and
/// applies the issuer, audience and time rules.
pub(crate) fn check_claims(
    parsed: &Parsed<'_>,
    project_id: &str,
    issuers: &[String],
    rules: TimeRules,
    now: SystemTime,
) -> Result<Verified, AuthError> {
    let claims = decode_claims(parsed)?;
    let (issuer, audience) = check_issuer_and_audience(&claims, project_id, issuers)?;

    let subject = match claims.get("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
        _ => return Err(AuthError::malformed("`sub` is missing or not a string")),
    };

    let now = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let tolerance = rules.tolerance.as_secs_f64();
    let iat =
        numeric_date(&claims, "iat")?.ok_or_else(|| AuthError::malformed("`iat` is missing"))?;
    let exp =
        numeric_date(&claims, "exp")?.ok_or_else(|| AuthError::malformed("`exp` is missing"))?;
    let nbf = numeric_date(&claims, "nbf")?;

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
        claims,
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

/// Reads a NumericDate claim (seconds since the epoch, possibly fractional).
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, AuthError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(secs) if (0.0..=LATEST_DATE).contains(&secs) => Ok(Some(secs)),
            _ => Err(AuthError::malformed(format!("`{name}` is out of range"))),
        },
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

/// Verifies a token with the key set of `vertical`, fetching or refreshing
/// the key set when needed.
///
/// The rejection says whether the API might accept the token: for an
/// expired or too old token whose signature, issuer and audience checked
/// out, and for a token naming a key that a key set fetched for this very
/// call does not hold (as long as its unverified issuer and audience name
/// this project). Forged or malformed tokens never qualify.
pub(crate) async fn verify(
    transport: &Transport,
    vertical: Vertical,
    token: &str,
    rules: TimeRules,
) -> Result<Verified, Rejection> {
    let parsed = parse(token)?;
    let auth = transport.auth();
    let key = match auth
        .jwks(vertical)
        .key(transport, vertical, &parsed.kid)
        .await?
    {
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
            let claims = decode_claims(&parsed)?;
            check_issuer_and_audience(&claims, transport.project_id(), &auth.issuers)?;
            return Err(Rejection {
                error,
                ask_api: true,
            });
        }
    };
    check_signature(&parsed, &key)?;
    check_claims(
        &parsed,
        transport.project_id(),
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
