//! The key set cache: one fetch serves many verifications, key rotation is
//! picked up, unknown key ids cannot trigger more than one refresh per
//! window, and the cache expires.

mod auth_support;

use std::sync::Arc;
use std::time::Duration;

use auth_support::*;
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
