//! The key set cache: one fetch serves many verifications, key rotation is
//! picked up, unknown key ids cannot trigger more than one refresh per
//! window, and the cache expires.

mod auth_support;

use std::sync::Arc;
use std::time::Duration;

use auth_support::*;
use serde_json::json;
use stytch_sdk::auth::{AuthError, MemberSessionJwtOptions, SessionJwtOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fetch_serves_sequential_and_concurrent_verifications() {
    let key = Arc::new(TestKey::generate("key-1"));
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server.consumer();
    let token = Arc::new(key.sign(&session_claims(0)));

    // A cold cache hit by many tasks at once still fetches once.
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let client = client.clone();
        let token = Arc::clone(&token);
        tasks.push(tokio::spawn(async move {
            client
                .sessions()
                .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                .await
                .map(|s| s.user_id)
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().expect("verified"), "user-test-ada");
    }
    for _ in 0..50 {
        client
            .sessions()
            .authenticate_jwt_local(&token, &SessionJwtOptions::new())
            .await
            .expect("verified");
    }
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    // A separately built client has its own cache.
    let other = server.consumer();
    other
        .sessions()
        .authenticate_jwt_local(&token, &SessionJwtOptions::new())
        .await
        .expect("verified");
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
}

#[tokio::test]
async fn rotated_key_is_picked_up_once_the_refresh_window_allows() {
    let old = TestKey::generate("key-old");
    let new = TestKey::generate("key-new");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[old.jwk()]);
    let client = server
        .consumer_builder()
        .jwks_refresh_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    let options = SessionJwtOptions::new();

    let old_token = old.sign(&session_claims(0));
    let new_token = new.sign(&session_claims(0));
    client
        .sessions()
        .authenticate_jwt_local(&old_token, &options)
        .await
        .expect("old key");
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    // Stytch starts publishing the new key.
    server.serve_keys(CONSUMER_JWKS, &[old.jwk(), new.jwk()]);
    // Right after the first fetch the window is closed: rejected, no fetch.
    let err = client
        .sessions()
        .authenticate_jwt_local(&new_token, &options)
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::UnknownKey { kid } if kid == "key-new"));
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    client
        .sessions()
        .authenticate_jwt_local(&new_token, &options)
        .await
        .expect("new key after refresh");
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
    // Both keys are now cached.
    client
        .sessions()
        .authenticate_jwt_local(&old_token, &options)
        .await
        .expect("old key still listed");
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_of_forged_key_ids_costs_at_most_one_fetch_per_window() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server
        .consumer_builder()
        .jwks_refresh_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    let genuine = key.sign(&session_claims(0));
    // (Forged tokens: real signatures by an attacker's key, made-up key ids.
    // All signed up front so each flood takes far less than the window.
    let attacker = TestKey::generate("unused");
    let rounds: Vec<Vec<String>> = (0..4)
        .map(|round| {
            (0..100)
                .map(|i| {
                    attacker.sign_with_header(
                        &serde_json::json!({"alg": "RS256", "kid": format!("forged-{round}-{i}")}),
                        &session_claims(0),
                    )
                })
                .collect()
        })
        .collect();
    let flood = |round: usize| {
        let client = client.clone();
        let tokens = rounds[round].clone();
        async move {
            let mut tasks = Vec::new();
            for token in tokens {
                let client = client.clone();
                tasks.push(tokio::spawn(async move {
                    client
                        .sessions()
                        .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                        .await
                }));
            }
            for task in tasks {
                let err = task.await.unwrap().expect_err("forged kid accepted");
                assert!(matches!(auth_error(err), AuthError::UnknownKey { .. }));
            }
        }
    };

    client
        .sessions()
        .authenticate_jwt_local(&genuine, &SessionJwtOptions::new())
        .await
        .expect("warm");
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    // Within the window of the warm-up fetch: no fetch at all.
    flood(0).await;
    assert_eq!(server.hits(CONSUMER_JWKS), 1);
    // Window over: the whole flood causes exactly one refresh...
    tokio::time::sleep(Duration::from_millis(1100)).await;
    flood(1).await;
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
    // ...and a second flood right after, none.
    flood(2).await;
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    flood(3).await;
    assert_eq!(server.hits(CONSUMER_JWKS), 3);

    // Genuine tokens kept verifying throughout, with no extra fetch.
    client
        .sessions()
        .authenticate_jwt_local(&genuine, &SessionJwtOptions::new())
        .await
        .expect("genuine");
    assert_eq!(server.hits(CONSUMER_JWKS), 3);
}

#[tokio::test]
async fn cache_is_fetched_again_after_its_max_age() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server
        .consumer_builder()
        .jwks_max_age(Duration::from_millis(500))
        .build()
        .unwrap();
    let token = key.sign(&session_claims(0));
    let options = SessionJwtOptions::new();
    for _ in 0..3 {
        client
            .sessions()
            .authenticate_jwt_local(&token, &options)
            .await
            .unwrap();
    }
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    // The key is withdrawn; once the cache has aged out, tokens signed with it fail.
    server.serve_keys(CONSUMER_JWKS, &[]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let err = client
        .sessions()
        .authenticate_jwt_local(&token, &options)
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::UnknownKey { .. }));
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
}

#[tokio::test]
async fn consumer_and_b2b_use_their_own_key_sets() {
    let consumer_key = TestKey::generate("consumer-key");
    let b2b_key = TestKey::generate("b2b-key");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[consumer_key.jwk()]);
    server.serve_keys(B2B_JWKS, &[b2b_key.jwk()]);

    let b2b = server.b2b();
    let member = b2b
        .sessions()
        .authenticate_jwt_local(
            &b2b_key.sign(&member_claims(0, &["admin"])),
            &MemberSessionJwtOptions::new(),
        )
        .await
        .expect("b2b key");
    assert_eq!(member.member_id, "member-test-grace");
    let err = b2b
        .sessions()
        .authenticate_jwt_local(
            &consumer_key.sign(&member_claims(0, &["admin"])),
            &MemberSessionJwtOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(auth_error(err), AuthError::UnknownKey { .. }));
    assert_eq!(server.hits(B2B_JWKS), 1);
    assert_eq!(server.hits(CONSUMER_JWKS), 0);
}

/// Spawns one `authenticate_jwt_local` per token and collects the results.
async fn verify_all(
    client: &stytch_sdk::Client,
    tokens: Vec<String>,
) -> Vec<Result<stytch_sdk::consumer::models::sessions::Session, stytch_sdk::Error>> {
    let mut tasks = Vec::new();
    for token in tokens {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .sessions()
                .authenticate_jwt_local(&token, &SessionJwtOptions::new())
                .await
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_key_ids_during_a_key_set_outage_cost_a_handful_of_fetches() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.route(
        CONSUMER_JWKS,
        500,
        json!({"error_type": "internal_server_error", "error_message": "down", "error_url": ""}),
    );
    let client = server
        .consumer_builder()
        .jwks_refresh_interval(Duration::ZERO)
        .fetch_backoff(Duration::from_secs(10), Duration::from_secs(60))
        .build()
        .unwrap();
    let tokens: Vec<String> = (0..200)
        .map(|i| {
            key.sign_with_header(
                &json!({"alg": "RS256", "kid": format!("unknown-{i}")}),
                &session_claims(0),
            )
        })
        .collect();
    for result in verify_all(&client, tokens).await {
        let err = auth_error(result.expect_err("no key set, no verification"));
        assert!(
            matches!(&err, AuthError::Fetch { what: "key set", source } if source.status() == Some(500)),
            "{err:?}"
        );
    }
    let fetches = server.hits(CONSUMER_JWKS);
    assert!((1..=2).contains(&fetches), "{fetches} key set fetches");

    // Still backing off: more unknown ids cause no fetch either.
    let again = key.sign_with_header(
        &json!({"alg": "RS256", "kid": "unknown-again"}),
        &session_claims(0),
    );
    assert!(matches!(
        auth_error(
            verify_all(&client, vec![again])
                .await
                .remove(0)
                .unwrap_err()
        ),
        AuthError::Fetch { .. }
    ));
    assert_eq!(server.hits(CONSUMER_JWKS), fetches);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_behind_a_hanging_key_set_share_one_timeout() {
    let key = TestKey::generate("key-1");
    let hanging = Hanging::start().await;
    let timeout = Duration::from_millis(800);
    let client = stytch_sdk::Client::builder(PROJECT_ID, SECRET)
        .api_url(&hanging.url)
        .timeout(timeout)
        .build()
        .unwrap();
    let tokens = vec![key.sign(&session_claims(0)); 10];
    let started = std::time::Instant::now();
    let results = verify_all(&client, tokens).await;
    let elapsed = started.elapsed();
    for result in results {
        let err = auth_error(result.expect_err("nothing answers"));
        assert!(matches!(err, AuthError::Fetch { .. }), "{err:?}");
    }
    assert!(
        elapsed < timeout * 2,
        "10 waiters took {elapsed:?} with a {timeout:?} timeout"
    );
    assert!(
        elapsed >= timeout,
        "finished before the timeout: {elapsed:?}"
    );
    assert_eq!(hanging.connections(), 1);
}

#[tokio::test]
async fn stale_keys_are_served_within_the_grace_period_then_refused() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    let client = server
        .consumer_builder()
        .jwks_max_age(Duration::from_millis(300))
        .cache_grace_period(Duration::from_millis(700))
        .build()
        .unwrap();
    let token = key.sign(&session_claims(0));
    let options = SessionJwtOptions::new();
    client
        .sessions()
        .authenticate_jwt_local(&token, &options)
        .await
        .expect("fresh keys");
    assert_eq!(server.hits(CONSUMER_JWKS), 1);

    // The endpoint breaks. Past the max age a refresh is tried, fails, and the
    // last good keys are used for the grace period.
    server.route(
        CONSUMER_JWKS,
        503,
        json!({"error_type": "unavailable", "error_message": "", "error_url": ""}),
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    client
        .sessions()
        .authenticate_jwt_local(&token, &options)
        .await
        .expect("stale keys within the grace period");
    assert_eq!(server.hits(CONSUMER_JWKS), 2);

    // Past max age + grace: refused with the fetch error.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(&token, &options)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&err, AuthError::Fetch { what: "key set", source } if source.status() == Some(503)),
        "{err:?}"
    );
}

#[tokio::test]
async fn key_sets_with_other_key_types_and_sparse_rsa_keys_still_verify() {
    let sparse = TestKey::generate("rsa-sparse");
    let full = TestKey::generate("rsa-full");
    let server = Server::start().await;
    let mut minimal = sparse.jwk();
    for field in ["x5c", "key_ops", "x5tS256", "use", "alg"] {
        minimal.as_object_mut().unwrap().remove(field);
    }
    server.serve_keys(
        CONSUMER_JWKS,
        &[
            json!({"kty": "EC", "kid": "ec-1", "crv": "P-256", "use": "sig",
                   "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                   "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}),
            json!({"kty": "oct", "kid": "oct-1", "k": "c2VjcmV0LWtleS1tYXRlcmlhbA"}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}),
            minimal,
            full.jwk(),
        ],
    );
    let client = server.consumer();
    let options = SessionJwtOptions::new();
    for key in [&sparse, &full] {
        let session = client
            .sessions()
            .authenticate_jwt_local(&key.sign(&session_claims(0)), &options)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", key.kid));
        assert_eq!(session.user_id, "user-test-ada");
    }
    // A token naming a key that cannot verify RS256 is refused, not checked with it.
    let naming_ec =
        sparse.sign_with_header(&json!({"alg": "RS256", "kid": "ec-1"}), &session_claims(0));
    let err = auth_error(
        client
            .sessions()
            .authenticate_jwt_local(&naming_ec, &options)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, AuthError::AlgorithmMismatch { .. }),
        "{err:?}"
    );
    assert_eq!(server.hits(CONSUMER_JWKS), 1);
}

#[tokio::test]
async fn backoff_grows_with_consecutive_failures() {
    let key = TestKey::generate("key-1");
    let server = Server::start().await;
    server.route(
        CONSUMER_JWKS,
        500,
        json!({"error_type": "internal_server_error", "error_message": "down", "error_url": ""}),
    );
    let client = server
        .consumer_builder()
        .fetch_backoff(Duration::from_millis(300), Duration::from_secs(5))
        .build()
        .unwrap();
    let token = key.sign(&session_claims(0));
    let attempt = || async {
        client
            .sessions()
            .authenticate_jwt_local(&token, &SessionJwtOptions::new())
            .await
    };
    let sleep = |ms| tokio::time::sleep(Duration::from_millis(ms));

    attempt().await.unwrap_err(); // failure 1: 300 ms backoff
    assert_eq!(server.hits(CONSUMER_JWKS), 1);
    attempt().await.unwrap_err();
    assert_eq!(server.hits(CONSUMER_JWKS), 1, "within the first backoff");
    sleep(400).await;
    attempt().await.unwrap_err(); // failure 2: 600 ms backoff
    assert_eq!(server.hits(CONSUMER_JWKS), 2);
    sleep(400).await;
    attempt().await.unwrap_err();
    assert_eq!(
        server.hits(CONSUMER_JWKS),
        2,
        "the second backoff is longer"
    );
    sleep(300).await;
    server.serve_keys(CONSUMER_JWKS, &[key.jwk()]);
    attempt().await.expect("fetched again after 600 ms");
    assert_eq!(server.hits(CONSUMER_JWKS), 3);
}
