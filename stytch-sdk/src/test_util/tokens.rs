//! The mock's signing key and the claims of the tokens it signs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// An RSA key made when the mock starts; its public half is the mock's JWKS.
pub(crate) struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
}

impl SigningKey {
    pub(crate) fn generate(kid: String) -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("aws-lc-rs generates an RSA key");
        Self { kid, pair }
    }

    /// The public key as the JWKS endpoint lists it.
    pub(crate) fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA",
            "use": "sig",
            "key_ops": ["verify"],
            "alg": "RS256",
            "kid": self.kid,
            "x5c": [],
            "x5tS256": "",
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// An RS256 JWT over `claims`, with this key's id in the header.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("RS256 signing with a fresh key succeeds");
        format!("{input}.{}", b64(&signature))
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unix(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    }
}

fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// What a session JWT signed by [`MockStytch::session_jwt`](super::MockStytch::session_jwt)
/// says: a consumer user session or a B2B member session.
///
/// By default the token was issued just now, is valid for five minutes (like
/// the JWTs Stytch issues), and the session has no roles beyond the default
/// one of its product (`stytch_user` or `stytch_member`).
#[derive(Debug, Clone)]
pub struct SessionClaims {
    subject: String,
    session_id: String,
    organization: Option<(String, String)>,
    roles: Vec<String>,
    issued: SystemTime,
    lifetime: Duration,
    custom: Map<String, Value>,
}

impl SessionClaims {
    /// A consumer session of this user (`user-test-…`).
    pub fn user(user_id: impl Into<String>) -> Self {
        Self::new(user_id.into(), None, "stytch_user")
    }

    /// A B2B member session of this member in this organization.
    pub fn member(member_id: impl Into<String>, organization_id: impl Into<String>) -> Self {
        let organization_id = organization_id.into();
        let slug = organization_id
            .trim_start_matches("organization-test-")
            .trim_start_matches("organization-live-")
            .to_owned();
        Self::new(
            member_id.into(),
            Some((organization_id, slug)),
            "stytch_member",
        )
    }

    fn new(subject: String, organization: Option<(String, String)>, role: &str) -> Self {
        let kind = if organization.is_some() {
            "member-session"
        } else {
            "session"
        };
        Self {
            session_id: format!("{kind}-test-{subject}"),
            subject,
            organization,
            roles: vec![role.to_owned()],
            issued: SystemTime::now(),
            lifetime: Duration::from_secs(300),
            custom: Map::new(),
        }
    }

    /// The session id (default: derived from the user or member id).
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = id.into();
        self
    }

    /// The organization slug of a member session (default: the organization id
    /// without its `organization-test-` prefix).
    pub fn organization_slug(mut self, slug: impl Into<String>) -> Self {
        if let Some((_, current)) = &mut self.organization {
            *current = slug.into();
        }
        self
    }

    /// Adds roles to the session, for RBAC checks against the mock's policy.
    pub fn roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Issues the token this long ago (default: now). Tokens older than the
    /// verifier's maximum age (five minutes by default) are not verified
    /// locally but sent to `sessions.authenticate`.
    pub fn issued_ago(mut self, age: Duration) -> Self {
        self.issued = SystemTime::now() - age;
        self
    }

    /// How long the token is valid after it was issued (default: five minutes).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Issued two minutes ago and expired one minute ago: local verification
    /// fails with `AuthError::Expired`.
    pub fn expired(self) -> Self {
        self.issued_ago(Duration::from_secs(120))
            .lifetime(Duration::from_secs(60))
    }

    /// Adds a custom claim (a top-level claim outside Stytch's own).
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom.insert(name.into(), value.into());
        self
    }

    /// The claims as Stytch puts them in a session JWT of `project_id`.
    pub(crate) fn to_json(&self, project_id: &str) -> Value {
        let iat = unix(self.issued);
        let exp = iat + self.lifetime.as_secs() as i64;
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(self.subject));
        claims.insert("iss".into(), json!(format!("stytch.com/{project_id}")));
        claims.insert("aud".into(), json!([project_id]));
        claims.insert("iat".into(), json!(iat));
        claims.insert("nbf".into(), json!(iat));
        claims.insert("exp".into(), json!(exp));
        let factor = json!({
            "type": "otp",
            "delivery_method": "email",
            "last_authenticated_at": rfc3339(iat),
            "email_factor": {"email_id": "email-test-mock", "email_address": "someone@example.com"}
        });
        let attributes = self
            .organization
            .is_none()
            .then(|| json!({"ip_address": "203.0.113.7", "user_agent": "stytch-sdk mock"}));
        let mut session = json!({
            "id": self.session_id,
            "started_at": rfc3339(iat),
            "last_accessed_at": rfc3339(iat),
            "expires_at": rfc3339(iat + 3600),
            "authentication_factors": [factor],
            "roles": self.roles,
        });
        if let Some(attributes) = attributes {
            session["attributes"] = attributes;
        }
        claims.insert("https://stytch.com/session".into(), session);
        if let Some((organization_id, slug)) = &self.organization {
            claims.insert(
                "https://stytch.com/organization".into(),
                json!({"organization_id": organization_id, "slug": slug}),
            );
        }
        for (name, value) in &self.custom {
            claims.insert(name.clone(), value.clone());
        }
        Value::Object(claims)
    }
}

/// The claims of an M2M access token of `client_id` with these scopes, valid one hour.
pub(crate) fn m2m_claims(project_id: &str, client_id: &str, scopes: &[String]) -> Value {
    let iat = unix(SystemTime::now());
    json!({
        "sub": client_id,
        "iss": format!("stytch.com/{project_id}"),
        "aud": [project_id],
        "iat": iat,
        "nbf": iat,
        "exp": iat + 3600,
        "scope": scopes.join(" "),
    })
}
