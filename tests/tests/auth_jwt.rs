//! Session JWT verification rules (consumer): what is accepted, with which
//! claims, and the typed error for every class of bad token.

mod auth_support;

use std::time::Duration;

use auth_support::*;
use serde_json::{Value, json};
use stytch_sdk::auth::{AuthError, MAX_TOKEN_LEN, SessionJwtOptions};

fn timestamp(text: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
}

/// A server serving `key` as the consumer key set, and a client for it.
async fn setup(key: &TestKey) -> (Server, stytch_sdk::Client) {
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server.consumer();
    (server, client)
}

async fn local_err(
    client: &stytch_sdk::Client,
    token: &str,
    options: &SessionJwtOptions,
) -> AuthError {
    let err = client
        .sessions()
        .authenticate_jwt_local(token, options)
        .await
        .expect_err("token must be rejected");
    auth_error(err)
}

#[tokio::test]
async fn valid_token_yields_the_session_from_its_claims() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    let token = key.sign(&session_claims(10));

    let session = client
        .sessions()
        .authenticate_jwt_local(&token, &SessionJwtOptions::new())
        .await
        .expect("valid token");
    assert_eq!(session.session_id, "session-test-1");
    assert_eq!(session.user_id, "user-test-ada");
    assert_eq!(session.roles, ["stytch_user", "editor"]);
    assert_eq!(
        session.started_at.unwrap(),
        timestamp("2026-01-02T03:04:05Z")
    );
    assert_eq!(
        session.expires_at.unwrap(),
        timestamp("2026-01-09T03:04:05Z")
    );
    let attributes = session.attributes.as_ref().unwrap();
    assert_eq!(attributes.ip_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(session.authentication_factors.len(), 1);
    let factor = &session.authentication_factors[0];
    assert_eq!(
        factor.email_factor.as_ref().unwrap().email_address,
        "ada@example.com"
    );
    // Custom claims are exactly the non-registered, non-Stytch ones.
    assert_eq!(
        session.custom_claims,
        Some(json!({"plan": "pro", "limits": {"seats": 5}}))
    );

    let authenticated = client
        .sessions()
        .authenticate_jwt(&token, &SessionJwtOptions::new())
        .await
        .expect("valid token");
    assert!(authenticated.verified_locally);
    assert_eq!(authenticated.session_jwt, token);
    assert_eq!(authenticated.session, session);
    // One key set fetch served both calls; the sessions API was never called.
    assert_eq!(server.hits(CONSUMER_JWKS), 1);
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), 0);
}

#[tokio::test]
async fn algorithm_none_hs256_and_others_are_rejected() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    let options = SessionJwtOptions::new();
    let claims = session_claims(0);

    // alg none, with and without a signature segment.
    let header = json!({"alg": "none", "typ": "JWT", "kid": "key-1"});
    let unsigned = format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    assert!(matches!(
        local_err(&client, &unsigned, &options).await,
        AuthError::UnsupportedAlgorithm { alg } if alg == "none"
    ));
    let signed_none = key.sign_with_header(&header, &claims);
    assert!(matches!(
        local_err(&client, &signed_none, &options).await,
        AuthError::UnsupportedAlgorithm { alg } if alg == "none"
    ));

    // HS256 with the public key material as the HMAC secret (the classic confusion attack).
    let hs_header = json!({"alg": "HS256", "typ": "JWT", "kid": "key-1"});
    let input = format!(
        "{}.{}",
        b64(hs_header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let secret = key.jwk()["n"].as_str().unwrap().to_owned();
    let hmac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&hmac_key, input.as_bytes());
    let hs_token = format!("{input}.{}", b64(tag.as_ref()));
    assert!(matches!(
        local_err(&client, &hs_token, &options).await,
        AuthError::UnsupportedAlgorithm { alg } if alg == "HS256"
    ));

    // Another RSA algorithm in the header, even with a valid RS256 signature.
    let rs512 = key.sign_with_header(&json!({"alg": "RS512", "kid": "key-1"}), &claims);
    assert!(matches!(
        local_err(&client, &rs512, &options).await,
        AuthError::UnsupportedAlgorithm { alg } if alg == "RS512"
    ));

    // Critical header extensions are not understood, so not accepted.
    let crit = key.sign_with_header(
        &json!({"alg": "RS256", "kid": "key-1", "crit": ["exp"], "exp": 1}),
        &claims,
    );
    assert!(matches!(
        local_err(&client, &crit, &options).await,
        AuthError::UnsupportedAlgorithm { .. }
    ));
    // Rejected before any key lookup.
    assert_eq!(server.hits(CONSUMER_JWKS), 0);
}

#[tokio::test]
async fn key_declaring_another_algorithm_is_a_mismatch() {
    let key = TestKey::generate("key-512");
    let ec = TestKey::generate("key-ec");
    let other_use = TestKey::generate("key-enc");
    let server = Server::start().await;
    server.serve_keys(
        CONSUMER_JWKS,
        &[
            key.jwk_with(json!({"alg": "RS512"})),
            ec.jwk_with(json!({"kty": "EC", "n": "", "e": ""})),
            other_use.jwk_with(json!({"use": "enc"})),
        ],
    );
    let client = server.consumer();
    let options = SessionJwtOptions::new();
    for signer in [&key, &ec, &other_use] {
        let token = signer.sign(&session_claims(0));
        let err = local_err(&client, &token, &options).await;
        assert!(
            matches!(&err, AuthError::AlgorithmMismatch { token, .. } if token == "RS256"),
            "{}: {err:?}",
            signer.kid
        );
    }
}

#[tokio::test]
async fn bad_signatures_are_rejected() {
    let key = TestKey::generate("key-1");
    let impostor = TestKey::generate("key-1");
    let (_server, client) = setup(&key).await;
    let options = SessionJwtOptions::new();

    // Signed by a different key that claims the same kid.
    let forged = impostor.sign(&session_claims(0));
    assert!(matches!(
        local_err(&client, &forged, &options).await,
        AuthError::InvalidSignature
    ));

    // Genuine signature, claims swapped for others.
    let genuine = key.sign(&session_claims(0));
    let mut other = session_claims(0);
    other["sub"] = json!("user-test-mallory");
    let parts: Vec<&str> = genuine.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(other.to_string().as_bytes()),
        parts[2]
    );
    assert!(matches!(
        local_err(&client, &tampered, &options).await,
        AuthError::InvalidSignature
    ));

    // Signature truncated, and signature of the wrong length.
    let truncated = format!("{}.{}.{}", parts[0], parts[1], &parts[2][..40]);
    assert!(matches!(
        local_err(&client, &truncated, &options).await,
        AuthError::InvalidSignature
    ));
    // The untouched token still verifies.
    client
        .sessions()
        .authenticate_jwt_local(&genuine, &options)
        .await
        .expect("genuine token");
}

#[tokio::test]
async fn unknown_key_is_reported_with_its_id() {
    let key = TestKey::generate("key-1");
    let stranger = TestKey::generate("key-stranger");
    let (_server, client) = setup(&key).await;
    let err = local_err(
        &client,
        &stranger.sign(&session_claims(0)),
        &SessionJwtOptions::new(),
    )
    .await;
    assert!(matches!(err, AuthError::UnknownKey { kid } if kid == "key-stranger"));
}

#[tokio::test]
async fn issuer_must_be_the_project_or_its_custom_domain() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    let options = SessionJwtOptions::new();

    for bad in [
        json!("stytch.com/project-test-someone-else"),
        json!("https://login.example.com"),
        json!(""),
    ] {
        let mut claims = session_claims(0);
        claims["iss"] = bad.clone();
        let err = local_err(&client, &key.sign(&claims), &options).await;
        assert!(
            matches!(&err, AuthError::WrongIssuer { issuer: Some(i) } if Some(i.as_str()) == bad.as_str()),
            "{err:?}"
        );
    }
    let mut claims = session_claims(0);
    claims.as_object_mut().unwrap().remove("iss");
    assert!(matches!(
        local_err(&client, &key.sign(&claims), &options).await,
        AuthError::WrongIssuer { issuer: None }
    ));

    // With a custom domain configured, both its forms and the default are accepted.
    let custom = server
        .consumer_builder()
        .custom_domain("https://Login.Example.com/")
        .build()
        .unwrap();
    for good in [
        "https://login.example.com".to_owned(),
        "login.example.com".to_owned(),
        format!("stytch.com/{PROJECT_ID}"),
    ] {
        let mut claims = session_claims(0);
        claims["iss"] = json!(good);
        custom
            .sessions()
            .authenticate_jwt_local(&key.sign(&claims), &options)
            .await
            .unwrap_or_else(|e| panic!("issuer {good} must be accepted: {e}"));
    }
    let mut claims = session_claims(0);
    claims["iss"] = json!("https://evil.example.com");
    let err = auth_error(
        custom
            .sessions()
            .authenticate_jwt_local(&key.sign(&claims), &options)
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, AuthError::WrongIssuer { .. }));

    // A custom domain that is not a host name is a configuration error.
    let bad = server
        .consumer_builder()
        .custom_domain("https://x.example/path")
        .build();
    assert!(matches!(bad, Err(stytch_sdk::Error::Config(_))));
}

#[tokio::test]
async fn audience_must_contain_the_project() {
    let key = TestKey::generate("key-1");
    let (_server, client) = setup(&key).await;
    let options = SessionJwtOptions::new();

    let mut as_string = session_claims(0);
    as_string["aud"] = json!(PROJECT_ID);
    client
        .sessions()
        .authenticate_jwt_local(&key.sign(&as_string), &options)
        .await
        .expect("string audience");
    let mut among_others = session_claims(0);
    among_others["aud"] = json!(["someone-else", PROJECT_ID]);
    client
        .sessions()
        .authenticate_jwt_local(&key.sign(&among_others), &options)
        .await
        .expect("audience list");

    for bad in [
        json!(["project-test-other"]),
        json!("project-test-other"),
        json!([]),
    ] {
        let mut claims = session_claims(0);
        claims["aud"] = bad;
        assert!(matches!(
            local_err(&client, &key.sign(&claims), &options).await,
            AuthError::WrongAudience { .. }
        ));
    }
    let mut missing = session_claims(0);
    missing.as_object_mut().unwrap().remove("aud");
    assert!(matches!(
        local_err(&client, &key.sign(&missing), &options).await,
        AuthError::WrongAudience { audience } if audience.is_empty()
    ));
}

#[tokio::test]
async fn expiry_not_before_and_issued_at_respect_the_clock_tolerance() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    let strict = SessionJwtOptions::new();
    let lenient = SessionJwtOptions::new().clock_tolerance(Duration::from_secs(30));

    // Expired ten seconds ago (issued well within the max age).
    let mut expired = session_claims(20);
    expired["exp"] = json!(now() - 10);
    let token = key.sign(&expired);
    let err = local_err(&client, &token, &strict).await;
    assert!(
        matches!(err, AuthError::Expired { expired_at } if expired_at.unix_timestamp() == claim_i64(&expired, "exp"))
    );
    client
        .sessions()
        .authenticate_jwt_local(&token, &lenient)
        .await
        .expect("within tolerance");
    // A genuine expired token is asked about at the API (which may still
    // know the session); here the API has no such session.
    let err = client
        .sessions()
        .authenticate_jwt(&token, &strict)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), 1);

    // Not valid for another ten seconds.
    let mut early = session_claims(0);
    early["nbf"] = json!(now() + 10);
    let token = key.sign(&early);
    assert!(matches!(
        local_err(&client, &token, &strict).await,
        AuthError::NotYetValid { .. }
    ));
    client
        .sessions()
        .authenticate_jwt_local(&token, &lenient)
        .await
        .expect("within tolerance");

    // Issued in the future.
    let mut future = session_claims(-10);
    future["nbf"] = json!(now() - 5);
    let token = key.sign(&future);
    assert!(matches!(
        local_err(&client, &token, &strict).await,
        AuthError::NotYetValid { .. }
    ));
    client
        .sessions()
        .authenticate_jwt_local(&token, &lenient)
        .await
        .expect("within tolerance");

    // Far in the future even with tolerance.
    let mut far = session_claims(0);
    far["nbf"] = json!(now() + 3600);
    assert!(matches!(
        local_err(&client, &key.sign(&far), &lenient).await,
        AuthError::NotYetValid { .. }
    ));
}

#[tokio::test]
async fn an_expired_token_is_expired_whatever_its_age() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    // Issued 400 s ago, expired 100 s ago (Stytch's five-minute lifetime):
    // past both the default 300 s maximum age and its `exp`.
    let claims = session_claims(400);
    let token = key.sign(&claims);
    let err = local_err(&client, &token, &SessionJwtOptions::new()).await;
    assert!(
        matches!(err, AuthError::Expired { expired_at } if expired_at.unix_timestamp() == claim_i64(&claims, "exp")),
        "{err:?}"
    );
    // The same with a tighter maximum age, and with none.
    for max_age in [Some(Duration::from_secs(10)), None] {
        let options = SessionJwtOptions::new().max_token_age(max_age);
        let err = local_err(&client, &token, &options).await;
        assert!(matches!(err, AuthError::Expired { .. }), "{err:?}");
    }
    // An unexpired token past the maximum age is too old.
    let mut old = session_claims(400);
    old["exp"] = json!(now() + 60);
    let err = local_err(&client, &key.sign(&old), &SessionJwtOptions::new()).await;
    assert!(matches!(err, AuthError::TooOld { .. }), "{err:?}");
    // Both reasons still send `authenticate_jwt` to the API.
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), 0);
    for stale in [token, key.sign(&old)] {
        let _ = client
            .sessions()
            .authenticate_jwt(&stale, &SessionJwtOptions::new())
            .await;
    }
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), 2);
}

fn claim_i64(claims: &Value, name: &str) -> i64 {
    claims[name].as_i64().unwrap()
}

#[tokio::test]
async fn stale_tokens_fail_locally_and_fall_back_to_the_api() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    // Issued 400 s ago and still unexpired: too old for the default 300 s.
    let stale = key.sign(&{
        let mut claims = session_claims(400);
        claims["exp"] = json!(now() + 600);
        claims
    });

    let err = local_err(&client, &stale, &SessionJwtOptions::new()).await;
    assert!(
        matches!(err, AuthError::TooOld { max_age, .. } if max_age == Duration::from_secs(300))
    );
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), 0);

    let mut api_session = serde_json::to_value(
        client
            .sessions()
            .authenticate_jwt_local(&key.sign(&session_claims(0)), &SessionJwtOptions::new())
            .await
            .unwrap(),
    )
    .unwrap();
    api_session["session_id"] = json!("session-from-api");
    server.route(
        CONSUMER_AUTHENTICATE,
        200,
        json!({
            "session": api_session,
            "session_token": "opaque",
            "session_jwt": "fresh.jwt.value",
            "user": serde_json::to_value(stytch_sdk::consumer::models::users::User::default()).unwrap(),
        }),
    );
    let authenticated = client
        .sessions()
        .authenticate_jwt(&stale, &SessionJwtOptions::new())
        .await
        .expect("fallback");
    assert!(!authenticated.verified_locally);
    assert_eq!(authenticated.session.session_id, "session-from-api");
    assert_eq!(authenticated.session_jwt, "fresh.jwt.value");
    let bodies = server.bodies(CONSUMER_AUTHENTICATE);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["session_jwt"], json!(stale));

    // A larger max age verifies an expired token locally no more than before.
    let err = local_err(
        &client,
        &key.sign(&session_claims(400)),
        &SessionJwtOptions::new().max_token_age(Duration::from_secs(3600)),
    )
    .await;
    assert!(matches!(err, AuthError::Expired { .. }));
    let fresh_enough = key.sign(&{
        let mut claims = session_claims(400);
        claims["exp"] = json!(now() + 60);
        claims
    });
    client
        .sessions()
        .authenticate_jwt_local(
            &fresh_enough,
            &SessionJwtOptions::new().max_token_age(Duration::from_secs(3600)),
        )
        .await
        .expect("within the larger max age");
    client
        .sessions()
        .authenticate_jwt_local(&fresh_enough, &SessionJwtOptions::new().max_token_age(None))
        .await
        .expect("no max age");

    // A revoked session: the API's error comes through unchanged.
    server.route(
        CONSUMER_AUTHENTICATE,
        404,
        json!({"error_type": "session_not_found", "error_message": "gone", "error_url": ""}),
    );
    let err = client
        .sessions()
        .authenticate_jwt(&stale, &SessionJwtOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.api().map(|e| e.error_type.as_str()),
        Some("session_not_found")
    );
}

#[tokio::test]
async fn malformed_tokens_get_typed_errors() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    let options = SessionJwtOptions::new();
    let good = key.sign(&session_claims(0));
    let parts: Vec<&str> = good.split('.').collect();

    let malformed = [
        String::new(),
        "not-a-jwt".to_owned(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.extra"),
        format!(
            "{}.{}.{}.{}.{}",
            parts[0], parts[1], parts[2], parts[2], parts[2]
        ),
        format!("{}!.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", parts[0], parts[1], "sig+with/std=chars"),
        format!("{}==.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", b64(b"not json"), parts[1], parts[2]),
        format!("{}.{}.{}", b64(b"[1,2]"), parts[1], parts[2]),
        format!("{}.{}.{}", b64(br#"{"typ":"JWT"}"#), parts[1], parts[2]),
        format!("{}.{}.", parts[0], parts[1]),
        format!("{}..{}", parts[0], parts[2]),
        key.sign_with_header(&json!({"alg": "RS256"}), &session_claims(0)),
        key.sign_with_header(&json!({"alg": "RS256", "kid": ""}), &session_claims(0)),
    ];
    for token in &malformed {
        let err = local_err(&client, token, &options).await;
        assert!(matches!(err, AuthError::Malformed(_)), "{token:?}: {err:?}");
    }
    // None of these needed a key.
    assert_eq!(server.hits(CONSUMER_JWKS), 0);

    // Correctly signed, but the claims are not what a session JWT must carry.
    let header = json!({"alg": "RS256", "kid": "key-1"});
    let not_json = key.sign_raw(header.to_string().as_bytes(), b"{not json");
    let not_object = key.sign_raw(header.to_string().as_bytes(), b"[\"a\"]");
    let mut no_iat = session_claims(0);
    no_iat.as_object_mut().unwrap().remove("iat");
    let mut no_exp = session_claims(0);
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut text_exp = session_claims(0);
    text_exp["exp"] = json!("tomorrow");
    let mut huge_exp = session_claims(0);
    huge_exp["exp"] = json!(1e300);
    let mut no_sub = session_claims(0);
    no_sub.as_object_mut().unwrap().remove("sub");
    let mut no_session = session_claims(0);
    no_session
        .as_object_mut()
        .unwrap()
        .remove("https://stytch.com/session");
    let mut bad_session = session_claims(0);
    bad_session["https://stytch.com/session"]["started_at"] = json!("yesterday");
    let mut aud_number = session_claims(0);
    aud_number["aud"] = json!(42);
    let signed: Vec<String> = [
        no_iat,
        no_exp,
        text_exp,
        huge_exp,
        no_sub,
        no_session,
        bad_session,
        aud_number,
    ]
    .iter()
    .map(|claims| key.sign(claims))
    .chain([not_json, not_object])
    .collect();
    for token in &signed {
        let err = local_err(&client, token, &options).await;
        assert!(matches!(err, AuthError::Malformed(_)), "{err:?}");
    }
}

#[tokio::test]
async fn oversized_tokens_are_refused_before_decoding() {
    let key = TestKey::generate("key-1");
    let (server, client) = setup(&key).await;
    let mut claims = session_claims(0);
    claims["padding"] = json!("x".repeat(MAX_TOKEN_LEN));
    let token = key.sign(&claims);
    let err = local_err(&client, &token, &SessionJwtOptions::new()).await;
    assert!(
        matches!(err, AuthError::TooLarge { size, limit } if size == token.len() && limit == MAX_TOKEN_LEN)
    );
    assert_eq!(server.hits(CONSUMER_JWKS), 0);

    // Just under the limit is fine.
    let base = key.sign(&session_claims(0)).len();
    let mut claims = session_claims(0);
    claims["padding"] = json!("x".repeat((MAX_TOKEN_LEN - base - 200) * 3 / 4));
    let token = key.sign(&claims);
    assert!(token.len() <= MAX_TOKEN_LEN);
    client
        .sessions()
        .authenticate_jwt_local(&token, &SessionJwtOptions::new())
        .await
        .expect("under the limit");
}

#[tokio::test]
async fn garbage_never_panics() {
    let key = TestKey::generate("key-1");
    let (_server, client) = setup(&key).await;
    let options = SessionJwtOptions::new();
    let good = key.sign(&session_claims(0));
    // Deterministic pseudo-random mutations of a good token.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"ABCxyz019-_.=+/ \x00\xff{}\"";
    for _ in 0..300 {
        let mut bytes = good.as_bytes().to_vec();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() as usize) % bytes.len();
            match next() % 3 {
                0 => bytes[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        let token = String::from_utf8_lossy(&bytes).into_owned();
        if token == good {
            continue;
        }
        // Every mutation is rejected with an error (never accepted, never a panic).
        let result = client
            .sessions()
            .authenticate_jwt_local(&token, &options)
            .await;
        assert!(result.is_err(), "mutated token accepted: {token}");
    }
}

#[tokio::test]
async fn key_set_fetch_failures_are_reported_as_fetch_errors() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    let client = server.consumer();
    let token = key.sign(&session_claims(0));
    let options = SessionJwtOptions::new();

    server.route(
        CONSUMER_JWKS,
        500,
        json!({"error_type": "internal_server_error", "error_message": "down", "error_url": ""}),
    );
    let err = local_err(&client, &token, &options).await;
    assert!(
        matches!(&err, AuthError::Fetch { what: "key set", source } if source.status() == Some(500)),
        "{err:?}"
    );

    server.route_raw(CONSUMER_JWKS, 200, b"<html>not json</html>".to_vec());
    assert!(matches!(
        local_err(&client, &token, &options).await,
        AuthError::Fetch { .. }
    ));

    // Nothing listening at all.
    let closed = stytch_sdk::Client::builder(PROJECT_ID, SECRET)
        .api_url("http://127.0.0.1:9")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = auth_error(
        closed
            .sessions()
            .authenticate_jwt_local(&token, &options)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, AuthError::Fetch { source, .. } if matches!(**source, stytch_sdk::Error::Http { .. })),
        "{err:?}"
    );

    // Once the endpoint works again (and the backoff has passed), so does verification.
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    tokio::time::sleep(Duration::from_millis(120)).await;
    client
        .sessions()
        .authenticate_jwt_local(&token, &options)
        .await
        .expect("recovered");
}

#[tokio::test]
async fn the_api_base_url_is_an_accepted_issuer() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.serve_keys(B2B_JWKS, &[key.jwk()]);
    // A CNAME of the API, configured with a trailing slash.
    let base = format!("{}/", server.url());
    let consumer = server.consumer_builder().api_url(&base).build().unwrap();
    let b2b = server.b2b_builder().api_url(&base).build().unwrap();
    let cname = server.url();

    let with_issuer = |mut claims: Value, issuer: &str| {
        claims["iss"] = json!(issuer);
        key.sign(&claims)
    };
    for issuer in [cname.as_str(), &format!("stytch.com/{PROJECT_ID}")] {
        consumer
            .sessions()
            .authenticate_jwt_local(
                &with_issuer(session_claims(0), issuer),
                &SessionJwtOptions::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{issuer}: {e}"));
        b2b.sessions()
            .authenticate_jwt_local(
                &with_issuer(member_claims(0, &["admin"]), issuer),
                &stytch_sdk::auth::MemberSessionJwtOptions::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{issuer}: {e}"));
        consumer
            .m2m()
            .authenticate_token(
                &with_issuer(m2m_claims("read:users"), issuer),
                &stytch_sdk::auth::M2mTokenOptions::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{issuer}: {e}"));
    }
    for foreign in [
        "https://auth.other.example",
        &format!("{cname}/"),
        "http://127.0.0.1",
    ] {
        let err = auth_error(
            consumer
                .sessions()
                .authenticate_jwt_local(
                    &with_issuer(session_claims(0), foreign),
                    &SessionJwtOptions::new(),
                )
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(err, AuthError::WrongIssuer { .. }),
            "{foreign}: {err:?}"
        );
        let err = auth_error(
            consumer
                .m2m()
                .authenticate_token(
                    &with_issuer(m2m_claims("read:users"), foreign),
                    &stytch_sdk::auth::M2mTokenOptions::new(),
                )
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(err, AuthError::WrongIssuer { .. }),
            "{foreign}: {err:?}"
        );
    }
}

#[tokio::test]
async fn older_session_claims_without_an_expiry_take_the_token_expiry() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    server.serve_keys(B2B_JWKS, &[key.jwk()]);
    let consumer = server.consumer();
    let b2b = server.b2b();

    for older in [Some(json!("")), None] {
        let mut claims = session_claims(0);
        let mut member = member_claims(0, &["admin"]);
        for claims in [&mut claims, &mut member] {
            let session = claims["https://stytch.com/session"]
                .as_object_mut()
                .unwrap();
            match &older {
                Some(value) => session.insert("expires_at".into(), value.clone()),
                None => session.remove("expires_at"),
            };
        }
        let session = consumer
            .sessions()
            .authenticate_jwt_local(&key.sign(&claims), &SessionJwtOptions::new())
            .await
            .unwrap_or_else(|e| panic!("{older:?}: {e}"));
        assert_eq!(
            session.expires_at.unwrap().unix_timestamp(),
            claim_i64(&claims, "exp")
        );
        let member_session = b2b
            .sessions()
            .authenticate_jwt_local(
                &key.sign(&member),
                &stytch_sdk::auth::MemberSessionJwtOptions::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{older:?}: {e}"));
        assert_eq!(
            member_session.expires_at.unix_timestamp(),
            claim_i64(&member, "exp")
        );
    }
    // A malformed (non-empty) expiry is still an error.
    let mut claims = session_claims(0);
    claims["https://stytch.com/session"]["expires_at"] = json!("next tuesday");
    let err = local_err(&consumer, &key.sign(&claims), &SessionJwtOptions::new()).await;
    assert!(matches!(err, AuthError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn only_expired_old_or_unknown_key_tokens_are_asked_about_at_the_api() {
    let key = TestKey::generate("key-1");
    let rotated = TestKey::generate("key-2");
    let attacker = TestKey::generate("key-1"); // claims the real key's id
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server
        .consumer_builder()
        .jwks_refresh_interval(Duration::ZERO)
        .build()
        .unwrap();
    let api_session = serde_json::to_value(
        client
            .sessions()
            .authenticate_jwt_local(&key.sign(&session_claims(0)), &SessionJwtOptions::new())
            .await
            .unwrap(),
    )
    .unwrap();
    server.route(
        CONSUMER_AUTHENTICATE,
        200,
        json!({
            "session": api_session,
            "session_token": "opaque",
            "session_jwt": "fresh.jwt.value",
            "user": serde_json::to_value(stytch_sdk::consumer::models::users::User::default()).unwrap(),
        }),
    );
    let options = SessionJwtOptions::new();
    let with = |changes: Value| {
        let mut claims = session_claims(0);
        for (k, v) in changes.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };

    let mut expired = session_claims(20);
    expired["exp"] = json!(now() - 10);
    let ask_api = [
        ("expired", key.sign(&expired)),
        ("older than the max age", key.sign(&session_claims(400))),
        (
            "key not in the refreshed set",
            rotated.sign(&session_claims(0)),
        ),
    ];
    for (case, token) in &ask_api {
        let before = server.hits(CONSUMER_AUTHENTICATE);
        let authenticated = client
            .sessions()
            .authenticate_jwt(token, &options)
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(!authenticated.verified_locally, "{case}");
        assert_eq!(authenticated.session_jwt, "fresh.jwt.value");
        assert_eq!(server.hits(CONSUMER_AUTHENTICATE), before + 1, "{case}");
    }

    let hs256 = {
        let header = json!({"alg": "HS256", "kid": "key-1"});
        format!(
            "{}.{}.{}",
            b64(header.to_string().as_bytes()),
            b64(session_claims(0).to_string().as_bytes()),
            b64(b"mac")
        )
    };
    let local_only = [
        ("bad signature", attacker.sign(&session_claims(0))),
        (
            "wrong issuer",
            key.sign(&with(json!({"iss": "stytch.com/project-test-other"}))),
        ),
        (
            "wrong audience",
            key.sign(&with(json!({"aud": ["project-test-other"]}))),
        ),
        ("unsupported algorithm", hs256),
        ("malformed", "not.a-token".to_owned()),
        (
            "unknown key, wrong issuer",
            rotated.sign(&with(json!({"iss": "https://evil.example"}))),
        ),
        ("expired, bad signature", attacker.sign(&expired)),
    ];
    let before = server.hits(CONSUMER_AUTHENTICATE);
    for (case, token) in &local_only {
        let err = client
            .sessions()
            .authenticate_jwt(token, &options)
            .await
            .expect_err(case);
        assert!(matches!(err, stytch_sdk::Error::Auth(_)), "{case}: {err:?}");
    }
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), before);

    // An unknown key id while the refresh interval keeps the key set from
    // being fetched again is not asked about either.
    let closed = server.consumer();
    closed
        .sessions()
        .authenticate_jwt_local(&key.sign(&session_claims(0)), &options)
        .await
        .unwrap();
    let err = auth_error(
        closed
            .sessions()
            .authenticate_jwt(&rotated.sign(&session_claims(0)), &options)
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, AuthError::UnknownKey { .. }), "{err:?}");
    assert_eq!(server.hits(CONSUMER_AUTHENTICATE), before);
}

#[tokio::test]
async fn custom_claims_decode_into_the_callers_type() {
    use std::collections::BTreeMap;
    let key = TestKey::generate("key-1");
    let (_server, client) = setup(&key).await;
    let mut claims = session_claims(0);
    claims.as_object_mut().unwrap().remove("plan");
    let authenticated = client
        .sessions()
        .authenticate_jwt(&key.sign(&claims), &SessionJwtOptions::new())
        .await
        .unwrap();
    let typed: BTreeMap<String, BTreeMap<String, u32>> = authenticated.custom_claims().unwrap();
    assert_eq!(typed["limits"]["seats"], 5);
    let same: BTreeMap<String, BTreeMap<String, u32>> =
        authenticated.session.custom_claims_as().unwrap();
    assert_eq!(same, typed);

    // A claim of the wrong shape names its path.
    let err = authenticated
        .custom_claims::<BTreeMap<String, BTreeMap<String, String>>>()
        .unwrap_err();
    assert!(
        matches!(&err, AuthError::CustomClaims { path, .. } if path == "limits.seats"),
        "{err:?}"
    );
    assert!(err.to_string().contains("limits.seats"));
}
